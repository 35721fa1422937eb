//! The static site: serves `static/` (mounted at `/` by `files` in
//! spin.toml), answers `/api/health` with the schema version, and gives
//! unknown `/api/...` routes the JSON 404 every endpoint uses.

use shared::context::Context;
use shared::error::AppError;
use shared::site;
use shared::spin::{Component, SpinResponse, SpinStore, serve, serve_without_store};
use shared::store::schema_version;
use shared::web::{Request, Response};
use shared::AppResult;
use spin_sdk::http_service;

const COMPONENT: Component = Component { name: "static-site", body_limit: 16 * 1024, variables: &[] };

#[http_service]
async fn handle(req: spin_sdk::http::Request) -> SpinResponse {
    let path = req.uri().path();
    if path == "/api/health" {
        serve(req, COMPONENT, health).await
    } else if path == "/api" || path.starts_with("/api/") {
        serve_without_store(req, COMPONENT, |_| async { Err(AppError::not_found()) }).await
    } else {
        serve_without_store(req, COMPONENT, static_file).await
    }
}

async fn health(ctx: Context<SpinStore>, req: Request) -> AppResult<Response> {
    only_get(&req)?;
    let version = schema_version(&ctx.store).await?;
    Ok(Response::json(200, &serde_json::json!({ "status": "ok", "schema_version": version })))
}

async fn static_file(req: Request) -> AppResult<Response> {
    only_get(&req)?;
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

fn only_get(req: &Request) -> AppResult<()> {
    match req.method.as_str() {
        "GET" | "HEAD" => Ok(()),
        _ => Err(AppError::method_not_allowed(&["GET", "HEAD"])),
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
