//! Grants (用户授权管理, flow 6, FAQ 4.1-4.4 and 7): which natural persons
//! act for which organization, with which [`Role`]s of the role catalogue
//! ([`roles`]), and the roles an organization itself holds once its first
//! entry into the foreign-work system was approved (the legal entity holds
//! every role of its organization; `organization_roles`). This module holds
//! every query on `grants` and `organization_roles`.
//!
//! A grant is one record per (organization, person): its roles, optional
//! effective and expiry dates, who made it and who changed it last, and a
//! version every change names ([`update`] is guarded by it, so of two
//! racing changes the second is refused with the current state). A grant
//! is in force from its effective date up to its expiry
//! ([`Grant::in_force`], the one check every reader uses: the entry, the
//! administration, the person's list), so an expired grant stops working
//! at once, without a job, and stays visible as expired. Revoking deletes
//! the record; the audit log keeps its history. Grants belong to the
//! organization: when their maker loses `grant_admin` they stay.
//!
//! Files: `roles` (the catalogue), `admin` (who may administer an
//! organization's grants, FAQ 4.4), `dates` (the date fields), `manage`
//! (grant, change, revoke with the subset rule, FAQ 4.1, 4.2), `search`
//! (verified natural persons by real name, FAQ 4.3), `mine` (the
//! organizations that authorized me, FAQ 7), `api` (the component's
//! routes, shared with the authorization-matrix test).

pub mod admin;
pub mod api;
pub mod dates;
pub mod manage;
pub mod mine;
pub mod roles;
pub mod search;

pub use admin::{Administrator, administrator, organization_onboarded};
pub use roles::Role;

use crate::clock::Timestamp;
use crate::ids::{AccountId, GrantId};
use crate::store::{Database, Row, Store, StoreError, Transaction};

/// One natural person's grant in one organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub id: GrantId,
    pub organization_id: AccountId,
    pub person_id: AccountId,
    /// In catalogue order, never empty.
    pub roles: Vec<Role>,
    /// Who granted it (`None`: the system, e.g. the legacy conversion).
    pub granted_by: Option<AccountId>,
    pub created_at: Timestamp,
    /// In force from (`None`: from its creation).
    pub effective_from: Option<Timestamp>,
    /// In force until, exclusive (`None`: no end).
    pub expires_at: Option<Timestamp>,
    /// Starts at 1; every change adds one.
    pub version: i64,
    pub changed_by: Option<AccountId>,
    pub changed_at: Timestamp,
    /// When the scheduled work noticed its coming expiry (an SMS to the
    /// person and a notice on the grant management page); `None`: not yet,
    /// or its expiry changed since.
    pub expiry_noticed_at: Option<Timestamp>,
}

/// Where a grant stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantState {
    /// Its effective date is still to come.
    NotYetEffective,
    InForce,
    Expired,
}

impl GrantState {
    pub fn code(self) -> &'static str {
        match self {
            GrantState::NotYetEffective => "not_yet_effective",
            GrantState::InForce => "in_force",
            GrantState::Expired => "expired",
        }
    }

    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            GrantState::NotYetEffective => ("未生效", "not yet effective"),
            GrantState::InForce => ("有效", "in force"),
            GrantState::Expired => ("已过期", "expired"),
        }
    }
}

impl Grant {
    /// Whether the grant counts at `now`: from its effective date up to its
    /// expiry. Every place a grant is used asks this, so an expired grant
    /// stops working at once, without a job.
    pub fn in_force(&self, now: Timestamp) -> bool {
        self.state(now) == GrantState::InForce
    }

    pub fn state(&self, now: Timestamp) -> GrantState {
        if self.expires_at.is_some_and(|until| now >= until) {
            GrantState::Expired
        } else if self.effective_from.is_some_and(|from| now < from) {
            GrantState::NotYetEffective
        } else {
            GrantState::InForce
        }
    }

    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    fn from_row(r: Row<'_>) -> Result<Grant, StoreError> {
        Ok(Grant {
            id: GrantId(r.int("id")?),
            organization_id: AccountId(r.int("organization_id")?),
            person_id: AccountId(r.int("person_id")?),
            roles: roles_from_db(r.text("roles")?)?,
            granted_by: r.opt_int("granted_by")?.map(AccountId),
            created_at: Timestamp(r.int("created_at")?),
            effective_from: r.opt_int("effective_from")?.map(Timestamp),
            expires_at: r.opt_int("expires_at")?.map(Timestamp),
            version: r.int("version")?,
            changed_by: r.opt_int("changed_by")?.map(AccountId),
            changed_at: Timestamp(r.int("changed_at")?),
            expiry_noticed_at: r.opt_int("expiry_noticed_at")?.map(Timestamp),
        })
    }
}

