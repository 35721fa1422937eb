//! What `GET /api/my-info` and the save and upload answers show: each part
//! with its fields (document numbers and mobiles masked), state and its
//! sentence, due time, reason, history and next action; and the choices the
//! page offers before saving (which documents can be checked online).

use super::parts::{Claim, Fields, OrganizationType, Part, documents_for, masked_fields, needs_nationality, online_check_of};
use super::state::{Outcome, State};
use super::store::{self, Verification};
use crate::account::{Account, AccountKind};
use crate::clock::Clock;
use crate::error::AppResult;
use crate::identity::{COUNTRIES, CivilDate, Continent, DocumentType, LegalRepresentativeType};
use crate::review::{self, Subject};
use crate::store::Store;
use crate::upload;
use serde_json::{Value, json};

/// How many history entries a part shows.
pub const HISTORY_SHOWN: i64 = 50;

/// The whole "my info" of an account.
pub async fn my_info<S: Store>(store: &S, clock: &dyn Clock, account: &Account, service_configured: bool) -> AppResult<Value> {
    let mut parts = Vec::new();
    let mut verified = true;
    for part in Part::of_kind(account.kind) {
        let view = part_view(store, clock, account, *part).await?;
        verified &= view["state"] == State::Passed.code();
        parts.push(view);
    }
    let mut body = json!({
        "account": account.to_json(),
        "verified": verified,
        "identity_service": if service_configured { "configured" } else { "builtin" },
        "parts": parts,
        "document_types": DocumentType::ALL.iter().map(|t| json!({
            "code": t.code(),
            "label_zh": t.label_zh(),
            "label_en": t.label_en(),
            "online_check": if service_configured { online_check_of(*t) } else { "no" },
            "needs_nationality": needs_nationality(*t),
            "birth_date_in_number": *t == DocumentType::ResidentId,
        })).collect::<Vec<_>>(),
    });
    if account.kind == AccountKind::LegalEntity {
        body["organization_types"] = json!(OrganizationType::ALL.iter().map(|t| json!({
            "code": t.code(), "label_zh": t.label().0, "label_en": t.label().1,
        })).collect::<Vec<_>>());
        body["legal_representative_types"] = json!(LegalRepresentativeType::ALL.iter().map(|t| json!({
            "code": t.code(), "label_zh": t.label_zh(), "label_en": t.label_en(),
            "documents": t.allowed_documents().iter().map(|d| d.code()).collect::<Vec<_>>(),
            "asks_country": t.asks_country(),
        })).collect::<Vec<_>>());
        body["continents"] = json!(Continent::ALL.iter().map(|c| json!({
            "code": c.code(), "label_zh": c.label_zh(), "label_en": c.label_en(),
        })).collect::<Vec<_>>());
        // Every country, China and its regions included: choosing one of
        // them under "other" is answered with the type to choose (FAQ 3.6).
        body["countries"] = json!(COUNTRIES.iter().map(|c| json!({
            "code": c.code, "label_zh": c.zh, "label_en": c.en, "continent": c.continent.code(),
        })).collect::<Vec<_>>());
    }
    Ok(body)
}

/// The fields a part starts with before any verification: what the account
/// was registered with (a person's name and document, the organization's
/// name and USCC), else nothing.
fn registered_fields(account: &Account, part: Part) -> Fields {
    let mut f = Fields::new();
    match part {
        Part::Person => {
            if let Some(name) = &account.real_name {
                f.insert("real_name".into(), name.clone());
            }
            if let Some(doc) = &account.document {
                f.insert("document_type".into(), doc.doc_type.code().into());
                f.insert("document_number".into(), doc.number.clone());
                if let Some(n) = &doc.nationality
                    && needs_nationality(doc.doc_type)
                {
                    f.insert("nationality".into(), n.clone());
                }
            }
        }
        Part::BasicInfo => {
            if let Some(org) = &account.organization {
                f.insert("org_name".into(), org.name.as_str().into());
                f.insert("uscc".into(), org.uscc.as_str().into());
            }
        }
        Part::AuthorizationInfo | Part::LegalRepresentative => {}
    }
    f
}

