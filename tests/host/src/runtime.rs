//! The component runtime: one wasmtime `Engine`, one `Linker` with WASI 0.2 +
//! 0.3, `wasi:http` 0.3 and the Spin interfaces, every component compiled and
//! pre-instantiated once, and a `Store` per instance. HTTP components are
//! served by a [`ProxyHandler`] each, which reuses instances as Spin does
//! (see `reuse.rs`).

use anyhow::{Context, Result, bail};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::sync::atomic::{AtomicU64, Ordering};
use wasmtime::component::{Component, InstancePre, Linker, ResourceTable};
use wasmtime::{Engine, Store};
use wasmtime_wasi::{DirPerms, FilePerms, WasiCtxBuilder};
use wasmtime_wasi_http::WasiHttpCtx;
use wasmtime_wasi_http::handler::ProxyHandler;
use wasmtime_wasi_http::p3::bindings::ServicePre;

use crate::bindings::spin;
use crate::clock::{GuestWallClock, TestClock};
use crate::files;
use crate::manifest::Manifest;
use crate::metrics::MetricsRecorder;
use crate::metrics::MemoryRecorder;
use crate::outbound::{AllowedHosts, OutboundHooks};
use crate::sqlite::SqlLog;
use crate::reuse::{ComponentHandler, InstanceReuse};
use crate::state::{SpinHost, StoreState};
use crate::variables::{AppVariables, ComponentVariables};

/// What a component is allowed to use, resolved at load time.
#[derive(Debug)]
pub struct ComponentConfig {
    pub id: Arc<str>,
    pub variables: ComponentVariables,
    pub sqlite_databases: Vec<String>,
    pub key_value_stores: Vec<String>,
    pub allowed_hosts: Arc<AllowedHosts>,
    /// Host directory mounted read-only at `/` in the guest, if it has `files`.
    pub files_dir: Option<PathBuf>,
    pub environment: Vec<(String, String)>,
    pub state_dir: PathBuf,
    /// Where this component's instances record their memory peak.
    pub(crate) memory_peak: Arc<AtomicU64>,
    /// When set, every distinct SQL statement the component runs is logged.
    pub(crate) sql_log: Option<Arc<SqlLog>>,
}

/// A compiled, pre-instantiated component.
pub struct LoadedComponent {
    pub config: Arc<ComponentConfig>,
    /// Present when the component exports `wasi:http/handler@0.3.0`: the
    /// pool of instances that serves its HTTP requests.
    pub(crate) http: Option<ProxyHandler<ComponentHandler>>,
    /// For other exports (the cron trigger, `trigger/cron.rs`): a fresh
    /// instance per event.
    pub(crate) pre: InstancePre<StoreState>,
    pub(crate) factory: StoreFactory,
}

/// Makes the `Store` of a new instance.
#[derive(Clone)]
pub(crate) struct StoreFactory {
    engine: Engine,
    clock: Option<TestClock>,
}

pub struct Runtime {
    pub components: HashMap<String, LoadedComponent>,
    assets_dir: PathBuf,
}

static ASSET_DIRS: AtomicU64 = AtomicU64::new(0);

impl Runtime {
    pub fn load(
        manifest: &Manifest,
        variables: &AppVariables,
        state_dir: &Path,
        cache_dir: Option<&Path>,
        clock: Option<TestClock>,
        extra_env: &HashMap<String, String>,
        component_ids: &[String],
        reuse: InstanceReuse,
        metrics: &Arc<MetricsRecorder>,
        sql_log: Option<&Path>,
    ) -> Result<Self> {
        let sql_log = sql_log.map(SqlLog::open).transpose()?.map(Arc::new);
        let engine = new_engine(cache_dir)?;
        let linker = new_linker(&engine)?;
        let factory = StoreFactory {
            engine: engine.clone(),
            clock,
        };

        // Assets are copied into a directory private to this load, so that a
        // second host on the same state directory cannot disturb them.
        let assets_dir = state_dir.join("assets").join(format!(
            "{}-{}",
            std::process::id(),
            ASSET_DIRS.fetch_add(1, Ordering::Relaxed)
        ));

        check_store_labels(manifest, component_ids)?;
        let mut components = HashMap::new();
        for id in component_ids {
            let decl = &manifest.components[id];
            let source = manifest
                .component_source_path(id)
                .with_context(|| format!("component {id:?} has no local source"))?;
            if !source.is_file() {
                bail!(
                    "component {id:?}: source {} does not exist (build it first, e.g. `cargo build --target wasm32-wasip2 --release`)",
                    source.display()
                );
            }
            let component = Component::from_file(&engine, &source)
                .map_err(anyhow::Error::from)
                .with_context(|| {
                    format!("component {id:?}: cannot compile {}", source.display())
                })?;
            let instance_pre = linker
                .instantiate_pre(&component)
                .map_err(anyhow::Error::from)
                .with_context(|| {
                    format!("component {id:?}: imports something spin-test-host does not provide")
                })?;
            // A future trigger type (e.g. cron) would keep `instance_pre` and use
            // its own export; HTTP needs `wasi:http/handler@0.3.0`.
            let service_pre = ServicePre::new(instance_pre.clone()).ok();

            let files_dir = if decl.files.is_empty() {
                None
            } else {
                let dir = assets_dir.join(id);
                files::assemble(&manifest.dir, &decl.files, &decl.exclude_files, &dir)
                    .with_context(|| format!("component {id:?}: files"))?;
                Some(dir)
            };
            let config = ComponentConfig {
                id: Arc::from(id.as_str()),
                variables: ComponentVariables::resolve(id, &decl.variables, variables)
                    .with_context(|| format!("component {id:?}"))?,
                sqlite_databases: decl.sqlite_databases.clone(),
                key_value_stores: decl.key_value_stores.clone(),
                allowed_hosts: Arc::new(
                    AllowedHosts::parse(&decl.allowed_outbound_hosts, variables)
                        .with_context(|| format!("component {id:?}"))?,
                ),
                files_dir,
                environment: decl
                    .environment
                    .iter()
                    .filter(|(k, _)| !extra_env.contains_key(*k))
                    .chain(extra_env.iter())
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                state_dir: state_dir.to_path_buf(),
                memory_peak: metrics.memory_peak_of(&Arc::from(id.as_str())),
                sql_log: sql_log.clone(),
            };
            let config = Arc::new(config);
            let http = service_pre.map(|service_pre| {
                ProxyHandler::new(ComponentHandler {
                    factory: factory.clone(),
                    config: config.clone(),
                    service_pre,
                    reuse,
                    metrics: metrics.clone(),
                })
            });
            components.insert(id.clone(), LoadedComponent { config, http, pre: instance_pre, factory: factory.clone() });
        }
        Ok(Self {
            components,
            assets_dir,
        })
    }
}

