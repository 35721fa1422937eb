//! Sessions: a 256-bit random token in a `__Host-` cookie (HttpOnly,
//! Secure, SameSite=Lax, Path=/); the store keeps only its SHA-256. Idle
//! timeout 30 minutes, absolute 12 hours; a new token at every login;
//! logout and password changes revoke.

use crate::account::{Account, find_by_id};
use crate::clock::Clock;
use crate::digest::sha256_hex;
use crate::error::{AppError, AppResult};
use crate::random::Random;
use crate::store::{Store, StoreError};
use crate::web::Request;
use serde_json::{Value, json};

pub const COOKIE_NAME: &str = "__Host-session";
pub const IDLE_TIMEOUT_SECS: i64 = 30 * 60;
pub const ABSOLUTE_TIMEOUT_SECS: i64 = 12 * 60 * 60;

#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub token_hash: String,
    pub account_id: i64,
    pub csrf_token: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub absolute_expires_at: i64,
}

impl Session {
    pub fn idle_expires_at(&self) -> i64 {
        (self.last_seen_at + IDLE_TIMEOUT_SECS * 1000).min(self.absolute_expires_at)
    }

    pub fn to_json(&self, account: &Account) -> Value {
        json!({
            "account": account.to_json(),
            "csrf_token": self.csrf_token,
            "idle_expires_at": self.idle_expires_at(),
            "absolute_expires_at": self.absolute_expires_at,
        })
    }
}

/// Starts a session; returns it and the token for the cookie (the token
/// itself is never stored).
pub async fn start<S: Store>(
    store: &S,
    clock: &dyn Clock,
    random: &dyn Random,
    account_id: i64,
) -> Result<(Session, String), StoreError> {
    let token = random.hex(32);
    let now = clock.now().millis();
    let session = Session {
        token_hash: sha256_hex(token.as_bytes()),
        account_id,
        csrf_token: random.hex(32),
        created_at: now,
        last_seen_at: now,
        absolute_expires_at: now + ABSOLUTE_TIMEOUT_SECS * 1000,
    };
    store
        .execute(
            "INSERT INTO sessions (token_hash, account_id, csrf_token, created_at, last_seen_at, absolute_expires_at)
             VALUES (?, ?, ?, ?, ?, ?)",
            &[
                session.token_hash.clone().into(),
                account_id.into(),
                session.csrf_token.clone().into(),
                now.into(),
                now.into(),
                session.absolute_expires_at.into(),
            ],
        )
        .await?;
    Ok((session, token))
}

pub fn session_cookie(token: &str) -> String {
    format!("{COOKIE_NAME}={token}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age={ABSOLUTE_TIMEOUT_SECS}")
}

pub fn clear_cookie() -> String {
    format!("{COOKIE_NAME}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0")
}

/// The session token the request carries, if any.
pub fn token_of(req: &Request) -> Option<String> {
    req.headers
        .iter()
        .filter(|(n, _)| n == "cookie")
        .flat_map(|(_, v)| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.to_owned())
        .filter(|v| v.len() == 64 && v.chars().all(|c| c.is_ascii_hexdigit()))
}

pub fn not_logged_in() -> AppError {
    AppError::new(
        "auth.not_logged_in",
        401,
        "您尚未登录或登录已过期，请重新登录。",
        "You are not logged in, or your session has expired. Please log in again.",
    )
}

/// The live session of the request and its account, touching its idle
/// timer; `auth.not_logged_in` when there is none, it was revoked, or it
/// expired (idle or absolute).
pub async fn current<S: Store>(store: &S, clock: &dyn Clock, req: &Request) -> AppResult<(Session, Account)> {
    let token = token_of(req).ok_or_else(not_logged_in)?;
    let hash = sha256_hex(token.as_bytes());
    let rows = store
        .execute(
            "SELECT token_hash, account_id, csrf_token, created_at, last_seen_at, absolute_expires_at, revoked_at
               FROM sessions WHERE token_hash = ?",
            &[hash.clone().into()],
        )
        .await?;
    let row = rows.first().ok_or_else(not_logged_in)?;
    let mut session = Session {
        token_hash: hash,
        account_id: row.int("account_id")?,
        csrf_token: row.text("csrf_token")?.to_owned(),
        created_at: row.int("created_at")?,
        last_seen_at: row.int("last_seen_at")?,
        absolute_expires_at: row.int("absolute_expires_at")?,
    };
    let now = clock.now().millis();
    if row.opt_int("revoked_at")?.is_some() || now >= session.idle_expires_at() {
        return Err(not_logged_in());
    }
    store
        .execute("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?", &[now.into(), session.token_hash.clone().into()])
        .await?;
    session.last_seen_at = now;
    let account = find_by_id(store, session.account_id).await?.ok_or_else(not_logged_in)?;
    Ok((session, account))
}

