//! Job 2, review reminders: an open review item past its due time and not
//! yet reminded gets one reminder: a notification every reviewer sees in
//! the console, and an SMS to each active reviewer with a mobile on file.
//! Recorded on the item (`reminded_at`, audited `review.reminded`) by a
//! guarded update in the same transaction, so it happens once however many
//! ticks run.

use super::REVIEW_BATCH;
use crate::clock::Clock;
use crate::review::notifications::{self, NotificationKind};
use crate::review::{ReviewItem, queue, reviewer};
use crate::sms::{self, Template};
use crate::store::{Database, StoreError, in_transaction};
use serde::Serialize;
use serde_json::json;

/// What a reminder or escalation run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Items notified about.
    pub items: u64,
    /// SMS queued to reviewers.
    pub sms_queued: u64,
    /// The batch was full: more may be waiting for the next tick.
    pub more: bool,
}

pub async fn run<D: Database>(db: &D, clock: &dyn Clock) -> Result<Report, StoreError> {
    let due = queue::reminder_due(db, clock.now(), REVIEW_BATCH).await?;
    let mut report = Report { more: due.len() as u32 == REVIEW_BATCH, ..Report::default() };
    let reviewers = reviewer::active(db, false).await?;
    for item in &due {
        let queued = notify(db, clock, item, &reviewers, NotificationKind::Reminder).await?;
        if let Some(n) = queued {
            report.items += 1;
            report.sms_queued += n;
        }
    }
    Ok(report)
}

/// Marks the item (once), records the notification and queues an SMS to
/// each of `to` with a mobile, in one transaction. `None`: another tick
/// did it first, or the item was decided meanwhile.
pub(super) async fn notify<D: Database>(
    db: &D,
    clock: &dyn Clock,
    item: &ReviewItem,
    to: &[reviewer::Reviewer],
    kind: NotificationKind,
) -> Result<Option<u64>, StoreError> {
    in_transaction(db, async |tx| {
        let marked = match kind {
            NotificationKind::Reminder => queue::mark_reminded(tx, clock, item.id).await?,
            NotificationKind::Escalation => queue::mark_escalated(tx, clock, item.id).await?,
        };
        if marked.is_none() {
            return Ok(None);
        }
        notifications::record(tx, kind, item.id, clock.now()).await?;
        let template = match kind {
            NotificationKind::Reminder => Template::ReviewReminder,
            NotificationKind::Escalation => Template::ReviewEscalation,
        };
        let mut queued = 0;
        for mobile in to.iter().filter_map(|r| r.mobile.as_ref()) {
            let params = json!({ "item": item.id.to_string(), "kind": item.kind.label().0 });
            sms::enqueue(tx, clock, mobile, template, params).await?;
            queued += 1;
        }
        Ok(Some(queued))
    })
    .await
}
