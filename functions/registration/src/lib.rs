//! Flow 1, the HTTP side: registration check (login name, organization),
//! SMS codes for registration, registration of both account kinds, the
//! legacy import, and the development outbox view. Parse, call
//! `shared::registration`, render.

use shared::audit::{self, Actor};
use shared::auth::csrf;
use shared::context::Context;
use shared::digest::constant_time_eq;
use shared::error::AppError;
use shared::identity::{LoginName, Mobile};
use shared::password::{MIN_LENGTH_SETTING, PasswordPolicy};
use shared::rate_limit::{self, Limit};
use shared::registration::{
    CHECK_LIMIT_SETTING, LegalEntityForm, NaturalPersonForm, Registrar, check_limit, check_login_name, check_organization,
    legacy,
};
use shared::sms::{self, Purpose, Template};
use shared::spin::{Component, SMS_GATEWAY_TOKEN, SMS_GATEWAY_URL, SpinResponse, SpinStore, deliver_sms, serve};
use shared::web::{Request, Response, Router};
use shared::AppResult;
use serde::Deserialize;
use serde_json::json;
use spin_sdk::http_service;

const SMS_PER_CLIENT: &str = "sms_codes_per_client_per_hour";
const DEV_OUTBOX: &str = "dev_outbox";
const LEGACY_IMPORT_TOKEN: &str = "legacy_import_token";

const COMPONENT: Component = Component {
    name: "registration",
    // Legacy imports are the largest bodies (JSON lines).
    body_limit: 4 * 1024 * 1024,
    variables: &[
        CHECK_LIMIT_SETTING,
        MIN_LENGTH_SETTING,
        SMS_PER_CLIENT,
        DEV_OUTBOX,
        LEGACY_IMPORT_TOKEN,
        SMS_GATEWAY_URL,
        SMS_GATEWAY_TOKEN,
    ],
};
const FORM_LIMIT: usize = 64 * 1024;

#[derive(Debug, Clone, Copy)]
enum Route {
    CheckLoginName,
    CheckOrganization,
    SendCode,
    RegisterLegalEntity,
    RegisterNaturalPerson,
    LegacyImport,
    DevOutbox,
}

fn router() -> Router<Route> {
    Router::new()
        .route("GET", "/api/registration/login-names/{login_name}", Route::CheckLoginName)
        .route("GET", "/api/registration/organizations", Route::CheckOrganization)
        .route("POST", "/api/registration/sms-codes", Route::SendCode)
        .route("POST", "/api/registration/legal-entities", Route::RegisterLegalEntity)
        .route("POST", "/api/registration/natural-persons", Route::RegisterNaturalPerson)
        .route("POST", "/api/registration/legacy-imports", Route::LegacyImport)
        .route("GET", "/api/registration/dev/outbox", Route::DevOutbox)
}

#[http_service]
async fn handle(req: spin_sdk::http::Request) -> SpinResponse {
    serve(req, COMPONENT, dispatch).await
}

async fn dispatch(ctx: Context<SpinStore>, req: Request) -> AppResult<Response> {
    let (route, params) = router().at(&req)?;
    if !matches!(route, Route::LegacyImport) && req.body.len() > FORM_LIMIT {
        return Err(AppError::body_too_large(FORM_LIMIT));
    }
    let lang = req.lang();
    let client = req.client_ip();
    match route {
        Route::CheckLoginName => {
            // Counted before parsing: every probe costs, valid or not.
            rate_limit::hit(&ctx.store, &*ctx.clock, check_limit(&ctx.settings), &client).await?;
            let login_name = LoginName::parse(&params["login_name"])?;
            let check = check_login_name(&ctx.store, login_name).await?;
            Ok(Response::json(200, &check.to_json(lang)))
        }
        Route::CheckOrganization => {
            rate_limit::hit(&ctx.store, &*ctx.clock, check_limit(&ctx.settings), &client).await?;
            let check =
                check_organization(&ctx.store, req.query_param("org_name").as_deref(), req.query_param("uscc").as_deref()).await?;
            Ok(Response::json(200, &check.to_json(lang)))
        }
        Route::SendCode => send_code(&ctx, &req).await,
        Route::RegisterLegalEntity => {
            csrf::check_origin(&req)?;
            let form: LegalEntityForm = req.json()?;
            let account = registrar(&ctx, &client).legal_entity(&form).await?;
            Ok(Response::json(201, &json!({ "account": account.to_json() })))
        }
        Route::RegisterNaturalPerson => {
            csrf::check_origin(&req)?;
            let form: NaturalPersonForm = req.json()?;
            let account = registrar(&ctx, &client).natural_person(&form).await?;
            Ok(Response::json(201, &json!({ "account": account.to_json() })))
        }
        Route::LegacyImport => legacy_import(&ctx, &req).await,
        Route::DevOutbox => dev_outbox(&ctx, &req).await,
    }
}

