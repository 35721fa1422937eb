//! The SQL store: one interface, two backends, the same SQL and migrations.
//!
//! - [`Store`] is what flows use: `execute(sql, params) -> Rows`.
//! - `SpinStore` (feature `spin`) runs on `spin:sqlite` inside a component.
//! - `NativeStore` (feature `native`, and in this crate's tests) runs on
//!   rusqlite, so every rule is testable natively.
//!
//! Each `execute` runs exactly one statement, as Spin's SQLite does; a
//! transaction is `BEGIN IMMEDIATE` ... `COMMIT` on the same connection.

mod migrate;
#[cfg(any(feature = "native", test))]
pub(crate) mod native;

pub use migrate::{MIGRATIONS, Migration, migrate, schema_version, split_statements};
#[cfg(any(feature = "native", test))]
pub use native::NativeStore;

use crate::error::AppError;
use std::fmt;

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

/// A SQL database. Each call runs one statement on one connection.
#[allow(async_fn_in_trait)]
pub trait Store {
    async fn execute(&self, sql: &str, params: &[Value]) -> Result<Rows, StoreError>;

    /// Starts a write transaction now (taking the write lock at once, so two
    /// racing writers serialise instead of failing at COMMIT).
    async fn begin(&self) -> Result<(), StoreError> {
        self.execute("BEGIN IMMEDIATE", &[]).await.map(drop)
    }

    async fn commit(&self) -> Result<(), StoreError> {
        self.execute("COMMIT", &[]).await.map(drop)
    }

    async fn rollback(&self) -> Result<(), StoreError> {
        self.execute("ROLLBACK", &[]).await.map(drop)
    }
}

/// Runs `body` inside `BEGIN IMMEDIATE` / `COMMIT`, rolling back on error.
#[macro_export]
macro_rules! transaction {
    ($store:expr, $body:expr) => {{
        let store = $store;
        $crate::store::Store::begin(store).await?;
        let result = $body;
        $crate::store::finish(store, result).await
    }};
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
    Ok(())
}

/// Ends the transaction a `begin` opened: commits on `Ok`, rolls back on
/// `Err` (the original error matters more than a failed rollback).
pub async fn finish<S: Store, T, E: From<StoreError>>(store: &S, result: Result<T, E>) -> Result<T, E> {
    match result {
        Ok(v) => {
            store.commit().await?;
            Ok(v)
        }
        Err(e) => {
            let _ = store.rollback().await;
            Err(e)
        }
    }
}
