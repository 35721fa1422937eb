//! Time is passed in. Flows never read the system clock themselves, so SMS
//! code expiry, lockouts and working-day due times are testable without
//! sleeping: natively with [`FixedClock`], and through the test host with a
//! controlled WASI wall clock.

use std::cell::Cell;

/// Milliseconds since the Unix epoch, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn millis(self) -> i64 {
        self.0
    }

    pub fn plus_seconds(self, secs: i64) -> Timestamp {
        Timestamp(self.0 + secs * 1000)
    }

    /// Whole seconds from `self` until `later`, rounded up; 0 when past.
    pub fn seconds_until(self, later: Timestamp) -> u64 {
        let ms = later.0 - self.0;
        if ms <= 0 { 0 } else { ((ms + 999) / 1000) as u64 }
    }
}

pub trait Clock {
    fn now(&self) -> Timestamp;
}

/// The platform clock: in a component this is the WASI wall clock, which the
/// host provides (and the test host can control).
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let since = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        Timestamp(since.as_millis() as i64)
    }
}

/// A clock that only moves when told to; for native tests.
#[derive(Debug, Clone)]
pub struct FixedClock(Cell<i64>);

impl FixedClock {
    pub fn at(t: Timestamp) -> Self {
        FixedClock(Cell::new(t.0))
    }

    pub fn advance_seconds(&self, secs: i64) {
        self.0.set(self.0.get() + secs * 1000);
    }

    pub fn advance_millis(&self, millis: i64) {
        self.0.set(self.0.get() + millis);
    }

    pub fn set(&self, t: Timestamp) {
        self.0.set(t.0);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.0.get())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_until_rounds_up_and_never_goes_negative() {
        let t = Timestamp(10_000);
        assert_eq!(t.seconds_until(Timestamp(10_001)), 1);
        assert_eq!(t.seconds_until(Timestamp(12_000)), 2);
        assert_eq!(t.seconds_until(Timestamp(9_000)), 0);
    }

    #[test]
    fn fixed_clock_moves_only_when_told() {
        let c = FixedClock::at(Timestamp(0));
        assert_eq!(c.now(), Timestamp(0));
        c.advance_seconds(61);
        assert_eq!(c.now(), Timestamp(61_000));
    }
}
