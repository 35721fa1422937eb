//! Instance reuse, as Spin 4's HTTP trigger does it for WASIp3 components.
//!
//! Spin (`crates/trigger-http/src/lib.rs` and `server.rs`) hands every
//! `wasi:http/handler@0.3.0` request to wasmtime-wasi-http's
//! [`ProxyHandler`](wasmtime_wasi_http::handler::ProxyHandler), which keeps a
//! pool of "workers", each one component instance in its own `Store`. A
//! worker takes another request while its current ones are all waiting on
//! I/O, up to `max_instance_concurrent_reuse_count` at once and
//! `max_instance_reuse_count` in its life, and exits after
//! `idle_instance_timeout` without work. This host uses the same
//! `ProxyHandler` with the same policy (the [`HandlerState`] and
//! [`WorkerState`] below play the parts of Spin's `HttpHandlerState` and
//! `HttpWorkerState`), so a component sees exactly the reuse it will see on
//! Spin. Spin's defaults: 128 requests, 16 at once, 1 s idle, no request
//! timeout. A range (`a..b`, end exclusive) is sampled per instance, as in
//! Spin.

use std::fmt;
use std::pin::Pin;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use wasmtime::component::GuestTaskId;
use wasmtime::{Store, StoreContextMut};
use wasmtime_wasi_http::handler::{
    HandlerState, Instance, Proxy, ShouldAccept, ViewFn, WorkerExpiration, WorkerState,
    WorkerStatus,
};
use wasmtime_wasi_http::p3::bindings::ServicePre;
use wasmtime_wasi_http::p3::{WasiHttpCtxView, WasiHttpView};

use crate::metrics::MetricsRecorder;
use crate::runtime::{ComponentConfig, StoreFactory};
use crate::state::StoreState;

/// Spin's default for WASIp3 components (`DEFAULT_WASIP3_MAX_INSTANCE_REUSE_COUNT`).
pub const DEFAULT_MAX_INSTANCE_REUSE_COUNT: usize = 128;
/// Spin's default (`DEFAULT_WASIP3_MAX_INSTANCE_CONCURRENT_REUSE_COUNT`).
pub const DEFAULT_MAX_INSTANCE_CONCURRENT_REUSE_COUNT: usize = 16;
/// Spin's default `--idle-instance-timeout`.
pub const DEFAULT_IDLE_INSTANCE_TIMEOUT: Duration = Duration::from_secs(1);

/// A value, or a range `a..b` (end exclusive) sampled once per instance, as
/// Spin's `--max-instance-reuse-count 1..8` and friends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Range<T> {
    Value(T),
    Bounds(T, T),
}

impl<T: Copy + PartialOrd + fmt::Debug> Range<T> {
    fn check(self) -> Result<Self, String> {
        match self {
            Range::Bounds(a, b) if a >= b => Err(format!("empty range {a:?}..{b:?}")),
            other => Ok(other),
        }
    }
}

impl Range<usize> {
    pub(crate) fn sample(self) -> usize {
        match self {
            Range::Value(v) => v,
            Range::Bounds(a, b) => a + (next_random() % (b - a) as u64) as usize,
        }
    }
}

impl Range<Duration> {
    pub(crate) fn sample(self) -> Duration {
        match self {
            Range::Value(v) => v,
            Range::Bounds(a, b) => {
                let span = (b - a).as_nanos().min(u64::MAX as u128) as u64;
                a + Duration::from_nanos(next_random() % span.max(1))
            }
        }
    }
}

impl FromStr for Range<usize> {
    type Err = String;

    /// `N` or `a..b`, as Spin's `parse_usize_range`.
    fn from_str(s: &str) -> Result<Self, String> {
        let error =
            |e: std::num::ParseIntError| format!("expected integer or range; got {s:?}; {e}");
        let range = match s.split_once("..") {
            Some((a, b)) => Range::Bounds(a.parse().map_err(error)?, b.parse().map_err(error)?),
            None => Range::Value(s.parse().map_err(error)?),
        };
        range.check()
    }
}

impl FromStr for Range<Duration> {
    type Err = String;

    /// A duration (`1`, `1s`, `500ms`, `10us`, `10μs`, `100ns`; a bare number is
    /// seconds) or a range of them (`1..8s`), as Spin's `parse_duration_range`.
    fn from_str(s: &str) -> Result<Self, String> {
        let range = match s.split_once("..") {
            Some((a, b)) => Range::Bounds(parse_duration(a)?, parse_duration(b)?),
            None => Range::Value(parse_duration(s)?),
        };
        range.check()
    }
}

