//! One credential check for every kind of login (accounts at `auth`,
//! reviewers at `review`), written once over a table description
//! ([`CredentialTable`]), as [`crate::session::SessionTable`] is for
//! sessions. A login flow declares a [`CredentialCheck`] (its table, its
//! per-client window, its audit actions and its errors), calls
//! [`CredentialCheck::check`] and gets the id of the row whose password was
//! right; what comes after (the account type hint, the session) is the
//! flow's.
//!
//! The sequence, for a login name and a password:
//!
//! 1. Required fields; input longer than anything we accept cannot match
//!    (a dummy hash is verified, the answer is the wrong-password one).
//! 2. The per-client sliding window (`login_limit_per_client_per_five_minutes`,
//!    each flow in its own bucket).
//! 3. **Reserve the attempt**: read the failure state of the row the name
//!    belongs to (one statement finds the row and reads it) — or, for a
//!    name that matches no row, of the name itself ([`unknown
//!    names`](#unknown-names)) — refuse it when the password is disabled or
//!    the wait is not over, else count it as a failure *before* any password
//!    is verified. Counting is one statement that writes only if the state
//!    is still the one read (compare and swap: no transaction around it);
//!    when another try changed it meanwhile, the state is read, judged and
//!    counted again in one write transaction, where racing tries queue for
//!    the lock. Either way a try is counted only against the state it was
//!    judged on, so however many arrive at once at most [`THROTTLE_AFTER`]
//!    passwords are checked before the wait applies.
//! 4. Verify the password (Argon2id, PBKDF2, bcrypt; a dummy Argon2id hash
//!    for an unknown name, so the time does not tell).
//! 5. **Settle**, in one write transaction: a right password clears the
//!    failure state (and replaces a hash with outdated parameters), and
//!    what the flow does with the login (its session, its audit row:
//!    [`CredentialCheck::check_then`]) commits with it; a wrong one stays
//!    counted, and the [`PASSWORD_DISABLED_AFTER`]th consecutive failure
//!    disables the password.
//!
//! The password is verified between the two writes, outside any
//! transaction: no login holds the write lock while it hashes.
//!
//! Throttling without a lockout denial of service: after 5 consecutive
//! failures each further try waits 2^(n-5) s (at most 15 min) from the last
//! counted failure ([`throttle_delay_secs`]); 100 consecutive failures
//! disable the password until it is set again (NIST SP 800-63B).
//!
//! # Unknown names
//!
//! A login name that matches no row is throttled exactly like a real one,
//! by the name typed (its login key), in `login_name_throttles` (only the
//! SHA-256 of the key is kept: people type passwords into the name field):
//! the same 401s, the same 429 with the same `Retry-After`, and after 100
//! failures the same 403 "password disabled" with the same guidance, built
//! from the typed name. No account or reviewer is created. Rows whose last
//! counted failure is older than [`UNKNOWN_NAME_RETENTION_SECS`] are pruned
//! ([`prune_unknown_names`], run with every unknown-name attempt; the
//! housekeeping job should run it too), so the table holds at most what a
//! month of attempts wrote. The one thing left that tells: after those 30
//! days of silence an unknown name starts again from zero, while a real
//! one keeps its count (and a disabled password stays disabled until it is
//! set again).
//!
//! # The root secret
//!
//! A flow may name one login key whose password is also a deployment secret
//! ([`RootSecret`]: the bootstrap reviewer, `reviewer_bootstrap_*`). That
//! secret always logs in as that row, even when its stored password was
//! changed or disabled, and setting it back is part of the login
//! ([`Verified::restored`]). It is checked only after the attempt was
//! reserved, under the same per-client window and per-name waits as any
//! password, so it cannot be guessed faster than a password.

use crate::account::login_key;
use crate::audit::{self, Actor};
use crate::clock::{Clock, Timestamp};
use crate::digest::{constant_time_eq, sha256_hex};
use crate::error::{AppError, AppResult};
use crate::identity::normalize_input;
use crate::password;
use crate::random::Random;
use crate::rate_limit::{self, Limit};
use crate::store::{Database, Store, StoreError, Transaction, in_transaction};
use serde_json::json;

