//! Flow 8: back-office review (后台审核).
//!
//! - [`queue`]: one queue (`review_items`) for every kind of review:
//!   submit, list, claim, release, decide once; due one working day after
//!   submission ([`crate::workday`]).
//! - [`subject`]: what an item is about, typed ([`Subject`]).
//! - [`kind`]: each kind of review owns its effects ([`ReviewKindEffects`],
//!   implemented in the flow's own module: appeals in
//!   `crate::appeal::review`).
//! - [`reviewer`]: reviewer accounts (never self-registered; the first from
//!   secret settings), login with throttling, reviewer sessions.
//!
//! [`decide`] owns the decision's transaction: the guarded state change and
//! the kind's effects commit together, or not at all.

pub mod console;
pub mod kind;
pub mod notifications;
pub mod queue;
pub mod reviewer;
pub mod subject;

pub use kind::{Decided, ReviewKindEffects};
pub use queue::{Decision, Filter, Payload, ReviewItem, ReviewKind, ReviewState, claim, get, list, release, submit};
pub use reviewer::{Reviewer, ReviewerSession, bootstrap, current, login, logout};
pub use subject::Subject;

use crate::audit::Actor;
use crate::clock::{Clock, Timestamp};
use crate::error::AppResult;
use crate::ids::{ReviewItemId, ReviewerId};
use crate::random::Random;
use crate::store::{Database, Store, in_transaction};
use crate::upload;
use serde_json::{Value, json};

/// The audit actor for a reviewer's own action.
pub(crate) fn reviewer_actor(reviewer_id: ReviewerId) -> Actor {
    Actor::Reviewer(reviewer_id)
}

/// Decides an item once and applies its kind's effects, in one transaction
/// (see [`queue::decide`] for the refusals).
pub async fn decide<D: Database>(
    db: &D,
    clock: &dyn Clock,
    random: &dyn Random,
    id: ReviewItemId,
    reviewer: ReviewerId,
    decision: &Decision,
) -> AppResult<ReviewItem> {
    in_transaction(db, async |tx| {
        let item = queue::decide(tx, clock, id, reviewer, decision).await?;
        let none = queue::Payload::new();
        let payload = decision.payload().unwrap_or(&none);
        kind::apply(tx, &Decided { item: &item, payload, clock, random }).await?;
        Ok(item)
    })
    .await
}

/// An item as the reviewer sees it: the item, what it is about (its kind's
/// details) and its documents.
pub async fn item_view<S: Store>(store: &S, id: ReviewItemId, now: Timestamp) -> AppResult<Value> {
    let item = get(store, id).await?.ok_or_else(queue::not_found)?;
    let subject = kind::details(store, item.subject).await?;
    let documents: Vec<Value> = upload::list_for(store, item.subject).await?.iter().map(|d| d.to_json()).collect();
    Ok(json!({ "item": item.to_json(now), "subject": subject, "documents": documents }))
}

/// One of an item's documents (reviewers see every document of an item).
pub async fn item_document<S: Store>(store: &S, id: ReviewItemId, document: &str) -> AppResult<upload::StoredUpload> {
    let item = get(store, id).await?.ok_or_else(queue::not_found)?;
    let doc_id = crate::ids::UploadId::parse(document).ok_or_else(crate::error::AppError::not_found)?;
    match upload::fetch(store, doc_id).await? {
        Some(doc) if doc.owner == item.subject => Ok(doc),
        _ => Err(crate::error::AppError::not_found()),
    }
}

/// The queue as the console lists it: the items by due time, each with
/// the one-line summary of its subject, and the reviewers' names by id.
pub async fn queue_view<S: Store>(store: &S, filter: Filter, now: Timestamp) -> AppResult<Value> {
    let items = list(store, filter, 200).await?;
    let subjects: Vec<Subject> = items.iter().map(|i| i.subject).collect();
    let summaries = kind::summaries(store, &subjects).await?;
    let reviewers: serde_json::Map<String, Value> =
        reviewer::list(store).await?.into_iter().map(|r| (r.id.to_string(), json!(r.login_name))).collect();
    let items: Vec<Value> = items
        .iter()
        .map(|i| {
            let mut v = i.to_json(now);
            v["summary"] = summaries.get(&i.subject).cloned().unwrap_or(Value::Null);
            v
        })
        .collect();
    Ok(json!({ "items": items, "reviewers": reviewers }))
}
