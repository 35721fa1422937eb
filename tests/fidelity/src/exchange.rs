//! Requests over real HTTP/1.1 (one connection each, every header set by
//! the caller) to a target (real Spin or the test host), each answer
//! recorded as an observation: status, every response header, cookies'
//! attributes and the body, with values that are random by design (request
//! ids, tokens, codes, times) reduced to their shape. Two runs of the same
//! sequence against fresh state must give equal observations.

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method};
use http_body_util::BodyExt as _;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// JSON keys whose values are random or time-dependent by design: compared
/// by shape only (so are all keys ending in `_at`: times).
pub const VOLATILE_KEYS: &[&str] = &[
    "request_id",
    "csrf_token",
    "at",
    "number",
    "appeal_number",
    "code",
    "text",
    "instance",
    "spin-client-addr",
    "spin-full-url",
    "uri",
];

/// What a test talks to.
#[derive(Clone, Debug)]
pub struct Target {
    /// `spin` or `host`, for messages.
    pub name: &'static str,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    addr: SocketAddr,
}

impl Target {
    pub fn new(name: &'static str, base: &str) -> Target {
        let base = base.trim_end_matches('/').to_string();
        let addr = base
            .trim_start_matches("http://")
            .parse()
            .unwrap_or_else(|e| panic!("{name}: not a loopback address {base}: {e}"));
        Target { name, base, addr }
    }

    /// The `Origin` the site's own pages send.
    pub fn origin(&self) -> String {
        self.base.clone()
    }
}

#[derive(Debug, Clone)]
pub enum ReqBody {
    Empty,
    Full(Bytes),
    /// Sent with `transfer-encoding: chunked`, no length.
    Chunked(Vec<Bytes>),
    /// Chunked, from a channel the test feeds ([`Recorder::send_held`]).
    Held(std::sync::Arc<std::sync::Mutex<Option<tokio::sync::mpsc::Receiver<Bytes>>>>),
}

/// One request. `label` (default `METHOD path`) names it in the transcript,
/// so that paths with random parts (an appeal number) compare equal.
#[derive(Debug, Clone)]
pub struct Req {
    method: Method,
    path: String,
    label: Option<String>,
    headers: Vec<(String, HeaderValue)>,
    body: ReqBody,
    same_origin: bool,
}

impl Req {
    pub fn new(method: &str, path: &str) -> Req {
        Req {
            method: method.parse().expect("method"),
            path: path.to_string(),
            label: None,
            headers: Vec::new(),
            body: ReqBody::Empty,
            same_origin: false,
        }
    }

    pub fn get(path: &str) -> Req {
        Req::new("GET", path)
    }

    /// A POST as the site's own page sends it: same-origin `Origin`.
    pub fn post(path: &str) -> Req {
        Req::new("POST", path).same_origin()
    }

    pub fn same_origin(mut self) -> Req {
        self.same_origin = true;
        self
    }

    pub fn cross_origin(mut self) -> Req {
        self.same_origin = false;
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Req {
        self.label = Some(label.into());
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Req {
        self.headers.push((
            name.to_string(),
            HeaderValue::from_str(value).expect("header value"),
        ));
        self
    }

    /// A header value that need not be UTF-8.
    pub fn raw_header(mut self, name: &str, value: &[u8]) -> Req {
        self.headers.push((
            name.to_string(),
            HeaderValue::from_bytes(value).expect("header bytes"),
        ));
        self
    }

    pub fn json(self, body: &Value) -> Req {
        self.body("application/json", body.to_string().into_bytes())
    }

    pub fn body(mut self, content_type: &str, body: Vec<u8>) -> Req {
        self.body = ReqBody::Full(Bytes::from(body));
        self.header("content-type", content_type)
    }

    pub fn raw_body(mut self, body: Vec<u8>) -> Req {
        self.body = ReqBody::Full(Bytes::from(body));
        self
    }

    pub fn chunked(mut self, chunks: Vec<Vec<u8>>) -> Req {
        self.body = ReqBody::Chunked(chunks.into_iter().map(Bytes::from).collect());
        self
    }

    pub fn with_session(self, cookie: &str, csrf_token: Option<&str>) -> Req {
        let req = self.header("cookie", cookie);
        match csrf_token {
            Some(token) => req.header("x-csrf-token", token),
            None => req,
        }
    }

    fn describe(&self) -> String {
        self.label
            .clone()
            .unwrap_or_else(|| format!("{} {}", self.method, self.path))
    }
}

/// A body sent in chunks, without a length.
struct Chunks(VecDeque<Bytes>);

impl http_body::Body for Chunks {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        Poll::Ready(self.0.pop_front().map(|c| Ok(http_body::Frame::data(c))))
    }
}

/// A body fed through a channel; ends when the sender is dropped.
struct HeldChannel(tokio::sync::mpsc::Receiver<Bytes>);

impl http_body::Body for HeldChannel {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        self.0
            .poll_recv(cx)
            .map(|c| c.map(|c| Ok(http_body::Frame::data(c))))
    }
}

