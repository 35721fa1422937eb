//! Sliding-window rate limits kept in SQLite: a client's requests reach
//! many component instances, several at once, each reused for a while and
//! then dropped (`docs/platform.md`), so the count lives in the store; an
//! instance reserves blocks of quota there so that most hits write nothing
//! ([`hit`]).

use crate::clock::Clock;
use crate::error::{AppError, AppResult};
use crate::store::{Database, Store, StoreError};
use std::collections::BTreeMap;
use std::sync::Mutex;

/// At most `max` requests per `window_secs` for one subject in one bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub bucket: &'static str,
    pub max: u32,
    pub window_secs: i64,
}

/// Counts this request against `limit` for `subject` (a client address, an
/// account, a mobile number). Over the limit: a 429 error with
/// `Retry-After` = when the oldest counted hit leaves the window; a refused
/// request is not counted.
///
/// The store is the one count, shared by every instance and kept across
/// restarts. To keep light requests off the write lock, an instance does
/// not write every hit: it *reserves* a block of the window's remaining
/// quota in one write (a row of `weight` hits, counted from that moment)
/// and spends it on the next hits of the same subject without writing.
/// Reserving counts hits before they happen, so the limit is never passed,
/// however many instances count at once; what a block leaves unspent is
/// counted anyway (a client may be refused a little early, never late).
/// Blocks are a small share of what is left ([`block_size`]): near the
/// limit every hit is written, exactly. Deciding, sizing and counting are
/// one statement (`INSERT ... SELECT ... WHERE sum < max`), so racing
/// reservations never pass the limit either, and a reservation is one
/// round trip to the store.
///
/// A refusal is kept by the instance too, until the oldest counted hit
/// leaves the window (no hit can be allowed before: hits only leave the
/// window with time): a client hammering past its limit costs the store
/// one write attempt and one read per instance, not one per request.
pub async fn hit<D: Database>(db: &D, clock: &dyn Clock, limit: Limit, subject: &str) -> AppResult<()> {
    let now = clock.now().millis();
    match db.reserved_quota().spend(limit, subject, now) {
        Spend::Spent => return Ok(()),
        Spend::Refused { oldest } => return Err(refusal(now, Some(oldest), limit)),
        Spend::AskTheStore => {}
    }
    let window_start = now - limit.window_secs * 1000;
    if let Some(reserved) = reserve(db, limit, subject, now, window_start).await? {
        db.reserved_quota().keep(limit, subject, reserved.weight - 1, now);
        if reserved.rowid % PRUNE_EVERY == 0 {
            prune(db, limit, window_start).await?;
        }
        return Ok(());
    }
    let oldest = oldest_hit(db, limit, subject, window_start).await?;
    if let Some(oldest) = oldest {
        db.reserved_quota().refused(limit, subject, oldest, now);
    }
    Err(refusal(now, oldest, limit))
}

/// How many hits one reservation counts when `left` remain in the window:
/// a 64th of them ([`BLOCK_SHARE`]), at least 1 and at most [`MAX_BLOCK`].
/// So a limit of a few dozen (what protects an oracle or a password) is
/// counted hit by hit, exactly, even when 16 requests of one client arrive
/// at once; only roomy limits are counted in blocks, where what a burst
/// leaves unspent is a sliver of the limit. The reservation's statement
/// applies this rule in SQL ([`reserve`]; a test holds the two together).
pub fn block_size(left: i64) -> i64 {
    (left / BLOCK_SHARE).clamp(1, MAX_BLOCK)
}

/// A block is at most this share (1/n) of what the window has left.
pub const BLOCK_SHARE: i64 = 64;

/// The most hits one reservation counts.
pub const MAX_BLOCK: i64 = 64;

/// How often a counted reservation also prunes its bucket's expired hits.
pub const PRUNE_EVERY: i64 = 64;

/// The hit that leaves the window first (when the window has room again).
async fn oldest_hit<S: Store>(store: &S, limit: Limit, subject: &str, window_start: i64) -> Result<Option<i64>, StoreError> {
    let rows = store
        .execute(
            "SELECT MIN(at) AS oldest FROM rate_limit_hits WHERE bucket = ? AND subject = ? AND at > ?",
            &[limit.bucket.into(), subject.into(), window_start.into()],
        )
        .await?;
    Ok(rows.first().map(|r| r.opt_int("oldest")).transpose()?.flatten())
}