/// Consecutive failures before each further try has to wait.
pub const THROTTLE_AFTER: i64 = 5;
/// Consecutive failures that disable the password.
pub const PASSWORD_DISABLED_AFTER: i64 = 100;
/// The longest wait between tries.
pub const MAX_DELAY_SECS: i64 = 15 * 60;
/// How long an unknown name's failures are remembered after the last one.
pub const UNKNOWN_NAME_RETENTION_SECS: i64 = 30 * 24 * 3600;
/// Longer than any login name we accept (legacy old names included).
const MAX_NAME_CHARS: usize = 100;
/// Longer than any password we accept (imported ones included).
const MAX_PASSWORD_CHARS: usize = 1024;

/// The wait after `failures` consecutive failures.
pub fn throttle_delay_secs(failures: i64) -> i64 {
    if failures < THROTTLE_AFTER {
        0
    } else {
        let exp = (failures - THROTTLE_AFTER).min(20) as u32;
        (1i64 << exp).min(MAX_DELAY_SECS)
    }
}

/// A table of rows that log in with a password. It has the columns `id`,
/// `password_hash` (NULL: none set yet), `failed_logins` (consecutive),
/// `last_failed_login_at` (ms) and `password_disabled` (0/1); the owner
/// module (the table's queries live there) gives the lookup by login key.
#[derive(Debug, Clone, Copy)]
pub struct CredentialTable {
    /// The table (a constant: it is spliced into SQL).
    pub table: &'static str,
    /// What `login_name_throttles.realm` calls this table's names.
    pub realm: &'static str,
    /// One statement selecting the `id` of the row a login key (`?1`) names
    /// (one column, at most one row: it is also run as a subquery).
    pub id_by_login_key: &'static str,
}

/// What the audit log calls the steps of one kind of login.
#[derive(Debug, Clone, Copy)]
pub struct LoginAudit {
    /// The per-client window refused the attempt.
    pub client_throttled: &'static str,
    /// A wrong password, or an unknown name.
    pub failed: &'static str,
    /// The wait after consecutive failures was not over.
    pub throttled: &'static str,
    /// This failure disabled the password.
    pub disabled: &'static str,
    /// An outdated hash was replaced at login.
    pub rehashed: &'static str,
}

/// The answers of one kind of login. Those that lead somewhere take the
/// login name as typed: a real and an unknown name get the same text.
#[derive(Debug, Clone, Copy)]
pub struct LoginErrors {
    /// The code of "please enter the login name" (400, field `login_name`).
    pub login_name_required: &'static str,
    /// The code of "please enter the password" (400, field `password`).
    pub password_required: &'static str,
    /// Wrong password and unknown name alike (401).
    pub invalid: fn() -> AppError,
    /// The wait is not over (429): seconds to wait, the typed name. The
    /// check adds `Retry-After` and `details.retry_after_seconds`.
    pub throttled: fn(i64, &str) -> AppError,
    /// The password is disabled (403): the typed name.
    pub disabled: fn(&str) -> AppError,
    /// The row has no password yet (403); `None` when the table's
    /// `password_hash` is never NULL.
    pub not_set: Option<fn(&str) -> AppError>,
}

/// One kind of login: its table, its per-client bucket, its audit trail
/// and its errors.
#[derive(Debug, Clone, Copy)]
pub struct CredentialCheck {
    pub table: &'static CredentialTable,
    pub audit: LoginAudit,
    pub errors: LoginErrors,
    /// The audit actor for the row's own action (a rehash).
    pub actor: fn(i64) -> Actor,
    /// How the audit log names the row (`account:12`).
    pub subject: fn(i64) -> String,
}

/// One login attempt as it came in.
#[derive(Debug, Clone, Copy)]
pub struct Attempt<'a> {
    /// The client address (per-client window, audit).
    pub client: &'a str,
    pub login_name: &'a str,
    pub password: &'a str,
}

/// A deployment secret that always logs in as one login name (see the
/// module docs).
#[derive(Debug, Clone)]
pub struct RootSecret<'a> {
    /// The login key ([`login_key`]) it logs in as.
    pub login_key: String,
    pub password: &'a str,
}

/// A right password: the row's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verified {
    pub id: i64,
    /// The stored hash had outdated parameters and was replaced.
    pub rehashed: bool,
    /// The [`RootSecret`] logged in while the stored password was another
    /// one or disabled: the stored password is now the secret again.
    pub restored: bool,
}

/// A row's (or an unknown name's) failure state.
#[derive(Debug, Clone, PartialEq)]
struct FailureState {
    password_hash: Option<String>,
    failed_logins: i64,
    last_failed_login_at: Option<i64>,
    password_disabled: bool,
}

