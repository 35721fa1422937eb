//! 后台审核员 reviewer accounts: never self-registered. The first comes
//! from secret settings ([`bootstrap`]); then reviewers add reviewers
//! ([`add`]).
//!
//! Login follows the account login's rules: Argon2id (rehashed when the
//! parameters change), an unknown login name costs and answers exactly like
//! a wrong password, per-reviewer delays after 5 consecutive failures
//! ([`crate::auth::throttle_delay_secs`]) and a per-client window.
//! Sessions: `reviewer_sessions`, cookie `__Host-review-session`
//! (SameSite=Strict), idle 30 min / absolute 12 h.

use super::reviewer_actor;
use crate::session::{OpaqueSession, SessionTable};
use crate::account::login_key;
use crate::audit::{self, Actor};
use crate::auth::{ABSOLUTE_TIMEOUT_SECS, IDLE_TIMEOUT_SECS, THROTTLE_AFTER, throttle_delay_secs};
use crate::clock::{Clock, Timestamp};
use crate::error::{AppError, AppResult};
use crate::identity::LoginName;
use crate::password::{self, PasswordPolicy};
use crate::random::Random;
use crate::ids::ReviewerId;
use crate::rate_limit::{self, Limit};
use crate::settings::{self, ClientLimit, Settings};
use crate::store::{Database, Row, Store, StoreError, in_transaction};
use crate::web::Request;
use serde_json::{Value, json};

pub const COOKIE_NAME: &str = "__Host-review-session";

/// Logins per client address per 5 minutes (all reviewer names together),
/// counted apart from account logins.
pub const CLIENT_LIMIT: ClientLimit =
    ClientLimit { setting: &settings::LOGIN_LIMIT_PER_CLIENT, bucket: "review.login", window_secs: 300 };

pub fn not_logged_in() -> AppError {
    AppError::new(
        "review.not_logged_in",
        401,
        "您尚未登录审核后台或登录已过期，请重新登录。",
        "You are not logged in to the review back office, or your session has expired. Please log in again.",
    )
}

/// Reviewer sessions: the generic session rules on `reviewer_sessions`.
pub const REVIEWER_SESSIONS: SessionTable = SessionTable {
    table: "reviewer_sessions",
    owner_column: "reviewer_id",
    cookie: COOKIE_NAME,
    same_site: "Strict",
    idle_timeout_secs: IDLE_TIMEOUT_SECS,
    absolute_timeout_secs: ABSOLUTE_TIMEOUT_SECS,
    not_logged_in,
};

/// A reviewer session; `owner_id` is the reviewer's id.
pub type ReviewerSession = OpaqueSession;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reviewer {
    pub id: ReviewerId,
    pub login_name: String,
    pub created_at: Timestamp,
    /// Who added this reviewer; `None` for the bootstrapped first one.
    pub created_by: Option<ReviewerId>,
}

impl Reviewer {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "login_name": self.login_name,
            "created_at": self.created_at.millis(),
            "created_by": self.created_by,
        })
    }
}

/// The reviewer row with its secrets, for login only.
struct Credentials {
    reviewer: Reviewer,
    password_hash: String,
    failed_logins: i64,
    last_failed_login_at: Option<i64>,
}

const COLUMNS: &str = "id, login_name, created_at, created_by, password_hash, failed_logins, last_failed_login_at";

fn reviewer_from(row: Row<'_>) -> Result<Reviewer, StoreError> {
    Ok(Reviewer {
        id: ReviewerId(row.int("id")?),
        login_name: row.text("login_name")?.to_owned(),
        created_at: Timestamp(row.int("created_at")?),
        created_by: row.opt_int("created_by")?.map(ReviewerId),
    })
}

pub async fn find_by_id<S: Store>(store: &S, id: ReviewerId) -> Result<Option<Reviewer>, StoreError> {
    let rows = store.execute(&format!("SELECT {COLUMNS} FROM reviewers WHERE id = ?"), &[id.into()]).await?;
    rows.first().map(reviewer_from).transpose()
}

