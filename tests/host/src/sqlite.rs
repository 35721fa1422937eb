//! `spin:sqlite/sqlite@3.1.0` on local SQLite files.
//!
//! Layout (as `spin up` does for its default database): label `default` is
//! `<state>/sqlite_db.db`; any other label declared by a component is
//! `<state>/<label>.db`. A label the component did not declare in
//! `sqlite_databases` gets `access-denied`.
//!
//! As in Spin (`crates/sqlite-inproc`, `crates/factor-sqlite`): every guest
//! `open` gets its own SQLite connection (so a transaction spans several
//! `execute` calls on it), opened with rusqlite's defaults (a 5 s busy
//! timeout, SQLite's default rollback journal: no WAL), with attaching other
//! database files denied; an instance may have 256 connections open at once;
//! `execute-async` reports a failing statement through its completion future,
//! after the rows it produced. Blocking SQLite work runs on Tokio's blocking
//! pool.
//!
//! Not in Spin: with `HostOptions::sql_log` set, every distinct statement
//! text a component runs is appended to that file ([`SqlLog`]), so a test
//! can check the query plans of everything a suite executed.

use std::collections::HashSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::types::ValueRef;
use wasmtime::component::{Accessor, FutureReader, Resource, StreamReader};

use crate::bindings::spin::sqlite::sqlite as wit;
use crate::state::{SpinHost, StoreState};

/// rusqlite's default, which Spin keeps.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Spin's per-instance connection table size.
const MAX_CONNECTIONS: usize = 256;

/// The host side of a guest `connection` resource.
pub struct SqliteConnection {
    conn: Arc<Mutex<rusqlite::Connection>>,
}

/// Path of the database file for `label` under `state_dir`.
pub fn database_path(state_dir: &Path, label: &str) -> PathBuf {
    if label == "default" {
        state_dir.join("sqlite_db.db")
    } else {
        state_dir.join(format!("{label}.db"))
    }
}

/// Opens a connection the way Spin's in-process SQLite does.
pub(crate) fn open_file(path: &Path) -> rusqlite::Result<rusqlite::Connection> {
    let mut conn = rusqlite::Connection::open(path)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.authorizer(Some(|ctx: rusqlite::hooks::AuthContext<'_>| {
        use rusqlite::hooks::{AuthAction, Authorization};
        match ctx.action {
            // Temporary ("") and in-memory databases only, as Spin.
            AuthAction::Attach { filename } if !matches!(filename, "" | ":memory:") => {
                Authorization::Deny
            }
            _ => Authorization::Allow,
        }
    }))?;
    Ok(conn)
}

/// The distinct SQL statements components ran, appended to a file as JSON
/// lines `{"component": id, "sql": text}`, each statement once per host
/// (several hosts, in several processes, may append to one file: each line
/// is one `write` on a file opened for appending).
#[derive(Debug)]
pub(crate) struct SqlLog {
    path: PathBuf,
    seen: Mutex<HashSet<String>>,
    file: Mutex<std::fs::File>,
}

impl SqlLog {
    pub(crate) fn open(path: &Path) -> anyhow::Result<SqlLog> {
        use anyhow::Context as _;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .with_context(|| format!("cannot open the SQL log {}", path.display()))?;
        Ok(SqlLog {
            path: path.to_path_buf(),
            seen: Mutex::new(HashSet::new()),
            file: Mutex::new(file),
        })
    }

    pub(crate) fn record(&self, component: &str, sql: &str) {
        let new = self
            .seen
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(sql.to_string());
        if !new {
            return;
        }
        let mut line = serde_json::json!({ "component": component, "sql": sql }).to_string();
        line.push('\n');
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        if let Err(err) = file.write_all(line.as_bytes()) {
            eprintln!("[spin-test-host] cannot write the SQL log {}: {err}", self.path.display());
        }
    }
}

fn io_error(err: impl std::fmt::Display) -> wit::Error {
    wit::Error::Io(err.to_string())
}

async fn blocking<R: Send + 'static>(
    conn: Arc<Mutex<rusqlite::Connection>>,
    work: impl FnOnce(&rusqlite::Connection) -> Result<R, wit::Error> + Send + 'static,
) -> Result<R, wit::Error> {
    tokio::task::spawn_blocking(move || {
        let conn = conn.lock().unwrap_or_else(|e| e.into_inner());
        work(&conn)
    })
    .await
    .map_err(io_error)?
}

fn to_sql(value: wit::Value) -> rusqlite::types::Value {
    use rusqlite::types::Value as V;
    match value {
        wit::Value::Integer(i) => V::Integer(i),
        wit::Value::Real(r) => V::Real(r),
        wit::Value::Text(t) => V::Text(t),
        wit::Value::Blob(b) => V::Blob(b),
        wit::Value::Null => V::Null,
    }
}