/// Why an attempt was not let through to the password check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    Disabled,
    /// Seconds left to wait.
    Throttled(i64),
    NotSet,
}

/// Whose failures an attempt counts against.
enum Counter<'a> {
    Row { table: &'static CredentialTable, id: i64 },
    Name { table: &'static CredentialTable, key_hash: &'a str },
}

/// The refusal the failure state calls for at `now`, if any. `root`: the
/// root secret may log in as this row, so a disabled password does not
/// stop the attempt (the wait still does).
fn refusal(state: &FailureState, now: Timestamp, root: bool, is_row: bool) -> Option<Refusal> {
    if state.password_disabled && !root {
        return Some(Refusal::Disabled);
    }
    if state.failed_logins >= THROTTLE_AFTER {
        let wait_until = state.last_failed_login_at.unwrap_or(0) + throttle_delay_secs(state.failed_logins) * 1000;
        if now.millis() < wait_until {
            return Some(Refusal::Throttled((wait_until - now.millis() + 999) / 1000));
        }
    }
    if is_row && state.password_hash.is_none() {
        return Some(Refusal::NotSet);
    }
    None
}

/// The failure state a row of `SELECT password_hash, failed_logins,
/// last_failed_login_at, password_disabled` holds.
fn failure_state(r: crate::store::Row<'_>) -> Result<FailureState, StoreError> {
    Ok(FailureState {
        password_hash: r.opt_text("password_hash")?.map(str::to_owned),
        failed_logins: r.int("failed_logins")?,
        last_failed_login_at: r.opt_int("last_failed_login_at")?,
        password_disabled: r.int("password_disabled")? != 0,
    })
}

