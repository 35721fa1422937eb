//! What other flows ask of real-name verification, without reading its
//! tables: whether an account's parts have passed (the entry needs an
//! organization's basic info and legal representative, a person's own
//! part), the organization and the person as verified (the identity in
//! force: a part's newest passed verification), and those as labelled rows
//! for a reviewer.

use super::parts::{Claim, OrganizationType, Part};
use super::review::facts;
use super::state::State;
use super::{store, stored_claim};
use crate::clock::Clock;
use crate::error::AppResult;
use crate::identity::{CivilDate, Document, OrgName, PersonName, Uscc};
use crate::ids::AccountId;
use crate::store::{Store, StoreError};
use serde_json::{Value, json};

/// How one part of an account stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartStanding {
    pub part: Part,
    /// Its current verification's state (`not_submitted` before any).
    pub state: State,
    /// Whether an identity is in force for it (a verification passed; a
    /// newer claim under review or rejected does not take that away).
    pub passed: bool,
}

impl PartStanding {
    /// The part, its state and the state's sentence, for a page that says
    /// what is missing.
    pub fn to_json(&self) -> Value {
        let (label_zh, label_en) = self.part.label();
        let message = self.state.message(self.part.label());
        json!({
            "part": self.part.code(), "label_zh": label_zh, "label_en": label_en, "state": self.state.code(),
            "passed": self.passed, "message_zh": message.zh, "message_en": message.en,
        })
    }
}

/// How each of `parts` of an account stands, in that order.
pub async fn standing<S: Store>(store: &S, account: AccountId, parts: &[Part]) -> Result<Vec<PartStanding>, StoreError> {
    let mut out = Vec::with_capacity(parts.len());
    for &part in parts {
        let state = store::current(store, account, part).await?.map_or(State::NotSubmitted, |c| c.state);
        let passed = store::in_force(store, account, part).await?.is_some();
        out.push(PartStanding { part, state, passed });
    }
    Ok(out)
}

/// An organization as its verified basic info says.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedOrganization {
    pub name: OrgName,
    pub uscc: Uscc,
    pub registered_address: String,
    pub organization_type: OrganizationType,
    pub contact_phone: String,
}

/// The legal entity's organization as verified (its basic info in force).
pub async fn verified_organization<S: Store>(store: &S, clock: &dyn Clock, account: AccountId) -> AppResult<Option<VerifiedOrganization>> {
    let Some(v) = store::in_force(store, account, Part::BasicInfo).await? else { return Ok(None) };
    Ok(match stored_claim(&v, clock)? {
        Claim::BasicInfo { org_name, uscc, registered_address, organization_type, contact_phone } => {
            Some(VerifiedOrganization { name: org_name, uscc, registered_address, organization_type, contact_phone })
        }
        _ => None,
    })
}

/// A natural person as verified (the person part in force).
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedPerson {
    pub name: PersonName,
    pub document: Document,
    pub birth_date: CivilDate,
}

pub async fn verified_person<S: Store>(store: &S, clock: &dyn Clock, account: AccountId) -> AppResult<Option<VerifiedPerson>> {
    let Some(v) = store::in_force(store, account, Part::Person).await? else { return Ok(None) };
    Ok(match stored_claim(&v, clock)? {
        Claim::Person { name, document, birth_date } => Some(VerifiedPerson { name, document, birth_date }),
        _ => None,
    })
}

/// The identity in force of `parts`, as the rows a reviewer reads (the
/// labels and values in both languages, full numbers).
pub async fn in_force_facts<S: Store>(store: &S, account: AccountId, parts: &[Part]) -> Result<Vec<Value>, StoreError> {
    let mut rows = Vec::new();
    for &part in parts {
        if let Some(v) = store::in_force(store, account, part).await? {
            rows.extend(facts(part, &v.claim));
        }
    }
    Ok(rows)
}
