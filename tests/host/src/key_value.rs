//! `spin:key-value/key-value@3.0.0`, stored in `<state>/sqlite_key_value.db`
//! (one table, keyed by store label), as `spin up` does for its default store.
//! A label the component did not declare in `key_value_stores` gets
//! `access-denied`.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::OptionalExtension;
use wasmtime::component::{Accessor, FutureReader, Resource, StreamReader};

use crate::bindings::spin::key_value::key_value as wit;
use crate::state::{SpinHost, StoreState};

pub const KV_FILE: &str = "sqlite_key_value.db";

/// The host side of a guest `store` resource.
pub struct KvStore {
    label: String,
    conn: Arc<Mutex<rusqlite::Connection>>,
}

fn other(err: impl std::fmt::Display) -> wit::Error {
    wit::Error::Other(err.to_string())
}

fn open_store(state_dir: &Path) -> rusqlite::Result<rusqlite::Connection> {
    let conn = crate::sqlite::open_file(&state_dir.join(KV_FILE))?;
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS spin_key_value (
            store TEXT NOT NULL,
            key TEXT NOT NULL,
            value BLOB NOT NULL,
            PRIMARY KEY (store, key)
        )",
    )?;
    Ok(conn)
}

async fn with_store<T, R: Send + 'static>(
    accessor: &Accessor<T, SpinHost>,
    store: &Resource<KvStore>,
    work: impl FnOnce(&rusqlite::Connection, &str) -> Result<R, wit::Error> + Send + 'static,
) -> Result<R, wit::Error> {
    let (label, conn) = accessor.with(|mut access| {
        let state = access.get();
        state
            .table
            .get(store)
            .map(|s| (s.label.clone(), s.conn.clone()))
            .map_err(other)
    })?;
    tokio::task::spawn_blocking(move || {
        let conn = conn.lock().unwrap_or_else(|e| e.into_inner());
        work(&conn, &label)
    })
    .await
    .map_err(other)?
}

impl wit::Host for StoreState {
    fn convert_error(&mut self, err: wit::Error) -> anyhow::Result<wit::Error> {
        Ok(err)
    }
}

impl wit::HostStore for StoreState {
    async fn drop(&mut self, store: Resource<KvStore>) -> anyhow::Result<()> {
        self.table.delete(store)?;
        Ok(())
    }
}

impl<T> wit::HostStoreWithStore<T> for SpinHost {
    async fn open(
        accessor: &Accessor<T, Self>,
        label: String,
    ) -> Result<Resource<KvStore>, wit::Error> {
        let state_dir = accessor.with(|mut access| {
            let state = access.get();
            if state.component.key_value_stores.contains(&label) {
                Ok(state.component.state_dir.clone())
            } else {
                Err(wit::Error::AccessDenied)
            }
        })?;
        let conn = tokio::task::spawn_blocking(move || open_store(&state_dir))
            .await
            .map_err(other)?
            .map_err(other)?;
        accessor.with(|mut access| {
            access
                .get()
                .table
                .push(KvStore {
                    label,
                    conn: Arc::new(Mutex::new(conn)),
                })
                .map_err(|_| wit::Error::StoreTableFull)
        })
    }

    async fn get(
        accessor: &Accessor<T, Self>,
        store: Resource<KvStore>,
        key: String,
    ) -> Result<Option<Vec<u8>>, wit::Error> {
        with_store(accessor, &store, move |conn, label| {
            conn.query_row(
                "SELECT value FROM spin_key_value WHERE store = ?1 AND key = ?2",
                (label, &key),
                |row| row.get::<_, Vec<u8>>(0),
            )
            .optional()
            .map_err(other)
        })
        .await
    }

    async fn set(
        accessor: &Accessor<T, Self>,
        store: Resource<KvStore>,
        key: String,
        value: Vec<u8>,
    ) -> Result<(), wit::Error> {
        with_store(accessor, &store, move |conn, label| {
            conn.execute(
                "INSERT INTO spin_key_value (store, key, value) VALUES (?1, ?2, ?3)
                 ON CONFLICT (store, key) DO UPDATE SET value = excluded.value",
                (label, &key, &value),
            )
            .map(|_| ())
            .map_err(other)
        })
        .await
    }

    async fn delete(
        accessor: &Accessor<T, Self>,
        store: Resource<KvStore>,
        key: String,
    ) -> Result<(), wit::Error> {
        with_store(accessor, &store, move |conn, label| {
            conn.execute(
                "DELETE FROM spin_key_value WHERE store = ?1 AND key = ?2",
                (label, &key),
            )
            .map(|_| ())
            .map_err(other)
        })
        .await
    }

    async fn exists(
        accessor: &Accessor<T, Self>,
        store: Resource<KvStore>,
        key: String,
    ) -> Result<bool, wit::Error> {
        with_store(accessor, &store, move |conn, label| {
            conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM spin_key_value WHERE store = ?1 AND key = ?2)",
                (label, &key),
                |row| row.get::<_, bool>(0),
            )
            .map_err(other)
        })
        .await
    }

    async fn get_keys(
        accessor: &Accessor<T, Self>,
        store: Resource<KvStore>,
    ) -> anyhow::Result<(StreamReader<String>, FutureReader<Result<(), wit::Error>>)> {
        let keys = with_store(accessor, &store, |conn, label| {
            let mut stmt = conn
                .prepare_cached("SELECT key FROM spin_key_value WHERE store = ?1 ORDER BY key")
                .map_err(other)?;
            let keys = stmt
                .query_map([label], |row| row.get::<_, String>(0))
                .map_err(other)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(other)?;
            Ok(keys)
        })
        .await;
        accessor.with(|mut access| {
            let (keys, result) = match keys {
                Ok(keys) => (keys, Ok(())),
                Err(err) => (Vec::new(), Err(err)),
            };
            let stream = StreamReader::new(&mut access, keys).map_err(anyhow::Error::from)?;
            let done =
                FutureReader::new(&mut access, async move { Ok::<_, wasmtime::Error>(result) })
                    .map_err(anyhow::Error::from)?;
            Ok((stream, done))
        })
    }
}