async fn credentials_by_key<S: Store>(store: &S, key: &str) -> Result<Option<Credentials>, StoreError> {
    let rows = store.execute(&format!("SELECT {COLUMNS} FROM reviewers WHERE login_name_key = ?"), &[key.into()]).await?;
    rows.first()
        .map(|row| {
            Ok(Credentials {
                reviewer: reviewer_from(row)?,
                password_hash: row.text("password_hash")?.to_owned(),
                failed_logins: row.int("failed_logins")?,
                last_failed_login_at: row.opt_int("last_failed_login_at")?,
            })
        })
        .transpose()
}

/// All reviewers, by login name.
pub async fn list<S: Store>(store: &S) -> Result<Vec<Reviewer>, StoreError> {
    let rows = store.execute(&format!("SELECT {COLUMNS} FROM reviewers ORDER BY login_name_key"), &[]).await?;
    rows.iter().map(reviewer_from).collect()
}

async fn count<S: Store>(store: &S) -> Result<i64, StoreError> {
    let rows = store.execute("SELECT COUNT(*) AS n FROM reviewers", &[]).await?;
    rows.first().map_or(Ok(0), |r| r.int("n"))
}

/// Creates the first reviewer from secret settings when there is none yet;
/// `Ok(None)` when reviewers exist (the settings are then ignored). Safe to
/// call on every request and from racing instances: the check is repeated
/// inside its own write transaction (do not call it inside another), and
/// the unique login-name key settles the rest. The password must pass the
/// default [`PasswordPolicy`] with the login name as context.
pub async fn bootstrap<D: Database>(
    store: &D,
    clock: &dyn Clock,
    random: &dyn Random,
    login_name: &str,
    password: &str,
) -> AppResult<Option<ReviewerId>> {
    if count(store).await? > 0 {
        return Ok(None);
    }
    let name = LoginName::parse(login_name)?;
    PasswordPolicy::default().check(password, &[name.as_str()])?;
    // Hash outside the write lock: Argon2id takes a while.
    let hash = password::hash(password, random).into_string();
    let outcome: Result<Option<ReviewerId>, StoreError> = in_transaction(store, async |store| {
        if count(store).await? > 0 {
            return Ok(None);
        }
        let rows = store
            .execute(
                "INSERT INTO reviewers (login_name, login_name_key, password_hash, created_at) VALUES (?, ?, ?, ?) RETURNING id",
                &[name.as_str().into(), name.key().into(), hash.into(), clock.now().millis().into()],
            )
            .await?;
        let id = ReviewerId(rows.first().map(|r| r.int("id")).transpose()?.ok_or_else(|| StoreError::Other("no id returned".into()))?);
        audit::record(store, clock, &Actor::System, "review.reviewer_bootstrapped", Some(&id.audit_subject()), json!({ "login_name": name.as_str() }))
            .await?;
        Ok(Some(id))
    })
    .await;
    match outcome {
        Err(e) if e.is_unique_on("reviewers.login_name_key") => Ok(None),
        other => Ok(other?),
    }
}

