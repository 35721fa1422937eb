//! Granting, changing and revoking (FAQ 4.1, 4.2) with the subset rule:
//! an administrator grants, adds and removes only roles it holds in the
//! organization ([`super::Administrator::roles`]; the legal entity holds
//! them all), and leaves the roles it lacks exactly as they were; nobody
//! grants themselves, or changes or revokes their own grant; revoking a
//! whole grant needs every role on it, else only the administrator's own
//! roles are removed from it. A grant's dates apply to all its roles, so
//! changing them needs every role on it too.
//!
//! Every change names the version it read: of two racing changes the
//! second gets `409 grants.changed_meanwhile` with the current state.
//! Every grant, change and revocation is in the audit log with the actor,
//! the organization, the person, the roles and the dates before and after;
//! every refused attempt too (`grants.refused`), with what was tried.

use super::admin::{Administrator, administrator};
use super::dates::{self, Period};
use super::{Change, Grant, GrantState, NewGrant, Role};
use crate::account::{self, Account, AccountKind};
use crate::audit::{self, Actor};
use crate::clock::{Clock, Timestamp};
use crate::error::{AppError, AppResult};
use crate::identity::{DocumentType, country, mask};
use crate::ids::{AccountId, GrantId};
use crate::store::{Database, Store, in_transaction};
use serde::Deserialize;
use serde_json::{Value, json};

/// `POST /api/grants/organizations/{org}/grants`.
#[derive(Debug, Clone, Deserialize)]
pub struct GrantForm {
    /// A verified natural person, as the search found them.
    pub person_id: i64,
    pub roles: Vec<String>,
    #[serde(default)]
    pub effective_from: Option<String>,
    #[serde(default)]
    pub expires_at: Option<String>,
}

/// `PUT /api/grants/organizations/{org}/grants/{grant}`: the grant's whole
/// new state and the version it was read at.
#[derive(Debug, Clone, Deserialize)]
pub struct ChangeForm {
    pub version: i64,
    pub roles: Vec<String>,
    #[serde(default)]
    pub effective_from: Option<String>,
    #[serde(default)]
    pub expires_at: Option<String>,
}

/// `DELETE /api/grants/organizations/{org}/grants/{grant}`.
#[derive(Debug, Clone, Deserialize)]
pub struct RevokeForm {
    pub version: i64,
}

fn roles_required() -> AppError {
    AppError::new(
        "grants.roles_required",
        400,
        "请至少勾选一个授权角色；要取消全部授权，请使用“撤销授权”。",
        "Tick at least one role; to withdraw the whole grant, revoke it.",
    )
    .with_field("roles")
}

/// The ticked roles: known codes, at least one.
pub fn parse_roles(codes: &[String]) -> AppResult<Vec<Role>> {
    let mut roles = Vec::new();
    for code in codes {
        let role = Role::parse(code.trim()).ok_or_else(|| {
            let known: Vec<&str> = Role::ALL.iter().map(|r| r.code()).collect();
            AppError::new(
                "grants.role_unknown",
                400,
                format!("没有“{code}”这一角色；可授予的角色：{}。", known.join("、")),
                format!("There is no role “{code}”; the roles are: {}.", known.join(", ")),
            )
            .with_field("roles")
            .with_details(json!({ "role": code, "roles": known }))
        })?;
        roles.push(role);
    }
    roles.sort();
    roles.dedup();
    if roles.is_empty() { Err(roles_required()) } else { Ok(roles) }
}

fn role_not_held(role: Role, admin: &Administrator) -> AppError {
    let (zh, en) = role.label();
    AppError::new(
        "grants.role_not_held",
        403,
        format!("您在本单位没有“{zh}”角色，不能授予、增加或移除它（只能授予自己拥有的角色）。"),
        format!("You do not hold the role “{en}” in this organization, so you cannot grant, add or remove it (you grant only roles you hold)."),
    )
    .with_field("roles")
    .with_details(json!({ "role": role.code(), "held": admin.roles.iter().map(|r| r.code()).collect::<Vec<_>>() }))
}

fn self_grant() -> AppError {
    AppError::new("grants.self_grant", 403, "不能给自己授权。", "You cannot grant yourself.").with_field("person_id")
}

fn own_grant() -> AppError {
    AppError::new(
        "grants.own_grant",
        403,
        "不能修改或撤销自己的授权，请由本单位的其他管理员操作。",
        "You cannot change or revoke your own grant; another administrator of the organization can.",
    )
    .with_field("grant")
}

