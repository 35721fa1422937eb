//! HTTP/1.1 server (hyper) in front of [`Host::handle`].

use anyhow::{Context, Result};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::convert::Infallible;
use std::net::SocketAddr;
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

use crate::{Host, ResponseBody};

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
                    // As Spin's server: HTTP/1.1, and HTTP/2 with prior knowledge.
                    let result = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                    if let Err(err) = result {
                        let incomplete = err
                            .downcast_ref::<hyper::Error>()
                            .is_some_and(hyper::Error::is_incomplete_message);
                        if !incomplete {
                            eprintln!("[spin-test-host] connection from {client_addr}: {err}");
                        }
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
) -> http::Response<ResponseBody> {
    // The body streams into the component as it arrives, as on Spin.
    host.handle_streaming(req, client_addr).await
}