/// What a subject's hits in the window weigh (`?1` bucket, `?2` subject,
/// `?4` the window's start): read from the window's index alone.
const WINDOW_SUM: &str = "SELECT COALESCE(SUM(weight), 0) AS used FROM rate_limit_hits WHERE bucket = ?1 AND subject = ?2 AND at > ?4";

/// A counted reservation: its row and how many hits it counted.
struct Reserved {
    rowid: i64,
    weight: i64,
}

/// Counts a block of hits now ([`block_size`] of what the window has
/// left) if any room is left: deciding, sizing and counting are one
/// statement, so racing reservations never pass the limit. `None`: no room.
async fn reserve<S: Store>(store: &S, limit: Limit, subject: &str, now: i64, window_start: i64) -> Result<Option<Reserved>, StoreError> {
    let rows = store
        .execute(
            &format!(
                "INSERT INTO rate_limit_hits (bucket, subject, at, weight)
                 SELECT ?1, ?2, ?3, MIN(MAX((?5 - used) / ?6, 1), ?7) FROM ({WINDOW_SUM}) WHERE used < ?5
                 RETURNING rowid, weight"
            ),
            &[
                limit.bucket.into(),
                subject.into(),
                now.into(),
                window_start.into(),
                i64::from(limit.max).into(),
                BLOCK_SHARE.into(),
                MAX_BLOCK.into(),
            ],
        )
        .await?;
    rows.first().map(|r| Ok(Reserved { rowid: r.int("rowid")?, weight: r.int("weight")? })).transpose()
}

fn refusal(now: i64, oldest: Option<i64>, limit: Limit) -> AppError {
    let now = crate::clock::Timestamp(now);
    let free_at = crate::clock::Timestamp(oldest.unwrap_or(now.millis())).plus_seconds(limit.window_secs);
    AppError::too_many_requests(now.seconds_until(free_at))
}

/// The longest window any limit counts (a day: verification checks per
/// account); hits older than this count for nothing.
pub const LONGEST_WINDOW_SECS: i64 = 86_400;

/// Deletes, at most `limit` at a time, the hits of every bucket older than
/// the longest window (housekeeping; counted hits also prune their own
/// bucket as they go). Returns how many rows.
pub async fn prune_expired<S: Store>(store: &S, now: i64, limit: u32) -> Result<u64, StoreError> {
    let rows = store
        .execute(
            "DELETE FROM rate_limit_hits WHERE rowid IN (SELECT rowid FROM rate_limit_hits WHERE at <= ? ORDER BY at LIMIT ?) RETURNING at",
            &[(now - LONGEST_WINDOW_SECS * 1000).into(), i64::from(limit).into()],
        )
        .await?;
    Ok(rows.len() as u64)
}

/// Deletes the bucket's hits that left its window (every subject's).
async fn prune<S: Store>(store: &S, limit: Limit, window_start: i64) -> Result<(), StoreError> {
    store
        .execute("DELETE FROM rate_limit_hits WHERE bucket = ? AND at <= ?", &[limit.bucket.into(), window_start.into()])
        .await
        .map(drop)
}

/// The quota an instance reserved and has not spent yet, per bucket and
/// subject, and the subjects it saw refused. It holds counts, nothing of a
/// request or a user; a block is spent only within half its window after
/// it was counted, so its hits are inside the window they were counted in.
#[derive(Debug, Default)]
pub struct ReservedQuota {
    blocks: Mutex<BTreeMap<(&'static str, String), Kept>>,
}

#[derive(Debug, Clone, Copy)]
enum Kept {
    /// `left` hits reserved, to spend until `spend_until`.
    Block { left: i64, spend_until: i64, max: u32 },
    /// Refused until `free_at`, when the hit counted at `oldest` leaves the window.
    Refused { oldest: i64, free_at: i64, max: u32 },
}

impl Kept {
    fn max(&self) -> u32 {
        match *self {
            Kept::Block { max, .. } | Kept::Refused { max, .. } => max,
        }
    }

