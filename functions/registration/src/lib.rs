//! Flow 1, the HTTP side: registration check (and, with the Accounts
//! issue, registration). Parse, call `shared::registration`, render.

use shared::context::Context;
use shared::identity::LoginName;
use shared::rate_limit;
use shared::registration::{CHECK_LIMIT_SETTING, check_limit, check_login_name};
use shared::spin::{Component, SpinResponse, SpinStore, serve};
use shared::web::{Request, Response, Router};
use shared::AppResult;
use spin_sdk::http_service;

const COMPONENT: Component = Component {
    name: "registration",
    body_limit: 64 * 1024,
    variables: &[CHECK_LIMIT_SETTING],
};

#[derive(Debug, Clone, Copy)]
enum Route {
    CheckLoginName,
}

fn router() -> Router<Route> {
    Router::new().route("GET", "/api/registration/login-names/{login_name}", Route::CheckLoginName)
}

#[http_service]
async fn handle(req: spin_sdk::http::Request) -> SpinResponse {
    serve(req, COMPONENT, dispatch).await
}

async fn dispatch(ctx: Context<SpinStore>, req: Request) -> AppResult<Response> {
    let (route, params) = router().at(&req)?;
    match route {
        Route::CheckLoginName => {
            // Counted before parsing: every probe costs, valid or not.
            rate_limit::hit(&ctx.store, &*ctx.clock, check_limit(&ctx.settings), &req.client_ip()).await?;
            let login_name = LoginName::parse(&params["login_name"])?;
            let check = check_login_name(&ctx.store, login_name).await?;
            Ok(Response::json(200, &check.to_json(req.lang())))
        }
    }
}