impl Counter<'_> {
    async fn state<S: Store>(&self, store: &S) -> Result<Option<FailureState>, StoreError> {
        let rows = match self {
            Counter::Row { table, id } => {
                store.execute(
                    &format!(
                        "SELECT password_hash, failed_logins, last_failed_login_at, password_disabled FROM {} WHERE id = ?",
                        table.table
                    ),
                    &[(*id).into()],
                )
                .await?
            }
            Counter::Name { table, key_hash } => {
                store.execute(
                    "SELECT NULL AS password_hash, failed_logins, last_failed_login_at, password_disabled
                       FROM login_name_throttles WHERE realm = ? AND name_key_sha256 = ?",
                    &[table.realm.into(), (*key_hash).into()],
                )
                .await?
            }
        };
        rows.first().map(failure_state).transpose()
    }

    /// Counts one failure now, before the password is checked, if the
    /// failure state is still `seen` (`None`: no row): one statement,
    /// atomic without a transaction. `false` when another try changed the
    /// state meanwhile (nothing was written).
    async fn count_failure_if_unchanged<S: Store>(&self, store: &S, now: Timestamp, seen: Option<&FailureState>) -> Result<bool, StoreError> {
        let same = "failed_logins = ?4 AND last_failed_login_at IS ?5 AND password_disabled = ?6";
        let rows = match (self, seen) {
            (Counter::Row { table, id }, Some(s)) => {
                store
                    .execute(
                        &format!(
                            "UPDATE {} SET failed_logins = failed_logins + 1, last_failed_login_at = ?1
                              WHERE id = ?2 AND password_hash IS ?3 AND {same} RETURNING failed_logins",
                            table.table
                        ),
                        &[
                            now.millis().into(),
                            (*id).into(),
                            s.password_hash.clone().into(),
                            s.failed_logins.into(),
                            s.last_failed_login_at.into(),
                            i64::from(s.password_disabled).into(),
                        ],
                    )
                    .await?
            }
            // The row was gone when read: let the locked path judge.
            (Counter::Row { .. }, None) => return Ok(false),
            (Counter::Name { table, key_hash }, Some(s)) => {
                store
                    .execute(
                        &format!(
                            "UPDATE login_name_throttles SET failed_logins = failed_logins + 1, last_failed_login_at = ?1
                              WHERE realm = ?2 AND name_key_sha256 = ?3 AND {same} RETURNING failed_logins"
                        ),
                        &[
                            now.millis().into(),
                            table.realm.into(),
                            (*key_hash).into(),
                            s.failed_logins.into(),
                            s.last_failed_login_at.into(),
                            i64::from(s.password_disabled).into(),
                        ],
                    )
                    .await?
            }
            (Counter::Name { table, key_hash }, None) => {
                store
                    .execute(
                        "INSERT INTO login_name_throttles (realm, name_key_sha256, failed_logins, last_failed_login_at)
                         VALUES (?1, ?2, 1, ?3)
                         ON CONFLICT (realm, name_key_sha256) DO NOTHING RETURNING failed_logins",
                        &[table.realm.into(), (*key_hash).into(), now.millis().into()],
                    )
                    .await?
            }
        };
        Ok(!rows.is_empty())
    }

    /// Counts one failure now, before the password is checked (under the
    /// write lock, after the state was read again).
    async fn count_failure<D: Database>(&self, tx: &Transaction<'_, D>, now: Timestamp) -> Result<(), StoreError> {
        match self {
            Counter::Row { table, id } => tx
                .execute(
                    &format!("UPDATE {} SET failed_logins = failed_logins + 1, last_failed_login_at = ? WHERE id = ?", table.table),
                    &[now.millis().into(), (*id).into()],
                )
                .await
                .map(drop),
            Counter::Name { table, key_hash } => tx
                .execute(
                    "INSERT INTO login_name_throttles (realm, name_key_sha256, failed_logins, last_failed_login_at)
                     VALUES (?1, ?2, 1, ?3)
                     ON CONFLICT (realm, name_key_sha256)
                     DO UPDATE SET failed_logins = failed_logins + 1, last_failed_login_at = excluded.last_failed_login_at",
                    &[table.realm.into(), (*key_hash).into(), now.millis().into()],
                )
                .await
                .map(drop),
        }
    }

    /// A wrong password stays counted; at the limit the password is
    /// disabled. Returns the consecutive failures and whether the password
    /// is disabled now.
    async fn settle_failure<S: Store>(&self, store: &S) -> Result<(i64, bool), StoreError> {
        let set = "password_disabled = CASE WHEN failed_logins >= ?1 THEN 1 ELSE password_disabled END";
        let rows = match self {
            Counter::Row { table, id } => {
                store
                    .execute(
                        &format!("UPDATE {} SET {set} WHERE id = ?2 RETURNING failed_logins, password_disabled", table.table),
                        &[PASSWORD_DISABLED_AFTER.into(), (*id).into()],
                    )
                    .await?
            }
            Counter::Name { table, key_hash } => {
                store
                    .execute(
                        &format!(
                            "UPDATE login_name_throttles SET {set} WHERE realm = ?2 AND name_key_sha256 = ?3
                             RETURNING failed_logins, password_disabled"
                        ),
                        &[PASSWORD_DISABLED_AFTER.into(), table.realm.into(), (*key_hash).into()],
                    )
                    .await?
            }
        };
        // The row may be gone (an unknown name's row pruned meanwhile).
        rows.first().map_or(Ok((0, false)), |r| Ok((r.int("failed_logins")?, r.int("password_disabled")? != 0)))
    }
}

/// Deletes unknown names' failure state older than the retention
/// ([`UNKNOWN_NAME_RETENTION_SECS`]); returns how many rows went.
pub async fn prune_unknown_names<S: Store>(store: &S, now: Timestamp) -> Result<u64, StoreError> {
    let rows = store
        .execute(
            "DELETE FROM login_name_throttles WHERE last_failed_login_at <= ? RETURNING realm",
            &[(now.millis() - UNKNOWN_NAME_RETENTION_SECS * 1000).into()],
        )
        .await?;
    Ok(rows.len() as u64)
}

/// Whether `password` is the root secret (compared as digests, so neither
/// the length nor the content shows in the time).
fn is_secret(password: &str, secret: &str) -> bool {
    constant_time_eq(&sha256_hex(password.as_bytes()), &sha256_hex(secret.as_bytes()))
}

impl CredentialTable {
    /// The id of the row a login key names, if any.
    pub async fn id_by_login_key<S: Store>(&self, store: &S, key: &str) -> Result<Option<i64>, StoreError> {
        let rows = store.execute(self.id_by_login_key, &[key.into()]).await?;
        rows.first().map(|r| r.int("id")).transpose()
    }

