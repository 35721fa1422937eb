//! The Spin side: the `spin:sqlite` store and the HTTP glue every component
//! shares. This is the only module that names spin-sdk types.

use crate::auth::csrf;
use crate::clock::SystemClock;
use crate::components::Component;
use crate::context::Context;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::random::{OsRandom, Random};
use crate::settings::{self, Settings};
use crate::store::{Connection, Database, Rows, Store, StoreError, Value, configure_connection, migrate};
use crate::web::{self, Params, Router};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use spin_sdk::http::Request as SpinRequest;
use spin_sdk::sqlite;
use std::cell::OnceCell;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

/// What an instance keeps between the requests it serves (Spin 4 reuses a
/// WASIp3 instance for up to 128 requests, up to 16 at once): only what is
/// the same for every request and every user, and its idle SQLite
/// connections (`IDLE_CONNECTIONS`). Whether this instance has seen the
/// schema current (later connections skip the check) ...
static SCHEMA_CURRENT: AtomicBool = AtomicBool::new(false);
/// ... and the component's settings, read once (Spin variables do not
/// change while the app runs).
static SETTINGS: OnceLock<Settings> = OnceLock::new();

/// The response type every component returns.
pub type SpinResponse = spin_sdk::http::Response<Full<Bytes>>;

/// `spin:sqlite`, label `default` (declared in `spin.toml` as
/// `sqlite_databases = ["default"]`). One per request: a connection is
/// never shared between two requests, even when Spin reuses the instance.
///
/// The connection is opened when the request runs its first statement, so
/// a request that needs none (no session cookie, a cross-site form refused
/// at the Origin check, a route that answers before its first query) costs
/// the store nothing. A new connection is configured
/// ([`configure_connection`]), and the first one of an instance also
/// checks the schema ([`migrate`]), before that first statement runs.
pub struct SpinStore {
    conn: OnceCell<sqlite::Connection>,
    state: Connection,
}

/// A connection just opened, while it is configured and the schema
/// checked: a store of its own, so that work does not go through the lazy
/// opening it is part of.
struct Opening {
    conn: sqlite::Connection,
    state: Connection,
}

impl SpinStore {
    /// A store whose connection opens with its first statement.
    pub fn new() -> SpinStore {
        SpinStore { conn: OnceCell::new(), state: Connection::default() }
    }

    /// The open connection: opened, configured and (once per instance) the
    /// schema migrated on the first call. A failure leaves nothing open; the
    /// next statement tries again.
    async fn connection_now(&self) -> Result<&sqlite::Connection, StoreError> {
        if let Some(conn) = self.conn.get() {
            return Ok(conn);
        }
        let conn = sqlite::Connection::open_default().await.map_err(map_sqlite_err)?;
        let opening = Opening { conn, state: Connection::default() };
        configure_connection(&opening).await?;
        if !SCHEMA_CURRENT.load(Ordering::Relaxed) {
            migrate(&opening, &SystemClock).await?;
            SCHEMA_CURRENT.store(true, Ordering::Relaxed);
        }
        // Two statements of one request started at once: the first to get
        // here keeps its connection; the other's closes.
        Ok(self.conn.get_or_init(|| opening.conn))
    }

    /// The store for one request: a connection this instance kept from an
    /// earlier request, else one that opens when first used. It is the
    /// request's alone until [`SpinStore::check_in`] hands it back.
    fn check_out() -> SpinStore {
        IDLE_CONNECTIONS.with_borrow_mut(Vec::pop).unwrap_or_default()
    }

    /// Keeps the connection for the instance's next request, when it was
    /// opened and is clean: no transaction open or due for rollback,
    /// nothing queued.
    fn check_in(self) {
        if self.conn.get().is_some() && self.state.is_idle() {
            IDLE_CONNECTIONS.with_borrow_mut(|idle| {
                if idle.len() < MAX_IDLE_CONNECTIONS {
                    idle.push(self);
                }
            });
        }
    }
}

impl Default for SpinStore {
    fn default() -> SpinStore {
        SpinStore::new()
    }
}