/// A reviewer adds a reviewer. The login name follows the login-name
/// format; the password the policy (with the login name as context); a
/// taken name (ignoring case) is `review.reviewer_exists` (409). The
/// reviewer and its audit record commit together.
pub async fn add<D: Database>(
    db: &D,
    clock: &dyn Clock,
    random: &dyn Random,
    policy: PasswordPolicy,
    by_reviewer_id: ReviewerId,
    login_name: &str,
    password: &str,
) -> AppResult<Reviewer> {
    let name = LoginName::parse(login_name)?;
    policy.check(password, &[name.as_str()])?;
    let hash = password::hash(password, random).into_string();
    in_transaction(db, async |store| {
    let rows = store
        .execute(
            &format!(
                "INSERT INTO reviewers (login_name, login_name_key, password_hash, created_at, created_by) VALUES (?, ?, ?, ?, ?)
                 RETURNING {COLUMNS}"
            ),
            &[name.as_str().into(), name.key().into(), hash.into(), clock.now().millis().into(), by_reviewer_id.into()],
        )
        .await
        .map_err(|e| {
            if e.is_unique_on("reviewers.login_name_key") {
                AppError::new(
                    "review.reviewer_exists",
                    409,
                    format!("审核员登录名“{}”已存在（不区分大小写）。", name.as_str()),
                    format!("A reviewer with the login name “{}” already exists (ignoring case).", name.as_str()),
                )
                .with_field("login_name")
            } else {
                e.into()
            }
        })?;
    let reviewer = rows.first().map(reviewer_from).transpose()?.ok_or_else(|| StoreError::Other("no row returned".into()))?;
    audit::record(
        store,
        clock,
        &reviewer_actor(by_reviewer_id),
        "review.reviewer_added",
        Some(&reviewer.id.audit_subject()),
        json!({ "reviewer_id": by_reviewer_id, "login_name": reviewer.login_name }),
    )
    .await?;
    Ok(reviewer)
    })
    .await
}

fn invalid_credentials() -> AppError {
    AppError::new("review.invalid_credentials", 401, "登录名或密码错误。", "The login name or password is not right.")
}

/// Logs a reviewer in: a new session and its token for the cookie
/// ([`REVIEWER_SESSIONS`]`.cookie(token)`). `client` is the client address
/// (per-client limit, audit). Not inside a transaction: the per-client
/// limit runs its own.
pub async fn login<D: Database>(
    store: &D,
    clock: &dyn Clock,
    random: &dyn Random,
    client_limit: Limit,
    client: &str,
    login_name: &str,
    password: &str,
) -> AppResult<(ReviewerSession, String, Reviewer)> {
    let key = login_key(login_name);
    if key.is_empty() {
        return Err(AppError::new("review.login_name_required", 400, "请填写登录名。", "Please enter the login name.").with_field("login_name"));
    }
    if password.is_empty() {
        return Err(AppError::new("review.password_required", 400, "请填写密码。", "Please enter the password.").with_field("password"));
    }
    let client_actor = Actor::Client(client.to_owned());
    if key.chars().count() > 100 || password.chars().count() > 1024 {
        password::dummy_verify(password);
        return Err(invalid_credentials());
    }
    if let Err(e) = rate_limit::hit(store, clock, client_limit, client).await {
        audit::record(store, clock, &client_actor, "review.client_throttled", None, json!({})).await?;
        return Err(e);
    }
    let now = clock.now().millis();
    let Some(cred) = credentials_by_key(store, &key).await? else {
        password::dummy_verify(password);
        audit::record(store, clock, &client_actor, "review.login_failed", None, json!({ "reason": "unknown_login_name" })).await?;
        return Err(invalid_credentials());
    };
    let id = cred.reviewer.id;
    let subject = id.audit_subject();
    let wait_until = cred.last_failed_login_at.unwrap_or(0) + throttle_delay_secs(cred.failed_logins) * 1000;
    if cred.failed_logins >= THROTTLE_AFTER && now < wait_until {
        let retry = ((wait_until - now) + 999) / 1000;
        audit::record(store, clock, &client_actor, "review.login_throttled", Some(&subject), json!({ "retry_after_seconds": retry })).await?;
        return Err(AppError::new(
            "review.throttled",
            429,
            format!("该审核员账号连续登录失败，请 {retry} 秒后再试。"),
            format!("Several failed logins in a row for this reviewer: try again in {retry} seconds."),
        )
        .with_header("retry-after", retry.to_string())
        .with_details(json!({ "retry_after_seconds": retry })));
    }
    let verification = password::verify(password, &cred.password_hash);
    if !verification.ok {
        let rows = store
            .execute(
                "UPDATE reviewers SET failed_logins = failed_logins + 1, last_failed_login_at = ? WHERE id = ? RETURNING failed_logins",
                &[now.into(), id.into()],
            )
            .await?;
        let failures = rows.first().map(|r| r.int("failed_logins")).transpose()?.unwrap_or(cred.failed_logins + 1);
        audit::record(
            store,
            clock,
            &client_actor,
            "review.login_failed",
            Some(&subject),
            json!({ "reason": "wrong_password", "consecutive_failures": failures }),
        )
        .await?;
        return Err(invalid_credentials());
    }
    let new_hash = verification.needs_rehash.then(|| password::hash(password, random).into_string());
    store
        .execute(
            "UPDATE reviewers SET failed_logins = 0, last_failed_login_at = NULL, password_hash = COALESCE(?, password_hash) WHERE id = ?",
            &[new_hash.clone().into(), id.into()],
        )
        .await?;
    if new_hash.is_some() {
        audit::record(store, clock, &reviewer_actor(id), "review.password_rehashed", Some(&subject), json!({ "reviewer_id": id })).await?;
    }
    let (session, token) = REVIEWER_SESSIONS.start(store, clock, random, id.get()).await?;
    audit::record(store, clock, &reviewer_actor(id), "review.login_succeeded", Some(&subject), json!({ "reviewer_id": id, "client": client }))
        .await?;
    Ok((session, token, cred.reviewer))
}

