//! The entry's two kinds of review ([`ReviewKindEffects`]):
//!
//! - `onboarding` ([`OnboardingReview`]): the reviewer sees the submitted
//!   first-entry information next to the identity in force and the legacy
//!   records that will link; approval opens the entry, gives an
//!   organization every role of the catalogue, and links, in the same
//!   transaction and audited, every unlinked legacy record whose link key
//!   (verified USCC; an R-visa person: verified document) is the owner's;
//!   rejection keeps the reason for the entry page. An SMS tells the
//!   result either way.
//! - `legacy_data` ([`LegacyDataReview`]): the reviewer sees the claims and
//!   the candidate records with where each is linked now; an approval takes
//!   `confirm` (the record numbers to link, each one of the candidates) and
//!   links exactly those, audited with the owner each one leaves; a
//!   rejection's reason goes by SMS.

use super::Entry;
use super::legacy;
use super::onboarding::{field_label, fields as form_fields, value_label};
use super::requests::{candidates, claim_rows};
use super::store::{self, Reviewed};
use crate::account::{self, Account, AccountKind};
use crate::audit::{self, Actor};
use crate::error::{AppError, AppResult};
use crate::grants::{self, Role};
use crate::ids::{AccountId, LegacyDataRequestId, OnboardingId};
use crate::review::{Decided, ReviewKindEffects, ReviewState};
use crate::sms::{self, Template};
use crate::store::{Database, Store, StoreError, Transaction};
use crate::verification::parts::Part;
use crate::verification::standing::{in_force_facts, standing, verified_organization, verified_person};
use serde_json::{Value, json};
use std::collections::HashMap;

pub struct OnboardingReview;
pub struct LegacyDataReview;

fn onboarding_not_found() -> AppError {
    AppError::new("onboarding.not_found", 404, "没有这项首次进入申请。", "There is no such first-entry submission.")
}

fn request_not_found() -> AppError {
    AppError::new("legacy_data.not_found", 404, "没有这份关联数据申请。", "There is no such legacy-data request.")
}

fn name_of(a: &Account) -> String {
    match a.kind {
        AccountKind::LegalEntity => a.organization.as_ref().map(|o| o.name.as_str().to_owned()),
        AccountKind::NaturalPerson => a.real_name.clone(),
    }
    .unwrap_or_else(|| a.login_name.clone())
}

fn parts_of(kind: AccountKind) -> &'static [Part] {
    match kind {
        AccountKind::LegalEntity => &[Part::BasicInfo, Part::LegalRepresentative],
        AccountKind::NaturalPerson => &[Part::Person],
    }
}

/// The key the account's records link by, from the identity on its row
/// (kept equal to the verified identity by verification).
fn row_link_key(entry: Entry, a: &Account) -> Option<String> {
    match entry {
        Entry::WorkPermit => a.organization.as_ref().map(|o| o.uscc.as_str().to_owned()),
        Entry::RVisa => a.document.as_ref().map(|d| format!("{}:{}", d.doc_type.code(), d.number)),
    }
}

async fn account_of<S: Store>(store: &S, id: AccountId) -> AppResult<Account> {
    account::find_by_id(store, id).await?.ok_or_else(AppError::internal)
}

impl ReviewKindEffects for OnboardingReview {
    type Id = OnboardingId;