thread_local! {
    /// The connections this instance keeps between requests. Spin 4 runs up
    /// to 16 requests of one instance at once, so up to 16 are kept; each is
    /// held by one request at a time (never two), and an instance's
    /// connections end with it.
    static IDLE_CONNECTIONS: std::cell::RefCell<Vec<SpinStore>> = const { std::cell::RefCell::new(Vec::new()) };
}
const MAX_IDLE_CONNECTIONS: usize = 16;

/// The rate-limit quota this instance reserved and has not spent (counts
/// only; see `rate_limit::hit`).
static RESERVED_QUOTA: crate::rate_limit::ReservedQuota = crate::rate_limit::ReservedQuota::new();

impl Store for SpinStore {
    async fn execute(&self, sql: &str, params: &[Value]) -> Result<Rows, StoreError> {
        self.execute_statement(sql, params).await
    }
}

impl Database for SpinStore {
    fn connection(&self) -> &Connection {
        &self.state
    }

    fn reserved_quota(&self) -> &crate::rate_limit::ReservedQuota {
        &RESERVED_QUOTA
    }

    async fn run(&self, sql: &str, params: &[Value]) -> Result<Rows, StoreError> {
        run_on(self.connection_now().await?, sql, params).await
    }
}

impl Store for Opening {
    async fn execute(&self, sql: &str, params: &[Value]) -> Result<Rows, StoreError> {
        self.execute_statement(sql, params).await
    }
}

impl Database for Opening {
    fn connection(&self) -> &Connection {
        &self.state
    }

    fn reserved_quota(&self) -> &crate::rate_limit::ReservedQuota {
        &RESERVED_QUOTA
    }

    async fn run(&self, sql: &str, params: &[Value]) -> Result<Rows, StoreError> {
        run_on(&self.conn, sql, params).await
    }
}

/// One statement on a `spin:sqlite` connection.
async fn run_on(conn: &sqlite::Connection, sql: &str, params: &[Value]) -> Result<Rows, StoreError> {
    let params = params.iter().map(|v| match v {
        Value::Null => sqlite::Value::Null,
        Value::Integer(i) => sqlite::Value::Integer(*i),
        Value::Real(r) => sqlite::Value::Real(*r),
        Value::Text(s) => sqlite::Value::Text(s.clone()),
        Value::Blob(b) => sqlite::Value::Blob(b.clone()),
    });
    let result = conn.execute(sql, params).await.map_err(map_sqlite_err)?;
    let columns = result.columns().to_vec();
    let rows = result.collect().await.map_err(map_sqlite_err)?;
    let rows = rows
        .into_iter()
        .map(|r| {
            r.values
                .into_iter()
                .map(|v| match v {
                    sqlite::Value::Null => Value::Null,
                    sqlite::Value::Integer(i) => Value::Integer(i),
                    sqlite::Value::Real(r) => Value::Real(r),
                    sqlite::Value::Text(s) => Value::Text(s),
                    sqlite::Value::Blob(b) => Value::Blob(b),
                })
                .collect()
        })
        .collect();
    Ok(Rows { columns, rows })
}

fn map_sqlite_err(e: sqlite::Error) -> StoreError {
    match e {
        sqlite::Error::Io(msg) => StoreError::from_message(msg),
        sqlite::Error::AccessDenied => StoreError::AccessDenied("access-denied".into()),
        sqlite::Error::NoSuchDatabase => StoreError::AccessDenied("no-such-database".into()),
        other => StoreError::Other(format!("{other:?}")),
    }
}