/// `roles` as stored: catalogue codes, space-separated, catalogue order.
fn roles_to_db(roles: &[Role]) -> String {
    let mut sorted = roles.to_vec();
    sorted.sort();
    sorted.dedup();
    sorted.iter().map(|r| r.code()).collect::<Vec<_>>().join(" ")
}

fn roles_from_db(s: &str) -> Result<Vec<Role>, StoreError> {
    let mut roles = s.split_whitespace().map(Role::from_db).collect::<Result<Vec<_>, _>>()?;
    roles.sort();
    roles.dedup();
    if roles.is_empty() {
        return Err(StoreError::Other("a grant without roles".into()));
    }
    Ok(roles)
}

const COLUMNS: &str = "id, organization_id, person_id, roles, granted_by, created_at, effective_from, expires_at, version, changed_by, changed_at, expiry_noticed_at";

/// A grant as it is created.
#[derive(Debug, Clone)]
pub struct NewGrant<'a> {
    pub organization: AccountId,
    pub person: AccountId,
    pub roles: &'a [Role],
    /// `None`: the system.
    pub granted_by: Option<AccountId>,
    pub effective_from: Option<Timestamp>,
    pub expires_at: Option<Timestamp>,
}

/// Creates a grant; a grant of that person in that organization already
/// there is a unique violation on `grants.organization_id, grants.person_id`
/// (a lost race: the caller answers with the grant that won).
pub async fn create<D: Database>(tx: &Transaction<'_, D>, new: &NewGrant<'_>, now: Timestamp) -> Result<GrantId, StoreError> {
    let rows = tx
        .execute(
            "INSERT INTO grants (organization_id, person_id, roles, granted_by, created_at, effective_from, expires_at, version, changed_by, changed_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id",
            &[
                new.organization.into(),
                new.person.into(),
                roles_to_db(new.roles).into(),
                new.granted_by.into(),
                now.millis().into(),
                new.effective_from.map(Timestamp::millis).into(),
                new.expires_at.map(Timestamp::millis).into(),
                new.granted_by.into(),
                now.millis().into(),
            ],
        )
        .await?;
    Ok(GrantId(rows.first().ok_or_else(|| StoreError::Other("INSERT ... RETURNING gave no row".into()))?.int("id")?))
}

/// The legacy conversion's grant (FAQ preface): `role` in `organization`
/// for `person`, in force from now, without end. A grant of the person in
/// that organization already there gets the role added (a role it holds
/// already: nothing changes).
pub async fn insert<D: Database>(
    tx: &Transaction<'_, D>,
    organization: AccountId,
    person: AccountId,
    role: Role,
    granted_by: Option<AccountId>,
    now: Timestamp,
) -> Result<(), StoreError> {
    match of_pair(tx, organization, person).await? {
        Some(g) if g.has(role) => Ok(()),
        Some(g) => {
            let mut roles = g.roles.clone();
            roles.push(role);
            let change = Change { roles: &roles, effective_from: g.effective_from, expires_at: g.expires_at, by: granted_by };
            update(tx, g.id, g.version, &change, now).await.map(drop)
        }
        None => {
            let new = NewGrant { organization, person, roles: &[role], granted_by, effective_from: None, expires_at: None };
            create(tx, &new, now).await.map(drop)
        }
    }
}

/// What a change sets: the whole new state.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    pub roles: &'a [Role],
    pub effective_from: Option<Timestamp>,
    pub expires_at: Option<Timestamp>,
    pub by: Option<AccountId>,
}

/// Changes a grant if it is still at `version`; `None` when it is not (it
/// changed or was revoked meanwhile: nothing is written). The new version
/// otherwise.
pub async fn update<D: Database>(
    tx: &Transaction<'_, D>,
    id: GrantId,
    version: i64,
    change: &Change<'_>,
    now: Timestamp,
) -> Result<Option<i64>, StoreError> {
    let rows = tx
        .execute(
            "UPDATE grants SET roles = ?1, effective_from = ?2, expires_at = ?3, changed_by = ?4, changed_at = ?5, version = version + 1,
                    expiry_noticed_at = CASE WHEN expires_at IS ?3 THEN expiry_noticed_at END
              WHERE id = ?6 AND version = ?7 RETURNING version",
            &[
                roles_to_db(change.roles).into(),
                change.effective_from.map(Timestamp::millis).into(),
                change.expires_at.map(Timestamp::millis).into(),
                change.by.into(),
                now.millis().into(),
                id.into(),
                version.into(),
            ],
        )
        .await?;
    rows.first().map(|r| r.int("version")).transpose()
}

/// Deletes a grant if it is still at `version`; whether it did.
pub async fn delete<D: Database>(tx: &Transaction<'_, D>, id: GrantId, version: i64) -> Result<bool, StoreError> {
    let rows = tx.execute("DELETE FROM grants WHERE id = ? AND version = ? RETURNING id", &[id.into(), version.into()]).await?;
    Ok(!rows.is_empty())
}

