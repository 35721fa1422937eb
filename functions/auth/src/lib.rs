//! Flow 2, the HTTP side: login (both account types), logout, and who is
//! logged in (`{"account": null}` when nobody is). Route, parse, call `shared::auth`,
//! render.

use shared::AppResult;
use shared::auth::{self, LoginForm, LoginSettings};
use shared::components::AUTH;
use shared::context::Context;
use shared::spin::{SpinResponse, SpinStore, serve};
use shared::web::{Params, Request, Response, Router};
use spin_sdk::http_service;

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
    serve(req, &AUTH, &router(), dispatch).await
}

async fn dispatch(ctx: &Context<SpinStore>, req: &Request, route: Route, _: Params) -> AppResult<Response> {
    match route {
        Route::Login => {
            let form: LoginForm = req.json()?;
            let settings = LoginSettings::from(&ctx.settings);
            let done = auth::login(&ctx.store, &*ctx.clock, &*ctx.random, settings, &req.client_ip(), &form).await?;
            Ok(Response::json(200, &auth::session_json(&done.session, &done.account)).with_header("set-cookie", auth::session_cookie(&done.token)))
        }
        Route::Logout => {
            let (session, account) = auth::current(&ctx.store, &*ctx.clock, req).await?;
            auth::logout(&ctx.store, &*ctx.clock, &session, &account).await?;
            Ok(Response::no_content().with_header("set-cookie", auth::clear_cookie()))
        }
        // Every page asks who is logged in: nobody is an answer, not an error.
        Route::Session => Ok(Response::json(200, &auth::who_is_logged_in(&ctx.store, &*ctx.clock, req).await?)),
    }
}