    async fn details<S: Store>(store: &S, id: OnboardingId) -> AppResult<Value> {
        let o = store::get_onboarding(store, id).await?.ok_or_else(onboarding_not_found)?;
        let account = account_of(store, o.account_id).await?;
        let rows: Vec<Value> = form_fields(o.entry)
            .iter()
            .filter_map(|s| o.form.get(s.name).map(|v| (s.name, v)))
            .map(|(name, value)| {
                let (label_zh, label_en) = field_label(name);
                let (value_zh, value_en) = value_label(name, value);
                json!({ "field": name, "label_zh": label_zh, "label_en": label_en, "value_zh": value_zh, "value_en": value_en })
            })
            .collect();
        let will_link = match row_link_key(o.entry, &account) {
            Some(key) => store::records_with_key(store, o.entry, &key).await?,
            None => Vec::new(),
        };
        let (entry_zh, entry_en) = o.entry.label();
        Ok(json!({
            "kind": "onboarding",
            "entry": o.entry.code(), "entry_label_zh": entry_zh, "entry_label_en": entry_en,
            "state": o.review.state.code(),
            "claimed": rows,
            "in_force": in_force_facts(store, o.account_id, parts_of(account.kind)).await?,
            "account": account.to_json(),
            "legacy_records": will_link.iter().map(|r| {
                let mut v = r.to_review_json();
                v["linked_to"] = json!(r.owner);
                v
            }).collect::<Vec<_>>(),
            "texts": {
                "submitted_zh": "首次进入提交的信息", "submitted_en": "What the first entry submits",
                "account_zh": "账号与已通过实名认证的信息", "account_en": "The account and its verified details",
                "compare_zh": "请核对提交的信息与已通过实名认证的信息是否一致。",
                "compare_en": "Check the submitted information against the verified details.",
                "approve_note_zh": "通过后：入口开通，单位获得全部角色（办理业务、授权管理员），下列未关联的历史业务自动关联到申请人，申请人收到短信。",
                "approve_note_en": "On approval: the entry opens, an organization gets every role (handle business, grant administrator), the unlinked records below link to the applicant, and the applicant gets a text.",
            },
            "saved_at": o.review.created_at.millis(),
        }))
    }

    async fn summaries<S: Store>(store: &S, ids: &[OnboardingId]) -> Result<HashMap<OnboardingId, Value>, StoreError> {
        let mut out = HashMap::new();
        for o in store::get_onboardings(store, ids).await? {
            let name = account::find_by_id(store, o.account_id).await?.map(|a| name_of(&a));
            let (zh, en) = o.entry.label();
            out.insert(o.id, json!({ "name": name, "entry": o.entry.code(), "entry_label_zh": zh, "entry_label_en": en }));
        }
        Ok(out)
    }

    async fn apply<D: Database>(tx: &Transaction<'_, D>, decided: &Decided<'_>, id: OnboardingId) -> AppResult<()> {
        let clock = decided.clock;
        let reviewer = decided.item.decided_by.ok_or_else(AppError::internal)?;
        let actor = Actor::Reviewer(reviewer);
        let o = store::get_onboarding(tx, id).await?.ok_or_else(onboarding_not_found)?;
        if o.review.review_item_id != Some(decided.item.id) {
            return Err(AppError::internal().with_cause(format!("onboarding {id} is not reviewed by item {}", decided.item.id)));
        }
        let account = account_of(tx, o.account_id).await?;
        let now = clock.now();
        let approved = decided.item.state == ReviewState::Approved;
        let reason = decided.item.reason.as_deref();
        let mut linked = Vec::new();
        if approved {
            let lapsed = standing(tx, account.id, parts_of(account.kind)).await?.iter().any(|p| !p.passed);
            let key = match o.entry {
                Entry::WorkPermit => verified_organization(tx, clock, account.id).await?.map(|org| org.uscc.as_str().to_owned()),
                Entry::RVisa => verified_person(tx, clock, account.id).await?.map(|p| p.document.key()),
            };
            let Some(key) = key.filter(|_| !lapsed) else {
                return Err(AppError::new(
                    "onboarding.verification_lapsed",
                    409,
                    "该账号的实名认证当前未通过，不能通过首次进入：请驳回并在原因中说明。",
                    "This account's real-name verification does not stand now; the first entry cannot be approved. Reject it and say so in the reason.",
                ));
            };
            if !store::decide_onboarding(tx, id, Reviewed::Approved, None, Some(&key), now).await? {
                return Err(AppError::internal().with_cause(format!("onboarding {id} left under_review during its decision")));
            }
            if o.entry == Entry::WorkPermit {
                grants::give_organization_roles(tx, account.id, &Role::ALL, now).await?;
            }
            linked = legacy::link_by_key(tx, clock, &actor, o.entry, &key, account.id, "onboarding").await?;
        } else if !store::decide_onboarding(tx, id, Reviewed::Rejected, reason, None, now).await? {
            return Err(AppError::internal().with_cause(format!("onboarding {id} left under_review during its decision")));
        }
        audit::record(
            tx,
            clock,
            &actor,
            if approved { "onboarding.approved" } else { "onboarding.rejected" },
            Some(&id.audit_subject()),
            json!({
                "entry": o.entry.code(), "account": account.id, "reason": reason, "linked": linked,
                "roles": if approved && o.entry == Entry::WorkPermit { Role::ALL.map(Role::code).to_vec() } else { Vec::new() },
            }),
        )
        .await?;
        if let Some(mobile) = &account.reserved_mobile {
            let entry = o.entry.label().0;
            let (template, params) = if approved {
                (Template::OnboardingApproved, json!({ "entry": entry }))
            } else {
                (Template::OnboardingRejected, json!({ "entry": entry, "reason": reason.unwrap_or("") }))
            };
            sms::enqueue(tx, clock, mobile, template, params).await?;
        }
        Ok(())
    }
}

