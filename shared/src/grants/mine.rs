//! The person's side (FAQ 7): "organizations that authorized me" (法人（单位）
//! 授权办理情况, under my info): each organization with the roles, the dates,
//! whether the grant is in force and whether the organization was
//! onboarded. A person holding `grant_admin` there in force completes and
//! corrects the organization's info from this list (FAQ 7(1)): the
//! organization's own real-name verification runs, with the person as the
//! actor ([`crate::verification::MyInfo::acting_person`]); without it the
//! info is read-only. A person without any grant is pointed to registering
//! the organization (FAQ 7(2) -> FAQ 2).

use super::dates;
use super::{Grant, Role, organization_onboarded};
use crate::account::{self, Account, AccountKind};
use crate::clock::{Clock, Timestamp};
use crate::error::{AppError, AppResult};
use crate::guidance::Guidance;
use crate::i18n::Lang;
use crate::ids::AccountId;
use crate::store::Store;
use serde_json::{Value, json};

fn natural_persons_only() -> AppError {
    AppError::new(
        "grants.natural_persons_only",
        403,
        "“法人（单位）授权办理情况”是自然人账号的：法人账号请在“用户授权管理”中查看本单位的授权。",
        "“Organizations that authorized me” belongs to natural-person accounts; a legal entity sees its grants in grant management.",
    )
    .with_guidance(Guidance::new("grants.see_grant_management", "查看本单位的授权。", "See the organization's grants.").action(
        "/grants",
        "用户授权管理",
        "Grant management",
    ))
}

/// FAQ 7(2): without a grant, register the organization first.
pub fn register_organization_guidance() -> Guidance {
    Guidance::new(
        "grants.no_authorization",
        "您还没有任何法人（单位）的授权。请由单位的管理员给您授权；若单位尚未注册，请先按“新用户注册”注册法人账号。",
        "No organization has authorized you yet. Ask the organization's administrator to authorize you; if the organization is not registered yet, register its legal-entity account first.",
    )
    .action("/register/legal-entity", "注册法人账号", "Register a legal entity")
}

fn editable(g: &Grant, now: Timestamp) -> bool {
    g.in_force(now) && g.has(Role::GrantAdmin)
}

/// `GET /api/grants/mine`.
pub async fn mine<S: Store>(store: &S, clock: &dyn Clock, actor: &Account) -> AppResult<Value> {
    if actor.kind != AccountKind::NaturalPerson {
        return Err(natural_persons_only());
    }
    let now = clock.now();
    let mut out = Vec::new();
    for g in super::of_person(store, actor.id).await? {
        let Some(org) = account::find_by_id(store, g.organization_id).await? else { continue };
        let state = g.state(now);
        let (state_zh, state_en) = state.label();
        let period = dates::to_json(dates::Period { effective_from: g.effective_from, expires_at: g.expires_at });
        out.push(json!({
            "grant_id": g.id,
            "organization": {
                "id": org.id,
                "org_name": org.organization.as_ref().map(|o| o.name.as_str()),
                "uscc": org.organization.as_ref().map(|o| o.uscc.as_str()),
                "identity_verified": org.identity_verified_at.is_some(),
            },
            "roles": g.roles.iter().map(|r| r.to_json()).collect::<Vec<_>>(),
            "effective_from": period["effective_from"],
            "expires_at": period["expires_at"],
            "state": state.code(),
            "state_label_zh": state_zh,
            "state_label_en": state_en,
            "in_force": g.in_force(now),
            "onboarded": organization_onboarded(store, org.id).await?,
            "can_edit_organization": editable(&g, now),
        }));
    }
    let mut body = json!({ "organizations": out });
    if out_is_empty(&body) {
        body["guidance"] = register_organization_guidance().to_json(Lang::Zh);
    }
    Ok(body)
}

fn out_is_empty(body: &Value) -> bool {
    body["organizations"].as_array().is_none_or(Vec::is_empty)
}

fn not_authorized_by() -> AppError {
    AppError::new(
        "grants.not_authorized_by_organization",
        404,
        "该单位没有给您授权。",
        "This organization has not authorized you.",
    )
    .with_field("organization")
    .with_guidance(register_organization_guidance())
}

fn read_only() -> AppError {
    AppError::new(
        "grants.organization_info_read_only",
        403,
        "只有持有该单位有效“授权管理员”角色的自然人才能完善和修改单位信息；您只能查看。",
        "Only a natural person holding the organization's grant-administrator role in force completes and corrects its info; you can only look at it.",
    )
    .with_field("organization")
}

/// The organization a person acts for from the list, and whether they may
/// edit its info: a grant of it (in force or not) to see it; `grant_admin`
/// in force to edit it.
pub async fn authorizing_organization<S: Store>(
    store: &S,
    actor: &Account,
    organization: AccountId,
    now: Timestamp,
    to_edit: bool,
) -> AppResult<Account> {
    if actor.kind != AccountKind::NaturalPerson {
        return Err(natural_persons_only());
    }
    let g = super::of_pair(store, organization, actor.id).await?.ok_or_else(not_authorized_by)?;
    if to_edit && !editable(&g, now) {
        return Err(read_only());
    }
    let org = account::find_by_id(store, organization).await?.ok_or_else(not_authorized_by)?;
    if org.kind != AccountKind::LegalEntity {
        return Err(not_authorized_by());
    }
    Ok(org)
}

/// `GET /api/my-info/organizations/{org}` (component `verification`): the
/// authorizing organization's info as "my info" shows it to the
/// organization itself, and whether this person may edit it (FAQ 7(1)).
pub async fn organization_info<S: Store>(
    store: &S,
    clock: &dyn Clock,
    actor: &Account,
    organization: AccountId,
    service_configured: bool,
) -> AppResult<Value> {
    let now = clock.now();
    let org = authorizing_organization(store, actor, organization, now, false).await?;
    let g = super::of_pair(store, organization, actor.id).await?.ok_or_else(not_authorized_by)?;
    let mut info = crate::verification::view::my_info(store, clock, &org, service_configured).await?;
    info["editable"] = json!(editable(&g, now));
    info["acting_person"] = json!(actor.id);
    Ok(info)
}