pub async fn revoke<S: Store>(store: &S, clock: &dyn Clock, session: &Session) -> Result<(), StoreError> {
    store
        .execute(
            "UPDATE sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL",
            &[clock.now().millis().into(), session.token_hash.clone().into()],
        )
        .await
        .map(drop)
}

/// Revokes every session of an account (password changed, appeal approved).
pub async fn revoke_all_for<S: Store>(store: &S, clock: &dyn Clock, account_id: i64) -> Result<u64, StoreError> {
    let rows = store
        .execute(
            "UPDATE sessions SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL RETURNING token_hash",
            &[clock.now().millis().into(), account_id.into()],
        )
        .await?;
    Ok(rows.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{FixedClock, Timestamp};
    use crate::identity::LoginName;
    use crate::random::SeqRandom;
    use crate::registration::{AccountKind, create_account_record};
    use crate::store::native::block_on;
    use crate::store::{NativeStore, migrate};

    fn setup() -> (NativeStore, FixedClock, SeqRandom, i64) {
        let store = NativeStore::in_memory().unwrap();
        let clock = FixedClock::at(Timestamp(1_800_000_000_000));
        block_on(migrate(&store, &clock)).unwrap();
        let id = block_on(create_account_record(&store, AccountKind::LegalEntity, &LoginName::parse("acme").unwrap(), clock.now()))
            .unwrap();
        (store, clock, SeqRandom::new(3), id)
    }

    fn req_with(token: &str) -> Request {
        Request::new("GET", "/api/session").with_header("cookie", &format!("lang=en; {COOKIE_NAME}={token}"))
    }

    #[test]
    fn a_session_lives_while_used_and_dies_when_idle() {
        let (store, clock, random, id) = setup();
        let (_, token) = block_on(start(&store, &clock, &random, id)).unwrap();
        let stored = block_on(store.execute("SELECT token_hash FROM sessions", &[])).unwrap();
        assert_ne!(stored.first().unwrap().text("token_hash").unwrap(), token, "only the hash is stored");
        for _ in 0..3 {
            clock.advance_seconds(IDLE_TIMEOUT_SECS - 1);
            assert_eq!(block_on(current(&store, &clock, &req_with(&token))).unwrap().1.id, id);
        }
        clock.advance_seconds(IDLE_TIMEOUT_SECS);
        assert_eq!(block_on(current(&store, &clock, &req_with(&token))).unwrap_err().code, "auth.not_logged_in");
    }

    #[test]
    fn the_absolute_timeout_ends_even_a_busy_session() {
        let (store, clock, random, id) = setup();
        let (_, token) = block_on(start(&store, &clock, &random, id)).unwrap();
        for _ in 0..(ABSOLUTE_TIMEOUT_SECS / 1200 - 1) {
            clock.advance_seconds(1200);
            block_on(current(&store, &clock, &req_with(&token))).unwrap();
        }
        clock.advance_seconds(1200);
        assert!(block_on(current(&store, &clock, &req_with(&token))).is_err());
    }

    #[test]
    fn revoked_sessions_and_unknown_tokens_are_refused() {
        let (store, clock, random, id) = setup();
        let (s1, t1) = block_on(start(&store, &clock, &random, id)).unwrap();
        let (_, t2) = block_on(start(&store, &clock, &random, id)).unwrap();
        assert_ne!(t1, t2);
        block_on(revoke(&store, &clock, &s1)).unwrap();
        assert!(block_on(current(&store, &clock, &req_with(&t1))).is_err());
        assert!(block_on(current(&store, &clock, &req_with(&t2))).is_ok());
        assert_eq!(block_on(revoke_all_for(&store, &clock, id)).unwrap(), 1);
        assert!(block_on(current(&store, &clock, &req_with(&t2))).is_err());
        assert!(block_on(current(&store, &clock, &req_with(&"0".repeat(64)))).is_err());
        assert!(block_on(current(&store, &clock, &req_with("short"))).is_err());
        assert!(block_on(current(&store, &clock, &Request::new("GET", "/"))).is_err());
    }

    #[test]
    fn cookie_attributes() {
        let c = session_cookie("abc");
        for attr in ["__Host-session=abc", "Path=/", "Secure", "HttpOnly", "SameSite=Lax"] {
            assert!(c.contains(attr), "{c}");
        }
        assert!(!c.contains("Domain"), "__Host- cookies carry no Domain");
        assert!(clear_cookie().contains("Max-Age=0"));
    }
}