fn person_not_found() -> AppError {
    AppError::new(
        "grants.person_not_found",
        404,
        "找不到这位自然人：只能给已完成实名认证的自然人授权，请先按真实姓名搜索。",
        "No such natural person: only natural persons whose real-name verification passed can be granted; search them by real name first.",
    )
    .with_field("person_id")
}

fn grant_not_found() -> AppError {
    AppError::new("grants.grant_not_found", 404, "本单位没有这条授权。", "The organization has no such grant.").with_field("grant")
}

fn dates_need_every_role(role: Role) -> AppError {
    let (zh, en) = role.label();
    AppError::new(
        "grants.dates_need_every_role",
        403,
        format!("这条授权含有您没有的“{zh}”角色，授权有效期对它同样适用，因此您不能修改有效期。"),
        format!("This grant holds the role “{en}”, which you lack; its dates apply to that role too, so you cannot change them."),
    )
    .with_field("expires_at")
    .with_details(json!({ "role": role.code() }))
}

/// A person as an administrator sees them: enough to pick the right one,
/// no more (the document number masked: `E1****678`).
pub fn person_json(p: &Account) -> Value {
    let doc = p.document.as_ref();
    let nationality = doc.and_then(|d| d.nationality.as_deref()).and_then(country);
    json!({
        "id": p.id,
        "real_name": p.real_name,
        "document_type": doc.map(|d| d.doc_type.code()),
        "document_type_label_zh": doc.map(|d| d.doc_type.label_zh()),
        "document_type_label_en": doc.map(|d| d.doc_type.label_en()),
        "document_masked": doc.map(|d| mask(&d.number, 2, 3)),
        "nationality": nationality.map(|c| c.code),
        "nationality_label_zh": nationality.map(|c| c.zh).or(doc.filter(|d| d.doc_type == DocumentType::ResidentId).map(|_| "中国")),
        "nationality_label_en": nationality.map(|c| c.en).or(doc.filter(|d| d.doc_type == DocumentType::ResidentId).map(|_| "China")),
    })
}

fn period_of(g: &Grant) -> Period {
    Period { effective_from: g.effective_from, expires_at: g.expires_at }
}

fn roles_json(roles: &[Role]) -> Vec<&'static str> {
    roles.iter().map(|r| r.code()).collect()
}

fn name_of(a: &Account) -> Option<String> {
    a.organization.as_ref().map(|o| o.name.as_str().to_owned()).or_else(|| a.real_name.clone())
}

/// A grant as the API shows it; with `admin`, also what that administrator
/// may do with it.
pub async fn grant_json<S: Store>(store: &S, g: &Grant, now: Timestamp, admin: Option<&Administrator>) -> AppResult<Value> {
    let person = account::find_by_id(store, g.person_id).await?;
    let granted_by = match g.granted_by {
        Some(id) => account::find_by_id(store, id).await?,
        None => None,
    };
    let state: GrantState = g.state(now);
    let (state_zh, state_en) = state.label();
    let dates = dates::to_json(period_of(g));
    let mut v = json!({
        "id": g.id,
        "version": g.version,
        "organization_id": g.organization_id,
        "person": person.as_ref().map(person_json),
        "roles": g.roles.iter().map(|r| r.to_json()).collect::<Vec<_>>(),
        "effective_from": dates["effective_from"],
        "expires_at": dates["expires_at"],
        "state": state.code(),
        "state_label_zh": state_zh,
        "state_label_en": state_en,
        "in_force": g.in_force(now),
        "granted_by": g.granted_by,
        "granted_by_name": granted_by.as_ref().and_then(name_of),
        "created_at": g.created_at.millis(),
        "changed_at": g.changed_at.millis(),
    });
    v["expiry_notice"] = expiry_notice(g, state);
    if let Some(admin) = admin {
        let lacking: Vec<&str> = g.roles.iter().filter(|r| !admin.holds(**r)).map(|r| r.code()).collect();
        let own = g.person_id == admin.account;
        v["own"] = json!(own);
        v["roles_you_lack"] = json!(lacking);
        v["can_change"] = json!(!own);
        v["can_change_dates"] = json!(!own && lacking.is_empty());
        v["can_revoke"] = json!(!own && g.roles.iter().any(|r| admin.holds(*r)));
        v["revoke_removes_only_your_roles"] = json!(!lacking.is_empty());
    }
    Ok(v)
}

