//! Flow 8, the HTTP side: back-office review. Reviewer login (its own
//! cookie), adding, listing and disabling reviewers and resetting another
//! reviewer's password, the console's queue (filters, counts, search),
//! claiming and releasing (a lead: anyone's claim), an item with its
//! subject, documents and history, approve/reject (the decision and its
//! kind's effects in one transaction, in shared), the working-day
//! calendar, the failed SMS with "retry now" and the last ticks. Every
//! endpoint but login and the scheduler's tick (flow 9, bearer token)
//! needs a reviewer session; the glue checks the CSRF rule. Route, parse,
//! call `shared::review`, render.

use serde::Deserialize;
use serde_json::json;
use shared::AppResult;
use shared::components::REVIEW;
use shared::context::Context;
use shared::ids::{ReviewItemId, ReviewerId};
use shared::password::PasswordPolicy;
use shared::review::reviewer::{self, REVIEWER_SESSIONS};
use shared::review::{self, Decision, console};
use shared::spin::{SpinResponse, SpinStore, serve};
use shared::upload;
use shared::web::{Params, Request, Response, Router};
use shared::workday;
use spin_sdk::http_service;

#[derive(Debug, Clone, Copy)]
enum Route {
    Login,
    Logout,
    Session,
    AddReviewer,
    ResetPassword,
    Items,
    Item,
    Claim,
    Release,
    Document,
    Decide,
    Calendar,
    SetDay,
    Tick,
    Reviewers,
    DisableReviewer,
    FailedSms,
    RetrySms,
    Schedule,
}

fn router() -> Router<Route> {
    Router::new()
        .route("POST", "/api/review/login", Route::Login)
        .route("POST", "/api/review/logout", Route::Logout)
        .route("GET", "/api/review/session", Route::Session)
        .route("POST", "/api/review/reviewers", Route::AddReviewer)
        .route("GET", "/api/review/reviewers", Route::Reviewers)
        .route("POST", "/api/review/reviewers/{id}/password", Route::ResetPassword)
        .route("POST", "/api/review/reviewers/{id}/disable", Route::DisableReviewer)
        .route("GET", "/api/review/sms/failed", Route::FailedSms)
        .route("POST", "/api/review/sms/{id}/retry", Route::RetrySms)
        .route("GET", "/api/review/schedule", Route::Schedule)
        .route("GET", "/api/review/items", Route::Items)
        .route("GET", "/api/review/items/{id}", Route::Item)
        .route("POST", "/api/review/items/{id}/claim", Route::Claim)
        .route("POST", "/api/review/items/{id}/release", Route::Release)
        .route("GET", "/api/review/items/{id}/documents/{document_id}", Route::Document)
        .route("POST", "/api/review/items/{id}/decision", Route::Decide)
        .route("GET", "/api/review/calendar", Route::Calendar)
        .route("PUT", "/api/review/calendar/{day}", Route::SetDay)
        .route_exempt_from_origin_check(
            "POST",
            "/api/internal/schedule/tick",
            Route::Tick,
            "called by a scheduler (a Kubernetes CronJob, a hosted platform's schedule) with a bearer token, never by a browser",
        )
}

#[http_service]
async fn handle(req: spin_sdk::http::Request) -> SpinResponse {
    serve(req, &REVIEW, &router(), dispatch).await
}

#[derive(Deserialize)]
struct Credentials {
    login_name: String,
    password: String,
}

#[derive(Deserialize)]
struct NewReviewerForm {
    login_name: String,
    password: String,
    #[serde(default)]
    mobile: Option<String>,
    #[serde(default)]
    role: Option<String>,
}

#[derive(Deserialize)]
struct NewPassword {
    password: String,
}

#[derive(Deserialize)]
struct DayForm {
    kind: Option<String>,
    #[serde(default)]
    note: String,
}