/// The reviewer login as the endpoint runs it: first the bootstrap
/// reviewer from the secret settings while there is no reviewer (never
/// sign-up), then [`login`] under the per-client limit.
pub async fn log_in<D: Database>(
    store: &D,
    clock: &dyn Clock,
    random: &dyn Random,
    settings: &Settings,
    client: &str,
    login_name: &str,
    password: &str,
) -> AppResult<(ReviewerSession, String, Reviewer)> {
    if let (Some(name), Some(pw)) =
        (settings.text(&settings::REVIEWER_BOOTSTRAP_LOGIN_NAME), settings.text(&settings::REVIEWER_BOOTSTRAP_PASSWORD))
    {
        bootstrap(store, clock, random, name, pw).await?;
    }
    login(store, clock, random, CLIENT_LIMIT.limit(settings), client, login_name, password).await
}

/// What the reviewer (and the console) is told about a session.
pub fn session_json(session: &ReviewerSession, me: &Reviewer) -> Value {
    json!({
        "reviewer": me.to_json(),
        "csrf_token": session.csrf_token,
        "idle_expires_at": session.idle_expires_at(),
        "absolute_expires_at": session.absolute_expires_at,
    })
}

/// The request's live reviewer session and its reviewer, touching the idle
/// timer; `review.not_logged_in` (401) otherwise.
pub async fn current<S: Store>(store: &S, clock: &dyn Clock, req: &Request) -> AppResult<(ReviewerSession, Reviewer)> {
    let session = REVIEWER_SESSIONS.current(store, clock, req).await?;
    let reviewer = find_by_id(store, ReviewerId(session.owner_id)).await?.ok_or_else(not_logged_in)?;
    Ok((session, reviewer))
}

