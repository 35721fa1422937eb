//! A wake-up at a given instant, to the microsecond: the paced clients'
//! schedule ([`crate::load`]).
//!
//! Tokio's timer counts in whole milliseconds and rounds a deadline up to
//! the next one, so a client paced with `tokio::time::sleep_until` sends
//! each request 0-1 ms after it was due. The paced figures count a latency
//! from the time a request was due (a stall must not hide the requests it
//! kept from being sent), so that rounding was added to every paced
//! latency: measured, the median of Spin's own health route went from
//! 0.1 ms at the socket to 1.1 ms in the figure. A Linux timerfd wakes the
//! task through the same event loop, on the kernel's high-resolution
//! timers.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::time::{Duration, Instant};
use tokio::io::Interest;
use tokio::io::unix::AsyncFd;

/// One client's timer (a timerfd on `CLOCK_MONOTONIC`, the clock
/// [`Instant`] reads on Linux).
pub struct Pacer {
    fd: AsyncFd<OwnedFd>,
}

impl Pacer {
    pub fn new() -> io::Result<Pacer> {
        // SAFETY: timerfd_create takes no pointers; a negative result is an error.
        let raw = unsafe { libc::timerfd_create(libc::CLOCK_MONOTONIC, libc::TFD_NONBLOCK | libc::TFD_CLOEXEC) };
        if raw < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `raw` is a new descriptor that nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        // SAFETY: the `OwnedFd` is moved in, so the descriptor stays open
        // and the same for as long as the `AsyncFd` holds it.
        let fd = unsafe { AsyncFd::register_with_interest(fd, Interest::READABLE) }.map_err(|e| e.into_parts().1)?;
        Ok(Pacer { fd })
    }

    /// Returns at `due` or just after it (at once if it has passed).
    pub async fn sleep_until(&self, due: Instant) -> io::Result<()> {
        let now = Instant::now();
        if due <= now {
            return Ok(());
        }
        self.arm(due - now)?;
        loop {
            let mut ready = self.fd.readable().await?;
            let mut expirations = [0u8; 8];
            // SAFETY: reads at most 8 bytes into a buffer of 8.
            match ready.try_io(|fd| match unsafe { libc::read(fd.as_raw_fd(), expirations.as_mut_ptr().cast(), 8) } {
                8 => Ok(()),
                _ => Err(io::Error::last_os_error()),
            }) {
                Ok(Ok(())) => return Ok(()),
                Ok(Err(e)) => return Err(e),
                // Not expired yet: readiness was stale.
                Err(_would_block) => continue,
            }
        }
    }

    fn arm(&self, after: Duration) -> io::Result<()> {
        let zero = libc::timespec { tv_sec: 0, tv_nsec: 0 };
        let spec = libc::itimerspec {
            it_interval: zero,
            it_value: libc::timespec {
                tv_sec: after.as_secs().try_into().unwrap_or(libc::time_t::MAX),
                // A zero it_value would disarm the timer.
                tv_nsec: libc::c_long::from(after.subsec_nanos().max(1)),
            },
        };
        // SAFETY: `spec` outlives the call; the old value is not asked for.
        match unsafe { libc::timerfd_settime(self.fd.as_raw_fd(), 0, &spec, std::ptr::null_mut()) } {
            0 => Ok(()),
            _ => Err(io::Error::last_os_error()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn wakes_no_earlier_than_due_and_at_once_when_past() {
        let pacer = Pacer::new().unwrap();
        for micros in [1, 150, 2_500] {
            let due = Instant::now() + Duration::from_micros(micros);
            pacer.sleep_until(due).await.unwrap();
            assert!(Instant::now() >= due, "woke before {micros} µs");
        }
        let past = Instant::now() - Duration::from_millis(5);
        pacer.sleep_until(past).await.unwrap();
        // Re-armed after a wake: the next sleep waits again.
        let due = Instant::now() + Duration::from_millis(3);
        pacer.sleep_until(due).await.unwrap();
        assert!(Instant::now() >= due);
    }
}
