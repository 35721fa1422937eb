//! The entry natively, through a migrated store: where a user stands
//! (`state`), first entry and its review (`onboarding`), the business home
//! (`home`), the legacy import and automatic links (`legacy`), and
//! legacy-data requests through review (`requests`).

mod home;
mod legacy;
mod onboarding;
mod requests;
mod state;

use super::Entry;
use super::state::stand;
use crate::account::{Account, find_by_id};
use crate::clock::{Clock, FixedClock, Timestamp};
use crate::error::{AppError, AppResult};
use crate::grants::{self, Role};
use crate::identity::{CivilDate, DocumentType, Mobile};
use crate::ids::{AccountId, ReviewItemId, ReviewerId};
use crate::random::SeqRandom;
use crate::review::{self, Decision};
use crate::sms as outbox;
use crate::store::native::block_on;
use crate::store::{NativeStore, in_transaction};
use crate::test_support::{self, TestAccount};
use crate::workday::start_of_day_china;
use serde_json::{Value, json};

pub(super) const ORG_USCC: &str = "91350100M000100Y43";
pub(super) const MOBILE: &str = "13800000001";

/// Tuesday 2026-03-10 10:00 in Beijing: a review is due one working day later.
pub(super) fn tuesday_10h() -> Timestamp {
    Timestamp(start_of_day_china(CivilDate::new(2026, 3, 10).unwrap()).millis() + 10 * 3_600_000)
}

/// A valid USCC for organization number `n`.
pub(super) fn uscc(n: u32) -> String {
    crate::identity::Uscc::with_check(&format!("91110105{n:08}A")).unwrap().as_str().to_owned()
}

/// A valid resident ID born 1990-01-01 with sequence `n`.
pub(super) fn resident_id(n: u32) -> String {
    crate::identity::ResidentId::with_check(&format!("11010519900101{n:03}"), CivilDate::new(2026, 3, 10).unwrap()).unwrap().as_str().to_owned()
}

pub(super) struct T {
    pub store: NativeStore,
    pub clock: FixedClock,
    pub random: SeqRandom,
}

pub(super) fn setup() -> T {
    T { store: test_support::store(), clock: FixedClock::at(tuesday_10h()), random: SeqRandom::new(3) }
}

pub(super) fn work_permit_form() -> Value {
    json!({
        "unit_type": "enterprise", "industry": "information_technology",
        "registered_address": "北京市海淀区中关村大街 1 号", "office_address": "北京市海淀区中关村大街 1 号 5 层",
        "contact_person": "李小红", "contact_phone": "010-62345678", "contact_email": "hr@example.com",
        "description": "软件研发企业，聘用外籍工程师从事研发工作。",
    })
}

pub(super) fn r_visa_form() -> Value {
    json!({ "passport_number": "C01X00T47", "nationality": "DEU", "visa_number": "R1234567", "employer": "北京测试科技有限公司" })
}

/// The codes of an error's field errors (or of the error itself), with their fields.
pub(super) fn field_errors(e: &AppError) -> Vec<(String, String)> {
    match e.details.as_ref().and_then(|d| d["errors"].as_array().cloned()) {
        Some(all) => all.iter().map(|x| (x["field"].as_str().unwrap_or("").to_owned(), x["code"].as_str().unwrap().to_owned())).collect(),
        None => vec![(e.field.clone().unwrap_or_default(), e.code.to_owned())],
    }
}

impl T {
    pub fn account(&self, id: AccountId) -> Account {
        block_on(find_by_id(&self.store, id)).unwrap().unwrap()
    }

    /// A legal entity (reserved mobile [`MOBILE`]), not verified.
    pub fn organization(&self, login: &str, name: &str, code: &str) -> Account {
        let id = block_on(TestAccount::legal_entity(login, name, code).mobile(MOBILE).create(&self.store, &self.clock)).unwrap();
        self.account(id)
    }

    /// A legal entity whose basic info and legal representative passed.
    pub fn verified_organization(&self, login: &str, name: &str, code: &str) -> Account {
        let a = self.organization(login, name, code);
        block_on(test_support::verify_organization(&self.store, &self.clock, a.id, &resident_id(7))).unwrap();
        self.account(a.id)
    }

    /// A natural person with a resident ID, not verified.
    pub fn person(&self, login: &str, name: &str, number: &str) -> Account {
        let id = block_on(
            TestAccount::natural_person(login, name, DocumentType::ResidentId, number, None).mobile("13900000002").create(&self.store, &self.clock),
        )
        .unwrap();
        self.account(id)
    }

