//! Platform fidelity: the app on real Spin, when a `spin` binary is there,
//! and the differential check, the same requests against real Spin and the
//! test host with the same variables and fresh state each, compared
//! (statuses, error codes, content types, cookies' attributes, every header;
//! random values by shape). Spin is the reference: a difference is fixed in
//! the host, or, when it is Spin's own choice, in the app.
//!
//! The tests that need Spin are `#[ignore]`d, so a plain `cargo test` lists
//! them as skipped; `cargo test-all` runs them (`-- --ignored`) when it
//! finds a `spin` binary (see [`spin::find_spin`]) and says in one line when
//! it does not.

pub mod exchange;
pub mod scenario;
pub mod spin;

use spin_test_host::{Host, HostOptions, RunningHost};
use std::path::Path;

/// The test host serving `manifest` on 127.0.0.1 with `variables` and a fresh
/// state directory, with every default as `spin up`'s (instance reuse on,
/// no environment variables read).
pub struct HostUp {
    pub host: Host,
    pub running: RunningHost,
    _state: tempfile::TempDir,
}

impl HostUp {
    pub async fn start(manifest: &Path, variables: &[(&str, &str)]) -> HostUp {
        let state = tempfile::tempdir().expect("state dir");
        let mut opts = HostOptions::new(manifest, state.path());
        opts.read_env_variables = false;
        for (name, value) in variables {
            opts.variables
                .insert((*name).to_string(), (*value).to_string());
        }
        let host = tokio::task::spawn_blocking(move || Host::load(opts))
            .await
            .expect("load task")
            .expect("the manifest loads in the test host");
        let running = host.spawn("127.0.0.1:0").await.expect("the host serves");
        HostUp {
            host,
            running,
            _state: state,
        }
    }

    pub fn url(&self) -> String {
        self.running.url()
    }
}

/// With `FIDELITY_DUMP=<dir>`, writes both transcripts there
/// (`<name>.spin.json`, `<name>.host.json`) to read or diff by hand.
pub fn dump(name: &str, spin: &[serde_json::Value], host: &[serde_json::Value]) {
    let Some(dir) = std::env::var_os("FIDELITY_DUMP") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    std::fs::create_dir_all(&dir).expect("dump directory");
    for (side, transcript) in [("spin", spin), ("host", host)] {
        let text = serde_json::to_string_pretty(transcript).expect("json");
        std::fs::write(dir.join(format!("{name}.{side}.json")), text)
            .expect("write the transcript");
    }
}

/// Prints every difference and fails when there is one.
pub fn assert_same(spin: &[serde_json::Value], host: &[serde_json::Value]) {
    let diff = exchange::differences(("spin", spin), ("host", host));
    if !diff.is_empty() {
        panic!(
            "real Spin and the test host differ in {} place(s):\n  {}",
            diff.len(),
            diff.join("\n  ")
        );
    }
}
