//! The login rules, natively, for both kinds of login alike: account login
//! ([`crate::auth::ACCOUNT_LOGIN`]) and reviewer login
//! ([`crate::review::reviewer::REVIEWER_LOGIN`]).

use super::*;
use crate::account::AccountKind;
use crate::auth::{self, ACCOUNT_LOGIN};
use crate::clock::FixedClock;
use crate::i18n::Lang;
use crate::random::SeqRandom;
use crate::review::reviewer::{self, REVIEWER_LOGIN};
use crate::settings::{self, Settings};
use crate::store::NativeStore;
use crate::store::native::block_on;
use crate::test_support;

const PW: &str = "correct horse battery staple";
const START: Timestamp = Timestamp(1_800_000_000_000);
/// A per-client window wide enough to stay out of the way.
const WIDE: Limit = Limit { bucket: "test.login", max: 100_000, window_secs: 300 };

/// One kind of login and how its tests make a row that logs in.
#[derive(Clone, Copy)]
struct Kind {
    check: &'static CredentialCheck,
    create: fn(&NativeStore, &FixedClock, &SeqRandom, &str, &str) -> i64,
}

const ACCOUNTS: Kind = Kind {
    check: &ACCOUNT_LOGIN,
    create: |store, _, random, name, pw| {
        block_on(test_support::create_account_with_password(store, random, AccountKind::LegalEntity, name, pw, START)).unwrap().get()
    },
};
const REVIEWERS: Kind = Kind {
    check: &REVIEWER_LOGIN,
    create: |store, clock, random, name, pw| block_on(test_support::create_reviewer(store, clock, random, name, pw)).unwrap().get(),
};
const KINDS: [Kind; 2] = [ACCOUNTS, REVIEWERS];

struct Fx {
    store: NativeStore,
    clock: FixedClock,
    random: SeqRandom,
}

fn fx() -> Fx {
    Fx { store: test_support::store(), clock: FixedClock::at(START), random: SeqRandom::new(3) }
}

impl Fx {
    fn create(&self, kind: Kind, name: &str, pw: &str) -> i64 {
        (kind.create)(&self.store, &self.clock, &self.random, name, pw)
    }

    fn try_as(&self, kind: Kind, name: &str, pw: &str) -> AppResult<Verified> {
        let attempt = Attempt { client: "10.0.0.1", login_name: name, password: pw };
        block_on(kind.check.check(&self.store, &self.clock, &self.random, WIDE, &attempt, None))
    }

    fn code(&self, kind: Kind, name: &str, pw: &str) -> &'static str {
        self.try_as(kind, name, pw).err().map_or("ok", |e| e.code)
    }

    fn sql(&self, sql: &str, params: &[crate::store::Value]) -> crate::store::Rows {
        block_on(self.store.execute(sql, params)).unwrap()
    }

    /// (consecutive failures, disabled) of a row.
    fn failures(&self, kind: Kind, id: i64) -> (i64, bool) {
        let rows = self.sql(&format!("SELECT failed_logins, password_disabled FROM {} WHERE id = ?", kind.check.table.table), &[id.into()]);
        let r = rows.first().unwrap();
        (r.int("failed_logins").unwrap(), r.int("password_disabled").unwrap() != 0)
    }

    fn stored_hash(&self, kind: Kind, id: i64) -> String {
        let rows = self.sql(&format!("SELECT password_hash FROM {} WHERE id = ?", kind.check.table.table), &[id.into()]);
        rows.first().unwrap().text("password_hash").unwrap().to_owned()
    }

    fn audit_count(&self, action: &str) -> i64 {
        self.sql("SELECT COUNT(*) AS n FROM audit_log WHERE action = ?", &[action.into()]).first().unwrap().int("n").unwrap()
    }
}

/// Everything a client sees of an answer, in both languages, with the
/// login name (which the guidance links carry) blanked out.
fn seen(result: &AppResult<Verified>, typed: &str) -> String {
    match result {
        Ok(_) => "ok".to_owned(),
        Err(e) => format!(
            "{} {:?} {} {}",
            e.status,
            e.headers,
            e.to_json(Lang::Zh, "r").to_string().replace(typed, "NAME"),
            e.to_json(Lang::En, "r").to_string().replace(typed, "NAME")
        ),
    }
}

#[test]
fn delays_grow_after_five_failures_and_cap_at_fifteen_minutes() {
    assert_eq!((0..5).map(throttle_delay_secs).collect::<Vec<_>>(), vec![0; 5]);
    assert_eq!(throttle_delay_secs(5), 1);
    assert_eq!(throttle_delay_secs(6), 2);
    assert_eq!(throttle_delay_secs(10), 32);
    assert_eq!(throttle_delay_secs(15), 900);
    assert_eq!(throttle_delay_secs(99), 900);
    assert_eq!(throttle_delay_secs(i64::MAX), 900);
}

