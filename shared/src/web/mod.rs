//! Framework-neutral HTTP types. The glue (`crate::spin::serve`) converts
//! Spin's request into a [`Request`], routes it with a [`Router`], and
//! renders the [`Response`] or [`AppError`] the component's dispatch
//! returns. Natively, tests build these types directly.
//!
//! - [`Request`]: headers, query parameters, JSON bodies (errors naming the
//!   field), the client address, the language.
//! - [`Response`]: JSON, 204, errors in the one shape, headers.
//! - [`Router`]: method and path patterns, 404/405, and which routes the
//!   CSRF Origin rule covers.
//! - [`multipart`]: `multipart/form-data` bodies ([`MultipartForm`]).

use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::BTreeMap;

pub mod multipart;

pub use multipart::{MultipartForm, Part};

#[derive(Debug, Clone, Default)]
pub struct Request {
    pub method: String,
    /// The path, percent-decoded per segment by [`Router`], never by callers.
    pub path: String,
    pub query: Option<String>,
    /// Header names lower-case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn new(method: &str, path_and_query: &str) -> Request {
        let (path, query) = match path_and_query.split_once('?') {
            Some((p, q)) => (p.to_owned(), Some(q.to_owned())),
            None => (path_and_query.to_owned(), None),
        };
        Request { method: method.to_ascii_uppercase(), path, query, ..Request::default() }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Request {
        self.headers.push((name.to_ascii_lowercase(), value.to_owned()));
        self
    }

