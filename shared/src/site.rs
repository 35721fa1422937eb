//! Rules of the static site: which file a browser path means, its content
//! type and caching, and the security headers every page carries.

use crate::error::{AppError, AppResult};
use crate::web::percent_decode;

/// The route pattern of every page path (the site answers GET and HEAD only).
pub const ANY_PATH: &str = "/{*path}";

/// The files a path may mean, in order: `/` -> `/index.html`;
/// `/register` -> `/register.html`, then `/register/index.html`;
/// `/app.js` -> `/app.js`. Paths with `..`, backslashes, NUL or hidden
/// segments are refused (400), so nothing outside `static/` is reachable.
pub fn candidates(path: &str) -> AppResult<Vec<String>> {
    let decoded = percent_decode(path, false).ok_or_else(bad_path)?;
    let segments: Vec<&str> = decoded.split('/').filter(|s| !s.is_empty()).collect();
    if segments.iter().any(|s| s.starts_with('.') || s.contains('\\') || s.contains('\0')) {
        return Err(bad_path());
    }
    let joined = format!("/{}", segments.join("/"));
    if segments.is_empty() {
        return Ok(vec!["/index.html".into()]);
    }
    let last = segments[segments.len() - 1];
    if last.contains('.') {
        Ok(vec![joined])
    } else {
        Ok(vec![format!("{joined}.html"), format!("{joined}/index.html")])
    }
}

fn bad_path() -> AppError {
    AppError::new("site.invalid_path", 400, "地址无效。", "That address is not valid.").with_field("path")
}

pub fn content_type(file: &str) -> &'static str {
    match file.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Pages are revalidated on every load (they change with releases);
/// scripts and styles may be cached briefly.
pub fn cache_control(file: &str) -> &'static str {
    if file.ends_with(".html") { "no-cache" } else { "public, max-age=300" }
}

/// Headers on every static response: no framing, no sniffing, scripts only
/// from this origin.
pub fn security_headers() -> [(&'static str, &'static str); 3] {
    [
        (
            "content-security-policy",
            "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
        ),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "same-origin"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_clean_urls_to_files() {
        assert_eq!(candidates("/").unwrap(), vec!["/index.html"]);
        assert_eq!(candidates("").unwrap(), vec!["/index.html"]);
        assert_eq!(candidates("/register").unwrap(), vec!["/register.html", "/register/index.html"]);
        assert_eq!(candidates("/js/app.js").unwrap(), vec!["/js/app.js"]);
        assert_eq!(candidates("//js//app.js").unwrap(), vec!["/js/app.js"]);
    }

    #[test]
    fn refuses_traversal_and_hidden_files() {
        for bad in ["/../secret", "/%2e%2e/secret", "/a/..%2Fb", "/.git/config", "/a%5C..%5Cb", "/%00x", "/%FF"] {
            assert_eq!(candidates(bad).unwrap_err().code, "site.invalid_path", "{bad}");
        }
    }

    #[test]
    fn knows_its_content_types() {
        assert_eq!(content_type("/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("/js/app.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("/x.unknown"), "application/octet-stream");
        assert_eq!(cache_control("/index.html"), "no-cache");
    }
}
