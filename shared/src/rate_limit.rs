//! Sliding-window rate limits kept in SQLite: a client's requests reach
//! many component instances, several at once, each reused for a while and
//! then dropped (`docs/platform.md`), so a count in memory would count
//! nothing.

use crate::clock::Clock;
use crate::error::{AppError, AppResult};
use crate::store::{Database, Store, StoreError, in_transaction};

/// At most `max` requests per `window_secs` for one subject in one bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub bucket: &'static str,
    pub max: u32,
    pub window_secs: i64,
}

/// Counts this request against `limit` for `subject` (a client address, an
/// account, a mobile number). Over the limit: a 429 error with
/// `Retry-After` = when the oldest counted request leaves the window; the
/// refused request is not counted.
pub async fn hit<D: Database>(db: &D, clock: &dyn Clock, limit: Limit, subject: &str) -> AppResult<()> {
    let now = clock.now();
    let window_start = now.millis() - limit.window_secs * 1000;
    let outcome: Result<Option<i64>, StoreError> = in_transaction(db, async |store| {
        // Every subject's expired hits in this bucket go, so the table stays
        // as small as the window whatever the number of clients.
        store
            .execute(
                "DELETE FROM rate_limit_hits WHERE bucket = ? AND at <= ?",
                &[limit.bucket.into(), window_start.into()],
            )
            .await?;
        let rows = store
            .execute(
                "SELECT COUNT(*) AS n, MIN(at) AS oldest FROM rate_limit_hits WHERE bucket = ? AND subject = ?",
                &[limit.bucket.into(), subject.into()],
            )
            .await?;
        let row = rows.first().ok_or_else(|| StoreError::Other("COUNT returned no row".into()))?;
        if row.int("n")? >= i64::from(limit.max) {
            return Ok(row.opt_int("oldest")?);
        }
        store
            .execute(
                "INSERT INTO rate_limit_hits (bucket, subject, at) VALUES (?, ?, ?)",
                &[limit.bucket.into(), subject.into(), now.millis().into()],
            )
            .await?;
        Ok(None)
    })
    .await;
    match outcome? {
        None => Ok(()),
        Some(oldest) => {
            let free_at = crate::clock::Timestamp(oldest).plus_seconds(limit.window_secs);
            Err(AppError::too_many_requests(now.seconds_until(free_at)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{FixedClock, Timestamp};
    use crate::store::{NativeStore, migrate};

    const LIMIT: Limit = Limit { bucket: "test", max: 3, window_secs: 60 };

    fn setup() -> (NativeStore, FixedClock) {
        let store = NativeStore::in_memory().unwrap();
        let clock = FixedClock::at(Timestamp(1_000_000));
        crate::store::native::block_on(migrate(&store, &clock)).unwrap();
        (store, clock)
    }

    fn run<F: std::future::Future>(f: F) -> F::Output {
        crate::store::native::block_on(f)
    }

    #[test]
    fn allows_up_to_the_limit_then_refuses_with_retry_after() {
        let (store, clock) = setup();
        for _ in 0..3 {
            run(hit(&store, &clock, LIMIT, "1.2.3.4")).unwrap();
            clock.advance_seconds(10);
        }
        let err = run(hit(&store, &clock, LIMIT, "1.2.3.4")).unwrap_err();
        assert_eq!(err.status, 429);
        // The first hit was 30 s ago; it leaves the 60 s window in 30 s.
        assert_eq!(err.headers, vec![("retry-after".to_owned(), "30".to_owned())]);
    }

    #[test]
    fn the_window_slides() {
        let (store, clock) = setup();
        for _ in 0..3 {
            run(hit(&store, &clock, LIMIT, "a")).unwrap();
        }
        assert!(run(hit(&store, &clock, LIMIT, "a")).is_err());
        clock.advance_seconds(60);
        run(hit(&store, &clock, LIMIT, "a")).unwrap();
    }

    #[test]
    fn subjects_and_buckets_are_independent() {
        let (store, clock) = setup();
        for _ in 0..3 {
            run(hit(&store, &clock, LIMIT, "a")).unwrap();
        }
        run(hit(&store, &clock, LIMIT, "b")).unwrap();
        run(hit(&store, &clock, Limit { bucket: "other", ..LIMIT }, "a")).unwrap();
    }

    #[test]
    fn refused_requests_are_not_counted() {
        let (store, clock) = setup();
        for _ in 0..3 {
            run(hit(&store, &clock, LIMIT, "a")).unwrap();
        }
        for _ in 0..10 {
            assert!(run(hit(&store, &clock, LIMIT, "a")).is_err());
        }
        let rows = run(store.execute("SELECT COUNT(*) AS n FROM rate_limit_hits", &[])).unwrap();
        assert_eq!(rows.first().unwrap().int("n").unwrap(), 3);
    }
}