#[test]
fn required_fields_and_overlong_input_for_both_logins() {
    let f = fx();
    for (kind, name_code, password_code) in
        [(ACCOUNTS, "auth.login_name_required", "auth.password_required"), (REVIEWERS, "review.login_name_required", "review.password_required")]
    {
        let e = f.try_as(kind, "  ", PW).unwrap_err();
        assert_eq!((e.code, e.status, e.field.as_deref()), (name_code, 400, Some("login_name")));
        let e = f.try_as(kind, "someone", "").unwrap_err();
        assert_eq!((e.code, e.status, e.field.as_deref()), (password_code, 400, Some("password")));
        // Longer than anything we accept: the wrong-password answer, nothing counted.
        assert_eq!(f.try_as(kind, &"n".repeat(101), PW).unwrap_err(), (kind.check.errors.invalid)());
        assert_eq!(f.try_as(kind, "someone", &"p".repeat(1025)).unwrap_err(), (kind.check.errors.invalid)());
    }
    assert_eq!(f.sql("SELECT COUNT(*) AS n FROM login_name_throttles", &[]).first().unwrap().int("n").unwrap(), 0);
}

#[test]
fn five_failures_then_each_try_waits_twice_as_long_and_a_success_resets_for_both_logins() {
    for kind in KINDS {
        let f = fx();
        let id = f.create(kind, "throttled", PW);
        for n in 1..=THROTTLE_AFTER {
            assert_eq!(f.try_as(kind, "throttled", "wrong password").unwrap_err(), (kind.check.errors.invalid)());
            assert_eq!(f.failures(kind, id), (n, false));
        }
        // The 6th try right away waits 1 s, even with the right password.
        let e = f.try_as(kind, "throttled", PW).unwrap_err();
        assert_eq!((e.status, e.headers.clone()), (429, vec![("retry-after".to_owned(), "1".to_owned())]));
        assert_eq!(f.failures(kind, id), (5, false), "a refused try is not counted");
        f.clock.advance_seconds(1);
        assert_eq!(f.try_as(kind, "throttled", "wrong again").unwrap_err().status, 401);
        let e = f.try_as(kind, "throttled", PW).unwrap_err();
        assert_eq!(e.headers, vec![("retry-after".to_owned(), "2".to_owned())], "6 failures: 2 s");
        f.clock.advance_seconds(1);
        assert_eq!(f.try_as(kind, "throttled", PW).unwrap_err().headers[0].1, "1", "counted from the last failure");
        f.clock.advance_seconds(1);
        let ok = f.try_as(kind, "THROTTLED", PW).unwrap();
        assert_eq!(ok, Verified { id, rehashed: false, restored: false });
        assert_eq!(f.failures(kind, id), (0, false), "a success resets");
        assert!(f.audit_count(kind.check.audit.throttled) >= 3);
        assert_eq!(f.audit_count(kind.check.audit.failed), 6);
    }
}

#[test]
fn the_hundredth_consecutive_failure_disables_the_password_for_both_logins() {
    for kind in KINDS {
        let f = fx();
        let id = f.create(kind, "hundred", PW);
        // 99 failures so far, the last long ago (the waits are another test's).
        f.sql(&format!("UPDATE {} SET failed_logins = 99, last_failed_login_at = 0 WHERE id = ?", kind.check.table.table), &[id.into()]);
        assert_eq!(f.code(kind, "hundred", "wrong password"), (kind.check.errors.invalid)().code, "the 100th failure itself is a 401");
        assert_eq!(f.failures(kind, id), (100, true));
        assert_eq!(f.audit_count(kind.check.audit.disabled), 1);
        f.clock.advance_seconds(3600);
        let e = f.try_as(kind, "hundred", PW).unwrap_err();
        assert_eq!((e.code, e.status), ((kind.check.errors.disabled)("hundred").code, 403), "even the right password");
        assert_eq!(f.failures(kind, id), (100, true), "not counted further");
        // Setting the password again is the way back.
        block_on(async {
            let tx = f.store.begin().await.unwrap();
            kind.check.table.set_password(&tx, id, &password::hash(PW, &f.random).into_string()).await.unwrap();
            tx.commit().await.unwrap();
        });
        assert_eq!(f.try_as(kind, "hundred", PW).unwrap().id, id);
    }
}

