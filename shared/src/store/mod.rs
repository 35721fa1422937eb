//! The SQL store: one interface, two backends, the same SQL and migrations.
//!
//! - [`Store`] is what flows use: `execute(sql, params) -> Rows`.
//! - `SpinStore` (feature `spin`) runs on `spin:sqlite` inside a component.
//! - `NativeStore` (feature `native`, and in this crate's tests) runs on
//!   rusqlite, so every rule is testable natively.
//!
//! Each `execute` runs exactly one statement, as Spin's SQLite does. A
//! transaction is a value ([`Transaction`]) on one connection: no module
//! outside this one writes `BEGIN`, `COMMIT` or `ROLLBACK`.

mod migrate;
#[cfg(any(feature = "native", test))]
pub(crate) mod native;

pub use migrate::{MIGRATIONS, Migration, migrate, schema_version, split_statements};
#[cfg(test)]
pub(crate) use migrate::migrate_to;
#[cfg(any(feature = "native", test))]
pub use native::NativeStore;

use crate::error::AppError;
use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// A SQLite value, as both backends see it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Integer(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Self {
        Value::Blob(v)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// The rows a statement returned (empty for most writes).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rows {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

impl Rows {
    pub fn first(&self) -> Option<Row<'_>> {
        self.iter().next()
    }

    pub fn iter(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows.iter().map(|values| Row { columns: &self.columns, values })
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }
}

/// One row, read by column name.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    columns: &'a [String],
    values: &'a [Value],
}

impl<'a> Row<'a> {
    pub fn get(&self, column: &str) -> Result<&'a Value, StoreError> {
        self.columns
            .iter()
            .position(|c| c == column)
            .map(|i| &self.values[i])
            .ok_or_else(|| StoreError::Other(format!("no column `{column}` in the result")))
    }

    pub fn int(&self, column: &str) -> Result<i64, StoreError> {
        match self.get(column)? {
            Value::Integer(i) => Ok(*i),
            other => Err(StoreError::Other(format!("column `{column}` is {other:?}, not an integer"))),
        }
    }

    pub fn opt_int(&self, column: &str) -> Result<Option<i64>, StoreError> {
        match self.get(column)? {
            Value::Null => Ok(None),
            _ => self.int(column).map(Some),
        }
    }

    pub fn text(&self, column: &str) -> Result<&'a str, StoreError> {
        match self.get(column)? {
            Value::Text(s) => Ok(s),
            other => Err(StoreError::Other(format!("column `{column}` is {other:?}, not text"))),
        }
    }

    pub fn opt_text(&self, column: &str) -> Result<Option<&'a str>, StoreError> {
        match self.get(column)? {
            Value::Null => Ok(None),
            _ => self.text(column).map(Some),
        }
    }
}

/// What can go wrong in the store, classified so flows can react
/// (a unique violation is a lost race, not a crash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// `UNIQUE constraint failed: <table>.<column>[, ...]`
    Unique(String),
    /// Another constraint (NOT NULL, CHECK, FOREIGN KEY).
    Constraint(String),
    /// The database stayed locked past the busy timeout.
    Busy(String),
    /// The component may not open that database.
    AccessDenied(String),
    Other(String),
}

impl StoreError {
    /// Classifies an SQLite error message the same way for both backends
    /// (Spin reports errors as text).
    pub fn from_message(msg: impl Into<String>) -> Self {
        let msg = msg.into();
        if let Some(rest) = msg.split("UNIQUE constraint failed: ").nth(1) {
            return StoreError::Unique(rest.trim().to_owned());
        }
        let lower = msg.to_ascii_lowercase();
        if lower.contains("database is locked") || lower.contains("database is busy") || lower.contains("database table is locked") {
            StoreError::Busy(msg)
        } else if lower.contains("constraint failed") {
            StoreError::Constraint(msg)
        } else {
            StoreError::Other(msg)
        }
    }