/// A sentence about the last outcome, where the state's own does not say
/// enough.
fn outcome_message(outcome: Outcome) -> Option<(&'static str, &'static str)> {
    match outcome {
        Outcome::CheckLimitReached => Some((
            "自动核验次数已达上限（按账号每天、按网络地址每小时计），请上传证件转人工审核，或稍后再保存。",
            "The limit of automatic checks was reached (per account per day, per network address per hour): upload the documents for manual review, or save again later.",
        )),
        Outcome::FormatCheckedOnly => Some((
            "本平台未连接身份核验服务：已检查证件号码的格式和校验位，请上传证件转人工审核。",
            "No identity service is connected: the number's format and check character were checked; upload the documents for manual review.",
        )),
        Outcome::DetailsUpdated => Some(("已更新（未改动已核验的身份信息）。", "Updated (the verified identity was not changed).")),
        _ => None,
    }
}

fn actor_of(actor: &str, me: &Account) -> &'static str {
    if actor == me.id.audit_subject() {
        "you"
    } else if actor.starts_with("reviewer:") {
        "reviewer"
    } else {
        "system"
    }
}

/// One part as its owner sees it.
pub async fn part_view<S: Store>(store: &S, clock: &dyn Clock, account: &Account, part: Part) -> AppResult<Value> {
    let current = store::current(store, account.id, part).await?;
    let in_force = store::in_force(store, account.id, part).await?;
    let state = current.as_ref().map_or(State::NotSubmitted, |c| c.state);
    let (label_zh, label_en) = part.label();
    let message = state.message(part.label());
    let fields = current.as_ref().map_or_else(|| registered_fields(account, part), |c| c.claim.clone());
    let pending = matches!((&current, &in_force), (Some(c), Some(f)) if c.id != f.id);
    let item = match current.as_ref().and_then(|c| c.review_item_id) {
        Some(id) => review::get(store, id).await?,
        None => None,
    };
    let today = CivilDate::today_in_china(clock);
    let (documents, uploads) = match &current {
        Some(c) => {
            let slots = Claim::parse(part, &c.claim, today).map(|claim| documents_for(&claim)).unwrap_or_default();
            let uploads = upload::list_for(store, Subject::Verification(c.id)).await?;
            (slots, uploads)
        }
        None => (Vec::new(), Vec::new()),
    };
    let history = store::history(store, account.id, part, HISTORY_SHOWN).await?;
    let result_message = current.as_ref().and_then(|c| outcome_message(c.result));
    Ok(json!({
        "part": part.code(),
        "label_zh": label_zh,
        "label_en": label_en,
        "state": state.code(),
        "message_zh": message.zh,
        "message_en": message.en,
        "result": current.as_ref().map(|c| c.result.code()),
        "result_message_zh": result_message.map(|m| m.0),
        "result_message_en": result_message.map(|m| m.1),
        "fields": masked_fields(part, &fields),
        "pending": pending,
        "in_force": if pending { in_force.as_ref().map(|f| masked_fields(part, &f.claim)) } else { None },
        "submitted_at": item.as_ref().filter(|_| state == State::UnderReview).map(|i| i.submitted_at.millis()),
        "due_at": item.as_ref().filter(|_| state == State::UnderReview).map(|i| i.due_at.millis()),
        "reason": current.as_ref().filter(|c| c.state == State::Rejected).and_then(|c| c.reason.clone()),
        "next_action": state.next_action().code(),
        "accepts_save": state.accepts_save(),
        "accepts_upload": state.accepts_upload(),
        "documents": documents.iter().map(|s| json!({
            "field": s.field, "label_zh": s.label_zh, "label_en": s.label_en, "required": s.required,
        })).collect::<Vec<_>>(),
        "uploads": uploads.iter().map(|u| u.to_json()).collect::<Vec<_>>(),
        "history": history.iter().map(|h| json!({
            "at": h.at.millis(),
            "actor": actor_of(&h.actor, account),
            "state": h.state.code(),
            "result": h.result.code(),
        })).collect::<Vec<_>>(),
        "updated_at": current.as_ref().map(|c: &Verification| c.updated_at.millis()),
    }))
}
