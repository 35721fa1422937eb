//! Who may administer an organization's grants (FAQ 4.1, 4.4): the legal
//! entity itself once its first entry into the foreign-work system was
//! approved (it then holds every role of its organization), or a natural
//! person holding `grant_admin` there in force today. Asked again on every
//! request, so a revocation or an expiry takes effect on the next one.

use super::{Role, organization_roles, roles_in_force};
use crate::account::{self, Account, AccountKind};
use crate::audit::Actor;
use crate::clock::Timestamp;
use crate::error::{AppError, AppResult};
use crate::guidance::Guidance;
use crate::ids::AccountId;
use crate::store::{Store, StoreError};
use serde_json::{Value, json};

/// Where FAQ 4.4 sends a legal entity that was not onboarded yet.
pub const WORK_PERMIT_ENTRY: &str = "/entry/work-permit";

/// An account acting as an administrator of one organization's grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Administrator {
    /// Who acts (the legal entity, or the natural person).
    pub account: AccountId,
    pub organization: AccountId,
    /// The organization's own legal-entity account.
    pub legal_entity: bool,
    /// The roles it holds there: what it may grant, add and remove.
    pub roles: Vec<Role>,
}

impl Administrator {
    pub fn holds(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn actor(&self) -> Actor {
        Actor::Account(self.account)
    }

    pub fn to_json(&self) -> Value {
        json!({
            "organization_id": self.organization,
            "as": if self.legal_entity { "legal_entity" } else { "grant_admin" },
            "roles": self.roles.iter().map(|r| r.to_json()).collect::<Vec<_>>(),
        })
    }
}

/// Whether an organization was onboarded: its first entry into the
/// foreign-work system was approved, so it holds its roles.
pub async fn organization_onboarded<S: Store>(store: &S, organization: AccountId) -> Result<bool, StoreError> {
    Ok(!organization_roles(store, organization).await?.is_empty())
}

/// FAQ 4.4: a legal entity that was not onboarded has no roles to grant
/// yet; the way out is the first entry and its review.
pub fn not_onboarded() -> AppError {
    AppError::new(
        "grants.organization_not_onboarded",
        403,
        "本单位尚未获得外国人来华工作管理服务系统的权限：请先在“服务事项”中进入外国人来华工作管理服务系统，填写单位信息并通过首次进入审核，之后才能给自然人授权。",
        "The organization holds no roles of the foreign-work system yet: first enter the foreign-work system from the service items, fill in the organization's information and pass the first-entry review; then it can authorize natural persons.",
    )
    .with_guidance(
        Guidance::new(
            "grants.enter_foreign_work_system_first",
            "进入外国人来华工作管理服务系统并通过首次进入审核后，法人账号即获得本系统的全部角色，可以给自然人授权。",
            "Once the first entry into the foreign-work system was approved, the legal entity holds every role of the system and can authorize natural persons.",
        )
        .action(WORK_PERMIT_ENTRY, "进入外国人来华工作许可办理业务入口", "Go to the work-permit entry"),
    )
}

pub fn not_administrator() -> AppError {
    AppError::new(
        "grants.not_administrator",
        403,
        "您不是该单位的授权管理员：只有单位本身（法人账号）或持有有效“授权管理员”角色的自然人才能管理该单位的授权。",
        "You are not an administrator of this organization: only the organization's own legal-entity account, or a natural person holding the grant-administrator role in force, manages its grants.",
    )
    .with_field("organization")
}

/// `actor` as an administrator of `organization` at `now`, or why not.
pub async fn administrator<S: Store>(store: &S, actor: &Account, organization: AccountId, now: Timestamp) -> AppResult<Administrator> {
    match actor.kind {
        AccountKind::LegalEntity if actor.id == organization => {
            let roles = organization_roles(store, organization).await?;
            if roles.is_empty() {
                return Err(not_onboarded());
            }
            Ok(Administrator { account: actor.id, organization, legal_entity: true, roles })
        }
        AccountKind::LegalEntity => Err(not_administrator()),
        AccountKind::NaturalPerson => {
            let held = roles_in_force(store, actor.id, organization, now).await?;
            if !held.contains(&Role::GrantAdmin) {
                return Err(not_administrator());
            }
            // A person holds, in an organization, at most what the
            // organization holds.
            let org_roles = organization_roles(store, organization).await?;
            let roles: Vec<Role> = held.into_iter().filter(|r| org_roles.contains(r)).collect();
            if !roles.contains(&Role::GrantAdmin) {
                return Err(not_administrator());
            }
            Ok(Administrator { account: actor.id, organization, legal_entity: false, roles })
        }
    }
}

/// The organizations `actor` may administer now, each with the roles it
/// holds there; a legal entity not onboarded yet gets FAQ 4.4's answer.
pub async fn administered<S: Store>(store: &S, actor: &Account, now: Timestamp) -> AppResult<Value> {
    let mut out = Vec::new();
    match actor.kind {
        AccountKind::LegalEntity => {
            let admin = administrator(store, actor, actor.id, now).await?;
            out.push(organization_json(actor, &admin));
        }
        AccountKind::NaturalPerson => {
            for g in super::of_person(store, actor.id).await? {
                if !g.in_force(now) || !g.has(Role::GrantAdmin) {
                    continue;
                }
                let Ok(admin) = administrator(store, actor, g.organization_id, now).await else { continue };
                if let Some(org) = account::find_by_id(store, g.organization_id).await? {
                    out.push(organization_json(&org, &admin));
                }
            }
            if out.is_empty() {
                return Err(not_administrator().with_field("account"));
            }
        }
    }
    Ok(json!({ "organizations": out }))
}

fn organization_json(org: &Account, admin: &Administrator) -> Value {
    let mut v = admin.to_json();
    v["org_name"] = json!(org.organization.as_ref().map(|o| o.name.as_str()));
    v["uscc"] = json!(org.organization.as_ref().map(|o| o.uscc.as_str()));
    v
}