/// The whole life of a request in a component with a store, and the rules
/// every endpoint follows, applied here rather than route by route:
///
/// 1. the body is read within the component's limit (413 before buffering);
/// 2. the route is matched (404, or 405 with `Allow`);
/// 3. the CSRF rule: every state-changing request must come from our own
///    origin ([`csrf::check_origin`]), unless its route is visibly exempt
///    ([`Router::route_exempt_from_origin_check`]); the session half (the
///    `X-CSRF-Token`) is checked wherever a session is loaded
///    ([`crate::session::SessionTable::current`]);
/// 4. the component's settings are read (the store opens, and a new
///    instance checks the schema, with the request's first statement:
///    [`SpinStore`]);
/// 5. the handler runs;
/// 6. the SMS its committed transactions queued are delivered (whatever the
///    handler answered: what was committed happened);
/// 7. the answer or the error is rendered; platform failures are logged
///    with the request id and answered generically.
pub async fn serve<R, F>(req: SpinRequest, component: &Component, router: &Router<R>, handler: F) -> SpinResponse
where
    R: Copy,
    F: AsyncFnOnce(&Context<SpinStore>, &web::Request, R, Params) -> AppResult<web::Response>,
{
    let request_id = OsRandom.hex(8);
    let lang = lang_of(&req);
    let head = req.method() == spin_sdk::http::Method::HEAD;
    let result = async {
        let request = read_request(req, component.body_limit).await?;
        let matched = router.at(&request)?;
        if matched.origin_check {
            csrf::check_origin(&request)?;
        }
        let ctx = Context {
            store: SpinStore::check_out(),
            clock: Box::new(SystemClock),
            random: Box::new(OsRandom),
            settings: load_settings(component).await,
        };
        let answer = handler(&ctx, &request, matched.target, matched.params).await;
        let settled = ctx.store.settle().await.inspect_err(|e| log(component, &request_id, e));
        deliver_sms(component, &ctx).await;
        // A connection whose request failed in the platform is not kept.
        if settled.is_ok() && answer.as_ref().err().is_none_or(|e| e.status < 500) {
            ctx.store.check_in();
        }
        answer
    }
    .await;
    finish(component, &request_id, lang, head, result)
}

/// How far the cron trigger's timestamp and the component's wall clock may
/// disagree before a tick is refused: one of them is wrong, and a tick on
/// a wrong clock would expire, remind or delete at the wrong time.
pub const CRON_CLOCK_TOLERANCE_SECS: i64 = 3600;

/// The whole life of a scheduled tick in the `reminders` component (Spin's
/// cron trigger; `trigger_timestamp` is the trigger's, in seconds): the
/// clocks compared ([`CRON_CLOCK_TOLERANCE_SECS`]), the component's
/// settings read, then [`crate::schedule::tick`] with the configured SMS
/// gateway (the store opens and checks the schema with the tick's first
/// statement, as in a request: [`SpinStore`]). The report
/// is logged in one line; a failure is logged and returned (the trigger
/// logs it too).
pub async fn scheduled(component: &Component, trigger_timestamp: u64) -> Result<crate::schedule::TickReport, String> {
    use crate::clock::Clock;
    let fail = |e: &dyn std::fmt::Display| {
        let message = format!("[{}] tick: {e}", component.id);
        eprintln!("{message}");
        message
    };
    let now = SystemClock.now();
    let trigger_at = i64::try_from(trigger_timestamp).unwrap_or(i64::MAX).saturating_mul(1000);
    if (now.millis() - trigger_at).abs() > CRON_CLOCK_TOLERANCE_SECS * 1000 {
        return Err(fail(&format!(
            "the trigger's time ({trigger_at} ms) and the wall clock ({} ms) disagree by more than {CRON_CLOCK_TOLERANCE_SECS} s; nothing was done",
            now.millis()
        )));
    }
    let store = SpinStore::new();
    let settings = load_settings(component).await;
    let gateway = SpinGateway::configured(&settings);
    let tick_settings = crate::schedule::TickSettings::from_settings(&settings);
    match crate::schedule::tick(&store, now, &tick_settings, gateway.as_ref(), crate::schedule::Trigger::Cron).await {
        Ok(report) => {
            eprintln!("[{}] tick: {}", component.id, report.to_json());
            Ok(report)
        }
        Err(e) => Err(fail(&e)),
    }
}

/// The HTTP route of the scheduled work (`POST /api/internal/schedule/tick`,
/// where there is no cron trigger): [`crate::schedule::authorized_tick`]
/// with the request's `Authorization` header and the configured gateway;
/// answers the tick's report.
pub async fn scheduled_by_request(ctx: &Context<SpinStore>, req: &web::Request) -> AppResult<web::Response> {
    let gateway = SpinGateway::configured(&ctx.settings);
    let report = crate::schedule::authorized_tick(
        &ctx.store,
        ctx.clock.now(),
        &ctx.settings,
        gateway.as_ref(),
        req.header("authorization"),
        &req.client_ip(),
    )
    .await?;
    Ok(web::Response::json(200, &serde_json::json!({ "tick": report.to_json() })))
}

