//! Flow 1, the HTTP side: registration check (login name, organization),
//! SMS codes for registration, registration of both account kinds, the
//! legacy import, and the development outbox view. Route, parse, call
//! `shared::registration`, render.

use serde_json::json;
use shared::AppResult;
use shared::components::REGISTRATION;
use shared::context::Context;
use shared::identity::LoginName;
use shared::password::PasswordPolicy;
use shared::registration::{
    self, CHECK_LIMIT, LegalEntityForm, NaturalPersonForm, Registrar, SMS_CODE_LIMIT, SendCodeForm, check_login_name,
    check_organization, legacy,
};
use shared::settings;
use shared::spin::{SpinResponse, SpinStore, serve};
use shared::web::{Params, Request, Response, Router};
use spin_sdk::http_service;

/// Forms are small; only the legacy import takes the component's 4 MiB.
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
        .route_exempt_from_origin_check(
            "POST",
            "/api/registration/legacy-imports",
            Route::LegacyImport,
            "called by the migration tool with a bearer token, never by a browser",
        )
        .route("GET", "/api/registration/dev/outbox", Route::DevOutbox)
}

#[http_service]
async fn handle(req: spin_sdk::http::Request) -> SpinResponse {
    serve(req, &REGISTRATION, &router(), dispatch).await
}

async fn dispatch(ctx: &Context<SpinStore>, req: &Request, route: Route, params: Params) -> AppResult<Response> {
    if !matches!(route, Route::LegacyImport) {
        req.limit_body(FORM_LIMIT)?;
    }
    let lang = req.lang();
    match route {
        Route::CheckLoginName => {
            // Counted before parsing: every probe costs, valid or not.
            ctx.limit_client(&CHECK_LIMIT, req).await?;
            let login_name = LoginName::parse(&params["login_name"])?;
            let check = check_login_name(&ctx.store, login_name).await?;
            Ok(Response::json(200, &check.to_json(lang)))
        }
        Route::CheckOrganization => {
            ctx.limit_client(&CHECK_LIMIT, req).await?;
            let check =
                check_organization(&ctx.store, req.query_param("org_name").as_deref(), req.query_param("uscc").as_deref()).await?;
            Ok(Response::json(200, &check.to_json(lang)))
        }
        Route::SendCode => {
            let form: SendCodeForm = req.json()?;
            let limit = SMS_CODE_LIMIT.limit(&ctx.settings);
            let (issued, mobile) =
                registration::send_code(&ctx.store, &*ctx.clock, &*ctx.random, limit, &req.client_ip(), &form).await?;
            Ok(Response::json(202, &issued.to_json(&mobile)))
        }
        Route::RegisterLegalEntity => {
            let form: LegalEntityForm = req.json()?;
            let account = registrar(ctx, req).legal_entity(&form).await?;
            Ok(Response::json(201, &json!({ "account": account.to_json() })))
        }
        Route::RegisterNaturalPerson => {
            let form: NaturalPersonForm = req.json()?;
            let account = registrar(ctx, req).natural_person(&form).await?;
            Ok(Response::json(201, &json!({ "account": account.to_json() })))
        }
        Route::LegacyImport => {
            let report = legacy::import_authorized(
                &ctx.store,
                &*ctx.clock,
                ctx.settings.text(&settings::LEGACY_IMPORT_TOKEN),
                req.header("authorization"),
                &req.client_ip(),
                &req.body,
            )
            .await?;
            Ok(Response::json(200, &report.to_json()))
        }
        Route::DevOutbox => {
            let enabled = ctx.settings.flag(&settings::DEV_OUTBOX);
            let body = registration::dev_outbox(&ctx.store, enabled, req.query_param("mobile").as_deref()).await?;
            Ok(Response::json(200, &body))
        }
    }
}

fn registrar<'a>(ctx: &'a Context<SpinStore>, req: &Request) -> Registrar<'a, SpinStore> {
    Registrar {
        store: &ctx.store,
        clock: &*ctx.clock,
        random: &*ctx.random,
        policy: PasswordPolicy::from_settings(&ctx.settings),
        client: req.client_ip(),
    }
}
