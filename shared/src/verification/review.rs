//! Real-name verification's kind of review ([`ReviewKindEffects`]): the
//! reviewer sees the claimed data (full numbers, to compare with the scans)
//! next to the identity in force; approving passes the part (the identity in
//! force is updated), rejecting needs a reason; an SMS to the reserved
//! mobile tells the result either way (FAQ 3.1).

use super::parts::{Fields, Part, field_label, value_label};
use super::state::{Event, Outcome, State, transition};
use super::store::{self, Verification};
use super::{put_in_force, stored_claim};
use crate::account::{self, Account, find_by_id};
use crate::audit::{self, Actor};
use crate::error::{AppError, AppResult};
use crate::ids::VerificationId;
use crate::review::{Decided, ReviewKindEffects, ReviewState};
use crate::sms::{self, Template};
use crate::store::{Database, Store, StoreError, Transaction};
use serde_json::{Value, json};
use std::collections::HashMap;

pub struct VerificationReview;

fn not_found() -> AppError {
    AppError::new("verification.not_found", 404, "没有这项实名认证。", "There is no such verification.")
}

/// A claim as rows for the reviewer, in the form's order, values named.
pub(crate) fn facts(part: Part, fields: &Fields) -> Vec<Value> {
    part.fields()
        .iter()
        .filter_map(|name| fields.get(*name).map(|v| (name, v)))
        .map(|(name, value)| {
            let (label_zh, label_en) = field_label(name);
            let (value_zh, value_en) = value_label(name, value);
            json!({ "field": name, "label_zh": label_zh, "label_en": label_en, "value_zh": value_zh, "value_en": value_en })
        })
        .collect()
}

/// The identity in force of the verification's part, when there is one
/// other than the claim: the newest passed verification, else what the
/// account was registered with (a person's name and document, the
/// organization).
async fn in_force_facts<S: Store>(store: &S, v: &Verification, account: &Account) -> Result<Vec<Value>, StoreError> {
    if let Some(f) = store::in_force(store, v.account_id, v.part).await? {
        if f.id != v.id {
            return Ok(facts(v.part, &f.claim));
        }
        return Ok(Vec::new());
    }
    let mut registered = Fields::new();
    match v.part {
        Part::Person => {
            if let Some(n) = &account.real_name {
                registered.insert("real_name".into(), n.clone());
            }
            if let Some(d) = &account.document {
                registered.insert("document_type".into(), d.doc_type.code().into());
                registered.insert("document_number".into(), d.number.clone());
            }
        }
        Part::BasicInfo => {
            if let Some(o) = &account.organization {
                registered.insert("org_name".into(), o.name.as_str().into());
                registered.insert("uscc".into(), o.uscc.as_str().into());
            }
        }
        Part::AuthorizationInfo | Part::LegalRepresentative => {}
    }
    Ok(facts(v.part, &registered))
}

impl ReviewKindEffects for VerificationReview {
    type Id = VerificationId;

    /// The part, the claimed data with full numbers, the identity in force
    /// (registered or verified before), the automatic check's result and
    /// the account.
    async fn details<S: Store>(store: &S, id: VerificationId) -> AppResult<Value> {
        let v = store::get(store, id).await?.ok_or_else(not_found)?;
        let account = find_by_id(store, v.account_id).await?.ok_or_else(AppError::internal)?;
        let (label_zh, label_en) = v.part.label();
        Ok(json!({
            "kind": "verification",
            "part": v.part.code(),
            "part_label_zh": label_zh,
            "part_label_en": label_en,
            "state": v.state.code(),
            "claimed": facts(v.part, &v.claim),
            "in_force": in_force_facts(store, &v, &account).await?,
            "check": { "kind": v.check_kind, "result": v.check_result.code() },
            "account": account.to_json(),
            "saved_at": v.created_at.millis(),
        }))
    }

    /// The part and whom it is about (person, organization, agent,
    /// representative).
    async fn summaries<S: Store>(store: &S, ids: &[VerificationId]) -> Result<HashMap<VerificationId, Value>, StoreError> {
        Ok(store::get_many(store, ids)
            .await?
            .into_iter()
            .map(|v| {
                let (zh, en) = v.part.label();
                let name_field = match v.part {
                    Part::Person => "real_name",
                    Part::BasicInfo => "org_name",
                    Part::AuthorizationInfo => "main_agent_name",
                    Part::LegalRepresentative => "legal_representative_name",
                };
                (v.id, json!({ "name": v.claim.get(name_field), "part": v.part.code(), "part_label_zh": zh, "part_label_en": en }))
            })
            .collect())
    }

    /// Approved: passed, and the identity in force is the claim (refused
    /// with 409 when another account took the document or organization
    /// meanwhile). Rejected: the reason is kept and shown. Either way the
    /// history and the audit log say who, and an SMS tells the result.
    async fn apply<D: Database>(tx: &Transaction<'_, D>, decided: &Decided<'_>, id: VerificationId) -> AppResult<()> {
        let clock = decided.clock;
        let reviewer = decided.item.decided_by.ok_or_else(AppError::internal)?;
        let actor = Actor::Reviewer(reviewer);
        let v = store::get(tx, id).await?.ok_or_else(not_found)?;
        if v.review_item_id != Some(decided.item.id) {
            return Err(AppError::internal().with_cause(format!("verification {id} is not reviewed by item {}", decided.item.id)));
        }
        let approved = decided.item.state == ReviewState::Approved;
        let event = if approved { Event::Approved } else { Event::Rejected };
        let to = transition(v.state, event, v.part.label())?;
        let result = if approved { Outcome::ReviewApproved } else { Outcome::ReviewRejected };
        let reason = decided.item.reason.as_deref();
        let now = clock.now();
        if approved {
            put_in_force(tx, v.account_id, &stored_claim(&v, clock)?, now).await.map_err(|e| match e.code {
                code if code.ends_with("_taken") => AppError::new(
                    "verification.taken_meanwhile",
                    409,
                    "审核期间，该证件或单位已绑定其他账号，不能通过：请驳回并在原因中说明（申请人可通过申诉找回那个账号）。",
                    "While this was under review, another account took this document or organization; it cannot be approved. Reject it and say so in the reason (the applicant can recover that account with an appeal).",
                )
                .with_details(json!({ "conflict": code })),
                _ => e,
            })?;
        }
        if !store::move_state(tx, id, &[State::UnderReview], to, result, None, reason, now).await? {
            return Err(AppError::internal().with_cause(format!("verification {id} left under_review during its decision")));
        }
        store::record(tx, (id, v.account_id, v.part), &actor, to, result, now).await?;
        audit::record(
            tx,
            clock,
            &actor,
            if approved { "verification.approved" } else { "verification.rejected" },
            Some(&id.audit_subject()),
            json!({ "part": v.part.code(), "account": v.account_id, "reason": reason }),
        )
        .await?;
        let account = account::find_by_id(tx, v.account_id).await?.ok_or_else(AppError::internal)?;
        if let Some(mobile) = &account.reserved_mobile {
            let part = v.part.label().0;
            let (template, params) = if approved {
                (Template::VerificationPassed, json!({ "part": part }))
            } else {
                (Template::VerificationRejected, json!({ "part": part, "reason": reason.unwrap_or("") }))
            };
            sms::enqueue(tx, clock, mobile, template, params).await?;
        }
        Ok(())
    }
}
