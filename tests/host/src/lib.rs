//! spin-test-host: runs Spin 4 HTTP components (spin-sdk 7, `wasi:http@0.3`)
//! from a `spin.toml` (manifest v2), for tests and CI where the Spin CLI is not
//! available. It implements the subset of Spin the project needs; it is not Spin.
//! See README.md for what is and is not supported.

mod bindings;
mod clock;
mod errors;
mod files;
mod key_value;
pub mod manifest;
mod metrics;
mod outbound;
mod runtime;
mod server;
mod spin_id;
mod sqlite;
mod state;
mod template;
pub mod trigger;
mod variables;

use anyhow::{Context, Result, bail};
use bytes::Bytes;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

pub use clock::TestClock;
pub use errors::{HostError, Language, preferred_language};
pub use metrics::Metrics;
pub use server::RunningHost;
pub use sqlite::database_path;
pub use trigger::cron::CronTriggerDecl;

use manifest::Manifest;
use metrics::MetricsRecorder;
use runtime::Runtime;
use trigger::http::Router;
use variables::AppVariables;

/// Default cap on request bodies (413 above it).
pub const DEFAULT_MAX_REQUEST_BODY_BYTES: usize = 64 * 1024 * 1024;

/// Environment variable naming the wasmtime compilation cache directory.
pub const CACHE_DIR_ENV: &str = "SPIN_TEST_HOST_CACHE_DIR";

/// How to load an application.
#[derive(Clone)]
pub struct HostOptions {
    /// Path of `spin.toml`.
    pub manifest: PathBuf,
    /// Where SQLite files (and copied `files`) live; created if missing.
    pub state_dir: PathBuf,
    /// Application variable values; these win over `SPIN_VARIABLE_*` and defaults.
    pub variables: HashMap<String, String>,
    /// When set, the guests' wall clock.
    pub clock: Option<TestClock>,
    /// Read `SPIN_VARIABLE_<NAME>` environment variables (as `spin up` does).
    pub read_env_variables: bool,
    /// wasmtime compilation cache directory. `None`: `$SPIN_TEST_HOST_CACHE_DIR`,
    /// else `<target>/spin-test-host-cache` when a component lives under a Cargo
    /// `target` directory, else `<state_dir>/wasmtime-cache`.
    pub cache_dir: Option<PathBuf>,
    /// Requests with a larger body get 413.
    pub max_request_body_bytes: usize,
    /// Extra environment variables for every component (like `spin up --env`),
    /// added to each component's manifest `environment`.
    pub env: HashMap<String, String>,
}

impl std::fmt::Debug for HostOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Variable values may be secrets: only their names are printed.
        let mut names: Vec<&String> = self.variables.keys().collect();
        names.sort();
        f.debug_struct("HostOptions")
            .field("manifest", &self.manifest)
            .field("state_dir", &self.state_dir)
            .field("variables", &names)
            .field("clock", &self.clock)
            .field("read_env_variables", &self.read_env_variables)
            .field("cache_dir", &self.cache_dir)
            .field("max_request_body_bytes", &self.max_request_body_bytes)
            .field("env", &self.env.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl HostOptions {
    pub fn new(manifest: impl Into<PathBuf>, state_dir: impl Into<PathBuf>) -> Self {
        Self {
            manifest: manifest.into(),
            state_dir: state_dir.into(),
            variables: HashMap::new(),
            clock: None,
            read_env_variables: true,
            cache_dir: None,
            max_request_body_bytes: DEFAULT_MAX_REQUEST_BODY_BYTES,
            env: HashMap::new(),
        }
    }

    /// Sets one application variable (builder style).
    pub fn variable(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.variables.insert(name.into(), value.into());
        self
    }
}

/// A loaded application. Cheap to clone; `Send + Sync`.
#[derive(Clone)]
pub struct Host {
    inner: Arc<Inner>,
}

struct Inner {
    runtime: Runtime,
    router: Router,
    cron: Vec<CronTriggerDecl>,
    metrics: MetricsRecorder,
    max_body: usize,
    request_ids: AtomicU64,
    request_id_prefix: u32,
    app_name: String,
}

/// One row of the route table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteInfo {
    pub component: String,
    /// The route as written in the manifest (e.g. `/api/...`).
    pub route: String,
    /// The path part for display (e.g. `/api`).
    pub path: String,
    pub wildcard: bool,
}