/// The notice the scheduled work gave of a grant's coming expiry
/// (`crate::schedule::grant_expiry`), while the grant has not expired:
/// when, the last day in force, and the text in both languages. `null`
/// otherwise.
fn expiry_notice(g: &Grant, state: GrantState) -> Value {
    let (Some(noticed_at), Some(last_day)) = (g.expiry_noticed_at, dates::last_day(g.expires_at)) else { return Value::Null };
    if state == GrantState::Expired {
        return Value::Null;
    }
    json!({
        "noticed_at": noticed_at.millis(),
        "last_day": last_day.to_string(),
        "label_zh": format!("即将到期：该授权将于 {last_day} 到期（当天仍有效），到期后被授权人不能再代表本单位办理。"),
        "label_en": format!("Expires soon: this grant expires on {last_day} (still in force that day); after that the person can no longer act for the organization."),
    })
}

fn changed_meanwhile(current: Option<Value>) -> AppError {
    AppError::new(
        "grants.changed_meanwhile",
        409,
        "这条授权刚刚被其他管理员修改或撤销，您的修改没有保存；请查看它现在的状态后再操作。",
        "Another administrator changed or revoked this grant a moment ago, so your change was not saved; look at its current state and try again.",
    )
    .with_details(json!({ "current": current }))
}

/// Grant management for one request.
pub struct Grants<'a, D> {
    pub db: &'a D,
    pub clock: &'a dyn Clock,
}

