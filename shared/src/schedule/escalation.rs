//! Job 3, escalation: an open item overdue by two working days (its due
//! time plus two working days by the calendar, [`crate::workday`]) and not
//! yet escalated: a notification the leads see and an SMS to each active
//! lead with a mobile, once per item (`escalated_at`, audited
//! `review.escalated`), as for reminders.

use super::REVIEW_BATCH;
use super::reminders::{Report, notify};
use crate::clock::Clock;
use crate::review::notifications::NotificationKind;
use crate::review::{queue, reviewer};
use crate::store::{Database, StoreError};
use crate::workday;

/// How many working days past its due time an item is escalated.
pub const ESCALATE_AFTER_WORKING_DAYS: u32 = 2;

pub async fn run<D: Database>(db: &D, clock: &dyn Clock) -> Result<Report, StoreError> {
    let now = clock.now();
    let candidates = queue::escalation_candidates(db, now, REVIEW_BATCH).await?;
    let mut report = Report::default();
    let leads = reviewer::active(db, true).await?;
    for (n, item) in candidates.iter().enumerate() {
        // Candidates come by due time, and the deadline grows with it: the
        // first not yet due for escalation ends the run.
        if now <= workday::add_working_days(db, item.due_at, ESCALATE_AFTER_WORKING_DAYS).await? {
            break;
        }
        if let Some(queued) = notify(db, clock, item, &leads, NotificationKind::Escalation).await? {
            report.items += 1;
            report.sms_queued += queued;
        }
        report.more = n + 1 == REVIEW_BATCH as usize;
    }
    Ok(report)
}