/// Ends the session (the caller also sends [`SessionTable::clear_cookie`]).
pub async fn logout<S: Store>(store: &S, clock: &dyn Clock, session: &ReviewerSession) -> Result<(), StoreError> {
    REVIEWER_SESSIONS.revoke(store, clock, session).await?;
    let id = ReviewerId(session.owner_id);
    audit::record(store, clock, &reviewer_actor(id), "review.logout", Some(&id.audit_subject()), json!({ "reviewer_id": id })).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FixedClock;
    use crate::random::SeqRandom;
    use crate::store::native::block_on;
    use crate::store::{NativeStore, migrate};

    const PW: &str = "correct horse battery staple";

    fn setup() -> (NativeStore, FixedClock, SeqRandom) {
        let store = NativeStore::in_memory().unwrap();
        let clock = FixedClock::at(Timestamp(1_800_000_000_000));
        block_on(migrate(&store, &clock)).unwrap();
        (store, clock, SeqRandom::new(7))
    }

    fn boot(store: &NativeStore, clock: &FixedClock, random: &SeqRandom) -> ReviewerId {
        block_on(bootstrap(store, clock, random, "chief", PW)).unwrap().unwrap()
    }

    fn req_with(token: &str) -> Request {
        Request::new("GET", "/api/review/session").with_header("cookie", &format!("lang=en; __Host-session=x; {COOKIE_NAME}={token}"))
    }

    fn try_login(store: &NativeStore, clock: &FixedClock, random: &SeqRandom, name: &str, pw: &str) -> AppResult<(ReviewerSession, String, Reviewer)> {
        block_on(login(store, clock, random, CLIENT_LIMIT.limit(&crate::settings::Settings::default()), "10.0.0.1", name, pw))
    }

    #[test]
    fn bootstrap_creates_the_first_reviewer_once() {
        let (store, clock, random) = setup();
        let id = boot(&store, &clock, &random);
        assert_eq!(block_on(bootstrap(&store, &clock, &random, "chief", PW)).unwrap(), None);
        assert_eq!(block_on(bootstrap(&store, &clock, &random, "other", PW)).unwrap(), None, "settings ignored once reviewers exist");
        let all = block_on(list(&store)).unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!((all[0].id, all[0].login_name.as_str(), all[0].created_by), (id, "chief", None));
        let hash = block_on(store.execute("SELECT password_hash FROM reviewers", &[])).unwrap();
        assert!(hash.first().unwrap().text("password_hash").unwrap().starts_with("$argon2id$"));
    }

    #[test]
    fn bootstrap_refuses_a_bad_name_or_weak_password() {
        let (store, clock, random) = setup();
        assert_eq!(block_on(bootstrap(&store, &clock, &random, "a b", PW)).unwrap_err().code, "login_name.invalid_character");
        assert_eq!(block_on(bootstrap(&store, &clock, &random, "chief", "short")).unwrap_err().code, "password.too_short");
        assert_eq!(block_on(bootstrap(&store, &clock, &random, "chief", "chief-password-x")).unwrap_err().code, "password.contains_identity");
        assert!(block_on(list(&store)).unwrap().is_empty());
    }

    #[test]
    fn racing_bootstraps_create_one_reviewer() {
        let dir = std::env::temp_dir().join(format!("reviewer-bootstrap-race-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("race.db");
        let _ = std::fs::remove_file(&path);
        block_on(migrate(&NativeStore::open(&path).unwrap(), &FixedClock::at(Timestamp(0)))).unwrap();
        let handles: Vec<_> = ["chief", "chief", "Chief", "boss"]
            .into_iter()
            .enumerate()
            .map(|(n, name)| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let store = NativeStore::open(&path).unwrap();
                    block_on(bootstrap(&store, &FixedClock::at(Timestamp(0)), &SeqRandom::new(n as u64), name, PW)).unwrap()
                })
            })
            .collect();
        let created: Vec<_> = handles.into_iter().filter_map(|h| h.join().unwrap()).collect();
        assert_eq!(created.len(), 1);
        let store = NativeStore::open(&path).unwrap();
        assert_eq!(block_on(count(&store)).unwrap(), 1);
        drop(store);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn login_ok_and_wrong_and_unknown_answer_alike() {
        let (store, clock, random) = setup();
        let id = boot(&store, &clock, &random);
        let (session, token, reviewer) = try_login(&store, &clock, &random, " CHIEF ", PW).unwrap();
        assert_eq!((ReviewerId(session.owner_id), reviewer.id), (id, id));
        assert_eq!(token.len(), 64);
        assert_eq!(block_on(current(&store, &clock, &req_with(&token))).unwrap().1.login_name, "chief");
        let wrong = try_login(&store, &clock, &random, "chief", "not the password").unwrap_err();
        let unknown = try_login(&store, &clock, &random, "nobody", PW).unwrap_err();
        assert_eq!((wrong.code, wrong.status), ("review.invalid_credentials", 401));
        assert_eq!(wrong, unknown, "one answer for both");
        assert_eq!(try_login(&store, &clock, &random, "", PW).unwrap_err().code, "review.login_name_required");
        assert_eq!(try_login(&store, &clock, &random, "chief", "").unwrap_err().code, "review.password_required");
        let audit = block_on(store.execute("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'review.login_failed'", &[])).unwrap();
        assert_eq!(audit.first().unwrap().int("n").unwrap(), 2);
    }

    #[test]
    fn a_legacy_hash_is_replaced_at_login() {
        let (store, clock, random) = setup();
        let id = boot(&store, &clock, &random);
        let bcrypt = bcrypt::hash(PW, 4).unwrap();
        block_on(store.execute("UPDATE reviewers SET password_hash = ? WHERE id = ?", &[bcrypt.clone().into(), id.into()])).unwrap();
        try_login(&store, &clock, &random, "chief", PW).unwrap();
        let hash = block_on(store.execute("SELECT password_hash FROM reviewers", &[])).unwrap();
        assert!(hash.first().unwrap().text("password_hash").unwrap().starts_with("$argon2id$"));
    }

    #[test]
    fn consecutive_failures_are_throttled_per_reviewer() {
        let (store, clock, random) = setup();
        boot(&store, &clock, &random);
        for _ in 0..THROTTLE_AFTER {
            assert_eq!(try_login(&store, &clock, &random, "chief", "wrong password").unwrap_err().code, "review.invalid_credentials");
        }
        let e = try_login(&store, &clock, &random, "chief", PW).unwrap_err();
        assert_eq!((e.code, e.status), ("review.throttled", 429));
        assert_eq!(e.headers, vec![("retry-after".to_owned(), "1".to_owned())]);
        clock.advance_seconds(1);
        assert_eq!(try_login(&store, &clock, &random, "chief", "wrong again").unwrap_err().code, "review.invalid_credentials");
        let e = try_login(&store, &clock, &random, "chief", PW).unwrap_err();
        assert_eq!(e.headers, vec![("retry-after".to_owned(), "2".to_owned())], "6 failures: 2 s");
        assert_eq!(try_login(&store, &clock, &random, "nobody", PW).unwrap_err().code, "review.invalid_credentials", "others unaffected");
        clock.advance_seconds(2);
        try_login(&store, &clock, &random, "chief", PW).unwrap();
        let failures = block_on(store.execute("SELECT failed_logins FROM reviewers", &[])).unwrap();
        assert_eq!(failures.first().unwrap().int("failed_logins").unwrap(), 0, "a success resets");
    }

    #[test]
    fn a_client_hammering_logins_is_limited() {
        let (store, clock, random) = setup();
        for _ in 0..CLIENT_LIMIT.limit(&crate::settings::Settings::default()).max {
            assert_eq!(try_login(&store, &clock, &random, "nobody", "x").unwrap_err().code, "review.invalid_credentials");
        }
        assert_eq!(try_login(&store, &clock, &random, "nobody", "x").unwrap_err().status, 429);
    }

    #[test]
    fn sessions_expire_when_idle_and_absolutely_and_end_at_logout() {
        let (store, clock, random) = setup();
        boot(&store, &clock, &random);
        let (_, token, _) = try_login(&store, &clock, &random, "chief", PW).unwrap();
        let stored = block_on(store.execute("SELECT token_hash FROM reviewer_sessions", &[])).unwrap();
        assert_ne!(stored.first().unwrap().text("token_hash").unwrap(), token, "only the hash is stored");
        // Idle: alive while used, dead after 30 idle minutes.
        clock.advance_seconds(IDLE_TIMEOUT_SECS - 1);
        block_on(current(&store, &clock, &req_with(&token))).unwrap();
        clock.advance_seconds(IDLE_TIMEOUT_SECS);
        let e = block_on(current(&store, &clock, &req_with(&token))).unwrap_err();
        assert_eq!((e.code, e.status), ("review.not_logged_in", 401));
        // Absolute: a busy session still ends after 12 hours.
        let (_, token, _) = try_login(&store, &clock, &random, "chief", PW).unwrap();
        for _ in 0..(ABSOLUTE_TIMEOUT_SECS / 1200 - 1) {
            clock.advance_seconds(1200);
            block_on(current(&store, &clock, &req_with(&token))).unwrap();
        }
        clock.advance_seconds(1200);
        assert_eq!(block_on(current(&store, &clock, &req_with(&token))).unwrap_err().code, "review.not_logged_in");
        // Logout revokes.
        let (_, token, _) = try_login(&store, &clock, &random, "chief", PW).unwrap();
        let (session, _) = block_on(current(&store, &clock, &req_with(&token))).unwrap();
        block_on(logout(&store, &clock, &session)).unwrap();
        assert!(block_on(current(&store, &clock, &req_with(&token))).is_err());
        // An account session cookie is not a reviewer session.
        let account_cookie = Request::new("GET", "/").with_header("cookie", &format!("__Host-session={token}"));
        assert!(block_on(current(&store, &clock, &account_cookie)).is_err());
        assert!(block_on(current(&store, &clock, &req_with("short"))).is_err());
    }

    #[test]
    fn cookie_attributes_and_csrf() {
        let c = REVIEWER_SESSIONS.cookie("abc");
        for attr in ["__Host-review-session=abc", "Path=/", "Secure", "HttpOnly", "SameSite=Strict", "Max-Age=43200"] {
            assert!(c.contains(attr), "{c}");
        }
        assert!(!c.contains("Domain"));
        assert!(REVIEWER_SESSIONS.clear_cookie().contains("Max-Age=0"));
        let (store, clock, random) = setup();
        boot(&store, &clock, &random);
        let (session, token, _) = try_login(&store, &clock, &random, "chief", PW).unwrap();
        let post = Request::new("POST", "/api/review/logout").with_header("cookie", &format!("{COOKIE_NAME}={token}"));
        let ok = post.clone().with_header("x-csrf-token", &session.csrf_token);
        assert!(block_on(current(&store, &clock, &ok)).is_ok());
        assert_eq!(block_on(current(&store, &clock, &post)).unwrap_err().code, "request.csrf_token_invalid");
    }

    #[test]
    fn a_reviewer_adds_a_reviewer_once() {
        let (store, clock, random) = setup();
        let chief = boot(&store, &clock, &random);
        let policy = PasswordPolicy::default();
        let added = block_on(add(&store, &clock, &random, policy, chief, "Deputy", "another long passphrase")).unwrap();
        assert_eq!((added.login_name.as_str(), added.created_by), ("Deputy", Some(chief)));
        try_login(&store, &clock, &random, "deputy", "another long passphrase").unwrap();
        let e = block_on(add(&store, &clock, &random, policy, chief, "DEPUTY", "yet another passphrase")).unwrap_err();
        assert_eq!((e.code, e.status, e.field.as_deref()), ("review.reviewer_exists", 409, Some("login_name")));
        let e = block_on(add(&store, &clock, &random, policy, chief, "x", PW)).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("login_name"));
        let e = block_on(add(&store, &clock, &random, policy, chief, "third", "password")).unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), ("password.common", Some("password")));
        assert_eq!(block_on(list(&store)).unwrap().len(), 2);
        let audit = block_on(store.execute("SELECT subject FROM audit_log WHERE action = 'review.reviewer_added'", &[])).unwrap();
        assert_eq!(audit.first().unwrap().text("subject").unwrap(), format!("reviewer:{}", added.id));
    }
}