    pub fn verified_person(&self, login: &str, name: &str, number: &str) -> Account {
        let a = self.person(login, name, number);
        block_on(test_support::verify_person(&self.store, &self.clock, a.id)).unwrap();
        self.account(a.id)
    }

    /// A foreigner with a passport, verified (a reviewer passed the scans).
    pub fn verified_foreigner(&self, login: &str, passport: &str) -> Account {
        let id = block_on(
            TestAccount::natural_person(login, "Anna Schmidt", DocumentType::Passport, passport, Some("DEU"))
                .mobile("13900000003")
                .create(&self.store, &self.clock),
        )
        .unwrap();
        block_on(test_support::verify_person(&self.store, &self.clock, id)).unwrap();
        self.account(id)
    }

    pub fn grant(&self, org: AccountId, person: AccountId, role: Role) {
        block_on(in_transaction(&self.store, async |tx| grants::insert(tx, org, person, role, Some(org), self.clock.now()).await)).unwrap();
    }

    pub fn stand(&self, a: &Account, entry: Entry, org: Option<AccountId>) -> AppResult<Value> {
        block_on(stand(&self.store, &self.clock, a, entry, org)).map(|s| s.to_json())
    }

    pub fn state(&self, a: &Account, entry: Entry) -> String {
        self.stand(a, entry, None).unwrap()["entry_state"].as_str().unwrap().to_owned()
    }

    pub fn submit(&self, a: &Account, entry: Entry, form: &Value) -> AppResult<Value> {
        block_on(super::onboarding::submit(&self.store, &self.clock, a, entry, form))
    }

    pub fn reviewer(&self) -> ReviewerId {
        match block_on(review::reviewer::list(&self.store)).unwrap().first() {
            Some(r) => r.id,
            None => block_on(test_support::create_reviewer(&self.store, &self.clock, &self.random, "reviewer1", "a long reviewer passphrase 7")).unwrap(),
        }
    }

    /// The open review item of a kind (the newest).
    pub fn open_item(&self, kind: &str) -> ReviewItemId {
        let items = block_on(review::list(&self.store, review::Filter::Open, 100)).unwrap();
        items.iter().filter(|i| i.kind.as_str() == kind).map(|i| i.id).max().expect("an open item of that kind")
    }

    pub fn decide(&self, item: ReviewItemId, decision: Value) -> AppResult<()> {
        let d = Decision::parse(&decision)?;
        block_on(review::decide(&self.store, &self.clock, &self.random, item, self.reviewer(), &d)).map(drop)
    }

    pub fn details(&self, item: ReviewItemId) -> Value {
        block_on(review::item_view(&self.store, item, self.clock.now())).unwrap()
    }

    pub fn onboard(&self, a: &Account, entry: Entry) {
        let form = if entry == Entry::WorkPermit { work_permit_form() } else { r_visa_form() };
        self.submit(a, entry, &form).unwrap();
        self.decide(self.open_item("onboarding"), json!({ "decision": "approve" })).unwrap();
    }

    pub fn import(&self, lines: &[Value]) -> super::legacy::ImportReport {
        let body: Vec<String> = lines.iter().map(Value::to_string).collect();
        block_on(super::legacy::import(&self.store, &self.clock, &body.join("\n"))).unwrap()
    }

    pub fn sql(&self, sql: &str, params: &[crate::store::Value]) -> Result<(), crate::store::StoreError> {
        block_on(crate::store::Store::execute(&self.store, sql, params)).map(drop)
    }

    pub fn count(&self, sql: &str) -> i64 {
        block_on(test_support::count(&self.store, sql, &[])).unwrap()
    }

    /// The texts of the SMS to `mobile`, newest first.
    pub fn sms_to(&self, mobile: &str) -> Vec<String> {
        block_on(outbox::messages_for(&self.store, &Mobile::parse(mobile).unwrap(), 20)).unwrap().iter().map(|m| m.text()).collect()
    }
}

/// A work-permit record of the old system owned by `uscc`.
pub(super) fn record(number: &str, uscc: &str) -> Value {
    json!({
        "record_number": number, "kind": "work_permit_new", "status": "approved",
        "submitted_on": "2019-03-01", "decided_on": "2019-03-20",
        "foreigner_name": "John Smith", "foreigner_nationality": "USA",
        "foreigner_document_type": "passport", "foreigner_document_number": "E12345678",
        "old_login_name": "acme", "old_org_name": "北京老单位科技有限公司", "old_uscc": uscc,
    })
}
