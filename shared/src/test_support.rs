//! Helpers for tests that need records (native unit tests here, and test
//! crates through the `test-support` feature). Not part of the product: a
//! build without tests or the feature does not contain them.

use crate::account::{self, AccountKind, NewAccount};
use crate::clock::{Clock, FixedClock, Timestamp};
use crate::error::AppResult;
use crate::identity::{CivilDate, Document, DocumentType, LoginName, Mobile, OrgName, Uscc};
use crate::ids::{AccountId, ReviewerId};
use crate::password::{self, PasswordPolicy};
use crate::random::{Random, SeqRandom};
use crate::review::{self, reviewer};
use crate::sms::{self, Purpose};
use crate::store::native::block_on;
use crate::store::{Database, NativeStore, Store, StoreError, Value, in_transaction, migrate};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

/// A migrated in-memory store.
pub fn store() -> NativeStore {
    let store = NativeStore::in_memory().expect("in-memory SQLite");
    block_on(migrate(&store, &FixedClock::at(Timestamp(0)))).expect("migrations apply");
    store
}

/// A store that counts the statements run through it (how many round
/// trips a request's path makes to the store).
pub struct CountingStore<'a, S: Store> {
    pub inner: &'a S,
    pub statements: std::cell::Cell<usize>,
}

impl<'a, S: Store> CountingStore<'a, S> {
    pub fn new(inner: &'a S) -> CountingStore<'a, S> {
        CountingStore { inner, statements: Default::default() }
    }
}

impl<S: Store> Store for CountingStore<'_, S> {
    async fn execute(&self, sql: &str, params: &[Value]) -> Result<crate::store::Rows, StoreError> {
        self.statements.set(self.statements.get() + 1);
        self.inner.execute(sql, params).await
    }
}

/// A migrated database in a file of its own, for tests where threads race
/// on connections of their own (as component instances do on Spin's
/// SQLite). Each [`FileDatabase::open`] is a new connection; the file goes
/// when the value is dropped.
pub struct FileDatabase {
    dir: PathBuf,
    path: PathBuf,
}

impl FileDatabase {
    pub fn new(name: &str) -> FileDatabase {
        static N: AtomicU32 = AtomicU32::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("shared-test-{name}-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        let path = dir.join("test.db");
        let _ = std::fs::remove_file(&path);
        let db = FileDatabase { dir, path };
        block_on(migrate(&db.open(), &FixedClock::at(Timestamp(0)))).expect("migrations apply");
        db
    }

    /// A new connection to the database.
    pub fn open(&self) -> NativeStore {
        NativeStore::open(&self.path).expect("the test database opens")
    }
}

impl Drop for FileDatabase {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
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

/// An account as a test describes it, in plain strings (parsed when it is
/// created; test data that does not parse is a bug in the test: panics).
#[derive(Debug, Clone)]
pub struct TestAccount {
    kind: AccountKind,
    login_name: String,
    password: Option<String>,
    mobile: Option<String>,
    organization: Option<(String, String)>,
    person: Option<(String, DocumentType, String, Option<String>)>,
    legacy_old_name: Option<String>,
}

impl TestAccount {
    pub fn legal_entity(login_name: &str, org_name: &str, uscc: &str) -> TestAccount {
        TestAccount {
            organization: Some((org_name.to_owned(), uscc.to_owned())),
            ..TestAccount::bare(AccountKind::LegalEntity, login_name)
        }
    }

    pub fn natural_person(login_name: &str, real_name: &str, doc_type: DocumentType, number: &str, nationality: Option<&str>) -> TestAccount {
        TestAccount {
            person: Some((real_name.to_owned(), doc_type, number.to_owned(), nationality.map(str::to_owned))),
            ..TestAccount::bare(AccountKind::NaturalPerson, login_name)
        }
    }

    pub fn bare(kind: AccountKind, login_name: &str) -> TestAccount {
        TestAccount {
            kind,
            login_name: login_name.to_owned(),
            password: None,
            mobile: None,
            organization: None,
            person: None,
            legacy_old_name: None,
        }
    }

    /// The password, stored as the product stores it (Argon2id).
    pub fn password(mut self, password: &str) -> TestAccount {
        self.password = Some(password.to_owned());
        self
    }

