//! The HTTP trigger: `[[trigger.http]]`, Spin's routing rules, the `spin-*`
//! request headers, and running a `wasi:http/handler@0.3.0` component.

use anyhow::{Context, Result, anyhow, bail};
use bytes::Bytes;
use http::uri::{Authority, PathAndQuery, Scheme};
use http::{HeaderName, HeaderValue, Uri};
use http_body_util::BodyExt as _;
use http_body_util::combinators::UnsyncBoxBody;
use serde::Deserialize;
use std::fmt;
use std::net::SocketAddr;
use wasmtime_wasi_http::handler::ErrorCode as HandlerErrorCode;

use crate::runtime::LoadedComponent;

/// One `[[trigger.http]]` entry.
#[derive(Debug, Clone, Deserialize)]
pub struct HttpTriggerDecl {
    pub route: RouteDecl,
    #[serde(deserialize_with = "crate::spin_id::component_ref")]
    pub component: String,
    #[serde(default)]
    pub id: Option<String>,
    /// `executor` (e.g. `{ type = "wagi" }`) is not supported; only the default.
    #[serde(default)]
    pub executor: Option<toml::Value>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RouteDecl {
    Path(String),
    Private { private: bool },
}

impl fmt::Display for RouteDecl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RouteDecl::Path(p) => f.write_str(p),
            RouteDecl::Private { private } => write!(f, "{{ private = {private} }}"),
        }
    }
}

/// A routable entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub component: String,
    /// The route as written in the manifest.
    pub raw: String,
    /// The route made absolute, without a trailing slash (base is always `/`).
    pub based: String,
    /// For `/prefix/...`: `Some("/prefix")` (`Some("")` for `/...`).
    pub wildcard_prefix: Option<String>,
}

impl Route {
    /// The route without its trailing wildcard, for display.
    pub fn display_path(&self) -> &str {
        let p = self.wildcard_prefix.as_deref().unwrap_or(&self.based);
        if p.is_empty() { "/" } else { p }
    }
}

/// A matched route for one request path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteMatch<'a> {
    pub route: &'a Route,
    /// The part of the path matched by the trailing wildcard (empty for exact routes).
    pub path_info: String,
}

/// Spin's routing: an exact route beats any wildcard; among wildcards the longest
/// prefix wins; `/api/...` matches `/api`, `/api/` and `/api/x/y`. A trailing
/// slash on the request path is ignored for exact routes.
#[derive(Debug, Clone, Default)]
pub struct Router {
    routes: Vec<Route>,
}

impl Router {
    pub fn build(triggers: &[HttpTriggerDecl]) -> Result<Self> {
        let mut routes: Vec<Route> = Vec::new();
        for trigger in triggers {
            let raw = match &trigger.route {
                RouteDecl::Path(p) => p.clone(),
                RouteDecl::Private { private: true } => continue,
                RouteDecl::Private { private: false } => bail!(
                    "route must be a string pattern or '{{ private = true }}': component {:?} has {{ private = false }}",
                    trigger.component
                ),
            };
            if trigger.executor.is_some() {
                bail!(
                    "route {raw}: custom HTTP executors (e.g. wagi) are not supported by spin-test-host"
                );
            }
            let absolute = if raw.starts_with('/') {
                raw.clone()
            } else {
                format!("/{raw}")
            };
            let based = absolute.strip_suffix('/').unwrap_or(&absolute).to_string();
            let (wildcard_prefix, fixed) = match based.strip_suffix("/...") {
                Some(prefix) => (Some(prefix.to_string()), prefix),
                None => (None, based.as_str()),
            };
            if fixed.contains(['*', ':']) || fixed.contains("...") {
                bail!(
                    "route {raw}: only exact routes and trailing '/...' wildcards are supported by spin-test-host"
                );
            }
            let route = Route {
                component: trigger.component.clone(),
                raw,
                based: based.clone(),
                wildcard_prefix,
            };
            if let Some(existing) = routes.iter_mut().find(|r| r.based == route.based) {
                eprintln!(
                    "[spin-test-host] warning: duplicate route {}: component {:?} replaces {:?}",
                    route.raw, route.component, existing.component
                );
                *existing = route;
            } else {
                routes.push(route);
            }
        }
        Ok(Self { routes })
    }

    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    pub fn route(&self, path: &str) -> Option<RouteMatch<'_>> {
        let trimmed = if path.len() > 1 {
            path.strip_suffix('/').unwrap_or(path)
        } else {
            path
        };
        let exact_key = if trimmed == "/" { "" } else { trimmed };
        if let Some(route) = self
            .routes
            .iter()
            .find(|r| r.wildcard_prefix.is_none() && r.based == exact_key)
        {
            return Some(RouteMatch {
                route,
                path_info: String::new(),
            });
        }
        self.routes
            .iter()
            .filter_map(|r| {
                let prefix = r.wildcard_prefix.as_deref()?;
                let rest = path.strip_prefix(prefix)?;
                (rest.is_empty() || rest.starts_with('/')).then_some((prefix.len(), r, rest))
            })
            .max_by_key(|(len, _, _)| *len)
            .map(|(_, route, rest)| RouteMatch {
                route,
                path_info: rest.to_string(),
            })
    }
}

