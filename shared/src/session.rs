//! Opaque-token sessions, generic over their table and cookie: a 256-bit
//! random token in a `__Host-` cookie (HttpOnly, Secure, Path=/); the store
//! keeps only its SHA-256; a CSRF token per session; idle and absolute
//! expiry; revocation.
//!
//! Written once for any table with the columns `token_hash, <owner column>,
//! csrf_token, created_at, last_seen_at, absolute_expires_at, revoked_at`:
//! account sessions (`auth::session::ACCOUNT_SESSIONS`) and reviewer
//! sessions (`review::reviewer::REVIEWER_SESSIONS`).

use crate::clock::Clock;
use crate::digest::{constant_time_eq, sha256_hex};
use crate::error::{AppError, AppResult};
use crate::random::Random;
use crate::store::{Row, Store, StoreError};
use crate::web::Request;

/// How often a session's idle timer is written back (a session may thus
/// end up to this much earlier than its idle timeout says; never later).
const TOUCH_INTERVAL_MS: i64 = 60_000;

/// Where a kind of session lives and how its cookie looks.
#[derive(Debug, Clone, Copy)]
pub struct SessionTable {
    /// The table (a constant: it is spliced into SQL).
    pub table: &'static str,
    /// The column naming whose session it is (`reviewer_id`).
    pub owner_column: &'static str,
    /// The cookie name; a `__Host-` name (no Domain, Path=/, Secure).
    pub cookie: &'static str,
    /// `Strict` or `Lax`.
    pub same_site: &'static str,
    pub idle_timeout_secs: i64,
    pub absolute_timeout_secs: i64,
    /// The 401 to answer when there is no live session.
    pub not_logged_in: fn() -> AppError,
}

/// The table of a session's owner, as its owning module reads it: how
/// [`SessionTable::current`] reads a session and its owner in one statement.
#[derive(Debug)]
pub struct SessionOwner<T> {
    /// The owner's table and the alias its columns are named with
    /// (`accounts a`; a constant: it is spliced into SQL).
    pub table: &'static str,
    /// The key a session's owner column holds, with the alias (`a.id`).
    pub key: &'static str,
    /// The columns `from_row` reads, with the alias; none of their names
    /// starts with `session_` (the session's own columns are named so).
    pub columns: &'static str,
    pub from_row: fn(Row<'_>) -> Result<T, StoreError>,
}

/// One session row. `owner_id` is the account or reviewer it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct OpaqueSession {
    pub token_hash: String,
    pub owner_id: i64,
    pub csrf_token: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub absolute_expires_at: i64,
    pub idle_timeout_secs: i64,
}

impl OpaqueSession {
    pub fn idle_expires_at(&self) -> i64 {
        (self.last_seen_at + self.idle_timeout_secs * 1000).min(self.absolute_expires_at)
    }

    /// The synchronizer-token half of the CSRF rule (the Origin half is
    /// `auth::csrf::check_origin`, applied by the glue): a state-changing
    /// request made with this session carries its CSRF token in
    /// `X-CSRF-Token`. [`SessionTable::current`] checks it, so no handler
    /// can load a session for a state-changing request without it.
    fn check_csrf(&self, req: &Request) -> AppResult<()> {
        match req.header("x-csrf-token") {
            Some(t) if constant_time_eq(t.trim(), &self.csrf_token) => Ok(()),
            _ => Err(AppError::new(
                "request.csrf_token_invalid",
                403,
                "页面已过期，请刷新页面后重试。",
                "The page has expired; reload it and try again.",
            )
            .with_field("x-csrf-token")),
        }
    }
}

impl SessionTable {
    /// Starts a session for `owner_id`; returns it and the token for the
    /// cookie (the token itself is never stored).
    pub async fn start<S: Store>(
        &self,
        store: &S,
        clock: &dyn Clock,
        random: &dyn Random,
        owner_id: i64,
    ) -> Result<(OpaqueSession, String), StoreError> {
        let token = random.hex(32);
        let now = clock.now().millis();
        let session = OpaqueSession {
            token_hash: sha256_hex(token.as_bytes()),
            owner_id,
            csrf_token: random.hex(32),
            created_at: now,
            last_seen_at: now,
            absolute_expires_at: now + self.absolute_timeout_secs * 1000,
            idle_timeout_secs: self.idle_timeout_secs,
        };
        store
            .execute(
                &format!(
                    "INSERT INTO {} (token_hash, {}, csrf_token, created_at, last_seen_at, absolute_expires_at)
                     VALUES (?, ?, ?, ?, ?, ?)",
                    self.table, self.owner_column
                ),
                &[
                    session.token_hash.clone().into(),
                    owner_id.into(),
                    session.csrf_token.clone().into(),
                    now.into(),
                    now.into(),
                    session.absolute_expires_at.into(),
                ],
            )
            .await?;
        Ok((session, token))
    }

    pub fn cookie(&self, token: &str) -> String {
        format!(
            "{}={token}; Path=/; Secure; HttpOnly; SameSite={}; Max-Age={}",
            self.cookie, self.same_site, self.absolute_timeout_secs
        )
    }

    pub fn clear_cookie(&self) -> String {
        format!("{}=; Path=/; Secure; HttpOnly; SameSite={}; Max-Age=0", self.cookie, self.same_site)
    }