#[test]
fn an_outdated_hash_is_replaced_at_the_next_right_password_for_both_logins() {
    for kind in KINDS {
        let f = fx();
        let id = f.create(kind, "rehashme", PW);
        let bcrypt = bcrypt::hash(PW, 4).unwrap();
        f.sql(&format!("UPDATE {} SET password_hash = ? WHERE id = ?", kind.check.table.table), &[bcrypt.clone().into(), id.into()]);
        assert_eq!(f.code(kind, "rehashme", "not it"), (kind.check.errors.invalid)().code, "a wrong password changes nothing");
        assert_eq!(f.stored_hash(kind, id), bcrypt);
        f.clock.advance_seconds(10);
        let ok = f.try_as(kind, "rehashme", PW).unwrap();
        assert!(ok.rehashed && !ok.restored);
        let now = f.stored_hash(kind, id);
        assert!(now.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{now}");
        assert!(password::verify(PW, &now).ok);
        assert_eq!(f.audit_count(kind.check.audit.rehashed), 1);
        assert!(!f.try_as(kind, "rehashme", PW).unwrap().rehashed, "once");
    }
}

#[test]
fn unknown_names_are_throttled_and_disabled_exactly_like_real_ones_for_both_logins() {
    for kind in KINDS {
        let f = fx();
        let id = f.create(kind, "realname", PW);
        // Alternating: the real name and an unknown one, the same tries.
        let both = |pw: &str| {
            let real = f.try_as(kind, "realname", pw);
            let unknown = f.try_as(kind, "ghostname", pw);
            assert_eq!(seen(&real, "realname"), seen(&unknown, "ghostname"), "the answers differ");
            real.err().map(|e| (e.status, e.headers))
        };
        let mut statuses = Vec::new();
        for step in 0..12 {
            statuses.push(both(&format!("wrong password {step}")).unwrap());
            if step == 6 || step == 8 {
                f.clock.advance_seconds(1);
            }
            if step == 9 {
                f.clock.advance_seconds(2);
            }
        }
        let codes: Vec<u16> = statuses.iter().map(|s| s.0).collect();
        assert_eq!(codes, [401, 401, 401, 401, 401, 429, 429, 401, 429, 429, 401, 429]);
        // At 100 the unknown name's password is "disabled" too.
        let hour_ago = f.clock.now().millis() - 3_600_000;
        f.sql(
            &format!("UPDATE {} SET failed_logins = 99, last_failed_login_at = ? WHERE id = ?", kind.check.table.table),
            &[hour_ago.into(), id.into()],
        );
        f.sql("UPDATE login_name_throttles SET failed_logins = 99, last_failed_login_at = ?", &[hour_ago.into()]);
        assert_eq!(both("wrong once more").unwrap().0, 401);
        f.clock.advance_seconds(900);
        assert_eq!(both(PW).unwrap().0, 403);
        // Nothing was created for the unknown name but its throttle row,
        // which holds only the key's digest.
        let table = kind.check.table.table;
        assert_eq!(f.sql(&format!("SELECT COUNT(*) AS n FROM {table}"), &[]).first().unwrap().int("n").unwrap(), 1);
        let rows = f.sql("SELECT realm, name_key_sha256 FROM login_name_throttles", &[]);
        assert_eq!(rows.len(), 1);
        let r = rows.first().unwrap();
        assert_eq!(r.text("realm").unwrap(), kind.check.table.realm);
        assert_eq!(r.text("name_key_sha256").unwrap(), sha256_hex(b"ghostname"));
    }
}

#[test]
fn an_unknown_name_is_throttled_by_its_key_and_apart_for_each_login() {
    let f = fx();
    for n in 0..THROTTLE_AFTER {
        // Case and full width fold into one key.
        let typed = if n % 2 == 0 { "Ghost" } else { "ＧＨＯＳＴ" };
        assert_eq!(f.code(ACCOUNTS, typed, "wrong"), "auth.invalid_credentials");
    }
    assert_eq!(f.code(ACCOUNTS, "ghost", "wrong"), "auth.throttled");
    assert_eq!(f.code(ACCOUNTS, "ghost2", "wrong"), "auth.invalid_credentials", "another name is not affected");
    assert_eq!(f.code(REVIEWERS, "ghost", "wrong"), "review.invalid_credentials", "nor the same name at the other login");
    // The guidance is built from the name as typed.
    let e = f.try_as(ACCOUNTS, " ＧＨＯＳＴ ", "wrong").unwrap_err();
    assert_eq!(e.code, "auth.throttled", "{e:?}");
    assert_eq!(e.to_json(Lang::En, "r")["error"]["details"]["guidance"]["actions"][0]["href"], "/password-reset?login_name=GHOST");
}

#[test]
fn unknown_names_are_forgotten_thirty_days_after_their_last_failure() {
    let f = fx();
    for _ in 0..3 {
        f.try_as(ACCOUNTS, "oldghost", "wrong").unwrap_err();
    }
    f.clock.advance_seconds(UNKNOWN_NAME_RETENTION_SECS - 1);
    f.try_as(REVIEWERS, "newghost", "wrong").unwrap_err();
    let count = || f.sql("SELECT COUNT(*) AS n FROM login_name_throttles", &[]).first().unwrap().int("n").unwrap();
    assert_eq!(count(), 2, "kept for 30 days");
    f.clock.advance_seconds(1);
    assert_eq!(block_on(prune_unknown_names(&f.store, f.clock.now())).unwrap(), 1);
    assert_eq!(count(), 1);
    // Every unknown-name attempt prunes on its way, so the table stays
    // within what a month of attempts wrote.
    f.clock.advance_seconds(UNKNOWN_NAME_RETENTION_SECS);
    f.try_as(ACCOUNTS, "thirdghost", "wrong").unwrap_err();
    assert_eq!(count(), 1);
}

#[test]
fn each_login_counts_its_client_window_apart() {
    let f = fx();
    let settings = Settings::default().with(&settings::LOGIN_LIMIT_PER_CLIENT, "2");
    let attempt = Attempt { client: "10.9.9.9", login_name: "nobody", password: "whatever" };
    let run = |check: &CredentialCheck, limit: Limit| block_on(check.check(&f.store, &f.clock, &f.random, limit, &attempt, None));
    for _ in 0..2 {
        assert_eq!(run(&ACCOUNT_LOGIN, auth::CLIENT_LIMIT.limit(&settings)).unwrap_err().status, 401);
    }
    let e = run(&ACCOUNT_LOGIN, auth::CLIENT_LIMIT.limit(&settings)).unwrap_err();
    assert_eq!((e.code, e.status), ("request.rate_limited", 429));
    assert_eq!(f.audit_count("auth.client_throttled"), 1);
    assert_eq!(run(&REVIEWER_LOGIN, reviewer::CLIENT_LIMIT.limit(&settings)).unwrap_err().status, 401, "reviewer logins are counted apart");
}

/// `n` threads, each on its own connection to one file database, try a
/// wrong password for `name` at the same instant. Returns the answers'
/// codes and the failures counted.
fn race(kind: Kind, tag: &str, registered: bool, n: usize) -> (Vec<&'static str>, i64) {
    let dir = std::env::temp_dir().join(format!("credentials-race-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("race.db");
    let _ = std::fs::remove_file(&path);
    {
        let store = NativeStore::open(&path).unwrap();
        block_on(crate::store::migrate(&store, &FixedClock::at(START))).unwrap();
        if registered {
            (kind.create)(&store, &FixedClock::at(START), &SeqRandom::new(1), "racer", PW);
        }
    }
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(n));
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let (path, barrier) = (path.clone(), barrier.clone());
            std::thread::spawn(move || {
                let store = NativeStore::open(&path).unwrap();
                let (clock, random) = (FixedClock::at(START), SeqRandom::new(i as u64));
                let password = format!("guess number {i}");
                let attempt = Attempt { client: "10.0.0.2", login_name: "racer", password: &password };
                barrier.wait();
                block_on(kind.check.check(&store, &clock, &random, WIDE, &attempt, None)).unwrap_err().code
            })
        })
        .collect();
    let codes = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let store = NativeStore::open(&path).unwrap();
    let sql = if registered {
        format!("SELECT failed_logins FROM {}", kind.check.table.table)
    } else {
        "SELECT failed_logins FROM login_name_throttles".to_owned()
    };
    let counted = block_on(store.execute(&sql, &[])).unwrap().first().unwrap().int("failed_logins").unwrap();
    drop(store);
    std::fs::remove_dir_all(&dir).unwrap();
    (codes, counted)
}

