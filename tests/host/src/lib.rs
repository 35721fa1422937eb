//! spin-test-host: runs Spin 4 HTTP components (spin-sdk 7, `wasi:http@0.3`)
//! from a `spin.toml` (manifest v2), for tests and CI where the Spin CLI is not
//! available. It implements the subset of Spin the project needs; it is not Spin.
//! See README.md for what is and is not supported.

mod bindings;
mod clock;
mod control;
mod errors;
mod files;
mod key_value;
pub mod manifest;
mod metrics;
mod outbound;
mod reuse;
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
use http_body_util::BodyExt as _;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

pub use clock::TestClock;
pub use control::serve_control;
pub use errors::HostError;
pub use metrics::Metrics;
pub use reuse::{
    DEFAULT_IDLE_INSTANCE_TIMEOUT, DEFAULT_MAX_INSTANCE_CONCURRENT_REUSE_COUNT,
    DEFAULT_MAX_INSTANCE_REUSE_COUNT, Range, parse_duration,
};
pub use server::RunningHost;
pub use sqlite::database_path;
pub use trigger::cron::{CronSchedule, CronScheduler, CronTriggerDecl};
pub use trigger::http::ResponseBody;

use manifest::Manifest;
use metrics::MetricsRecorder;
use reuse::InstanceReuse;
use runtime::Runtime;
use trigger::http::Router;
use variables::AppVariables;
use wasmtime_wasi_http::handler::ErrorCode as HandlerErrorCode;
use wasmtime_wasi_http::p3::bindings::http::types::ErrorCode;

