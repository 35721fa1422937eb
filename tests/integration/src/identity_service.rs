//! A scripted identity service for the verification tests: a small real
//! HTTP/1.1 server on 127.0.0.1 that answers the README's protocol as the
//! test tells it (match, mismatch, no record, slow, 500, HTML, garbage, an
//! unknown result, a match for other data or another request), and keeps
//! every request it got (headers and JSON body). The component reaches it
//! through its real outbound HTTP and `allowed_outbound_hosts`
//! ([`ScriptedIdentityService::variables`]). It stops when dropped.

use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How the service answers one request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// `result` about exactly what was sent (its request id and digest).
    Verdict(&'static str),
    /// `match`, after waiting this long.
    Slow(Duration),
    /// This status with a JSON `match` body (a server error is no verdict).
    Status(u16),
    /// 200 with an HTML page (a login page of a proxy, say).
    Html,
    /// 200 with bytes that are no JSON.
    Garbage,
    /// `match` with the digest of other data.
    MatchForOtherData,
    /// `match` for another request id.
    MatchForOtherRequest,
}

/// One request the service got.
#[derive(Debug, Clone)]
pub struct Received {
    pub authorization: Option<String>,
    pub content_type: Option<String>,
    pub body: Value,
}

#[derive(Default)]
struct State {
    replies: VecDeque<Reply>,
    received: Vec<Received>,
}

pub struct ScriptedIdentityService {
    pub origin: String,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

pub const TOKEN: &str = "scripted-identity-token";

impl ScriptedIdentityService {
    /// Starts on a free loopback port.
    pub async fn start() -> ScriptedIdentityService {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the scripted identity service");
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { return };
                let state = shared.clone();
                tokio::spawn(async move {
                    let _ = serve(stream, state).await;
                });
            }
        });
        ScriptedIdentityService { origin, state, task }
    }

    /// The app's variables that point the verification component at it.
    pub fn variables(&self) -> Vec<(&'static str, String)> {
        vec![
            ("identity_service_url", format!("{}/v1/checks", self.origin)),
            ("identity_service_origin", self.origin.clone()),
            ("identity_service_token", TOKEN.to_owned()),
        ]
    }

    /// Queues the next answers (in order); a request with none queued gets
    /// a 500 and fails the test's expectations.
    pub fn reply(&self, replies: &[Reply]) {
        self.lock().replies.extend(replies.iter().cloned());
    }

    pub fn received(&self) -> Vec<Received> {
        self.lock().received.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for ScriptedIdentityService {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The canonical subject's digest, as the protocol defines it.
fn digest(subject: &Value) -> String {
    shared::digest::sha256_hex(shared::verification::identity_service::canonical_json(subject).as_bytes())
}

async fn serve(mut stream: TcpStream, state: Arc<Mutex<State>>) -> std::io::Result<()> {
    loop {
        let Some((headers, body)) = read_request(&mut stream).await? else { return Ok(()) };
        let header = |name: &str| {
            headers.lines().find_map(|l| {
                let (n, v) = l.split_once(':')?;
                n.trim().eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
            })
        };
        let json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let reply = {
            let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
            s.received.push(Received { authorization: header("authorization"), content_type: header("content-type"), body: json.clone() });
            s.replies.pop_front()
        };
        let request_id = json["request_id"].clone();
        let subject_digest = digest(&json["subject"]);
        let answer = |result: &str| json!({ "request_id": request_id, "result": result, "subject_digest": subject_digest }).to_string();
        let (status, content_type, body) = match reply {
            Some(Reply::Verdict(r)) => (200, "application/json", answer(r)),
            Some(Reply::Slow(wait)) => {
                tokio::time::sleep(wait).await;
                (200, "application/json", answer("match"))
            }
            Some(Reply::Status(code)) => (code, "application/json", answer("match")),
            Some(Reply::Html) => (200, "text/html", "<!doctype html><html><body><h1>Please log in</h1></body></html>".to_owned()),
            Some(Reply::Garbage) => (200, "application/octet-stream", "\u{1}\u{2}MZ not json".to_owned()),
            Some(Reply::MatchForOtherData) => (
                200,
                "application/json",
                json!({ "request_id": request_id, "result": "match", "subject_digest": digest(&json!({ "name": "someone else" })) })
                    .to_string(),
            ),
            Some(Reply::MatchForOtherRequest) => {
                (200, "application/json", json!({ "request_id": "not-yours", "result": "match", "subject_digest": subject_digest }).to_string())
            }
            None => (500, "text/plain", "no reply scripted".to_owned()),
        };
        let head = format!(
            "HTTP/1.1 {status} {}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n\r\n",
            if status == 200 { "OK" } else { "Scripted" },
            body.len()
        );
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(body.as_bytes()).await?;
        stream.flush().await?;
    }
}

/// One request: the header block and the body (by `Content-Length`);
/// `None` when the client closed the connection.
async fn read_request(stream: &mut TcpStream) -> std::io::Result<Option<(String, Vec<u8>)>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let headers = String::from_utf8_lossy(&buf[..end]).into_owned();
    let header = |name: &str| {
        headers.lines().find_map(|l| l.split_once(':').filter(|(n, _)| n.trim().eq_ignore_ascii_case(name)).map(|(_, v)| v.trim().to_ascii_lowercase()))
    };
    let mut rest = buf[end + 4..].to_vec();
    if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        // Read until the last chunk (`0\r\n\r\n`), then decode.
        while !rest.windows(5).any(|w| w == b"0\r\n\r\n") {
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                break;
            }
            rest.extend_from_slice(&chunk[..n]);
        }
        let mut body = Vec::new();
        let mut at = 0;
        while let Some(line_end) = rest[at..].windows(2).position(|w| w == b"\r\n") {
            let size = usize::from_str_radix(String::from_utf8_lossy(&rest[at..at + line_end]).split(';').next().unwrap_or("").trim(), 16)
                .unwrap_or(0);
            at += line_end + 2;
            if size == 0 || at + size > rest.len() {
                break;
            }
            body.extend_from_slice(&rest[at..at + size]);
            at += size + 2;
        }
        return Ok(Some((headers, body)));
    }
    let length = header("content-length").and_then(|v| v.parse::<usize>().ok()).unwrap_or(0);
    let mut body = rest;
    while body.len() < length {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    body.truncate(length);
    Ok(Some((headers, body)))
}
