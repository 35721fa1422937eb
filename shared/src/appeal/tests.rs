//! The rules of recovery appeals, natively: validation, the account an
//! appeal targets (or "register instead"), the SMS code inside the filing
//! transaction, one open appeal per account, the status by number and new
//! mobile, the decision's effects through `review::decide`, and the
//! appellant's documents only while open.

use super::*;
use crate::account::NewAccount;
use crate::auth;
use crate::clock::FixedClock;
use crate::identity::LoginName;
use crate::ids::ReviewItemId;
use crate::random::SeqRandom;
use crate::review::{self, Decision, ReviewKind};
use crate::settings::Settings;
use crate::store::NativeStore;
use crate::store::native::block_on;
use crate::test_support;
use crate::web::Part;
use crate::workday::start_of_day_china;

const ORG_NAME: &str = "福州测试科技有限公司";
const USCC: &str = "91350100M000100Y43";
const RESIDENT_ID: &str = "11010519491231002X";
const OLD_MOBILE: &str = "13800000001";
const CLIENT: &str = "203.0.113.7";

/// A small PDF: the scans' bytes (recognised, no active content).
const SCAN: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// Tuesday 2026-03-10 10:00 in Beijing: due one working day later.
fn tuesday_10h() -> Timestamp {
    Timestamp(start_of_day_china(CivilDate::new(2026, 3, 10).unwrap()).millis() + 10 * 3_600_000)
}

struct T {
    store: NativeStore,
    clock: FixedClock,
    random: SeqRandom,
}

fn setup() -> T {
    T { store: test_support::store(), clock: FixedClock::at(tuesday_10h()), random: SeqRandom::new(11) }
}

fn mobile(m: &str) -> Mobile {
    Mobile::parse(m).unwrap()
}

fn le_fields(new_mobile: &str, sms_code: &str) -> AppealFields {
    AppealFields {
        kind: "legal_entity".into(),
        org_name: ORG_NAME.into(),
        uscc: USCC.into(),
        legal_representative_name: "王大明".into(),
        applicant_name: "李小红".into(),
        applicant_document_type: "resident_id".into(),
        applicant_document_number: RESIDENT_ID.into(),
        new_mobile: new_mobile.into(),
        sms_code: sms_code.into(),
        ..AppealFields::default()
    }
}

fn np_fields(new_mobile: &str, sms_code: &str) -> AppealFields {
    AppealFields {
        kind: "natural_person".into(),
        real_name: "张三".into(),
        document_type: "resident_id".into(),
        document_number: RESIDENT_ID.into(),
        new_mobile: new_mobile.into(),
        sms_code: sms_code.into(),
        ..AppealFields::default()
    }
}

/// The required scans of a kind, each a valid upload.
fn scans(kind: AccountKind) -> Vec<ValidUpload> {
    documents_for(kind)
        .iter()
        .filter(|slot| slot.required)
        .map(|slot| {
            let part = Part {
                name: slot.field.into(),
                filename: Some(format!("{}.pdf", slot.field)),
                content_type: Some("application/pdf".into()),
                data: SCAN.to_vec(),
            };
            upload::validate(slot, &part).unwrap()
        })
        .collect()
}

fn field_errors(e: &AppError) -> Vec<(String, String)> {
    e.details.as_ref().unwrap()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["field"].as_str().unwrap().to_owned(), x["code"].as_str().unwrap().to_owned()))
        .collect()
}

impl T {
    /// The organization's legal-entity account, reserved mobile [`OLD_MOBILE`].
    fn legal_entity(&self) -> AccountId {
        let (name, org_name, uscc) = (LoginName::parse("AcmeCorp").unwrap(), OrgName::parse(ORG_NAME).unwrap(), Uscc::parse(USCC).unwrap());
        let old = mobile(OLD_MOBILE);
        let row = NewAccount {
            organization: Some((&org_name, &uscc)),
            reserved_mobile: Some(&old),
            ..NewAccount::new(AccountKind::LegalEntity, &name)
        };
        block_on(test_support::create_account_with(&self.store, &row, self.clock.now())).unwrap()
    }

    /// 张三's natural-person account, bound to [`RESIDENT_ID`].
    fn natural_person(&self) -> AccountId {
        let doc = Document::parse(DocumentType::ResidentId, RESIDENT_ID, None, CivilDate::today_in_china(&self.clock)).unwrap();
        let (name, old) = (LoginName::parse("zhangsan").unwrap(), mobile(OLD_MOBILE));
        let row =
            NewAccount { person: Some(("张三", &doc)), reserved_mobile: Some(&old), ..NewAccount::new(AccountKind::NaturalPerson, &name) };
        block_on(test_support::create_account_with(&self.store, &row, self.clock.now())).unwrap()
    }