/// Spin's reserved prefix (`spin_http::WELL_KNOWN_PREFIX`).
const WELL_KNOWN_PREFIX: &str = "/.well-known/spin/";

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
    /// Extra environment variables for every component (like `spin up --env`),
    /// added to each component's manifest `environment`.
    pub env: HashMap<String, String>,
    /// Requests one instance serves before it is dropped (`spin up
    /// --max-instance-reuse-count`; default 128).
    pub max_instance_reuse_count: Range<usize>,
    /// Requests one instance serves at the same time (`spin up
    /// --max-instance-concurrent-reuse-count`; default 16).
    pub max_instance_concurrent_reuse_count: Range<usize>,
    /// How long an idle instance is kept for reuse (`spin up
    /// --idle-instance-timeout`; default 1 s).
    pub idle_instance_timeout: Range<Duration>,
    /// How long a request may take before it expires (`spin up
    /// --request-timeout`; default none).
    pub request_timeout: Option<Range<Duration>>,
    /// Not in Spin: when set, every distinct SQL statement a component runs
    /// is appended to this file as a JSON line `{"component", "sql"}` (for
    /// checking the query plans of what a test suite ran). Default: off.
    pub sql_log: Option<PathBuf>,
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
            .field("env", &self.env.keys().collect::<Vec<_>>())
            .field("max_instance_reuse_count", &self.max_instance_reuse_count)
            .field(
                "max_instance_concurrent_reuse_count",
                &self.max_instance_concurrent_reuse_count,
            )
            .field("idle_instance_timeout", &self.idle_instance_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("sql_log", &self.sql_log)
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
            env: HashMap::new(),
            max_instance_reuse_count: Range::Value(DEFAULT_MAX_INSTANCE_REUSE_COUNT),
            max_instance_concurrent_reuse_count: Range::Value(
                DEFAULT_MAX_INSTANCE_CONCURRENT_REUSE_COUNT,
            ),
            idle_instance_timeout: Range::Value(DEFAULT_IDLE_INSTANCE_TIMEOUT),
            request_timeout: None,
            sql_log: None,
        }
    }

    /// A fresh instance for every request (`--max-instance-reuse-count 1`,
    /// `--max-instance-concurrent-reuse-count 1`).
    pub fn single_use_instances(mut self) -> Self {
        self.max_instance_reuse_count = Range::Value(1);
        self.max_instance_concurrent_reuse_count = Range::Value(1);
        self
    }

    fn reuse(&self) -> InstanceReuse {
        InstanceReuse {
            max_instance_reuse_count: self.max_instance_reuse_count,
            max_instance_concurrent_reuse_count: self.max_instance_concurrent_reuse_count,
            idle_instance_timeout: self.idle_instance_timeout,
            request_timeout: self.request_timeout,
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
    metrics: Arc<MetricsRecorder>,
    request_ids: AtomicU64,
    app_name: String,
    descriptions: HashMap<String, String>,
    /// `GET /.well-known/spin/info`, as Spin renders it.
    app_info: Bytes,
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
    /// The component's `description`, which `spin up` prints under its route.
    pub description: Option<String>,
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

        let metrics = Arc::new(MetricsRecorder::default());
        let runtime = Runtime::load(
            &manifest,
            &variables,
            &state_dir,
            Some(&cache_dir),
            opts.clock.clone(),
            &opts.env,
            &component_ids,
            opts.reuse(),
            &metrics,
            opts.sql_log.as_deref(),
        )?;
        for route in router.routes() {
            if runtime.components[&route.component].http.is_none() {
                bail!(
                    "component {:?} (route {}) does not export wasi:http/handler@0.3.0; only spin-sdk 7 (WASIp3) HTTP components are supported",
                    route.component,
                    route.raw
                );
            }
        }

        // Spin's `AppInfo`: name, and version when the manifest has one.
        let mut info = serde_json::Map::new();
        info.insert("name".into(), manifest.application.name.clone().into());
        if let Some(version) = &manifest.application.version {
            info.insert("version".into(), version.clone().into());
        }
        let app_info = serde_json::to_vec_pretty(&info)?;
        Ok(Host {
            inner: Arc::new(Inner {
                runtime,
                router,
                cron: manifest.triggers.cron.clone(),
                metrics,
                request_ids: AtomicU64::new(1),
                app_name: manifest.application.name.clone(),
                descriptions: manifest
                    .components
                    .iter()
                    .filter_map(|(id, c)| Some((id.clone(), c.description.clone()?)))
                    .collect(),
                app_info: Bytes::from(app_info),
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
                description: self.inner.descriptions.get(&r.component).cloned(),
            })
            .collect()
    }

    /// `[[trigger.cron]]` declarations (run by `Host::run_cron`,
    /// `Host::spawn_cron`; `trigger/cron.rs`).
    pub fn cron_triggers(&self) -> &[CronTriggerDecl] {
        &self.inner.cron
    }

    pub fn metrics(&self) -> Metrics {
        self.inner.metrics.snapshot()
    }

    /// Each component's peak instance memory: the largest linear memory one
    /// of its instances has had, in bytes, since the load. With reuse, an instance's peak is the
    /// high-water mark of every request it served (Wasm memory never
    /// shrinks); with [`HostOptions::single_use_instances`] it is one
    /// request's.
    pub fn peak_instance_memory(&self) -> std::collections::BTreeMap<String, u64> {
        self.inner.metrics.memory_peaks()
    }

    /// Handles one request in-process, exactly as the server would, and
    /// collects the response body. A body that fails after the head (the
    /// instance trapped while streaming it) is a 500, as the client of a
    /// real server would see a cut-off response.
    pub async fn handle(
        &self,
        req: http::Request<Bytes>,
        client_addr: SocketAddr,
    ) -> http::Response<Bytes> {
        let req = req.map(|body| {
            http_body_util::Full::new(body)
                .map_err(|never| match never {})
                .boxed_unsync()
        });
        let (parts, body) = self.handle_streaming(req, client_addr).await.into_parts();
        match body.collect().await {
            Ok(collected) => http::Response::from_parts(parts, collected.to_bytes()),
            Err(err) => {
                self.inner.metrics.failure();
                eprintln!("[spin-test-host] response body failed: {err:?}");
                HostError::ComponentFailed.response()
            }
        }
    }

    /// Handles one request whose body streams into the component as it
    /// arrives (as Spin does); the response body streams out of the instance.
    pub async fn handle_streaming<B>(
        &self,
        req: http::Request<B>,
        client_addr: SocketAddr,
    ) -> http::Response<ResponseBody>
    where
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: std::fmt::Display,
    {
        let full = |r: http::Response<Bytes>| {
            r.map(|b| {
                http_body_util::Full::new(b)
                    .map_err(|never| match never {})
                    .boxed_unsync()
            })
        };
        let inner = &self.inner;
        inner.metrics.request();
        let n = inner.request_ids.fetch_add(1, Ordering::Relaxed);
        let path = req.uri().path().to_string();
        if let Some(well_known) = path.strip_prefix(WELL_KNOWN_PREFIX) {
            return full(match well_known {
                "health" => http::Response::new(Bytes::from_static(b"OK")),
                "info" => {
                    let mut r = http::Response::new(inner.app_info.clone());
                    r.headers_mut().insert(
                        http::header::CONTENT_TYPE,
                        http::HeaderValue::from_static("application/json"),
                    );
                    r
                }
                _ => HostError::NotFound.response(),
            });
        }
        let Some(route_match) = inner.router.route(&path) else {
            return full(HostError::NotFound.response());
        };
        let component = &inner.runtime.components[&route_match.route.component];
        let method = req.method().clone();
        let mut req = req.map(|body| {
            body.map_err(|e| {
                HandlerErrorCode::from(ErrorCode::InternalError(Some(format!("request body: {e}"))))
            })
            .boxed_unsync()
        });
        let result: Result<http::Response<ResponseBody>> =
            match trigger::http::prepare_request(&mut req, &route_match, client_addr) {
                Ok(()) => trigger::http::execute(component, req).await,
                Err(err) => Err(err),
            };
        match result {
            Ok(response) => response,
            Err(err) => {
                inner.metrics.failure();
                eprintln!(
                    "[spin-test-host] request #{n} {method} {path}: component {:?} failed: {err:#}",
                    component.config.id
                );
                full(HostError::ComponentFailed.response())
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
