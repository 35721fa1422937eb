//! Every query on `accounts` and `login_name_aliases`.

use super::{Account, AccountKind, HeldDocument, Organization};
use crate::clock::Timestamp;
use crate::credentials::CredentialTable;
use crate::session::SessionOwner;
use crate::identity::{Document, DocumentType, LoginName, Mobile, OrgName, PersonName, Uscc};
use crate::ids::AccountId;
use crate::store::{Database, Row, Store, StoreError, Transaction, Value};

const COLUMNS: &str = "a.id, a.kind, a.login_name, a.reserved_mobile, a.org_name, a.uscc, a.real_name, \
    a.document_type, a.document_number, a.nationality, a.legacy_old_name, a.converted_from_legacy, a.identity_verified_at";

fn corrupt(column: &str, value: &str) -> StoreError {
    StoreError::Other(format!("accounts.{column} holds {value:?}, which does not parse"))
}

fn account_from(r: Row<'_>) -> Result<Account, StoreError> {
    let text = |c: &str| r.opt_text(c);
    let reserved_mobile = text("reserved_mobile")?
        .map(|m| Mobile::parse(m).map_err(|_| corrupt("reserved_mobile", m)))
        .transpose()?;
    let organization = match (text("org_name")?, text("uscc")?) {
        (Some(name), Some(uscc)) => Some(Organization {
            name: OrgName::parse(name).map_err(|_| corrupt("org_name", name))?,
            uscc: Uscc::parse(uscc).map_err(|_| corrupt("uscc", uscc))?,
        }),
        _ => None,
    };
    let document = match (text("document_type")?, text("document_number")?) {
        (Some(t), Some(number)) => Some(HeldDocument {
            doc_type: DocumentType::parse(t).map_err(|_| corrupt("document_type", t))?,
            number: number.to_owned(),
            nationality: text("nationality")?.map(str::to_owned),
        }),
        _ => None,
    };
    Ok(Account {
        id: AccountId(r.int("id")?),
        kind: AccountKind::from_db(r.text("kind")?)?,
        login_name: r.text("login_name")?.to_owned(),
        reserved_mobile,
        organization,
        real_name: text("real_name")?.map(str::to_owned),
        document,
        legacy_old_name: text("legacy_old_name")?.map(str::to_owned),
        converted_from_legacy: r.int("converted_from_legacy")? != 0,
        identity_verified_at: r.opt_int("identity_verified_at")?.map(Timestamp),
    })
}

/// The accounts table as a session's owner ([`crate::session`]: a session
/// and its account are read in one statement).
pub const SESSION_OWNER: SessionOwner<Account> = SessionOwner { table: "accounts a", key: "a.id", columns: COLUMNS, from_row: account_from };

/// The account a typed login name (its key, [`super::login_key`]) belongs
/// to: its own login name, or a legacy alias.
pub async fn find_by_login<S: Store>(store: &S, key: &str) -> Result<Option<Account>, StoreError> {
    let rows = store
        .execute(
            &format!(
                "SELECT {COLUMNS} FROM accounts a WHERE a.login_name_key = ?1
                 UNION ALL
                 SELECT {COLUMNS} FROM login_name_aliases l JOIN accounts a ON a.id = l.account_id WHERE l.alias_key = ?1
                 LIMIT 1"
            ),
            &[key.into()],
        )
        .await?;
    rows.first().map(account_from).transpose()
}

pub async fn find_by_id<S: Store>(store: &S, id: AccountId) -> Result<Option<Account>, StoreError> {
    let rows = store.execute(&format!("SELECT {COLUMNS} FROM accounts a WHERE a.id = ?"), &[id.into()]).await?;
    rows.first().map(account_from).transpose()
}

/// Natural persons whose real-name verification passed and whose verified
/// real name is `name` (grant management's search, FAQ 4.3: by real name,
/// never by login name), at most `limit`, oldest account first.
pub async fn verified_persons_named<S: Store>(store: &S, name: &PersonName, limit: i64) -> Result<Vec<Account>, StoreError> {
    let rows = store
        .execute(
            &format!(
                "SELECT {COLUMNS} FROM accounts a
                  WHERE a.real_name = ? AND a.kind = 'natural_person' AND a.identity_verified_at IS NOT NULL
                  ORDER BY a.id LIMIT ?"
            ),
            &[name.as_str().into(), limit.into()],
        )
        .await?;
    rows.iter().map(account_from).collect()
}

/// The accounts table as the credential check ([`crate::credentials`])
/// sees it: a login name or a legacy alias names the account.
pub const CREDENTIALS: CredentialTable = CredentialTable {
    table: "accounts",
    realm: "account",
    id_by_login_key: "SELECT id FROM accounts WHERE login_name_key = ?1
                      UNION ALL
                      SELECT account_id AS id FROM login_name_aliases WHERE alias_key = ?1
                      LIMIT 1",
};

