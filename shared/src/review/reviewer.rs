//! 后台审核员 reviewer accounts: never self-registered. The first comes
//! from secret settings ([`bootstrap`]); then reviewers add reviewers
//! ([`add`]) and reset each other's passwords ([`reset_password`]).
//!
//! Login is the one credential check ([`crate::credentials`]) over the
//! reviewers table ([`CREDENTIALS`]), with the account login's rules:
//! Argon2id (rehashed when the parameters change), an unknown login name
//! costs, answers and is throttled exactly like a wrong password,
//! per-reviewer waits after 5 consecutive failures, the password disabled
//! after 100, and a per-client window counted apart from account logins.
//!
//! The way back from a disabled password: another reviewer sets a new one
//! ([`reset_password`]; never one's own: a stolen session must not be able
//! to lock the owner out). The bootstrap reviewer's password from the
//! secret settings is the root of trust ([`root_secret`]): it always logs
//! in as the bootstrap reviewer, under the same waits as any password, and
//! restores it as that reviewer's password (every other session of that
//! reviewer is revoked).
//!
//! Sessions: `reviewer_sessions`, cookie `__Host-review-session`
//! (SameSite=Strict), idle 30 min / absolute 12 h.

use super::reviewer_actor;
use crate::account::login_key;
use crate::audit::{self, Actor};
use crate::auth::{ABSOLUTE_TIMEOUT_SECS, IDLE_TIMEOUT_SECS};
use crate::clock::{Clock, Timestamp};
use crate::credentials::{Attempt, CredentialCheck, CredentialTable, LoginAudit, LoginErrors, RootSecret};
use crate::error::{AppError, AppResult};
use crate::identity::{LoginName, Mobile};
use crate::ids::ReviewerId;
use crate::password::{self, PasswordPolicy};
use crate::random::Random;
use crate::rate_limit::Limit;
use crate::session::{OpaqueSession, SessionOwner, SessionTable};
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

/// No reviewer has that id (404).
pub fn not_found() -> AppError {
    AppError::new("review.reviewer_not_found", 404, "没有这位审核员。", "There is no such reviewer.")
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

/// The reviewers table as the credential check sees it.
pub const CREDENTIALS: CredentialTable = CredentialTable {
    table: "reviewers",
    realm: "reviewer",
    // A disabled reviewer's name logs in like an unknown one.
    id_by_login_key: "SELECT id FROM reviewers WHERE login_name_key = ?1 AND disabled_at IS NULL",
};

/// The reviewer login: the reviewers table, its audit actions, its answers.
pub const REVIEWER_LOGIN: CredentialCheck = CredentialCheck {
    table: &CREDENTIALS,
    audit: LoginAudit {
        client_throttled: "review.client_throttled",
        failed: "review.login_failed",
        throttled: "review.login_throttled",
        disabled: "review.password_disabled",
        rehashed: "review.password_rehashed",
    },
    errors: LoginErrors {
        login_name_required: "review.login_name_required",
        password_required: "review.password_required",
        invalid: || AppError::new("review.invalid_credentials", 401, "登录名或密码错误。", "The login name or password is not right."),
        throttled: |retry, _| {
            let zh = format!("该审核员账号连续登录失败，请 {retry} 秒后再试。");
            let en = format!("Several failed logins in a row for this reviewer: try again in {retry} seconds.");
            AppError::new("review.throttled", 429, zh, en)
        },
        disabled: |_| {
            AppError::new(
                "review.password_disabled",
                403,
                "该审核员账号连续登录失败次数过多，密码已停用。请联系其他审核员为您重置密码。",
                "Too many failed logins in a row: this reviewer's password is disabled. Ask another reviewer to reset it.",
            )
        },
        // `reviewers.password_hash` is NOT NULL.
        not_set: None,
    },
    actor: |id| Actor::Reviewer(ReviewerId(id)),
    subject: |id| ReviewerId(id).audit_subject(),
};

/// A reviewer session; `owner_id` is the reviewer's id.
pub type ReviewerSession = OpaqueSession;

/// A reviewer's role: a lead also gets escalations, sees everyone's claims
/// and releases them, adds leads and disables reviewers. The bootstrap
/// reviewer is a lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Reviewer,
    Lead,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Reviewer => "reviewer",
            Role::Lead => "lead",
        }
    }

    /// The form field `role`: `reviewer` (also when empty or absent) or
    /// `lead`; anything else is `review.role_unknown` (400).
    pub fn parse_field(s: Option<&str>) -> AppResult<Role> {
        match s.map(str::trim).unwrap_or("") {
            "" | "reviewer" => Ok(Role::Reviewer),
            "lead" => Ok(Role::Lead),
            _ => Err(AppError::new("review.role_unknown", 400, "角色应为 reviewer（审核员）或 lead（组长）。", "role must be reviewer or lead.")
                .with_field("role")),
        }
    }

    /// (zh, en)
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Role::Reviewer => ("审核员", "reviewer"),
            Role::Lead => ("组长", "lead"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reviewer {
    pub id: ReviewerId,
    pub login_name: String,
    pub created_at: Timestamp,
    /// Who added this reviewer; `None` for the bootstrapped first one.
    pub created_by: Option<ReviewerId>,
    pub role: Role,
    /// Where reminders go by SMS (optional).
    pub mobile: Option<Mobile>,
    /// Disabled reviewers cannot log in; their sessions ended then.
    pub disabled_at: Option<Timestamp>,
}

impl Reviewer {
    pub fn is_lead(&self) -> bool {
        self.role == Role::Lead
    }

    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "login_name": self.login_name,
            "created_at": self.created_at.millis(),
            "created_by": self.created_by,
            "role": self.role.as_str(),
            "role_label_zh": self.role.label().0,
            "role_label_en": self.role.label().1,
            "mobile_masked": self.mobile.as_ref().map(|m| crate::account::mask_mobile(m.as_str())),
            "disabled_at": self.disabled_at.map(Timestamp::millis),
        })
    }
}

