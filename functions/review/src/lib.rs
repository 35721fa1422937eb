//! Flow 8, the HTTP side: back-office review. Reviewer login (its own
//! cookie), adding reviewers, the queue of open items, claiming, the
//! item with its subject and documents, approve/reject (applying the
//! decision's effects in the same transaction), and the working-day
//! calendar. Every endpoint but login checks the reviewer session; every
//! state change also the CSRF token.

use serde::Deserialize;
use serde_json::json;
use shared::{AppResult, transaction};
use shared::appeal;
use shared::audit::Actor;
use shared::auth::csrf;
use shared::context::Context;
use shared::error::AppError;
use shared::password::{MIN_LENGTH_SETTING, PasswordPolicy};
use shared::review::reviewer::{self, REVIEWER_SESSIONS};
use shared::review::{self, Decision, Filter, ReviewItem, ReviewKind, ReviewerSession};
use shared::spin::{Component, SMS_GATEWAY_TOKEN, SMS_GATEWAY_URL, SpinResponse, SpinStore, deliver_sms, serve};
use shared::store::finish;
use shared::upload;
use shared::web::{Params, Request, Response, Router};
use shared::workday::{self, DayKind};
use spin_sdk::http_service;

const BOOTSTRAP_LOGIN: &str = "reviewer_bootstrap_login_name";
const BOOTSTRAP_PASSWORD: &str = "reviewer_bootstrap_password";

const COMPONENT: Component = Component {
    name: "review",
    body_limit: 64 * 1024,
    variables: &[BOOTSTRAP_LOGIN, BOOTSTRAP_PASSWORD, MIN_LENGTH_SETTING, SMS_GATEWAY_URL, SMS_GATEWAY_TOKEN],
};

#[derive(Debug, Clone, Copy)]
enum Route {
    Login,
    Logout,
    Session,
    AddReviewer,
    Items,
    Item,
    Claim,
    Release,
    Document,
    Decide,
    Calendar,
    SetDay,
}

fn router() -> Router<Route> {
    Router::new()
        .route("POST", "/api/review/login", Route::Login)
        .route("POST", "/api/review/logout", Route::Logout)
        .route("GET", "/api/review/session", Route::Session)
        .route("POST", "/api/review/reviewers", Route::AddReviewer)
        .route("GET", "/api/review/items", Route::Items)
        .route("GET", "/api/review/items/{id}", Route::Item)
        .route("POST", "/api/review/items/{id}/claim", Route::Claim)
        .route("POST", "/api/review/items/{id}/release", Route::Release)
        .route("GET", "/api/review/items/{id}/documents/{document_id}", Route::Document)
        .route("POST", "/api/review/items/{id}/decision", Route::Decide)
        .route("GET", "/api/review/calendar", Route::Calendar)
        .route("PUT", "/api/review/calendar/{day}", Route::SetDay)
}

#[http_service]
async fn handle(req: spin_sdk::http::Request) -> SpinResponse {
    serve(req, COMPONENT, dispatch).await
}