    /// Whether a unique violation concerns `table.column`.
    pub fn is_unique_on(&self, table_column: &str) -> bool {
        matches!(self, StoreError::Unique(cols) if cols.split(',').any(|c| c.trim() == table_column))
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Unique(c) => write!(f, "unique constraint failed: {c}"),
            StoreError::Constraint(m) => write!(f, "constraint failed: {m}"),
            StoreError::Busy(m) => write!(f, "database busy: {m}"),
            StoreError::AccessDenied(m) => write!(f, "database access denied: {m}"),
            StoreError::Other(m) => write!(f, "database error: {m}"),
        }
    }
}

impl std::error::Error for StoreError {}

/// A store failure the flow did not handle is the platform's fault: the
/// user gets a generic 500 (or 503 when it is only busy), never SQL text.
impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        let cause = e.to_string();
        let app = match e {
            StoreError::Busy(_) => AppError::new(
                "store.busy",
                503,
                "系统繁忙，请稍后重试。",
                "The service is busy; please try again shortly.",
            )
            .with_header("retry-after", "1"),
            _ => AppError::internal(),
        };
        app.with_cause(cause)
    }
}

/// Runs SQL: one statement per call. Implemented by a connection
/// ([`Database`]) and by a [`Transaction`] on one, so a read works in both.
#[allow(async_fn_in_trait)]
pub trait Store {
    async fn execute(&self, sql: &str, params: &[Value]) -> Result<Rows, StoreError>;
}

/// A connection: the only thing that starts a [`Transaction`]. A backend
/// implements [`Database::run`] (one statement, nothing else) and keeps a
/// [`Connection`] state; [`Store::execute`] for a backend is
/// [`Database::execute_statement`], which rolls back first when a dropped
/// transaction left one due.
#[allow(async_fn_in_trait)]
pub trait Database: Store + Sized {
    /// Runs one statement on the connection, as is.
    async fn run(&self, sql: &str, params: &[Value]) -> Result<Rows, StoreError>;

    /// The connection's transaction bookkeeping.
    fn connection(&self) -> &Connection;

    /// The rate-limit quota reserved by what this connection stands for: a
    /// component instance (all its connections share it), or a native
    /// store in tests (each store is an instance of its own).
    fn reserved_quota(&self) -> &crate::rate_limit::ReservedQuota;

    /// What [`Store::execute`] does on a connection: first the rollback a
    /// dropped transaction left due, then the statement.
    async fn execute_statement(&self, sql: &str, params: &[Value]) -> Result<Rows, StoreError> {
        if self.connection().take_rollback_due() {
            self.run("ROLLBACK", &[]).await?;
        }
        self.run(sql, params).await
    }

    /// Starts a write transaction now (`BEGIN IMMEDIATE`: the write lock is
    /// taken at once, so two racing writers serialise instead of failing at
    /// `COMMIT`). One transaction per connection at a time.
    async fn begin(&self) -> Result<Transaction<'_, Self>, StoreError> {
        if self.connection().in_transaction.swap(true, Ordering::SeqCst) {
            return Err(StoreError::Other("a transaction is already open on this connection".into()));
        }
        if let Err(e) = self.execute_statement("BEGIN IMMEDIATE", &[]).await {
            self.connection().in_transaction.store(false, Ordering::SeqCst);
            return Err(e);
        }
        Ok(Transaction { db: self, messages: Mutex::new(Vec::new()), open: true })
    }

    /// Runs the rollback a dropped transaction left due, now (the glue
    /// calls this when a handler returns, so a refused change never holds
    /// the write lock while the answer is rendered).
    async fn settle(&self) -> Result<(), StoreError> {
        if self.connection().take_rollback_due() {
            self.run("ROLLBACK", &[]).await?;
        }
        Ok(())
    }

    /// The SMS outbox ids that committed transactions queued on this
    /// connection since the last call (the glue delivers them).
    fn take_committed_messages(&self) -> Vec<i64> {
        std::mem::take(&mut *lock(&self.connection().committed_messages))
    }
}

