//! Helpers that spawn the real app (spin.toml at the repo root, the
//! components built for wasm32-wasip2) in the test host for each test, in
//! the manner of zero2prod's `spawn_app`: a fresh state directory, a
//! controlled clock, a client with a cookie jar, and direct access to the
//! SQLite file to check the store after faults.

pub mod identity_service;
pub mod sms_gateway;

use spin_test_host::{Host, HostOptions, Metrics, RunningHost, TestClock};
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
    host: Host,
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
        let (host, running) = start(state.path(), &self.variables, &clock).await;
        TestApp {
            base: running.url(),
            clock,
            client: client(),
            state,
            variables: self.variables,
            host,
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

/// Loads the app with the host's defaults, which are Spin's: instances are
/// reused (128 requests, 16 at once, 1 s idle), so every test runs the
/// components the way Spin 4 runs them.
async fn start(state: &Path, variables: &HashMap<String, String>, clock: &TestClock) -> (Host, RunningHost) {
    let mut opts = HostOptions::new(manifest(), state);
    opts.read_env_variables = false;
    opts.clock = Some(clock.clone());
    opts.variables = variables.clone();
    // `cargo test-all` names a file here: every statement the app runs is
    // logged, and a later stage checks their query plans (tests/bench).
    opts.sql_log = std::env::var_os("INTEGRATION_SQL_LOG").map(PathBuf::from);
    let host = Host::load(opts).expect("the app loads in the test host");
    let running = host.spawn("127.0.0.1:0").await.expect("the host serves");
    // Ready when it answers its health check (which also brings the
    // database to the current schema, as any first request would).
    let health = client().get(format!("{}/api/health", running.url())).send().await.expect("health request");
    assert_eq!(health.status(), 200, "the app answers /api/health");
    (host, running)
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
        let (host, running) = start(self.state.path(), &self.variables, &self.clock).await;
        self.base = running.url();
        self.host = host;
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

    /// One tick of the scheduled work now, on the controlled clock: the
    /// `reminders` component under the host's cron trigger.
    pub async fn tick(&self) -> Result<(), String> {
        self.host.run_cron("reminders").await
    }

    /// The newest tick's report (`schedule_ticks`).
    pub fn last_tick(&self) -> serde_json::Value {
        let report: String =
            self.db().query_row("SELECT report FROM schedule_ticks ORDER BY id DESC LIMIT 1", [], |r| r.get(0)).expect("a recorded tick");
        serde_json::from_str(&report).unwrap()
    }
}

pub fn seconds_since_epoch(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).unwrap().as_secs()
}

// ------------------------------------------------------------------ requests

impl TestApp {
    /// The origin the browser would send: the app's own.
    pub fn origin(&self) -> String {
        self.base.trim_end_matches('/').to_owned()
    }