    /// The row a login key names and its failure state, in one statement.
    async fn state_by_login_key<S: Store>(&self, store: &S, key: &str) -> Result<Option<(i64, FailureState)>, StoreError> {
        let rows = store
            .execute(
                &format!(
                    "SELECT id, password_hash, failed_logins, last_failed_login_at, password_disabled FROM {} WHERE id = ({})",
                    self.table, self.id_by_login_key
                ),
                &[key.into()],
            )
            .await?;
        rows.first().map(|r| Ok((r.int("id")?, failure_state(r)?))).transpose()
    }

    /// A new password (set by its owner through a reset, or by someone
    /// allowed to): the failure state goes with the old one. Inside the
    /// caller's transaction.
    pub async fn set_password<D: Database>(&self, tx: &Transaction<'_, D>, id: i64, hash: &str) -> Result<(), StoreError> {
        tx.execute(
            &format!(
                "UPDATE {} SET password_hash = ?, failed_logins = 0, last_failed_login_at = NULL, password_disabled = 0 WHERE id = ?",
                self.table
            ),
            &[hash.into(), id.into()],
        )
        .await
        .map(drop)
    }

    /// Clears the failure state and re-enables the password (an approved
    /// appeal). Inside the caller's transaction.
    pub async fn clear_failures<D: Database>(&self, tx: &Transaction<'_, D>, id: i64) -> Result<(), StoreError> {
        tx.execute(
            &format!("UPDATE {} SET failed_logins = 0, last_failed_login_at = NULL, password_disabled = 0 WHERE id = ?", self.table),
            &[id.into()],
        )
        .await
        .map(drop)
    }

    /// The password was right: the failures are over; `new_hash` replaces
    /// the stored one (outdated parameters, or the root secret restored).
    async fn record_success<S: Store>(&self, store: &S, id: i64, new_hash: Option<&str>) -> Result<(), StoreError> {
        store
            .execute(
                &format!(
                    "UPDATE {} SET failed_logins = 0, last_failed_login_at = NULL, password_disabled = 0,
                            password_hash = COALESCE(?, password_hash) WHERE id = ?",
                    self.table
                ),
                &[new_hash.map(str::to_owned).into(), id.into()],
            )
            .await
            .map(drop)
    }
}

impl CredentialCheck {
    /// Checks a login name and password (see the module docs for the
    /// sequence). `Ok` only for a right password, with the row's id; every
    /// refusal is the kind's error. Not inside a transaction: the
    /// per-client window and the reservation run their own.
    pub async fn check<D: Database>(
        &self,
        db: &D,
        clock: &dyn Clock,
        random: &dyn Random,
        client_limit: Limit,
        attempt: &Attempt<'_>,
        root: Option<&RootSecret<'_>>,
    ) -> AppResult<Verified> {
        self.check_then(db, clock, random, client_limit, attempt, root, async |_, verified| Ok(verified)).await
    }

