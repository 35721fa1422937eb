//! Registration of a legal entity or a natural person (FAQ 2), after the
//! mobile number is verified by SMS code. Every field error is reported at
//! once. A login name starting with `WP` (any case, any width) is refused:
//! that prefix is the migrated accounts' (FAQ 1). Two racing registrations
//! of the same login name, organization name, USCC or document: exactly one
//! wins — the write transaction serialises them and the checks inside it
//! see the winner (the unique indexes back them up), and the loser gets the
//! same guidance as the registration check.

use super::guidance;
use crate::account::{self, Account, AccountKind, OrganizationConflict, find_by_id};
use crate::audit::{self, Actor};
use crate::clock::Clock;
use crate::error::{AppError, AppResult};
use crate::identity::{CivilDate, Document, DocumentType, LoginName, Mobile, OrgName, PersonName, Uscc};
use crate::password::{self, PasswordPolicy};
use crate::random::Random;
use crate::sms::{self, Purpose};
use crate::store::{Database, StoreError, Transaction};
use crate::validate::Form;
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Clone, Deserialize)]
pub struct LegalEntityForm {
    pub login_name: String,
    pub password: String,
    pub org_name: String,
    pub uscc: String,
    pub mobile: String,
    pub sms_code: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct NaturalPersonForm {
    pub login_name: String,
    pub password: String,
    pub real_name: String,
    pub document_type: String,
    pub document_number: String,
    #[serde(default)]
    pub nationality: Option<String>,
    pub mobile: String,
    pub sms_code: String,
}

/// A registration, validated: every field parsed, the password hashed.
struct Registration {
    kind: AccountKind,
    login_name: LoginName,
    password_hash: String,
    mobile: Mobile,
    sms_code: String,
    org: Option<(OrgName, Uscc)>,
    person: Option<(PersonName, Document)>,
}

pub struct Registrar<'a, D> {
    pub store: &'a D,
    pub clock: &'a dyn Clock,
    pub random: &'a dyn Random,
    pub policy: PasswordPolicy,
    /// The client address (audit).
    pub client: String,
}