/// The transaction bookkeeping of one connection. Backends hold one and
/// return it from [`Database::connection`].
#[derive(Debug, Default)]
pub struct Connection {
    in_transaction: AtomicBool,
    rollback_due: AtomicBool,
    committed_messages: Mutex<Vec<i64>>,
}

impl Connection {
    /// No transaction open or due for rollback, no message waiting: the
    /// connection can serve another request as if new.
    pub fn is_idle(&self) -> bool {
        !self.in_transaction.load(Ordering::SeqCst)
            && !self.rollback_due.load(Ordering::SeqCst)
            && lock(&self.committed_messages).is_empty()
    }

    fn take_rollback_due(&self) -> bool {
        self.rollback_due.swap(false, Ordering::SeqCst)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A write transaction, as a value: [`Database::begin`] returns it,
/// [`Transaction::commit`] consumes it, and dropping it rolls it back (the
/// `ROLLBACK` runs before the connection's next statement; a connection that
/// closes first rolls back by itself). A function that must run inside its
/// caller's transaction takes `&Transaction`, so it cannot be called
/// outside one.
pub struct Transaction<'a, D: Database> {
    db: &'a D,
    messages: Mutex<Vec<i64>>,
    open: bool,
}

impl<D: Database> Transaction<'_, D> {
    /// Commits. The SMS queued in it ([`Transaction::queue_message`]) are
    /// then due for delivery ([`Database::take_committed_messages`]).
    pub async fn commit(mut self) -> Result<(), StoreError> {
        self.db.run("COMMIT", &[]).await?;
        self.open = false;
        self.db.connection().in_transaction.store(false, Ordering::SeqCst);
        let queued = std::mem::take(&mut *lock(&self.messages));
        lock(&self.db.connection().committed_messages).extend(queued);
        Ok(())
    }

    /// Rolls back now (dropping the transaction rolls back too, before the
    /// connection's next statement).
    pub async fn rollback(mut self) -> Result<(), StoreError> {
        self.open = false;
        self.db.connection().in_transaction.store(false, Ordering::SeqCst);
        self.db.run("ROLLBACK", &[]).await.map(drop)
    }

    /// Records that this transaction wrote the outbox message `id`: it is
    /// delivered once the transaction has committed, never before.
    pub fn queue_message(&self, id: i64) {
        lock(&self.messages).push(id);
    }
}

impl<D: Database> Store for Transaction<'_, D> {
    async fn execute(&self, sql: &str, params: &[Value]) -> Result<Rows, StoreError> {
        self.db.run(sql, params).await
    }
}

impl<D: Database> Drop for Transaction<'_, D> {
    fn drop(&mut self) {
        if self.open {
            let c = self.db.connection();
            c.rollback_due.store(true, Ordering::SeqCst);
            c.in_transaction.store(false, Ordering::SeqCst);
        }
    }
}