    /// Whether it still says anything at `now`.
    fn live(&self, now: i64) -> bool {
        match *self {
            Kept::Block { left, spend_until, .. } => left > 0 && now <= spend_until,
            Kept::Refused { free_at, .. } => now < free_at,
        }
    }
}

/// What the instance knows of a hit without asking the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Spend {
    /// Counted in a block reserved earlier.
    Spent,
    /// Over the limit until the hit counted at `oldest` leaves the window.
    Refused { oldest: i64 },
    AskTheStore,
}

/// At most this many subjects are kept (an instance serves at most a few
/// thousand requests; more only drops what is kept early: still correct).
const MAX_BLOCKS: usize = 1024;

impl ReservedQuota {
    pub const fn new() -> ReservedQuota {
        ReservedQuota { blocks: Mutex::new(BTreeMap::new()) }
    }

    fn spend(&self, limit: Limit, subject: &str, now: i64) -> Spend {
        let mut blocks = self.blocks.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let key = (limit.bucket, subject.to_owned());
        let Some(kept) = blocks.get_mut(&key) else { return Spend::AskTheStore };
        if kept.max() != limit.max || !kept.live(now) {
            blocks.remove(&key);
            return Spend::AskTheStore;
        }
        match kept {
            Kept::Block { left, .. } => {
                *left -= 1;
                Spend::Spent
            }
            Kept::Refused { oldest, .. } => Spend::Refused { oldest: *oldest },
        }
    }

    /// Keeps what a reservation left unspent, with what an earlier one of
    /// this instance left (requests of one instance run at once): spent by
    /// the earliest deadline of the two, so every hit stays in its window.
    fn keep(&self, limit: Limit, subject: &str, left: i64, now: i64) {
        if left <= 0 {
            return;
        }
        let spend_until = now + limit.window_secs * 1000 / 2;
        let mut blocks = self.blocks.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(Kept::Block { left: l, spend_until: until, max }) = blocks.get_mut(&(limit.bucket, subject.to_owned()))
            && *max == limit.max
            && now <= *until
        {
            *l += left;
            *until = (*until).min(spend_until);
            return;
        }
        Self::insert(&mut blocks, limit, subject, Kept::Block { left, spend_until, max: limit.max }, now);
    }

    /// Keeps a refusal: the store counted the limit, the oldest hit at `oldest`.
    fn refused(&self, limit: Limit, subject: &str, oldest: i64, now: i64) {
        let free_at = oldest + limit.window_secs * 1000;
        let mut blocks = self.blocks.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        Self::insert(&mut blocks, limit, subject, Kept::Refused { oldest, free_at, max: limit.max }, now);
    }

