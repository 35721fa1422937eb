//! HTTP/1.1 server (hyper) in front of [`Host::handle`].

use anyhow::{Context, Result};
use bytes::Bytes;
use http_body_util::{BodyExt as _, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::net::SocketAddr;
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

use crate::Host;

/// A server started by [`Host::spawn`]; dropping it stops the server and its connections.
pub struct RunningHost {
    pub addr: SocketAddr,
    task: JoinHandle<Result<()>>,
}

impl RunningHost {
    /// `http://<addr>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for RunningHost {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub(crate) async fn spawn(host: Host, addr: &str) -> Result<RunningHost> {
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(serve(host, listener));
    Ok(RunningHost { addr, task })
}

pub(crate) async fn serve(host: Host, listener: TcpListener) -> Result<()> {
    // Connections live in this set, so aborting `serve` closes them too.
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, client_addr) = match accepted {
                    Ok(accepted) => accepted,
                    Err(err) => {
                        // E.g. too many open files: keep serving the others.
                        eprintln!("[spin-test-host] accept failed: {err}");
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let host = host.clone();
                connections.spawn(async move {
                    let service = service_fn(move |req| {
                        let host = host.clone();
                        async move { Ok::<_, Infallible>(handle_incoming(&host, req, client_addr).await) }
                    });
                    let result = hyper::server::conn::http1::Builder::new()
                        .keep_alive(true)
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                    if let Err(err) = result
                        && !err.is_incomplete_message()
                    {
                        eprintln!("[spin-test-host] connection from {client_addr}: {err}");
                    }
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

async fn handle_incoming(
    host: &Host,
    req: http::Request<Incoming>,
    client_addr: SocketAddr,
) -> http::Response<Full<Bytes>> {
    let limit = host.max_body();
    let declared_too_large = req
        .headers()
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|len| len > limit as u64);
    let (parts, body) = req.into_parts();
    if declared_too_large {
        return host.body_too_large(&parts.headers).map(Full::new);
    }
    let body = match Limited::new(body, limit).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(err) if err.downcast_ref::<LengthLimitError>().is_some() => {
            return host.body_too_large(&parts.headers).map(Full::new);
        }
        Err(err) => {
            let mut response = http::Response::new(Full::new(Bytes::from(format!(
                "failed to read request body: {err}"
            ))));
            *response.status_mut() = http::StatusCode::BAD_REQUEST;
            return response;
        }
    };
    host.handle(http::Request::from_parts(parts, body), client_addr)
        .await
        .map(Full::new)
}
