//! The rusqlite backend, for native tests and tools. Same SQL as Spin.

use super::{Connection, Database, Rows, Store, StoreError, Value};
use rusqlite::types::ValueRef;
use std::path::Path;
use std::sync::Mutex;

pub struct NativeStore {
    conn: Mutex<rusqlite::Connection>,
    state: Connection,
    quota: crate::rate_limit::ReservedQuota,
}

impl NativeStore {
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = rusqlite::Connection::open(path).map_err(map_err)?;
        Self::configure(conn)
    }

    pub fn in_memory() -> Result<Self, StoreError> {
        Self::configure(rusqlite::Connection::open_in_memory().map_err(map_err)?)
    }

    fn configure(conn: rusqlite::Connection) -> Result<Self, StoreError> {
        conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(map_err)?;
        let store = NativeStore { conn: Mutex::new(conn), state: Connection::default(), quota: Default::default() };
        block_on(super::configure_connection(&store))?;
        Ok(store)
    }
}

impl Store for NativeStore {
    async fn execute(&self, sql: &str, params: &[Value]) -> Result<Rows, StoreError> {
        self.execute_statement(sql, params).await
    }
}

impl Database for NativeStore {
    fn connection(&self) -> &Connection {
        &self.state
    }

    fn reserved_quota(&self) -> &crate::rate_limit::ReservedQuota {
        &self.quota
    }

    async fn run(&self, sql: &str, params: &[Value]) -> Result<Rows, StoreError> {
        let conn = self.conn.lock().map_err(|_| StoreError::Other("connection poisoned".into()))?;
        let mut stmt = conn.prepare(sql).map_err(map_err)?;
        let columns: Vec<String> = stmt.column_names().into_iter().map(str::to_owned).collect();
        let params = rusqlite::params_from_iter(params.iter().map(to_sql));
        let mut rows = stmt.query(params).map_err(map_err)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(map_err)? {
            let mut values = Vec::with_capacity(columns.len());
            for i in 0..columns.len() {
                values.push(match row.get_ref(i).map_err(map_err)? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(v) => Value::Integer(v),
                    ValueRef::Real(v) => Value::Real(v),
                    ValueRef::Text(v) => Value::Text(String::from_utf8_lossy(v).into_owned()),
                    ValueRef::Blob(v) => Value::Blob(v.to_vec()),
                });
            }
            out.push(values);
        }
        Ok(Rows { columns, rows: out })
    }
}

fn to_sql(v: &Value) -> rusqlite::types::Value {
    match v {
        Value::Null => rusqlite::types::Value::Null,
        Value::Integer(i) => rusqlite::types::Value::Integer(*i),
        Value::Real(r) => rusqlite::types::Value::Real(*r),
        Value::Text(s) => rusqlite::types::Value::Text(s.clone()),
        Value::Blob(b) => rusqlite::types::Value::Blob(b.clone()),
    }
}

fn map_err(e: rusqlite::Error) -> StoreError {
    StoreError::from_message(e.to_string())
}

/// Drives a store future to completion. The native backend never awaits
/// anything that is not immediately ready, so a no-op waker suffices.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}
