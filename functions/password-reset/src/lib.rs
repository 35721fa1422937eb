//! Flow 3, the HTTP side: password reset by login name (FAQ 1(1)). Parse,
//! call `shared::password_reset`, deliver the SMS, render.

use shared::auth::csrf;
use shared::context::Context;
use shared::password::{MIN_LENGTH_SETTING, PasswordPolicy};
use shared::password_reset::{self, ResetConfirmation, ResetRequest};
use shared::rate_limit::{self, Limit};
use shared::spin::{Component, SMS_GATEWAY_TOKEN, SMS_GATEWAY_URL, SpinResponse, SpinStore, deliver_sms, serve};
use shared::web::{Request, Response, Router};
use shared::AppResult;
use serde_json::json;
use spin_sdk::http_service;

const RESET_LIMIT: &str = "password_reset_limit_per_client_per_hour";

const COMPONENT: Component = Component {
    name: "password-reset",
    body_limit: 16 * 1024,
    variables: &[MIN_LENGTH_SETTING, RESET_LIMIT, SMS_GATEWAY_URL, SMS_GATEWAY_TOKEN],
};

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
    serve(req, COMPONENT, dispatch).await
}

async fn dispatch(ctx: Context<SpinStore>, req: Request) -> AppResult<Response> {
    let (route, _) = router().at(&req)?;
    csrf::check_origin(&req)?;
    // Both steps reveal whether a login name exists (as the registration
    // check does, by design) and send SMS: limited per client.
    let limit = Limit { bucket: "password_reset.client", max: ctx.settings.u32_or(RESET_LIMIT, 30), window_secs: 3600 };
    rate_limit::hit(&ctx.store, &*ctx.clock, limit, &req.client_ip()).await?;
    match route {
        Route::RequestCode => {
            let form: ResetRequest = req.json()?;
            let sent = password_reset::request_code(&ctx.store, &*ctx.clock, &*ctx.random, &form).await?;
            deliver_sms(&ctx, &[sent.outbox_id]).await;
            Ok(Response::json(202, &sent.to_json()))
        }
        Route::Confirm => {
            let form: ResetConfirmation = req.json()?;
            let policy = PasswordPolicy::from_settings(&ctx.settings);
            let (account, outbox_id) = password_reset::confirm(&ctx.store, &*ctx.clock, &*ctx.random, policy, &form).await?;
            deliver_sms(&ctx, &[outbox_id]).await;
            Ok(Response::json(200, &json!({ "login_name": account.login_name, "account_kind": account.kind.as_str() })))
        }
    }
}