async fn dispatch(ctx: Context<SpinStore>, req: Request) -> AppResult<Response> {
    let (route, params) = router().at(&req)?;
    csrf::check_origin(&req)?;
    if let Route::Login = route {
        return login(&ctx, &req).await;
    }
    let (session, me) = reviewer::current(&ctx.store, &*ctx.clock, &req).await?;
    if req.method != "GET" && req.method != "HEAD" {
        session.check_csrf(&req)?;
    }
    let now = ctx.clock.now();
    match route {
        Route::Login => Err(AppError::internal()),
        Route::Logout => {
            reviewer::logout(&ctx.store, &*ctx.clock, &session).await?;
            Ok(Response { status: 204, headers: vec![("cache-control".into(), "no-store".into())], body: Vec::new() }
                .with_header("set-cookie", REVIEWER_SESSIONS.clear_cookie()))
        }
        Route::Session => Ok(Response::json(200, &session_json(&session, &me))),
        Route::AddReviewer => {
            #[derive(Deserialize)]
            struct Form {
                login_name: String,
                password: String,
            }
            let form: Form = req.json()?;
            let policy = PasswordPolicy::from_settings(&ctx.settings);
            let added = transaction!(&ctx.store, async {
                reviewer::add(&ctx.store, &*ctx.clock, &*ctx.random, policy, me.id, &form.login_name, &form.password).await
            }
            .await)?;
            Ok(Response::json(201, &json!({ "reviewer": added.to_json() })))
        }
        Route::Items => {
            let filter = Filter::parse(req.query_param("state").as_deref()).ok_or_else(|| {
                AppError::new(
                    "review.filter_unknown",
                    400,
                    "state 应为 open、decided 或 all。",
                    "state must be open, decided or all.",
                )
                .with_field("state")
            })?;
            let items = review::list(&ctx.store, filter, 200).await?;
            // What each item is about, and who the reviewers are, in two queries.
            let appeal_ids: Vec<i64> = items.iter().filter_map(|i| i.subject.strip_prefix("appeal:")?.parse().ok()).collect();
            let summaries = appeal::queue_summaries(&ctx.store, &appeal_ids).await?;
            let reviewers: serde_json::Map<String, serde_json::Value> = reviewer::list(&ctx.store)
                .await?
                .into_iter()
                .map(|r| (r.id.to_string(), json!(r.login_name)))
                .collect();
            let items: Vec<_> = items
                .iter()
                .map(|i| {
                    let mut v = i.to_json(now);
                    let appeal = i.subject.strip_prefix("appeal:").and_then(|id| id.parse::<i64>().ok());
                    v["summary"] = appeal.and_then(|id| summaries.get(&id).cloned()).unwrap_or(serde_json::Value::Null);
                    v
                })
                .collect();
            Ok(Response::json(200, &json!({ "items": items, "reviewers": reviewers })))
        }
        Route::Item => {
            let item = item(&ctx, &params).await?;
            let (subject, documents) = subject_of(&ctx, &item).await?;
            Ok(Response::json(200, &json!({ "item": item.to_json(now), "subject": subject, "documents": documents })))
        }
        Route::Claim => {
            let id = item_id(&params)?;
            let item = review::claim(&ctx.store, &*ctx.clock, id, me.id).await?;
            Ok(Response::json(200, &json!({ "item": item.to_json(now) })))
        }
        Route::Release => {
            // Hand a claimed item back to the queue (only its claimer can).
            let id = item_id(&params)?;
            let item = review::release(&ctx.store, &*ctx.clock, id, me.id).await?;
            Ok(Response::json(200, &json!({ "item": item.to_json(now) })))
        }
        Route::Document => {
            let item = item(&ctx, &params).await?;
            let id: i64 = params["document_id"].parse().map_err(|_| AppError::not_found())?;
            match upload::fetch(&ctx.store, id).await? {
                Some(doc) if doc.owner == item.subject => Ok(upload::download_response(&doc)),
                _ => Err(AppError::not_found()),
            }
        }
        Route::Decide => decide(&ctx, &req, &params, me.id).await,
        Route::Calendar => {
            let from = date_param(&req, "from")?.unwrap_or_else(|| shared::identity::CivilDate::today_in_china(&*ctx.clock));
            let to = date_param(&req, "to")?
                .unwrap_or_else(|| shared::identity::CivilDate::from_days_since_epoch(from.days_since_epoch() + 366));
            let days = workday::calendar(&ctx.store, from, to).await?;
            Ok(Response::json(200, &json!({ "days": days.iter().map(|d| d.to_json()).collect::<Vec<_>>() })))
        }
        Route::SetDay => {
            #[derive(Deserialize)]
            struct Form {
                kind: Option<String>,
                #[serde(default)]
                note: String,
            }
            let day = workday::parse_date(&params["day"]).ok_or_else(|| bad_date("day"))?;
            let form: Form = req.json()?;
            let kind = match form.kind.as_deref() {
                None | Some("") => None,
                Some(k) => Some(DayKind::parse(k).ok_or_else(|| {
                    AppError::new(
                        "review.day_kind_unknown",
                        400,
                        "kind 应为 holiday（节假日）、workday（调休上班）或空（恢复常规）。",
                        "kind must be holiday, workday (an adjusted working day) or empty (back to the usual rule).",
                    )
                    .with_field("kind")
                })?),
            };
            transaction!(&ctx.store, async {
                workday::set_day(&ctx.store, day, kind, &form.note).await?;
                shared::audit::record(
                    &ctx.store,
                    &*ctx.clock,
                    &Actor::Reviewer(me.id),
                    "review.calendar_changed",
                    Some(&params["day"]),
                    json!({ "kind": kind.map(DayKind::as_str), "note": form.note }),
                )
                .await?;
                Ok::<_, AppError>(())
            }
            .await)?;
            Ok(Response::json(200, &json!({ "day": params["day"], "kind": kind.map(DayKind::as_str) })))
        }
    }
}