const COLUMNS: &str = "id, login_name, created_at, created_by, role, mobile, disabled_at";

/// The reviewers table as a session's owner ([`crate::session`]): the
/// columns of [`COLUMNS`] named through the alias the join gives it.
const SESSION_OWNER: SessionOwner<Reviewer> = SessionOwner {
    table: "reviewers r",
    key: "r.id",
    columns: "r.id, r.login_name, r.created_at, r.created_by, r.role, r.mobile, r.disabled_at",
    from_row: reviewer_from,
};

fn reviewer_from(row: Row<'_>) -> Result<Reviewer, StoreError> {
    Ok(Reviewer {
        id: ReviewerId(row.int("id")?),
        login_name: row.text("login_name")?.to_owned(),
        created_at: Timestamp(row.int("created_at")?),
        created_by: row.opt_int("created_by")?.map(ReviewerId),
        role: if row.text("role")? == "lead" { Role::Lead } else { Role::Reviewer },
        mobile: row.opt_text("mobile")?.and_then(|m| Mobile::parse(m).ok()),
        disabled_at: row.opt_int("disabled_at")?.map(Timestamp),
    })
}

/// The active (not disabled) reviewers, leads only when `leads_only`: who
/// reminders and escalations go to.
pub async fn active<S: Store>(store: &S, leads_only: bool) -> Result<Vec<Reviewer>, StoreError> {
    let rows = store
        .execute(
            &format!("SELECT {COLUMNS} FROM reviewers WHERE disabled_at IS NULL AND (?1 = 0 OR role = 'lead') ORDER BY id"),
            &[i64::from(leads_only).into()],
        )
        .await?;
    rows.iter().map(reviewer_from).collect()
}

fn lead_only() -> AppError {
    AppError::new("review.lead_only", 403, "只有组长可以这样做。", "Only a lead reviewer can do this.")
}

/// A lead disables a reviewer: it can no longer log in (its name answers
/// like an unknown one) and every session of it ends at once. Not oneself
/// (`review.own_account`, 403), not the bootstrap reviewer, the root of
/// trust (`review.bootstrap_reviewer`, 403); a non-lead gets
/// `review.lead_only` (403). Disabling a disabled reviewer changes nothing.
pub async fn disable<D: Database>(db: &D, clock: &dyn Clock, by: &Reviewer, target: ReviewerId) -> AppResult<Reviewer> {
    if !by.is_lead() {
        return Err(lead_only());
    }
    if target == by.id {
        return Err(AppError::new("review.own_account", 403, "不能停用自己的账号。", "You cannot disable your own account."));
    }
    in_transaction(db, async |tx| {
        let reviewer = find_by_id(tx, target).await?.ok_or_else(not_found)?;
        if reviewer.created_by.is_none() {
            return Err(AppError::new(
                "review.bootstrap_reviewer",
                403,
                "首位审核员（由部署配置创建）不能停用。",
                "The first reviewer (created from the deployment's settings) cannot be disabled.",
            ));
        }
        if reviewer.disabled_at.is_some() {
            return Ok(reviewer);
        }
        tx.execute("UPDATE reviewers SET disabled_at = ? WHERE id = ?", &[clock.now().millis().into(), target.into()]).await?;
        let revoked = REVIEWER_SESSIONS.revoke_all_for(tx, clock, target.get()).await?;
        audit::record(
            tx,
            clock,
            &reviewer_actor(by.id),
            "review.reviewer_disabled",
            Some(&target.audit_subject()),
            json!({ "reviewer_id": by.id, "sessions_revoked": revoked }),
        )
        .await?;
        find_by_id(tx, target).await?.ok_or_else(not_found)
    })
    .await
}

