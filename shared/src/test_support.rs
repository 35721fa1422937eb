//! Helpers for tests that need records (native unit tests here, and test
//! crates through the `test-support` feature). Not part of the product: a
//! build without tests or the feature does not contain them.

use crate::account::{self, AccountKind, NewAccount};
use crate::clock::{Clock, FixedClock, Timestamp};
use crate::error::AppResult;
use crate::identity::LoginName;
use crate::ids::{AccountId, ReviewerId};
use crate::password::{self, PasswordPolicy};
use crate::random::Random;
use crate::review::{self, reviewer};
use crate::store::native::block_on;
use crate::store::{Database, NativeStore, StoreError, migrate};

/// A migrated in-memory store.
pub fn store() -> NativeStore {
    let store = NativeStore::in_memory().expect("in-memory SQLite");
    block_on(migrate(&store, &FixedClock::at(Timestamp(0)))).expect("migrations apply");
    store
}

/// A bare account with only a login name.
pub async fn create_account<D: Database>(db: &D, kind: AccountKind, login_name: &LoginName, now: Timestamp) -> Result<AccountId, StoreError> {
    create_account_with(db, &NewAccount::new(kind, login_name), now).await
}

/// An account with the fields of `row` (an organization, a document, a
/// reserved mobile...), as registration would store it.
pub async fn create_account_with<D: Database>(db: &D, row: &NewAccount<'_>, now: Timestamp) -> Result<AccountId, StoreError> {
    let tx = db.begin().await?;
    let id = account::insert(&tx, row, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// An account of `kind` that logs in with `login_name` and `password`
/// (hashed with Argon2id here).
pub async fn create_account_with_password<D: Database>(
    db: &D,
    random: &dyn Random,
    kind: AccountKind,
    login_name: &str,
    password: &str,
    now: Timestamp,
) -> Result<AccountId, StoreError> {
    let name = LoginName::parse(login_name).map_err(|e| StoreError::Other(format!("test login name {login_name:?}: {}", e.code)))?;
    let hash = password::hash(password, random).into_string();
    create_account_with(db, &NewAccount { password_hash: Some(&hash), ..NewAccount::new(kind, &name) }, now).await
}

/// The first reviewer (as the bootstrap settings create it); `None` when
/// there are reviewers already.
pub async fn create_first_reviewer<D: Database>(
    db: &D,
    clock: &dyn Clock,
    random: &dyn Random,
    login_name: &str,
) -> AppResult<Option<ReviewerId>> {
    review::bootstrap(db, clock, random, login_name, "a long reviewer passphrase 7").await
}

/// A reviewer that logs in with `login_name` and `password`: the
/// bootstrapped first one while there is none, else one the first reviewer
/// adds (the product's own paths).
pub async fn create_reviewer<D: Database>(
    db: &D,
    clock: &dyn Clock,
    random: &dyn Random,
    login_name: &str,
    password: &str,
) -> AppResult<ReviewerId> {
    if let Some(id) = reviewer::bootstrap(db, clock, random, login_name, password).await? {
        return Ok(id);
    }
    let first = reviewer::list(db).await?.iter().map(|r| r.id).min().ok_or_else(|| StoreError::Other("no reviewer".into()))?;
    Ok(reviewer::add(db, clock, random, PasswordPolicy::default(), first, login_name, password).await?.id)
}
