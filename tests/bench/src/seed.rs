//! Seeds a state directory's database to a given number of accounts, with
//! every table that grows with use filled in proportion, fast: the app's own
//! migrations (through `shared`'s native store), then plain inserts in big
//! transactions on one rusqlite connection. Values are made by the app's own
//! parsers (login-name and organization keys, USCCs and resident IDs with
//! their check characters), and a sample of the accounts is read back with
//! the app's own queries, so a seeded row is one the app can read.
//!
//! Per 1,000,000 accounts (half legal entities, half natural persons; one in
//! ten migrated, with its old name as an alias): 1,000,000 audit rows,
//! 100,000 review items with their appeals (1% open), 20,000 uploads,
//! 1,000,000 SMS outbox rows, 100,000 SMS codes, 100,000 sessions (mostly
//! ended), 100,000 rate-limit hits of other clients in the last hour,
//! 10,000 login-name throttles, 10,000 grants, 200,000 real-name
//! verifications (one in five accounts verified its first part: a
//! person's identity, an organization's basic information) with two
//! history rows each; plus 20 reviewers with 2,000 sessions and a month of
//! calendar days; one legal entity in ten onboarded with its roles, 200,000
//! old-system business records and 5,000 legacy-data requests; 10,000
//! reviewer reminders (2,000 escalations) and a week of minute ticks.

use anyhow::{Context as _, Result, bail, ensure};
use rusqlite::{Connection, params};
use shared::account::{self, AccountKind};
use shared::clock::Clock;
use shared::identity::{CivilDate, Document, DocumentType, LoginName, Mobile, OrgName, ResidentId, Uscc};
use shared::verification::parts::Part;
use shared::verification::state::{Outcome, State};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The password of every seeded account and reviewer.
pub const PASSWORD: &str = "Bench harbour lights 2026";

/// How much to seed.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    pub accounts: u64,
}

impl Scale {
    /// `per_million` rows per 1,000,000 accounts, at least `min`.
    fn rows(self, per_million: u64, min: u64) -> u64 {
        (self.accounts * per_million / 1_000_000).max(min)
    }
}

/// What was seeded, and the records a benchmark uses.
#[derive(Debug, Clone)]
pub struct Seeded {
    pub db: PathBuf,
    pub accounts: u64,
    /// Rows per table after seeding (every table of the schema).
    pub rows: BTreeMap<String, i64>,
    /// Tables of the schema the seeder does not know (left empty).
    pub unseeded: Vec<String>,
    pub took: Duration,
    pub bytes: u64,
    /// A legal entity in the middle of the table, with [`PASSWORD`].
    pub legal_entity: SeededAccount,
    /// A natural person in the middle of the table, with [`PASSWORD`].
    pub natural_person: SeededAccount,
    /// Legal entities with no appeal, for benchmarks that file one.
    pub appealable: Vec<SeededAccount>,
}

#[derive(Debug, Clone)]
pub struct SeededAccount {
    pub login_name: String,
    pub org_name: String,
    pub uscc: String,
    pub document_number: String,
}

/// The seeded account `i`'s identifiers, made by the app's parsers.
struct AccountValues {
    kind: AccountKind,
    login_name: LoginName,
    old_name: Option<String>,
    mobile: Mobile,
    organization: Option<(OrgName, Uscc)>,
    document: Option<Document>,
}

fn today() -> CivilDate {
    CivilDate::new(2026, 11, 27).expect("a date")
}