pub async fn find_by_id<S: Store>(store: &S, id: ReviewerId) -> Result<Option<Reviewer>, StoreError> {
    let rows = store.execute(&format!("SELECT {COLUMNS} FROM reviewers WHERE id = ?"), &[id.into()]).await?;
    rows.first().map(reviewer_from).transpose()
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
                "INSERT INTO reviewers (login_name, login_name_key, password_hash, created_at, role) VALUES (?, ?, ?, ?, 'lead') RETURNING id",
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

/// Who is added: a login name, a password, an optional mobile (reminders
/// by SMS) and a role.
#[derive(Debug, Clone, Copy)]
pub struct NewReviewer<'a> {
    pub login_name: &'a str,
    pub password: &'a str,
    /// Empty or absent: none.
    pub mobile: Option<&'a str>,
    pub role: Role,
}

/// A reviewer adds a reviewer. The login name follows the login-name
/// format; the password the policy (with the login name as context); the
/// mobile, when given, the mobile format (field `mobile`); only a lead adds
/// a lead (`review.lead_only`, 403); a taken name (ignoring case) is
/// `review.reviewer_exists` (409). The reviewer and its audit record
/// commit together.
pub async fn add<D: Database>(
    db: &D,
    clock: &dyn Clock,
    random: &dyn Random,
    policy: PasswordPolicy,
    by: &Reviewer,
    new: NewReviewer<'_>,
) -> AppResult<Reviewer> {
    let by_reviewer_id = by.id;
    let name = LoginName::parse(new.login_name)?;
    let mobile = match new.mobile.map(str::trim).filter(|m| !m.is_empty()) {
        Some(m) => Some(Mobile::parse(m)?),
        None => None,
    };
    if new.role == Role::Lead && !by.is_lead() {
        return Err(lead_only());
    }
    let password = new.password;
    policy.check(password, &[name.as_str()])?;
    let hash = password::hash(password, random).into_string();
    in_transaction(db, async |store| {
    let rows = store
        .execute(
            &format!(
                "INSERT INTO reviewers (login_name, login_name_key, password_hash, created_at, created_by, role, mobile)
                 VALUES (?, ?, ?, ?, ?, ?, ?)
                 RETURNING {COLUMNS}"
            ),
            &[
                name.as_str().into(),
                name.key().into(),
                hash.into(),
                clock.now().millis().into(),
                by_reviewer_id.into(),
                new.role.as_str().into(),
                mobile.as_ref().map(|m| m.as_str().to_owned()).into(),
            ],
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
        json!({ "reviewer_id": by_reviewer_id, "login_name": reviewer.login_name, "role": reviewer.role.as_str() }),
    )
    .await?;
    Ok(reviewer)
    })
    .await
}

/// The bootstrap reviewer's secret from the settings, when both settings
/// are set and valid (the name a login name, the password passing the
/// default policy): the root of trust of the back office.
pub fn root_secret(settings: &Settings) -> Option<RootSecret<'_>> {
    let name = LoginName::parse(settings.text(&settings::REVIEWER_BOOTSTRAP_LOGIN_NAME)?).ok()?;
    let password = settings.text(&settings::REVIEWER_BOOTSTRAP_PASSWORD)?;
    PasswordPolicy::default().check(password, &[name.as_str()]).ok()?;
    Some(RootSecret { login_key: login_key(name.as_str()), password })
}