fn from_sql(value: ValueRef<'_>) -> wit::Value {
    match value {
        ValueRef::Null => wit::Value::Null,
        ValueRef::Integer(i) => wit::Value::Integer(i),
        ValueRef::Real(r) => wit::Value::Real(r),
        ValueRef::Text(t) => wit::Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => wit::Value::Blob(b.to_vec()),
    }
}

/// Runs one statement: its columns, the rows it produced, and the error that
/// stopped it, if any (for `execute-async`, which reports it after the rows).
fn run_statement_partial(
    conn: &rusqlite::Connection,
    sql: &str,
    parameters: Vec<wit::Value>,
) -> (Vec<String>, Vec<wit::RowResult>, Option<wit::Error>) {
    let mut stmt = match conn.prepare_cached(sql) {
        Ok(stmt) => stmt,
        Err(err) => return (Vec::new(), Vec::new(), Some(io_error(err))),
    };
    let columns: Vec<String> = stmt.column_names().map(str::to_string).collect();
    let params = rusqlite::params_from_iter(parameters.into_iter().map(to_sql));
    let mut out = Vec::new();
    let mut rows = match stmt.query(params) {
        Ok(rows) => rows,
        Err(err) => return (columns, out, Some(io_error(err))),
    };
    loop {
        match rows.next() {
            Ok(Some(row)) => {
                let mut values = Vec::with_capacity(columns.len());
                for i in 0..columns.len() {
                    match row.get_ref(i) {
                        Ok(v) => values.push(from_sql(v)),
                        Err(err) => return (columns, out, Some(io_error(err))),
                    }
                }
                out.push(wit::RowResult { values });
            }
            Ok(None) => return (columns, out, None),
            Err(err) => return (columns, out, Some(io_error(err))),
        }
    }
}

/// Runs one statement and returns its columns and all of its rows.
fn run_statement(
    conn: &rusqlite::Connection,
    sql: &str,
    parameters: Vec<wit::Value>,
) -> Result<wit::QueryResult, wit::Error> {
    let mut stmt = conn.prepare_cached(sql).map_err(io_error)?;
    let columns: Vec<String> = stmt.column_names().map(str::to_string).collect();
    let params = rusqlite::params_from_iter(parameters.into_iter().map(to_sql));
    let mut rows = stmt.query(params).map_err(io_error)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(io_error)? {
        let mut values = Vec::with_capacity(columns.len());
        for i in 0..columns.len() {
            values.push(from_sql(row.get_ref(i).map_err(io_error)?));
        }
        out.push(wit::RowResult { values });
    }
    Ok(wit::QueryResult { columns, rows: out })
}

impl StoreState {
    fn sqlite_open(&mut self, label: &str) -> Result<Resource<SqliteConnection>, wit::Error> {
        if !self.component.sqlite_databases.iter().any(|l| l == label) {
            return Err(wit::Error::AccessDenied);
        }
        if self.sqlite_connections >= MAX_CONNECTIONS {
            return Err(wit::Error::Io("too many connections opened".to_string()));
        }
        let path = database_path(&self.component.state_dir, label);
        let conn = open_file(&path).map_err(io_error)?;
        let resource = self
            .table
            .push(SqliteConnection {
                conn: Arc::new(Mutex::new(conn)),
            })
            .map_err(io_error)?;
        self.sqlite_connections += 1;
        Ok(resource)
    }

    fn log_sql(&self, sql: &str) {
        if let Some(log) = &self.component.sql_log {
            log.record(&self.component.id, sql);
        }
    }

    fn sqlite_conn(
        &self,
        conn: &Resource<SqliteConnection>,
    ) -> Result<Arc<Mutex<rusqlite::Connection>>, wit::Error> {
        self.table
            .get(conn)
            .map(|c| c.conn.clone())
            .map_err(|_| wit::Error::InvalidConnection)
    }
}

fn sqlite_conn_of<T>(
    accessor: &Accessor<T, SpinHost>,
    conn: &Resource<SqliteConnection>,
) -> Result<Arc<Mutex<rusqlite::Connection>>, wit::Error> {
    accessor.with(|mut access| access.get().sqlite_conn(conn))
}

impl wit::Host for StoreState {
    fn convert_error(&mut self, err: wit::Error) -> anyhow::Result<wit::Error> {
        Ok(err)
    }
}

impl wit::HostConnection for StoreState {
    async fn open(&mut self, database: String) -> Result<Resource<SqliteConnection>, wit::Error> {
        // Opening a file is quick; kept on this thread so the resource can be
        // pushed into the table directly.
        self.sqlite_open(&database)
    }