/// One duration the way Spin's `ParsedDuration` reads it.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let error = |e: std::num::ParseIntError| {
        format!("expected integer suffixed by `s`, `ms`, `us`, `μs`, or `ns`; got {s:?}; {e}")
    };
    if let Ok(secs) = s.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    if let Some(n) = s.strip_suffix("ms") {
        Ok(Duration::from_millis(n.parse().map_err(error)?))
    } else if let Some(n) = s.strip_suffix("us").or_else(|| s.strip_suffix("μs")) {
        Ok(Duration::from_micros(n.parse().map_err(error)?))
    } else if let Some(n) = s.strip_suffix("ns") {
        Ok(Duration::from_nanos(n.parse().map_err(error)?))
    } else if let Some(n) = s.strip_suffix('s') {
        Ok(Duration::from_secs(n.parse().map_err(error)?))
    } else {
        Err(error(s.parse::<u64>().unwrap_err()))
    }
}

/// splitmix64 over a shared counter seeded from the clock: enough to pick a
/// value in a range per instance (not for secrets).
fn next_random() -> u64 {
    static STATE: AtomicU64 = AtomicU64::new(0);
    let mut seed = STATE.load(Ordering::Relaxed);
    if seed == 0 {
        seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1)
            | 1;
    }
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    STATE.store(z, Ordering::Relaxed);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The reuse policy of every HTTP component (Spin's `InstanceReuseConfig`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstanceReuse {
    pub max_instance_reuse_count: Range<usize>,
    pub max_instance_concurrent_reuse_count: Range<usize>,
    pub idle_instance_timeout: Range<Duration>,
    /// `None`: requests may take as long as they like (Spin's default).
    pub request_timeout: Option<Range<Duration>>,
}

impl Default for InstanceReuse {
    fn default() -> Self {
        Self {
            max_instance_reuse_count: Range::Value(DEFAULT_MAX_INSTANCE_REUSE_COUNT),
            max_instance_concurrent_reuse_count: Range::Value(
                DEFAULT_MAX_INSTANCE_CONCURRENT_REUSE_COUNT,
            ),
            idle_instance_timeout: Range::Value(DEFAULT_IDLE_INSTANCE_TIMEOUT),
            request_timeout: None,
        }
    }
}

/// Spin's `HttpHandlerState`: makes a new store and instance for a worker.
pub(crate) struct ComponentHandler {
    pub(crate) factory: StoreFactory,
    pub(crate) config: Arc<ComponentConfig>,
    pub(crate) service_pre: ServicePre<StoreState>,
    pub(crate) reuse: InstanceReuse,
    pub(crate) metrics: Arc<MetricsRecorder>,
}

fn http_view(state: &mut StoreState) -> WasiHttpCtxView<'_> {
    state.http()
}

impl HandlerState for ComponentHandler {
    type StoreData = StoreState;
    type WorkerExpiration = Expiration;
    type WorkerState = Worker;

    async fn instantiate(&self) -> wasmtime::Result<Instance<StoreState, Expiration, Worker>> {
        let started = Instant::now();
        let mut store = self
            .factory
            .new_store(&self.config)
            .map_err(|e| wasmtime::format_err!("{e:#}"))?;
        let service = self.service_pre.instantiate_async(&mut store).await?;
        self.metrics.instantiated(started.elapsed());
        let request_timeout = self
            .reuse
            .request_timeout
            .map(Range::<Duration>::sample)
            .unwrap_or(Duration::MAX);
        Ok(Instance {
            store,
            proxy: Proxy::P3(service),
            view: ViewFn::P3(http_view),
            expiration: Expiration {
                idle_timeout: self.reuse.idle_instance_timeout.sample(),
                request_timeout,
                sleep: Box::pin(tokio::time::sleep(Duration::MAX)),
            },
            state: Worker {
                component: self.config.id.clone(),
                request_timeout,
                max_instance_reuse_count: self.reuse.max_instance_reuse_count.sample(),
                max_instance_concurrent_reuse_count: self
                    .reuse
                    .max_instance_concurrent_reuse_count
                    .sample(),
                active: Arc::new(AtomicUsize::new(0)),
                served: AtomicUsize::new(0),
                metrics: self.metrics.clone(),
            },
        })
    }
}

/// Spin's `HttpWorkerExpiration`: idle instances go after the idle timeout,
/// busy ones after the request timeout.
pub(crate) struct Expiration {
    idle_timeout: Duration,
    request_timeout: Duration,
    sleep: Pin<Box<tokio::time::Sleep>>,
}

impl WorkerExpiration for Expiration {
    fn poll(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        status: WorkerStatus,
        start: Instant,
    ) -> Poll<()> {
        let timeout = match status {
            WorkerStatus::Idle => self.idle_timeout,
            WorkerStatus::Requests | WorkerStatus::PostReturn => self.request_timeout,
        };
        let Some(deadline) = start.checked_add(timeout) else {
            return Poll::Pending;
        };
        let deadline = tokio::time::Instant::from_std(deadline);
        if self.sleep.deadline() != deadline {
            self.sleep.as_mut().reset(deadline);
        }
        self.sleep.as_mut().poll(cx)
    }
}

