//! Sliding-window rate limits kept in SQLite: a client's requests reach
//! many component instances, several at once, each reused for a while and
//! then dropped (`docs/platform.md`), so a count in memory would count
//! nothing.

use crate::clock::Clock;
use crate::error::{AppError, AppResult};
use crate::store::{Store, StoreError};

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
///
/// One statement decides and counts (`INSERT ... SELECT ... WHERE count <
/// max`): SQLite runs it under the write lock as a whole, so racing
/// requests on any number of instances never count past the limit, and the
/// lock is held for that one statement, not for a transaction of several.
/// Expired hits are pruned now and then (every [`PRUNE_EVERY`]th hit), so
/// the table stays about as small as the windows.
pub async fn hit<S: Store>(store: &S, clock: &dyn Clock, limit: Limit, subject: &str) -> AppResult<()> {
    let now = clock.now();
    let window_start = now.millis() - limit.window_secs * 1000;
    let counted = store
        .execute(
            "INSERT INTO rate_limit_hits (bucket, subject, at)
             SELECT ?1, ?2, ?3
              WHERE (SELECT COUNT(*) FROM rate_limit_hits WHERE bucket = ?1 AND subject = ?2 AND at > ?4) < ?5
             RETURNING rowid",
            &[limit.bucket.into(), subject.into(), now.millis().into(), window_start.into(), i64::from(limit.max).into()],
        )
        .await?;
    if let Some(row) = counted.first() {
        if row.int("rowid")? % PRUNE_EVERY == 0 {
            prune(store, limit, window_start).await?;
        }
        return Ok(());
    }
    let rows = store
        .execute(
            "SELECT MIN(at) AS oldest FROM rate_limit_hits WHERE bucket = ? AND subject = ? AND at > ?",
            &[limit.bucket.into(), subject.into(), window_start.into()],
        )
        .await?;
    let oldest = rows.first().map(|r| r.opt_int("oldest")).transpose()?.flatten().unwrap_or(now.millis());
    let free_at = crate::clock::Timestamp(oldest).plus_seconds(limit.window_secs);
    Err(AppError::too_many_requests(now.seconds_until(free_at)))
}

/// How often a counted hit also prunes its bucket's expired hits.
pub const PRUNE_EVERY: i64 = 64;

/// Deletes the bucket's hits that left its window (every subject's).
async fn prune<S: Store>(store: &S, limit: Limit, window_start: i64) -> Result<(), StoreError> {
    store
        .execute("DELETE FROM rate_limit_hits WHERE bucket = ? AND at <= ?", &[limit.bucket.into(), window_start.into()])
        .await
        .map(drop)
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

    #[test]
    fn expired_hits_are_pruned_as_hits_go_on() {
        let (store, clock) = setup();
        let wide = Limit { max: 1_000, ..LIMIT };
        for n in 0..(2 * PRUNE_EVERY) {
            run(hit(&store, &clock, wide, &format!("client{n}"))).unwrap();
            clock.advance_seconds(1);
        }
        let rows = run(store.execute("SELECT COUNT(*) AS n, MIN(at) AS oldest FROM rate_limit_hits", &[])).unwrap();
        let row = rows.first().unwrap();
        assert!(row.int("n").unwrap() < 2 * PRUNE_EVERY, "some expired hits are gone");
        assert!(row.int("oldest").unwrap() >= clock.now().millis() - (60 + PRUNE_EVERY) * 1000, "nothing far older than the window stays");
    }

    #[test]
    fn racing_hits_on_many_connections_never_count_past_the_limit() {
        let db = crate::test_support::FileDatabase::new("rate-limit-race");
        let handles: Vec<_> = (0..12)
            .map(|_| {
                let store = db.open();
                std::thread::spawn(move || {
                    let clock = FixedClock::at(Timestamp(1_000_000));
                    (0..5).filter(|_| run(hit(&store, &clock, LIMIT, "racer")).is_ok()).count()
                })
            })
            .collect();
        let allowed: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
        assert_eq!(allowed, LIMIT.max as usize, "exactly the limit, however the hits interleave");
    }
}