impl StoreFactory {
    /// The guests' wall clock: the test clock when one is set.
    pub(crate) fn now(&self) -> std::time::SystemTime {
        self.clock.as_ref().map_or_else(std::time::SystemTime::now, TestClock::now)
    }

    /// A fresh store for one instance of the component configured by `config`.
    pub(crate) fn new_store(&self, config: &Arc<ComponentConfig>) -> Result<Store<StoreState>> {
        let mut wasi = WasiCtxBuilder::new();
        wasi.inherit_stdout()
            .inherit_stderr()
            .envs(&config.environment);
        if let Some(clock) = &self.clock {
            wasi.wall_clock(GuestWallClock(clock.clone()));
        }
        if let Some(dir) = &config.files_dir {
            wasi.preopened_dir(dir, "/", DirPerms::READ, FilePerms::READ)
                .map_err(anyhow::Error::from)
                .with_context(|| format!("cannot mount {}", dir.display()))?;
        }
        let state = StoreState {
            sqlite_connections: 0,
            wasi: wasi.build(),
            http: WasiHttpCtx::new(),
            table: ResourceTable::new(),
            outbound: OutboundHooks {
                component_id: config.id.clone(),
                allowed: config.allowed_hosts.clone(),
            },
            component: config.clone(),
            memory: MemoryRecorder::new(config.memory_peak.clone()),
        };
        let mut store = Store::new(&self.engine, state);
        store.limiter(|state| &mut state.memory);
        Ok(store)
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        if self.assets_dir.exists() {
            let _ = std::fs::remove_dir_all(&self.assets_dir);
        }
    }
}

/// Without a runtime-config file (which this host does not read), `spin up`
/// defines only the `default` SQLite database and the `default` key-value
/// store, and refuses to start when a component names another label; these
/// are its checks and messages (`factor-sqlite`'s
/// `ensure_allowed_databases_are_configured`, `factor-key-value`'s
/// `configure_app`).
fn check_store_labels(manifest: &Manifest, component_ids: &[String]) -> Result<()> {
    let mut undefined = Vec::new();
    for id in component_ids {
        for label in &manifest.components[id].sqlite_databases {
            if label != "default" {
                undefined.push(format!("- Component {id} uses database '{label}'"));
            }
        }
    }
    if !undefined.is_empty() {
        bail!(
            "One or more components use SQLite databases which are not defined.\n\
             Check the spelling, or pass a runtime configuration file that defines these stores.\n\
             See https://spinframework.dev/dynamic-configuration#sqlite-storage-runtime-configuration\n\
             Details:\n{}",
            undefined.join("\n")
        );
    }
    for id in component_ids {
        for label in &manifest.components[id].key_value_stores {
            if label != "default" {
                bail!("unknown key_value_stores label {label:?} for component {id:?}");
            }
        }
    }
    Ok(())
}

/// The engine of every load in this process with the same compile cache:
/// like Spin (one engine per process), so that hosts in one test process
/// share one instance pool instead of reserving one each.
fn new_engine(cache_dir: Option<&Path>) -> Result<Engine> {
    static ENGINES: Mutex<Vec<(Option<PathBuf>, Engine)>> = Mutex::new(Vec::new());
    let mut engines = ENGINES.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let key = cache_dir.map(Path::to_path_buf);
    if let Some((_, engine)) = engines.iter().find(|(dir, _)| *dir == key) {
        return Ok(engine.clone());
    }
    let engine = build_engine(cache_dir)?;
    engines.push((key, engine.clone()));
    Ok(engine)
}