/// Whether `key` (a case-folded login name) is taken, as a login name or as
/// a legacy alias.
pub async fn login_name_registered<S: Store>(store: &S, key: &str) -> Result<bool, StoreError> {
    Ok(login_names_registered(store, key, None).await?.0)
}

/// Whether the login name of `key` is registered (a login name or a legacy
/// alias), and the same for `other` when given: one statement for the two
/// (the registration check asks for a name and its migrated form).
pub async fn login_names_registered<S: Store>(store: &S, key: &str, other: Option<&str>) -> Result<(bool, bool), StoreError> {
    let rows = store
        .execute(
            "SELECT EXISTS (SELECT 1 FROM accounts WHERE login_name_key = ?1)
                 OR EXISTS (SELECT 1 FROM login_name_aliases WHERE alias_key = ?1) AS taken,
                    ?2 IS NOT NULL AND (EXISTS (SELECT 1 FROM accounts WHERE login_name_key = ?2)
                 OR EXISTS (SELECT 1 FROM login_name_aliases WHERE alias_key = ?2)) AS other_taken",
            &[key.into(), other.map(str::to_owned).into()],
        )
        .await?;
    let row = rows.first().ok_or_else(|| StoreError::Other("EXISTS returned no row".into()))?;
    Ok((row.int("taken")? != 0, row.int("other_taken")? != 0))
}

async fn exists<S: Store>(store: &S, sql: &str, value: Value) -> Result<bool, StoreError> {
    let rows = store.execute(sql, &[value]).await?;
    Ok(rows.first().map(|r| r.int("e")).transpose()?.unwrap_or(0) != 0)
}

/// Whether an account holds this organization name (ignoring case and width).
pub async fn org_name_registered<S: Store>(store: &S, name: &OrgName) -> Result<bool, StoreError> {
    exists(store, "SELECT EXISTS (SELECT 1 FROM accounts WHERE org_name_key = ?) AS e", name.key().into()).await
}

/// Whether an account holds this USCC.
pub async fn uscc_registered<S: Store>(store: &S, uscc: &Uscc) -> Result<bool, StoreError> {
    exists(store, "SELECT EXISTS (SELECT 1 FROM accounts WHERE uscc = ?) AS e", uscc.as_str().into()).await
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
) -> Result<Option<(AccountId, AccountKind, OrganizationConflict)>, StoreError> {
    let rows = store
        .execute(
            "SELECT id, kind, uscc IS ?2 AS same_uscc FROM accounts WHERE org_name_key = ?1
             UNION ALL
             SELECT id, kind, 1 AS same_uscc FROM accounts WHERE uscc = ?2
             ORDER BY same_uscc DESC LIMIT 1",
            &[org_name.key().into(), uscc.as_str().into()],
        )
        .await?;
    let Some(r) = rows.first() else { return Ok(None) };
    let conflict = if r.int("same_uscc")? != 0 { OrganizationConflict::Uscc } else { OrganizationConflict::OrgName };
    Ok(Some((AccountId(r.int("id")?), AccountKind::from_db(r.text("kind")?)?, conflict)))
}

/// The account a document (type and number) is bound to, if any.
pub async fn document_holder<S: Store>(store: &S, doc: &Document) -> Result<Option<(AccountId, AccountKind)>, StoreError> {
    let rows = store
        .execute(
            "SELECT id, kind FROM accounts WHERE document_type = ? AND document_number = ?",
            &[doc.doc_type().code().into(), doc.number().into()],
        )
        .await?;
    rows.first().map(|r| Ok((AccountId(r.int("id")?), AccountKind::from_db(r.text("kind")?)?))).transpose()
}

/// Which of an organization's identifiers an account other than `except`
/// holds (the USCC first), if any: a legal entity's verification may not
/// take another account's organization (FAQ 3.4).
pub async fn organization_held_elsewhere<S: Store>(
    store: &S,
    org_name: &OrgName,
    uscc: &Uscc,
    except: AccountId,
) -> Result<Option<OrganizationConflict>, StoreError> {
    let rows = store
        .execute(
            "SELECT 1 AS same_uscc FROM accounts WHERE uscc = ?2 AND id <> ?3
             UNION ALL
             SELECT 0 AS same_uscc FROM accounts WHERE org_name_key = ?1 AND id <> ?3
             ORDER BY same_uscc DESC LIMIT 1",
            &[org_name.key().into(), uscc.as_str().into(), except.into()],
        )
        .await?;
    let Some(r) = rows.first() else { return Ok(None) };
    Ok(Some(if r.int("same_uscc")? != 0 { OrganizationConflict::Uscc } else { OrganizationConflict::OrgName }))
}