pub async fn find<S: Store>(store: &S, id: GrantId) -> Result<Option<Grant>, StoreError> {
    let rows = store.execute(&format!("SELECT {COLUMNS} FROM grants WHERE id = ?"), &[id.into()]).await?;
    rows.first().map(Grant::from_row).transpose()
}

/// The grant of `person` in `organization`, if any.
pub async fn of_pair<S: Store>(store: &S, organization: AccountId, person: AccountId) -> Result<Option<Grant>, StoreError> {
    let rows = store
        .execute(&format!("SELECT {COLUMNS} FROM grants WHERE organization_id = ? AND person_id = ?"), &[organization.into(), person.into()])
        .await?;
    rows.first().map(Grant::from_row).transpose()
}

/// Every grant a person holds, in force or not, by organization.
pub async fn of_person<S: Store>(store: &S, person: AccountId) -> Result<Vec<Grant>, StoreError> {
    let rows = store.execute(&format!("SELECT {COLUMNS} FROM grants WHERE person_id = ? ORDER BY organization_id"), &[person.into()]).await?;
    rows.iter().map(Grant::from_row).collect()
}

/// Every grant of an organization, in force or not, oldest first.
pub async fn of_organization<S: Store>(store: &S, organization: AccountId) -> Result<Vec<Grant>, StoreError> {
    let rows =
        store.execute(&format!("SELECT {COLUMNS} FROM grants WHERE organization_id = ? ORDER BY id"), &[organization.into()]).await?;
    rows.iter().map(Grant::from_row).collect()
}

/// The roles `person` holds in `organization` at `now`, in catalogue order
/// (none when the grant is not in force).
pub async fn roles_in_force<S: Store>(store: &S, person: AccountId, organization: AccountId, now: Timestamp) -> Result<Vec<Role>, StoreError> {
    Ok(of_pair(store, organization, person).await?.filter(|g| g.in_force(now)).map(|g| g.roles).unwrap_or_default())
}

/// Grants that expire after `after` and no later than `until` (`(after,
/// until]`: a grant expiring at `after` has expired) and whose expiry
/// notice has not gone out yet (scheduled work), soonest expiry first, at
/// most `limit`. A changed expiry is noticed again.
pub async fn expiring_between<S: Store>(store: &S, after: Timestamp, until: Timestamp, limit: u32) -> Result<Vec<Grant>, StoreError> {
    let rows = store
        .execute(
            &format!(
                "SELECT {COLUMNS} FROM grants WHERE expires_at > ? AND expires_at <= ? AND expiry_noticed_at IS NULL ORDER BY expires_at, id LIMIT ?"
            ),
            &[after.millis().into(), until.millis().into(), i64::from(limit).into()],
        )
        .await?;
    rows.iter().map(Grant::from_row).collect()
}

/// Claims the expiry notice of a grant: records it at `now` if the grant
/// still expires at `expires_at` and was not noticed yet (a guarded
/// update: of two overlapping ticks one wins). Whether this call did.
pub async fn mark_expiry_noticed<D: Database>(
    tx: &Transaction<'_, D>,
    id: GrantId,
    expires_at: Timestamp,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let rows = tx
        .execute(
            "UPDATE grants SET expiry_noticed_at = ? WHERE id = ? AND expires_at = ? AND expiry_noticed_at IS NULL RETURNING id",
            &[now.millis().into(), id.into(), expires_at.millis().into()],
        )
        .await?;
    Ok(!rows.is_empty())
}

/// Gives an organization roles of the catalogue (its first entry was
/// approved: every role); roles it holds already are kept.
pub async fn give_organization_roles<D: Database>(
    tx: &Transaction<'_, D>,
    organization: AccountId,
    roles: &[Role],
    now: Timestamp,
) -> Result<(), StoreError> {
    for role in roles {
        tx.execute(
            "INSERT INTO organization_roles (organization_id, role, granted_at) VALUES (?, ?, ?)
             ON CONFLICT (organization_id, role) DO NOTHING",
            &[organization.into(), role.code().into(), now.millis().into()],
        )
        .await?;
    }
    Ok(())
}

/// The roles an organization itself holds (none before its first entry
/// was approved), in catalogue order.
pub async fn organization_roles<S: Store>(store: &S, organization: AccountId) -> Result<Vec<Role>, StoreError> {
    let rows = store.execute("SELECT role FROM organization_roles WHERE organization_id = ?", &[organization.into()]).await?;
    let mut roles = rows.iter().map(|r| Role::from_db(r.text("role")?)).collect::<Result<Vec<_>, _>>()?;
    roles.sort();
    Ok(roles)
}

#[cfg(test)]
mod tests;
