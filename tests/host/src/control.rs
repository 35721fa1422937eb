//! The test-only control port of `spin-test-host up --test-clock ...
//! --control-listen ADDR` (browser tests that travel in time): a tiny
//! HTTP/1.1 server on a loopback address, apart from the app's port, so
//! nothing of it can reach a component or be reached from the app's
//! origin. `POST /clock?unix=SECONDS` sets the guests' clock;
//! `POST /cron` runs one tick of every `[[trigger.cron]]` now and answers
//! `{"ticks": [{"component", "ok", "error"}]}`. Spin has nothing like it.

use anyhow::{Context, Result, bail};
use bytes::Bytes;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::time::{Duration, UNIX_EPOCH};

use crate::{Host, TestClock};

/// Serves the control port on `listener` until the future is dropped.
pub async fn serve_control(host: Host, clock: TestClock, listener: tokio::net::TcpListener) -> Result<()> {
    if !listener.local_addr()?.ip().is_loopback() {
        bail!("the control port listens on loopback addresses only");
    }
    loop {
        let (stream, _) = listener.accept().await.context("control port")?;
        let (host, clock) = (host.clone(), clock.clone());
        tokio::spawn(async move {
            let service = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                let (host, clock) = (host.clone(), clock.clone());
                async move { Ok::<_, Infallible>(answer(&host, &clock, req.method().as_str(), req.uri()).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
        });
    }
}

async fn answer(host: &Host, clock: &TestClock, method: &str, uri: &http::Uri) -> hyper::Response<Full<Bytes>> {
    let json = |status: u16, body: serde_json::Value| {
        hyper::Response::builder()
            .status(status)
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(body.to_string())))
            .unwrap_or_default()
    };
    match (method, uri.path()) {
        ("POST", "/clock") => {
            let unix = uri.query().unwrap_or("").split('&').find_map(|p| p.strip_prefix("unix=")).and_then(|v| v.parse::<u64>().ok());
            match unix {
                Some(secs) => {
                    clock.set(UNIX_EPOCH + Duration::from_secs(secs));
                    json(200, serde_json::json!({ "unix": secs }))
                }
                None => json(400, serde_json::json!({ "error": "POST /clock?unix=SECONDS" })),
            }
        }
        ("POST", "/cron") => {
            let ticks: Vec<_> = host
                .run_cron_triggers()
                .await
                .into_iter()
                .map(|(component, outcome)| serde_json::json!({ "component": component, "ok": outcome.is_ok(), "error": outcome.err() }))
                .collect();
            json(200, serde_json::json!({ "ticks": ticks }))
        }
        _ => json(404, serde_json::json!({ "error": "POST /clock?unix=SECONDS or POST /cron" })),
    }
}