/// Rewrites `req` as Spin presents it to a component (Spin's
/// `set_req_uri`, `strip_forbidden_headers` and `prepare_request`): an
/// absolute URI from the `Host` header, `Connection` removed, and the `spin-*`
/// headers *appended* after the client's own headers, so a client that sends
/// its own `spin-client-addr` is seen with both values, its own first, as on
/// Spin. A header value that is not UTF-8 is an error (Spin answers 500).
pub fn prepare_request<B>(
    req: &mut http::Request<B>,
    route_match: &RouteMatch<'_>,
    client_addr: SocketAddr,
) -> Result<()> {
    req.headers_mut().remove(http::header::CONNECTION);
    let header_authority = req
        .headers()
        .get(http::header::HOST)
        .map(|h| -> Result<Authority> {
            let host = h.to_str().context("'Host' header is not valid UTF-8")?;
            host.parse()
                .context("'Host' header contains an invalid authority")
        })
        .transpose()?;
    let authority = match (header_authority, req.uri().authority().cloned()) {
        (None, None) => bail!("no 'Host' header present in request"),
        (Some(a), None) | (None, Some(a)) => a,
        (Some(a), Some(b)) if a != b => {
            bail!("authority in 'Host' header does not match authority in URI")
        }
        (Some(a), Some(_)) => a,
    };
    let mut parts = req.uri().clone().into_parts();
    // The server speaks plain HTTP only.
    parts.scheme = Some(Scheme::HTTP);
    parts.authority = Some(authority);
    if parts.path_and_query.is_none() {
        parts.path_and_query = Some(PathAndQuery::from_static("/"));
    }
    *req.uri_mut() = Uri::from_parts(parts).context("cannot build request URI")?;

    for value in req.headers().values() {
        value
            .to_str()
            .context("a request header value is not valid UTF-8")?;
    }
    let host = req
        .headers()
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost")
        .to_string();
    let path_and_query = req
        .uri()
        .path_and_query()
        .map(PathAndQuery::as_str)
        .unwrap_or("/")
        .to_string();
    let full_url = format!("http://{host}{path_and_query}");

    let route = route_match.route;
    let component_route = route
        .raw
        .strip_suffix("/...")
        .unwrap_or(&route.raw)
        .to_string();
    // Spin's order (`compute_default_headers`).
    let spin_headers = [
        ("spin-path-info", route_match.path_info.clone()),
        ("spin-full-url", full_url),
        ("spin-matched-route", route.based.clone()),
        ("spin-base-path", "/".to_string()),
        ("spin-raw-component-route", route.raw.clone()),
        ("spin-component-route", component_route),
        ("spin-client-addr", client_addr.to_string()),
    ];
    let headers = req.headers_mut();
    for (name, value) in spin_headers {
        headers.append(
            HeaderName::from_static(name),
            HeaderValue::from_str(&value).with_context(|| format!("invalid {name} value"))?,
        );
    }
    Ok(())
}

/// The request body a component reads (what wasmtime-wasi-http's handler takes).
pub(crate) type GuestRequestBody = UnsyncBoxBody<Bytes, HandlerErrorCode>;
/// The response body a component produces, streamed while its instance runs.
pub type ResponseBody = UnsyncBoxBody<Bytes, anyhow::Error>;