impl<D: Database> Registrar<'_, D> {
    pub async fn legal_entity(&self, f: &LegalEntityForm) -> AppResult<Account> {
        let mut form = Form::new();
        let login_name = form.field(registrable_login_name(&f.login_name));
        let org_name = form.field(OrgName::parse(&f.org_name));
        let uscc = form.field(Uscc::parse(&f.uscc));
        let context: Vec<&str> = [Some(f.login_name.as_str()), Some(f.org_name.as_str()), uscc.as_ref().map(Uscc::as_str)]
            .into_iter()
            .flatten()
            .collect();
        form.check(self.policy.check(&f.password, &context));
        let mobile = form.field(Mobile::parse(&f.mobile));
        form.check(sms_code_present(&f.sms_code));
        form.finish()?;
        let (Some(login_name), Some(org_name), Some(uscc), Some(mobile)) = (login_name, org_name, uscc, mobile) else {
            return Err(AppError::internal());
        };
        self.create(Registration {
            kind: AccountKind::LegalEntity,
            login_name,
            password_hash: password::hash(&f.password, self.random).into_string(),
            mobile,
            sms_code: f.sms_code.clone(),
            org: Some((org_name, uscc)),
            person: None,
        })
        .await
    }

    pub async fn natural_person(&self, f: &NaturalPersonForm) -> AppResult<Account> {
        let today = CivilDate::today_in_china(self.clock);
        let mut form = Form::new();
        let login_name = form.field(registrable_login_name(&f.login_name));
        let real_name = form.field(PersonName::parse(&f.real_name).map_err(|e| e.with_field("real_name")));
        let document = form
            .field(DocumentType::parse(&f.document_type))
            .and_then(|t| form.field(Document::parse(t, &f.document_number, f.nationality.as_deref(), today)));
        let context: Vec<&str> =
            [Some(f.login_name.as_str()), document.as_ref().map(Document::number)].into_iter().flatten().collect();
        form.check(self.policy.check(&f.password, &context));
        let mobile = form.field(Mobile::parse(&f.mobile));
        form.check(sms_code_present(&f.sms_code));
        form.finish()?;
        let (Some(login_name), Some(real_name), Some(document), Some(mobile)) = (login_name, real_name, document, mobile) else {
            return Err(AppError::internal());
        };
        self.create(Registration {
            kind: AccountKind::NaturalPerson,
            login_name,
            password_hash: password::hash(&f.password, self.random).into_string(),
            mobile,
            sms_code: f.sms_code.clone(),
            org: None,
            person: Some((real_name, document)),
        })
        .await
    }

    /// One write transaction: the SMS code, the uniqueness checks, the
    /// insert, the audit record. A wrong code's failed try is kept (the
    /// transaction commits it); any other failure rolls everything back,
    /// so the code stays usable.
    async fn create(&self, new: Registration) -> AppResult<Account> {
        let tx = sms::begin_with_code(self.store, self.clock, Purpose::Registration, &new.mobile, &new.sms_code).await?;
        let id = self.insert(&tx, &new).await?;
        tx.commit().await?;
        find_by_id(self.store, id).await?.ok_or_else(AppError::internal)
    }

    async fn insert(&self, tx: &Transaction<'_, D>, new: &Registration) -> AppResult<crate::ids::AccountId> {
        if account::login_name_registered(tx, &new.login_name.key()).await? {
            return Err(guidance::login_name_taken(&new.login_name));
        }
        if let Some((org_name, uscc)) = &new.org {
            if let Some((_, _, conflict)) = account::organization_holder(tx, org_name, uscc).await? {
                return Err(match conflict {
                    OrganizationConflict::Uscc => guidance::uscc_taken(),
                    OrganizationConflict::OrgName => guidance::org_name_taken(),
                });
            }
        }
        if let Some((_, doc)) = &new.person {
            if account::document_holder(tx, doc).await?.is_some() {
                return Err(guidance::document_taken());
            }
        }
        let row = account::NewAccount {
            password_hash: Some(&new.password_hash),
            reserved_mobile: Some(&new.mobile),
            organization: new.org.as_ref().map(|(n, u)| (n, u)),
            person: new.person.as_ref().map(|(n, d)| (n.as_str(), d)),
            ..account::NewAccount::new(new.kind, &new.login_name)
        };
        let id = account::insert(tx, &row, self.clock.now()).await.map_err(|e| conflict(e, &new.login_name))?;
        audit::record(
            tx,
            self.clock,
            &Actor::Client(self.client.clone()),
            "registration.account_created",
            Some(&id.audit_subject()),
            json!({ "kind": new.kind.as_str(), "login_name": new.login_name.as_str() }),
        )
        .await?;
        Ok(id)
    }
}

/// A unique index caught a race the checks could not see.
fn conflict(e: StoreError, login_name: &LoginName) -> AppError {
    if e.is_unique_on("accounts.login_name_key") {
        guidance::login_name_taken(login_name)
    } else if e.is_unique_on("accounts.uscc") {
        guidance::uscc_taken()
    } else if e.is_unique_on("accounts.org_name_key") {
        guidance::org_name_taken()
    } else if e.is_unique_on("accounts.document_number") || e.is_unique_on("accounts.document_type") {
        guidance::document_taken()
    } else {
        e.into()
    }
}

/// A login name a new account may take: well-formed and not in the
/// migrated accounts' `WP` space.
fn registrable_login_name(input: &str) -> AppResult<LoginName> {
    let name = LoginName::parse(input)?;
    if name.has_legacy_prefix() { Err(guidance::login_name_reserved(&name)) } else { Ok(name) }
}

fn sms_code_present(code: &str) -> AppResult<()> {
    if code.trim().is_empty() {
        Err(AppError::new("sms.code_required", 400, "请填写短信验证码。", "Please enter the SMS code.").with_field("sms_code"))
    } else {
        Ok(())
    }
}
