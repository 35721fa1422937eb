//! SMS: one-time codes (registration, password reset, appeals) and the
//! outbox every message goes through.
//!
//! Code rules: 6 digits, single use, valid 10 minutes, at most 5 wrong tries
//! per code (then a new code is needed), a new code at most every 60 s and
//! at most 5 an hour per number. Only a salted hash of a code is stored.

mod codes;
mod outbox;

pub use codes::{CODE_TTL_SECS, HOURLY_CAP, IssuedCode, MAX_WRONG_TRIES, SET_PASSWORD_TTL_SECS, begin_with_code, issue_system_code, Purpose, RESEND_AFTER_SECS, issue_code, verify_code};
pub use outbox::{OutboxMessage, Template, enqueue, mark_failed, mark_sent, messages_for, pending};