/// Logs a reviewer in: a new session and its token for the cookie
/// ([`REVIEWER_SESSIONS`]`.cookie(token)`). `client` is the client address
/// (per-client limit, audit); `root` the bootstrap reviewer's secret
/// ([`root_secret`]), which restores that reviewer's password. Not inside a
/// transaction: the credential check runs its own.
#[allow(clippy::too_many_arguments)]
pub async fn login<D: Database>(
    store: &D,
    clock: &dyn Clock,
    random: &dyn Random,
    client_limit: Limit,
    root: Option<&RootSecret<'_>>,
    client: &str,
    login_name: &str,
    password: &str,
) -> AppResult<(ReviewerSession, String, Reviewer)> {
    let attempt = Attempt { client, login_name, password };
    // The session, the revocations and the audit rows commit with the
    // login's outcome: one write transaction after the password check.
    REVIEWER_LOGIN
        .check_then(store, clock, random, client_limit, &attempt, root, async |tx, verified| {
            let id = ReviewerId(verified.id);
            let subject = id.audit_subject();
            let reviewer = find_by_id(tx, id).await?.ok_or_else(|| StoreError::Other(format!("reviewer {id} vanished at login")))?;
            if verified.restored {
                // Whoever changed or locked the password holds no session of it now.
                let revoked = REVIEWER_SESSIONS.revoke_all_for(tx, clock, id.get()).await?;
                let detail = json!({ "reviewer_id": id, "client": client, "sessions_revoked": revoked });
                audit::record(tx, clock, &Actor::System, "review.password_restored_from_bootstrap", Some(&subject), detail).await?;
            }
            let (session, token) = REVIEWER_SESSIONS.start(tx, clock, random, id.get()).await?;
            let detail = json!({ "reviewer_id": id, "client": client });
            audit::record(tx, clock, &reviewer_actor(id), "review.login_succeeded", Some(&subject), detail).await?;
            Ok((session, token, reviewer))
        })
        .await
}

/// The reviewer login as the endpoint runs it: first the bootstrap
/// reviewer from the secret settings while there is no reviewer (never
/// sign-up), then [`login`] under the per-client limit, with the bootstrap
/// secret as the root secret.
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
    let root = root_secret(settings);
    login(store, clock, random, CLIENT_LIMIT.limit(settings), root.as_ref(), client, login_name, password).await
}