    fn reviewer(&self) -> crate::ids::ReviewerId {
        block_on(test_support::create_first_reviewer(&self.store, &self.clock, &self.random, "reviewer1")).unwrap().unwrap()
    }

    /// An appeal code to `new_mobile` (the plain code, as the SMS brings it).
    fn code(&self, new_mobile: &str) -> String {
        let limit = SMS_CODE_LIMIT.limit(&Settings::default());
        let (issued, _) = block_on(send_code(&self.store, &self.clock, &self.random, limit, CLIENT, new_mobile)).unwrap();
        issued.code
    }

    fn validate(&self, f: &AppealFields) -> AppResult<Validated> {
        block_on(validate(&self.store, &self.clock, f))
    }

    /// Validates and files, with the kind's required scans.
    fn file(&self, f: &AppealFields) -> AppResult<Filed> {
        let v = self.validate(f)?;
        block_on(file(&self.store, &self.clock, &self.random, CLIENT, &v, &f.sms_code, scans(v.kind())))
    }

    /// A code to `new_mobile`, then a filed appeal with it.
    fn file_with_code(&self, fields: impl Fn(&str, &str) -> AppealFields, new_mobile: &str) -> Filed {
        let code = self.code(new_mobile);
        self.file(&fields(new_mobile, &code)).unwrap()
    }

    fn status(&self, number: &str, mobile: &str) -> AppResult<AppealStatus> {
        block_on(status(&self.store, number, mobile))
    }

    fn item(&self, number: &str, mobile: &str) -> ReviewItemId {
        let id = self.status(number, mobile).unwrap().id;
        block_on(review::queue::open_for_subject(&self.store, Subject::Appeal(id))).unwrap().unwrap().id
    }

    fn decide(&self, item: ReviewItemId, reviewer: crate::ids::ReviewerId, d: Decision) -> AppResult<crate::review::ReviewItem> {
        block_on(review::decide(&self.store, &self.clock, &self.random, item, reviewer, &d))
    }

    fn count(&self, sql: &str) -> i64 {
        block_on(self.store.execute(sql, &[])).unwrap().first().unwrap().int("n").unwrap()
    }

    /// The newest SMS to a number: template and parameters.
    fn last_sms(&self, to: &str) -> (String, Value) {
        let m = block_on(sms::messages_for(&self.store, &mobile(to), 1)).unwrap().remove(0);
        (m.template, m.params)
    }
}

// --- validation -----------------------------------------------------------------

#[test]
fn the_kind_of_appeal_must_be_chosen() {
    assert_eq!(parse_kind(" legal_entity ").unwrap(), AccountKind::LegalEntity);
    assert_eq!(parse_kind("natural_person").unwrap(), AccountKind::NaturalPerson);
    let t = setup();
    for kind in ["", "company", "LEGAL_ENTITY"] {
        let e = t.validate(&AppealFields { kind: kind.into(), ..le_fields("13900000001", "123456") }).err().unwrap();
        assert_eq!((e.code, e.status, e.field.as_deref()), ("appeal.kind_required", 400, Some("kind")), "{kind:?}");
    }
}

#[test]
fn every_field_error_of_a_legal_entity_appeal_comes_at_once() {
    let t = setup();
    let f = AppealFields { kind: "legal_entity".into(), ..AppealFields::default() };
    let e = t.validate(&f).err().unwrap();
    assert_eq!((e.code, e.field.as_deref()), ("mobile.empty", Some("new_mobile")));
    assert_eq!(
        field_errors(&e),
        [
            ("new_mobile", "mobile.empty"),
            ("sms_code", "sms.code_required"),
            ("org_name", "org_name.empty"),
            ("uscc", "uscc.empty"),
            ("legal_representative_name", "person_name.empty"),
            ("applicant_name", "person_name.empty"),
            ("applicant_document_type", "document.type_required"),
        ]
        .map(|(f, c)| (f.to_owned(), c.to_owned()))
    );
    // With a document type, the number is checked against it (and re-fielded).
    let f = AppealFields {
        applicant_document_number: "11010519491231002Y".into(),
        legal_representative_name: "<王>".into(),
        ..le_fields("1380000", "123456")
    };
    let fields: Vec<String> = field_errors(&t.validate(&f).err().unwrap()).into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, ["new_mobile", "legal_representative_name", "applicant_document_number"]);
}

