//! SMS: one-time codes (registration, password reset, appeals, changing
//! the reserved mobile) and the
//! outbox every message goes through.
//!
//! Code rules: 6 digits, single use, valid 10 minutes, at most 5 wrong tries
//! (then a new code is needed; asking for a new code before that carries the
//! failures over, so it buys no extra guesses), a new code at most every
//! 60 s and at most 5 an hour per number. Only a salted hash of a code is
//! stored.

mod codes;
pub mod gateway;
mod outbox;

pub use codes::{
    CODE_TTL_SECS, CodeCheck, HOURLY_CAP, IssuedCode, MAX_WRONG_TRIES, Purpose, RESEND_AFTER_SECS, SET_PASSWORD_TTL_SECS,
    begin_with_code, begin_with_codes, issue_code, issue_system_code, prune_codes, verify_code,
};
pub use gateway::{Delivered, Gateway, deliver};
pub use outbox::{
    CLAIM_SECS, FIRST_RETRY_SECS, Failure, MAX_RETRY_WAIT_SECS, OutboxMessage, Template, backoff_secs, claim, due, enqueue, expire_codes,
    failed, give_up, mark_failed, mark_sent, messages_for, pending, retry_now,
};

use crate::clock::Clock;
use crate::error::{AppError, AppResult};
use crate::identity::Mobile;
use crate::random::Random;
use crate::store::{Database, in_transaction};

/// A code someone asked for at an endpoint: the number is parsed (its
/// error names the field), the request counts against the client's limit
/// (`client_limit`, for `client`) once it is well formed, then the code is
/// issued under the number's own limits ([`issue_and_enqueue`]).
#[allow(clippy::too_many_arguments)]
pub async fn send_requested_code<D: Database>(
    db: &D,
    clock: &dyn Clock,
    random: &dyn Random,
    client_limit: crate::rate_limit::Limit,
    client: &str,
    mobile: &str,
    purpose: Purpose,
    template: Template,
) -> AppResult<(IssuedCode, Mobile)> {
    let mobile = Mobile::parse(mobile)?;
    crate::rate_limit::hit(db, clock, client_limit, client).await?;
    let issued = issue_and_enqueue(db, clock, random, purpose, template, &mobile).await?;
    Ok((issued, mobile))
}

/// Issues a code for `mobile` and writes its SMS (`template`, with the
/// code) to the outbox, in one transaction; the glue delivers it after the
/// commit. Returns the code's terms (for the requester: never the code).
pub async fn issue_and_enqueue<D: Database>(
    db: &D,
    clock: &dyn Clock,
    random: &dyn Random,
    purpose: Purpose,
    template: Template,
    mobile: &Mobile,
) -> AppResult<IssuedCode> {
    in_transaction(db, async |tx| {
        let issued = issue_code(tx, clock, random, purpose, mobile).await?;
        enqueue(tx, clock, mobile, template, serde_json::json!({ "code": issued.code })).await?;
        Ok::<_, AppError>(issued)
    })
    .await
}
