//! Flow 3, the HTTP side: password reset by login name (FAQ 1(1)). Route,
//! parse, call `shared::password_reset`, render.

use serde_json::json;
use shared::AppResult;
use shared::components::PASSWORD_RESET;
use shared::context::Context;
use shared::password::PasswordPolicy;
use shared::password_reset::{self, CLIENT_LIMIT, ResetConfirmation, ResetRequest};
use shared::spin::{SpinResponse, SpinStore, serve};
use shared::web::{Params, Request, Response, Router};
use spin_sdk::http_service;

#[derive(Debug, Clone, Copy)]
enum Route {
    RequestCode,
    Confirm,
}

fn router() -> Router<Route> {
    Router::new()
        .route("POST", "/api/password-reset/codes", Route::RequestCode)
        .route("POST", "/api/password-reset/confirmations", Route::Confirm)
}

#[http_service]
async fn handle(req: spin_sdk::http::Request) -> SpinResponse {
    serve(req, &PASSWORD_RESET, &router(), dispatch).await
}

async fn dispatch(ctx: &Context<SpinStore>, req: &Request, route: Route, _: Params) -> AppResult<Response> {
    // Both steps reveal whether a login name exists (as the registration
    // check does, by design) and send SMS: limited per client.
    ctx.limit_client(&CLIENT_LIMIT, req).await?;
    match route {
        Route::RequestCode => {
            let form: ResetRequest = req.json()?;
            let sent = password_reset::request_code(&ctx.store, &*ctx.clock, &*ctx.random, &form).await?;
            Ok(Response::json(202, &sent.to_json()))
        }
        Route::Confirm => {
            let form: ResetConfirmation = req.json()?;
            let policy = PasswordPolicy::from_settings(&ctx.settings);
            let account = password_reset::confirm(&ctx.store, &*ctx.clock, &*ctx.random, policy, &form).await?;
            Ok(Response::json(200, &json!({ "login_name": account.login_name, "account_kind": account.kind.as_str() })))
        }
    }
}
