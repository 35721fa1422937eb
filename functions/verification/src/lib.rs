//! Flow 5, the HTTP side: real-name verification and "my info" (FAQ
//! 3.1-3.7). Everything is the session's own account: no account id in a
//! URL or a body. The parts with their states, saving a part (the
//! automatic check through the configured identity service), uploading its
//! documents for review, one part alone, and changing the reserved mobile (codes to the new
//! and the old number). The one exception to "the session's own account": an organization
//! that authorized the natural person (FAQ 7(1)), which a person holding its `grant_admin`
//! completes and corrects (`/api/my-info/organizations/{org}`; `shared::grants::mine`
//! decides who may). Route, parse, call `shared::verification`, render.

use serde_json::Value;
use shared::ids::AccountId;
use shared::grants;
use shared::{AppError, AppResult};
use shared::auth;
use shared::components::VERIFICATION;
use shared::context::Context;
use shared::spin::{SpinResponse, SpinStore, serve};
use shared::upload;
use shared::verification::mobile::{self, ChangeForm, CodesForm};
use shared::verification::spin_client::SpinIdentityService;
use shared::verification::{MyInfo, UPLOADS_PER_CLIENT, refuse_addressing};
use shared::web::{MultipartForm, Params, Request, Response, Router};
use spin_sdk::http_service;

#[derive(Debug, Clone, Copy)]
enum Route {
    View,
    Part,
    MobileCodes,
    ChangeMobile,
    Save,
    Upload,
    Organization,
    SaveOrganization,
    UploadOrganization,
}

fn router() -> Router<Route> {
    Router::new()
        .route("GET", "/api/my-info", Route::View)
        .route("POST", "/api/my-info/mobile/codes", Route::MobileCodes)
        .route("PUT", "/api/my-info/mobile", Route::ChangeMobile)
        .route("GET", "/api/my-info/{part}", Route::Part)
        .route("PUT", "/api/my-info/{part}", Route::Save)
        .route("POST", "/api/my-info/{part}/documents", Route::Upload)
        .route("GET", "/api/my-info/organizations/{org}", Route::Organization)
        .route("PUT", "/api/my-info/organizations/{org}/{part}", Route::SaveOrganization)
        .route("POST", "/api/my-info/organizations/{org}/{part}/documents", Route::UploadOrganization)
}

#[http_service]
async fn handle(req: spin_sdk::http::Request) -> SpinResponse {
    serve(req, &VERIFICATION, &router(), dispatch).await
}

/// JSON bodies are small; only uploads use the component's large limit.
const JSON_BODY_LIMIT: usize = 64 * 1024;

async fn dispatch(ctx: &Context<SpinStore>, req: &Request, route: Route, params: Params) -> AppResult<Response> {
    refuse_addressing(req)?;
    let (_, account) = auth::current(&ctx.store, &*ctx.clock, req).await?;
    let service = SpinIdentityService::from_settings(&ctx.settings);
    let my_info = MyInfo {
        db: &ctx.store,
        clock: &*ctx.clock,
        random: &*ctx.random,
        settings: &ctx.settings,
        service: service.as_ref(),
        client: req.client_ip(),
        acting_person: None,
    };
    match route {
        Route::View => Ok(Response::json(200, &my_info.view(&account).await?)),
        Route::Part => Ok(Response::json(200, &my_info.part(&account, &params["part"]).await?)),
        Route::Save => {
            req.limit_body(JSON_BODY_LIMIT)?;
            let body: Value = req.json()?;
            Ok(Response::json(200, &my_info.save(&account, &params["part"], &body).await?))
        }
        Route::Upload => {
            ctx.limit_client(&UPLOADS_PER_CLIENT, req).await?;
            let form = MultipartForm::from_request(req, upload::MAX_BODY_BYTES)?;
            Ok(Response::json(200, &my_info.upload(&account, &params["part"], &form).await?))
        }
        Route::Organization => {
            let org = AccountId::parse(&params["org"]).ok_or_else(AppError::not_found)?;
            Ok(Response::json(200, &grants::mine::organization_info(&ctx.store, &*ctx.clock, &account, org, service.is_some()).await?))
        }
        Route::SaveOrganization => {
            req.limit_body(JSON_BODY_LIMIT)?;
            let org = AccountId::parse(&params["org"]).ok_or_else(AppError::not_found)?;
            let org = grants::mine::authorizing_organization(&ctx.store, &account, org, ctx.clock.now(), true).await?;
            let body: Value = req.json()?;
            let on_behalf = MyInfo { acting_person: Some(account.id), ..my_info };
            Ok(Response::json(200, &on_behalf.save(&org, &params["part"], &body).await?))
        }
        Route::UploadOrganization => {
            let org = AccountId::parse(&params["org"]).ok_or_else(AppError::not_found)?;
            let org = grants::mine::authorizing_organization(&ctx.store, &account, org, ctx.clock.now(), true).await?;
            ctx.limit_client(&UPLOADS_PER_CLIENT, req).await?;
            let form = MultipartForm::from_request(req, upload::MAX_BODY_BYTES)?;
            let on_behalf = MyInfo { acting_person: Some(account.id), ..my_info };
            Ok(Response::json(200, &on_behalf.upload(&org, &params["part"], &form).await?))
        }
        Route::MobileCodes => {
            req.limit_body(JSON_BODY_LIMIT)?;
            let form: CodesForm = req.json()?;
            let sent = mobile::send_codes(&ctx.store, &*ctx.clock, &*ctx.random, &ctx.settings, &req.client_ip(), &account, &form).await?;
            Ok(Response::json(202, &sent))
        }
        Route::ChangeMobile => {
            req.limit_body(JSON_BODY_LIMIT)?;
            let form: ChangeForm = req.json()?;
            Ok(Response::json(200, &mobile::change(&ctx.store, &*ctx.clock, &account, &form).await?))
        }
    }
}