fn account_values(i: u64) -> Result<AccountValues> {
    let kind = if i % 2 == 0 { AccountKind::LegalEntity } else { AccountKind::NaturalPerson };
    let migrated = i % 10 == 3;
    let own = match kind {
        AccountKind::LegalEntity => format!("org{i:07}"),
        AccountKind::NaturalPerson => format!("person{i:07}"),
    };
    let (login_name, old_name) = if migrated { (format!("WP{own}"), Some(own)) } else { (own, None) };
    let login_name = LoginName::parse(&login_name).map_err(|e| anyhow::anyhow!("login name {login_name}: {}", e.code))?;
    let mobile = format!("1{}{:09}", 3 + (i / 1_000_000_000) % 7, i % 1_000_000_000);
    let mobile = Mobile::parse(&mobile).map_err(|e| anyhow::anyhow!("mobile {mobile}: {}", e.code))?;
    let (organization, document) = match kind {
        AccountKind::LegalEntity => {
            let name = format!("北京基准测试科技有限公司{i}");
            let org = OrgName::parse(&name).map_err(|e| anyhow::anyhow!("org name {name}: {}", e.code))?;
            let uscc = Uscc::with_check(&format!("91110105{:08}A", i % 100_000_000)).map_err(|e| anyhow::anyhow!("USCC: {}", e.code))?;
            (Some((org, uscc)), None)
        }
        AccountKind::NaturalPerson => {
            // 1,000 sequence numbers a birth day, days from 1960-01-01 (28 a month).
            let day = i / 1000;
            let (year, month, dom) = (1960 + day / 336, (day / 28) % 12 + 1, day % 28 + 1);
            let first17 = format!("110105{year:04}{month:02}{dom:02}{:03}", i % 1000);
            let id = ResidentId::with_check(&first17, today()).map_err(|e| anyhow::anyhow!("resident ID {first17}: {}", e.code))?;
            let doc = Document::parse(DocumentType::ResidentId, id.as_str(), None, today())
                .map_err(|e| anyhow::anyhow!("document {}: {}", id.as_str(), e.code))?;
            (None, Some(doc))
        }
    };
    Ok(AccountValues { kind, login_name, old_name, mobile, organization, document })
}

fn seeded_account(i: u64) -> Result<SeededAccount> {
    let v = account_values(i)?;
    Ok(SeededAccount {
        login_name: v.login_name.as_str().to_owned(),
        org_name: v.organization.as_ref().map(|(n, _)| n.as_str().to_owned()).unwrap_or_default(),
        uscc: v.organization.as_ref().map(|(_, u)| u.as_str().to_owned()).unwrap_or_default(),
        document_number: v.document.as_ref().map(|d| d.number().to_owned()).unwrap_or_default(),
    })
}

/// A tiny deterministic generator (splitmix64): spreads times and picks.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn hex(&mut self, bytes: usize) -> String {
        let mut s = String::with_capacity(bytes * 2);
        while s.len() < bytes * 2 {
            s.push_str(&format!("{:016x}", self.next()));
        }
        s.truncate(bytes * 2);
        s
    }
}

const MINUTE: i64 = 60_000;
const DAY: i64 = 24 * 60 * MINUTE;

/// Tables the seeder fills (any other table of the schema is reported).
const SEEDED_TABLES: &[&str] = &[
    "accounts",
    "login_name_aliases",
    "grants",
    "verifications",
    "verification_history",
    "audit_log",
    "sms_outbox",
    "sms_codes",
    "sessions",
    "reviewers",
    "reviewer_sessions",
    "calendar_days",
    "review_items",
    "appeals",
    "uploads",
    "rate_limit_hits",
    "login_name_throttles",
    "onboardings",
    "organization_roles",
    "legacy_records",
    "legacy_data_requests",
    "reviewer_notifications",
    "schedule_ticks",
];

/// Tables that are the schema's own bookkeeping, not the app's data.
const BOOKKEEPING_TABLES: &[&str] = &["schema_migrations"];