    async fn execute(
        &mut self,
        conn: Resource<SqliteConnection>,
        statement: String,
        parameters: Vec<wit::Value>,
    ) -> Result<wit::QueryResult, wit::Error> {
        let conn = self.sqlite_conn(&conn)?;
        self.log_sql(&statement);
        blocking(conn, move |c| run_statement(c, &statement, parameters)).await
    }

    async fn last_insert_rowid(&mut self, conn: Resource<SqliteConnection>) -> anyhow::Result<i64> {
        let conn = self.sqlite_conn(&conn)?;
        Ok(blocking(conn, |c| Ok(c.last_insert_rowid())).await?)
    }

    async fn changes(&mut self, conn: Resource<SqliteConnection>) -> anyhow::Result<u64> {
        let conn = self.sqlite_conn(&conn)?;
        Ok(blocking(conn, |c| Ok(c.changes())).await?)
    }

    async fn drop(&mut self, conn: Resource<SqliteConnection>) -> anyhow::Result<()> {
        self.table.delete(conn)?;
        self.sqlite_connections = self.sqlite_connections.saturating_sub(1);
        Ok(())
    }
}

impl<T> wit::HostConnectionWithStore<T> for SpinHost {
    async fn open_async(
        accessor: &Accessor<T, Self>,
        database: String,
    ) -> Result<Resource<SqliteConnection>, wit::Error> {
        accessor.with(|mut access| access.get().sqlite_open(&database))
    }

    async fn execute_async(
        accessor: &Accessor<T, Self>,
        conn: Resource<SqliteConnection>,
        statement: String,
        parameters: Vec<wit::Value>,
    ) -> Result<
        (
            Vec<String>,
            StreamReader<wit::RowResult>,
            FutureReader<Result<(), wit::Error>>,
        ),
        wit::Error,
    > {
        let conn = sqlite_conn_of(accessor, &conn)?;
        accessor.with(|mut access| access.get().log_sql(&statement));
        // The statement runs to completion before the guest sees any row. As
        // in Spin, a failure (even at prepare time) is not the call's error: the
        // guest gets the columns (none if it did not prepare), the rows
        // produced before the failure, then the error from the completion future.
        let (columns, rows, error) = blocking(conn, move |c| {
            Ok(run_statement_partial(c, &statement, parameters))
        })
        .await?;
        accessor.with(|mut access| {
            let rows = StreamReader::new(&mut access, rows).map_err(io_error)?;
            let done = FutureReader::new(&mut access, async move {
                Ok::<_, wasmtime::Error>(match error {
                    Some(err) => Err(err),
                    None => Ok(()),
                })
            })
            .map_err(io_error)?;
            Ok((columns, rows, done))
        })
    }

    async fn last_insert_rowid_async(
        accessor: &Accessor<T, Self>,
        conn: Resource<SqliteConnection>,
    ) -> anyhow::Result<i64> {
        let conn = sqlite_conn_of(accessor, &conn)?;
        Ok(blocking(conn, |c| Ok(c.last_insert_rowid())).await?)
    }

    async fn changes_async(
        accessor: &Accessor<T, Self>,
        conn: Resource<SqliteConnection>,
    ) -> anyhow::Result<u64> {
        let conn = sqlite_conn_of(accessor, &conn)?;
        Ok(blocking(conn, |c| Ok(c.changes())).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_layout() {
        let dir = Path::new("/state");
        assert_eq!(
            database_path(dir, "default"),
            PathBuf::from("/state/sqlite_db.db")
        );
        assert_eq!(
            database_path(dir, "audit"),
            PathBuf::from("/state/audit.db")
        );
    }

    #[test]
    fn statement_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open_file(&dir.path().join("t.db")).unwrap();
        run_statement(
            &conn,
            "CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB, n)",
            vec![],
        )
        .unwrap();
        run_statement(
            &conn,
            "INSERT INTO t VALUES (?, ?, ?, ?, ?)",
            vec![
                wit::Value::Integer(7),
                wit::Value::Real(1.5),
                wit::Value::Text("字".into()),
                wit::Value::Blob(vec![0, 1]),
                wit::Value::Null,
            ],
        )
        .unwrap();
        let result = run_statement(&conn, "SELECT * FROM t", vec![]).unwrap();
        assert_eq!(result.columns, ["i", "r", "s", "b", "n"]);
        assert_eq!(result.rows.len(), 1);
        let v = &result.rows[0].values;
        assert!(matches!(v[0], wit::Value::Integer(7)));
        assert!(matches!(&v[2], wit::Value::Text(s) if s == "字"));
        assert!(matches!(v[4], wit::Value::Null));
        let err = run_statement(&conn, "SELECT nope FROM t", vec![]).unwrap_err();
        assert!(matches!(err, wit::Error::Io(msg) if msg.contains("nope")));
    }
}