#[test]
fn every_field_error_of_a_natural_person_appeal_comes_at_once() {
    let t = setup();
    let f = AppealFields { kind: "natural_person".into(), real_name: "张".into(), ..AppealFields::default() };
    let e = t.validate(&f).err().unwrap();
    assert_eq!(
        field_errors(&e),
        [
            ("new_mobile", "mobile.empty"),
            ("sms_code", "sms.code_required"),
            ("real_name", "person_name.too_short"),
            ("document_type", "document.type_required"),
        ]
        .map(|(f, c)| (f.to_owned(), c.to_owned()))
    );
    let f = AppealFields { document_number: "110105194912310021".into(), ..np_fields("13900000001", "123456") };
    let e = t.validate(&f).err().unwrap();
    assert_eq!((e.code, e.field.as_deref()), ("resident_id.check_mismatch", Some("document_number")));
}

#[test]
fn an_appeal_without_an_account_to_recover_is_told_to_register_instead() {
    let t = setup();
    for (fields, field, href) in [
        (le_fields("13900000001", "123456"), "uscc", "/register/legal-entity"),
        (np_fields("13900000001", "123456"), "document_number", "/register/natural-person"),
    ] {
        let e = t.validate(&fields).err().unwrap();
        assert_eq!((e.code, e.status, e.field.as_deref()), ("appeal.no_matching_account", 404, Some(field)));
        let guidance = e.guidance.as_ref().unwrap().to_json(crate::i18n::Lang::Zh);
        assert_eq!(guidance["code"], "appeal.register_instead");
        assert_eq!(guidance["actions"][0]["href"], href);
    }
    // An account of the other kind is no account to recover either: a
    // natural person bound to the document does not make an organization's
    // appeal, nor the other way round.
    t.natural_person();
    assert_eq!(t.validate(&le_fields("13900000001", "123456")).err().unwrap().code, "appeal.no_matching_account");
    let t = setup();
    t.legal_entity();
    assert_eq!(t.validate(&np_fields("13900000001", "123456")).err().unwrap().code, "appeal.no_matching_account");
    assert_eq!(t.count("SELECT COUNT(*) AS n FROM appeals"), 0, "nothing is stored");
}

#[test]
fn an_organization_name_registered_under_another_uscc_is_a_uscc_mismatch() {
    let t = setup();
    t.legal_entity();
    let other = Uscc::with_check("91110105MA0000000").unwrap();
    let e = t.validate(&AppealFields { uscc: other.as_str().into(), ..le_fields("13900000001", "123456") }).err().unwrap();
    assert_eq!((e.code, e.status, e.field.as_deref()), ("appeal.uscc_mismatch", 400, Some("uscc")));
    assert!(e.message.zh.contains("统一社会信用代码") && e.message.en.contains("Unified Social Credit Code"));
    // The USCC alone names the organization: a changed name still finds it.
    let v = t.validate(&AppealFields { org_name: "福州测试科技股份有限公司".into(), ..le_fields("13900000001", "123456") }).unwrap();
    assert_eq!(v.kind(), AccountKind::LegalEntity);
}

#[test]
fn the_scans_of_each_kind_are_named_by_what_they_are() {
    let none = crate::web::MultipartForm::default();
    let e = upload::validate_files(&none, documents_for(AccountKind::LegalEntity)).unwrap_err();
    assert_eq!(
        field_errors(&e),
        [("id_front", "upload.file_required"), ("id_back", "upload.file_required")].map(|(f, c)| (f.to_owned(), c.to_owned()))
    );
    assert!(e.message.zh.contains("身份证正面") && e.message.en.contains("ID card front"), "{:?}", e.message);
    let back = &e.details.as_ref().unwrap()["errors"][1];
    assert!(back["message_zh"].as_str().unwrap().contains("身份证反面（加盖公章并本人签字）"));
    let e = upload::validate_files(&none, documents_for(AccountKind::NaturalPerson)).unwrap_err();
    let fields: Vec<String> = field_errors(&e).into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, ["document_front", "document_back"]);
    assert!(e.message.zh.contains("证件正面") && e.message.en.contains("document front"));
    // The business licence is the legal entity's optional scan; a natural
    // person's appeal takes none.
    assert!(LEGAL_ENTITY_DOCUMENTS.iter().any(|s| s.field == "business_licence" && !s.required));
    assert!(NATURAL_PERSON_DOCUMENTS.iter().all(|s| s.required));
}