fn build_engine(cache_dir: Option<&Path>) -> Result<Engine> {
    let mut config = wasmtime::Config::new();
    config.wasm_component_model(true);
    config.wasm_component_model_async(true);
    if let Some(dir) = cache_dir {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create cache directory {}", dir.display()))?;
        let mut cache_config = wasmtime::CacheConfig::new();
        cache_config.with_directory(dir);
        config.cache(Some(wasmtime::Cache::new(cache_config)?));
    }
    if pooling::available() {
        config.allocation_strategy(wasmtime::InstanceAllocationStrategy::Pooling(pooling::config()));
    }
    Ok(Engine::new(&config)?)
}

/// Spin's instance allocation (`crates/core/src/lib.rs`): the pooling
/// allocator where the machine can reserve its address space, with Spin's
/// sizes and its environment variables to change them
/// (`SPIN_MAX_INSTANCE_COUNT`, default 1000; `SPIN_WASMTIME_POOLING=0|1`).
/// An instance then starts from a warm slot whose memory is reset in place
/// (up to 2 MiB kept resident) instead of being mapped afresh.
mod pooling {
    use wasmtime::PoolingAllocationConfig;

    const MB: u64 = 1 << 20;
    const GB: u64 = 1 << 30;

    fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
        std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
    }

    pub(super) fn config() -> PoolingAllocationConfig {
        let max_instances: u32 = env("SPIN_MAX_INSTANCE_COUNT", 1_000);
        let mut pooling = PoolingAllocationConfig::new();
        pooling
            .total_component_instances(env("SPIN_WASMTIME_INSTANCE_COUNT", max_instances))
            .total_memories(env("SPIN_WASMTIME_TOTAL_MEMORIES", max_instances))
            .total_tables(env("SPIN_WASMTIME_TOTAL_TABLES", 2 * max_instances))
            .total_stacks(env("SPIN_WASMTIME_TOTAL_STACKS", max_instances))
            .total_core_instances(env("SPIN_WASMTIME_TOTAL_CORE_INSTANCES", 4 * max_instances))
            .table_elements(env("SPIN_WASMTIME_INSTANCE_TABLE_ELEMENTS", 100_000))
            .max_component_instance_size(env("SPIN_WASMTIME_INSTANCE_SIZE", 10 * MB) as usize)
            .max_core_instance_size(env("SPIN_WASMTIME_CORE_INSTANCE_SIZE", 10 * MB) as usize)
            .max_core_instances_per_component(env("SPIN_WASMTIME_CORE_INSTANCE_COUNT", 200))
            .max_tables_per_component(env("SPIN_WASMTIME_INSTANCE_TABLES", 64))
            .max_memories_per_component(env("SPIN_WASMTIME_INSTANCE_MEMORIES", 32))
            .max_tables_per_module(env("SPIN_WASMTIME_MAX_TABLES_PER_MODULE", 2))
            .max_memories_per_module(env("SPIN_WASMTIME_MAX_MEMORIES_PER_MODULE", 2))
            .max_memory_size(4 * GB as usize)
            .linear_memory_keep_resident(env("SPIN_WASMTIME_LINEAR_MEMORY_KEEP_RESIDENT", 2 * MB) as usize)
            .table_keep_resident(env("SPIN_WASMTIME_TABLE_KEEP_RESIDENT", MB / 2) as usize);
        pooling
    }

    /// Spin's probe: whether a 2^42-byte memory can be reserved here, unless
    /// `SPIN_WASMTIME_POOLING` says.
    pub(super) fn available() -> bool {
        static AVAILABLE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        *AVAILABLE.get_or_init(|| match std::env::var("SPIN_WASMTIME_POOLING").as_deref() {
            Ok("1") => true,
            Ok("0") => false,
            _ => {
                const BITS: u32 = 42;
                let mut config = wasmtime::Config::new();
                config.wasm_memory64(true);
                config.memory_reservation(1 << BITS);
                wasmtime::Engine::new(&config).is_ok_and(|engine| {
                    let mut store = wasmtime::Store::new(&engine, ());
                    wasmtime::Memory::new(&mut store, wasmtime::MemoryType::new64(0, Some(1 << (BITS - 16)))).is_ok()
                })
            }
        })
    }
}

fn new_linker(engine: &Engine) -> Result<Linker<StoreState>> {
    let mut linker = Linker::<StoreState>::new(engine);
    // Rust's wasm32-wasip2 std imports WASI 0.2; spin-sdk 7 imports WASI 0.3.
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    wasmtime_wasi::p3::add_to_linker(&mut linker)?;
    wasmtime_wasi_http::p3::add_to_linker(&mut linker)?;
    spin::sqlite::sqlite::add_to_linker::<_, SpinHost>(&mut linker, |s| s)?;
    spin::variables::variables::add_to_linker::<_, SpinHost>(&mut linker, |s| s)?;
    spin::key_value::key_value::add_to_linker::<_, SpinHost>(&mut linker, |s| s)?;
    Ok(linker)
}
