//! Accounts: the two kinds (`docs/design.md`, "Who uses it"), and every query on
//! the `accounts` and `login_name_aliases` tables (Vaultwarden's
//! `db/models/user.rs` shape: the table's module holds its queries; no other
//! module writes SQL on them). Fields are typed as they were parsed at the
//! edge: the reserved mobile is a [`Mobile`], the organization an
//! [`OrgName`] and a [`Uscc`], the document a [`DocumentType`] and number.

mod queries;

pub use queries::{
    CREDENTIALS, NewAccount, OrganizationConflict, add_alias, change_reserved_mobile, document_held_elsewhere, document_holder,
    find_by_id, find_by_login, insert, login_name_registered, login_names_registered, org_name_registered, organization_held_elsewhere,
    SESSION_OWNER, organization_holder, replace_mobile, set_password, set_verified_organization, set_verified_person, uscc_registered,
    verified_persons_named,
};

use crate::error::{AppError, AppResult};
use crate::identity::{DocumentType, Mobile, OrgName, Uscc, normalize_input};
use crate::ids::AccountId;
use crate::store::StoreError;
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountKind {
    LegalEntity,
    NaturalPerson,
}

impl AccountKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::LegalEntity => "legal_entity",
            AccountKind::NaturalPerson => "natural_person",
        }
    }

    pub fn from_db(s: &str) -> Result<AccountKind, StoreError> {
        match s {
            "legal_entity" => Ok(AccountKind::LegalEntity),
            "natural_person" => Ok(AccountKind::NaturalPerson),
            other => Err(StoreError::Other(format!("unknown account kind {other:?}"))),
        }
    }

    /// The account type a user picks at login (`account_type`).
    pub fn parse(input: Option<&str>) -> AppResult<AccountKind> {
        match input.map(str::trim) {
            Some("legal_entity") => Ok(AccountKind::LegalEntity),
            Some("natural_person") => Ok(AccountKind::NaturalPerson),
            _ => Err(AppError::new(
                "auth.account_type_required",
                400,
                "请选择登录类型：法人登录（单位用户）或自然人登录。",
                "Choose the login type: legal-entity login (organizations) or natural-person login.",
            )
            .with_field("account_type")),
        }
    }

    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            AccountKind::LegalEntity => ("法人（单位用户）", "legal entity (organization)"),
            AccountKind::NaturalPerson => ("自然人", "natural person"),
        }
    }
}

/// An organization as a legal-entity account holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    pub name: OrgName,
    pub uscc: Uscc,
}

/// A natural person's identity document as the account holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldDocument {
    pub doc_type: DocumentType,
    /// The normalized number.
    pub number: String,
    /// ISO 3166-1 alpha-3, where the document has one.
    pub nationality: Option<String>,
}

impl HeldDocument {
    pub fn masked(&self) -> String {
        mask_middle(&self.number)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    pub id: AccountId,
    pub kind: AccountKind,
    pub login_name: String,
    pub reserved_mobile: Option<Mobile>,
    /// A legal entity's organization.
    pub organization: Option<Organization>,
    /// A natural person's real name.
    pub real_name: Option<String>,
    pub document: Option<HeldDocument>,
    /// The old system's login name (a migrated account logs in with it too).
    pub legacy_old_name: Option<String>,
    /// A legacy legal-entity account that became a natural person acting
    /// for its organization (FAQ preface).
    pub converted_from_legacy: bool,
    /// When the account's own identity (a natural person's, or a legal
    /// entity's organization) last passed real-name verification (flow 5).
    pub identity_verified_at: Option<crate::clock::Timestamp>,
}

impl Account {
    /// What the account's owner (and the UI) sees: never a hash, the
    /// mobile and the document number only masked.
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "kind": self.kind.as_str(),
            "login_name": self.login_name,
            "org_name": self.organization.as_ref().map(|o| o.name.as_str()),
            "uscc": self.organization.as_ref().map(|o| o.uscc.as_str()),
            "real_name": self.real_name,
            "document_type": self.document.as_ref().map(|d| d.doc_type.code()),
            "document_masked": self.document.as_ref().map(HeldDocument::masked),
            "mobile_masked": self.reserved_mobile.as_ref().map(Mobile::masked),
            "legacy_old_name": self.legacy_old_name,
            "identity_verified": self.identity_verified_at.is_some(),
        })
    }
}

/// 138****1234 for mainland numbers; keeps the country code and the last 4
/// digits of others.
pub fn mask_mobile(m: &str) -> String {
    match Mobile::parse(m) {
        Ok(mobile) => mobile.masked(),
        Err(_) => mask_middle(m),
    }
}

pub(crate) fn mask_middle(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= 4 {
        return "*".repeat(chars.len());
    }
    let keep_start = if chars.len() > 8 { 3 } else { 1 };
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| if i < keep_start || i + 4 >= chars.len() { *c } else { '*' })
        .collect()
}

/// The key a typed login name is looked up by: full width folded, trimmed,
/// ASCII case folded. Lenient on purpose: legacy old names predate today's
/// login-name format.
pub fn login_key(typed: &str) -> String {
    normalize_input(typed).to_ascii_lowercase()
}

#[cfg(test)]
mod tests;