/// An answer.
#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Resp {
    /// The body as JSON (`null` when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// `name=value` of the first `set-cookie` named `name`.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .find(|pair| pair.split('=').next() == Some(name))
            .map(str::to_string)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends requests to a target and keeps the transcript.
pub struct Recorder {
    pub target: Target,
    pub transcript: Vec<Value>,
}

impl Recorder {
    pub fn new(target: Target) -> Recorder {
        Recorder {
            target,
            transcript: Vec::new(),
        }
    }

    /// Sends `req`, records what came back under `step`, returns it.
    pub async fn send(&mut self, step: &str, req: Req) -> Resp {
        let described = req.describe();
        let resp = self.exchange_for(step, req).await;
        self.transcript.push(observe(step, &described, &resp));
        resp
    }

    /// Sends `req` and checks its status, with the body in the message.
    pub async fn expect(&mut self, step: &str, req: Req, status: u16) -> Resp {
        let resp = self.send(step, req).await;
        assert_eq!(
            resp.status,
            status,
            "{} on {}: {}",
            step,
            self.target.name,
            resp.text()
        );
        resp
    }

    /// Starts every request with a chunked body it holds open, one after the
    /// other with `gap` between them (so each is inside an instance before
    /// the next comes), then ends all the bodies with `tail` and records the
    /// answers in order. What a target does with requests that wait on I/O
    /// at the same time (Spin puts up to 16 into one instance).
    pub async fn send_held(
        &mut self,
        step: &str,
        reqs: Vec<Req>,
        gap: Duration,
        tail: &[u8],
    ) -> Vec<Resp> {
        let mut senders = Vec::new();
        let mut tasks = Vec::new();
        for req in reqs {
            let described = req.describe();
            let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(1);
            let mut req = req;
            req.body = ReqBody::Held(std::sync::Arc::new(std::sync::Mutex::new(Some(rx))));
            let this = Recorder::new(self.target.clone());
            let step = step.to_string();
            tasks.push((
                described,
                tokio::spawn(async move { this.exchange_for(&step, req).await }),
            ));
            senders.push(tx);
            tokio::time::sleep(gap).await;
        }
        for tx in &senders {
            tx.send(Bytes::copy_from_slice(tail))
                .await
                .expect("the request waits for its body");
        }
        drop(senders);
        let mut out = Vec::new();
        for (described, task) in tasks {
            let resp = task.await.expect("held request");
            self.transcript.push(observe(step, &described, &resp));
            out.push(resp);
        }
        out
    }

    /// Sends without recording (set-up the transcript does not need).
    pub async fn exchange(&self, req: Req) -> Resp {
        let described = req.describe();
        self.exchange_for(&described, req).await
    }

