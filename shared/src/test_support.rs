//! Helpers for tests that need records (native unit tests here, and test
//! crates through the `test-support` feature). Not part of the product: a
//! build without tests or the feature does not contain them.

use crate::account::{self, AccountKind, NewAccount};
use crate::clock::{FixedClock, Timestamp};
use crate::identity::LoginName;
use crate::ids::AccountId;
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
    let tx = db.begin().await?;
    let id = account::insert(&tx, &NewAccount::new(kind, login_name), now).await?;
    tx.commit().await?;
    Ok(id)
}
