//! Shared helpers for spin-test-host's tests against the real probe component.
#![allow(dead_code)]

use bytes::Bytes;
use serde_json::Value;
use spin_test_host::{Host, HostOptions};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

pub const TOKEN: &str = "s3cret-token-value";

pub fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// `tests/fixtures/spin.toml`, with the probe and cron-probe components built
/// (once per test binary).
pub fn manifest() -> PathBuf {
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(|| {
        let tests = tests_dir();
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args([
                "build",
                "--release",
                "--target",
                "wasm32-wasip2",
                "-p",
                "probe",
                "-p",
                "cron-probe",
                "--manifest-path",
            ])
            .arg(tests.join("Cargo.toml"))
            .arg("--target-dir")
            .arg(tests.join("target"))
            .status()
            .expect("cannot run cargo to build the probe component");
        assert!(status.success(), "building the probe component failed");
    });
    tests_dir().join("fixtures/spin.toml")
}

/// Options for the fixture app with the required variable provided and a fresh state dir.
pub fn options(state: &Path) -> HostOptions {
    let mut opts = HostOptions::new(manifest(), state);
    opts.read_env_variables = false;
    opts.variables.insert("api_token".into(), TOKEN.into());
    opts
}

pub fn load(state: &Path) -> Host {
    Host::load(options(state)).expect("fixture app loads")
}

pub fn client_addr() -> SocketAddr {
    "127.0.0.1:40000".parse().unwrap()
}

pub fn request(method: &str, uri: &str) -> http::request::Builder {
    http::Request::builder()
        .method(method)
        .uri(uri)
        .header("host", "probe.test")
}

/// Sends a request in-process and returns (status, JSON body).
pub async fn call(host: &Host, req: http::Request<Bytes>) -> (u16, Value) {
    let response = host.handle(req, client_addr()).await;
    let status = response.status().as_u16();
    let body: Value = serde_json::from_slice(response.body())
        .unwrap_or_else(|e| panic!("response is not JSON ({e}): {:?}", response.body()));
    (status, body)
}

/// GET `uri` with `x-probe-arg: arg`.
pub async fn get(host: &Host, uri: &str, arg: &str) -> (u16, Value) {
    call(
        host,
        request("GET", uri)
            .header("x-probe-arg", arg)
            .body(Bytes::new())
            .unwrap(),
    )
    .await
}

/// Minimal HTTP/1.1 client over a real socket.
pub async fn http_call(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Bytes,
) -> (u16, http::HeaderMap, Bytes) {
    use http_body_util::{BodyExt, Full};
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(conn);
    let mut req = http::Request::builder()
        .method(method)
        .uri(path)
        .header("host", addr.to_string());
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let response = sender
        .send_request(req.body(Full::new(body)).unwrap())
        .await
        .unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, headers, body)
}

/// A request body the test feeds by hand: the component waits on it until
/// the test sends the last chunk (or drops the sender).
pub struct HeldBody(pub tokio::sync::mpsc::Receiver<Bytes>);

impl http_body::Body for HeldBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        self.0
            .poll_recv(cx)
            .map(|chunk| chunk.map(|c| Ok(http_body::Frame::data(c))))
    }
}

/// A request whose body stays open until the returned sender sends or drops.
pub fn held_request(
    method: &str,
    uri: &str,
) -> (http::Request<HeldBody>, tokio::sync::mpsc::Sender<Bytes>) {
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    (request(method, uri).body(HeldBody(rx)).unwrap(), tx)
}

/// Waits (up to 30 s) until `check` holds for the host's metrics.
pub async fn wait_for(host: &Host, what: &str, check: impl Fn(&spin_test_host::Metrics) -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let m = host.metrics();
        if check(&m) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}: {m:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

/// After a request has left its instance, gives the worker a moment to
/// mark itself available again (it does so right after the response head is
/// sent, on its own thread), so that the next request can be taken by it.
pub async fn settle(host: &Host) {
    wait_for(host, "no request in flight", |m| m.in_flight == 0).await;
    tokio::time::sleep(std::time::Duration::from_millis(25)).await;
}
