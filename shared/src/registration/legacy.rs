//! Import of accounts from the old foreign-work system (FAQ preface, 1).
//!
//! Input: JSON lines, one old account each:
//! `{"old_login_name": "acme", "kind": "legal_entity", "org_name": "...",
//!   "uscc": "...", "mobile": "...", "password_hash": "$pbkdf2-sha256$..."}` or
//! `{"old_login_name": "zhang", "kind": "natural_person", "real_name": "...",
//!   "document_type": "resident_id", "document_number": "...", ...}`.
//!
//! Each becomes an account with login name `WP` + old name and the old name
//! as an alias (so both log in). An account this import created earlier for
//! the same old name is skipped; any other account that holds `WP` + old
//! name or the old name (as its login name or an alias) is a conflict,
//! reported on the line with the account it collides with, and nothing is
//! imported for it (registration refuses `WP` names, so only accounts
//! created before that rule, or another old account, can collide). A
//! legal-entity line whose organization
//! already has a legal-entity account becomes a natural-person account
//! holding that organization's grant of the `business` role (办理业务). A password hash in PHC
//! form (argon2, pbkdf2-sha256, bcrypt) is kept and upgraded at the first
//! login; without one the account must reset its password by SMS first.

use crate::account::{self, Account, AccountKind, OrganizationConflict};
use crate::audit::{self, Actor};
use crate::clock::Clock;
use crate::digest::constant_time_eq;
use crate::error::{AppError, AppResult};
use crate::grants::{self, Role};
use crate::identity::{
    CivilDate, Document, DocumentType, LEGACY_PREFIX, LoginName, Mobile, OrgName, PersonName, Uscc, normalize_input,
};
use crate::ids::AccountId;
use crate::store::{Database, StoreError, Transaction};
use serde::Deserialize;
use serde_json::{Value, json};

/// The role a converted legacy account holds in its organization: the
/// catalogue's "handle business" (the old system's foreign-work right).
pub const CONVERTED_ROLE: Role = Role::Business;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegacyRecord {
    pub old_login_name: String,
    pub kind: String,
    #[serde(default)]
    pub org_name: Option<String>,
    #[serde(default)]
    pub uscc: Option<String>,
    #[serde(default)]
    pub real_name: Option<String>,
    #[serde(default)]
    pub document_type: Option<String>,
    #[serde(default)]
    pub document_number: Option<String>,
    #[serde(default)]
    pub nationality: Option<String>,
    #[serde(default)]
    pub mobile: Option<String>,
    #[serde(default)]
    pub password_hash: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Created { account_id: AccountId, login_name: String },
    /// Became a natural-person account with the organization's grant.
    Converted { account_id: AccountId, login_name: String, organization_id: AccountId },
    /// An earlier import created this old account's `WP` + old name
    /// already: nothing changed.
    Skipped { login_name: String },
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct ImportReport {
    pub created: u32,
    pub converted: u32,
    pub skipped: u32,
    pub errors: Vec<(usize, AppError)>,
    pub outcomes: Vec<(usize, Outcome)>,
}

impl ImportReport {
    pub fn to_json(&self) -> Value {
        json!({
            "created": self.created,
            "converted": self.converted,
            "skipped": self.skipped,
            "errors": self.errors.iter().map(|(line, e)| json!({
                "line": line, "code": e.code, "field": e.field,
                "message_zh": e.message.zh, "message_en": e.message.en, "details": e.details,
            })).collect::<Vec<_>>(),
            "accounts": self.outcomes.iter().map(|(line, o)| match o {
                Outcome::Created { account_id, login_name } =>
                    json!({"line": line, "result": "created", "account_id": account_id, "login_name": login_name}),
                Outcome::Converted { account_id, login_name, organization_id } =>
                    json!({"line": line, "result": "converted_to_natural_person", "account_id": account_id,
                           "login_name": login_name, "organization_id": organization_id}),
                Outcome::Skipped { login_name } =>
                    json!({"line": line, "result": "skipped_existing", "login_name": login_name}),
            }).collect::<Vec<_>>(),
        })
    }
}

/// The import as the endpoint runs it: `Authorization: Bearer <token>`
/// against the `legacy_import_token` setting ([`authorize`]), a UTF-8 body
/// of JSON lines, then [`import`]; the refusal and the import are in the
/// audit log.
pub async fn import_authorized<D: Database>(
    db: &D,
    clock: &dyn Clock,
    expected_token: Option<&str>,
    authorization: Option<&str>,
    client: &str,
    body: &[u8],
) -> AppResult<ImportReport> {
    let body = authorize(db, clock, expected_token, authorization, client, body).await?;
    let report = import(db, clock, body).await?;
    audit::record(
        db,
        clock,
        &Actor::System,
        "legacy.import",
        None,
        json!({ "created": report.created, "converted": report.converted, "skipped": report.skipped, "errors": report.errors.len() }),
    )
    .await?;
    Ok(report)
}

/// What every import of the old system's data checks first (the accounts
/// here, the business records in `crate::entry::legacy`): the setting
/// unset, the endpoint does not exist (404); a missing or wrong bearer
/// token is 401, audited; the body must be UTF-8 (it is returned as text).
pub async fn authorize<'b, D: Database>(
    db: &D,
    clock: &dyn Clock,
    expected_token: Option<&str>,
    authorization: Option<&str>,
    client: &str,
    body: &'b [u8],
) -> AppResult<&'b str> {
    let expected = expected_token.ok_or_else(AppError::not_found)?;
    let given = authorization.and_then(|h| h.strip_prefix("Bearer ")).unwrap_or("");
    if !constant_time_eq(given.trim(), expected) {
        audit::record(db, clock, &Actor::Client(client.to_owned()), "legacy.import_refused", None, json!({})).await?;
        return Err(AppError::new(
            "legacy.unauthorized",
            401,
            "导入需要有效的管理令牌。",
            "The import needs a valid administration token.",
        )
        .with_header("www-authenticate", "Bearer"));
    }
    std::str::from_utf8(body).map_err(|_| {
        AppError::new("legacy.not_utf8", 400, "导入内容须为 UTF-8 编码的 JSON 行。", "The import must be UTF-8 JSON lines.")
            .with_field("body")
    })
}