/// Hands one request to the component's pool of instances (see `reuse.rs`)
/// and returns the response as soon as the guest has produced its head; the
/// body streams from the instance.
pub(crate) async fn execute(
    component: &LoadedComponent,
    req: http::Request<GuestRequestBody>,
) -> Result<http::Response<ResponseBody>> {
    let handler = component.http.as_ref().ok_or_else(|| {
        anyhow!(
            "component {:?} does not export wasi:http/handler@0.3.0 (only spin-sdk 7 / WASIp3 HTTP components are supported)",
            component.config.id
        )
    })?;
    let response = handler
        .handle((), req)
        .await
        .map_err(|e| anyhow!("{e:?}"))?;
    Ok(response.map(|body| body.map_err(|e| anyhow!("{e:?}")).boxed_unsync()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn router(routes: &[(&str, &str)]) -> Router {
        let decls: Vec<HttpTriggerDecl> = routes
            .iter()
            .map(|(route, component)| HttpTriggerDecl {
                route: RouteDecl::Path(route.to_string()),
                component: component.to_string(),
                id: None,
                executor: None,
            })
            .collect();
        Router::build(&decls).unwrap()
    }

    fn target(r: &Router, path: &str) -> Option<(String, String)> {
        r.route(path)
            .map(|m| (m.route.component.clone(), m.path_info))
    }

    #[test]
    fn exact_beats_wildcard_and_longest_prefix_wins() {
        let r = router(&[
            ("/...", "root"),
            ("/api/...", "api"),
            ("/api/users/...", "users"),
            ("/api/users/me", "me"),
        ]);
        assert_eq!(target(&r, "/api/users/me"), Some(("me".into(), "".into())));
        assert_eq!(target(&r, "/api/users/me/"), Some(("me".into(), "".into())));
        assert_eq!(
            target(&r, "/api/users/42"),
            Some(("users".into(), "/42".into()))
        );
        assert_eq!(target(&r, "/api/x/y"), Some(("api".into(), "/x/y".into())));
        assert_eq!(target(&r, "/api"), Some(("api".into(), "".into())));
        assert_eq!(target(&r, "/api/"), Some(("api".into(), "/".into())));
        assert_eq!(target(&r, "/apix"), Some(("root".into(), "/apix".into())));
        assert_eq!(target(&r, "/"), Some(("root".into(), "/".into())));
    }

    #[test]
    fn no_match_and_private_routes() {
        let decls = vec![
            HttpTriggerDecl {
                route: RouteDecl::Path("/hello".into()),
                component: "a".into(),
                id: None,
                executor: None,
            },
            HttpTriggerDecl {
                route: RouteDecl::Private { private: true },
                component: "b".into(),
                id: None,
                executor: None,
            },
        ];
        let r = Router::build(&decls).unwrap();
        assert_eq!(r.routes().len(), 1);
        assert!(r.route("/other").is_none());
        assert!(r.route("/hello/x").is_none());
    }

    #[test]
    fn rejects_named_segments() {
        let decls = vec![HttpTriggerDecl {
            route: RouteDecl::Path("/users/:id".into()),
            component: "a".into(),
            id: None,
            executor: None,
        }];
        assert!(Router::build(&decls).is_err());
    }

    #[test]
    fn spin_headers() {
        let r = router(&[("/foo/...", "foo")]);
        let m = r.route("/foo/bar").unwrap();
        let mut req = http::Request::builder()
            .uri("/foo/bar?key1=value1")
            .header("host", "example.test:3000")
            .header("connection", "keep-alive")
            .body(Bytes::new())
            .unwrap();
        prepare_request(&mut req, &m, "127.0.0.1:8777".parse().unwrap()).unwrap();
        let h = |n: &str| req.headers()[n].to_str().unwrap().to_string();
        assert_eq!(
            h("spin-full-url"),
            "http://example.test:3000/foo/bar?key1=value1"
        );
        assert_eq!(h("spin-path-info"), "/bar");
        assert_eq!(h("spin-matched-route"), "/foo/...");
        assert_eq!(h("spin-base-path"), "/");
        assert_eq!(h("spin-raw-component-route"), "/foo/...");
        assert_eq!(h("spin-component-route"), "/foo");
        assert_eq!(h("spin-client-addr"), "127.0.0.1:8777");
        assert!(req.headers().get("connection").is_none());
        assert_eq!(
            req.uri().to_string(),
            "http://example.test:3000/foo/bar?key1=value1"
        );
    }

    #[test]
    fn client_spin_headers_stay_first_as_on_spin() {
        let r = router(&[("/foo/...", "foo")]);
        let m = r.route("/foo").unwrap();
        let mut req = http::Request::builder()
            .uri("/foo")
            .header("host", "example.test")
            .header("spin-client-addr", "203.0.113.9:1")
            .body(Bytes::new())
            .unwrap();
        prepare_request(&mut req, &m, "127.0.0.1:8777".parse().unwrap()).unwrap();
        let values: Vec<&str> = req
            .headers()
            .get_all("spin-client-addr")
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect();
        assert_eq!(values, ["203.0.113.9:1", "127.0.0.1:8777"]);
    }

    #[test]
    fn refuses_what_spin_refuses() {
        let r = router(&[("/...", "root")]);
        let m = r.route("/").unwrap();
        let mut no_host = http::Request::builder().uri("/").body(()).unwrap();
        let err = prepare_request(&mut no_host, &m, "127.0.0.1:1".parse().unwrap()).unwrap_err();
        assert!(err.to_string().contains("no 'Host' header"), "{err}");

        let mut mismatch = http::Request::builder()
            .uri("http://a.test/")
            .header("host", "b.test")
            .body(())
            .unwrap();
        let err = prepare_request(&mut mismatch, &m, "127.0.0.1:1".parse().unwrap()).unwrap_err();
        assert!(err.to_string().contains("does not match"), "{err}");

        let mut latin1 = http::Request::builder()
            .uri("/")
            .header("host", "a.test")
            .header("x-name", HeaderValue::from_bytes(b"caf\xe9").unwrap())
            .body(())
            .unwrap();
        let err = prepare_request(&mut latin1, &m, "127.0.0.1:1".parse().unwrap()).unwrap_err();
        assert!(err.to_string().contains("not valid UTF-8"), "{err}");
    }
}