    /// The reserved mobile.
    pub fn mobile(mut self, mobile: &str) -> TestAccount {
        self.mobile = Some(mobile.to_owned());
        self
    }

    /// A migrated account's old login name (the alias is not added: see
    /// [`crate::account::add_alias`]).
    pub fn legacy_old_name(mut self, old: &str) -> TestAccount {
        self.legacy_old_name = Some(old.to_owned());
        self
    }

    pub async fn create<D: Database>(&self, db: &D, clock: &dyn Clock) -> Result<AccountId, StoreError> {
        let login_name = LoginName::parse(&self.login_name).expect("test login name");
        let hash = self.password.as_deref().map(|p| password::hash(p, &SeqRandom::new(1)).into_string());
        let mobile = self.mobile.as_deref().map(|m| Mobile::parse(m).expect("test mobile"));
        let organization = self
            .organization
            .as_ref()
            .map(|(n, u)| (OrgName::parse(n).expect("test org name"), Uscc::parse(u).expect("test USCC")));
        let today = CivilDate::today_in_china(clock);
        let person = self.person.as_ref().map(|(name, t, number, nationality)| {
            (name.as_str(), Document::parse(*t, number, nationality.as_deref(), today).expect("test document"))
        });
        let row = NewAccount {
            password_hash: hash.as_deref(),
            reserved_mobile: mobile.as_ref(),
            organization: organization.as_ref().map(|(n, u)| (n, u)),
            person: person.as_ref().map(|(n, d)| (*n, d)),
            legacy_old_name: self.legacy_old_name.as_deref(),
            ..NewAccount::new(self.kind, &login_name)
        };
        in_transaction(db, async |tx| account::insert(tx, &row, clock.now()).await).await
    }
}

/// Issues an SMS code as the flows do (resend and hourly limits included)
/// and returns it in plain, as the user would read it from the message.
pub async fn issue_code<D: Database>(
    db: &D,
    clock: &dyn Clock,
    random: &dyn Random,
    purpose: Purpose,
    mobile: &str,
) -> crate::AppResult<String> {
    let mobile = Mobile::parse(mobile)?;
    in_transaction(db, async |tx| sms::issue_code(tx, clock, random, purpose, &mobile).await.map(|issued| issued.code)).await
}

/// The single integer a query returns (`SELECT COUNT(*) ...`).
pub async fn count<S: Store>(store: &S, sql: &str, params: &[Value]) -> Result<i64, StoreError> {
    let rows = store.execute(sql, params).await?;
    let (Some(row), Some(column)) = (rows.first(), rows.columns.first()) else {
        return Err(StoreError::Other(format!("no value from {sql}")));
    };
    row.int(column)
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
    create_reviewer_with(db, clock, random, reviewer::NewReviewer { login_name, password, mobile: None, role: reviewer::Role::Reviewer }).await
}

/// A reviewer with a mobile and a role, added by the first reviewer (a
/// lead): the bootstrapped first one while there is none.
pub async fn create_reviewer_with<D: Database>(
    db: &D,
    clock: &dyn Clock,
    random: &dyn Random,
    new: reviewer::NewReviewer<'_>,
) -> AppResult<ReviewerId> {
    if let Some(id) = reviewer::bootstrap(db, clock, random, new.login_name, new.password).await? {
        return Ok(id);
    }
    let all = reviewer::list(db).await?;
    let first = all.iter().min_by_key(|r| r.id).ok_or_else(|| StoreError::Other("no reviewer".into()))?;
    Ok(reviewer::add(db, clock, random, PasswordPolicy::default(), first, new).await?.id)
}

/// An account's login state as the store holds it (tests read it back
/// after a flow cleared or counted failures).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginState {
    pub password_hash: Option<String>,
    pub failed_logins: i64,
    pub last_failed_login_at: Option<i64>,
    pub password_disabled: bool,
}

/// The login state of the account whose login name or legacy alias
/// (case-folded) is `key`.
pub async fn login_state<S: Store>(store: &S, key: &str) -> Result<LoginState, StoreError> {
    let rows = store
        .execute(
            "SELECT password_hash, failed_logins, last_failed_login_at, password_disabled FROM accounts
              WHERE login_name_key = ?1 OR id = (SELECT account_id FROM login_name_aliases WHERE alias_key = ?1)",
            &[key.into()],
        )
        .await?;
    let r = rows.first().ok_or_else(|| StoreError::Other(format!("no account {key:?}")))?;
    Ok(LoginState {
        password_hash: r.opt_text("password_hash")?.map(str::to_owned),
        failed_logins: r.int("failed_logins")?,
        last_failed_login_at: r.opt_int("last_failed_login_at")?,
        password_disabled: r.int("password_disabled")? != 0,
    })
}

/// Puts an account in the state `failures` consecutive failed logins leave
/// (disabled at [`crate::credentials::PASSWORD_DISABLED_AFTER`]).
pub async fn set_failed_logins<S: Store>(store: &S, id: AccountId, failures: i64, at: Timestamp) -> Result<(), StoreError> {
    store
        .execute(
            "UPDATE accounts SET failed_logins = ?, last_failed_login_at = ?, password_disabled = ? WHERE id = ?",
            &[
                failures.into(),
                at.millis().into(),
                i64::from(failures >= crate::credentials::PASSWORD_DISABLED_AFTER).into(),
                id.into(),
            ],
        )
        .await
        .map(drop)
}

/// A natural person whose real-name verification passed: registered with
/// `real_name` and the document, which are then the identity in force on
/// the account row (as a passed verification leaves them).
pub async fn verified_person<D: Database>(
    db: &D,
    clock: &dyn Clock,
    login_name: &str,
    real_name: &str,
    doc_type: DocumentType,
    number: &str,
    nationality: Option<&str>,
) -> Result<AccountId, StoreError> {
    let id = TestAccount::natural_person(login_name, real_name, doc_type, number, nationality).create(db, clock).await?;
    let name = crate::identity::PersonName::parse(real_name).expect("test name");
    let doc = Document::parse(doc_type, number, nationality, CivilDate::today_in_china(clock)).expect("test document");
    in_transaction(db, async |tx| account::set_verified_person(tx, id, &name, &doc, clock.now()).await).await?;
    Ok(id)
}

/// A resident ID number with a valid check character, from its first 17
/// digits (an area code, a date of birth and a serial).
pub fn resident_id(first17: &str) -> String {
    crate::identity::ResidentId::with_check(first17, CivilDate::new(2026, 1, 1).expect("a date")).expect("test resident ID").as_str().to_owned()
}

/// An organization whose first entry was approved: it holds every role of
/// the catalogue (as the onboarding approval gives them).
pub async fn onboard<D: Database>(db: &D, organization: AccountId, now: Timestamp) -> Result<(), StoreError> {
    in_transaction(db, async |tx| crate::grants::give_organization_roles(tx, organization, &crate::grants::Role::ALL, now).await).await
}

/// An identity service that answers `match` for whatever it is asked (the
/// answer carries the request's id and digest, as a real one must).
pub struct MatchingIdentityService;

impl crate::verification::identity_service::IdentityService for MatchingIdentityService {
    async fn check(
        &self,
        request: &crate::verification::identity_service::CheckRequest,
    ) -> Result<crate::verification::identity_service::ServiceAnswer, crate::verification::identity_service::ServiceFailure> {
        let body = serde_json::json!({ "request_id": request.request_id, "result": "match", "subject_digest": request.subject_digest() });
        Ok(crate::verification::identity_service::ServiceAnswer { status: 200, body: body.to_string().into_bytes() })
    }
}

/// Saves a part of "my info" through the product's own path with an
/// identity service that matches, so a part checkable online passes (a
/// part checked offline, like a passport, goes to manual review instead).
pub async fn save_my_info<D: Database>(db: &D, clock: &dyn Clock, account: AccountId, part: &str, fields: &serde_json::Value) -> AppResult<()> {
    let account = account::find_by_id(db, account).await?.ok_or_else(crate::error::AppError::internal)?;
    let (settings, random) = (crate::settings::Settings::default(), SeqRandom::new(11));
    my_info(db, clock, &settings, &random).save(&account, part, fields).await.map(drop)
}

/// "My info" as the verification component runs it, with [`MatchingIdentityService`].
fn my_info<'a, D: Database>(
    db: &'a D,
    clock: &'a dyn Clock,
    settings: &'a crate::settings::Settings,
    random: &'a SeqRandom,
) -> crate::verification::MyInfo<'a, D, MatchingIdentityService> {
    crate::verification::MyInfo {
        db,
        clock,
        random,
        settings,
        service: Some(&MatchingIdentityService),
        client: "192.0.2.1".to_owned(),
        acting_person: None,
    }
}