/// For components without a store (the static site): the body limit and
/// the route as [`serve`] does; no route of such a component changes state.
pub async fn serve_without_store<R, F>(req: SpinRequest, component: &Component, router: &Router<R>, handler: F) -> SpinResponse
where
    R: Copy,
    F: AsyncFnOnce(&web::Request, R, Params) -> AppResult<web::Response>,
{
    let request_id = OsRandom.hex(8);
    let lang = lang_of(&req);
    let head = req.method() == spin_sdk::http::Method::HEAD;
    let result = async {
        let request = read_request(req, component.body_limit).await?;
        let matched = router.at(&request)?;
        if matched.origin_check {
            csrf::check_origin(&request)?;
        }
        handler(&request, matched.target, matched.params).await
    }
    .await;
    finish(component, &request_id, lang, head, result)
}

fn lang_of(req: &SpinRequest) -> Lang {
    Lang::from_accept_language(req.headers().get("accept-language").and_then(|v| v.to_str().ok()))
}

fn finish(component: &Component, request_id: &str, lang: Lang, head: bool, result: AppResult<web::Response>) -> SpinResponse {
    let mut response = match result {
        Ok(r) => r,
        Err(e) => {
            if e.status >= 500 {
                log(component, request_id, &e);
            }
            web::Response::error(&e, lang, request_id)
        }
    };
    if head {
        response.body.clear();
    }
    render(response, request_id)
}

fn log(component: &Component, request_id: &str, e: &dyn std::fmt::Display) {
    eprintln!("[{}] request {request_id}: {e}", component.id);
}