fn confirm_error(code: &'static str, zh: String, en: String) -> AppError {
    AppError::new(code, 400, zh, en).with_field("confirm")
}

/// The record numbers an approval confirms: a non-empty list of strings.
fn confirmed(payload: &crate::review::Payload) -> AppResult<Vec<String>> {
    let numbers: Option<Vec<String>> =
        payload.get("confirm").and_then(Value::as_array).map(|a| a.iter().filter_map(Value::as_str).map(|s| s.trim().to_ascii_uppercase()).collect());
    let all_strings = payload.get("confirm").and_then(Value::as_array).is_some_and(|a| a.iter().all(Value::is_string));
    match numbers {
        Some(mut n) if !n.is_empty() && all_strings => {
            n.sort();
            n.dedup();
            Ok(n)
        }
        _ => Err(confirm_error(
            "legacy_data.confirm_required",
            "通过关联数据申请时，请勾选要关联的业务（至少一条）；没有可关联的业务时请驳回并说明原因。".into(),
            "To approve, tick the records to link (at least one); if none should be linked, reject with a reason.".into(),
        )),
    }
}

impl ReviewKindEffects for LegacyDataReview {
    type Id = LegacyDataRequestId;

    const DECISION_FIELDS: &'static [&'static str] = &["confirm"];

    async fn details<S: Store>(store: &S, id: LegacyDataRequestId) -> AppResult<Value> {
        let r = store::get_request(store, id).await?.ok_or_else(request_not_found)?;
        let owner = account_of(store, r.owner).await?;
        let filed_by = account_of(store, r.filed_by).await?;
        let found = candidates(store, r.entry, r.owner, &r.claims).await?;
        let mut rows = Vec::new();
        for c in &found {
            let mut v = c.to_review_json();
            v["linked_to"] = match c.owner {
                Some(holder) => {
                    let name = account::find_by_id(store, holder).await?.map(|a| name_of(&a));
                    json!({ "id": holder, "name": name })
                }
                None => Value::Null,
            };
            v["named_in_request"] = json!(r.claims.record_numbers.contains(&c.record_number));
            rows.push(v);
        }
        let (entry_zh, entry_en) = r.entry.label();
        Ok(json!({
            "kind": "legacy_data",
            "entry": r.entry.code(), "entry_label_zh": entry_zh, "entry_label_en": entry_en,
            "state": r.review.state.code(),
            "claims": r.claims,
            "owner": { "id": owner.id, "name": name_of(&owner) },
            "account": owner.to_json(),
            "claimed": claim_rows(&r.claims),
            "texts": {
                "submitted_zh": "申请中填写的信息", "submitted_en": "What the request says",
                "account_zh": "申请关联的账号", "account_en": "The account the records would link to",
                "compare_zh": "请对照证明材料核对申请信息，再勾选确属申请人的历史业务。",
                "compare_en": "Check what the request says against its documents, then tick the records that belong to the applicant.",
                "approve_note_zh": "通过后：勾选的历史业务关联到申请人的业务首页（已关联到其他账号的会移到申请人名下），申请人收到短信。",
                "approve_note_en": "On approval: the ticked records link to the applicant's business home (one linked to another account moves to the applicant), and the applicant gets a text.",
            },
            "filed_by": { "id": filed_by.id, "name": name_of(&filed_by) },
            "candidates": rows,
            "linked": r.linked,
            "decision_fields": { "confirm": "the record numbers of the candidates to link" },
            "saved_at": r.review.created_at.millis(),
        }))
    }

    async fn summaries<S: Store>(store: &S, ids: &[LegacyDataRequestId]) -> Result<HashMap<LegacyDataRequestId, Value>, StoreError> {
        let mut out = HashMap::new();
        for r in store::get_requests(store, ids).await? {
            let name = account::find_by_id(store, r.owner).await?.map(|a| name_of(&a));
            let (zh, en) = r.entry.label();
            out.insert(r.id, json!({ "name": name, "entry": r.entry.code(), "entry_label_zh": zh, "entry_label_en": en, "record_numbers": r.claims.record_numbers.len() }));
        }
        Ok(out)
    }

    async fn apply<D: Database>(tx: &Transaction<'_, D>, decided: &Decided<'_>, id: LegacyDataRequestId) -> AppResult<()> {
        let clock = decided.clock;
        let reviewer = decided.item.decided_by.ok_or_else(AppError::internal)?;
        let actor = Actor::Reviewer(reviewer);
        let r = store::get_request(tx, id).await?.ok_or_else(request_not_found)?;
        if r.review.review_item_id != Some(decided.item.id) {
            return Err(AppError::internal().with_cause(format!("legacy-data request {id} is not reviewed by item {}", decided.item.id)));
        }
        let now = clock.now();
        let approved = decided.item.state == ReviewState::Approved;
        let reason = decided.item.reason.as_deref();
        let mut linked = Vec::new();
        if approved {
            let numbers = confirmed(decided.payload)?;
            let found = candidates(tx, r.entry, r.owner, &r.claims).await?;
            let unknown: Vec<&str> =
                numbers.iter().filter(|n| !found.iter().any(|c| &c.record_number == *n)).map(String::as_str).collect();
            if !unknown.is_empty() {
                return Err(confirm_error(
                    "legacy_data.confirm_not_candidate",
                    format!("业务 {} 不在本申请的候选业务中，不能关联。", unknown.join("、")),
                    format!("The records {} are not candidates of this request and cannot be linked.", unknown.join(", ")),
                )
                .with_details(json!({ "record_numbers": unknown })));
            }
            let basis = format!("request:{id}");
            let by = reviewer.audit_subject();
            for c in found.iter().filter(|c| numbers.contains(&c.record_number)) {
                store::link_record(tx, c.id, r.owner, &by, &basis, now).await?;
                legacy::audit_link(tx, clock, &actor, c.id, &c.record_number, r.owner, &basis, c.owner).await?;
                linked.push(c.record_number.clone());
            }
        }
        let state = if approved { Reviewed::Approved } else { Reviewed::Rejected };
        if !store::decide_request(tx, id, state, reason, &linked, now).await? {
            return Err(AppError::internal().with_cause(format!("legacy-data request {id} left under_review during its decision")));
        }
        audit::record(
            tx,
            clock,
            &actor,
            if approved { "legacy_data.approved" } else { "legacy_data.rejected" },
            Some(&id.audit_subject()),
            json!({ "owner": r.owner, "linked": linked, "reason": reason }),
        )
        .await?;
        let filer = account_of(tx, r.filed_by).await?;
        if let Some(mobile) = &filer.reserved_mobile {
            let (template, params) = if approved {
                (Template::LegacyDataLinked, json!({ "count": linked.len().to_string() }))
            } else {
                (Template::LegacyDataRejected, json!({ "reason": reason.unwrap_or("") }))
            };
            sms::enqueue(tx, clock, mobile, template, params).await?;
        }
        Ok(())
    }
}