/// Whether an account other than `except` is bound to this document (FAQ 3.3).
pub async fn document_held_elsewhere<S: Store>(store: &S, doc: &Document, except: AccountId) -> Result<bool, StoreError> {
    let rows = store
        .execute(
            "SELECT EXISTS (SELECT 1 FROM accounts WHERE document_type = ? AND document_number = ? AND id <> ?) AS e",
            &[doc.doc_type().code().into(), doc.number().into(), except.into()],
        )
        .await?;
    Ok(rows.first().map(|r| r.int("e")).transpose()?.unwrap_or(0) != 0)
}

/// Everything an account row is created with.
#[derive(Debug, Clone)]
pub struct NewAccount<'a> {
    pub kind: AccountKind,
    pub login_name: &'a LoginName,
    pub password_hash: Option<&'a str>,
    pub reserved_mobile: Option<&'a Mobile>,
    pub organization: Option<(&'a OrgName, &'a Uscc)>,
    pub person: Option<(&'a str, &'a Document)>,
    pub legacy_old_name: Option<&'a str>,
    pub converted_from_legacy: bool,
}

impl<'a> NewAccount<'a> {
    pub fn new(kind: AccountKind, login_name: &'a LoginName) -> Self {
        NewAccount {
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
/// USCC and document decide a race (a [`StoreError::Unique`] naming the
/// column). Returns the new account id.
pub async fn insert<D: Database>(tx: &Transaction<'_, D>, row: &NewAccount<'_>, now: Timestamp) -> Result<AccountId, StoreError> {
    let text = |v: Option<&str>| Value::from(v.map(str::to_owned));
    let rows = tx
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
                text(row.reserved_mobile.map(Mobile::as_str)),
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
    Ok(AccountId(rows.first().ok_or_else(|| StoreError::Other("INSERT returned no id".into()))?.int("id")?))
}

/// A second login name for an account (a migrated account's old name).
pub async fn add_alias<D: Database>(tx: &Transaction<'_, D>, alias: &str, account: AccountId) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO login_name_aliases (alias_key, alias, account_id) VALUES (?, ?, ?)",
        &[super::login_key(alias).into(), alias.into(), account.into()],
    )
    .await
    .map(drop)
}

/// A new password (reset by SMS): the failed-login state goes with the old one.
pub async fn set_password<D: Database>(tx: &Transaction<'_, D>, id: AccountId, hash: &str) -> Result<(), StoreError> {
    CREDENTIALS.set_password(tx, id.get(), hash).await
}

/// A new reserved mobile (an approved appeal): the failed-login state is
/// cleared too, so the owner can set a password and log in at once.
pub async fn replace_mobile<D: Database>(tx: &Transaction<'_, D>, id: AccountId, mobile: &Mobile) -> Result<(), StoreError> {
    tx.execute("UPDATE accounts SET reserved_mobile = ? WHERE id = ?", &[mobile.as_str().into(), id.into()]).await?;
    CREDENTIALS.clear_failures(tx, id.get()).await
}

/// A new reserved mobile chosen by the account's owner (both numbers
/// proved by SMS codes, `crate::verification::mobile`).
pub async fn change_reserved_mobile<D: Database>(tx: &Transaction<'_, D>, id: AccountId, mobile: &Mobile) -> Result<(), StoreError> {
    tx.execute("UPDATE accounts SET reserved_mobile = ? WHERE id = ?", &[mobile.as_str().into(), id.into()]).await.map(drop)
}

/// A natural person's verified identity becomes the one in force (its
/// verification passed): name, document, nationality. The unique index on
/// the document decides a race with another account (a
/// [`StoreError::Unique`] on `accounts.document_*`).
pub async fn set_verified_person<D: Database>(
    tx: &Transaction<'_, D>,
    id: AccountId,
    name: &PersonName,
    document: &Document,
    now: Timestamp,
) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE accounts SET real_name = ?, document_type = ?, document_number = ?, nationality = ?, identity_verified_at = ?
          WHERE id = ? AND kind = 'natural_person'",
        &[
            name.as_str().into(),
            document.doc_type().code().into(),
            document.number().into(),
            document.nationality().map(|c| c.code).into(),
            now.millis().into(),
            id.into(),
        ],
    )
    .await
    .map(drop)
}

/// A legal entity's verified organization becomes the one in force: name
/// and USCC (the unique indexes decide a race, as at registration).
pub async fn set_verified_organization<D: Database>(
    tx: &Transaction<'_, D>,
    id: AccountId,
    name: &OrgName,
    uscc: &Uscc,
    now: Timestamp,
) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE accounts SET org_name = ?, org_name_key = ?, uscc = ?, identity_verified_at = ?
          WHERE id = ? AND kind = 'legal_entity'",
        &[name.as_str().into(), name.key().into(), uscc.as_str().into(), now.millis().into(), id.into()],
    )
    .await
    .map(drop)
}
