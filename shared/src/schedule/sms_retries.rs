//! Job 1, SMS outbox retries. Each tick: messages whose code has expired
//! are given up (`code_expired`: a code that cannot be used is not sent);
//! messages tried `sms_max_attempts` times are given up (`max_attempts`);
//! then what this tick queued (reminders, escalations) and up to
//! [`SMS_BATCH`] messages due for a retry are tried, each claimed first
//! ([`crate::sms::deliver`]), a failure waiting 1 min, 2, 4, ... at most
//! 1 h before the next try. With the default 12 attempts a message is
//! tried for about six hours: a gateway down for an hour loses nothing.
//! Without a gateway nothing is tried (the messages wait for one).

use super::{SMS_BATCH, TickSettings};
use crate::clock::Clock;
use crate::sms::{self, Gateway};
use crate::store::{Database, StoreError};
use serde::Serialize;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    pub sent: u64,
    pub failed: u64,
    /// Claimed by another tick (or the request that queued them) meanwhile.
    pub skipped: u64,
    /// Given up because their code expired.
    pub code_expired: u64,
    /// Given up after the maximum number of attempts.
    pub gave_up: u64,
    /// Due but not tried: no gateway is configured.
    pub waiting_for_gateway: u64,
    /// The batch was full: more may be due at the next tick.
    pub more: bool,
}

pub async fn run<D: Database>(db: &D, clock: &dyn Clock, settings: &TickSettings, gateway: Option<&impl Gateway>) -> Result<Report, StoreError> {
    let now = clock.now();
    let mut report = Report {
        code_expired: sms::expire_codes(db, now, SMS_BATCH * 4).await?,
        gave_up: sms::give_up(db, now, settings.sms_max_attempts, SMS_BATCH * 4).await?,
        ..Report::default()
    };
    // What this tick's own transactions queued first (fresh reminders),
    // then the backlog, one batch in all; the rest waits in the outbox
    // (due a minute after it was queued) for the next ticks.
    let mut ids = db.take_committed_messages();
    ids.truncate(SMS_BATCH as usize);
    let budget = SMS_BATCH - ids.len() as u32;
    let due = if budget > 0 { sms::due(db, now, budget).await? } else { Vec::new() };
    report.more = due.len() as u32 == budget;
    ids.extend(due.into_iter().filter(|id| !ids.contains(id)).collect::<Vec<_>>());
    let Some(gateway) = gateway else {
        report.waiting_for_gateway = ids.len() as u64;
        return Ok(report);
    };
    let done = sms::deliver(db, clock, gateway, &ids, "schedule").await;
    report.sent = done.sent;
    report.failed = done.failed;
    report.skipped = done.skipped;
    Ok(report)
}