// --- filing -----------------------------------------------------------------------

#[test]
fn a_filed_appeal_has_a_number_its_scans_and_a_review_item() {
    let t = setup();
    let account = t.legal_entity();
    let filed = t.file_with_code(le_fields, "13900000001");
    assert!(filed.number.starts_with("SS20260310"), "{}", filed.number);
    assert_eq!(filed.number.len(), 20);
    assert!(filed.number[2..].chars().all(|c| c.is_ascii_digit()));
    assert_eq!(filed.due_at, tuesday_10h().plus_seconds(86_400), "one working day");

    let s = t.status(&filed.number, "13900000001").unwrap();
    assert_eq!((s.status(), s.kind, s.reason.clone()), ("submitted", AccountKind::LegalEntity, None));
    let item = block_on(review::get(&t.store, t.item(&filed.number, "13900000001"))).unwrap().unwrap();
    assert_eq!((item.kind, item.subject), (ReviewKind::AppealLegalEntity, Subject::Appeal(s.id)));
    let uploads = block_on(upload::list_for(&t.store, Subject::Appeal(s.id))).unwrap();
    assert_eq!(uploads.iter().map(|u| u.purpose.as_str()).collect::<Vec<_>>(), ["id_front", "id_back"]);

    // What the reviewer sees: the fields as submitted and the account.
    let view = block_on(review::item_view(&t.store, item.id, t.clock.now())).unwrap();
    assert_eq!(view["subject"]["form"]["uscc"], USCC);
    assert_eq!(view["subject"]["form"]["applicant_document_number"], RESIDENT_ID);
    assert_eq!(view["subject"]["account"]["id"], account.get());
    assert_eq!(view["subject"]["new_mobile"], "13900000001");
    assert_eq!(t.count("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'appeal.filed' AND actor = 'client:203.0.113.7'"), 1);
}

#[test]
fn a_wrong_sms_code_counts_and_files_nothing() {
    let t = setup();
    t.legal_entity();
    let code = t.code("13900000001");
    let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
    let e = t.file(&le_fields("13900000001", &wrong)).unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), ("sms.code_wrong", Some("sms_code")));
    assert_eq!(e.details.unwrap()["tries_left"], 4);
    // The failed try was kept although the filing was not.
    assert_eq!(t.file(&le_fields("13900000001", &wrong)).unwrap_err().details.unwrap()["tries_left"], 3);
    assert_eq!(t.count("SELECT COUNT(*) AS n FROM appeals"), 0);
    assert_eq!(t.count("SELECT COUNT(*) AS n FROM uploads"), 0);
    assert_eq!(t.count("SELECT COUNT(*) AS n FROM review_items"), 0);
    // A code for another number (or none at all) does not file either.
    let e = t.file(&le_fields("13900000002", &code)).unwrap_err();
    assert_eq!(e.code, "sms.code_missing");
    t.file(&le_fields("13900000001", &code)).unwrap();
}

#[test]
fn one_open_appeal_per_account_and_a_failed_filing_leaves_its_code_unused() {
    let t = setup();
    t.natural_person();
    let reviewer = t.reviewer();
    let first = t.file_with_code(np_fields, "13900000001");

    // A second appeal while the first is open: refused, and its code stays unused.
    let code = t.code("13900000002");
    let e = t.file(&np_fields("13900000002", &code)).unwrap_err();
    assert_eq!((e.code, e.status), ("appeal.already_open", 409));
    assert!(e.message.zh.contains("申诉编号") && e.message.en.contains("number"));
    assert_eq!(t.count("SELECT COUNT(*) AS n FROM appeals"), 1);
    assert_eq!(t.count("SELECT COUNT(*) AS n FROM sms_codes WHERE mobile = '13900000002' AND consumed_at IS NULL"), 1);

    // Once the first is decided, the same code files the new appeal.
    t.decide(t.item(&first.number, "13900000001"), reviewer, Decision::Reject { reason: "扫描件不清晰".into() }).unwrap();
    let second = t.file(&np_fields("13900000002", &code)).unwrap();
    assert_ne!(second.number, first.number);
    assert_eq!(t.status(&second.number, "13900000002").unwrap().status(), "submitted");
}

// --- status -----------------------------------------------------------------------