/// Imports every line; each line is its own transaction, so one bad line
/// loses nothing else. Lines are numbered from 1.
pub async fn import<D: Database>(store: &D, clock: &dyn Clock, body: &str) -> Result<ImportReport, StoreError> {
    let mut report = ImportReport::default();
    for (i, line) in body.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let record = match serde_json::from_str::<LegacyRecord>(line) {
            Ok(r) => r,
            Err(e) => {
                report.errors.push((n, line_error("legacy.invalid_line", &format!("第 {n} 行不是有效的记录：{e}"), &format!("Line {n} is not a valid record: {e}"))));
                continue;
            }
        };
        let tx = store.begin().await?;
        let outcome = match import_one(&tx, clock, &record).await {
            Ok(outcome) => tx.commit().await.map(|()| outcome).map_err(Failure::Store),
            Err(e) => Err(e),
        };
        match outcome {
            Ok(outcome) => {
                match &outcome {
                    Outcome::Created { .. } => report.created += 1,
                    Outcome::Converted { .. } => report.converted += 1,
                    Outcome::Skipped { .. } => report.skipped += 1,
                }
                report.outcomes.push((n, outcome));
            }
            Err(Failure::Invalid(e)) => report.errors.push((n, e)),
            Err(Failure::Store(e)) => return Err(e),
        }
    }
    Ok(report)
}

enum Failure {
    Invalid(AppError),
    Store(StoreError),
}

impl From<AppError> for Failure {
    fn from(e: AppError) -> Self {
        Failure::Invalid(e)
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Failure::Store(e)
    }
}

fn line_error(code: &'static str, zh: &str, en: &str) -> AppError {
    AppError::new(code, 400, zh, en)
}

/// The name a line needs (`WP` + old name, or the old name as an alias) is
/// held by another account: a conflict for the operator to resolve, naming
/// that account, never a silent skip.
fn name_held(code: &'static str, needed: &str, holder: &Account) -> AppError {
    let held_by = holder.login_name.as_str();
    AppError::new(
        code,
        409,
        format!("原系统账号需要的登录名“{needed}”已被账号“{held_by}”占用，未导入。请核实后处理该账号，再重新导入本行。"),
        format!("The login name “{needed}” this old account needs is held by the account “{held_by}”; not imported. Resolve that account, then import this line again."),
    )
    .with_field("old_login_name")
    .with_details(json!({ "login_name": needed, "held_by": held_by, "held_by_account_id": holder.id }))
}

