//! The registration flow's queries.

use super::AccountKind;
use crate::clock::Timestamp;
use crate::identity::LoginName;
use crate::store::{Store, StoreError};

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

/// Inserts the account row; the unique index on `login_name_key` decides
/// a race. Returns the new account id.
pub async fn create_account_record<S: Store>(
    store: &S,
    kind: AccountKind,
    login_name: &LoginName,
    now: Timestamp,
) -> Result<i64, StoreError> {
    let rows = store
        .execute(
            "INSERT INTO accounts (kind, login_name, login_name_key, created_at) VALUES (?, ?, ?, ?) RETURNING id",
            &[kind.as_str().into(), login_name.as_str().into(), login_name.key().into(), now.millis().into()],
        )
        .await?;
    rows.first().ok_or_else(|| StoreError::Other("INSERT returned no id".into()))?.int("id")
}