#[test]
fn the_status_needs_the_number_and_the_new_mobile_and_cannot_tell_which_is_wrong() {
    let t = setup();
    t.legal_entity();
    let filed = t.file_with_code(le_fields, "13900000001");
    // The number as people type it: lower case, full width, spaces around.
    let typed = format!(" {} ", crate::identity::tests::full_width(&filed.number.to_lowercase()));
    assert_eq!(t.status(&typed, "139 0000 0001").unwrap().number, filed.number);

    let unknown_number = t.status("SS202603100000000000", "13900000001").unwrap_err();
    let wrong_mobile = t.status(&filed.number, "13900000009").unwrap_err();
    let old_mobile = t.status(&filed.number, OLD_MOBILE).unwrap_err();
    for e in [&wrong_mobile, &old_mobile] {
        assert_eq!((e.code, e.status, &e.message, &e.field), (unknown_number.code, 404, &unknown_number.message, &unknown_number.field));
    }
    assert_eq!(unknown_number.code, "appeal.not_found");
    let e = t.status(&filed.number, "139").unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), ("mobile.invalid_mainland", Some("mobile")));
}

#[test]
fn the_status_follows_the_review() {
    let t = setup();
    t.legal_entity();
    let reviewer = t.reviewer();
    let filed = t.file_with_code(le_fields, "13900000001");
    let item = t.item(&filed.number, "13900000001");
    block_on(review::claim(&t.store, &t.clock, item, reviewer)).unwrap();
    let s = t.status(&filed.number, "13900000001").unwrap();
    assert_eq!((s.status(), s.is_open()), ("under_review", true));

    t.clock.advance_seconds(3600);
    t.decide(item, reviewer, Decision::Reject { reason: "  未加盖公章  ".into() }).unwrap();
    let s = t.status(&filed.number, "13900000001").unwrap();
    assert_eq!((s.status(), s.is_open(), s.reason.as_deref()), ("rejected", false, Some("未加盖公章")));
    assert_eq!(s.decided_at, Some(tuesday_10h().plus_seconds(3600).millis()));
    let json = s.to_json();
    assert_eq!((json["status"].as_str(), json["reason"].as_str()), (Some("rejected"), Some("未加盖公章")));
}

// --- the decision's effects -----------------------------------------------------------

#[test]
fn approval_replaces_the_mobile_revokes_sessions_and_sends_a_set_password_code() {
    let t = setup();
    let account = t.legal_entity();
    let reviewer = t.reviewer();
    // Three failed logins so far (the credential check's own business).
    let failed = "UPDATE accounts SET failed_logins = 3, last_failed_login_at = ? WHERE id = ?";
    block_on(t.store.execute(failed, &[t.clock.now().millis().into(), account.into()])).unwrap();
    let (_, token) = block_on(auth::session::start(&t.store, &t.clock, &t.random, account)).unwrap();
    let session_req = crate::web::Request::new("GET", "/api/session").with_header("cookie", &format!("__Host-session={token}"));
    assert!(block_on(auth::current(&t.store, &t.clock, &session_req)).is_ok());

    let filed = t.file_with_code(le_fields, "13900000001");
    let item = t.decide(t.item(&filed.number, "13900000001"), reviewer, Decision::approve()).unwrap();
    assert_eq!(item.state, ReviewState::Approved);

    let after = block_on(account::find_by_login(&t.store, &account::login_key("AcmeCorp"))).unwrap().unwrap();
    assert_eq!(after.reserved_mobile, Some(mobile("13900000001")));
    let state = block_on(t.store.execute("SELECT failed_logins, last_failed_login_at FROM accounts WHERE id = ?", &[account.into()])).unwrap();
    let state = state.first().unwrap();
    assert_eq!((state.int("failed_logins").unwrap(), state.opt_int("last_failed_login_at").unwrap()), (0, None), "failed-login state cleared");
    assert_eq!(block_on(auth::current(&t.store, &t.clock, &session_req)).unwrap_err().code, "auth.not_logged_in");

    let (template, params) = t.last_sms("13900000001");
    assert_eq!(template, "appeal_approved");
    assert_eq!((params["appeal_number"].as_str(), params["login_name"].as_str()), (Some(filed.number.as_str()), Some("AcmeCorp")));
    // The code sets a password for a day (and only as a set-password code).
    let code = params["code"].as_str().unwrap();
    t.clock.advance_seconds(23 * 3600);
    let tx = block_on(sms::begin_with_code(&t.store, &t.clock, Purpose::SetPassword, &mobile("13900000001"), code)).unwrap();
    block_on(tx.commit()).unwrap();
    assert!(block_on(sms::messages_for(&t.store, &mobile(OLD_MOBILE), 5)).unwrap().is_empty(), "nothing to the old mobile");
    let audit = block_on(t.store.execute("SELECT actor, subject FROM audit_log WHERE action = 'appeal.approved'", &[])).unwrap();
    let row = audit.first().unwrap();
    assert_eq!(row.text("actor").unwrap(), reviewer.audit_subject());
    assert_eq!(row.text("subject").unwrap(), t.status(&filed.number, "13900000001").unwrap().id.audit_subject());
}