/// Runs `body` in a new transaction: commits when it returns `Ok`, rolls
/// back when it returns `Err` (the transaction is dropped).
pub async fn in_transaction<D, T, E>(db: &D, body: impl AsyncFnOnce(&Transaction<'_, D>) -> Result<T, E>) -> Result<T, E>
where
    D: Database,
    E: From<StoreError>,
{
    let tx = db.begin().await?;
    match body(&tx).await {
        Ok(value) => {
            tx.commit().await?;
            Ok(value)
        }
        Err(e) => {
            // The body's error matters more than a failed rollback (which
            // the connection's next statement or its close repeats).
            let _ = tx.rollback().await;
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_sqlite_messages() {
        assert_eq!(
            StoreError::from_message("UNIQUE constraint failed: accounts.login_name_key"),
            StoreError::Unique("accounts.login_name_key".into())
        );
        assert!(StoreError::from_message("UNIQUE constraint failed: a.x, a.y").is_unique_on("a.y"));
        assert!(matches!(StoreError::from_message("database is locked"), StoreError::Busy(_)));
        assert!(matches!(StoreError::from_message("NOT NULL constraint failed: a.b"), StoreError::Constraint(_)));
        assert!(matches!(StoreError::from_message("no such table: x"), StoreError::Other(_)));
    }

    fn count(db: &NativeStore) -> i64 {
        let rows = native::block_on(db.execute("SELECT COUNT(*) AS n FROM t", &[])).unwrap();
        rows.first().unwrap().int("n").unwrap()
    }

    fn table() -> NativeStore {
        let db = NativeStore::in_memory().unwrap();
        native::block_on(db.execute("CREATE TABLE t (x INTEGER)", &[])).unwrap();
        db
    }

    #[test]
    fn a_committed_transaction_keeps_its_writes_and_releases_its_messages() {
        let db = table();
        native::block_on(async {
            let tx = db.begin().await.unwrap();
            tx.execute("INSERT INTO t VALUES (1)", &[]).await.unwrap();
            tx.queue_message(7);
            assert!(db.take_committed_messages().is_empty(), "nothing is delivered before the commit");
            tx.commit().await.unwrap();
        });
        assert_eq!(count(&db), 1);
        assert_eq!(db.take_committed_messages(), vec![7]);
        assert!(db.take_committed_messages().is_empty(), "taken once");
    }

    #[test]
    fn a_dropped_transaction_rolls_back_and_forgets_its_messages() {
        let db = table();
        native::block_on(async {
            let tx = db.begin().await.unwrap();
            tx.execute("INSERT INTO t VALUES (1)", &[]).await.unwrap();
            tx.queue_message(9);
            drop(tx);
            // The next statement on the connection runs after the rollback.
            assert_eq!(count(&db), 0);
            // And the connection can start a new one.
            let tx = db.begin().await.unwrap();
            tx.execute("INSERT INTO t VALUES (2)", &[]).await.unwrap();
            tx.commit().await.unwrap();
        });
        assert_eq!(count(&db), 1);
        assert!(db.take_committed_messages().is_empty());
    }

    #[test]
    fn in_transaction_commits_on_ok_and_rolls_back_on_err() {
        let db = table();
        native::block_on(async {
            let ok: Result<(), StoreError> = in_transaction(&db, async |tx| {
                tx.execute("INSERT INTO t VALUES (1)", &[]).await.map(drop)
            })
            .await;
            ok.unwrap();
            let err: Result<(), StoreError> = in_transaction(&db, async |tx| {
                tx.execute("INSERT INTO t VALUES (2)", &[]).await?;
                Err(StoreError::Other("the flow refused".into()))
            })
            .await;
            assert!(err.is_err());
        });
        assert_eq!(count(&db), 1);
    }

    #[test]
    fn one_transaction_at_a_time_per_connection() {
        let db = table();
        native::block_on(async {
            let tx = db.begin().await.unwrap();
            assert!(db.begin().await.is_err(), "no nested transaction");
            tx.commit().await.unwrap();
            db.begin().await.unwrap().commit().await.unwrap();
        });
    }

    #[test]
    fn store_errors_never_leak_sql_to_users() {
        let app: AppError = StoreError::Other("no such table: secret_stuff".into()).into();
        assert_eq!(app.status, 500);
        assert!(!app.message.en.contains("secret_stuff"));
        assert!(!app.to_json(crate::i18n::Lang::En, "r").to_string().contains("secret_stuff"));
        assert!(app.to_string().contains("secret_stuff"), "the log line keeps the cause");
        let busy: AppError = StoreError::Busy("locked".into()).into();
        assert_eq!(busy.status, 503);
    }
}

/// Per-connection settings, applied when a connection opens (both backends):
/// wait up to 5 s for a lock instead of failing at once, enforce foreign keys.
pub async fn configure_connection<S: Store>(store: &S) -> Result<(), StoreError> {
    store.execute("PRAGMA busy_timeout = 5000", &[]).await?;
    store.execute("PRAGMA foreign_keys = ON", &[]).await?;
    // In WAL mode (set by `migrate`), NORMAL syncs at checkpoints, not at
    // every commit: a commit survives a crash of the app, and the database
    // is never corrupted; only a power cut may lose the last commits.
    store.execute("PRAGMA synchronous = NORMAL", &[]).await?;
    Ok(())
}