/// Spin's `HttpWorkerState`, plus the counters the host reports.
pub(crate) struct Worker {
    component: Arc<str>,
    request_timeout: Duration,
    max_instance_reuse_count: usize,
    max_instance_concurrent_reuse_count: usize,
    /// Requests this instance is handling now.
    active: Arc<AtomicUsize>,
    /// Requests this instance has accepted in its life.
    served: AtomicUsize,
    metrics: Arc<MetricsRecorder>,
}

/// Counts a request as in flight in its instance until dropped (when the
/// guest has produced the response head, or the request expired).
struct InFlight {
    active: Arc<AtomicUsize>,
    metrics: Arc<MetricsRecorder>,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.active.fetch_sub(1, Ordering::SeqCst);
        self.metrics.request_left_instance();
    }
}

impl WorkerState for Worker {
    type StoreData = StoreState;
    type RequestId = ();

    fn should_accept_request(&self, concurrent_count: usize, total_count: usize) -> ShouldAccept {
        if total_count >= self.max_instance_reuse_count {
            ShouldAccept::Never
        } else if concurrent_count >= self.max_instance_concurrent_reuse_count {
            ShouldAccept::No
        } else {
            ShouldAccept::Yes
        }
    }

    fn on_request_start(
        &self,
        _store: StoreContextMut<'_, StoreState>,
        _id: (),
        _task: GuestTaskId,
    ) -> Pin<Box<dyn Future<Output = ()> + Send + Sync + 'static>> {
        let concurrent = self.active.fetch_add(1, Ordering::SeqCst) + 1;
        let served = self.served.fetch_add(1, Ordering::SeqCst) + 1;
        self.metrics
            .request_entered_instance(concurrent as u64, served as u64);
        let guard = InFlight {
            active: self.active.clone(),
            metrics: self.metrics.clone(),
        };
        let timeout = self.request_timeout;
        Box::pin(async move {
            let _guard = guard;
            tokio::time::sleep(timeout).await;
        })
    }

    fn drop(&self, store: Store<StoreState>, result: Result<(), wasmtime::Error>) {
        self.metrics.instance_dropped();
        // wasmtime-wasi-http reports "worker panicked" also when the worker's
        // task is dropped with its runtime (a test ending): only a real
        // panic, seen while unwinding, is worth a line then.
        let shutdown = result
            .as_ref()
            .is_err_and(|e| e.to_string() == "worker panicked" && !std::thread::panicking());
        if let Err(error) = result
            && !shutdown
        {
            eprintln!(
                "[spin-test-host] component {:?}: instance dropped after a failure: {error:?}",
                self.component
            );
        }
        drop(store);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_counts_and_ranges_like_spin() {
        assert_eq!("128".parse::<Range<usize>>(), Ok(Range::Value(128)));
        assert_eq!("1..8".parse::<Range<usize>>(), Ok(Range::Bounds(1, 8)));
        assert!("8..1".parse::<Range<usize>>().is_err());
        let err = "many".parse::<Range<usize>>().unwrap_err();
        assert!(
            err.starts_with("expected integer or range; got \"many\""),
            "{err}"
        );
        for _ in 0..100 {
            let n = Range::Bounds(1usize, 8).sample();
            assert!((1..8).contains(&n), "{n}");
        }
    }

    #[test]
    fn parses_durations_like_spin() {
        let d = |s: &str| s.parse::<Range<Duration>>();
        assert_eq!(d("1"), Ok(Range::Value(Duration::from_secs(1))));
        assert_eq!(d("2s"), Ok(Range::Value(Duration::from_secs(2))));
        assert_eq!(d("250ms"), Ok(Range::Value(Duration::from_millis(250))));
        assert_eq!(d("10us"), Ok(Range::Value(Duration::from_micros(10))));
        assert_eq!(d("10μs"), Ok(Range::Value(Duration::from_micros(10))));
        assert_eq!(d("7ns"), Ok(Range::Value(Duration::from_nanos(7))));
        assert_eq!(
            d("1s..3s"),
            Ok(Range::Bounds(
                Duration::from_secs(1),
                Duration::from_secs(3)
            ))
        );
        let err = d("1h").unwrap_err();
        assert!(
            err.contains("expected integer suffixed by `s`, `ms`"),
            "{err}"
        );
        let sampled = Range::Bounds(Duration::from_millis(10), Duration::from_millis(20)).sample();
        assert!(sampled >= Duration::from_millis(10) && sampled < Duration::from_millis(20));
    }

    #[test]
    fn defaults_are_spins() {
        let r = InstanceReuse::default();
        assert_eq!(r.max_instance_reuse_count, Range::Value(128));
        assert_eq!(r.max_instance_concurrent_reuse_count, Range::Value(16));
        assert_eq!(
            r.idle_instance_timeout,
            Range::Value(Duration::from_secs(1))
        );
        assert_eq!(r.request_timeout, None);
    }
}