#[test]
fn racing_wrong_guesses_get_at_most_five_passwords_checked() {
    for (kind, tag) in [(ACCOUNTS, "account"), (REVIEWERS, "reviewer")] {
        for registered in [true, false] {
            let (codes, counted) = race(kind, &format!("{tag}-{registered}"), registered, 12);
            let invalid = (kind.check.errors.invalid)().code;
            let checked = codes.iter().filter(|c| **c == invalid).count();
            let throttled = codes.iter().filter(|c| c.ends_with(".throttled")).count();
            assert_eq!((checked, throttled), (THROTTLE_AFTER as usize, 12 - THROTTLE_AFTER as usize), "{tag} {registered}: {codes:?}");
            assert_eq!(counted, THROTTLE_AFTER, "every checked guess is counted, no refused one");
        }
    }
}

#[test]
fn what_the_flow_does_with_a_right_password_commits_with_the_outcome_or_not_at_all() {
    for kind in KINDS {
        let f = fx();
        let id = f.create(kind, "outcome", PW);
        let bcrypt = bcrypt::hash(PW, 4).unwrap();
        f.sql(&format!("UPDATE {} SET password_hash = ? WHERE id = ?", kind.check.table.table), &[bcrypt.clone().into(), id.into()]);
        let attempt = Attempt { client: "10.0.0.3", login_name: "outcome", password: PW };
        let mark = "INSERT INTO audit_log (at, actor, action, subject, detail) VALUES (0, 'system', 'test.then', NULL, '{}')";
        // The flow's step fails: the rehash, the cleared failures and the
        // flow's own writes all roll back; the reserved attempt stays counted.
        let failed = block_on(kind.check.check_then(&f.store, &f.clock, &f.random, WIDE, &attempt, None, async |tx, _| {
            tx.execute(mark, &[]).await?;
            Err::<(), _>(StoreError::Other("the flow's step failed".into()))
        }));
        assert_eq!(failed.unwrap_err().status, 500);
        assert_eq!((f.failures(kind, id), f.stored_hash(kind, id)), ((1, false), bcrypt.clone()));
        assert_eq!((f.audit_count("test.then"), f.audit_count(kind.check.audit.rehashed)), (0, 0));
        // It succeeds: all of it commits, in the transaction that settles.
        let (verified, in_tx) = block_on(kind.check.check_then(&f.store, &f.clock, &f.random, WIDE, &attempt, None, async |tx, v| {
            tx.execute(mark, &[]).await?;
            let seen = tx.execute(&format!("SELECT failed_logins FROM {} WHERE id = ?", kind.check.table.table), &[id.into()]).await?;
            Ok((v, seen.first().unwrap().int("failed_logins")?))
        }))
        .unwrap();
        assert_eq!((verified.id, verified.rehashed, in_tx), (id, true, 0), "the failures are already cleared inside");
        assert_eq!((f.failures(kind, id), f.audit_count("test.then"), f.audit_count(kind.check.audit.rehashed)), ((0, false), 1, 1));
    }
}