/// Seeds `state_dir`'s `default` database (created; it must not exist yet).
pub fn seed(state_dir: &Path, scale: Scale, clock: &dyn Clock) -> Result<Seeded> {
    ensure!(scale.accounts >= 100, "seed at least 100 accounts (got {})", scale.accounts);
    ensure!(scale.accounts <= 50_000_000, "at most 50,000,000 accounts (got {})", scale.accounts);
    std::fs::create_dir_all(state_dir).with_context(|| format!("cannot create {}", state_dir.display()))?;
    let db = spin_test_host::database_path(state_dir, "default");
    if db.exists() {
        bail!("{} exists already: seed a fresh state directory", db.display());
    }
    let started = Instant::now();
    let now = clock.now().millis();
    {
        // The app's own migrations, as a component applies them.
        let store = shared::store::NativeStore::open(&db).map_err(|e| anyhow::anyhow!("{e}"))?;
        block_on(shared::store::migrate(&store, clock)).map_err(|e| anyhow::anyhow!("migrations: {e}"))?;
    }
    let mut conn = Connection::open(&db)?;
    // A throw-away database being built: no syncs, the journal in memory.
    conn.execute_batch("PRAGMA synchronous = OFF; PRAGMA journal_mode = MEMORY; PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY;")?;
    let tables = table_names(&conn)?;
    let has = |t: &str| tables.iter().any(|x| x == t);
    for t in SEEDED_TABLES {
        ensure!(has(t), "the schema has no table {t:?}: update the seeder (tests/bench/src/seed.rs)");
    }
    let phc = shared::password::hash(PASSWORD, &shared::random::OsRandom).into_string();
    let mut mix = Mix(0x5eed);

    seed_accounts(&mut conn, scale, now, &phc, &mut mix)?;
    seed_reviewers(&mut conn, scale, now, &phc, &mut mix)?;
    seed_appeals(&mut conn, scale, now)?;
    seed_activity(&mut conn, scale, now, &mut mix)?;
    seed_entries(&mut conn, scale, now)?;
    seed_schedule(&mut conn, scale, now)?;

    // Back to what the app's connections use (the default rollback journal).
    conn.execute_batch("PRAGMA journal_mode = DELETE;")?;
    let mut rows = BTreeMap::new();
    for t in &tables {
        let n: i64 = conn.query_row(&format!("SELECT COUNT(*) FROM \"{t}\""), [], |r| r.get(0))?;
        rows.insert(t.clone(), n);
    }
    drop(conn);
    let unseeded = tables
        .iter()
        .filter(|t| !SEEDED_TABLES.contains(&t.as_str()) && !BOOKKEEPING_TABLES.contains(&t.as_str()))
        .cloned()
        .collect();
    check_with_the_app(&db, scale)?;

    let middle = scale.accounts / 2;
    let legal = middle - middle % 10; // i % 10 == 0: an own login name, legal entity
    let natural = legal + 1;
    // Legal entities without an appeal (appeals go to every tenth, from 0).
    let appealable = (0..8).map(|k| seeded_account(legal + 2 + 10 * k)).collect::<Result<_>>()?;
    Ok(Seeded {
        bytes: std::fs::metadata(&db)?.len(),
        db,
        accounts: scale.accounts,
        rows,
        unseeded,
        took: started.elapsed(),
        legal_entity: seeded_account(legal)?,
        natural_person: seeded_account(natural)?,
        appealable,
    })
}

/// Drives a native-store future: they never wait on anything.
pub(crate) fn block_on<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

fn table_names(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")?;
    let names = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(names)
}

/// Commits every `BATCH` rows, so no transaction grows without bound.
const BATCH: u64 = 200_000;

