//! Flow 2: login and sessions (FAQ preface, 1).
//!
//! - `login`: credentials, the legacy cases, throttling without a lockout
//!   denial of service, the wrong-account-type hint.
//! - `session`: opaque tokens (only their SHA-256 stored), idle and
//!   absolute expiry, revocation.
//! - `csrf`: the rule every state-changing request passes.

pub mod csrf;
mod login;
#[cfg(test)]
mod login_tests;
pub mod session;

pub use login::{ACCOUNT_LOGIN, CLIENT_LIMIT, LoginForm, LoginSettings, LoginOutcome, login};
pub use session::{
    ABSOLUTE_TIMEOUT_SECS, ACCOUNT_SESSIONS, COOKIE_NAME, IDLE_TIMEOUT_SECS, Session, clear_cookie, current, logout, revoke,
    revoke_all_for, session_cookie, session_json, who_is_logged_in,
};
