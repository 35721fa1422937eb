//! Flow 7, the HTTP side: the service items (public), where the session
//! stands at an entry of the foreign-work system, the first-entry
//! submission, the business home, legacy-data requests, and the bearer
//! import of the old system's business records. Route, parse, call
//! `shared::entry`, render.

use serde_json::Value;
use shared::AppResult;
use shared::auth;
use shared::components::ENTRY;
use shared::context::Context;
use shared::entry::{Entry, home, legacy, onboarding, requests, services, state};
use shared::settings;
use shared::spin::{SpinResponse, SpinStore, serve};
use shared::upload;
use shared::web::{MultipartForm, Params, Request, Response, Router};
use spin_sdk::http_service;

#[derive(Debug, Clone, Copy)]
enum Route {
    Services,
    Stand,
    Onboarding,
    Home,
    LegacyDataRequest,
    LegacyRecordImport,
}

fn router() -> Router<Route> {
    Router::new()
        .route("GET", "/api/services", Route::Services)
        .route("POST", "/api/entry/legacy-data-requests", Route::LegacyDataRequest)
        .route_exempt_from_origin_check(
            "POST",
            "/api/entry/legacy-records/imports",
            Route::LegacyRecordImport,
            "called by the migration tool with a bearer token, never by a browser",
        )
        .route("GET", "/api/entry/{entry}", Route::Stand)
        .route("POST", "/api/entry/{entry}/onboarding", Route::Onboarding)
        .route("GET", "/api/entry/{entry}/home", Route::Home)
}

#[http_service]
async fn handle(req: spin_sdk::http::Request) -> SpinResponse {
    serve(req, &ENTRY, &router(), dispatch).await
}

/// JSON bodies are small; uploads and imports use the component's limit.
const JSON_BODY_LIMIT: usize = 64 * 1024;
/// An import's JSON lines, as the account import takes them.
const IMPORT_BODY_LIMIT: usize = 4 * 1024 * 1024;

async fn dispatch(ctx: &Context<SpinStore>, req: &Request, route: Route, params: Params) -> AppResult<Response> {
    match route {
        Route::Services => return Ok(Response::json(200, &services::services())),
        Route::LegacyRecordImport => {
            req.limit_body(IMPORT_BODY_LIMIT)?;
            let report = legacy::import_authorized(
                &ctx.store,
                &*ctx.clock,
                ctx.settings.text(&settings::LEGACY_IMPORT_TOKEN),
                req.header("authorization"),
                &req.client_ip(),
                &req.body,
            )
            .await?;
            return Ok(Response::json(200, &report.to_json()));
        }
        _ => {}
    }
    let (_, account) = auth::current(&ctx.store, &*ctx.clock, req).await?;
    let organization = || state::parse_organization(req.query_param("organization").as_deref());
    match route {
        Route::Stand => {
            let entry = Entry::parse(&params["entry"])?;
            let standing = state::stand(&ctx.store, &*ctx.clock, &account, entry, organization()?).await?;
            Ok(Response::json(200, &standing.to_json()))
        }
        Route::Onboarding => {
            let entry = Entry::parse(&params["entry"])?;
            req.limit_body(JSON_BODY_LIMIT)?;
            let body: Value = req.json()?;
            Ok(Response::json(201, &onboarding::submit(&ctx.store, &*ctx.clock, &account, entry, &body).await?))
        }
        Route::Home => {
            let entry = Entry::parse(&params["entry"])?;
            Ok(Response::json(200, &home::home(&ctx.store, &*ctx.clock, &account, entry, organization()?).await?))
        }
        Route::LegacyDataRequest => {
            ctx.limit_client(&requests::FILINGS_PER_CLIENT, req).await?;
            let form = MultipartForm::from_request(req, upload::MAX_BODY_BYTES)?;
            Ok(Response::json(201, &requests::file(&ctx.store, &*ctx.clock, &account, &form).await?))
        }
        Route::Services | Route::LegacyRecordImport => unreachable!("answered above"),
    }
}
