//! The registration flow's queries.

use super::AccountKind;
use crate::clock::Timestamp;
use crate::identity::{Document, LoginName, OrgName, Uscc};
use crate::store::{Store, StoreError, Value};

/// Whether `key` (a case-folded login name) is taken, as a login name or as
/// a legacy alias.
pub async fn login_name_registered<S: Store>(store: &S, key: &str) -> Result<bool, StoreError> {
    let rows = store
        .execute(
            "SELECT EXISTS (SELECT 1 FROM accounts WHERE login_name_key = ?1)
                 OR EXISTS (SELECT 1 FROM login_name_aliases WHERE alias_key = ?1) AS taken",
            &[key.into()],
        )
        .await?;
    Ok(rows.first().map(|r| r.int("taken")).transpose()?.unwrap_or(0) != 0)
}

/// Which of an organization's identifiers an existing account holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrganizationConflict {
    Uscc,
    OrgName,
}

/// The account (and the conflict) already holding this organization name
/// or USCC, if any; the USCC wins when both match.
pub async fn organization_holder<S: Store>(
    store: &S,
    org_name: &OrgName,
    uscc: &Uscc,
) -> Result<Option<(i64, AccountKind, OrganizationConflict)>, StoreError> {
    let rows = store
        .execute(
            "SELECT id, kind, uscc = ?2 AS same_uscc FROM accounts WHERE org_name_key = ?1 OR uscc = ?2
              ORDER BY same_uscc DESC LIMIT 1",
            &[org_name.key().into(), uscc.as_str().into()],
        )
        .await?;
    let Some(r) = rows.first() else { return Ok(None) };
    let conflict = if r.int("same_uscc")? != 0 { OrganizationConflict::Uscc } else { OrganizationConflict::OrgName };
    Ok(Some((r.int("id")?, AccountKind::from_db(r.text("kind")?)?, conflict)))
}

/// The account a document (type and number) is bound to, if any.
pub async fn document_holder<S: Store>(store: &S, doc: &Document) -> Result<Option<(i64, AccountKind)>, StoreError> {
    let rows = store
        .execute(
            "SELECT id, kind FROM accounts WHERE document_type = ? AND document_number = ?",
            &[doc.doc_type().code().into(), doc.number().into()],
        )
        .await?;
    rows.first().map(|r| Ok((r.int("id")?, AccountKind::from_db(r.text("kind")?)?))).transpose()
}

/// Whether a document (type and number) is bound to an account already.
pub async fn document_registered<S: Store>(store: &S, doc: &Document) -> Result<bool, StoreError> {
    Ok(document_holder(store, doc).await?.is_some())
}

/// Everything an account row is created with.
#[derive(Debug, Clone)]
pub struct NewAccountRow<'a> {
    pub kind: AccountKind,
    pub login_name: &'a LoginName,
    pub password_hash: Option<&'a str>,
    pub reserved_mobile: Option<&'a str>,
    pub organization: Option<(&'a OrgName, &'a Uscc)>,
    pub person: Option<(&'a str, &'a Document)>,
    pub legacy_old_name: Option<&'a str>,
    pub converted_from_legacy: bool,
}

impl<'a> NewAccountRow<'a> {
    pub fn new(kind: AccountKind, login_name: &'a LoginName) -> Self {
        NewAccountRow {
            kind,
            login_name,
            password_hash: None,
            reserved_mobile: None,
            organization: None,
            person: None,
            legacy_old_name: None,
            converted_from_legacy: false,
        }
    }
}

/// Inserts the account row; the unique indexes on login name, org name,
/// USCC and document decide a race. Returns the new account id.
pub async fn insert_account<S: Store>(store: &S, row: &NewAccountRow<'_>, now: Timestamp) -> Result<i64, StoreError> {
    let text = |v: Option<&str>| Value::from(v.map(str::to_owned));
    let rows = store
        .execute(
            "INSERT INTO accounts (kind, login_name, login_name_key, created_at, password_hash, reserved_mobile,
                                   org_name, org_name_key, uscc, real_name, document_type, document_number, nationality,
                                   legacy_old_name, converted_from_legacy)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            &[
                row.kind.as_str().into(),
                row.login_name.as_str().into(),
                row.login_name.key().into(),
                now.millis().into(),
                text(row.password_hash),
                text(row.reserved_mobile),
                text(row.organization.map(|(n, _)| n.as_str())),
                row.organization.map(|(n, _)| n.key()).into(),
                text(row.organization.map(|(_, u)| u.as_str())),
                text(row.person.map(|(name, _)| name)),
                text(row.person.map(|(_, d)| d.doc_type().code())),
                text(row.person.map(|(_, d)| d.number())),
                text(row.person.and_then(|(_, d)| d.nationality()).map(|c| c.code)),
                text(row.legacy_old_name),
                i64::from(row.converted_from_legacy).into(),
            ],
        )
        .await?;
    rows.first().ok_or_else(|| StoreError::Other("INSERT returned no id".into()))?.int("id")
}

/// A bare account with only a login name (tests and tools).
pub async fn create_account_record<S: Store>(
    store: &S,
    kind: AccountKind,
    login_name: &LoginName,
    now: Timestamp,
) -> Result<i64, StoreError> {
    insert_account(store, &NewAccountRow::new(kind, login_name), now).await
}
