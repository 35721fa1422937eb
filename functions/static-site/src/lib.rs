//! The static site: serves `static/` (mounted at `/` by `files` in
//! spin.toml), answers `/api/health` with the schema version, and gives
//! unknown `/api/...` routes the JSON 404 every endpoint uses.

use shared::AppResult;
use shared::components::STATIC_SITE;
use shared::context::Context;
use shared::error::AppError;
use shared::site;
use shared::spin::{SpinResponse, SpinStore, serve, serve_without_store};
use shared::store::schema_version;
use shared::web::{Params, Request, Response, Router};
use spin_sdk::http_service;

#[derive(Debug, Clone, Copy)]
enum Route {
    Health,
    Page,
}

#[http_service]
async fn handle(req: spin_sdk::http::Request) -> SpinResponse {
    let path = req.uri().path();
    if path == "/api/health" {
        serve(req, &STATIC_SITE, &Router::new().route("GET", "/api/health", Route::Health), health).await
    } else if path == "/api" || path.starts_with("/api/") {
        // No such endpoint: the API's JSON 404 (and 405 never: nothing is here).
        serve_without_store(req, &STATIC_SITE, &Router::<Route>::new(), async |_, _, _| Err(AppError::not_found())).await
    } else {
        let pages = Router::new().route("GET", site::ANY_PATH, Route::Page);
        serve_without_store(req, &STATIC_SITE, &pages, static_file).await
    }
}

async fn health(ctx: &Context<SpinStore>, _: &Request, _: Route, _: Params) -> AppResult<Response> {
    let version = schema_version(&ctx.store).await?;
    Ok(Response::json(200, &serde_json::json!({ "status": "ok", "schema_version": version })))
}

async fn static_file(req: &Request, _: Route, _: Params) -> AppResult<Response> {
    for file in site::candidates(&req.path)? {
        if let Ok(body) = std::fs::read(&file) {
            return Ok(file_response(200, &file, body));
        }
    }
    match std::fs::read("/404.html") {
        Ok(body) => Ok(file_response(404, "/404.html", body)),
        Err(_) => Err(AppError::not_found()),
    }
}

fn file_response(status: u16, file: &str, body: Vec<u8>) -> Response {
    let mut headers = vec![
        ("content-type".to_owned(), site::content_type(file).to_owned()),
        ("cache-control".to_owned(), site::cache_control(file).to_owned()),
    ];
    headers.extend(site::security_headers().iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())));
    Response { status, headers, body }
}