impl<D: Database> Grants<'_, D> {
    /// `GET /api/grants/organizations/{org}`: the organization's grants
    /// with their state and dates, the roles the administrator holds and
    /// the catalogue.
    pub async fn organization(&self, actor: &Account, organization: AccountId) -> AppResult<Value> {
        let now = self.clock.now();
        let admin = administrator(self.db, actor, organization, now).await?;
        let org = account::find_by_id(self.db, organization).await?.ok_or_else(AppError::not_found)?;
        let mut grants = Vec::new();
        for g in super::of_organization(self.db, organization).await? {
            grants.push(grant_json(self.db, &g, now, Some(&admin)).await?);
        }
        Ok(json!({
            "organization": {
                "id": org.id,
                "org_name": org.organization.as_ref().map(|o| o.name.as_str()),
                "uscc": org.organization.as_ref().map(|o| o.uscc.as_str()),
            },
            "administrator": admin.to_json(),
            "roles": super::roles::catalogue_json(),
            "grants": grants,
        }))
    }

    /// Records a refused attempt (never a server fault) and passes the
    /// error on.
    async fn refused(&self, actor: &Account, organization: AccountId, attempt: &str, tried: Value, e: AppError) -> AppError {
        if e.status >= 500 {
            return e;
        }
        let mut detail = json!({ "attempt": attempt, "code": e.code, "organization": organization.audit_subject() });
        if let (Some(d), Value::Object(t)) = (detail.as_object_mut(), tried) {
            d.extend(t);
        }
        match audit::record(self.db, self.clock, &Actor::Account(actor.id), "grants.refused", Some(&organization.audit_subject()), detail).await
        {
            Ok(()) => e,
            Err(store) => store.into(),
        }
    }

    /// `POST`: grants `form.roles` to a verified natural person.
    pub async fn grant(&self, actor: &Account, organization: AccountId, form: &GrantForm) -> AppResult<Value> {
        let tried = json!({
            "person": AccountId(form.person_id).audit_subject(), "roles_after": form.roles,
            "effective_from": form.effective_from, "expires_at": form.expires_at,
        });
        match self.try_grant(actor, organization, form).await {
            Ok(v) => Ok(v),
            Err(e) => Err(self.refused(actor, organization, "grant", tried, e).await),
        }
    }

    async fn try_grant(&self, actor: &Account, organization: AccountId, form: &GrantForm) -> AppResult<Value> {
        let now = self.clock.now();
        let admin = administrator(self.db, actor, organization, now).await?;
        let (roles, period) = parse_form(&form.roles, form.effective_from.as_deref(), form.expires_at.as_deref(), now, None)?;
        let person_id = AccountId(form.person_id);
        if person_id == actor.id {
            return Err(self_grant());
        }
        let person = account::find_by_id(self.db, person_id)
            .await?
            .filter(|p| p.kind == AccountKind::NaturalPerson && p.identity_verified_at.is_some())
            .ok_or_else(person_not_found)?;
        if let Some(r) = roles.iter().find(|r| !admin.holds(**r)) {
            return Err(role_not_held(*r, &admin));
        }
        if let Some(existing) = super::of_pair(self.db, organization, person.id).await? {
            return Err(self.already_granted(&existing, &admin).await);
        }
        let new = NewGrant {
            organization,
            person: person.id,
            roles: &roles,
            granted_by: Some(actor.id),
            effective_from: period.effective_from,
            expires_at: period.expires_at,
        };
        let created = in_transaction(self.db, async |tx| {
            let id = match super::create(tx, &new, now).await {
                Ok(id) => id,
                Err(e) if e.is_unique_on("grants.organization_id") || e.is_unique_on("grants.person_id") => return Ok(None),
                Err(e) => return Err(AppError::from(e)),
            };
            let detail = json!({
                "organization": organization.audit_subject(), "person": person.id.audit_subject(),
                "as": if admin.legal_entity { "legal_entity" } else { "grant_admin" },
                "roles_before": [], "roles_after": roles_json(&roles),
                "dates_before": null, "dates_after": dates::to_json(period),
            });
            audit::record(tx, self.clock, &admin.actor(), "grants.granted", Some(&id.audit_subject()), detail).await?;
            Ok::<_, AppError>(Some(id))
        })
        .await?;
        let Some(id) = created else {
            // A racing grant of the same person won.
            let existing = super::of_pair(self.db, organization, person.id).await?.ok_or_else(AppError::internal)?;
            return Err(self.already_granted(&existing, &admin).await);
        };
        let g = super::find(self.db, id).await?.ok_or_else(AppError::internal)?;
        grant_json(self.db, &g, now, Some(&admin)).await
    }

    async fn already_granted(&self, existing: &Grant, admin: &Administrator) -> AppError {
        let current = match grant_json(self.db, existing, self.clock.now(), Some(admin)).await {
            Ok(v) => v,
            Err(e) => return e,
        };
        AppError::new(
            "grants.already_granted",
            409,
            "这位自然人已有本单位的授权：请在“授权用户管理”中修改这条授权。",
            "This natural person already holds a grant of the organization: change that grant in grant management.",
        )
        .with_field("person_id")
        .with_details(json!({ "current": current }))
    }

    /// The grant `id` of `organization` (another organization's is a 404).
    async fn grant_of(&self, organization: AccountId, id: GrantId) -> AppResult<Grant> {
        super::find(self.db, id).await?.filter(|g| g.organization_id == organization).ok_or_else(grant_not_found)
    }

    async fn current_json(&self, id: GrantId, admin: &Administrator) -> AppResult<Option<Value>> {
        match super::find(self.db, id).await? {
            Some(g) => Ok(Some(grant_json(self.db, &g, self.clock.now(), Some(admin)).await?)),
            None => Ok(None),
        }
    }

    /// `PUT`: the grant's new roles and dates, if it is still at the
    /// version the administrator read.
    pub async fn change(&self, actor: &Account, organization: AccountId, id: GrantId, form: &ChangeForm) -> AppResult<Value> {
        let tried = json!({
            "grant": id.audit_subject(), "version": form.version, "roles_after": form.roles,
            "effective_from": form.effective_from, "expires_at": form.expires_at,
        });
        match self.try_change(actor, organization, id, form).await {
            Ok(v) => Ok(v),
            Err(e) => Err(self.refused(actor, organization, "change", tried, e).await),
        }
    }

    async fn try_change(&self, actor: &Account, organization: AccountId, id: GrantId, form: &ChangeForm) -> AppResult<Value> {
        let now = self.clock.now();
        let admin = administrator(self.db, actor, organization, now).await?;
        let g = self.grant_of(organization, id).await?;
        if g.person_id == actor.id {
            return Err(own_grant());
        }
        let (roles, period) = parse_form(&form.roles, form.effective_from.as_deref(), form.expires_at.as_deref(), now, g.expires_at)?;
        if form.version != g.version {
            return Err(changed_meanwhile(Some(grant_json(self.db, &g, now, Some(&admin)).await?)));
        }
        for role in Role::ALL {
            if !admin.holds(role) && g.has(role) != roles.contains(&role) {
                return Err(role_not_held(role, &admin));
            }
        }
        if period != period_of(&g)
            && let Some(lacking) = g.roles.iter().find(|r| !admin.holds(**r))
        {
            return Err(dates_need_every_role(*lacking));
        }
        if roles == g.roles && period == period_of(&g) {
            return grant_json(self.db, &g, now, Some(&admin)).await;
        }
        let change = Change { roles: &roles, effective_from: period.effective_from, expires_at: period.expires_at, by: Some(actor.id) };
        let updated = in_transaction(self.db, async |tx| {
            let Some(version) = super::update(tx, g.id, g.version, &change, now).await? else { return Ok(None) };
            let detail = json!({
                "organization": organization.audit_subject(), "person": g.person_id.audit_subject(),
                "as": if admin.legal_entity { "legal_entity" } else { "grant_admin" },
                "version": version,
                "roles_before": roles_json(&g.roles), "roles_after": roles_json(&roles),
                "dates_before": dates::to_json(period_of(&g)), "dates_after": dates::to_json(period),
            });
            audit::record(tx, self.clock, &admin.actor(), "grants.changed", Some(&g.id.audit_subject()), detail).await?;
            Ok::<_, AppError>(Some(version))
        })
        .await?;
        if updated.is_none() {
            return Err(changed_meanwhile(self.current_json(g.id, &admin).await?));
        }
        let g = super::find(self.db, id).await?.ok_or_else(AppError::internal)?;
        grant_json(self.db, &g, now, Some(&admin)).await
    }

    /// `DELETE`: revokes the whole grant when the administrator holds every
    /// role on it; otherwise removes only the administrator's own roles
    /// from it (the others stay as they are).
    pub async fn revoke(&self, actor: &Account, organization: AccountId, id: GrantId, form: &RevokeForm) -> AppResult<Value> {
        let tried = json!({ "grant": id.audit_subject(), "version": form.version });
        match self.try_revoke(actor, organization, id, form).await {
            Ok(v) => Ok(v),
            Err(e) => Err(self.refused(actor, organization, "revoke", tried, e).await),
        }
    }

    async fn try_revoke(&self, actor: &Account, organization: AccountId, id: GrantId, form: &RevokeForm) -> AppResult<Value> {
        let now = self.clock.now();
        let admin = administrator(self.db, actor, organization, now).await?;
        let g = self.grant_of(organization, id).await?;
        if g.person_id == actor.id {
            return Err(own_grant());
        }
        if form.version != g.version {
            return Err(changed_meanwhile(Some(grant_json(self.db, &g, now, Some(&admin)).await?)));
        }
        let remaining: Vec<Role> = g.roles.iter().copied().filter(|r| !admin.holds(*r)).collect();
        if remaining.len() == g.roles.len() {
            return Err(role_not_held(g.roles[0], &admin));
        }
        let base = json!({
            "organization": organization.audit_subject(), "person": g.person_id.audit_subject(),
            "as": if admin.legal_entity { "legal_entity" } else { "grant_admin" },
            "roles_before": roles_json(&g.roles), "roles_after": roles_json(&remaining),
            "dates_before": dates::to_json(period_of(&g)),
        });
        let done = in_transaction(self.db, async |tx| {
            let mut detail = base.clone();
            let action = if remaining.is_empty() {
                if !super::delete(tx, g.id, g.version).await? {
                    return Ok(false);
                }
                detail["dates_after"] = Value::Null;
                "grants.revoked"
            } else {
                let change = Change { roles: &remaining, effective_from: g.effective_from, expires_at: g.expires_at, by: Some(actor.id) };
                let Some(version) = super::update(tx, g.id, g.version, &change, now).await? else { return Ok(false) };
                detail["version"] = json!(version);
                detail["dates_after"] = dates::to_json(period_of(&g));
                "grants.roles_removed"
            };
            audit::record(tx, self.clock, &admin.actor(), action, Some(&g.id.audit_subject()), detail).await?;
            Ok::<_, AppError>(true)
        })
        .await?;
        if !done {
            return Err(changed_meanwhile(self.current_json(g.id, &admin).await?));
        }
        Ok(json!({
            "revoked": remaining.is_empty(),
            "removed_roles": roles_json(&g.roles.iter().copied().filter(|r| admin.holds(*r)).collect::<Vec<_>>()),
            "grant": self.current_json(g.id, &admin).await?,
        }))
    }
}

/// The roles and dates of a form, every mistake at once.
fn parse_form(
    roles: &[String],
    effective_from: Option<&str>,
    expires_at: Option<&str>,
    now: Timestamp,
    unchanged_expiry: Option<Timestamp>,
) -> AppResult<(Vec<Role>, Period)> {
    match (parse_roles(roles), dates::parse(effective_from, expires_at, now, unchanged_expiry)) {
        (Ok(r), Ok(p)) => Ok((r, p)),
        (r, p) => Err(AppError::combine([r.err(), p.err()].into_iter().flatten().collect()).expect("an error")),
    }
}