    /// [`CredentialCheck::check`], and for a right password `then` runs in
    /// the transaction that settles it (the failures cleared, a rehash),
    /// so what the flow does with a login (its session, its audit row)
    /// commits with it: one write transaction for the outcome. The
    /// password is verified before that transaction starts, never under
    /// the write lock. `then`'s error rolls the whole outcome back.
    #[allow(clippy::too_many_arguments)]
    pub async fn check_then<D: Database, T>(
        &self,
        db: &D,
        clock: &dyn Clock,
        random: &dyn Random,
        client_limit: Limit,
        attempt: &Attempt<'_>,
        root: Option<&RootSecret<'_>>,
        then: impl AsyncFnOnce(&Transaction<'_, D>, Verified) -> Result<T, StoreError>,
    ) -> AppResult<T> {
        let errors = &self.errors;
        let key = login_key(attempt.login_name);
        if key.is_empty() {
            let e = AppError::new(errors.login_name_required, 400, "请填写登录名。", "Please enter the login name.");
            return Err(e.with_field("login_name"));
        }
        if attempt.password.is_empty() {
            let e = AppError::new(errors.password_required, 400, "请填写密码。", "Please enter the password.");
            return Err(e.with_field("password"));
        }
        if key.chars().count() > MAX_NAME_CHARS || attempt.password.chars().count() > MAX_PASSWORD_CHARS {
            // Longer than any login name or password we accept: cannot match.
            password::dummy_verify(attempt.password);
            return Err((errors.invalid)());
        }
        let client = Actor::Client(attempt.client.to_owned());
        if let Err(e) = rate_limit::hit(db, clock, client_limit, attempt.client).await {
            audit::record(db, clock, &client, self.audit.client_throttled, None, json!({})).await?;
            return Err(e);
        }
        let typed = normalize_input(attempt.login_name);
        let now = clock.now();
        let found = self.table.state_by_login_key(db, &key).await?;
        let owner = found.as_ref().map(|(id, _)| *id);
        let key_hash = sha256_hex(key.as_bytes());
        let counter = match owner {
            Some(id) => Counter::Row { table: self.table, id },
            None => Counter::Name { table: self.table, key_hash: &key_hash },
        };
        let seen = match found {
            Some((_, state)) => Some(state),
            None => {
                prune_unknown_names(db, now).await?;
                counter.state(db).await?
            }
        };
        let root = root.filter(|r| owner.is_some() && r.login_key == key);
        let subject = owner.map(self.subject);

        // Reserve: count the attempt before any password is checked, only
        // against the state it was judged on.
        let blank = FailureState { password_hash: None, failed_logins: 0, last_failed_login_at: None, password_disabled: false };
        let judge = |state: &FailureState| refusal(state, now, root.is_some(), owner.is_some());
        let judged = judge(seen.as_ref().unwrap_or(&blank));
        let reserved: Result<FailureState, Refusal> = match judged {
            Some(r) => Err(r),
            None if counter.count_failure_if_unchanged(db, now, seen.as_ref()).await? => Ok(seen.unwrap_or_else(|| blank.clone())),
            // Another try changed the state since it was read: read, judge
            // and count again under the write lock, where racing tries queue.
            None => {
                in_transaction(db, async |tx| {
                    let state = counter.state(tx).await?.unwrap_or_else(|| blank.clone());
                    match judge(&state) {
                        Some(r) => Ok::<_, StoreError>(Err(r)),
                        None => {
                            counter.count_failure(tx, now).await?;
                            Ok(Ok(state))
                        }
                    }
                })
                .await?
            }
        };
        if let Err(Refusal::Throttled(retry)) = reserved {
            let detail = json!({ "retry_after_seconds": retry });
            audit::record(db, clock, &client, self.audit.throttled, subject.as_deref(), detail).await?;
        }
        let state = match reserved {
            Ok(state) => state,
            Err(Refusal::Disabled) => return Err((errors.disabled)(&typed)),
            Err(Refusal::Throttled(retry)) => {
                let e = (errors.throttled)(retry, &typed).with_header("retry-after", retry.to_string());
                return Err(e.with_details(json!({ "retry_after_seconds": retry })));
            }
            Err(Refusal::NotSet) => {
                password::dummy_verify(attempt.password);
                let not_set = errors.not_set.ok_or_else(|| {
                    StoreError::Other(format!("{} row {owner:?} has no password hash", self.table.table))
                })?;
                return Err(not_set(&typed));
            }
        };

        // Verify. A disabled stored password is not accepted (only the root
        // secret gets this far with one).
        let verification = match (&state.password_hash, state.password_disabled) {
            (Some(hash), false) => password::verify(attempt.password, hash),
            _ => password::dummy_verify(attempt.password),
        };
        let restored = !verification.ok && root.is_some_and(|r| is_secret(attempt.password, r.password));

        // Settle.
        let Some(id) = owner.filter(|_| verification.ok || restored) else {
            in_transaction(db, async |tx| {
                let (failures, disabled) = counter.settle_failure(tx).await?;
                let action = if disabled && !state.password_disabled { self.audit.disabled } else { self.audit.failed };
                let reason = if owner.is_some() { "wrong_password" } else { "unknown_login_name" };
                let detail = json!({ "reason": reason, "consecutive_failures": failures });
                audit::record(tx, clock, &client, action, subject.as_deref(), detail).await
            })
            .await?;
            return Err((errors.invalid)());
        };
        let rehashed = verification.needs_rehash;
        // Hash outside the write lock: Argon2id takes a while.
        let new_hash = (rehashed || restored).then(|| password::hash(attempt.password, random).into_string());
        let verified = Verified { id, rehashed, restored };
        let done = in_transaction(db, async |tx| {
            self.table.record_success(tx, id, new_hash.as_deref()).await?;
            if rehashed {
                audit::record(tx, clock, &(self.actor)(id), self.audit.rehashed, subject.as_deref(), json!({})).await?;
            }
            then(tx, verified).await
        })
        .await?;
        Ok(done)
    }
}

#[cfg(test)]
mod tests;
