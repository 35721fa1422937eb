//! `allowed_outbound_hosts` and the outbound `wasi:http` client.
//!
//! Supported entry forms (as documented for Spin):
//! `scheme://host[:port]` where `scheme` is `http`, `https` or `*`; `host` is a
//! name, an IP, `*` or `*.domain`; `port` is a number, `a..b` (end exclusive, as
//! in Spin), or `*`. When the port is omitted the scheme's default port is used
//! (`*` as scheme then requires an explicit port). `insecure:allow-all` allows
//! everything. `{{ var }}` templates are resolved from application variables.
//! Service chaining (`*.spin.internal`, `self`) is not supported.

use anyhow::{Context, Result, bail};
use bytes::Bytes;
use http_body_util::BodyExt as _;
use http_body_util::combinators::UnsyncBoxBody;
use std::sync::Arc;
use wasmtime_wasi::TrappableError;
use wasmtime_wasi_http::p3::bindings::http::types::ErrorCode;
use wasmtime_wasi_http::p3::{RequestOptions, WasiHttpHooks, default_send_request};

use crate::variables::AppVariables;

#[derive(Debug, Clone, PartialEq, Eq)]
enum SchemeRule {
    Any,
    Exact(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum HostRule {
    Any,
    /// `*.example.com`: any subdomain of `example.com` (not `example.com` itself).
    Subdomain(String),
    Exact(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum PortRule {
    Any,
    Range(u16, u16),
    Exact(u16),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct HostPattern {
    scheme: SchemeRule,
    host: HostRule,
    port: PortRule,
}

/// The parsed `allowed_outbound_hosts` of one component.
#[derive(Debug, Clone, Default)]
pub struct AllowedHosts {
    allow_all: bool,
    patterns: Vec<HostPattern>,
}

impl AllowedHosts {
    pub fn parse(entries: &[String], variables: &AppVariables) -> Result<Self> {
        let mut allowed = AllowedHosts::default();
        for entry in entries {
            let rendered = variables
                .render(entry)
                .with_context(|| format!("allowed_outbound_hosts entry {entry:?}"))?;
            if rendered == "insecure:allow-all" {
                allowed.allow_all = true;
                continue;
            }
            let pattern = parse_pattern(&rendered).with_context(|| {
                if variables.template_uses_secret(entry) {
                    format!("allowed_outbound_hosts entry {entry:?}")
                } else {
                    format!("allowed_outbound_hosts entry {rendered:?}")
                }
            })?;
            allowed.patterns.push(pattern);
        }
        Ok(allowed)
    }

    /// Whether a request to `scheme://host:port` is allowed.
    pub fn allows(&self, scheme: &str, host: &str, port: u16) -> bool {
        if self.allow_all {
            return true;
        }
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        self.patterns.iter().any(|p| {
            let scheme_ok = match &p.scheme {
                SchemeRule::Any => true,
                SchemeRule::Exact(s) => s == scheme,
            };
            let host_ok = match &p.host {
                HostRule::Any => true,
                HostRule::Exact(h) => *h == host,
                HostRule::Subdomain(domain) => host
                    .strip_suffix(domain.as_str())
                    .is_some_and(|prefix| prefix.len() > 1 && prefix.ends_with('.')),
            };
            let port_ok = match p.port {
                PortRule::Any => true,
                PortRule::Exact(q) => q == port,
                PortRule::Range(lo, hi) => (lo..hi).contains(&port),
            };
            scheme_ok && host_ok && port_ok
        })
    }
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}

fn parse_pattern(text: &str) -> Result<HostPattern> {
    let Some((scheme, rest)) = text.split_once("://") else {
        bail!("must be of the form scheme://host[:port]");
    };
    let scheme = scheme.to_ascii_lowercase();
    let scheme_rule = match scheme.as_str() {
        "*" => SchemeRule::Any,
        s if s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '.')
            && !s.is_empty() =>
        {
            SchemeRule::Exact(s.to_string())
        }
        _ => bail!("invalid scheme {scheme:?}"),
    };
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.contains('/') {
        bail!("paths are not allowed in allowed_outbound_hosts");
    }
    // Split host and port, allowing bracketed IPv6 literals.
    let (host, port) = if let Some(stripped) = rest.strip_prefix('[') {
        let Some((h, after)) = stripped.split_once(']') else {
            bail!("unterminated IPv6 literal");
        };
        (h.to_string(), after.strip_prefix(':'))
    } else {
        match rest.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), Some(p)),
            None => (rest.to_string(), None),
        }
    };
    if host.is_empty() {
        bail!("missing host");
    }
    let host = host.to_ascii_lowercase();
    if host == "self" || host.ends_with(".spin.internal") {
        bail!("service chaining ({host}) is not supported by spin-test-host");
    }
    let host_rule = if host == "*" {
        HostRule::Any
    } else if let Some(domain) = host.strip_prefix("*.") {
        if domain.contains('*') {
            bail!("invalid wildcard host {host:?}");
        }
        HostRule::Subdomain(domain.to_string())
    } else if host.contains('*') {
        bail!("invalid wildcard host {host:?}");
    } else {
        HostRule::Exact(host)
    };
    let port_rule = match port {
        None => match default_port(&scheme) {
            Some(p) => PortRule::Exact(p),
            None => bail!("a port must be given for scheme {scheme:?}"),
        },
        Some("*") => PortRule::Any,
        Some(p) => {
            if let Some((lo, hi)) = p.split_once("..") {
                let lo: u16 = lo.parse().context("invalid port range")?;
                let hi: u16 = hi.parse().context("invalid port range")?;
                if lo >= hi {
                    bail!("empty port range {p:?}");
                }
                PortRule::Range(lo, hi)
            } else {
                PortRule::Exact(p.parse().with_context(|| format!("invalid port {p:?}"))?)
            }
        }
    };
    Ok(HostPattern {
        scheme: scheme_rule,
        host: host_rule,
        port: port_rule,
    })
}

type BoxedIoFuture = Box<dyn Future<Output = Result<(), ErrorCode>> + Send>;
type SendResult = Result<
    (
        http::Response<UnsyncBoxBody<Bytes, ErrorCode>>,
        BoxedIoFuture,
    ),
    TrappableError<ErrorCode>,
>;

/// `wasi:http` hooks of one store: enforces `allowed_outbound_hosts`.
pub struct OutboundHooks {
    pub component_id: Arc<str>,
    pub allowed: Arc<AllowedHosts>,
}

impl WasiHttpHooks for OutboundHooks {
    fn send_request(
        &mut self,
        request: http::Request<UnsyncBoxBody<Bytes, ErrorCode>>,
        options: Option<RequestOptions>,
        fut: Box<dyn Future<Output = Result<(), ErrorCode>> + Send>,
    ) -> Box<dyn Future<Output = SendResult> + Send> {
        // The response-processing result is not needed by this host.
        drop(fut);
        let uri = request.uri();
        let scheme = uri.scheme_str().unwrap_or("https").to_ascii_lowercase();
        let host = uri.host().unwrap_or("").to_string();
        let port = uri.port_u16().or_else(|| default_port(&scheme));
        let allowed = port.is_some_and(|port| self.allowed.allows(&scheme, &host, port));
        if !allowed {
            eprintln!(
                "[spin-test-host] component {} denied outbound request to {}://{}{}: not in allowed_outbound_hosts",
                self.component_id,
                scheme,
                host,
                port.map(|p| format!(":{p}")).unwrap_or_default()
            );
            return Box::new(async { Err(ErrorCode::HttpRequestDenied.into()) });
        }
        Box::new(async move {
            let (response, io) = default_send_request(request, options).await?;
            Ok((
                response.map(|body| body.boxed_unsync()),
                Box::new(io) as BoxedIoFuture,
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed(entries: &[&str]) -> AllowedHosts {
        let entries: Vec<String> = entries.iter().map(|s| s.to_string()).collect();
        AllowedHosts::parse(&entries, &AppVariables::default()).unwrap()
    }

    #[test]
    fn exact_and_default_ports() {
        let a = allowed(&["https://example.com", "http://localhost:3000"]);
        assert!(a.allows("https", "example.com", 443));
        assert!(!a.allows("https", "example.com", 8443));
        assert!(!a.allows("http", "example.com", 80));
        assert!(a.allows("http", "localhost", 3000));
        assert!(!a.allows("http", "localhost", 3001));
    }

    #[test]
    fn wildcards() {
        let a = allowed(&["*://*.example.com:*", "http://127.0.0.1:8000..8010"]);
        assert!(a.allows("https", "api.example.com", 1234));
        assert!(!a.allows("https", "example.com", 443));
        assert!(a.allows("http", "127.0.0.1", 8009));
        assert!(!a.allows("http", "127.0.0.1", 8010));
        let all = allowed(&["*://*:*"]);
        assert!(all.allows("http", "anything", 1));
        assert!(allowed(&["insecure:allow-all"]).allows("https", "x", 9));
        assert!(!allowed(&[]).allows("https", "example.com", 443));
    }

    #[test]
    fn rejects_malformed_entries() {
        for bad in [
            "example.com",
            "*://example.com",
            "https://example.com/path",
            "http://self",
            "https://a*b.com",
        ] {
            let r = AllowedHosts::parse(&[bad.to_string()], &AppVariables::default());
            assert!(r.is_err(), "{bad}");
        }
    }
}