/// A reviewer sets another reviewer's password (the way back from a
/// disabled or forgotten one). The password follows the policy with the
/// target's login name as context; the target's failure state is cleared
/// and every session of it revoked; audited with both reviewers. A
/// reviewer cannot reset its own password here (`review.own_password`,
/// 403): whoever holds a stolen session could otherwise lock the owner
/// out for good. An unknown reviewer is `review.reviewer_not_found` (404).
pub async fn reset_password<D: Database>(
    db: &D,
    clock: &dyn Clock,
    random: &dyn Random,
    policy: PasswordPolicy,
    by_reviewer_id: ReviewerId,
    target: ReviewerId,
    new_password: &str,
) -> AppResult<Reviewer> {
    if target == by_reviewer_id {
        return Err(AppError::new(
            "review.own_password",
            403,
            "不能在此重置自己的密码：请由另一位审核员为您重置。",
            "You cannot reset your own password here: ask another reviewer to reset it.",
        ));
    }
    let reviewer = find_by_id(db, target).await?.ok_or_else(not_found)?;
    policy.check(new_password, &[reviewer.login_name.as_str()])?;
    let hash = password::hash(new_password, random).into_string();
    in_transaction(db, async |tx| {
        CREDENTIALS.set_password(tx, target.get(), &hash).await?;
        let revoked = REVIEWER_SESSIONS.revoke_all_for(tx, clock, target.get()).await?;
        audit::record(
            tx,
            clock,
            &reviewer_actor(by_reviewer_id),
            "review.reviewer_password_reset",
            Some(&target.audit_subject()),
            json!({ "reviewer_id": by_reviewer_id, "sessions_revoked": revoked }),
        )
        .await?;
        Ok(reviewer)
    })
    .await
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
    let (session, reviewer) = REVIEWER_SESSIONS.current(store, clock, req, &SESSION_OWNER).await?;
    // Disabling ends the sessions; this holds even for one that raced it.
    if reviewer.disabled_at.is_some() {
        return Err(not_logged_in());
    }
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

    #[test]
    fn the_session_owner_reads_what_every_reviewer_query_reads() {
        let aliased: Vec<String> = COLUMNS.split(", ").map(|c| format!("r.{c}")).collect();
        assert_eq!(SESSION_OWNER.columns, aliased.join(", "));
        assert!(!COLUMNS.split(", ").any(|c| c.starts_with("session_")));
    }
    use crate::clock::FixedClock;
    use crate::credentials::THROTTLE_AFTER;
    use crate::settings::{self, Settings};
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

    /// `by` adds a reviewer (role reviewer, no mobile).
    fn add_as(store: &NativeStore, clock: &FixedClock, random: &SeqRandom, policy: PasswordPolicy, by: ReviewerId, name: &str, pw: &str) -> AppResult<Reviewer> {
        let by = block_on(find_by_id(store, by)).unwrap().unwrap();
        block_on(add(store, clock, random, policy, &by, NewReviewer { login_name: name, password: pw, mobile: None, role: Role::Reviewer }))
    }

    fn boot(store: &NativeStore, clock: &FixedClock, random: &SeqRandom) -> ReviewerId {
        block_on(bootstrap(store, clock, random, "chief", PW)).unwrap().unwrap()
    }

    fn req_with(token: &str) -> Request {
        Request::new("GET", "/api/review/session").with_header("cookie", &format!("lang=en; __Host-session=x; {COOKIE_NAME}={token}"))
    }

    fn try_login(store: &NativeStore, clock: &FixedClock, random: &SeqRandom, name: &str, pw: &str) -> AppResult<(ReviewerSession, String, Reviewer)> {
        block_on(login(store, clock, random, CLIENT_LIMIT.limit(&crate::settings::Settings::default()), None, "10.0.0.1", name, pw))
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
        // Each name tried once (an unknown name is throttled by itself after 5).
        for i in 0..CLIENT_LIMIT.limit(&crate::settings::Settings::default()).max {
            assert_eq!(try_login(&store, &clock, &random, &format!("nobody{i}"), "x").unwrap_err().code, "review.invalid_credentials");
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
        let added = add_as(&store, &clock, &random, policy, chief, "Deputy", "another long passphrase").unwrap();
        assert_eq!((added.login_name.as_str(), added.created_by), ("Deputy", Some(chief)));
        try_login(&store, &clock, &random, "deputy", "another long passphrase").unwrap();
        let e = add_as(&store, &clock, &random, policy, chief, "DEPUTY", "yet another passphrase").unwrap_err();
        assert_eq!((e.code, e.status, e.field.as_deref()), ("review.reviewer_exists", 409, Some("login_name")));
        let e = add_as(&store, &clock, &random, policy, chief, "x", PW).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("login_name"));
        let e = add_as(&store, &clock, &random, policy, chief, "third", "password").unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), ("password.common", Some("password")));
        assert_eq!(block_on(list(&store)).unwrap().len(), 2);
        let audit = block_on(store.execute("SELECT subject FROM audit_log WHERE action = 'review.reviewer_added'", &[])).unwrap();
        assert_eq!(audit.first().unwrap().text("subject").unwrap(), format!("reviewer:{}", added.id));
    }

    fn reviewer_settings(name: &str, pw: &str) -> Settings {
        Settings::default().with(&settings::REVIEWER_BOOTSTRAP_LOGIN_NAME, name).with(&settings::REVIEWER_BOOTSTRAP_PASSWORD, pw)
    }

    type LoggedIn = (ReviewerSession, String, Reviewer);

    fn log_in_with(store: &NativeStore, clock: &FixedClock, random: &SeqRandom, settings: &Settings, name: &str, pw: &str) -> AppResult<LoggedIn> {
        block_on(log_in(store, clock, random, settings, "10.0.0.3", name, pw))
    }

    /// 100 consecutive failures, the last at `last_failed_at`.
    fn disable(store: &NativeStore, id: ReviewerId, last_failed_at: i64) {
        let sql = "UPDATE reviewers SET failed_logins = 100, last_failed_login_at = ?, password_disabled = 1 WHERE id = ?";
        block_on(store.execute(sql, &[last_failed_at.into(), id.into()])).unwrap();
    }

    fn failure_state(store: &NativeStore, id: ReviewerId) -> (i64, i64) {
        let rows = block_on(store.execute("SELECT failed_logins, password_disabled FROM reviewers WHERE id = ?", &[id.into()])).unwrap();
        let r = rows.first().unwrap();
        (r.int("failed_logins").unwrap(), r.int("password_disabled").unwrap())
    }

    fn audited(store: &NativeStore, action: &str) -> Vec<(String, Option<String>)> {
        let rows = block_on(store.execute("SELECT actor, subject FROM audit_log WHERE action = ? ORDER BY id", &[action.into()])).unwrap();
        rows.iter().map(|r| (r.text("actor").unwrap().to_owned(), r.opt_text("subject").unwrap().map(str::to_owned))).collect()
    }

    #[test]
    fn a_reviewer_resets_another_reviewers_password_but_not_its_own() {
        let (store, clock, random) = setup();
        let chief = boot(&store, &clock, &random);
        let policy = PasswordPolicy::default();
        let deputy = add_as(&store, &clock, &random, policy, chief, "deputy", "another long passphrase").unwrap().id;
        let (_, token, _) = try_login(&store, &clock, &random, "deputy", "another long passphrase").unwrap();
        // The deputy's password got disabled.
        disable(&store, deputy, clock.now().millis());
        let e = try_login(&store, &clock, &random, "deputy", "another long passphrase").unwrap_err();
        assert_eq!((e.code, e.status), ("review.password_disabled", 403));

        let e = block_on(reset_password(&store, &clock, &random, policy, deputy, deputy, "a brand new passphrase")).unwrap_err();
        assert_eq!((e.code, e.status), ("review.own_password", 403));
        let e = block_on(reset_password(&store, &clock, &random, policy, chief, ReviewerId(999), "a brand new passphrase")).unwrap_err();
        assert_eq!((e.code, e.status), ("review.reviewer_not_found", 404));
        let e = block_on(reset_password(&store, &clock, &random, policy, chief, deputy, "password")).unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), ("password.common", Some("password")));
        let e = block_on(reset_password(&store, &clock, &random, policy, chief, deputy, "deputy's new passphrase")).unwrap_err();
        assert_eq!(e.code, "password.contains_identity", "the target's login name is the context");

        let reset = block_on(reset_password(&store, &clock, &random, policy, chief, deputy, "a brand new passphrase")).unwrap();
        assert_eq!(reset.id, deputy);
        assert_eq!(failure_state(&store, deputy), (0, 0), "failure state cleared");
        assert!(block_on(current(&store, &clock, &req_with(&token))).is_err(), "the deputy's sessions are revoked");
        assert_eq!(try_login(&store, &clock, &random, "deputy", "another long passphrase").unwrap_err().code, "review.invalid_credentials");
        try_login(&store, &clock, &random, "deputy", "a brand new passphrase").unwrap();
        assert_eq!(audited(&store, "review.reviewer_password_reset"), vec![(chief.audit_subject(), Some(deputy.audit_subject()))]);
    }

    #[test]
    fn the_bootstrap_secret_restores_the_bootstrap_reviewers_password_under_the_same_waits() {
        let (store, clock, random) = setup();
        let settings = reviewer_settings("chief", PW);
        let (_, first_token, me) = log_in_with(&store, &clock, &random, &settings, "chief", PW).unwrap();
        let chief = me.id;
        let deputy = add_as(&store, &clock, &random, PasswordPolicy::default(), chief, "deputy", "another long passphrase").unwrap().id;

        // Another reviewer changed the chief's password: the secret still logs in, and restores it.
        block_on(reset_password(&store, &clock, &random, PasswordPolicy::default(), deputy, chief, "taken over passphrase")).unwrap();
        let (_, token, _) = log_in_with(&store, &clock, &random, &settings, "CHIEF", PW).unwrap();
        let hash = block_on(store.execute("SELECT password_hash FROM reviewers WHERE id = ?", &[chief.into()])).unwrap();
        assert!(password::verify(PW, hash.first().unwrap().text("password_hash").unwrap()).ok, "the secret is the password again");
        assert_eq!(try_login(&store, &clock, &random, "chief", "taken over passphrase").unwrap_err().code, "review.invalid_credentials");
        assert_eq!(audited(&store, "review.password_restored_from_bootstrap"), vec![("system".to_owned(), Some(chief.audit_subject()))]);
        assert!(block_on(current(&store, &clock, &req_with(&first_token))).is_err(), "older sessions of the chief are revoked");
        assert!(block_on(current(&store, &clock, &req_with(&token))).is_ok());

        // Disabled after 100 failures: the stored password is refused, the secret is not.
        disable(&store, chief, clock.now().millis() - 900_000);
        assert_eq!(try_login(&store, &clock, &random, "chief", PW).unwrap_err().code, "review.password_disabled", "without the settings");
        log_in_with(&store, &clock, &random, &settings, "chief", PW).unwrap();
        assert_eq!(failure_state(&store, chief), (0, 0));

        // The secret waits like any password: no faster guessing through it.
        for _ in 0..5 {
            assert_eq!(log_in_with(&store, &clock, &random, &settings, "chief", "guess").unwrap_err().code, "review.invalid_credentials");
        }
        let e = log_in_with(&store, &clock, &random, &settings, "chief", PW).unwrap_err();
        assert_eq!((e.code, e.status), ("review.throttled", 429));
        clock.advance_seconds(1);
        log_in_with(&store, &clock, &random, &settings, "chief", PW).unwrap();

        // It logs in as the bootstrap reviewer only.
        disable(&store, deputy, 0);
        assert_eq!(log_in_with(&store, &clock, &random, &settings, "deputy", PW).unwrap_err().code, "review.password_disabled");
        // A weak secret is no root of trust.
        let weak = reviewer_settings("chief", "password");
        assert!(root_secret(&weak).is_none());
        assert!(root_secret(&Settings::default()).is_none());
    }

    #[test]
    fn roles_mobiles_and_disabling() {
        let (store, clock, random) = setup();
        let chief_id = boot(&store, &clock, &random);
        let chief = block_on(find_by_id(&store, chief_id)).unwrap().unwrap();
        assert_eq!(chief.role, Role::Lead, "the bootstrap reviewer is a lead");
        let policy = PasswordPolicy::default();
        let new = |name, role, mobile| NewReviewer { login_name: name, password: "another long passphrase", mobile, role };
        let deputy = block_on(add(&store, &clock, &random, policy, &chief, new("deputy", Role::Reviewer, Some("13900000001")))).unwrap();
        assert_eq!((deputy.role, deputy.mobile.as_ref().map(Mobile::as_str)), (Role::Reviewer, Some("13900000001")));
        assert_eq!(deputy.to_json()["mobile_masked"], "139****0001");
        let e = block_on(add(&store, &clock, &random, policy, &deputy, new("second", Role::Lead, None))).unwrap_err();
        assert_eq!((e.code, e.status), ("review.lead_only", 403), "only a lead adds a lead");
        let e = block_on(add(&store, &clock, &random, policy, &chief, new("third", Role::Reviewer, Some("12345")))).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("mobile"));
        let lead2 = block_on(add(&store, &clock, &random, policy, &chief, new("lead2", Role::Lead, Some(" ")))).unwrap();
        assert_eq!((lead2.role, lead2.mobile.clone()), (Role::Lead, None), "a blank mobile is none");
        assert_eq!(Role::parse_field(Some("boss")).unwrap_err().field.as_deref(), Some("role"));
        assert_eq!(Role::parse_field(None).unwrap(), Role::Reviewer);
        let leads: Vec<_> = block_on(active(&store, true)).unwrap().iter().map(|r| r.id).collect();
        assert_eq!(leads, vec![chief.id, lead2.id]);

        // Disabling: leads only, never oneself or the bootstrap reviewer; sessions end; logins fail as unknown.
        let (_, token, _) = try_login(&store, &clock, &random, "deputy", "another long passphrase").unwrap();
        assert_eq!(block_on(super::disable(&store, &clock, &deputy, lead2.id)).unwrap_err().code, "review.lead_only");
        assert_eq!(block_on(super::disable(&store, &clock, &chief, chief.id)).unwrap_err().code, "review.own_account");
        assert_eq!(block_on(super::disable(&store, &clock, &lead2, chief.id)).unwrap_err().code, "review.bootstrap_reviewer");
        assert_eq!(block_on(super::disable(&store, &clock, &chief, ReviewerId(999))).unwrap_err().code, "review.reviewer_not_found");
        let off = block_on(super::disable(&store, &clock, &chief, deputy.id)).unwrap();
        assert_eq!(off.disabled_at, Some(clock.now()));
        assert_eq!(block_on(current(&store, &clock, &req_with(&token))).unwrap_err().code, "review.not_logged_in");
        let e = try_login(&store, &clock, &random, "deputy", "another long passphrase").unwrap_err();
        assert_eq!(e.code, "review.invalid_credentials", "a disabled reviewer answers like an unknown name");
        assert_eq!(block_on(active(&store, false)).unwrap().len(), 2);
    }
}
