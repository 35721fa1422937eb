//! Flow 4, the HTTP side: recovery appeals (FAQ 1(2), 2, 3.3, 3.4). SMS
//! codes for the new mobile, filing with scans (multipart), status by
//! number + mobile (the mobile in the `X-Appeal-Mobile` header), and the
//! appellant's own documents while the appeal is open. Parse, call
//! `shared::appeal`, deliver SMS, render.

use serde::Deserialize;
use serde_json::json;
use shared::AppResult;
use shared::appeal::{self, AppealFields};
use shared::auth::csrf;
use shared::context::Context;
use shared::error::AppError;
use shared::identity::Mobile;
use shared::rate_limit::{self, Limit};
use shared::sms::{self, Purpose, Template};
use shared::spin::{Component, SMS_GATEWAY_TOKEN, SMS_GATEWAY_URL, SpinResponse, SpinStore, deliver_sms, serve};
use shared::upload;
use shared::web::{Request, Response, Router};
use spin_sdk::http_service;

const LOOKUP_LIMIT: &str = "appeal_lookups_per_client_per_hour";
const FILING_LIMIT: &str = "appeal_filings_per_client_per_hour";
const SMS_PER_CLIENT: &str = "sms_codes_per_client_per_hour";

const COMPONENT: Component = Component {
    name: "appeal",
    // Six scans of at most 5 MiB each, plus the multipart framing and fields.
    body_limit: upload::MAX_BODY_BYTES,
    variables: &[LOOKUP_LIMIT, FILING_LIMIT, SMS_PER_CLIENT, SMS_GATEWAY_URL, SMS_GATEWAY_TOKEN],
};

#[derive(Debug, Clone, Copy)]
enum Route {
    SendCode,
    File,
    Status,
    Document,
}

fn router() -> Router<Route> {
    Router::new()
        .route("POST", "/api/appeals/sms-codes", Route::SendCode)
        .route("POST", "/api/appeals", Route::File)
        .route("GET", "/api/appeals/{number}", Route::Status)
        .route("GET", "/api/appeals/{number}/documents/{document_id}", Route::Document)
}

#[http_service]
async fn handle(req: spin_sdk::http::Request) -> SpinResponse {
    serve(req, COMPONENT, dispatch).await
}

async fn dispatch(ctx: Context<SpinStore>, req: Request) -> AppResult<Response> {
    let (route, params) = router().at(&req)?;
    match route {
        Route::SendCode => send_code(&ctx, &req).await,
        Route::File => file(&ctx, &req).await,
        Route::Status => {
            let mobile = appellant_mobile(&req)?;
            lookup_limit(&ctx, &req).await?;
            let status = appeal::status(&ctx.store, &params["number"], &mobile).await?;
            let documents = if status.is_open() {
                upload::list_for(&ctx.store, &format!("appeal:{}", status.id)).await?.iter().map(|d| d.to_json()).collect()
            } else {
                Vec::new()
            };
            let mut body = status.to_json();
            body["documents"] = json!(documents);
            Ok(Response::json(200, &body))
        }
        Route::Document => {
            let mobile = appellant_mobile(&req)?;
            lookup_limit(&ctx, &req).await?;
            let status = appeal::status(&ctx.store, &params["number"], &mobile).await?;
            // The appellant sees the scans only while the appeal is open.
            if !status.is_open() {
                return Err(AppError::not_found());
            }
            let id: i64 = params["document_id"].parse().map_err(|_| AppError::not_found())?;
            match upload::fetch(&ctx.store, id).await? {
                Some(doc) if doc.owner == format!("appeal:{}", status.id) => Ok(upload::download_response(&doc)),
                _ => Err(AppError::not_found()),
            }
        }
    }
}

/// The appellant's mobile for the status and document lookups: the
/// `X-Appeal-Mobile` header, never the URL (browser history, server logs and
/// referrers keep URLs). A missing header is the mobile's own error.
fn appellant_mobile(req: &Request) -> AppResult<String> {
    if req.query_param("mobile").is_some() {
        return Err(AppError::new(
            "appeal.mobile_in_url",
            400,
            "手机号不能放在网址中：请在 X-Appeal-Mobile 请求头中发送。",
            "The mobile number must not be in the URL: send it in the X-Appeal-Mobile header.",
        )
        .with_field("mobile"));
    }
    Ok(req.header("x-appeal-mobile").unwrap_or_default().to_owned())
}

async fn lookup_limit(ctx: &Context<SpinStore>, req: &Request) -> AppResult<()> {
    let limit = Limit { bucket: "appeal.lookup", max: ctx.settings.u32_or(LOOKUP_LIMIT, 60), window_secs: 3600 };
    rate_limit::hit(&ctx.store, &*ctx.clock, limit, &req.client_ip()).await
}

#[derive(Deserialize)]
struct SendCodeForm {
    mobile: String,
}

async fn send_code(ctx: &Context<SpinStore>, req: &Request) -> AppResult<Response> {
    csrf::check_origin(req)?;
    let form: SendCodeForm = req.json()?;
    let mobile = Mobile::parse(&form.mobile)?;
    let per_client = Limit { bucket: "sms.appeal.client", max: ctx.settings.u32_or(SMS_PER_CLIENT, 20), window_secs: 3600 };
    rate_limit::hit(&ctx.store, &*ctx.clock, per_client, &req.client_ip()).await?;
    let (issued, outbox_id) =
        sms::issue_and_enqueue(&ctx.store, &*ctx.clock, &*ctx.random, Purpose::Appeal, Template::AppealCode, &mobile).await?;
    deliver_sms(ctx, &[outbox_id]).await;
    Ok(Response::json(202, &issued.to_json(&mobile)))
}

async fn file(ctx: &Context<SpinStore>, req: &Request) -> AppResult<Response> {
    csrf::check_origin(req)?;
    let limit = Limit { bucket: "appeal.file", max: ctx.settings.u32_or(FILING_LIMIT, 10), window_secs: 3600 };
    rate_limit::hit(&ctx.store, &*ctx.clock, limit, &req.client_ip()).await?;
    let form = upload::Form::from_request(req)?;
    let mut not_text = Vec::new();
    let fields = AppealFields::from_fields(|name| form.text(name).unwrap_or_else(|e| {
        not_text.push(e);
        None
    }));
    if let Some(e) = AppError::combine(not_text) {
        return Err(e);
    }
    // The cheap checks first (fields, the account); decoding the scans last.
    let validated = appeal::validate(&ctx.store, &*ctx.clock, &fields).await?;
    let (allowed, required) = appeal::files_for(validated.kind());
    let files = upload::validate_files(&form, allowed, required)?;
    let filed =
        appeal::file(&ctx.store, &*ctx.clock, &*ctx.random, &req.client_ip(), &validated, &fields.sms_code, files).await?;
    Ok(Response::json(
        201,
        &json!({ "number": filed.number, "status": "submitted", "due_at": filed.due_at.millis() }),
    ))
}