    async fn exchange_for(&self, step: &str, req: Req) -> Resp {
        let fail = |what: &str, e: &dyn std::fmt::Display| -> ! {
            panic!("{step} on {}: {what}: {e}", self.target.name)
        };
        let stream = tokio::net::TcpStream::connect(self.target.addr)
            .await
            .unwrap_or_else(|e| fail("connect", &e));
        let (mut sender, conn) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                .await
                .expect("handshake");
        tokio::spawn(conn);
        let mut builder = http::Request::builder()
            .method(req.method.clone())
            .uri(&req.path)
            .header("host", self.target.addr.to_string());
        if req.same_origin {
            builder = builder.header("origin", self.target.origin());
        }
        for (name, value) in &req.headers {
            builder = builder.header(name.as_str(), value.clone());
        }
        let body = match req.body {
            ReqBody::Empty => http_body_util::Empty::new()
                .map_err(|never| match never {})
                .boxed(),
            ReqBody::Full(bytes) => http_body_util::Full::new(bytes)
                .map_err(|never| match never {})
                .boxed(),
            ReqBody::Chunked(chunks) => Chunks(chunks.into()).boxed(),
            ReqBody::Held(rx) => {
                HeldChannel(rx.lock().unwrap().take().expect("a held body is sent once")).boxed()
            }
        };
        let request = builder.body(body).expect("request");
        let response = tokio::time::timeout(Duration::from_secs(120), sender.send_request(request))
            .await
            .unwrap_or_else(|_| fail("no answer", &"120 s"))
            .unwrap_or_else(|e| fail("request", &e));
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .unwrap_or_else(|e| fail("response body", &e))
            .to_bytes();
        Resp {
            status,
            headers,
            body,
        }
    }
}

/// The shape of a value that is random by design: its length and alphabet
/// (hex, digits included, since a random hex string may have no letter; or
/// URL-safe base64), or, for mixed text, the text with every digit as `9`.
pub fn shape(s: &str) -> String {
    let n = s.chars().count();
    if s.is_empty() {
        String::new()
    } else if s
        .chars()
        .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    {
        format!("<hex:{n}>")
    } else if s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        format!("<token:{n}>")
    } else {
        s.chars()
            .map(|c| if c.is_ascii_digit() { '9' } else { c })
            .collect()
    }
}

fn normalize_json(value: &Value, key: Option<&str>) -> Value {
    let volatile = key.is_some_and(|k| VOLATILE_KEYS.contains(&k) || k.ends_with("_at"));
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), normalize_json(v, Some(k))))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|v| normalize_json(v, key)).collect()),
        Value::String(s) if volatile => Value::String(shape(s)),
        Value::Number(n) if volatile => Value::String(shape(&n.to_string())),
        other => other.clone(),
    }
}

/// `name=<shape>; Attr; Attr=value` with `Expires` reduced to its shape.
fn normalize_cookie(value: &str) -> String {
    let mut parts = value.split(';').map(str::trim);
    let mut out = Vec::new();
    if let Some(pair) = parts.next() {
        let (name, val) = pair.split_once('=').unwrap_or((pair, ""));
        out.push(format!("{name}={}", shape(val)));
    }
    for attr in parts {
        match attr.split_once('=') {
            Some((k, v)) if k.eq_ignore_ascii_case("expires") => {
                out.push(format!("{k}={}", shape(v)))
            }
            _ => out.push(attr.to_string()),
        }
    }
    out.join("; ")
}

fn normalize_header(name: &str, value: &HeaderValue) -> String {
    let text = String::from_utf8_lossy(value.as_bytes());
    match name {
        "date" => "<date>".to_string(),
        "x-request-id" => shape(&text),
        "set-cookie" => normalize_cookie(&text),
        _ => text.into_owned(),
    }
}

/// The normalized observation of one answer.
pub fn observe(step: &str, request: &str, resp: &Resp) -> Value {
    let mut headers = Map::new();
    for name in resp.headers.keys() {
        let values: Vec<Value> = resp
            .headers
            .get_all(name)
            .iter()
            .map(|v| Value::String(normalize_header(name.as_str(), v)))
            .collect();
        headers.insert(name.as_str().to_string(), Value::Array(values));
    }
    let content_type = resp.header("content-type").unwrap_or("");
    let body = if resp.body.is_empty() {
        Value::Null
    } else if content_type.starts_with("application/json")
        && let Ok(json) = serde_json::from_slice::<Value>(&resp.body)
    {
        normalize_json(&json, None)
    } else {
        json!({
            "bytes": resp.body.len(),
            "sha256": format!("{:x}", Sha256::digest(&resp.body)),
        })
    };
    json!({
        "step": step,
        "request": request,
        "status": resp.status,
        "headers": headers,
        "body": body,
    })
}