/// A legal entity's basic info and legal representative (a mainland one
/// with `representative_id`), passed: the organization as registered.
pub async fn verify_organization<D: Database>(db: &D, clock: &dyn Clock, account: AccountId, representative_id: &str) -> AppResult<()> {
    let a = account::find_by_id(db, account).await?.ok_or_else(crate::error::AppError::internal)?;
    let org = a.organization.as_ref().ok_or_else(crate::error::AppError::internal)?;
    let representative = serde_json::json!({
        "legal_representative_type": "mainland", "legal_representative_name": "王大明",
        "legal_representative_document_type": "resident_id", "legal_representative_document_number": representative_id,
    });
    save_my_info(db, clock, account, "legal_representative", &representative).await?;
    let basic = serde_json::json!({
        "org_name": org.name.as_str(), "uscc": org.uscc.as_str(), "registered_address": "北京市海淀区中关村大街 1 号",
        "organization_type": "enterprise", "contact_phone": "010-62345678",
    });
    save_my_info(db, clock, account, "basic_info", &basic).await
}

/// A natural person's own part passed, with the name and document the
/// account was registered with (a resident ID or another document the
/// identity service checks).
pub async fn verify_person<D: Database>(db: &D, clock: &dyn Clock, account: AccountId) -> AppResult<()> {
    let a = account::find_by_id(db, account).await?.ok_or_else(crate::error::AppError::internal)?;
    let doc = a.document.as_ref().ok_or_else(crate::error::AppError::internal)?;
    let mut fields = serde_json::json!({
        "real_name": a.real_name.clone().unwrap_or_default(), "document_type": doc.doc_type.code(), "document_number": doc.number,
    });
    if let Some(n) = &doc.nationality {
        fields["nationality"] = serde_json::json!(n);
    }
    if doc.doc_type != DocumentType::ResidentId {
        fields["birth_date"] = serde_json::json!("1988-04-02");
    }
    save_my_info(db, clock, account, "person", &fields).await?;
    let part = crate::verification::parts::Part::Person;
    let Some(current) = crate::verification::store::current(db, account, part).await? else { return Err(crate::error::AppError::internal()) };
    if crate::verification::store::in_force(db, account, part).await?.is_some() {
        return Ok(());
    }
    // Checked offline (a passport): the scans, and a reviewer approves.
    let files: &[&str] = if doc.doc_type == DocumentType::Passport { &["document_front"] } else { &["document_front", "document_back"] };
    let (settings, random) = (crate::settings::Settings::default(), SeqRandom::new(12));
    my_info(db, clock, &settings, &random).upload(&a, "person", &multipart_form(files, &[])).await?;
    let item = crate::verification::store::get(db, current.id).await?.and_then(|v| v.review_item_id).ok_or_else(crate::error::AppError::internal)?;
    let reviewer = match reviewer::list(db).await?.first() {
        Some(r) => r.id,
        None => create_reviewer(db, clock, &SeqRandom::new(13), "verifier", "a long reviewer passphrase 7").await?,
    };
    review::decide(db, clock, &SeqRandom::new(14), item, reviewer, &review::Decision::approve()).await.map(drop)
}

/// A small PDF: a scan's bytes (recognised, no active content).
pub const SCAN: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// A multipart form with these text fields and files (each [`SCAN`]).
pub fn multipart_form(files: &[&str], text: &[(&str, &str)]) -> crate::web::MultipartForm {
    let boundary = "----test-support-boundary";
    let mut body = Vec::new();
    for (name, value) in text {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes());
    }
    for name in files {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{name}.pdf\"\r\nContent-Type: application/pdf\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(SCAN);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    crate::web::MultipartForm::parse(&format!("multipart/form-data; boundary={boundary}"), &body).expect("test multipart form")
}
