//! Grants (用户授权管理, flow 6): which natural persons act for which
//! organization, with which [`Role`]s of the role catalogue
//! ([`roles`]), and the roles an organization itself holds once its first
//! entry into the foreign-work system was approved (the legal entity holds
//! every role of its organization; `organization_roles`). This module holds
//! every query on `grants` and `organization_roles`.
//!
//! A grant is in force from its effective date up to its expiry
//! ([`Grant::in_force`], the one check every reader uses); both dates are
//! optional (none: from its creation, without end). Grant management
//! (issue 12) sets them; today the legacy conversion (FAQ preface) creates
//! grants without dates. Revoking a grant deletes its rows.

pub mod roles;

pub use roles::Role;

use crate::clock::Timestamp;
use crate::ids::AccountId;
use crate::store::{Database, Row, Store, StoreError, Transaction};

/// One role a natural person holds in an organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub organization_id: AccountId,
    pub person_id: AccountId,
    pub role: Role,
    /// Who granted it (`None`: the system, e.g. the legacy conversion).
    pub granted_by: Option<AccountId>,
    pub created_at: Timestamp,
    /// In force from (`None`: from its creation).
    pub effective_from: Option<Timestamp>,
    /// In force until, exclusive (`None`: no end).
    pub expires_at: Option<Timestamp>,
}

impl Grant {
    /// Whether the grant counts at `now`: from its effective date up to its
    /// expiry. Every place a grant is used asks this, so an expired grant
    /// stops working at once, without a job.
    pub fn in_force(&self, now: Timestamp) -> bool {
        self.effective_from.is_none_or(|from| from <= now) && self.expires_at.is_none_or(|until| now < until)
    }

    fn from_row(r: Row<'_>) -> Result<Grant, StoreError> {
        Ok(Grant {
            organization_id: AccountId(r.int("organization_id")?),
            person_id: AccountId(r.int("person_id")?),
            role: Role::from_db(r.text("role")?)?,
            granted_by: r.opt_int("granted_by")?.map(AccountId),
            created_at: Timestamp(r.int("created_at")?),
            effective_from: r.opt_int("effective_from")?.map(Timestamp),
            expires_at: r.opt_int("expires_at")?.map(Timestamp),
        })
    }
}

const COLUMNS: &str = "organization_id, person_id, role, granted_by, created_at, effective_from, expires_at";

/// A new grant of `role` in `organization` to `person` (`granted_by`:
/// `None` for the system), in force from now, without end. A grant of the
/// same role already there is kept as it is.
pub async fn insert<D: Database>(
    tx: &Transaction<'_, D>,
    organization: AccountId,
    person: AccountId,
    role: Role,
    granted_by: Option<AccountId>,
    now: Timestamp,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO grants (organization_id, person_id, role, granted_by, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (organization_id, person_id, role) DO NOTHING",
        &[organization.into(), person.into(), role.code().into(), granted_by.into(), now.millis().into()],
    )
    .await
    .map(drop)
}

/// Every grant a person holds, in force or not, by organization.
pub async fn of_person<S: Store>(store: &S, person: AccountId) -> Result<Vec<Grant>, StoreError> {
    let rows =
        store.execute(&format!("SELECT {COLUMNS} FROM grants WHERE person_id = ? ORDER BY organization_id, role"), &[person.into()]).await?;
    rows.iter().map(Grant::from_row).collect()
}

/// Every grant of an organization, in force or not, by person.
pub async fn of_organization<S: Store>(store: &S, organization: AccountId) -> Result<Vec<Grant>, StoreError> {
    let rows = store
        .execute(&format!("SELECT {COLUMNS} FROM grants WHERE organization_id = ? ORDER BY person_id, role"), &[organization.into()])
        .await?;
    rows.iter().map(Grant::from_row).collect()
}

/// The roles `person` holds in `organization` at `now`, in catalogue order.
pub async fn roles_in_force<S: Store>(store: &S, person: AccountId, organization: AccountId, now: Timestamp) -> Result<Vec<Role>, StoreError> {
    let mut roles: Vec<Role> =
        of_person(store, person).await?.into_iter().filter(|g| g.organization_id == organization && g.in_force(now)).map(|g| g.role).collect();
    roles.sort();
    roles.dedup();
    Ok(roles)
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
