//! The static site: serves `static/` (mounted at `/` by `files` in
//! spin.toml), each page inside the one layout with its form fields
//! expanded (groups of fields from `/_fields/`) and its Chinese texts
//! filled in (`shared::site::render_page`), answers `/api/health` with the
//! schema version, and gives unknown `/api/...` routes the JSON 404 every
//! endpoint uses.

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
            return Ok(file_response(200, &file, served(&file, body)?));
        }
    }
    match std::fs::read(site::NOT_FOUND_PAGE) {
        Ok(body) => Ok(file_response(404, site::NOT_FOUND_PAGE, served(site::NOT_FOUND_PAGE, body)?)),
        Err(_) => Err(AppError::not_found()),
    }
}

/// A page inside the layout; any other file as it is.
fn served(file: &str, body: Vec<u8>) -> AppResult<Vec<u8>> {
    if !site::is_page(file) {
        return Ok(body);
    }
    let text = |name: &str, bytes: Vec<u8>| String::from_utf8(bytes).map_err(|e| AppError::internal().with_cause(format!("{name}: {e}")));
    let read = |name: &str| std::fs::read(name).map_err(|e| AppError::internal().with_cause(format!("{name}: {e}")));
    let layout = text(site::LAYOUT, read(site::LAYOUT)?)?;
    let texts = site::Texts::parse(&read(site::TEXTS)?)?;
    let groups = |name: &str| std::fs::read_to_string(site::fields::group_file(name)?).ok();
    Ok(site::render_page(&layout, file, &text(file, body)?, &texts, &groups)?.into_bytes())
}

fn file_response(status: u16, file: &str, body: Vec<u8>) -> Response {
    let mut headers = vec![
        ("content-type".to_owned(), site::content_type(file).to_owned()),
        ("cache-control".to_owned(), site::cache_control(file).to_owned()),
    ];
    headers.extend(site::security_headers().iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())));
    Response { status, headers, body }
}
