//! Versioned migrations: plain `.sql` files under `shared/migrations/`,
//! compiled in, applied once and in order.
//!
//! Safe when two instances start at once: the check is a cheap read of
//! `PRAGMA user_version`; applying takes the write lock (`BEGIN IMMEDIATE`),
//! reads the version again under the lock and applies only what is still
//! missing, so the loser of the race finds nothing left to do. The schema
//! version is `PRAGMA user_version`, and `schema_migrations` records when
//! each migration was applied.

use super::{Database, Store, StoreError, Value};
use crate::clock::Clock;

#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

/// Every migration, in order. A unit test checks this list against the files.
pub const MIGRATIONS: &[Migration] = &[
    Migration { version: 1, name: "0001_foundation", sql: include_str!("../../migrations/0001_foundation.sql") },
    Migration { version: 2, name: "0002_accounts", sql: include_str!("../../migrations/0002_accounts.sql") },
    Migration { version: 3, name: "0003_recovery", sql: include_str!("../../migrations/0003_recovery.sql") },
    Migration { version: 4, name: "0004_credentials", sql: include_str!("../../migrations/0004_credentials.sql") },
    Migration { version: 5, name: "0005_rate_limit_blocks", sql: include_str!("../../migrations/0005_rate_limit_blocks.sql") },
    Migration { version: 6, name: "0006_verification", sql: include_str!("../../migrations/0006_verification.sql") },
    Migration { version: 7, name: "0007_roles", sql: include_str!("../../migrations/0007_roles.sql") },
    Migration { version: 8, name: "0008_entry", sql: include_str!("../../migrations/0008_entry.sql") },
    Migration { version: 9, name: "0009_grants", sql: include_str!("../../migrations/0009_grants.sql") },
    Migration { version: 10, name: "0010_schedule", sql: include_str!("../../migrations/0010_schedule.sql") },
    Migration {
        version: 11,
        name: "0011_reviewer_sessions_by_reviewer",
        sql: include_str!("../../migrations/0011_reviewer_sessions_by_reviewer.sql"),
    },
    Migration { version: 12, name: "0012_housekeeping_indexes", sql: include_str!("../../migrations/0012_housekeeping_indexes.sql") },
    Migration { version: 13, name: "0013_rate_limit_window_covers_weight", sql: include_str!("../../migrations/0013_rate_limit_window_covers_weight.sql") },
];

pub async fn schema_version<S: Store>(store: &S) -> Result<i64, StoreError> {
    let rows = store.execute("PRAGMA user_version", &[]).await?;
    match rows.rows.first().and_then(|r| r.first()) {
        Some(Value::Integer(v)) => Ok(*v),
        other => Err(StoreError::Other(format!("unexpected user_version: {other:?}"))),
    }
}

/// What a new instance checks before its first request's statement: the
/// schema version and the journal mode, read in one statement (every
/// statement is a round trip to the host).
struct DatabaseState {
    schema_version: i64,
    journal_mode: String,
}

async fn database_state<S: Store>(store: &S) -> Result<DatabaseState, StoreError> {
    let rows = store
        .execute(
            "SELECT (SELECT user_version FROM pragma_user_version) AS schema_version, (SELECT journal_mode FROM pragma_journal_mode) AS journal_mode",
            &[],
        )
        .await?;
    let row = rows.first().ok_or_else(|| StoreError::Other("the database state returned no row".into()))?;
    Ok(DatabaseState { schema_version: row.int("schema_version")?, journal_mode: row.opt_text("journal_mode")?.unwrap_or_default().to_ascii_lowercase() })
}

/// Brings the database to the latest schema; returns the schema version.
pub async fn migrate<D: Database>(store: &D, clock: &dyn Clock) -> Result<i64, StoreError> {
    migrate_to(store, clock, MIGRATIONS).await
}

pub(crate) async fn migrate_to<D: Database>(
    store: &D,
    clock: &dyn Clock,
    migrations: &[Migration],
) -> Result<i64, StoreError> {
    let latest = migrations.last().map_or(0, |m| m.version);
    let DatabaseState { schema_version: current, journal_mode } = database_state(store).await?;
    if journal_mode != "wal" {
        use_write_ahead_log(store).await;
    }
    if current == latest {
        return Ok(current);
    }
    if current > latest {
        return Err(StoreError::Other(format!(
            "the database has schema version {current}, newer than this code's {latest}"
        )));
    }
    let tx = store.begin().await?;
    let applied = apply_pending(&tx, clock, migrations, latest).await?;
    tx.commit().await?;
    Ok(applied)
}

