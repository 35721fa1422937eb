//! Each kind of review owns its effects: what the reviewer sees of its
//! subject, the queue's one-line summary, and what a decision does. A flow
//! implements [`ReviewKindEffects`] in its own module (appeals:
//! `crate::appeal::review::AppealReview`; real-name verification:
//! `crate::verification::review::VerificationReview`; first-entry onboarding
//! and legacy-data requests: `crate::entry::review`); the one `match` from a
//! [`Subject`] to its implementation is here. Adding a kind of review is a
//! `Subject` variant, one implementation, and one arm in each function
//! below; the review component does not change.

use super::queue::Payload;
use super::{ReviewItem, Subject};
use crate::appeal::review::AppealReview;
use crate::verification::review::VerificationReview;
use crate::entry::review::{LegacyDataReview, OnboardingReview};
use crate::clock::Clock;
use crate::error::{AppError, AppResult};
use crate::random::Random;
use crate::store::{Database, Store, StoreError, Transaction};
use serde_json::Value;
use std::collections::HashMap;
use std::hash::Hash;

/// A decided item and what its effects may use.
pub struct Decided<'a> {
    /// The item as decided: state, reason, `decided_by`.
    pub item: &'a ReviewItem,
    /// An approval's own fields (the kind's [`ReviewKindEffects::DECISION_FIELDS`],
    /// unchecked: the kind checks their values); empty for a rejection.
    pub payload: &'a Payload,
    pub clock: &'a dyn Clock,
    pub random: &'a dyn Random,
}

/// What a kind of review does (Kratos' strategy shape).
#[allow(async_fn_in_trait)]
pub trait ReviewKindEffects {
    /// The id its [`Subject`] carries.
    type Id: Copy + Eq + Hash;

    /// The fields an approval of this kind takes besides the decision (the
    /// review page offers them from the kind's details; the decision form
    /// sends them). Any other field is refused before the effects run.
    const DECISION_FIELDS: &'static [&'static str] = &[];

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
        Subject::Onboarding(id) => OnboardingReview::details(store, id).await,
        Subject::LegacyDataRequest(id) => LegacyDataReview::details(store, id).await,
    }
}

pub(crate) async fn summaries<S: Store>(store: &S, subjects: &[Subject]) -> Result<HashMap<Subject, Value>, StoreError> {
    let (mut appeals, mut verifications, mut onboardings, mut requests) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for s in subjects {
        match s {
            Subject::Appeal(id) => appeals.push(*id),
            Subject::Verification(id) => verifications.push(*id),
            Subject::Onboarding(id) => onboardings.push(*id),
            Subject::LegacyDataRequest(id) => requests.push(*id),
        }
    }
    let mut out = HashMap::new();
    for (id, line) in AppealReview::summaries(store, &appeals).await? {
        out.insert(Subject::Appeal(id), line);
    }
    for (id, line) in VerificationReview::summaries(store, &verifications).await? {
        out.insert(Subject::Verification(id), line);
    }
    for (id, line) in OnboardingReview::summaries(store, &onboardings).await? {
        out.insert(Subject::Onboarding(id), line);
    }
    for (id, line) in LegacyDataReview::summaries(store, &requests).await? {
        out.insert(Subject::LegacyDataRequest(id), line);
    }
    Ok(out)
}

/// The fields an approval of the subject's kind takes.
fn decision_fields(subject: Subject) -> &'static [&'static str] {
    match subject {
        Subject::Appeal(_) => AppealReview::DECISION_FIELDS,
        Subject::Verification(_) => VerificationReview::DECISION_FIELDS,
        Subject::Onboarding(_) => OnboardingReview::DECISION_FIELDS,
        Subject::LegacyDataRequest(_) => LegacyDataReview::DECISION_FIELDS,
    }
}

/// Refuses an approval's field the subject's kind does not take (400,
/// naming it), before any effect runs.
fn check_fields(subject: Subject, payload: &Payload) -> AppResult<()> {
    let known = decision_fields(subject);
    match payload.keys().find(|k| !known.contains(&k.as_str())) {
        None => Ok(()),
        Some(field) => Err(AppError::new(
            "review.decision_field_unknown",
            400,
            format!("这类审核事项的决定不接受 {field}。"),
            format!("A decision on this kind of item does not take `{field}`."),
        )
        .with_field(field.as_str())
        .with_details(serde_json::json!({ "accepted": known }))),
    }
}

pub(crate) async fn apply<D: Database>(tx: &Transaction<'_, D>, decided: &Decided<'_>) -> AppResult<()> {
    check_fields(decided.item.subject, decided.payload)?;
    match decided.item.subject {
        Subject::Appeal(id) => AppealReview::apply(tx, decided, id).await,
        Subject::Verification(id) => VerificationReview::apply(tx, decided, id).await,
        Subject::Onboarding(id) => OnboardingReview::apply(tx, decided, id).await,
        Subject::LegacyDataRequest(id) => LegacyDataReview::apply(tx, decided, id).await,
    }
}
