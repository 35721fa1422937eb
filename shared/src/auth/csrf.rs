//! CSRF rule (see README "Sessions and CSRF"): every state-changing request
//! (not GET/HEAD/OPTIONS) must come from our own origin — its `Origin`
//! header names the host it was sent to (browsers always send `Origin` on
//! cross-site and on fetch POSTs); and a request made with a session must
//! also carry that session's CSRF token in `X-CSRF-Token` (synchronizer
//! token, compared in constant time: `session::OpaqueSession::check_csrf`).

use crate::error::{AppError, AppResult};
use crate::web::Request;

fn cross_origin() -> AppError {
    AppError::new(
        "request.cross_origin",
        403,
        "请求来源无效，请从本站页面提交。",
        "This request did not come from this site's pages; please submit it from the site.",
    )
}

/// The Origin check. Same origin means the same host and port as the
/// request's `Host` header (the scheme may differ behind a TLS proxy).
pub fn check_origin(req: &Request) -> AppResult<()> {
    if crate::web::is_safe_method(&req.method) {
        return Ok(());
    }
    let host = req.header("host").map(str::to_ascii_lowercase);
    let origin = req.header("origin").map(str::to_ascii_lowercase);
    let authority = origin
        .as_deref()
        .and_then(|o| o.split_once("://"))
        .map(|(_, rest)| rest.trim_end_matches('/').to_owned());
    match (host, authority) {
        (Some(h), Some(a)) if h == a => Ok(()),
        _ => Err(cross_origin()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(host: &str, origin: Option<&str>) -> Request {
        let r = Request::new("POST", "/api/auth/login").with_header("host", host);
        match origin {
            Some(o) => r.with_header("origin", o),
            None => r,
        }
    }

    #[test]
    fn same_origin_posts_pass() {
        assert!(check_origin(&post("127.0.0.1:3000", Some("http://127.0.0.1:3000"))).is_ok());
        assert!(check_origin(&post("platform.example", Some("https://platform.example"))).is_ok());
        assert!(check_origin(&Request::new("GET", "/")).is_ok(), "reads need no Origin");
    }

    #[test]
    fn foreign_missing_or_null_origins_fail() {
        for o in [Some("https://evil.example"), Some("http://127.0.0.1:3001"), Some("null"), None] {
            let e = check_origin(&post("127.0.0.1:3000", o)).unwrap_err();
            assert_eq!((e.code, e.status), ("request.cross_origin", 403), "{o:?}");
        }
    }
}
