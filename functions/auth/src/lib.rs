//! Flow 2, the HTTP side: login (both account types), logout, and who is
//! logged in (`{"account": null}` when nobody is). Parse, call `shared::auth`, render.

use shared::auth::{self, CLIENT_LIMIT_SETTING, LoginForm, LoginSettings, csrf};
use shared::audit::{self, Actor};
use shared::context::Context;
use shared::spin::{Component, SpinResponse, SpinStore, serve};
use shared::web::{Request, Response, Router};
use shared::AppResult;
use spin_sdk::http_service;

const COMPONENT: Component = Component { name: "auth", body_limit: 16 * 1024, variables: &[CLIENT_LIMIT_SETTING] };

#[derive(Debug, Clone, Copy)]
enum Route {
    Login,
    Logout,
    Session,
}

fn router() -> Router<Route> {
    Router::new()
        .route("POST", "/api/auth/login", Route::Login)
        .route("POST", "/api/auth/logout", Route::Logout)
        .route("GET", "/api/session", Route::Session)
}

#[http_service]
async fn handle(req: spin_sdk::http::Request) -> SpinResponse {
    serve(req, COMPONENT, dispatch).await
}

async fn dispatch(ctx: Context<SpinStore>, req: Request) -> AppResult<Response> {
    let (route, _) = router().at(&req)?;
    match route {
        Route::Login => {
            csrf::check_origin(&req)?;
            let form: LoginForm = req.json()?;
            let settings = LoginSettings::from(&ctx.settings);
            let done = auth::login(&ctx.store, &*ctx.clock, &*ctx.random, settings, &req.client_ip(), &form).await?;
            Ok(Response::json(200, &auth::session_json(&done.session, &done.account)).with_header("set-cookie", auth::session_cookie(&done.token)))
        }
        Route::Logout => {
            csrf::check_origin(&req)?;
            let (session, account) = auth::current(&ctx.store, &*ctx.clock, &req).await?;
            session.check_csrf(&req)?;
            auth::revoke(&ctx.store, &*ctx.clock, &session).await?;
            audit::record(&ctx.store, &*ctx.clock, &Actor::Account(account.id), "auth.logout", None, serde_json::json!({})).await?;
            Ok(Response { status: 204, headers: vec![("cache-control".into(), "no-store".into())], body: Vec::new() }
                .with_header("set-cookie", auth::clear_cookie()))
        }
        // Every page asks who is logged in: nobody is an answer, not an error.
        Route::Session => match auth::current(&ctx.store, &*ctx.clock, &req).await {
            Ok((session, account)) => Ok(Response::json(200, &auth::session_json(&session, &account))),
            Err(e) if e.code == "auth.not_logged_in" => Ok(Response::json(200, &serde_json::json!({ "account": null }))),
            Err(e) => Err(e),
        },
    }
}