/// Converts Spin's request, reading at most `limit` body bytes: a declared
/// or actual length over the limit is 413 (checked before buffering).
pub async fn read_request(req: SpinRequest, limit: usize) -> AppResult<web::Request> {
    let (parts, body) = req.into_parts();
    let declared = parts
        .headers
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(AppError::body_too_large(limit));
    }
    let body = match Limited::new(body, limit).collect().await {
        Ok(collected) => collected.to_bytes().to_vec(),
        Err(e) if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() => {
            return Err(AppError::body_too_large(limit));
        }
        Err(_) => {
            return Err(AppError::new(
                "request.body_unreadable",
                400,
                "请求内容不完整，请重新提交。",
                "The request body was cut off; please submit again.",
            )
            .with_field("body"));
        }
    };
    let headers = parts
        .headers
        .iter()
        .map(|(n, v)| (n.as_str().to_ascii_lowercase(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();
    Ok(web::Request {
        method: parts.method.as_str().to_ascii_uppercase(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers,
        body,
    })
}

async fn load_settings(component: &Component) -> Settings {
    if let Some(settings) = SETTINGS.get() {
        return settings.clone();
    }
    let (settings, complete) = read_settings(component).await;
    if complete {
        let _ = SETTINGS.set(settings.clone());
    }
    settings
}

/// Reads the component's settings; `complete` is false when a variable
/// could not be read (then the next request tries again).
async fn read_settings(component: &Component) -> (Settings, bool) {
    let mut settings = Settings::default();
    let mut complete = true;
    for setting in component.settings {
        match spin_sdk::variables::get(setting.name).await {
            Ok(v) => settings.insert(setting, v),
            Err(spin_sdk::variables::Error::Undefined(_)) => {}
            Err(e) => {
                complete = false;
                eprintln!("[{}] variable {}: {e:?}", component.id, setting.name);
            }
        }
    }
    (settings, complete)
}

/// Renders a [`web::Response`] with the request id and safe defaults.
pub fn render(response: web::Response, request_id: &str) -> SpinResponse {
    let mut builder = spin_sdk::http::Response::builder().status(response.status);
    for (name, value) in &response.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    builder = builder.header("x-request-id", request_id);
    if response.header("x-content-type-options").is_none() {
        builder = builder.header("x-content-type-options", "nosniff");
    }
    builder.body(Full::new(Bytes::from(response.body))).unwrap_or_else(|e| {
        eprintln!("request {request_id}: could not build the response: {e}");
        let mut r = spin_sdk::http::Response::new(Full::new(Bytes::new()));
        *r.status_mut() = spin_sdk::http::StatusCode::INTERNAL_SERVER_ERROR;
        r
    })
}

/// Delivers the outbox messages that the request's committed transactions
/// queued to the configured SMS gateway ([`crate::sms::deliver`]: each
/// claimed, sent, marked sent or failed with backoff); without a gateway
/// they stay in the outbox (retried by the scheduled work once one is
/// configured) and are logged masked. Delivery problems never fail the
/// user's request: the change is committed.
async fn deliver_sms(component: &Component, ctx: &Context<SpinStore>) {
    let ids = ctx.store.take_committed_messages();
    if ids.is_empty() {
        return;
    }
    match SpinGateway::configured(&ctx.settings) {
        Some(gateway) => {
            crate::sms::deliver(&ctx.store, &*ctx.clock, &gateway, &ids, component.id).await;
        }
        None => {
            for m in crate::sms::pending(&ctx.store, &ids).await.unwrap_or_default() {
                eprintln!(
                    "[{}] sms: no gateway configured; message {} to {} stays in the outbox",
                    component.id,
                    m.id,
                    crate::account::mask_mobile(&m.recipient)
                );
            }
        }
    }
}

/// How long one gateway call may take before it counts as failed ("the
/// gateway never answered"); the message is retried later.
pub const GATEWAY_TIMEOUT_SECS: u64 = 10;

/// The SMS gateway over Spin's outbound HTTP: `POST sms_gateway_url` with
/// the JSON of [`crate::sms::gateway::payload`] and `Authorization: Bearer
/// <sms_gateway_token>`; a 2xx answer is delivered, anything else (an error
/// status, no connection, no answer within [`GATEWAY_TIMEOUT_SECS`]) is a
/// failure with its reason.
pub struct SpinGateway {
    url: String,
    token: String,
}

impl SpinGateway {
    /// The gateway the settings configure; `None` without `sms_gateway_url`.
    pub fn configured(settings: &Settings) -> Option<SpinGateway> {
        let url = settings.text(&settings::SMS_GATEWAY_URL)?.to_owned();
        let token = settings.text(&settings::SMS_GATEWAY_TOKEN).unwrap_or("").to_owned();
        Some(SpinGateway { url, token })
    }
}

impl crate::sms::Gateway for SpinGateway {
    async fn send(&self, m: &crate::sms::OutboxMessage) -> Result<(), String> {
        let body = crate::sms::gateway::payload(m);
        let request = spin_sdk::http::Request::post(&self.url)
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {}", self.token))
            .body(Full::new(Bytes::from(body.to_string())))
            .map_err(|e| format!("bad gateway request: {e}"))?;
        let call = async {
            let response = spin_sdk::http::send(request).await.map_err(|e| format!("gateway unreachable: {e:?}"))?;
            if response.status().is_success() { Ok(()) } else { Err(format!("gateway answered {}", response.status())) }
        };
        let timeout = async {
            spin_sdk::time::sleep(std::time::Duration::from_secs(GATEWAY_TIMEOUT_SECS)).await;
            Err(format!("gateway gave no answer within {GATEWAY_TIMEOUT_SECS} s"))
        };
        first_of(call, timeout).await
    }
}

/// Whichever future finishes first (the other is dropped).
async fn first_of<T>(a: impl std::future::Future<Output = T>, b: impl std::future::Future<Output = T>) -> T {
    let mut a = std::pin::pin!(a);
    let mut b = std::pin::pin!(b);
    std::future::poll_fn(|cx| {
        if let std::task::Poll::Ready(v) = a.as_mut().poll(cx) {
            return std::task::Poll::Ready(v);
        }
        b.as_mut().poll(cx)
    })
    .await
}