async fn dispatch(ctx: &Context<SpinStore>, req: &Request, route: Route, params: Params) -> AppResult<Response> {
    let (store, clock, random) = (&ctx.store, &*ctx.clock, &*ctx.random);
    if let Route::Tick = route {
        return shared::spin::scheduled_by_request(ctx, req).await;
    }
    if let Route::Login = route {
        let form: Credentials = req.json()?;
        let (session, token, me) =
            reviewer::log_in(store, clock, random, &ctx.settings, &req.client_ip(), &form.login_name, &form.password).await?;
        return Ok(Response::json(200, &reviewer::session_json(&session, &me)).with_header("set-cookie", REVIEWER_SESSIONS.cookie(&token)));
    }
    let (session, me) = reviewer::current(store, clock, req).await?;
    let now = clock.now();
    let item_id = || params.get("id").and_then(|id| ReviewItemId::parse(id)).ok_or_else(review::queue::not_found);
    match route {
        Route::Login | Route::Tick => unreachable!("answered above"),
        Route::Logout => {
            reviewer::logout(store, clock, &session).await?;
            Ok(Response::no_content().with_header("set-cookie", REVIEWER_SESSIONS.clear_cookie()))
        }
        Route::Session => Ok(Response::json(200, &reviewer::session_json(&session, &me))),
        Route::AddReviewer => {
            let form: NewReviewerForm = req.json()?;
            let new = reviewer::NewReviewer {
                login_name: &form.login_name,
                password: &form.password,
                mobile: form.mobile.as_deref(),
                role: reviewer::Role::parse_field(form.role.as_deref())?,
            };
            let policy = PasswordPolicy::from_settings(&ctx.settings);
            let added = reviewer::add(store, clock, random, policy, &me, new).await?;
            Ok(Response::json(201, &json!({ "reviewer": added.to_json() })))
        }
        Route::ResetPassword => {
            let target = params.get("id").and_then(|id| ReviewerId::parse(id)).ok_or_else(reviewer::not_found)?;
            let form: NewPassword = req.json()?;
            let policy = PasswordPolicy::from_settings(&ctx.settings);
            let done = reviewer::reset_password(store, clock, random, policy, me.id, target, &form.password).await?;
            Ok(Response::json(200, &json!({ "reviewer": done.to_json() })))
        }
        Route::Items => {
            let q = |name| req.query_param(name);
            let query = console::QueueQuery::parse(q("state").as_deref(), q("kind").as_deref(), q("sla").as_deref(), q("q").as_deref())?;
            Ok(Response::json(200, &console::queue_view(store, &query, now, &me).await?))
        }
        Route::Item => Ok(Response::json(200, &console::item_view(store, item_id()?, now).await?)),
        Route::Claim => {
            let item = review::claim(store, clock, item_id()?, me.id).await?;
            Ok(Response::json(200, &json!({ "item": item.to_json(now) })))
        }
        Route::Release => {
            // Hand a claimed item back to the queue (its claimer, or a lead).
            let item = console::release(store, clock, item_id()?, &me).await?;
            Ok(Response::json(200, &json!({ "item": item.to_json(now) })))
        }
        Route::Document => Ok(upload::download_response(&review::item_document(store, item_id()?, &params["document_id"]).await?)),
        Route::Decide => {
            // `{decision, reason}` and, with an approval, the kind's own
            // fields (checked by the kind).
            let decision = Decision::parse(&req.json::<serde_json::Value>()?)?;
            let item = review::decide(store, clock, random, item_id()?, me.id, &decision).await?;
            Ok(Response::json(200, &json!({ "item": item.to_json(clock.now()) })))
        }
        Route::Reviewers => Ok(Response::json(200, &console::reviewers_view(store).await?)),
        Route::DisableReviewer => {
            let target = params.get("id").and_then(|id| ReviewerId::parse(id)).ok_or_else(reviewer::not_found)?;
            let done = reviewer::disable(store, clock, &me, target).await?;
            Ok(Response::json(200, &json!({ "reviewer": done.to_json() })))
        }
        Route::FailedSms => Ok(Response::json(200, &console::failed_sms(store, now).await?)),
        Route::RetrySms => Ok(Response::json(200, &console::retry_sms(store, clock, &me, &params["id"]).await?)),
        Route::Schedule => Ok(Response::json(200, &console::schedule_view(store).await?)),
        Route::Calendar => Ok(Response::json(
            200,
            &workday::calendar_view(store, clock, req.query_param("from").as_deref(), req.query_param("to").as_deref()).await?,
        )),
        Route::SetDay => {
            let form: DayForm = req.json()?;
            Ok(Response::json(200, &workday::change_day(store, clock, me.id, &params["day"], form.kind.as_deref(), &form.note).await?))
        }
    }
}