fn batched(conn: &mut Connection, n: u64, mut row: impl FnMut(&rusqlite::Transaction<'_>, u64) -> Result<()>) -> Result<()> {
    let mut i = 0;
    while i < n {
        let tx = conn.transaction()?;
        let end = (i + BATCH).min(n);
        while i < end {
            row(&tx, i)?;
            i += 1;
        }
        tx.commit()?;
    }
    Ok(())
}

fn seed_accounts(conn: &mut Connection, scale: Scale, now: i64, phc: &str, mix: &mut Mix) -> Result<()> {
    let grants_every = (scale.accounts / scale.rows(10_000, 1)).max(2);
    batched(conn, scale.accounts, |tx, i| {
        let v = account_values(i)?;
        let id = i as i64 + 1;
        let created = now - 400 * DAY + (i as i64 * 400 * DAY / scale.accounts as i64);
        // One in fifty imported without a hash (must reset by SMS first).
        let hash = (i % 50 != 7).then_some(phc);
        // Some migrated accounts with a few recent failures (none a benchmark logs in as).
        let failed = if i % 100 == 13 { 3 } else { 0 };
        let mut insert = tx.prepare_cached(
            "INSERT INTO accounts (id, kind, login_name, login_name_key, created_at, password_hash, reserved_mobile,
                                   org_name, org_name_key, uscc, real_name, document_type, document_number, nationality,
                                   legacy_old_name, converted_from_legacy, failed_logins, last_failed_login_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )?;
        insert.execute(params![
            id,
            v.kind.as_str(),
            v.login_name.as_str(),
            v.login_name.key(),
            created,
            hash,
            v.mobile.as_str(),
            v.organization.as_ref().map(|(n, _)| n.as_str()),
            v.organization.as_ref().map(|(n, _)| n.key()),
            v.organization.as_ref().map(|(_, u)| u.as_str()),
            v.document.as_ref().map(|_| "张三"),
            v.document.as_ref().map(|d| d.doc_type().code()),
            v.document.as_ref().map(|d| d.number()),
            v.document.as_ref().and_then(|d| d.nationality()).map(|c| c.code),
            v.old_name.as_deref(),
            0,
            failed,
            (failed > 0).then_some(now - mix.below(30) as i64 * DAY),
        ])?;
        if let Some(old) = &v.old_name {
            tx.prepare_cached("INSERT INTO login_name_aliases (alias_key, alias, account_id) VALUES (?, ?, ?)")?
                .execute(params![account::login_key(old), old, id])?;
        }
        // One in five verified its first part online (the check passed at
        // once): the verification, its history (saved, then passed) and the
        // account's identity_verified_at.
        if i % 5 == 3 {
            let part = if v.kind == AccountKind::NaturalPerson { Part::Person } else { Part::BasicInfo };
            let at = created + DAY;
            tx.prepare_cached(
                "INSERT INTO verifications (account_id, part, claim, state, check_kind, check_result, result, created_at, updated_at)
                 VALUES (?, ?, ?, ?, 'builtin', ?, ?, ?, ?)",
            )?
            .execute(params![id, part.code(), "{}", State::Passed.code(), Outcome::CheckPassed.code(), Outcome::CheckPassed.code(), at, at])?;
            let verification = tx.last_insert_rowid();
            let actor = format!("account:{id}");
            let mut history = tx.prepare_cached(
                "INSERT INTO verification_history (verification_id, account_id, part, at, actor, state, result) VALUES (?, ?, ?, ?, ?, ?, ?)",
            )?;
            history.execute(params![verification, id, part.code(), at, actor, State::NotSubmitted.code(), Outcome::DetailsUpdated.code()])?;
            history.execute(params![verification, id, part.code(), at, actor, State::Passed.code(), Outcome::CheckPassed.code()])?;
            tx.prepare_cached("UPDATE accounts SET identity_verified_at = ? WHERE id = ?")?.execute(params![at, id])?;
        }
        // Natural persons acting for an organization (legal entities are even).
        if i % grants_every == 1 && i >= 1 {
            tx.prepare_cached("INSERT INTO grants (organization_id, person_id, roles, created_at, changed_at) VALUES (?, ?, 'business', ?, ?)")?
                .execute(params![id - 1, id, created, created])?;
        }
        Ok(())
    })
}

fn seed_reviewers(conn: &mut Connection, scale: Scale, now: i64, phc: &str, mix: &mut Mix) -> Result<()> {
    let tx = conn.transaction()?;
    for r in 1..=20i64 {
        tx.execute(
            "INSERT INTO reviewers (id, login_name, login_name_key, password_hash, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)",
            params![r, format!("reviewer{r:02}"), format!("reviewer{r:02}"), phc, now - 300 * DAY, (r > 1).then_some(1i64)],
        )?;
    }
    for s in 0..scale.rows(2_000, 20) {
        let created = now - mix.below(90) as i64 * DAY;
        tx.prepare_cached(
            "INSERT INTO reviewer_sessions (token_hash, reviewer_id, csrf_token, created_at, last_seen_at, absolute_expires_at, revoked_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )?
        .execute(params![mix.hex(32), 1 + (s % 20) as i64, mix.hex(32), created, created + 20 * MINUTE, created + 12 * 60 * MINUTE, (s % 3 == 0).then_some(created + 30 * MINUTE)])?;
    }
    // A month of holidays and adjusted working days.
    for d in 1..=30 {
        let kind = if d % 7 == 6 { "workday" } else { "holiday" };
        tx.execute("INSERT INTO calendar_days (day, kind, note) VALUES (?, ?, '基准')", params![format!("2026-10-{d:02}"), kind])?;
    }
    tx.commit()?;
    Ok(())
}

fn seed_appeals(conn: &mut Connection, scale: Scale, now: i64) -> Result<()> {
    let appeals = scale.rows(100_000, 10);
    let uploads_every = (appeals / scale.rows(10_000, 2)).max(1);
    let data = vec![0x5a_u8; 256];
    let digest = shared::digest::sha256_hex(&data);
    batched(conn, appeals, |tx, n| {
        let id = n as i64 + 1;
        // Every tenth account files one, from account 0.
        let account_index = n * 10 % scale.accounts;
        let kind = if account_index % 2 == 0 { "legal_entity" } else { "natural_person" };
        let review_kind = format!("appeal_{kind}");
        let submitted = now - 300 * DAY + (n as i64 * 299 * DAY / appeals as i64);
        let open = n % 100 == 42;
        let (state, decided_at, decided_by, reason) = if open {
            ("open", None, None, None)
        } else if n % 5 == 0 {
            ("rejected", Some(submitted + DAY), Some(1 + (n % 20) as i64), Some("材料不清晰"))
        } else {
            ("approved", Some(submitted + DAY), Some(1 + (n % 20) as i64), None)
        };
        tx.prepare_cached(
            "INSERT INTO review_items (id, kind, subject, state, submitted_at, due_at, claimed_by, claimed_at, decided_by, decided_at, reason)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )?
        .execute(params![id, review_kind, format!("appeal:{id}"), state, submitted, submitted + DAY, decided_by, decided_at, decided_by, decided_at, reason])?;
        let form = serde_json::json!({ "legal_representative_name": "王大明", "applicant_name": "李小红" }).to_string();
        tx.prepare_cached(
            "INSERT INTO appeals (id, number, kind, account_id, new_mobile, form, review_item_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )?
        .execute(params![id, format!("SS20260101{:010}", n), kind, account_index as i64 + 1, format!("138{:08}", n % 100_000_000), form, id, submitted])?;
        if n % uploads_every == 0 {
            for purpose in ["id_front", "id_back"] {
                tx.prepare_cached(
                    "INSERT INTO uploads (owner, purpose, label, content_type, declared_type, size, sha256, data, created_at)
                     VALUES (?, ?, 'scan.png', 'image/png', 'image/png', ?, ?, ?, ?)",
                )?
                .execute(params![format!("appeal:{id}"), purpose, data.len() as i64, digest, data, submitted])?;
            }
        }
        Ok(())
    })
}

fn seed_activity(conn: &mut Connection, scale: Scale, now: i64, mix: &mut Mix) -> Result<()> {
    let accounts = scale.accounts;
    let actions = ["auth.login_succeeded", "auth.logout", "password_reset.code_sent", "review.claimed", "auth.login_wrong_type"];
    batched(conn, scale.rows(1_000_000, 100), |tx, n| {
        let account = 1 + mix.below(accounts) as i64;
        tx.prepare_cached("INSERT INTO audit_log (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, '{}')")?.execute(params![
            now - mix.below(300) as i64 * DAY - mix.below(DAY as u64) as i64,
            format!("account:{account}"),
            actions[(n % actions.len() as u64) as usize],
            format!("account:{account}"),
        ])?;
        Ok(())
    })?;
    let templates = ["registration_code", "password_reset_code", "appeal_code", "password_changed"];
    batched(conn, scale.rows(1_000_000, 100), |tx, n| {
        let at = now - mix.below(300) as i64 * DAY - mix.below(DAY as u64) as i64;
        let sent = (n % 200 != 0).then_some(at + 2_000);
        tx.prepare_cached("INSERT INTO sms_outbox (recipient, template, params, created_at, sent_at, attempts) VALUES (?, ?, ?, ?, ?, ?)")?
            .execute(params![
                format!("13{:09}", mix.below(1_000_000_000)),
                templates[(n % templates.len() as u64) as usize],
                r#"{"code":"000000"}"#,
                at,
                sent,
                1,
            ])?;
        Ok(())
    })?;
    let purposes = ["registration", "password_reset", "appeal"];
    batched(conn, scale.rows(100_000, 10), |tx, n| {
        let at = now - mix.below(30) as i64 * DAY - mix.below(DAY as u64) as i64;
        tx.prepare_cached(
            "INSERT INTO sms_codes (purpose, mobile, code_hash, created_at, expires_at, failed_attempts, consumed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )?
        .execute(params![
            purposes[(n % 3) as usize],
            format!("13{:09}", mix.below(1_000_000_000)),
            mix.hex(32),
            at,
            at + 10 * MINUTE,
            (n % 7 == 0) as i64,
            (n % 2 == 0).then_some(at + MINUTE),
        ])?;
        Ok(())
    })?;
    batched(conn, scale.rows(100_000, 10), |tx, n| {
        let created = now - mix.below(60) as i64 * DAY - mix.below(DAY as u64) as i64;
        tx.prepare_cached(
            "INSERT INTO sessions (token_hash, account_id, csrf_token, created_at, last_seen_at, absolute_expires_at, revoked_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )?
        .execute(params![
            mix.hex(32),
            1 + mix.below(accounts) as i64,
            mix.hex(32),
            created,
            created + 10 * MINUTE,
            created + 12 * 60 * MINUTE,
            (n % 2 == 0).then_some(created + 15 * MINUTE),
        ])?;
        Ok(())
    })?;
    // Other clients' hits within the last hour (each bucket prunes its
    // expired ones as hits go on).
    let buckets = [
        ("registration.check", 60),
        ("auth.login", 300),
        ("sms.registration.client", 3600),
        ("password_reset.client", 3600),
        ("appeal.lookup", 3600),
        ("review.login", 300),
    ];
    batched(conn, scale.rows(100_000, 10), |tx, n| {
        let (bucket, window) = buckets[(n % buckets.len() as u64) as usize];
        tx.prepare_cached("INSERT INTO rate_limit_hits (bucket, subject, at) VALUES (?, ?, ?)")?.execute(params![
            bucket,
            format!("10.{}.{}.{}", mix.below(256), mix.below(256), mix.below(256)),
            now - mix.below(window * 1000) as i64,
        ])?;
        Ok(())
    })?;
    batched(conn, scale.rows(10_000, 10), |tx, n| {
        tx.prepare_cached(
            "INSERT INTO login_name_throttles (realm, name_key_sha256, failed_logins, last_failed_login_at, password_disabled) VALUES (?, ?, ?, ?, 0)",
        )?
        .execute(params![if n % 10 == 0 { "reviewer" } else { "account" }, mix.hex(32), 1 + mix.below(20) as i64, now - mix.below(29) as i64 * DAY])?;
        Ok(())
    })?;
    Ok(())
}

/// Reads a sample of the seeded accounts back with the app's own queries:
/// every one must parse, by its login name and by its alias.
/// The foreign-work system's entries (flow 7): one legal entity in ten
/// onboarded (approved, with every role of the catalogue), 200,000 business
/// records of the old system per million accounts (half linked to their
/// onboarded owner by USCC, half waiting under their old owner), and 5,000
/// legacy-data requests (one in ten under review).
fn seed_entries(conn: &mut Connection, scale: Scale, now: i64) -> Result<()> {
    let onboarded = scale.rows(50_000, 5);
    batched(conn, onboarded, |tx, n| {
        let i = n * 20 % scale.accounts; // even: a legal entity
        let id = i as i64 + 1;
        let uscc = account_values(i)?.organization.map(|(_, u)| u.as_str().to_owned()).context("a legal entity")?;
        let at = now - 200 * DAY + (n as i64 * 199 * DAY / onboarded as i64);
        let form = serde_json::json!({ "unit_type": "enterprise", "industry": "科学研究和技术服务业", "contact_person": "李小红" }).to_string();
        tx.prepare_cached(
            "INSERT INTO onboardings (entry, account_id, form, state, reason, link_key, created_at, decided_at)
             VALUES ('work_permit', ?, ?, 'approved', NULL, ?, ?, ?)",
        )?
        .execute(params![id, form, uscc, at, at + DAY])?;
        for role in shared::grants::Role::ALL {
            tx.prepare_cached("INSERT INTO organization_roles (organization_id, role, granted_at) VALUES (?, ?, ?)")?
                .execute(params![id, role.code(), at + DAY])?;
        }
        Ok(())
    })?;
    let records = scale.rows(200_000, 20);
    batched(conn, records, |tx, n| {
        // Records of the onboarded legal entities (linked) and of others (not yet).
        let linked = n % 2 == 0;
        let i = if linked { (n / 2) % onboarded * 20 % scale.accounts } else { (n * 2 + 2) % scale.accounts };
        let v = account_values(i - i % 2)?;
        let (org, org_key, uscc) =
            v.organization.map(|(o, u)| (o.as_str().to_owned(), o.key(), u.as_str().to_owned())).context("a legal entity")?;
        let owner = linked.then_some((i - i % 2) as i64 + 1);
        let day = CivilDate::new(2015 + (n % 10) as i32, (n % 12) as u8 + 1, (n % 28) as u8 + 1).context("a date")?;
        tx.prepare_cached(
            "INSERT INTO legacy_records (record_number, entry, kind, status, submitted_on, foreigner_name, foreigner_nationality,
                 foreigner_document_type, foreigner_document_number, old_login_name, old_login_key, old_org_name, old_org_name_key,
                 old_uscc, link_key, owner_account_id, linked_at, linked_by, link_basis, imported_at)
             VALUES (?, 'work_permit', 'work_permit_extension', 'approved', ?, 'JOHN SMITH', 'GBR', 'passport', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )?
        .execute(params![
            format!("WP-SEED-{n:09}"),
            day.to_string(),
            format!("E{:08}", n % 100_000_000),
            v.login_name.as_str(),
            v.login_name.key(),
            org,
            org_key,
            uscc,
            uscc,
            owner,
            owner.map(|_| now - 100 * DAY),
            owner.map(|_| "system"),
            owner.map(|_| "onboarding"),
            now - 300 * DAY,
        ])?;
        Ok(())
    })?;
    let requests = scale.rows(5_000, 5);
    batched(conn, requests, |tx, n| {
        let id = (n * 20 % scale.accounts) as i64 + 1;
        let under_review = n % 10 == 0;
        let claims = serde_json::json!({ "old_uscc": "91110105MA01ABCD2X", "note": "更名前的统一社会信用代码" }).to_string();
        tx.prepare_cached(
            "INSERT INTO legacy_data_requests (entry, owner_account_id, filed_by, claims, state, created_at, decided_at)
             VALUES ('work_permit', ?, ?, ?, ?, ?, ?)",
        )?
        .execute(params![id, id, claims, if under_review { "under_review" } else { "approved" }, now - 30 * DAY, (!under_review).then_some(now - 29 * DAY)])?;
        Ok(())
    })
}

/// Scheduled work (flow 9): a reminder for one review item in ten (an
/// escalation for one in fifty) and a week of minute ticks.
fn seed_schedule(conn: &mut Connection, scale: Scale, now: i64) -> Result<()> {
    let items = scale.rows(100_000, 10) as i64;
    let reminders = scale.rows(10_000, 2).min(items as u64);
    batched(conn, reminders, |tx, n| {
        let item = n as i64 * items / reminders as i64 + 1;
        tx.prepare_cached("INSERT INTO reviewer_notifications (kind, audience, review_item_id, created_at) VALUES ('reminder', 'reviewer', ?, ?)")?
            .execute(params![item, now - 300 * DAY + item * DAY / 400])?;
        if n % 5 == 0 {
            tx.prepare_cached("INSERT INTO reviewer_notifications (kind, audience, review_item_id, created_at) VALUES ('escalation', 'lead', ?, ?)")?
                .execute(params![item, now - 298 * DAY + item * DAY / 400])?;
        }
        Ok(())
    })?;
    let ticks = 7 * 24 * 60;
    let report = serde_json::json!({ "housekeeping": {}, "reminders": { "items": 0 }, "sms": { "sent": 0 } }).to_string();
    batched(conn, ticks, |tx, n| {
        let at = now - (ticks - n) as i64 * MINUTE;
        tx.prepare_cached("INSERT INTO schedule_ticks (started_at, finished_at, trigger, report) VALUES (?, ?, 'cron', ?)")?
            .execute(params![at, at + 40, report])?;
        Ok(())
    })
}

fn check_with_the_app(db: &Path, scale: Scale) -> Result<()> {
    let store = shared::store::NativeStore::open(db).map_err(|e| anyhow::anyhow!("{e}"))?;
    let step = (scale.accounts / 50).max(1);
    for i in (0..scale.accounts).step_by(step as usize) {
        let v = account_values(i)?;
        let found = block_on(account::find_by_login(&store, &v.login_name.key()))
            .map_err(|e| anyhow::anyhow!("account {i}: {e}"))?
            .with_context(|| format!("seeded account {} is not found by the app", v.login_name.as_str()))?;
        ensure!(found.login_name == v.login_name.as_str() && found.kind == v.kind, "seeded account {i} reads back as {found:?}");
        if let Some(old) = &v.old_name {
            let by_alias = block_on(account::find_by_login(&store, &account::login_key(old)))
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            ensure!(by_alias.is_some_and(|a| a.id == found.id), "the alias {old} does not find account {i}");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::clock::{FixedClock, Timestamp};

    #[test]
    fn seeds_every_table_in_proportion_and_the_app_reads_it() {
        let dir = tempfile::tempdir().unwrap();
        let clock = FixedClock::at(Timestamp(1_795_741_200_000));
        let seeded = seed(dir.path(), Scale { accounts: 2_000 }, &clock).unwrap();
        let rows = &seeded.rows;
        assert_eq!(rows["accounts"], 2_000);
        assert_eq!(rows["login_name_aliases"], 200, "one in ten migrated");
        assert_eq!(rows["audit_log"], 2_000);
        assert_eq!(rows["sms_outbox"], 2_000);
        assert_eq!(rows["review_items"], 200);
        assert_eq!(rows["appeals"], 200);
        assert_eq!((rows["verifications"], rows["verification_history"]), (400, 800), "one in five verified");
        for (table, n) in rows {
            if table != "schema_migrations" {
                assert!(*n > 0, "{table} is empty: {rows:?}");
            }
        }
        assert!(seeded.unseeded.is_empty(), "{:?}", seeded.unseeded);
        // Half of each kind; the accounts a benchmark uses exist with the password.
        let conn = Connection::open(&seeded.db).unwrap();
        let legal: i64 = conn.query_row("SELECT COUNT(*) FROM accounts WHERE kind = 'legal_entity'", [], |r| r.get(0)).unwrap();
        assert_eq!(legal, 1_000);
        let phc: String = conn
            .query_row("SELECT password_hash FROM accounts WHERE login_name = ?", [&seeded.legal_entity.login_name], |r| r.get(0))
            .unwrap();
        assert!(shared::password::verify(PASSWORD, &phc).ok);
        let open: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM appeals a JOIN accounts c ON c.id = a.account_id WHERE c.login_name = ?",
                [&seeded.appealable[0].login_name],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(open, 0, "an appealable account has no appeal");
        let journal: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(journal, "delete", "left with the app's journal mode");
    }

    #[test]
    fn refuses_to_seed_over_an_existing_database() {
        let dir = tempfile::tempdir().unwrap();
        let clock = FixedClock::at(Timestamp(1_795_741_200_000));
        seed(dir.path(), Scale { accounts: 100 }, &clock).unwrap();
        let err = seed(dir.path(), Scale { accounts: 100 }, &clock).unwrap_err();
        assert!(err.to_string().contains("exists already"), "{err}");
    }
}