    /// POST JSON as the site's own page would (same-origin `Origin`).
    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("origin", self.origin())
            .json(body)
            .send()
            .await
            .expect("request")
    }

    /// The newest SMS sent to `mobile` (from the outbox table).
    pub fn last_sms(&self, mobile: &str) -> Option<(String, serde_json::Value)> {
        self.db()
            .query_row(
                "SELECT template, params FROM sms_outbox WHERE recipient = ? ORDER BY id DESC LIMIT 1",
                [mobile],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
            )
            .ok()
            .map(|(t, p)| (t, serde_json::from_str(&p).unwrap()))
    }

    /// Asks for a registration code for `mobile` and reads it from the outbox.
    pub async fn registration_code(&self, mobile: &str) -> String {
        let res = self.post_json("/api/registration/sms-codes", &serde_json::json!({ "mobile": mobile, "purpose": "registration" })).await;
        assert_eq!(res.status(), 202, "{}", res.text().await.unwrap_or_default());
        let (template, params) = self.last_sms(mobile).expect("an SMS in the outbox");
        assert_eq!(template, "registration_code");
        params["code"].as_str().unwrap().to_owned()
    }

    /// Registers a legal entity and returns what was registered.
    pub async fn register_legal_entity(&self) -> Registered {
        let r = Registered::legal_entity();
        let code = self.registration_code(&r.mobile).await;
        let res = self.post_json("/api/registration/legal-entities", &r.legal_entity_form(&code)).await;
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap_or_default());
        r
    }

    /// Registers a natural person with a resident ID.
    pub async fn register_natural_person(&self) -> Registered {
        let r = Registered::natural_person();
        let code = self.registration_code(&r.mobile).await;
        let res = self.post_json("/api/registration/natural-persons", &r.natural_person_form(&code)).await;
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap_or_default());
        r
    }

    /// Posts `lines` (one old account each) to the legacy import with the
    /// bearer `token` and returns its report.
    pub async fn legacy_import(&self, token: &str, lines: &[serde_json::Value]) -> serde_json::Value {
        let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
        let res = self
            .client
            .post(self.url("/api/registration/legacy-imports"))
            .header("authorization", format!("Bearer {token}"))
            .body(body)
            .send()
            .await
            .expect("request");
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap_or_default());
        res.json().await.expect("the import report")
    }

    pub async fn login(&self, account_type: &str, login_name: &str, password: &str) -> reqwest::Response {
        self.post_json(
            "/api/auth/login",
            &serde_json::json!({ "account_type": account_type, "login_name": login_name, "password": password }),
        )
        .await
    }

    /// Logs in and returns the session (cookie and CSRF token).
    pub async fn logged_in(&self, account_type: &str, login_name: &str, password: &str) -> LoggedIn {
        let res = self.login(account_type, login_name, password).await;
        assert_eq!(res.status(), 200);
        let set_cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
        let body: serde_json::Value = res.json().await.unwrap();
        LoggedIn {
            cookie: set_cookie.split(';').next().unwrap().to_owned(),
            set_cookie,
            csrf_token: body["csrf_token"].as_str().unwrap().to_owned(),
            body,
        }
    }

    /// GET with the session cookie.
    pub async fn get_as(&self, who: &LoggedIn, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).header("cookie", &who.cookie).send().await.expect("request")
    }

    /// A request as the site's own page sends it with a session: the
    /// session cookie, the same-origin `Origin` and the CSRF token.
    pub fn as_page(&self, who: &LoggedIn, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, self.url(path))
            .header("cookie", &who.cookie)
            .header("origin", self.origin())
            .header("x-csrf-token", &who.csrf_token)
    }

    /// POST JSON with the session cookie, same origin, and the CSRF token.
    pub async fn post_as(&self, who: &LoggedIn, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.as_page(who, reqwest::Method::POST, path).json(body).send().await.expect("request")
    }

    /// PUT JSON with the session cookie, same origin, and the CSRF token.
    pub async fn put_as(&self, who: &LoggedIn, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.as_page(who, reqwest::Method::PUT, path).json(body).send().await.expect("request")
    }

    /// A multipart POST with the session cookie, same origin, and the CSRF token.
    pub async fn post_multipart_as(&self, who: &LoggedIn, path: &str, content_type: &str, body: Vec<u8>) -> reqwest::Response {
        self.as_page(who, reqwest::Method::POST, path).header("content-type", content_type).body(body).send().await.expect("request")
    }
}

pub struct LoggedIn {
    /// `__Host-session=<token>`
    pub cookie: String,
    pub set_cookie: String,
    pub csrf_token: String,
    pub body: serde_json::Value,
}

/// Fresh, valid registration data (unique per call).
#[derive(Debug, Clone)]
pub struct Registered {
    pub login_name: String,
    pub password: String,
    pub mobile: String,
    pub org_name: String,
    pub uscc: String,
    pub real_name: String,
    pub resident_id: String,
}

static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// A number unique within this test process (and unlikely across runs).
pub fn unique() -> u64 {
    let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let t = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().subsec_nanos() as u64;
    (std::process::id() as u64 * 7919 + t / 1000 + n * 104_729) % 100_000_000
}

/// A valid USCC for the organization number `n` (GB 32100-2015 check).
pub fn uscc_for(n: u64) -> String {
    shared::identity::Uscc::with_check(&format!("91110105{:08}A", n % 100_000_000)).unwrap().as_str().to_owned()
}