/// Every difference between two transcripts of the same sequence, as lines
/// `step (request): path: left vs right`.
pub fn differences(left: (&str, &[Value]), right: (&str, &[Value])) -> Vec<String> {
    let mut out = Vec::new();
    if left.1.len() != right.1.len() {
        out.push(format!(
            "{} recorded {} answers, {} recorded {}",
            left.0,
            left.1.len(),
            right.0,
            right.1.len()
        ));
    }
    for (a, b) in left.1.iter().zip(right.1) {
        let step = format!(
            "{} ({})",
            a["step"].as_str().unwrap_or("?"),
            a["request"].as_str().unwrap_or("?")
        );
        let mut found = Vec::new();
        diff_values("", a, b, &mut found);
        for (path, x, y) in found {
            out.push(format!("{step}: {path}: {} {x} vs {} {y}", left.0, right.0));
        }
    }
    out
}

fn diff_values(path: &str, a: &Value, b: &Value, out: &mut Vec<(String, String, String)>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let sub = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match (x.get(k), y.get(k)) {
                    (Some(v), Some(w)) => diff_values(&sub, v, w, out),
                    (Some(v), None) => out.push((sub, v.to_string(), "(absent)".into())),
                    (None, Some(w)) => out.push((sub, "(absent)".into(), w.to_string())),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                diff_values(&format!("{path}[{i}]"), v, w, out);
            }
        }
        _ if a != b => out.push((path.to_string(), a.to_string(), b.to_string())),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_keep_length_and_alphabet_only() {
        assert_eq!(shape("3fa9c0de"), "<hex:8>");
        assert_eq!(shape("12345678"), "<hex:8>", "a hex value without letters");
        assert_eq!(shape("SS20261127abc"), "<token:13>");
        assert_eq!(shape("您的验证码是 482913。"), "您的验证码是 999999。");
        assert_eq!(shape("2026-11-27T09:00:00Z"), "9999-99-99T99:99:99Z");
    }

    #[test]
    fn volatile_values_compare_by_shape_and_the_rest_exactly() {
        let a = json!({"error": {"code": "x.y", "request_id": "0a1b2c3d4e5f6071"}, "csrf_token": "AbC-1"});
        let b = json!({"error": {"code": "x.y", "request_id": "ffeeddccbbaa9988"}, "csrf_token": "zZz_9"});
        assert_eq!(normalize_json(&a, None), normalize_json(&b, None));
        let c = json!({"error": {"code": "x.z", "request_id": "ffeeddccbbaa9988"}});
        assert_ne!(normalize_json(&a, None), normalize_json(&c, None));
    }

    #[test]
    fn cookies_keep_their_attributes() {
        assert_eq!(
            normalize_cookie(
                "__Host-session=xyz123; HttpOnly; Secure; SameSite=Lax; Path=/; Max-Age=43200"
            ),
            "__Host-session=<token:6>; HttpOnly; Secure; SameSite=Lax; Path=/; Max-Age=43200"
        );
        assert_eq!(
            normalize_cookie("a=; Expires=Thu, 01 Jan 1970 00:00:00 GMT"),
            "a=; Expires=Thu, 99 Jan 9999 99:99:99 GMT"
        );
    }

    #[test]
    fn differences_name_the_step_and_the_field() {
        let one = vec![
            json!({"step": "health", "request": "GET /", "status": 200, "headers": {"transfer-encoding": ["chunked"]}}),
        ];
        let two = vec![
            json!({"step": "health", "request": "GET /", "status": 200, "headers": {"content-length": ["2"]}}),
        ];
        let diff = differences(("spin", &one), ("host", &two));
        assert_eq!(
            diff,
            [
                "health (GET /): headers.content-length: spin (absent) vs host [\"2\"]",
                "health (GET /): headers.transfer-encoding: spin [\"chunked\"] vs host (absent)",
            ]
        );
        assert!(differences(("spin", &one), ("host", &one)).is_empty());
    }
}
