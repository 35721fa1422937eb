//! A stand-in SMS gateway on 127.0.0.1 that answers as the test tells it:
//! 200, an error status, no answer at all (the connection held open), or
//! the connection closed without an answer. It records every request's
//! message id and whether it was answered 200; it stops when dropped.

use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// How the gateway answers the next requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Ok,
    Status(u16),
    /// Reads the request and never answers (the connection stays open).
    Hang,
    /// Reads the request and closes the connection without an answer.
    Close,
}

#[derive(Default)]
struct State {
    answer: Option<Answer>,
    /// (message id, answered 200)
    requests: Vec<(i64, bool)>,
}

pub struct FakeGateway {
    pub origin: String,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeGateway {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeGateway {
    pub async fn start() -> FakeGateway {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State { answer: Some(Answer::Ok), requests: Vec::new() }));
        let shared = state.clone();
        let task = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((sock, _)) = listener.accept().await {
                let state = shared.clone();
                held.push(tokio::spawn(serve_one(sock, state)));
            }
        });
        FakeGateway { origin, state, task }
    }

    /// The URL to configure as `sms_gateway_url`.
    pub fn url(&self) -> String {
        format!("{}/send", self.origin)
    }

    pub fn answer(&self, answer: Answer) {
        self.state.lock().unwrap().answer = Some(answer);
    }

    /// Every request so far: (message id, answered 200).
    pub fn requests(&self) -> Vec<(i64, bool)> {
        self.state.lock().unwrap().requests.clone()
    }

    /// The ids of the messages delivered (answered 200), in order.
    pub fn delivered(&self) -> Vec<i64> {
        self.requests().into_iter().filter(|(_, ok)| *ok).map(|(id, _)| id).collect()
    }
}

async fn serve_one(mut sock: tokio::net::TcpStream, state: Arc<Mutex<State>>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let body = loop {
        let n = match tokio::time::timeout(std::time::Duration::from_secs(30), sock.read(&mut chunk)).await {
            Ok(Ok(n)) if n > 0 => n,
            _ => return,
        };
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf).to_string();
        let Some((head, body)) = text.split_once("\r\n\r\n") else { continue };
        let lower = head.to_ascii_lowercase();
        if lower.contains("transfer-encoding: chunked") {
            if body.ends_with("0\r\n\r\n") {
                break dechunk(body);
            }
        } else {
            let len = lower
                .lines()
                .find_map(|l| l.strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap_or(0)))
                .unwrap_or(0);
            if body.len() >= len {
                break body.to_owned();
            }
        }
    };
    let id = serde_json::from_str::<serde_json::Value>(&body).ok().and_then(|v| v["id"].as_i64()).unwrap_or(-1);
    let answer = state.lock().unwrap().answer.unwrap_or(Answer::Ok);
    state.lock().unwrap().requests.push((id, answer == Answer::Ok));
    match answer {
        Answer::Ok => {
            let _ = sock.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").await;
        }
        Answer::Status(code) => {
            let _ = sock.write_all(format!("HTTP/1.1 {code} Oops\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").as_bytes()).await;
        }
        Answer::Hang => {
            // Hold the connection open, answering nothing, until the caller gives up.
            let _ = tokio::time::timeout(std::time::Duration::from_secs(60), sock.read(&mut chunk)).await;
        }
        Answer::Close => {}
    }
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n + 2 {
            break;
        }
        out.push_str(&rest[..n]);
        body = &rest[n + 2..];
    }
    out
}