async fn apply_pending<S: Store>(
    store: &S,
    clock: &dyn Clock,
    migrations: &[Migration],
    latest: i64,
) -> Result<i64, StoreError> {
    // Read again under the write lock: another instance may have won.
    let current = schema_version(store).await?;
    if current >= latest {
        return Ok(current);
    }
    store
        .execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                applied_at INTEGER NOT NULL
            )",
            &[],
        )
        .await?;
    for m in migrations.iter().filter(|m| m.version > current) {
        for statement in split_statements(m.sql) {
            store.execute(&statement, &[]).await.map_err(|e| {
                StoreError::Other(format!("migration {} failed: {e}", m.name))
            })?;
        }
        store
            .execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                &[m.version.into(), m.name.into(), clock.now().millis().into()],
            )
            .await?;
    }
    // PRAGMA takes no parameters; `latest` is an integer we control.
    store.execute(&format!("PRAGMA user_version = {latest}"), &[]).await?;
    Ok(latest)
}

/// Puts the database in WAL mode (kept in the file, so `migrate` asks only
/// when [`database_state`] finds another mode).
/// Spin opens SQLite in its default rollback-journal mode, where every
/// writer blocks every reader; with a write-ahead log readers never wait
/// for the writer, and a commit is one append. Best effort: a backend that
/// has no journal mode to set (libSQL over HTTP) keeps its own.
async fn use_write_ahead_log<S: Store>(store: &S) {
    if let Err(e) = store.execute("PRAGMA journal_mode = WAL", &[]).await {
        eprintln!("[store] journal mode stays as it is: {e}");
    }
}

