//! Helpers that spawn the real app (spin.toml at the repo root, the
//! components built for wasm32-wasip2) in the test host for each test, in
//! the manner of zero2prod's `spawn_app`: a fresh state directory, a
//! controlled clock, a client with a cookie jar, and direct access to the
//! SQLite file to check the store after faults.

use spin_test_host::{Host, HostOptions, RunningHost, TestClock};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repo root")
}

/// The app's manifest, with its components built (once per test binary;
/// a no-op when they are up to date).
pub fn manifest() -> PathBuf {
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .current_dir(repo_root())
            .args(["build", "--quiet", "--target", "wasm32-wasip2", "--release", "--workspace", "--exclude", "shared"])
            .status()
            .expect("cannot run cargo to build the components");
        assert!(status.success(), "building the components failed");
    });
    repo_root().join("spin.toml")
}

/// 2026-11-27 09:00 Beijing time (a Friday), the tests' default "now".
pub const DEFAULT_NOW_UNIX: u64 = 1_795_741_200;

pub struct TestApp {
    pub base: String,
    pub clock: TestClock,
    pub client: reqwest::Client,
    state: tempfile::TempDir,
    variables: HashMap<String, String>,
    running: Option<RunningHost>,
}

pub struct AppBuilder {
    variables: HashMap<String, String>,
}

pub fn app() -> AppBuilder {
    AppBuilder { variables: HashMap::new() }
}

impl AppBuilder {
    pub fn variable(mut self, name: &str, value: &str) -> Self {
        self.variables.insert(name.into(), value.into());
        self
    }

    pub async fn spawn(self) -> TestApp {
        let state = tempfile::tempdir().expect("state dir");
        let clock = TestClock::new(UNIX_EPOCH + Duration::from_secs(DEFAULT_NOW_UNIX));
        let running = start(state.path(), &self.variables, &clock).await;
        TestApp {
            base: running.url(),
            clock,
            client: client(),
            state,
            variables: self.variables,
            running: Some(running),
        }
    }
}

pub async fn spawn_app() -> TestApp {
    app().spawn().await
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client")
}

async fn start(state: &Path, variables: &HashMap<String, String>, clock: &TestClock) -> RunningHost {
    let mut opts = HostOptions::new(manifest(), state);
    opts.read_env_variables = false;
    opts.clock = Some(clock.clone());
    opts.variables = variables.clone();
    let host = Host::load(opts).expect("the app loads in the test host");
    host.spawn("127.0.0.1:0").await.expect("the host serves")
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("request")
    }

    pub async fn get_en(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).header("accept-language", "en").send().await.expect("request")
    }

    /// Stops the host and starts a new one on the same state directory and
    /// clock (a new process would see the same files).
    pub async fn restart(&mut self) {
        drop(self.running.take());
        let running = start(self.state.path(), &self.variables, &self.clock).await;
        self.base = running.url();
        self.running = Some(running);
    }

    pub fn advance(&self, secs: u64) {
        self.clock.advance(Duration::from_secs(secs));
    }

    pub fn now_millis(&self) -> i64 {
        self.clock.now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64
    }

    /// The app's SQLite database (`default` label), opened directly.
    pub fn db(&self) -> rusqlite::Connection {
        let path = self.state.path().join("sqlite_db.db");
        let conn = rusqlite::Connection::open(&path).expect("open the app database");
        conn.busy_timeout(Duration::from_secs(5)).unwrap();
        conn
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.db().query_row(sql, [], |r| r.get(0)).expect("count query")
    }
}

pub fn seconds_since_epoch(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).unwrap().as_secs()
}