/// A valid resident ID born 1990-01-01 with sequence `n`.
pub fn resident_id_for(n: u64) -> String {
    let today = shared::identity::CivilDate::new(2026, 11, 27).unwrap();
    shared::identity::ResidentId::with_check(&format!("11010519900101{:03}", n % 1000), today).unwrap().as_str().to_owned()
}

pub fn mobile_for(n: u64) -> String {
    format!("139{:08}", n % 100_000_000)
}

impl Registered {
    pub fn legal_entity() -> Registered {
        let n = unique();
        Registered {
            login_name: format!("org{n}"),
            password: format!("Harbour lights {n}"),
            mobile: mobile_for(n),
            org_name: format!("北京测试科技有限公司{n}"),
            uscc: uscc_for(n),
            real_name: String::new(),
            resident_id: String::new(),
        }
    }

    pub fn natural_person() -> Registered {
        let n = unique();
        Registered {
            login_name: format!("person{n}"),
            password: format!("Quiet river {n}"),
            mobile: mobile_for(n),
            org_name: String::new(),
            uscc: String::new(),
            real_name: "张三".into(),
            resident_id: resident_id_for(n),
        }
    }

    pub fn legal_entity_form(&self, code: &str) -> serde_json::Value {
        serde_json::json!({
            "login_name": self.login_name, "password": self.password, "org_name": self.org_name,
            "uscc": self.uscc, "mobile": self.mobile, "sms_code": code,
        })
    }

    pub fn natural_person_form(&self, code: &str) -> serde_json::Value {
        serde_json::json!({
            "login_name": self.login_name, "password": self.password, "real_name": self.real_name,
            "document_type": "resident_id", "document_number": self.resident_id,
            "mobile": self.mobile, "sms_code": code,
        })
    }
}

// ------------------------------------------------------------------ uploads

/// A small valid PNG (a grey square), as a scan would be.
pub fn png_scan(side: u32) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, side, side);
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().expect("png header");
        w.write_image_data(&vec![128u8; (side * side) as usize]).expect("png data");
    }
    out
}

/// A minimal PDF without active content.
pub fn pdf_scan() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec()
}

/// One file of a multipart form: (field, file name, declared type, bytes).
pub type FilePart<'a> = (&'a str, &'a str, &'a str, Vec<u8>);

/// A multipart/form-data body: returns (content type, body).
pub fn multipart(fields: &[(&str, &str)], files: &[FilePart<'_>]) -> (String, Vec<u8>) {
    let boundary = format!("----test-boundary-{}", unique());
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes());
    }
    for (name, filename, ctype, data) in files {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: {ctype}\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

impl TestApp {
    pub async fn post_multipart(&self, path: &str, content_type: &str, body: Vec<u8>) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("origin", self.origin())
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("request")
    }

    /// Asks for an appeal code for `mobile` and reads it from the outbox.
    pub async fn appeal_code(&self, mobile: &str) -> String {
        let res = self.post_json("/api/appeals/sms-codes", &serde_json::json!({ "mobile": mobile })).await;
        assert_eq!(res.status(), 202, "{}", res.text().await.unwrap_or_default());
        let (template, params) = self.last_sms(mobile).expect("an SMS in the outbox");
        assert_eq!(template, "appeal_code");
        params["code"].as_str().unwrap().to_owned()
    }

    /// Logs a reviewer in (the bootstrap reviewer by default settings of
    /// [`reviewer_app`]).
    pub async fn reviewer(&self, login_name: &str, password: &str) -> LoggedIn {
        let res = self
            .post_json("/api/review/login", &serde_json::json!({ "login_name": login_name, "password": password }))
            .await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap_or_default());
        let set_cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
        let body: serde_json::Value = res.json().await.unwrap();
        LoggedIn {
            cookie: set_cookie.split(';').next().unwrap().to_owned(),
            set_cookie,
            csrf_token: body["csrf_token"].as_str().unwrap().to_owned(),
            body,
        }
    }
}

