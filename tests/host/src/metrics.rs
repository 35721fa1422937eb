//! Counters for the benchmark.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// A snapshot of the host's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Metrics {
    /// Requests handled (any outcome, including 404 and 413).
    pub requests: u64,
    /// Requests that reached a component (one instantiation each).
    pub instantiations: u64,
    /// Component failures (trap, error, or invalid response): answered with 500.
    pub component_failures: u64,
    /// Total time spent creating stores and instantiating components.
    pub instantiate_total: Duration,
    /// Time spent on the most recent instantiation.
    pub instantiate_last: Duration,
}

impl Metrics {
    /// Average Store creation + instantiation cost per component request.
    pub fn instantiate_average(&self) -> Duration {
        if self.instantiations == 0 {
            Duration::ZERO
        } else {
            self.instantiate_total / self.instantiations as u32
        }
    }
}

#[derive(Default)]
pub(crate) struct MetricsRecorder {
    requests: AtomicU64,
    instantiations: AtomicU64,
    failures: AtomicU64,
    instantiate_total_nanos: AtomicU64,
    instantiate_last_nanos: AtomicU64,
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
        self.instantiations.fetch_add(1, Ordering::Relaxed);
        self.instantiate_total_nanos
            .fetch_add(nanos, Ordering::Relaxed);
        self.instantiate_last_nanos.store(nanos, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> Metrics {
        Metrics {
            requests: self.requests.load(Ordering::Relaxed),
            instantiations: self.instantiations.load(Ordering::Relaxed),
            component_failures: self.failures.load(Ordering::Relaxed),
            instantiate_total: Duration::from_nanos(
                self.instantiate_total_nanos.load(Ordering::Relaxed),
            ),
            instantiate_last: Duration::from_nanos(
                self.instantiate_last_nanos.load(Ordering::Relaxed),
            ),
        }
    }
}