/// Splits a migration file into single statements (Spin's SQLite runs one
/// statement per call). Understands `--` and `/* */` comments, quoted
/// strings and identifiers, and `CREATE TRIGGER ... BEGIN ... END;` bodies.
pub fn split_statements(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut chars = sql.chars().peekable();
    let mut words: Vec<String> = Vec::new(); // upper-cased words of the current statement
    let mut word = String::new();
    let mut trigger_depth = 0usize;

    let flush_word = |word: &mut String, words: &mut Vec<String>, depth: &mut usize| {
        if word.is_empty() {
            return;
        }
        let w = word.to_ascii_uppercase();
        let is_trigger = words.len() >= 2
            && words[0] == "CREATE"
            && words.iter().take(4).any(|x| x == "TRIGGER");
        if is_trigger && (w == "BEGIN" || w == "CASE") {
            *depth += 1;
        } else if is_trigger && w == "END" && *depth > 0 {
            *depth -= 1;
        }
        words.push(w);
        word.clear();
    };

    while let Some(c) = chars.next() {
        match c {
            '-' if chars.peek() == Some(&'-') => {
                flush_word(&mut word, &mut words, &mut trigger_depth);
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
                current.push('\n');
            }
            '/' if chars.peek() == Some(&'*') => {
                flush_word(&mut word, &mut words, &mut trigger_depth);
                chars.next();
                let mut prev = ' ';
                for c in chars.by_ref() {
                    if prev == '*' && c == '/' {
                        break;
                    }
                    prev = c;
                }
                current.push(' ');
            }
            '\'' | '"' | '`' => {
                flush_word(&mut word, &mut words, &mut trigger_depth);
                current.push(c);
                while let Some(q) = chars.next() {
                    current.push(q);
                    if q == c {
                        if chars.peek() == Some(&c) {
                            current.push(chars.next().unwrap_or(c));
                        } else {
                            break;
                        }
                    }
                }
            }
            ';' => {
                flush_word(&mut word, &mut words, &mut trigger_depth);
                if trigger_depth > 0 {
                    current.push(c);
                } else {
                    let stmt = current.trim();
                    if !stmt.is_empty() {
                        out.push(stmt.to_owned());
                    }
                    current.clear();
                    words.clear();
                }
            }
            c if c.is_alphanumeric() || c == '_' => {
                word.push(c);
                current.push(c);
            }
            c => {
                flush_word(&mut word, &mut words, &mut trigger_depth);
                current.push(c);
            }
        }
    }
    flush_word(&mut word, &mut words, &mut trigger_depth);
    let stmt = current.trim();
    if !stmt.is_empty() {
        out.push(stmt.to_owned());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{FixedClock, Timestamp};
    use crate::store::NativeStore;

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        crate::store::native::block_on(f)
    }

    #[test]
    fn splits_on_semicolons_outside_strings_comments_and_triggers() {
        let sql = "CREATE TABLE a (x TEXT DEFAULT ';'); -- a comment; with a semicolon\n\
                   /* block; comment */ INSERT INTO a VALUES ('it''s; fine');\n\
                   CREATE TRIGGER t BEFORE UPDATE ON a BEGIN SELECT RAISE(ABORT, 'no; never'); END;\n\
                   SELECT 1";
        let parts = split_statements(sql);
        assert_eq!(parts.len(), 4, "{parts:#?}");
        assert!(parts[0].starts_with("CREATE TABLE a"));
        assert!(parts[1].contains("'it''s; fine'"));
        assert!(parts[2].starts_with("CREATE TRIGGER t") && parts[2].ends_with("END"));
        assert_eq!(parts[3], "SELECT 1");
    }

    #[test]
    fn every_migration_file_is_listed_in_order() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".sql"))
            .collect();
        files.sort();
        let listed: Vec<String> = MIGRATIONS.iter().map(|m| format!("{}.sql", m.name)).collect();
        assert_eq!(files, listed);
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version, i as i64 + 1);
            assert!(m.name.starts_with(&format!("{:04}_", m.version)));
        }
    }

    #[test]
    fn applies_once_and_records_the_version() {
        let store = NativeStore::in_memory().unwrap();
        let clock = FixedClock::at(Timestamp(1_000));
        let latest = MIGRATIONS.last().unwrap().version;
        assert_eq!(block_on(schema_version(&store)).unwrap(), 0);
        assert_eq!(block_on(migrate(&store, &clock)).unwrap(), latest);
        assert_eq!(block_on(migrate(&store, &clock)).unwrap(), latest);
        let rows = block_on(store.execute("SELECT version, applied_at FROM schema_migrations", &[])).unwrap();
        assert_eq!(rows.len(), MIGRATIONS.len());
        assert_eq!(rows.first().unwrap().int("applied_at").unwrap(), 1_000);
    }

    #[test]
    fn a_failing_migration_leaves_the_schema_untouched() {
        let store = NativeStore::in_memory().unwrap();
        let clock = FixedClock::at(Timestamp(0));
        let broken = [
            Migration { version: 1, name: "0001_ok", sql: "CREATE TABLE ok (x INTEGER);" },
            Migration { version: 2, name: "0002_bad", sql: "CREATE TABLE bad (x INTEGER); INSERT INTO nowhere VALUES (1);" },
        ];
        let err = block_on(migrate_to(&store, &clock, &broken)).unwrap_err();
        assert!(err.to_string().contains("0002_bad"), "{err}");
        assert_eq!(block_on(schema_version(&store)).unwrap(), 0);
        let tables = block_on(store.execute("SELECT name FROM sqlite_master WHERE type = 'table'", &[])).unwrap();
        assert!(tables.is_empty(), "rolled back: {tables:?}");
    }

    #[test]
    fn refuses_a_database_newer_than_the_code() {
        let store = NativeStore::in_memory().unwrap();
        block_on(store.execute("PRAGMA user_version = 999", &[])).unwrap();
        let err = block_on(migrate(&store, &FixedClock::at(Timestamp(0)))).unwrap_err();
        assert!(err.to_string().contains("newer"));
    }

    #[test]
    fn one_statement_reads_the_schema_version_and_the_journal_mode() {
        let dir = std::env::temp_dir().join(format!("migrate-state-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("state.db");
        let _ = std::fs::remove_file(&path);
        let store = NativeStore::open(&path).unwrap();
        let fresh = block_on(database_state(&store)).unwrap();
        assert_eq!((fresh.schema_version, fresh.journal_mode.as_str()), (0, "delete"), "SQLite's default journal on a new file");
        let latest = block_on(migrate(&store, &FixedClock::at(Timestamp(0)))).unwrap();
        let migrated = block_on(database_state(&NativeStore::open(&path).unwrap())).unwrap();
        assert_eq!((migrated.schema_version, migrated.journal_mode.as_str()), (latest, "wal"), "the mode is kept in the file");
        drop(store);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn two_instances_racing_apply_each_migration_once() {
        let dir = std::env::temp_dir().join(format!("migrate-race-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("race.db");
        let _ = std::fs::remove_file(&path);
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let store = NativeStore::open(&path).unwrap();
                    block_on(migrate(&store, &FixedClock::at(Timestamp(5)))).unwrap()
                })
            })
            .collect();
        let latest = MIGRATIONS.last().unwrap().version;
        for h in handles {
            assert_eq!(h.join().unwrap(), latest);
        }
        let store = NativeStore::open(&path).unwrap();
        let rows = block_on(store.execute("SELECT COUNT(*) AS n FROM schema_migrations", &[])).unwrap();
        assert_eq!(rows.first().unwrap().int("n").unwrap(), MIGRATIONS.len() as i64);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