    pub fn with_json(mut self, body: &Value) -> Request {
        self.body = body.to_string().into_bytes();
        self.with_header("content-type", "application/json")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn lang(&self) -> Lang {
        Lang::from_accept_language(self.header("accept-language"))
    }

    /// The client's IP address, as the host reports it (`spin-client-addr`
    /// carries `ip:port`; the port changes per connection and is dropped).
    ///
    /// Spin passes the client's own headers first and appends its own, so a
    /// client that sends `spin-client-addr` itself must not be believed:
    /// the last value is the one Spin set.
    pub fn client_ip(&self) -> String {
        let addr = self
            .headers
            .iter()
            .rev()
            .find(|(n, _)| n.eq_ignore_ascii_case("spin-client-addr"))
            .map_or("unknown", |(_, v)| v.as_str());
        match addr.rsplit_once(':') {
            Some((ip, port)) if port.chars().all(|c| c.is_ascii_digit()) => {
                ip.trim_start_matches('[').trim_end_matches(']').to_owned()
            }
            _ => addr.to_owned(),
        }
    }

    /// The first value of a query parameter, percent-decoded.
    pub fn query_param(&self, name: &str) -> Option<String> {
        self.query.as_deref()?.split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k, true).as_deref() == Some(name)).then(|| percent_decode(v, true)).flatten()
        })
    }

    /// 413 when the body is over `limit` (a route that takes less than its
    /// component's limit).
    pub fn limit_body(&self, limit: usize) -> AppResult<()> {
        if self.body.len() > limit { Err(AppError::body_too_large(limit)) } else { Ok(()) }
    }

    /// Parses a JSON body into `T`. Wrong content type: 415. Broken JSON,
    /// a missing field or a wrong type: 400 naming the field.
    pub fn json<T: DeserializeOwned>(&self) -> AppResult<T> {
        let ct = self.header("content-type").unwrap_or("");
        let mime = ct.split(';').next().unwrap_or("").trim();
        if !mime.eq_ignore_ascii_case("application/json") {
            return Err(AppError::unsupported_media_type("application/json"));
        }
        let de = &mut serde_json::Deserializer::from_slice(&self.body);
        serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let missing = inner.to_string().strip_prefix("missing field `").and_then(|r| r.split('`').next()).map(str::to_owned);
            match (inner.classify(), missing) {
                (_, Some(field)) => {
                    let field = if path == "." { field } else { format!("{path}.{field}") };
                    AppError::missing_field(&field)
                }
                (serde_json::error::Category::Data, None) => AppError::new(
                    "request.field_invalid_type",
                    400,
                    format!("字段 {path} 的类型不正确：{inner}"),
                    format!("The field `{path}` has the wrong type: {inner}"),
                )
                .with_field(path),
                _ => AppError::new(
                    "request.invalid_json",
                    400,
                    "请求内容不是有效的 JSON。",
                    format!("The request body is not valid JSON: {inner}"),
                )
                .with_field("body"),
            }
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn json(status: u16, body: &Value) -> Response {
        Response {
            status,
            headers: vec![
                ("content-type".into(), "application/json; charset=utf-8".into()),
                ("cache-control".into(), "no-store".into()),
            ],
            body: body.to_string().into_bytes(),
        }
    }

    /// 204, not cached.
    pub fn no_content() -> Response {
        Response { status: 204, headers: vec![("cache-control".into(), "no-store".into())], body: Vec::new() }
    }

    pub fn error(err: &AppError, lang: Lang, request_id: &str) -> Response {
        let mut r = Response::json(err.status, &err.to_json(lang, request_id));
        r.headers.extend(err.headers.iter().cloned());
        r
    }

    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Response {
        self.headers.push((name.to_ascii_lowercase(), value.into()));
        self
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn json_body(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

/// Path parameters captured by a [`Router`] pattern (`{name}`).
pub type Params = BTreeMap<String, String>;

/// Matches method and path against patterns like
/// `/api/registration/login-names/{login_name}`. A path that matches no
/// pattern is 404; a path that matches with another method is 405 with
/// `Allow` (HEAD is allowed wherever GET is).
///
/// Every state-changing route is under the CSRF Origin rule, applied by the
/// glue; a route that must take requests from elsewhere says so, with the
/// reason, where it is declared ([`Router::route_exempt_from_origin_check`]).
#[derive(Debug, Clone)]
pub struct Router<T> {
    routes: Vec<RouteEntry<T>>,
}

#[derive(Debug, Clone)]
pub struct RouteEntry<T> {
    pub method: &'static str,
    pub pattern: &'static str,
    pub target: T,
    /// Why this route takes cross-origin requests (`None`: it does not).
    pub origin_exemption: Option<&'static str>,
}

/// A matched route.
#[derive(Debug, Clone)]
pub struct Matched<T> {
    pub target: T,
    pub params: Params,
    /// Whether the CSRF Origin rule applies (a state-changing method on a
    /// route without an exemption).
    pub origin_check: bool,
}

impl<T: Copy> Router<T> {
    pub fn new() -> Self {
        Router { routes: Vec::new() }
    }

    pub fn route(mut self, method: &'static str, pattern: &'static str, target: T) -> Self {
        self.routes.push(RouteEntry { method, pattern, target, origin_exemption: None });
        self
    }

    /// A route that is called by other programs, not by our pages (a bearer
    /// token authenticates it instead): the Origin rule does not apply.
    /// `reason` says why, for the reader and the route table.
    pub fn route_exempt_from_origin_check(
        mut self,
        method: &'static str,
        pattern: &'static str,
        target: T,
        reason: &'static str,
    ) -> Self {
        self.routes.push(RouteEntry { method, pattern, target, origin_exemption: Some(reason) });
        self
    }

    pub fn routes(&self) -> &[RouteEntry<T>] {
        &self.routes
    }

    pub fn at(&self, req: &Request) -> AppResult<Matched<T>> {
        let mut allow: Vec<&str> = Vec::new();
        for route in &self.routes {
            let Some(params) = match_pattern(route.pattern, &req.path)? else { continue };
            if route.method == req.method || (route.method == "GET" && req.method == "HEAD") {
                let origin_check = !is_safe_method(&req.method) && route.origin_exemption.is_none();
                return Ok(Matched { target: route.target, params, origin_check });
            }
            allow.push(route.method);
            if route.method == "GET" {
                allow.push("HEAD");
            }
        }
        if allow.is_empty() {
            Err(AppError::not_found())
        } else {
            allow.dedup();
            Err(AppError::method_not_allowed(&allow))
        }
    }
}

/// GET, HEAD and OPTIONS change nothing; every other method may.
pub fn is_safe_method(method: &str) -> bool {
    matches!(method, "GET" | "HEAD" | "OPTIONS")
}

impl<T: Copy> Default for Router<T> {
    fn default() -> Self {
        Self::new()
    }
}

fn match_pattern(pattern: &str, path: &str) -> AppResult<Option<Params>> {
    let pat: Vec<&str> = pattern.trim_end_matches('/').split('/').collect();
    let segs: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    // A last segment `{*name}` takes the rest of the path (zero or more segments).
    let rest = pat.last().and_then(|p| p.strip_prefix("{*")).and_then(|p| p.strip_suffix('}'));
    let fixed = if rest.is_some() { pat.len() - 1 } else { pat.len() };
    if (rest.is_none() && segs.len() != fixed) || segs.len() < fixed {
        return Ok(None);
    }
    let mut params = Params::new();
    for (p, s) in pat[..fixed].iter().zip(&segs) {
        if let Some(name) = p.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            params.insert(name.to_owned(), decode_segment(s, name)?);
        } else if p != s {
            return Ok(None);
        }
    }
    if let Some(name) = rest {
        params.insert(name.to_owned(), segs[fixed..].join("/"));
    }
    Ok(Some(params))
}

fn decode_segment(s: &str, name: &str) -> AppResult<String> {
    percent_decode(s, false).ok_or_else(|| {
        AppError::new(
            "request.invalid_path",
            400,
            "地址中的参数不是有效的 UTF-8 编码。",
            "A parameter in the address is not valid UTF-8 percent-encoding.",
        )
        .with_field(name)
    })
}

/// Percent-decodes `s` (and `+` as space in query strings); `None` when the
/// result is not UTF-8.
pub fn percent_decode(s: &str, plus_is_space: bool) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                match (hex(bytes.get(i + 1)), hex(bytes.get(i + 2))) {
                    (Some(h), Some(l)) => {
                        out.push(h * 16 + l);
                        i += 3;
                        continue;
                    }
                    _ => out.push(b'%'),
                }
            }
            b'+' if plus_is_space => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

fn hex(b: Option<&u8>) -> Option<u8> {
    match b? {
        b @ b'0'..=b'9' => Some(b - b'0'),
        b @ b'a'..=b'f' => Some(b - b'a' + 10),
        b @ b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Clone, Copy, PartialEq)]
    enum R {
        Check,
        Create,
    }

    fn router() -> Router<R> {
        Router::new()
            .route("GET", "/api/x/items/{name}", R::Check)
            .route("POST", "/api/x/items", R::Create)
    }

    #[test]
    fn matches_and_decodes_params() {
        let m = router().at(&Request::new("GET", "/api/x/items/a%20b%E4%B8%AD")).unwrap();
        assert_eq!(m.target, R::Check);
        assert_eq!(m.params["name"], "a b中");
        assert_eq!(router().at(&Request::new("HEAD", "/api/x/items/a")).unwrap().target, R::Check);
        assert_eq!(router().at(&Request::new("POST", "/api/x/items/")).unwrap().target, R::Create);
    }

    #[test]
    fn state_changing_routes_are_under_the_origin_rule_unless_exempt() {
        let r = router().route_exempt_from_origin_check("POST", "/api/x/imports", R::Create, "bearer token");
        assert!(!r.at(&Request::new("GET", "/api/x/items/a")).unwrap().origin_check, "reads change nothing");
        assert!(r.at(&Request::new("POST", "/api/x/items")).unwrap().origin_check);
        assert!(!r.at(&Request::new("POST", "/api/x/imports")).unwrap().origin_check, "visibly exempt");
    }

    #[test]
    fn unknown_path_is_404_and_wrong_method_is_405_with_allow() {
        assert_eq!(router().at(&Request::new("GET", "/api/x/nothing")).unwrap_err().status, 404);
        let e = router().at(&Request::new("DELETE", "/api/x/items/a")).unwrap_err();
        assert_eq!(e.status, 405);
        assert_eq!(e.headers, vec![("allow".to_owned(), "GET, HEAD".to_owned())]);
    }

    #[test]
    fn a_rest_pattern_takes_the_rest_of_the_path() {
        let r = Router::new().route("GET", "/{*path}", R::Check);
        for (path, rest) in [("/", ""), ("/login", "login"), ("/css/site.css", "css/site.css"), ("/a/b/", "a/b")] {
            assert_eq!(r.at(&Request::new("GET", path)).unwrap().params["path"], rest, "{path}");
        }
        assert_eq!(r.at(&Request::new("POST", "/login")).unwrap_err().status, 405);
        let nested = Router::new().route("GET", "/api/x/{*rest}", R::Check);
        assert!(nested.at(&Request::new("GET", "/api/y/z")).unwrap_err().status == 404);
        assert_eq!(nested.at(&Request::new("GET", "/api/x/1/2")).unwrap().params["rest"], "1/2");
    }

    #[test]
    fn invalid_utf8_in_a_param_is_a_400_naming_it() {
        let e = router().at(&Request::new("GET", "/api/x/items/%FF")).unwrap_err();
        assert_eq!((e.status, e.field.as_deref()), (400, Some("name")));
    }

    #[test]
    fn query_params_are_decoded() {
        let r = Request::new("GET", "/p?a=1&name=%E5%BC%A0+san&flag");
        assert_eq!(r.query_param("name").as_deref(), Some("张 san"));
        assert_eq!(r.query_param("flag").as_deref(), Some(""));
        assert_eq!(r.query_param("missing"), None);
        assert_eq!(percent_decode("100%", false).as_deref(), Some("100%"));
        assert_eq!(percent_decode("%4", false).as_deref(), Some("%4"));
    }

    #[test]
    fn client_ip_drops_the_port() {
        let r = Request::new("GET", "/").with_header("spin-client-addr", "127.0.0.1:50312");
        assert_eq!(r.client_ip(), "127.0.0.1");
        let r6 = Request::new("GET", "/").with_header("spin-client-addr", "[::1]:8080");
        assert_eq!(r6.client_ip(), "::1");
        let forged = Request::new("GET", "/").with_header("spin-client-addr", "10.9.9.9:1").with_header("spin-client-addr", "127.0.0.1:5000");
        assert_eq!(forged.client_ip(), "127.0.0.1", "the value Spin appends, not the client's own");
    }

    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Body {
        login_name: String,
        inner: Inner,
    }
    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Inner {
        count: u32,
    }

    #[test]
    fn json_errors_name_the_field() {
        let ok = Request::new("POST", "/").with_json(&json!({"login_name": "a", "inner": {"count": 1}}));
        assert!(ok.json::<Body>().is_ok());

        let missing = Request::new("POST", "/").with_json(&json!({"inner": {"count": 1}}));
        let e = missing.json::<Body>().unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), ("request.field_missing", Some("login_name")));

        let nested = Request::new("POST", "/").with_json(&json!({"login_name": "a", "inner": {}}));
        assert_eq!(nested.json::<Body>().unwrap_err().field.as_deref(), Some("inner.count"));

        let wrong = Request::new("POST", "/").with_json(&json!({"login_name": 5, "inner": {"count": 1}}));
        let e = wrong.json::<Body>().unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), ("request.field_invalid_type", Some("login_name")));

        let mut broken = Request::new("POST", "/").with_header("content-type", "application/json");
        broken.body = b"{\"login_name\": ".to_vec();
        assert_eq!(broken.json::<Body>().unwrap_err().code, "request.invalid_json");

        let mut text = Request::new("POST", "/").with_header("content-type", "text/plain");
        text.body = b"{}".to_vec();
        assert_eq!(text.json::<Body>().unwrap_err().status, 415);
    }
}
