//! The business home (业务首页): the owner's business records (the legacy
//! ones linked to it; the foreign-work system's own applications show
//! here too once it reports them), the viewer's roles, the legacy-data
//! requests, and, for the owner and its grant administrators, who may act
//! for it. Opens only where the entry's state is `open`; another owner's
//! home by id is 403 with the next step, never its data.

use super::Entry;
use super::state::{self, EntryState};
use super::store::{self, Reviewed};
use crate::account::{self, Account};
use crate::clock::{Clock, Timestamp};
use crate::error::{AppError, AppResult};
use crate::grants;
use crate::ids::AccountId;
use crate::store::Store;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The legacy-data requests a home lists.
const REQUESTS_SHOWN: i64 = 20;

/// `GET /api/entry/{entry}/home?organization=<id>`.
pub async fn home<S: Store>(store: &S, clock: &dyn Clock, viewer: &Account, entry: Entry, organization: Option<AccountId>) -> AppResult<Value> {
    let standing = state::stand(store, clock, viewer, entry, organization).await?;
    if standing.state != EntryState::Open {
        return Err(AppError::new(
            "entry.home_not_open",
            409,
            "业务首页尚未开通：请先按入口的提示完成下一步。",
            "The business home is not open yet: take the next step the entry shows.",
        )
        .with_details(json!({ "entry_state": standing.state.code(), "standing": standing.to_json() })));
    }
    let Some((owner, owner_name)) = standing.owner.clone() else { return Err(AppError::internal()) };
    let records: Vec<Value> = store::records_of(store, owner, entry).await?.iter().map(|r| r.to_json()).collect();
    let requests: Vec<Value> = store::requests_of(store, owner, entry, REQUESTS_SHOWN)
        .await?
        .iter()
        .map(|r| {
            let (zh, en) = r.review.state.label();
            json!({
                "id": r.id, "state": r.review.state.code(), "state_label_zh": zh, "state_label_en": en,
                "claims": r.claims, "linked": r.linked, "reason": r.review.reason.as_deref().filter(|_| r.review.state == Reviewed::Rejected),
                "created_at": r.review.created_at.millis(), "decided_at": r.review.decided_at.map(Timestamp::millis),
            })
        })
        .collect();
    let administers = standing.administers(viewer.id);
    let who_may_act = if administers && entry == Entry::WorkPermit {
        Some(granted_persons(store, clock, owner).await?)
    } else {
        None
    };
    Ok(json!({
        "entry": entry.code(),
        "entry_label_zh": entry.label().0,
        "entry_label_en": entry.label().1,
        "owner": { "id": owner, "name": owner_name },
        "viewer": { "id": viewer.id, "kind": viewer.kind.as_str(), "acting_for_organization": viewer.id != owner },
        "roles": standing.roles.iter().map(|r| r.to_json()).collect::<Vec<_>>(),
        "records": records,
        "requests": requests,
        "may_request_legacy_data": administers,
        "who_may_act": who_may_act,
        "organizations": standing.organizations.iter().map(|o| json!({ "id": o.id, "name": o.name })).collect::<Vec<_>>(),
    }))
}

/// The organization's granted persons with their roles in force.
async fn granted_persons<S: Store>(store: &S, clock: &dyn Clock, organization: AccountId) -> AppResult<Vec<Value>> {
    let now = clock.now();
    let mut by_person: BTreeMap<AccountId, Vec<grants::Role>> = BTreeMap::new();
    for g in grants::of_organization(store, organization).await? {
        if g.in_force(now) {
            by_person.entry(g.person_id).or_default().extend(g.roles.iter().copied());
        }
    }
    let mut out = Vec::new();
    for (person, mut roles) in by_person {
        roles.sort();
        let Some(a) = account::find_by_id(store, person).await? else { continue };
        out.push(json!({
            "id": person,
            "name": a.real_name.clone().unwrap_or_else(|| a.login_name.clone()),
            "login_name": a.login_name,
            "verified": a.identity_verified_at.is_some(),
            "roles": roles.iter().map(|r| r.to_json()).collect::<Vec<_>>(),
        }));
    }
    Ok(out)
}