impl Host {
    /// Parses and validates the manifest, resolves variables, compiles and
    /// pre-instantiates every triggered component.
    pub fn load(opts: HostOptions) -> Result<Host> {
        let manifest = Manifest::load(&opts.manifest)?;
        let env_lookup = |name: &str| std::env::var(name).ok();
        let variables = AppVariables::resolve(
            &manifest,
            &opts.variables,
            opts.read_env_variables
                .then_some(&env_lookup as variables::EnvLookup<'_>),
        )?;
        std::fs::create_dir_all(&opts.state_dir).with_context(|| {
            format!("cannot create state directory {}", opts.state_dir.display())
        })?;
        let state_dir = opts
            .state_dir
            .canonicalize()
            .with_context(|| format!("cannot resolve {}", opts.state_dir.display()))?;

        let router = Router::build(&manifest.triggers.http)?;
        let mut component_ids: Vec<String> = manifest
            .triggers
            .http
            .iter()
            .map(|t| t.component.clone())
            .chain(manifest.triggers.cron.iter().map(|t| t.component.clone()))
            .collect();
        component_ids.sort();
        component_ids.dedup();
        if component_ids.is_empty() {
            bail!("the manifest has no triggers: nothing to run");
        }

        let cache_dir = opts
            .cache_dir
            .clone()
            .or_else(|| std::env::var_os(CACHE_DIR_ENV).map(PathBuf::from))
            .or_else(|| {
                component_ids
                    .iter()
                    .filter_map(|id| manifest.component_source_path(id))
                    .find_map(|p| cargo_target_dir(&p))
                    .map(|t| t.join("spin-test-host-cache"))
            })
            .unwrap_or_else(|| state_dir.join("wasmtime-cache"));

        let runtime = Runtime::load(
            &manifest,
            &variables,
            &state_dir,
            Some(&cache_dir),
            opts.clock.clone(),
            &opts.env,
            &component_ids,
        )?;
        for route in router.routes() {
            if runtime.components[&route.component].service_pre.is_none() {
                bail!(
                    "component {:?} (route {}) does not export wasi:http/handler@0.3.0; only spin-sdk 7 (WASIp3) HTTP components are supported",
                    route.component,
                    route.raw
                );
            }
        }

        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos() ^ (d.as_secs() as u32))
            .unwrap_or(0)
            ^ std::process::id().rotate_left(16);
        Ok(Host {
            inner: Arc::new(Inner {
                runtime,
                router,
                cron: manifest.triggers.cron.clone(),
                metrics: MetricsRecorder::default(),
                max_body: opts.max_request_body_bytes,
                request_ids: AtomicU64::new(1),
                request_id_prefix: seed,
                app_name: manifest.application.name.clone(),
            }),
        })
    }

    /// The application name from `[application]`.
    pub fn app_name(&self) -> &str {
        &self.inner.app_name
    }

    /// The HTTP route table, in manifest order.
    pub fn routes(&self) -> Vec<RouteInfo> {
        self.inner
            .router
            .routes()
            .iter()
            .map(|r| RouteInfo {
                component: r.component.clone(),
                route: r.raw.clone(),
                path: r.display_path().to_string(),
                wildcard: r.wildcard_prefix.is_some(),
            })
            .collect()
    }

    /// `[[trigger.cron]]` declarations (parsed, not run by this host).
    pub fn cron_triggers(&self) -> &[CronTriggerDecl] {
        &self.inner.cron
    }

