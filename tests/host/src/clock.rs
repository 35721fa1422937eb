//! A controllable wall clock for tests.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use wasmtime_wasi::HostWallClock;

/// A shared, settable wall clock. Clones share the same time. When passed in
/// [`crate::HostOptions::clock`] it becomes the guests' WASI wall clock
/// (`wasi:clocks/wall-clock@0.2` and the 0.3 system clock).
#[derive(Clone, Debug)]
pub struct TestClock {
    now: Arc<Mutex<SystemTime>>,
}

impl TestClock {
    /// A clock frozen at `start`.
    pub fn new(start: SystemTime) -> Self {
        Self {
            now: Arc::new(Mutex::new(start)),
        }
    }

    /// A clock frozen at the current real time.
    pub fn at_now() -> Self {
        Self::new(SystemTime::now())
    }

    pub fn now(&self) -> SystemTime {
        *self.now.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn set(&self, time: SystemTime) {
        *self.now.lock().unwrap_or_else(|e| e.into_inner()) = time;
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(|e| e.into_inner());
        *now += by;
    }
}

impl Default for TestClock {
    fn default() -> Self {
        Self::at_now()
    }
}

/// Adapter handed to `WasiCtxBuilder::wall_clock`.
pub(crate) struct GuestWallClock(pub(crate) TestClock);

impl HostWallClock for GuestWallClock {
    fn resolution(&self) -> Duration {
        Duration::from_nanos(1)
    }

    fn now(&self) -> Duration {
        // Times before the epoch are reported as the epoch.
        self.0.now().duration_since(UNIX_EPOCH).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_and_advance_are_shared_by_clones() {
        let clock = TestClock::new(UNIX_EPOCH + Duration::from_secs(100));
        let other = clock.clone();
        other.advance(Duration::from_secs(5));
        assert_eq!(clock.now(), UNIX_EPOCH + Duration::from_secs(105));
        clock.set(UNIX_EPOCH + Duration::from_secs(7));
        assert_eq!(GuestWallClock(other).now(), Duration::from_secs(7));
    }
}
