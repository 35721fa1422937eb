//! Job 5, housekeeping: what has outlived its use is deleted, in bounded
//! batches, every deletion counted:
//!
//! - account and reviewer sessions that ended (revoked, idle, expired)
//!   more than `session_retention_days` ago;
//! - SMS codes expired more than `sms_code_retention_days` ago;
//! - rate-limit hits older than the longest window;
//! - unknown-login-name throttles 30 days after their last failure
//!   ([`crate::credentials::prune_unknown_names`]);
//! - the bytes of uploads of rejected submissions (appeals, verifications)
//!   `rejected_upload_retention_days` after the rejection (the row with its
//!   digest stays); there is no withdrawal of a submission yet;
//! - ticks older than a week.

use super::{HOUSEKEEPING_BATCH, TICK_RETENTION_SECS, TickSettings};
use crate::auth::session::ACCOUNT_SESSIONS;
use crate::clock::Timestamp;
use crate::review::reviewer::REVIEWER_SESSIONS;
use crate::store::{Store, StoreError};
use serde::Serialize;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    pub sessions: u64,
    pub reviewer_sessions: u64,
    pub sms_codes: u64,
    pub rate_limit_hits: u64,
    pub unknown_login_names: u64,
    pub upload_bytes: u64,
    pub ticks: u64,
}

pub async fn run<S: Store>(store: &S, now: Timestamp, settings: &TickSettings) -> Result<Report, StoreError> {
    let at = now.millis();
    let n = HOUSEKEEPING_BATCH;
    Ok(Report {
        sessions: ACCOUNT_SESSIONS.prune_ended(store, at, settings.session_retention_secs, n).await?,
        reviewer_sessions: REVIEWER_SESSIONS.prune_ended(store, at, settings.session_retention_secs, n).await?,
        sms_codes: crate::sms::prune_codes(store, at, settings.sms_code_retention_secs, n).await?,
        rate_limit_hits: crate::rate_limit::prune_expired(store, at, n).await?,
        unknown_login_names: crate::credentials::prune_unknown_names(store, now).await?,
        upload_bytes: crate::upload::purge_rejected(store, at, settings.rejected_upload_retention_secs, n).await?,
        ticks: store
            .execute(
                "DELETE FROM schedule_ticks WHERE id IN (SELECT id FROM schedule_ticks WHERE started_at < ? ORDER BY started_at LIMIT ?) RETURNING id",
                &[(at - TICK_RETENTION_SECS * 1000).into(), i64::from(n).into()],
            )
            .await?
            .len() as u64,
    })
}
