//! Counters: for the benchmark, and for tests that observe instance reuse.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A snapshot of the host's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Metrics {
    /// Requests handled (any outcome, including 404).
    pub requests: u64,
    /// Component instances created (one per worker; a worker serves up to
    /// `max_instance_reuse_count` requests).
    pub instantiations: u64,
    /// Instances dropped (idle timeout, reuse count reached, or a failure).
    pub instances_dropped: u64,
    /// Requests a component failed (trap, error code, or invalid response): answered with 500.
    pub component_failures: u64,
    /// Requests inside an instance right now (accepted, response head not yet produced).
    pub in_flight: u64,
    /// The most requests one instance has handled at the same time.
    pub peak_instance_concurrency: u64,
    /// The most requests one instance has accepted in its life.
    pub peak_instance_requests: u64,
    /// Total time spent creating stores and instantiating components.
    pub instantiate_total: Duration,
    /// Time spent on the most recent instantiation.
    pub instantiate_last: Duration,
    /// The largest linear memory any instance has had, in bytes (its
    /// high-water mark: Wasm memory only grows). Per component:
    /// [`crate::Host::peak_instance_memory`].
    pub peak_instance_memory: u64,
}

impl Metrics {
    /// Average Store creation + instantiation cost per instance.
    pub fn instantiate_average(&self) -> Duration {
        if self.instantiations == 0 {
            Duration::ZERO
        } else {
            self.instantiate_total / self.instantiations as u32
        }
    }

    /// Instances alive now.
    pub fn live_instances(&self) -> u64 {
        self.instantiations - self.instances_dropped
    }
}

#[derive(Default)]
pub(crate) struct MetricsRecorder {
    requests: AtomicU64,
    instantiations: AtomicU64,
    instances_dropped: AtomicU64,
    failures: AtomicU64,
    in_flight: AtomicU64,
    peak_concurrency: AtomicU64,
    peak_requests: AtomicU64,
    instantiate_total_nanos: AtomicU64,
    instantiate_last_nanos: AtomicU64,
    /// Per component, the largest linear memory one of its instances had.
    memory_peaks: Mutex<HashMap<Arc<str>, Arc<AtomicU64>>>,
}

impl MetricsRecorder {
    pub(crate) fn request(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn failure(&self) {
        self.failures.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn instantiated(&self, took: Duration) {
        let nanos = u64::try_from(took.as_nanos()).unwrap_or(u64::MAX);
        self.instantiations.fetch_add(1, Ordering::SeqCst);
        self.instantiate_total_nanos
            .fetch_add(nanos, Ordering::Relaxed);
        self.instantiate_last_nanos.store(nanos, Ordering::Relaxed);
    }

    pub(crate) fn instance_dropped(&self) {
        self.instances_dropped.fetch_add(1, Ordering::SeqCst);
    }

    /// A request entered an instance that now handles `concurrent` requests
    /// and has accepted `served` in its life.
    pub(crate) fn request_entered_instance(&self, concurrent: u64, served: u64) {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        self.peak_concurrency
            .fetch_max(concurrent, Ordering::SeqCst);
        self.peak_requests.fetch_max(served, Ordering::SeqCst);
    }

    pub(crate) fn request_left_instance(&self) {
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
    }

    /// The cell where instances of `component` record their memory peak.
    pub(crate) fn memory_peak_of(&self, component: &Arc<str>) -> Arc<AtomicU64> {
        let mut peaks = self.memory_peaks.lock().unwrap_or_else(|e| e.into_inner());
        peaks.entry(component.clone()).or_default().clone()
    }

    /// Each component's peak instance memory, in bytes (components whose
    /// instances never ran are absent).
    pub(crate) fn memory_peaks(&self) -> BTreeMap<String, u64> {
        let peaks = self.memory_peaks.lock().unwrap_or_else(|e| e.into_inner());
        peaks
            .iter()
            .map(|(id, peak)| (id.to_string(), peak.load(Ordering::Relaxed)))
            .filter(|(_, bytes)| *bytes > 0)
            .collect()
    }

    pub(crate) fn snapshot(&self) -> Metrics {
        Metrics {
            requests: self.requests.load(Ordering::Relaxed),
            instantiations: self.instantiations.load(Ordering::SeqCst),
            instances_dropped: self.instances_dropped.load(Ordering::SeqCst),
            component_failures: self.failures.load(Ordering::Relaxed),
            in_flight: self.in_flight.load(Ordering::SeqCst),
            peak_instance_concurrency: self.peak_concurrency.load(Ordering::SeqCst),
            peak_instance_requests: self.peak_requests.load(Ordering::SeqCst),
            instantiate_total: Duration::from_nanos(
                self.instantiate_total_nanos.load(Ordering::Relaxed),
            ),
            instantiate_last: Duration::from_nanos(
                self.instantiate_last_nanos.load(Ordering::Relaxed),
            ),
            peak_instance_memory: self.memory_peaks().values().copied().max().unwrap_or(0),
        }
    }
}

/// A `ResourceLimiter` that limits nothing: it records the largest linear
/// memory of its instance in the component's peak cell.
pub(crate) struct MemoryRecorder {
    peak: Arc<AtomicU64>,
}

impl MemoryRecorder {
    pub(crate) fn new(peak: Arc<AtomicU64>) -> Self {
        Self { peak }
    }
}

impl wasmtime::ResourceLimiter for MemoryRecorder {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        // Called for the initial size too; a growth that then fails leaves a
        // peak one step high, which only a guest running out of memory sees.
        self.peak.fetch_max(desired as u64, Ordering::Relaxed);
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        _desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(true)
    }
}