    /// The token the request carries in this table's cookie, if well formed.
    pub fn token_of(&self, req: &Request) -> Option<String> {
        req.headers
            .iter()
            .filter(|(n, _)| n == "cookie")
            .flat_map(|(_, v)| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == self.cookie)
            .map(|(_, value)| value.to_owned())
            .filter(|v| v.len() == 64 && v.chars().all(|c| c.is_ascii_hexdigit()))
    }

    /// The live session of the request and its owner, read in one
    /// statement (every page asks who is logged in: one round trip to the
    /// store, not two), touching the idle timer; the table's 401 when there
    /// is none, it was revoked, it expired, or its owner is gone. For a
    /// state-changing request (not GET/HEAD/OPTIONS) the session's CSRF
    /// token must come with it (`X-CSRF-Token`), else
    /// `request.csrf_token_invalid` (403).
    pub async fn current<S: Store, T>(&self, store: &S, clock: &dyn Clock, req: &Request, owner: &SessionOwner<T>) -> AppResult<(OpaqueSession, T)> {
        let token = self.token_of(req).ok_or_else(self.not_logged_in)?;
        let hash = sha256_hex(token.as_bytes());
        let rows = store
            .execute(
                &format!(
                    "SELECT s.{owner_column} AS session_owner_id, s.csrf_token AS session_csrf_token, s.created_at AS session_created_at,
                            s.last_seen_at AS session_last_seen_at, s.absolute_expires_at AS session_absolute_expires_at,
                            s.revoked_at AS session_revoked_at, {columns}
                       FROM {table} s JOIN {owner_table} ON {owner_key} = s.{owner_column}
                      WHERE s.token_hash = ?",
                    owner_column = self.owner_column,
                    table = self.table,
                    columns = owner.columns,
                    owner_table = owner.table,
                    owner_key = owner.key,
                ),
                &[hash.clone().into()],
            )
            .await?;
        let row = rows.first().ok_or_else(self.not_logged_in)?;
        let mut session = OpaqueSession {
            token_hash: hash,
            owner_id: row.int("session_owner_id")?,
            csrf_token: row.text("session_csrf_token")?.to_owned(),
            created_at: row.int("session_created_at")?,
            last_seen_at: row.int("session_last_seen_at")?,
            absolute_expires_at: row.int("session_absolute_expires_at")?,
            idle_timeout_secs: self.idle_timeout_secs,
        };
        let now = clock.now().millis();
        if row.opt_int("session_revoked_at")?.is_some() || now >= session.idle_expires_at() {
            return Err((self.not_logged_in)());
        }
        if !crate::web::is_safe_method(&req.method) {
            session.check_csrf(req)?;
        }
        let owner = (owner.from_row)(row)?;
        // Touch the idle timer at most once a minute: a read-only request
        // should not take the write lock every time.
        if now - session.last_seen_at >= TOUCH_INTERVAL_MS {
            store
                .execute(
                    &format!("UPDATE {} SET last_seen_at = ? WHERE token_hash = ?", self.table),
                    &[now.into(), session.token_hash.clone().into()],
                )
                .await?;
            session.last_seen_at = now;
        }
        Ok((session, owner))
    }

    pub async fn revoke<S: Store>(&self, store: &S, clock: &dyn Clock, session: &OpaqueSession) -> Result<(), StoreError> {
        store
            .execute(
                &format!("UPDATE {} SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL", self.table),
                &[clock.now().millis().into(), session.token_hash.clone().into()],
            )
            .await
            .map(drop)
    }

    /// Revokes every live session of one owner; returns how many.
    /// Deletes, at most `limit` at a time, the sessions past their
    /// absolute expiry by more than `retention_secs` (housekeeping; until
    /// then they stay for the record). A session ends at the latest at its
    /// absolute expiry (a logout or the idle timeout end it earlier), so
    /// every deleted session ended more than the retention ago; one that
    /// ended early waits at most its lifetime longer. Found through the
    /// index on `absolute_expires_at`, written once at the session's start
    /// (the idle time moves with every request: no index on it). Returns
    /// how many.
    pub async fn prune_ended<S: Store>(&self, store: &S, now: i64, retention_secs: i64, limit: u32) -> Result<u64, StoreError> {
        let cutoff = now - retention_secs * 1000;
        let rows = store
            .execute(
                &format!(
                    "DELETE FROM {t} WHERE rowid IN (SELECT rowid FROM {t} WHERE absolute_expires_at < ?1 ORDER BY absolute_expires_at LIMIT ?2)
                     RETURNING token_hash",
                    t = self.table
                ),
                &[cutoff.into(), i64::from(limit).into()],
            )
            .await?;
        Ok(rows.len() as u64)
    }

    pub async fn revoke_all_for<S: Store>(&self, store: &S, clock: &dyn Clock, owner_id: i64) -> Result<u64, StoreError> {
        let rows = store
            .execute(
                &format!(
                    "UPDATE {} SET revoked_at = ? WHERE {} = ? AND revoked_at IS NULL RETURNING token_hash",
                    self.table, self.owner_column
                ),
                &[clock.now().millis().into(), owner_id.into()],
            )
            .await?;
        Ok(rows.len() as u64)
    }
}
