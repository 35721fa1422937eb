//! Flow 9, the cron side: Spin's cron trigger (`spin:cron@3.0.0`, the world
//! in `wit/cron.wit`, copied from `../shared/tools/cron.wit`) calls
//! `handle-cron-event` every minute (`[[trigger.cron]]` in `spin.toml`);
//! the tick is `shared::schedule::tick`, run by the glue
//! `shared::spin::scheduled`.
//!
//! The bindings use the wit-bindgen that spin-sdk re-exports, with its
//! runtime, so the export and the SDK's imports (SQLite, variables, the
//! SMS gateway over outbound HTTP) share one async runtime.

spin_sdk::wit_bindgen::generate!({
    world: "spin-cron",
    path: "wit",
    runtime_path: "::spin_sdk::wit_bindgen::rt",
});

struct Reminders;

impl Guest for Reminders {
    async fn handle_cron_event(metadata: Metadata) -> Result<(), Error> {
        shared::spin::scheduled(&shared::components::REMINDERS, metadata.timestamp).await.map(drop).map_err(Error::Other)
    }
}

export!(Reminders);
