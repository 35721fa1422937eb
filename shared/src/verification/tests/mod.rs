//! Real-name verification natively: the forms' rules (`rules`), the
//! identity-service protocol and its answers (`service`), the state machine
//! and every flow through a migrated store with a scripted identity service
//! (`flow`), review (`review`), and the reserved mobile (`mobile`).

mod flow;
mod mobile;
mod review;
mod rules;
mod service;
mod standing;

use super::identity_service::{CheckRequest, IdentityService, ServiceAnswer, ServiceFailure};
use super::*;
use crate::account::{AccountKind, NewAccount, find_by_id};
use crate::clock::FixedClock;
use crate::identity::{Document, DocumentType, LoginName, Mobile, OrgName, Uscc};
use crate::ids::{ReviewItemId, ReviewerId};
use crate::random::SeqRandom;
use crate::settings::Settings;
use crate::store::NativeStore;
use crate::store::native::block_on;
use crate::test_support;
use crate::workday::start_of_day_china;
use std::cell::RefCell;
use std::collections::VecDeque;

pub(super) const RESIDENT_ID: &str = "11010519491231002X";
pub(super) const ORG_NAME: &str = "福州测试科技有限公司";
pub(super) const USCC: &str = "91350100M000100Y43";
pub(super) const MOBILE: &str = "13800000001";
pub(super) const CLIENT: &str = "203.0.113.9";


/// Tuesday 2026-03-10 10:00 in Beijing: a review is due one working day later.
pub(super) fn tuesday_10h() -> Timestamp {
    Timestamp(start_of_day_china(CivilDate::new(2026, 3, 10).unwrap()).millis() + 10 * 3_600_000)
}

pub(super) fn today() -> CivilDate {
    CivilDate::from_timestamp_china(tuesday_10h())
}

/// A valid resident ID born 1990-01-01 with sequence `n`.
pub(super) fn resident_id(n: u32) -> String {
    crate::identity::ResidentId::with_check(&format!("11010519900101{n:03}"), today()).unwrap().as_str().to_owned()
}

/// A valid USCC for organization number `n`.
pub(super) fn uscc(n: u32) -> String {
    Uscc::with_check(&format!("91110105{n:08}A")).unwrap().as_str().to_owned()
}