fn session_json(session: &ReviewerSession, me: &reviewer::Reviewer) -> serde_json::Value {
    json!({
        "reviewer": me.to_json(),
        "csrf_token": session.csrf_token,
        "idle_expires_at": session.idle_expires_at(),
        "absolute_expires_at": session.absolute_expires_at,
    })
}

async fn login(ctx: &Context<SpinStore>, req: &Request) -> AppResult<Response> {
    #[derive(Deserialize)]
    struct Form {
        login_name: String,
        password: String,
    }
    let form: Form = req.json()?;
    // The first reviewer comes from secret settings, never from sign-up.
    if let (Some(name), Some(password)) = (ctx.settings.get(BOOTSTRAP_LOGIN), ctx.settings.get(BOOTSTRAP_PASSWORD)) {
        reviewer::bootstrap(&ctx.store, &*ctx.clock, &*ctx.random, name, password).await?;
    }
    let (session, token, me) =
        reviewer::login(&ctx.store, &*ctx.clock, &*ctx.random, &req.client_ip(), &form.login_name, &form.password).await?;
    Ok(Response::json(200, &session_json(&session, &me)).with_header("set-cookie", REVIEWER_SESSIONS.cookie(&token)))
}

fn item_id(params: &Params) -> AppResult<i64> {
    params["id"].parse().map_err(|_| review::queue::not_found())
}

async fn item(ctx: &Context<SpinStore>, params: &Params) -> AppResult<ReviewItem> {
    review::get(&ctx.store, item_id(params)?).await?.ok_or_else(review::queue::not_found)
}

/// What the item is about, and its documents, by kind.
async fn subject_of(ctx: &Context<SpinStore>, item: &ReviewItem) -> AppResult<(serde_json::Value, Vec<serde_json::Value>)> {
    let documents = upload::list_for(&ctx.store, &item.subject).await?.iter().map(|d| d.to_json()).collect();
    let subject = match item.kind {
        ReviewKind::AppealLegalEntity | ReviewKind::AppealNaturalPerson => {
            appeal::details_for_review(&ctx.store, appeal_id(item)?).await?
        }
        other => json!({ "kind": other.as_str(), "subject": item.subject }),
    };
    Ok((subject, documents))
}

fn appeal_id(item: &ReviewItem) -> AppResult<i64> {
    item.subject.strip_prefix("appeal:").and_then(|id| id.parse().ok()).ok_or_else(AppError::internal)
}

async fn decide(ctx: &Context<SpinStore>, req: &Request, params: &Params, reviewer_id: i64) -> AppResult<Response> {
    #[derive(Deserialize)]
    struct Form {
        decision: String,
        #[serde(default)]
        reason: String,
    }
    let form: Form = req.json()?;
    let decision = match form.decision.as_str() {
        "approve" => Decision::Approve,
        "reject" => Decision::Reject { reason: form.reason.clone() },
        _ => {
            return Err(AppError::new(
                "review.decision_unknown",
                400,
                "decision 应为 approve（通过）或 reject（驳回）。",
                "decision must be approve or reject.",
            )
            .with_field("decision"));
        }
    };
    let id = item_id(params)?;
    let store = &ctx.store;
    shared::store::Store::begin(store).await?;
    let result = async {
        let item = review::decide(store, &*ctx.clock, id, reviewer_id, &decision).await?;
        let outbox = match item.kind {
            ReviewKind::AppealLegalEntity | ReviewKind::AppealNaturalPerson => {
                let approved = matches!(decision, Decision::Approve);
                appeal::apply_decision(
                    store,
                    &*ctx.clock,
                    &*ctx.random,
                    &Actor::Reviewer(reviewer_id),
                    appeal_id(&item)?,
                    approved,
                    item.reason.as_deref(),
                )
                .await?
            }
            _ => Vec::new(),
        };
        Ok::<_, AppError>((item, outbox))
    }
    .await;
    let (item, outbox) = finish(store, result).await?;
    deliver_sms(ctx, &outbox).await;
    Ok(Response::json(200, &json!({ "item": item.to_json(ctx.clock.now()) })))
}

fn bad_date(field: &str) -> AppError {
    AppError::new("review.date_invalid", 400, "日期格式应为 YYYY-MM-DD。", "Dates are written YYYY-MM-DD.").with_field(field)
}

fn date_param(req: &Request, name: &str) -> AppResult<Option<shared::identity::CivilDate>> {
    match req.query_param(name) {
        None => Ok(None),
        Some(v) => workday::parse_date(&v).map(Some).ok_or_else(|| bad_date(name)),
    }
}