    pub fn metrics(&self) -> Metrics {
        self.inner.metrics.snapshot()
    }

    fn next_request_id(&self) -> String {
        let n = self.inner.request_ids.fetch_add(1, Ordering::Relaxed);
        format!("{:08x}{:08x}", self.inner.request_id_prefix, n)
    }

    /// Handles one request in-process, exactly as the server would.
    pub async fn handle(
        &self,
        req: http::Request<Bytes>,
        client_addr: SocketAddr,
    ) -> http::Response<Bytes> {
        let inner = &self.inner;
        inner.metrics.request();
        let request_id = self.next_request_id();
        if req.body().len() > inner.max_body {
            return HostError::BodyTooLarge {
                limit: inner.max_body,
            }
            .response(req.headers(), &request_id);
        }
        let path = req.uri().path().to_string();
        if path == "/.well-known/spin/health" {
            return http::Response::new(Bytes::from_static(b"OK"));
        }
        let Some(route_match) = inner.router.route(&path) else {
            return HostError::NotFound.response(req.headers(), &request_id);
        };
        let component = &inner.runtime.components[&route_match.route.component];
        let error_headers = req.headers().clone();
        let method = req.method().clone();
        let mut req = req;
        let result = match trigger::http::prepare_request(&mut req, &route_match, client_addr) {
            Ok(()) => trigger::http::execute(&inner.runtime, component, req, &inner.metrics).await,
            Err(err) => Err(err),
        };
        match result {
            Ok(response) => response,
            Err(err) => {
                inner.metrics.failure();
                eprintln!(
                    "[spin-test-host] request {request_id} {method} {path}: component {:?} failed: {err:?}",
                    component.config.id
                );
                HostError::ComponentFailed.response(&error_headers, &request_id)
            }
        }
    }

    /// Serves HTTP/1.1 on `listener` until the returned future is dropped or aborted.
    pub async fn serve(&self, listener: tokio::net::TcpListener) -> Result<()> {
        server::serve(self.clone(), listener).await
    }

    /// Binds `addr` (e.g. `127.0.0.1:0`) and serves in a background task; the
    /// server stops when the returned [`RunningHost`] is dropped.
    pub async fn spawn(&self, addr: &str) -> Result<RunningHost> {
        server::spawn(self.clone(), addr).await
    }

    pub(crate) fn max_body(&self) -> usize {
        self.inner.max_body
    }

    pub(crate) fn body_too_large(&self, headers: &http::HeaderMap) -> http::Response<Bytes> {
        self.inner.metrics.request();
        let request_id = self.next_request_id();
        HostError::BodyTooLarge {
            limit: self.inner.max_body,
        }
        .response(headers, &request_id)
    }
}

/// The Cargo `target` directory a path lies in, if any.
fn cargo_target_dir(path: &Path) -> Option<PathBuf> {
    let path = path.canonicalize().ok()?;
    path.ancestors()
        .find(|a| a.file_name().is_some_and(|n| n == "target"))
        .map(Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync + Clone>() {}

    #[test]
    fn host_is_send_sync_clone() {
        assert_send_sync::<Host>();
    }

    #[test]
    fn options_debug_hides_variable_values() {
        let opts = HostOptions::new("spin.toml", ".spin").variable("api_token", "hunter2");
        let printed = format!("{opts:?}");
        assert!(printed.contains("api_token"), "{printed}");
        assert!(!printed.contains("hunter2"), "{printed}");
    }

    #[test]
    fn finds_cargo_target_dir() {
        let dir = tempfile::tempdir().unwrap();
        let wasm = dir.path().join("target/wasm32-wasip2/release/x.wasm");
        std::fs::create_dir_all(wasm.parent().unwrap()).unwrap();
        std::fs::write(&wasm, b"").unwrap();
        assert_eq!(
            cargo_target_dir(&wasm).unwrap(),
            dir.path().canonicalize().unwrap().join("target")
        );
    }
}