async fn import_one<D: Database>(store: &Transaction<'_, D>, clock: &dyn Clock, r: &LegacyRecord) -> Result<Outcome, Failure> {
    let old = normalize_input(&r.old_login_name);
    if old.is_empty() || old.chars().count() > 48 || old.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(line_error(
            "legacy.old_login_name_invalid",
            "原登录名为空、过长或含空白字符。",
            "The old login name is empty, too long or contains white space.",
        )
        .with_field("old_login_name")
        .into());
    }
    let login_name = LoginName::parse(&format!("{LEGACY_PREFIX}{old}")).map_err(|e| e.with_field("old_login_name"))?;
    let key = login_name.key();
    let alias_key = account::login_key(&old);
    if let Some(holder) = account::find_by_login(store, &key).await? {
        let imported_before = holder.login_name.eq_ignore_ascii_case(login_name.as_str())
            && holder.legacy_old_name.as_deref().is_some_and(|o| account::login_key(o) == alias_key);
        if imported_before {
            return Ok(Outcome::Skipped { login_name: holder.login_name });
        }
        return Err(name_held("legacy.login_name_conflict", login_name.as_str(), &holder).into());
    }
    if let Some(holder) = account::find_by_login(store, &alias_key).await? {
        return Err(name_held("legacy.old_login_name_conflict", &old, &holder).into());
    }
    let mobile = match r.mobile.as_deref().filter(|m| !m.trim().is_empty()) {
        Some(m) => Some(Mobile::parse(m)?),
        None => None,
    };
    let password_hash = match r.password_hash.as_deref().map(str::trim).filter(|h| !h.is_empty()) {
        Some(h) if h.starts_with('$') => Some(h.to_owned()),
        Some(_) => {
            return Err(line_error(
                "legacy.password_hash_format",
                "密码哈希须为 PHC 格式（以 $ 开头，如 $pbkdf2-sha256$…）。",
                "The password hash must be in PHC form (starting with $, e.g. $pbkdf2-sha256$...).",
            )
            .with_field("password_hash")
            .into());
        }
        None => None,
    };
    let today = CivilDate::today_in_china(clock);

    let (kind, org, person, organization_id) = match r.kind.as_str() {
        "legal_entity" => {
            let org_name = OrgName::parse(r.org_name.as_deref().unwrap_or(""))?;
            let uscc = Uscc::parse(r.uscc.as_deref().unwrap_or(""))?;
            match account::organization_holder(store, &org_name, &uscc).await? {
                // FAQ preface: the organization (same USCC) has its
                // legal-entity account already; this old account becomes a
                // natural person acting for it.
                Some((id, AccountKind::LegalEntity, OrganizationConflict::Uscc)) => {
                    (AccountKind::NaturalPerson, None, None, Some(id))
                }
                // Only the name matches, under another USCC (or not a legal
                // entity): not the same organization; no grant without review.
                Some(_) => return Err(super::guidance::org_name_taken().into()),
                None => (AccountKind::LegalEntity, Some((org_name, uscc)), None, None),
            }
        }
        "natural_person" => {
            let name = PersonName::parse(r.real_name.as_deref().unwrap_or("")).map_err(|e| e.with_field("real_name"))?;
            let doc_type = DocumentType::parse(r.document_type.as_deref().unwrap_or(""))?;
            let doc = Document::parse(doc_type, r.document_number.as_deref().unwrap_or(""), r.nationality.as_deref(), today)?;
            if account::document_holder(store, &doc).await?.is_some() {
                return Err(super::guidance::document_taken().into());
            }
            (AccountKind::NaturalPerson, None, Some((name, doc)), None)
        }
        _ => {
            return Err(line_error(
                "legacy.kind_unknown",
                "kind 须为 legal_entity 或 natural_person。",
                "kind must be legal_entity or natural_person.",
            )
            .with_field("kind")
            .into());
        }
    };

    let row = account::NewAccount {
        password_hash: password_hash.as_deref(),
        reserved_mobile: mobile.as_ref(),
        organization: org.as_ref().map(|(n, u)| (n, u)),
        person: person.as_ref().map(|(n, d)| (n.as_str(), d)),
        legacy_old_name: Some(&old),
        converted_from_legacy: organization_id.is_some(),
        ..account::NewAccount::new(kind, &login_name)
    };
    let account_id = account::insert(store, &row, clock.now()).await?;
    account::add_alias(store, &old, account_id).await?;
    if let Some(org_id) = organization_id {
        grants::insert(store, org_id, account_id, CONVERTED_ROLE, None, clock.now()).await?;
    }
    audit::record(
        store,
        clock,
        &Actor::System,
        "legacy.account_imported",
        Some(&account_id.audit_subject()),
        json!({ "login_name": login_name.as_str(), "kind": kind.as_str(), "converted_for_organization": organization_id }),
    )
    .await?;
    let login_name = login_name.as_str().to_owned();
    Ok(match organization_id {
        Some(organization_id) => Outcome::Converted { account_id, login_name, organization_id },
        None => Outcome::Created { account_id, login_name },
    })
}
