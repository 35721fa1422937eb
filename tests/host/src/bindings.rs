//! Host bindings for the Spin interfaces, generated from the WIT in `../wit`.

wasmtime::component::bindgen!({
    path: "wit",
    world: "spin-test-host:host/host",
    imports: { default: async | trappable },
    // Mapping each error type to itself makes the host functions return
    // `Result<T, Error>` (guest-visible errors) rather than trapping.
    trappable_error_type: {
        "spin:sqlite/sqlite@3.1.0.error" => spin::sqlite::sqlite::Error,
        "spin:variables/variables@3.0.0.error" => spin::variables::variables::Error,
        "spin:key-value/key-value@3.0.0.error" => spin::key_value::key_value::Error,
    },
    with: {
        "spin:sqlite/sqlite.connection": crate::sqlite::SqliteConnection,
        "spin:key-value/key-value.store": crate::key_value::KvStore,
    },
    anyhow: true,
});
