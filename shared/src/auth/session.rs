//! Sessions: a 256-bit random token in a `__Host-` cookie (HttpOnly,
//! Secure, SameSite=Lax, Path=/); the store keeps only its SHA-256. Idle
//! timeout 30 minutes, absolute 12 hours; a new token at every login;
//! logout and password changes revoke.

use crate::account::Account;
use crate::ids::AccountId;
use crate::clock::Clock;
use crate::error::{AppError, AppResult};
use crate::random::Random;
use crate::session::{OpaqueSession, SessionTable};
use crate::store::{Store, StoreError};
use crate::web::Request;
use serde_json::{Value, json};

pub const COOKIE_NAME: &str = "__Host-session";
pub const IDLE_TIMEOUT_SECS: i64 = 30 * 60;
pub const ABSOLUTE_TIMEOUT_SECS: i64 = 12 * 60 * 60;

/// Account sessions: the `sessions` table, the `__Host-session` cookie.
pub const ACCOUNT_SESSIONS: SessionTable = SessionTable {
    table: "sessions",
    owner_column: "account_id",
    cookie: COOKIE_NAME,
    same_site: "Lax",
    idle_timeout_secs: IDLE_TIMEOUT_SECS,
    absolute_timeout_secs: ABSOLUTE_TIMEOUT_SECS,
    not_logged_in,
};

/// An account's session (`owner_id` is the account id).
pub type Session = OpaqueSession;

/// What the owner (and the UI) is told about a session.
pub fn session_json(session: &Session, account: &Account) -> Value {
    json!({
        "account": account.to_json(),
        "csrf_token": session.csrf_token,
        "idle_expires_at": session.idle_expires_at(),
        "absolute_expires_at": session.absolute_expires_at,
    })
}

/// Starts a session; returns it and the token for the cookie (the token
/// itself is never stored).
pub async fn start<S: Store>(
    store: &S,
    clock: &dyn Clock,
    random: &dyn Random,
    account_id: AccountId,
) -> Result<(Session, String), StoreError> {
    ACCOUNT_SESSIONS.start(store, clock, random, account_id.get()).await
}

pub fn session_cookie(token: &str) -> String {
    ACCOUNT_SESSIONS.cookie(token)
}

pub fn clear_cookie() -> String {
    ACCOUNT_SESSIONS.clear_cookie()
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
    ACCOUNT_SESSIONS.current(store, clock, req, &crate::account::SESSION_OWNER).await
}

/// What `GET /api/session` answers: the live session and its account, or
/// `{"account": null}` when nobody is logged in (every page asks: nobody is
/// an answer, not an error).
pub async fn who_is_logged_in<S: Store>(store: &S, clock: &dyn Clock, req: &Request) -> AppResult<Value> {
    match current(store, clock, req).await {
        Ok((session, account)) => Ok(session_json(&session, &account)),
        Err(e) if e.code == "auth.not_logged_in" => Ok(json!({ "account": null })),
        Err(e) => Err(e),
    }
}

pub async fn revoke<S: Store>(store: &S, clock: &dyn Clock, session: &Session) -> Result<(), StoreError> {
    ACCOUNT_SESSIONS.revoke(store, clock, session).await
}

/// Logout: the session is revoked, and the audit log says so.
pub async fn logout<S: Store>(store: &S, clock: &dyn Clock, session: &Session, account: &Account) -> Result<(), StoreError> {
    revoke(store, clock, session).await?;
    crate::audit::record(store, clock, &crate::audit::Actor::Account(account.id), "auth.logout", None, serde_json::json!({})).await
}

/// Revokes every session of an account (password changed, appeal approved).
pub async fn revoke_all_for<S: Store>(store: &S, clock: &dyn Clock, account_id: AccountId) -> Result<u64, StoreError> {
    ACCOUNT_SESSIONS.revoke_all_for(store, clock, account_id.get()).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{FixedClock, Timestamp};
    use crate::identity::LoginName;
    use crate::random::SeqRandom;
    use crate::registration::AccountKind;
    use crate::store::NativeStore;
    use crate::store::native::block_on;
    use crate::test_support::create_account;

    fn setup() -> (NativeStore, FixedClock, SeqRandom, AccountId) {
        let store = crate::test_support::store();
        let clock = FixedClock::at(Timestamp(1_800_000_000_000));
        let id = block_on(create_account(&store, AccountKind::LegalEntity, &LoginName::parse("acme").unwrap(), clock.now())).unwrap();
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
    fn a_state_changing_request_needs_the_sessions_csrf_token() {
        let (store, clock, random, id) = setup();
        let (session, token) = block_on(start(&store, &clock, &random, id)).unwrap();
        let post = |csrf: Option<&str>| {
            let r = Request::new("POST", "/api/auth/logout").with_header("cookie", &format!("{COOKIE_NAME}={token}"));
            match csrf {
                Some(t) => r.with_header("x-csrf-token", t),
                None => r,
            }
        };
        for bad in [None, Some("0".repeat(64).as_str()), Some("")] {
            let e = block_on(current(&store, &clock, &post(bad))).unwrap_err();
            assert_eq!((e.code, e.status, e.field.as_deref()), ("request.csrf_token_invalid", 403, Some("x-csrf-token")), "{bad:?}");
        }
        assert_eq!(block_on(current(&store, &clock, &post(Some(&session.csrf_token)))).unwrap().1.id, id);
        assert!(block_on(current(&store, &clock, &req_with(&token))).is_ok(), "a read needs no token");
    }

    #[test]
    fn who_is_logged_in_is_one_statement() {
        let (store, clock, random, id) = setup();
        let (_, token) = block_on(start(&store, &clock, &random, id)).unwrap();
        let counting = crate::test_support::CountingStore::new(&store);
        let answer = block_on(who_is_logged_in(&counting, &clock, &req_with(&token))).unwrap();
        assert_eq!(answer["account"]["id"], id.get());
        assert_eq!(counting.statements.get(), 1, "the session and its account in one statement");
        // Past the touch interval the idle timer is written too.
        clock.advance_seconds(61);
        block_on(who_is_logged_in(&counting, &clock, &req_with(&token))).unwrap();
        assert_eq!(counting.statements.get(), 3);
    }

    #[test]
    fn a_session_whose_account_is_gone_is_nobodys() {
        let (store, clock, random, id) = setup();
        let (_, token) = block_on(start(&store, &clock, &random, id)).unwrap();
        block_on(store.execute("PRAGMA foreign_keys = OFF", &[])).unwrap();
        block_on(store.execute("DELETE FROM accounts WHERE id = ?", &[id.into()])).unwrap();
        assert_eq!(block_on(current(&store, &clock, &req_with(&token))).unwrap_err().code, "auth.not_logged_in");
        assert_eq!(block_on(who_is_logged_in(&store, &clock, &req_with(&token))).unwrap(), json!({ "account": null }));
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