pub const REVIEWER_NAME: &str = "chief.reviewer";
pub const REVIEWER_PASSWORD: &str = "Back office keys 2026";

/// The app with a bootstrap reviewer configured.
pub fn reviewer_app() -> AppBuilder {
    app()
        .variable("reviewer_bootstrap_login_name", REVIEWER_NAME)
        .variable("reviewer_bootstrap_password", REVIEWER_PASSWORD)
}

// ------------------------------------------------------- held requests

/// A request body the test feeds by hand: the component waits for it inside
/// its instance until the test sends it (or drops the sender).
pub struct HeldBody(tokio::sync::mpsc::Receiver<bytes::Bytes>);

impl http_body::Body for HeldBody {
    type Data = bytes::Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<bytes::Bytes>, Self::Error>>> {
        self.0.poll_recv(cx).map(|chunk| chunk.map(|c| Ok(http_body::Frame::data(c))))
    }
}

/// A request sent in-process whose body is held open: it sits in a component
/// instance, waiting on I/O, until [`Held::release`].
pub struct Held {
    body: Option<(tokio::sync::mpsc::Sender<bytes::Bytes>, bytes::Bytes)>,
    answer: tokio::task::JoinHandle<(u16, http::HeaderMap, serde_json::Value)>,
}

impl Held {
    /// Sends the body (and ends it).
    pub async fn release(&mut self) {
        if let Some((tx, body)) = self.body.take() {
            if !body.is_empty() {
                tx.send(body).await.expect("the request is still waiting for its body");
            }
        }
    }

    /// The answer: status, headers, JSON body (`null` when empty).
    pub async fn answer(mut self) -> (u16, http::HeaderMap, serde_json::Value) {
        self.release().await;
        self.answer.await.expect("the request task")
    }
}

impl TestApp {
    /// The host's counters (instances, requests in flight...).
    pub fn metrics(&self) -> Metrics {
        self.host.metrics()
    }

    /// Starts `method path` in-process with `headers`; its body (`body`) is
    /// only sent by [`Held::release`], so the request waits in its instance.
    pub fn hold(&self, method: &str, path: &str, headers: &[(&str, &str)], body: Vec<u8>) -> Held {
        let (tx, rx) = tokio::sync::mpsc::channel(1);
        let mut req = http::Request::builder()
            .method(method)
            .uri(path)
            .header("host", self.base.trim_start_matches("http://"));
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        let req = req.body(HeldBody(rx)).expect("request");
        let host = self.host.clone();
        let addr: std::net::SocketAddr = "127.0.0.1:50123".parse().unwrap();
        let answer = tokio::spawn(async move {
            use http_body_util::BodyExt as _;
            let response = host.handle_streaming(req, addr).await;
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let body = response.into_body().collect().await.expect("response body").to_bytes();
            let json = if body.is_empty() { serde_json::Value::Null } else { serde_json::from_slice(&body).expect("a JSON answer") };
            (status, headers, json)
        });
        Held { body: Some((tx, bytes::Bytes::from(body))), answer }
    }

    /// Waits (at most 30 s) until `check` holds for the host's counters.
    pub async fn wait_for_metrics(&self, what: &str, check: impl Fn(&Metrics) -> bool) {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            let m = self.metrics();
            if check(&m) {
                return;
            }
            assert!(std::time::Instant::now() < deadline, "timed out waiting for {what}: {m:?}");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Starts the requests one after the other, each once the previous one
    /// waits inside its instance (so an instance that is only waiting on I/O
    /// takes the next, as Spin's does), and returns them all held.
    pub async fn hold_all(&self, requests: Vec<(String, String, Vec<(String, String)>, Vec<u8>)>) -> Vec<Held> {
        let before = self.metrics().in_flight;
        let mut held = Vec::new();
        for (i, (method, path, headers, body)) in requests.into_iter().enumerate() {
            let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
            held.push(self.hold(&method, &path, &headers, body));
            let want = before + i as u64 + 1;
            self.wait_for_metrics("the request inside an instance", |m| m.in_flight >= want).await;
            // The instance marks itself free for more right after its
            // requests all wait; give it that moment.
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        held
    }
}