#[test]
fn an_attempt_is_counted_only_against_the_state_it_was_judged_on() {
    for kind in KINDS {
        let f = fx();
        let id = f.create(kind, "judged", PW);
        let row = Counter::Row { table: kind.check.table, id };
        let (_, seen) = block_on(kind.check.table.state_by_login_key(&f.store, "judged")).unwrap().unwrap();
        // A new password (or any failure counted) meanwhile: nothing is written.
        let mut stale = seen.clone();
        stale.password_hash = Some("$argon2id$the-old-one".into());
        assert!(!block_on(row.count_failure_if_unchanged(&f.store, f.clock.now(), Some(&stale))).unwrap());
        assert_eq!(f.failures(kind, id), (0, false));
        assert!(block_on(row.count_failure_if_unchanged(&f.store, f.clock.now(), Some(&seen))).unwrap());
        assert!(!block_on(row.count_failure_if_unchanged(&f.store, f.clock.now(), Some(&seen))).unwrap(), "counted once");
        assert_eq!(f.failures(kind, id), (1, false));
        // An unknown name: the first count inserts, a second one on "no row" does not.
        let name = Counter::Name { table: kind.check.table, key_hash: "k" };
        assert!(block_on(row_state_absent(&name, &f.store)));
        assert!(block_on(name.count_failure_if_unchanged(&f.store, f.clock.now(), None)).unwrap());
        assert!(!block_on(name.count_failure_if_unchanged(&f.store, f.clock.now(), None)).unwrap());
        let now_seen = block_on(name.state(&f.store)).unwrap().unwrap();
        assert_eq!(now_seen.failed_logins, 1);
        assert!(block_on(name.count_failure_if_unchanged(&f.store, f.clock.now(), Some(&now_seen))).unwrap());
        assert_eq!(block_on(name.state(&f.store)).unwrap().unwrap().failed_logins, 2);
    }
}

async fn row_state_absent(counter: &Counter<'_>, store: &NativeStore) -> bool {
    counter.state(store).await.unwrap().is_none()
}
