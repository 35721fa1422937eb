//! What the console tells reviewers (`reviewer_notifications`): a reminder
//! (an item past its due time, to every reviewer) or an escalation (two
//! working days overdue, to the leads), one of each per item at most (the
//! table's unique key backs the jobs' guarded updates).

use crate::clock::Timestamp;
use crate::ids::ReviewItemId;
use crate::store::{Database, Store, StoreError, Transaction};
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotificationKind {
    Reminder,
    Escalation,
}

impl NotificationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::Reminder => "reminder",
            NotificationKind::Escalation => "escalation",
        }
    }

    /// Who sees it: every reviewer, or the leads.
    fn audience(self) -> &'static str {
        match self {
            NotificationKind::Reminder => "reviewer",
            NotificationKind::Escalation => "lead",
        }
    }

    /// (zh, en)
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            NotificationKind::Reminder => ("已超过办理时限", "past its due time"),
            NotificationKind::Escalation => ("超期两个工作日，已上报组长", "two working days overdue: escalated to the leads"),
        }
    }
}

/// Records a notification about `item` in the job's transaction.
pub async fn record<D: Database>(tx: &Transaction<'_, D>, kind: NotificationKind, item: ReviewItemId, now: Timestamp) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO reviewer_notifications (kind, audience, review_item_id, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (kind, review_item_id) DO NOTHING",
        &[kind.as_str().into(), kind.audience().into(), item.into(), now.millis().into()],
    )
    .await
    .map(drop)
}

/// The newest notifications a reviewer sees (a lead also sees
/// escalations), with their items' kind and state, at most `limit`.
pub async fn recent<S: Store>(store: &S, lead: bool, limit: u32) -> Result<Vec<Value>, StoreError> {
    // Two texts, so each reads the newest rows by an index and stops at the
    // limit: a lead's every notification, a reviewer's by audience.
    let sql = if lead {
        "SELECT n.id, n.kind, n.review_item_id, n.created_at, r.kind AS item_kind, r.state AS item_state
           FROM reviewer_notifications n JOIN review_items r ON r.id = n.review_item_id
          ORDER BY n.created_at DESC, n.id DESC LIMIT ?1"
    } else {
        "SELECT n.id, n.kind, n.review_item_id, n.created_at, r.kind AS item_kind, r.state AS item_state
           FROM reviewer_notifications n JOIN review_items r ON r.id = n.review_item_id
          WHERE n.audience = 'reviewer'
          ORDER BY n.created_at DESC, n.id DESC LIMIT ?1"
    };
    let rows = store.execute(sql, &[i64::from(limit.clamp(1, 200)).into()]).await?;
    rows.iter()
        .map(|r| {
            let kind = if r.text("kind")? == "escalation" { NotificationKind::Escalation } else { NotificationKind::Reminder };
            Ok(json!({
                "id": r.int("id")?,
                "kind": kind.as_str(),
                "label_zh": kind.label().0,
                "label_en": kind.label().1,
                "review_item_id": r.int("review_item_id")?,
                "item_kind": r.text("item_kind")?,
                "item_state": r.text("item_state")?,
                "created_at": r.int("created_at")?,
            }))
        })
        .collect()
}