fn registrar<'a>(ctx: &'a Context<SpinStore>, client: &'a str) -> Registrar<'a, SpinStore> {
    Registrar {
        store: &ctx.store,
        clock: &*ctx.clock,
        random: &*ctx.random,
        policy: PasswordPolicy::from_settings(&ctx.settings),
        client,
    }
}

#[derive(Deserialize)]
struct SendCodeForm {
    mobile: String,
    #[serde(default)]
    purpose: Option<String>,
}

async fn send_code(ctx: &Context<SpinStore>, req: &Request) -> AppResult<Response> {
    csrf::check_origin(req)?;
    let form: SendCodeForm = req.json()?;
    let purpose = Purpose::parse(form.purpose.as_deref().unwrap_or("registration"))?;
    if purpose != Purpose::Registration {
        return Err(AppError::new(
            "sms.purpose_not_here",
            400,
            "此处只发送注册验证码。",
            "This endpoint sends registration codes only.",
        )
        .with_field("purpose"));
    }
    let mobile = Mobile::parse(&form.mobile)?;
    let per_client = Limit { bucket: "sms.registration.client", max: ctx.settings.u32_or(SMS_PER_CLIENT, 20), window_secs: 3600 };
    rate_limit::hit(&ctx.store, &*ctx.clock, per_client, &req.client_ip()).await?;
    let (issued, outbox_id) =
        sms::issue_and_enqueue(&ctx.store, &*ctx.clock, &*ctx.random, purpose, Template::RegistrationCode, &mobile).await?;
    deliver_sms(ctx, &[outbox_id]).await;
    Ok(Response::json(202, &issued.to_json(&mobile)))
}

async fn legacy_import(ctx: &Context<SpinStore>, req: &Request) -> AppResult<Response> {
    let expected = ctx.settings.get(LEGACY_IMPORT_TOKEN).ok_or_else(AppError::not_found)?;
    let given = req.header("authorization").and_then(|h| h.strip_prefix("Bearer ")).unwrap_or("");
    if !constant_time_eq(given.trim(), expected) {
        audit::record(&ctx.store, &*ctx.clock, &Actor::Client(req.client_ip()), "legacy.import_refused", None, json!({})).await?;
        return Err(AppError::new(
            "legacy.unauthorized",
            401,
            "导入需要有效的管理令牌。",
            "The import needs a valid administration token.",
        )
        .with_header("www-authenticate", "Bearer"));
    }
    let body = std::str::from_utf8(&req.body).map_err(|_| {
        AppError::new("legacy.not_utf8", 400, "导入内容须为 UTF-8 编码的 JSON 行。", "The import must be UTF-8 JSON lines.")
            .with_field("body")
    })?;
    let report = legacy::import(&ctx.store, &*ctx.clock, body).await?;
    audit::record(
        &ctx.store,
        &*ctx.clock,
        &Actor::System,
        "legacy.import",
        None,
        json!({ "created": report.created, "converted": report.converted, "skipped": report.skipped, "errors": report.errors.len() }),
    )
    .await?;
    Ok(Response::json(200, &report.to_json()))
}

/// Development only (variable `dev_outbox` = "true"): the newest SMS to a
/// number, so browser tests and local users can read codes without a
/// gateway. Off by default: 404.
async fn dev_outbox(ctx: &Context<SpinStore>, req: &Request) -> AppResult<Response> {
    if ctx.settings.get(DEV_OUTBOX) != Some("true") {
        return Err(AppError::not_found());
    }
    let mobile = Mobile::parse(&req.query_param("mobile").unwrap_or_default())?;
    let messages = sms::messages_for(&ctx.store, &mobile, 20).await?;
    Ok(Response::json(200, &json!({ "messages": messages.iter().map(|m| m.to_json()).collect::<Vec<_>>() })))
}