/// What a scripted identity service answers next.
#[derive(Debug, Clone)]
pub(super) enum Answer {
    /// `result` for exactly what was sent (right request id and digest).
    Verdict(&'static str),
    /// `match`, but with the digest of other data.
    MatchForOtherData,
    /// `match`, but for another request id.
    MatchForOtherRequest,
    Status(u16, &'static str),
    /// 200 with this body.
    Body(&'static str),
    Timeout,
    Unreachable,
}

/// An identity service that answers as the test tells it, and keeps what
/// it was sent.
#[derive(Default)]
pub(super) struct Scripted {
    answers: RefCell<VecDeque<Answer>>,
    pub seen: RefCell<Vec<CheckRequest>>,
}

impl Scripted {
    pub fn then(&self, a: Answer) {
        self.answers.borrow_mut().push_back(a);
    }

    pub fn calls(&self) -> usize {
        self.seen.borrow().len()
    }
}

pub(super) fn answer_body(request_id: &str, result: &str, digest: &str) -> Vec<u8> {
    serde_json::json!({ "request_id": request_id, "result": result, "subject_digest": digest }).to_string().into_bytes()
}

impl IdentityService for Scripted {
    async fn check(&self, request: &CheckRequest) -> Result<ServiceAnswer, ServiceFailure> {
        self.seen.borrow_mut().push(request.clone());
        let next = self.answers.borrow_mut().pop_front().expect("the test scripted an answer for every check");
        let ok = |body: Vec<u8>| Ok(ServiceAnswer { status: 200, body });
        match next {
            Answer::Verdict(r) => ok(answer_body(&request.request_id, r, &request.subject_digest())),
            Answer::MatchForOtherData => ok(answer_body(&request.request_id, "match", &crate::digest::sha256_hex(b"{}"))),
            Answer::MatchForOtherRequest => ok(answer_body("someone-else", "match", &request.subject_digest())),
            Answer::Status(status, body) => Ok(ServiceAnswer { status, body: body.as_bytes().to_vec() }),
            Answer::Body(b) => ok(b.as_bytes().to_vec()),
            Answer::Timeout => Err(ServiceFailure::Timeout),
            Answer::Unreachable => Err(ServiceFailure::Unreachable("connection refused".into())),
        }
    }
}

pub(super) struct T {
    pub store: NativeStore,
    pub clock: FixedClock,
    pub random: SeqRandom,
    pub settings: Settings,
    pub service: Scripted,
    /// `false`: no identity service (the built-in checker).
    pub with_service: bool,
}

pub(super) fn setup() -> T {
    T {
        store: test_support::store(),
        clock: FixedClock::at(tuesday_10h()),
        random: SeqRandom::new(5),
        settings: Settings::default(),
        service: Scripted::default(),
        with_service: true,
    }
}

pub(super) fn fields(pairs: &[(&str, &str)]) -> Value {
    Value::Object(pairs.iter().map(|(k, v)| ((*k).to_owned(), json!(v))).collect())
}

pub(super) fn field_errors(e: &AppError) -> Vec<(String, String)> {
    match e.details.as_ref().and_then(|d| d["errors"].as_array().cloned()) {
        Some(all) => all.iter().map(|x| (x["field"].as_str().unwrap_or("").to_owned(), x["code"].as_str().unwrap().to_owned())).collect(),
        None => vec![(e.field.clone().unwrap_or_default(), e.code.to_owned())],
    }
}

/// A person's part with a resident ID.
pub(super) fn person_resident(name: &str, number: &str) -> Value {
    fields(&[("real_name", name), ("document_type", "resident_id"), ("document_number", number)])
}

/// A person's part with a passport (checked offline only).
pub(super) fn person_passport(name: &str, number: &str) -> Value {
    fields(&[("real_name", name), ("document_type", "passport"), ("document_number", number), ("nationality", "DEU"), ("birth_date", "1988-04-02")])
}

pub(super) fn basic_info(org_name: &str, uscc: &str) -> Value {
    fields(&[
        ("org_name", org_name),
        ("uscc", uscc),
        ("registered_address", "福州市鼓楼区五四路 100 号"),
        ("organization_type", "enterprise"),
        ("contact_phone", "0591-87654321"),
    ])
}

pub(super) fn main_agent(number: &str, mobile: &str) -> Value {
    fields(&[
        ("main_agent_name", "李小红"),
        ("main_agent_document_type", "resident_id"),
        ("main_agent_document_number", number),
        ("main_agent_mobile", mobile),
    ])
}

pub(super) fn mainland_representative(name: &str, number: &str) -> Value {
    fields(&[
        ("legal_representative_type", "mainland"),
        ("legal_representative_name", name),
        ("legal_representative_document_type", "resident_id"),
        ("legal_representative_document_number", number),
    ])
}

/// A multipart form with these files (each a small PDF).
pub(super) fn form_with(files: &[&str], text: &[(&str, &str)]) -> MultipartForm {
    test_support::multipart_form(files, text)
}

impl T {
    pub fn my_info(&self) -> MyInfo<'_, NativeStore, Scripted> {
        MyInfo {
            db: &self.store,
            clock: &self.clock,
            random: &self.random,
            settings: &self.settings,
            service: self.with_service.then_some(&self.service),
            client: CLIENT.to_owned(),
            acting_person: None,
        }
    }

    /// A natural person registered with 张三 / [`RESIDENT_ID`], reserved mobile [`MOBILE`].
    pub fn natural_person(&self) -> Account {
        self.natural_person_with("zhangsan", RESIDENT_ID, Some(MOBILE))
    }

    pub fn natural_person_with(&self, login: &str, number: &str, mobile: Option<&str>) -> Account {
        let doc = Document::parse(DocumentType::ResidentId, number, None, today()).unwrap();
        let name = LoginName::parse(login).unwrap();
        let mobile = mobile.map(|m| Mobile::parse(m).unwrap());
        let row = NewAccount { person: Some(("张三", &doc)), reserved_mobile: mobile.as_ref(), ..NewAccount::new(AccountKind::NaturalPerson, &name) };
        let id = block_on(test_support::create_account_with(&self.store, &row, self.clock.now())).unwrap();
        self.account(id)
    }

    /// A legal entity registered with [`ORG_NAME`] / [`USCC`], reserved mobile [`MOBILE`].
    pub fn legal_entity(&self) -> Account {
        self.legal_entity_with("acmecorp", ORG_NAME, USCC)
    }

    pub fn legal_entity_with(&self, login: &str, org: &str, code: &str) -> Account {
        let (name, org, code) = (LoginName::parse(login).unwrap(), OrgName::parse(org).unwrap(), Uscc::parse(code).unwrap());
        let mobile = Mobile::parse(MOBILE).unwrap();
        let row = NewAccount {
            organization: Some((&org, &code)),
            reserved_mobile: Some(&mobile),
            ..NewAccount::new(AccountKind::LegalEntity, &name)
        };
        let id = block_on(test_support::create_account_with(&self.store, &row, self.clock.now())).unwrap();
        self.account(id)
    }

    pub fn account(&self, id: AccountId) -> Account {
        block_on(find_by_id(&self.store, id)).unwrap().unwrap()
    }

    pub fn save(&self, account: &Account, part: &str, body: &Value) -> AppResult<Value> {
        block_on(self.my_info().save(account, part, body))
    }

    pub fn upload(&self, account: &Account, part: &str, files: &[&str]) -> AppResult<Value> {
        block_on(self.my_info().upload(account, part, &form_with(files, &[])))
    }

    pub fn view(&self, account: &Account) -> Value {
        block_on(self.my_info().view(account)).unwrap()
    }

    pub fn count(&self, sql: &str) -> i64 {
        block_on(test_support::count(&self.store, sql, &[])).unwrap()
    }

    pub fn reviewer(&self) -> ReviewerId {
        block_on(test_support::create_reviewer(&self.store, &self.clock, &self.random, "reviewer1", "a long reviewer passphrase 7")).unwrap()
    }

    /// The open review item of the part's current verification.
    pub fn item(&self, account: &Account, part: Part) -> ReviewItemId {
        let v = block_on(store::current(&self.store, account.id, part)).unwrap().unwrap();
        block_on(crate::review::queue::open_for_subject(&self.store, Subject::Verification(v.id))).unwrap().unwrap().id
    }

    pub fn decide(&self, item: ReviewItemId, reviewer: ReviewerId, d: crate::review::Decision) -> AppResult<crate::review::ReviewItem> {
        block_on(crate::review::decide(&self.store, &self.clock, &self.random, item, reviewer, &d))
    }

    /// The newest SMS to a number: template and parameters.
    pub fn last_sms(&self, to: &str) -> Option<(String, Value)> {
        let m = block_on(crate::sms::messages_for(&self.store, &Mobile::parse(to).unwrap(), 1)).unwrap();
        m.into_iter().next().map(|m| (m.template, m.params))
    }

    pub fn current(&self, account: &Account, part: Part) -> Option<store::Verification> {
        block_on(store::current(&self.store, account.id, part)).unwrap()
    }
}