    fn insert(blocks: &mut BTreeMap<(&'static str, String), Kept>, limit: Limit, subject: &str, kept: Kept, now: i64) {
        let key = (limit.bucket, subject.to_owned());
        if blocks.len() >= MAX_BLOCKS && !blocks.contains_key(&key) {
            blocks.retain(|_, k| k.live(now));
            if blocks.len() >= MAX_BLOCKS {
                return;
            }
        }
        blocks.insert(key, kept);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{FixedClock, Timestamp};
    use crate::store::{NativeStore, Value, migrate};

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

    fn rows_and_weight(store: &NativeStore) -> (i64, i64) {
        let rows = run(store.execute("SELECT COUNT(*) AS n, COALESCE(SUM(weight), 0) AS w FROM rate_limit_hits", &[])).unwrap();
        let r = rows.first().unwrap();
        (r.int("n").unwrap(), r.int("w").unwrap())
    }

    #[test]
    fn an_instance_writes_a_block_not_every_hit_and_never_counts_fewer_than_it_allowed() {
        let (store, clock) = setup();
        let roomy = Limit { max: 10_000, ..LIMIT };
        for _ in 0..500 {
            run(hit(&store, &clock, roomy, "busy")).unwrap();
        }
        let (rows, weight) = rows_and_weight(&store);
        assert!(rows <= 500 / MAX_BLOCK + 1, "{rows} writes for 500 hits");
        assert!(weight >= 500, "every allowed hit is counted ({weight})");
    }

    #[test]
    fn one_instance_gets_exactly_the_limit() {
        let (store, clock) = setup();
        let limit = Limit { max: 30, ..LIMIT };
        let allowed = (0..40).filter(|_| run(hit(&store, &clock, limit, "c")).is_ok()).count();
        assert_eq!(allowed, 30, "near the limit every hit is written, exactly");
        assert_eq!(rows_and_weight(&store).1, 30);
    }

    #[test]
    fn instances_spending_blocks_at_once_never_pass_the_limit() {
        let db = crate::test_support::FileDatabase::new("rate-limit-blocks");
        let limit = Limit { max: 2_000, ..LIMIT };
        let handles: Vec<_> = (0..6)
            .map(|_| {
                let store = db.open();
                std::thread::spawn(move || {
                    let clock = FixedClock::at(Timestamp(1_000_000));
                    (0..400).filter(|_| run(hit(&store, &clock, limit, "crowd")).is_ok()).count()
                })
            })
            .collect();
        let allowed: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
        assert!(allowed <= 2_000, "{allowed} allowed over a limit of 2000");
        // Each instance may hold one unspent block, at most a 64th of the limit.
        assert!(allowed >= 2_000 - 6 * (2_000 / 64), "unspent blocks cost little ({allowed})");
        let (_, weight) = rows_and_weight(&db.open());
        assert!(weight <= 2_000 && weight as usize >= allowed, "counted {weight}, allowed {allowed}");
    }

    #[test]
    fn the_reservation_sizes_its_block_by_the_rule() {
        for (max, used) in [(10_000, 0), (10_000, 9_000), (640, 0), (700, 60), (127, 0), (3, 2), (1, 0)] {
            let (store, clock) = setup();
            let limit = Limit { max, ..LIMIT };
            let now = clock.now().millis();
            if used > 0 {
                let counted = &[LIMIT.bucket.into(), "s".into(), (now - 1).into(), i64::from(used).into()];
                run(store.execute("INSERT INTO rate_limit_hits (bucket, subject, at, weight) VALUES (?, ?, ?, ?)", counted)).unwrap();
            }
            run(hit(&store, &clock, limit, "s")).unwrap();
            let rows = run(store.execute("SELECT weight FROM rate_limit_hits WHERE at = ?", &[now.into()])).unwrap();
            let weight = rows.first().unwrap().int("weight").unwrap();
            assert_eq!(weight, block_size(i64::from(max - used)), "max {max}, used {used}");
        }
    }

    #[test]
    fn an_instance_remembers_a_refusal_until_the_window_has_room() {
        let (store, clock) = setup();
        for _ in 0..3 {
            run(hit(&store, &clock, LIMIT, "a")).unwrap();
        }
        clock.advance_seconds(20);
        assert_eq!(run(hit(&store, &clock, LIMIT, "a")).unwrap_err().headers, vec![("retry-after".to_owned(), "40".to_owned())]);
        // Without the table, only what the instance remembers can answer.
        run(store.execute("ALTER TABLE rate_limit_hits RENAME TO hidden", &[])).unwrap();
        clock.advance_seconds(30);
        let again = run(hit(&store, &clock, LIMIT, "a")).unwrap_err();
        assert_eq!((again.status, again.headers), (429, vec![("retry-after".to_owned(), "10".to_owned())]), "the same refusal, later");
        assert_eq!(run(hit(&store, &clock, Limit { max: 4, ..LIMIT }, "a")).unwrap_err().status, 500, "another limit asks the store");
        run(store.execute("ALTER TABLE hidden RENAME TO rate_limit_hits", &[])).unwrap();
        clock.advance_seconds(10);
        run(hit(&store, &clock, LIMIT, "a")).unwrap();
    }

    #[test]
    fn a_reservation_sums_its_window_from_the_index_alone() {
        let (store, _) = setup();
        let plan = run(store.execute(&format!("EXPLAIN QUERY PLAN {WINDOW_SUM}"), &["b".into(), "s".into(), Value::Null, 0.into()])).unwrap();
        let details: Vec<String> = plan.iter().map(|r| r.text("detail").unwrap().to_owned()).collect();
        assert!(details.iter().any(|d| d.contains("USING COVERING INDEX rate_limit_hits_window")), "{details:?}");
    }

    #[test]
    fn block_sizes_shrink_to_single_hits_near_the_limit() {
        assert_eq!(block_size(10_000), MAX_BLOCK);
        assert_eq!(block_size(640), 10);
        assert_eq!(block_size(127), 1, "small limits are counted hit by hit");
        assert_eq!(block_size(1), 1);
    }
}