#[test]
fn rejection_sends_the_reason_and_changes_nothing_else() {
    let t = setup();
    let account = t.natural_person();
    let reviewer = t.reviewer();
    let (_, token) = block_on(auth::session::start(&t.store, &t.clock, &t.random, account)).unwrap();
    let session_req = crate::web::Request::new("GET", "/api/session").with_header("cookie", &format!("__Host-session={token}"));
    let filed = t.file_with_code(np_fields, "13900000001");
    let item = t.item(&filed.number, "13900000001");

    let e = t.decide(item, reviewer, Decision::Reject { reason: " ".into() }).unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), ("review.reason_required", Some("reason")));
    t.decide(item, reviewer, Decision::Reject { reason: "证件照片不清晰，请重新扫描。".into() }).unwrap();

    let (template, params) = t.last_sms("13900000001");
    assert_eq!(template, "appeal_rejected");
    assert_eq!((params["appeal_number"].as_str(), params["reason"].as_str()), (Some(filed.number.as_str()), Some("证件照片不清晰，请重新扫描。")));
    let after = block_on(account::find_by_id(&t.store, account)).unwrap().unwrap();
    assert_eq!(after.reserved_mobile, Some(mobile(OLD_MOBILE)), "the reserved mobile stays");
    assert!(block_on(auth::current(&t.store, &t.clock, &session_req)).is_ok(), "sessions stay");
    assert_eq!(t.count("SELECT COUNT(*) AS n FROM sms_codes WHERE purpose = 'set_password'"), 0);
    assert_eq!(t.count("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'appeal.rejected'"), 1);
    // The first decision stands.
    let e = t.decide(item, reviewer, Decision::approve()).unwrap_err();
    assert_eq!((e.code, e.status), ("review.already_decided", 409));
}

// --- the appellant's documents ----------------------------------------------------------

#[test]
fn the_appellant_sees_their_documents_only_while_the_appeal_is_open() {
    let t = setup();
    t.legal_entity();
    t.natural_person();
    let reviewer = t.reviewer();
    let filed = t.file_with_code(le_fields, "13900000001");
    let other = t.file_with_code(np_fields, "13900000002");

    let open = block_on(lookup(&t.store, &filed.number, "13900000001")).unwrap();
    assert_eq!(open["status"], "submitted");
    let docs = open["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 2);
    let id = docs[0]["id"].to_string();
    assert!(docs[0].get("data").is_none());
    let doc = block_on(appellant_document(&t.store, &filed.number, "13900000001", &id)).unwrap();
    assert_eq!((doc.info.purpose.as_str(), doc.data.as_slice()), ("id_front", SCAN));

    // Another appeal's document, a wrong mobile, a malformed id: not found.
    let others: Vec<String> =
        block_on(lookup(&t.store, &other.number, "13900000002")).unwrap()["documents"].as_array().unwrap().iter().map(|d| d["id"].to_string()).collect();
    let not_found = |number: &str, mobile: &str, doc: &str| block_on(appellant_document(&t.store, number, mobile, doc)).unwrap_err().code;
    assert_eq!(not_found(&filed.number, "13900000001", &others[0]), "request.not_found");
    assert_eq!(not_found(&filed.number, "13900000002", &id), "appeal.not_found");
    assert_eq!(not_found(&filed.number, "13900000001", "x1"), "request.not_found");

    // Decided: the status stays readable, the documents are the reviewers' only.
    t.decide(t.item(&filed.number, "13900000001"), reviewer, Decision::approve()).unwrap();
    let decided = block_on(lookup(&t.store, &filed.number, "13900000001")).unwrap();
    assert_eq!((decided["status"].as_str(), decided["documents"].as_array().unwrap().len()), (Some("approved"), 0));
    assert_eq!(not_found(&filed.number, "13900000001", &id), "request.not_found");
    let item = block_on(review::queue::list(&t.store, review::Filter::Decided, 10)).unwrap().remove(0);
    let for_reviewer = block_on(review::item_document(&t.store, item.id, &id)).unwrap();
    assert_eq!(for_reviewer.data, SCAN);
}
