//! Each kind of review owns its effects: what the reviewer sees of its
//! subject, the queue's one-line summary, and what a decision does. A flow
//! implements [`ReviewKindEffects`] in its own module (appeals:
//! `crate::appeal::review::AppealReview`; real-name verification:
//! `crate::verification::review::VerificationReview`); the one `match` from a
//! [`Subject`] to its implementation is here. Adding a kind of review is a
//! `Subject` variant, one implementation, and one arm in each function
//! below; the review component does not change.

use super::{ReviewItem, Subject};
use crate::appeal::review::AppealReview;
use crate::verification::review::VerificationReview;
use crate::clock::Clock;
use crate::error::AppResult;
use crate::random::Random;
use crate::store::{Database, Store, StoreError, Transaction};
use serde_json::Value;
use std::collections::HashMap;
use std::hash::Hash;

/// A decided item and what its effects may use.
pub struct Decided<'a> {
    /// The item as decided: state, reason, `decided_by`.
    pub item: &'a ReviewItem,
    pub clock: &'a dyn Clock,
    pub random: &'a dyn Random,
}

/// What a kind of review does (Kratos' strategy shape).
#[allow(async_fn_in_trait)]
pub trait ReviewKindEffects {
    /// The id its [`Subject`] carries.
    type Id: Copy + Eq + Hash;

    /// What the reviewer sees of the subject, next to its documents.
    async fn details<S: Store>(store: &S, id: Self::Id) -> AppResult<Value>;

    /// One line per subject for the queue (one query for many).
    async fn summaries<S: Store>(store: &S, ids: &[Self::Id]) -> Result<HashMap<Self::Id, Value>, StoreError>;

    /// The decision's effects, in the decision's transaction (an SMS goes
    /// through the outbox on the same transaction).
    async fn apply<D: Database>(tx: &Transaction<'_, D>, decided: &Decided<'_>, id: Self::Id) -> AppResult<()>;
}

pub(crate) async fn details<S: Store>(store: &S, subject: Subject) -> AppResult<Value> {
    match subject {
        Subject::Appeal(id) => AppealReview::details(store, id).await,
        Subject::Verification(id) => VerificationReview::details(store, id).await,
    }
}

pub(crate) async fn summaries<S: Store>(store: &S, subjects: &[Subject]) -> Result<HashMap<Subject, Value>, StoreError> {
    let (mut appeals, mut verifications) = (Vec::new(), Vec::new());
    for s in subjects {
        match s {
            Subject::Appeal(id) => appeals.push(*id),
            Subject::Verification(id) => verifications.push(*id),
        }
    }
    let mut out = HashMap::new();
    for (id, line) in AppealReview::summaries(store, &appeals).await? {
        out.insert(Subject::Appeal(id), line);
    }
    for (id, line) in VerificationReview::summaries(store, &verifications).await? {
        out.insert(Subject::Verification(id), line);
    }
    Ok(out)
}

pub(crate) async fn apply<D: Database>(tx: &Transaction<'_, D>, decided: &Decided<'_>) -> AppResult<()> {
    match decided.item.subject {
        Subject::Appeal(id) => AppealReview::apply(tx, decided, id).await,
        Subject::Verification(id) => VerificationReview::apply(tx, decided, id).await,
    }
}
