//! Registration of both kinds: every field error at once, the `WP` prefix,
//! the SMS code inside the registration's transaction, conflicts and races.

use super::{clock, uscc};
use crate::account::{AccountKind, add_alias, find_by_login};
use crate::clock::FixedClock;
use crate::error::AppError;
use crate::identity::DocumentType;
use crate::password::{self, PasswordPolicy};
use crate::random::SeqRandom;
use crate::registration::{LegalEntityForm, NaturalPersonForm, Registrar};
use crate::sms::Purpose;
use crate::store::native::block_on;
use crate::store::{NativeStore, in_transaction};
use crate::test_support::{self, FileDatabase, TestAccount, count, issue_code};

const PASSWORD: &str = "correct horse battery staple";

fn registrar<'a>(store: &'a NativeStore, clock: &'a FixedClock, random: &'a SeqRandom) -> Registrar<'a, NativeStore> {
    Registrar { store, clock, random, policy: PasswordPolicy::new(8), client: "198.51.100.7".into() }
}

fn legal_entity_form(n: u32, sms_code: &str) -> LegalEntityForm {
    LegalEntityForm {
        login_name: format!("org{n}"),
        password: PASSWORD.into(),
        org_name: format!("福州测试{n}科技有限公司"),
        uscc: uscc(n),
        mobile: format!("1390000{n:04}"),
        sms_code: sms_code.into(),
    }
}

fn natural_person_form(n: u32, sms_code: &str) -> NaturalPersonForm {
    NaturalPersonForm {
        login_name: format!("person{n}"),
        password: PASSWORD.into(),
        real_name: "约翰·史密斯".into(),
        document_type: "passport".into(),
        document_number: format!("E{n:08}"),
        nationality: Some("USA".into()),
        mobile: format!("1370000{n:04}"),
        sms_code: sms_code.into(),
    }
}

fn code_for(store: &NativeStore, clock: &FixedClock, random: &SeqRandom, mobile: &str) -> String {
    block_on(issue_code(store, clock, random, Purpose::Registration, mobile)).unwrap()
}

fn accounts(store: &NativeStore) -> i64 {
    block_on(count(store, "SELECT COUNT(*) FROM accounts", &[])).unwrap()
}

fn unused_codes(store: &NativeStore) -> i64 {
    block_on(count(store, "SELECT COUNT(*) FROM sms_codes WHERE consumed_at IS NULL", &[])).unwrap()
}

/// The fields of every error the answer lists, in order.
fn fields(e: &AppError) -> Vec<String> {
    e.details.as_ref().unwrap()["errors"].as_array().unwrap().iter().map(|x| x["field"].as_str().unwrap().to_owned()).collect()
}

fn codes(e: &AppError) -> Vec<String> {
    e.details.as_ref().unwrap()["errors"].as_array().unwrap().iter().map(|x| x["code"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn a_legal_entity_registers_with_its_code_and_the_code_is_used_up() {
    let (store, clock, random) = (test_support::store(), clock(), SeqRandom::new(1));
    let code = code_for(&store, &clock, &random, "13900000001");
    let account = block_on(registrar(&store, &clock, &random).legal_entity(&legal_entity_form(1, &code))).unwrap();
    assert_eq!((account.kind, account.login_name.as_str()), (AccountKind::LegalEntity, "org1"));
    let org = account.organization.as_ref().unwrap();
    assert_eq!((org.name.as_str(), org.uscc.as_str()), ("福州测试1科技有限公司", uscc(1).as_str()));
    assert_eq!(account.reserved_mobile.as_ref().map(|m| m.as_str()), Some("13900000001"));
    let hash = block_on(crate::test_support::login_state(&store, "org1")).unwrap().password_hash.unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(password::verify(PASSWORD, &hash).ok);
    assert_eq!(unused_codes(&store), 0, "the code is single use");
    let audited = "SELECT COUNT(*) FROM audit_log WHERE action = 'registration.account_created' AND subject = ?";
    assert_eq!(block_on(count(&store, audited, &[account.id.audit_subject().into()])).unwrap(), 1);
    // Used up: the same code cannot register a second account.
    let second = LegalEntityForm { mobile: "13900000001".into(), ..legal_entity_form(2, &code) };
    let e = block_on(registrar(&store, &clock, &random).legal_entity(&second)).unwrap_err();
    assert_eq!(e.code, "sms.code_used");
    assert_eq!(accounts(&store), 1);
}

#[test]
fn a_natural_person_registers_with_the_document_bound() {
    let (store, clock, random) = (test_support::store(), clock(), SeqRandom::new(2));
    let code = code_for(&store, &clock, &random, "13700000003");
    let account = block_on(registrar(&store, &clock, &random).natural_person(&natural_person_form(3, &code))).unwrap();
    assert_eq!(account.kind, AccountKind::NaturalPerson);
    assert_eq!(account.real_name.as_deref(), Some("约翰·史密斯"));
    let doc = account.document.unwrap();
    assert_eq!((doc.doc_type, doc.number.as_str(), doc.nationality.as_deref()), (DocumentType::Passport, "E00000003", Some("USA")));
}

#[test]
fn every_field_error_of_a_legal_entity_comes_at_once_and_nothing_is_stored() {
    let (store, clock, random) = (test_support::store(), clock(), SeqRandom::new(3));
    let form = LegalEntityForm {
        login_name: "ab".into(),
        password: "short".into(),
        org_name: "<script>".into(),
        uscc: "91350100M000100Y44".into(),
        mobile: "12345".into(),
        sms_code: " ".into(),
    };
    let e = block_on(registrar(&store, &clock, &random).legal_entity(&form)).unwrap_err();
    assert_eq!((e.code, e.status, e.field.as_deref()), ("login_name.too_short", 400, Some("login_name")), "the first is the error");
    assert_eq!(fields(&e), ["login_name", "org_name", "uscc", "password", "mobile", "sms_code"]);
    assert_eq!(
        codes(&e),
        ["login_name.too_short", "org_name.invalid_character", "uscc.check_mismatch", "password.too_short", "mobile.invalid_mainland", "sms.code_required"]
    );
    // The password may not contain what others can see of the account.
    for (field, value) in [("login name", "org4"), ("organization name", "福州测试4科技有限公司"), ("USCC", uscc(4).as_str())] {
        let mut form = legal_entity_form(4, "123456");
        form.password = format!("my {value} password");
        let e = block_on(registrar(&store, &clock, &random).legal_entity(&form)).unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), ("password.contains_identity", Some("password")), "{field}");
    }
    assert_eq!(accounts(&store), 0);
    assert_eq!(block_on(count(&store, "SELECT COUNT(*) FROM audit_log", &[])).unwrap(), 0);
}

#[test]
fn every_field_error_of_a_natural_person_comes_at_once() {
    let (store, clock, random) = (test_support::store(), clock(), SeqRandom::new(4));
    let form = NaturalPersonForm {
        login_name: "_bad".into(),
        password: "password".into(),
        real_name: "".into(),
        document_type: "passport".into(),
        document_number: "E1".into(),
        nationality: Some("USA".into()),
        mobile: "138".into(),
        sms_code: "".into(),
    };
    let e = block_on(registrar(&store, &clock, &random).natural_person(&form)).unwrap_err();
    assert_eq!(fields(&e), ["login_name", "real_name", "document_number", "password", "mobile", "sms_code"]);
    assert_eq!(codes(&e)[0], "login_name.invalid_start");
    assert_eq!(codes(&e)[3], "password.common");
    // An unknown document type is its own field error; the number is not judged without a type.
    let mut form = natural_person_form(5, "123456");
    form.document_type = "library_card".into();
    let e = block_on(registrar(&store, &clock, &random).natural_person(&form)).unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), ("document.type_unknown", Some("document_type")));
    assert_eq!(fields(&e), ["document_type"]);
    // The document number is identity context for the password.
    let mut form = natural_person_form(5, "123456");
    form.password = "E00000005 is my passport".into();
    let e = block_on(registrar(&store, &clock, &random).natural_person(&form)).unwrap_err();
    assert_eq!(e.code, "password.contains_identity");
    assert_eq!(accounts(&store), 0);
}

#[test]
fn wp_login_names_are_reserved_for_migrated_accounts_in_any_case_and_width() {
    let (store, clock, random) = (test_support::store(), clock(), SeqRandom::new(5));
    let code = code_for(&store, &clock, &random, "13900000006");
    for name in ["WPsomename", "wpsomename", "Wpsomename", "wPsomename", "ｗｐsomename", "ＷＰsomename"] {
        let form = LegalEntityForm { login_name: name.into(), ..legal_entity_form(6, &code) };
        let e = block_on(registrar(&store, &clock, &random).legal_entity(&form)).unwrap_err();
        assert_eq!((e.code, e.status, e.field.as_deref()), ("registration.login_name_reserved", 400, Some("login_name")), "{name}");
        assert!(e.message.zh.contains("WP") && e.message.zh.contains("迁移"), "{}", e.message.zh);
        assert!(e.message.en.contains("reserved for accounts migrated"), "{}", e.message.en);
        let g = e.guidance.as_deref().unwrap();
        assert!(g.message.en.contains("Choose a login name that does not start with WP"), "{}", g.message.en);
        assert!(g.message.en.contains("log in with WP + your old name"), "{}", g.message.en);
        let hrefs: Vec<&str> = g.actions.iter().map(|a| a.href.as_str()).collect();
        assert_eq!(hrefs, ["/login", "/password-reset"]);
    }
    // Listed with the other field errors, not instead of them.
    let form = NaturalPersonForm { login_name: "WPsomeone".into(), mobile: "1".into(), ..natural_person_form(7, &code) };
    let e = block_on(registrar(&store, &clock, &random).natural_person(&form)).unwrap_err();
    assert_eq!(codes(&e), ["registration.login_name_reserved", "mobile.invalid_mainland"]);
    assert_eq!(accounts(&store), 0);
    assert_eq!(unused_codes(&store), 1, "the code is still usable");
    // WP elsewhere in the name is no prefix.
    let form = LegalEntityForm { login_name: "newpaper".into(), ..legal_entity_form(6, &code) };
    assert_eq!(block_on(registrar(&store, &clock, &random).legal_entity(&form)).unwrap().login_name, "newpaper");
}

#[test]
fn a_wrong_code_counts_and_a_failed_registration_leaves_the_code_usable() {
    let (store, clock, random) = (test_support::store(), clock(), SeqRandom::new(6));
    block_on(TestAccount::bare(AccountKind::NaturalPerson, "taken-name").create(&store, &clock)).unwrap();
    let code = code_for(&store, &clock, &random, "13900000008");
    let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
    let e = block_on(registrar(&store, &clock, &random).legal_entity(&legal_entity_form(8, &wrong))).unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), ("sms.code_wrong", Some("sms_code")));
    assert_eq!(e.details.as_ref().unwrap()["tries_left"], 4);
    let failed = "SELECT failed_attempts FROM sms_codes WHERE mobile = '13900000008'";
    assert_eq!(block_on(count(&store, failed, &[])).unwrap(), 1, "the failed try was committed");

    // The right code, but the login name is taken: refused, and the code is not used up.
    let form = LegalEntityForm { login_name: "TAKEN-NAME".into(), ..legal_entity_form(8, &code) };
    let e = block_on(registrar(&store, &clock, &random).legal_entity(&form)).unwrap_err();
    assert_eq!((e.code, e.status, e.field.as_deref()), ("registration.login_name_taken", 409, Some("login_name")));
    assert_eq!(e.guidance.as_deref().unwrap().code, "registration.login_name_registered");
    assert_eq!(unused_codes(&store), 1);
    assert_eq!(accounts(&store), 1);
    assert_eq!(block_on(count(&store, failed, &[])).unwrap(), 1, "a refusal after the code is no wrong try");

    // Fixed, the same code registers.
    block_on(registrar(&store, &clock, &random).legal_entity(&legal_entity_form(8, &code))).unwrap();
    assert_eq!((accounts(&store), unused_codes(&store)), (2, 0));
}

#[test]
fn each_taken_identifier_is_refused_with_the_faq_way_out() {
    let (store, clock, random) = (test_support::store(), clock(), SeqRandom::new(7));
    block_on(TestAccount::legal_entity("holder-org", "福州测试9科技有限公司", &uscc(9)).create(&store, &clock)).unwrap();
    block_on(TestAccount::natural_person("holder-person", "李四", DocumentType::Passport, "E00000009", Some("USA")).create(&store, &clock))
        .unwrap();
    let migrated = block_on(TestAccount::bare(AccountKind::LegalEntity, "WPoldname").create(&store, &clock)).unwrap();
    block_on(in_transaction(&store, async |tx| add_alias(tx, "oldname", migrated).await)).unwrap();

    let le = |form: LegalEntityForm| {
        let code = code_for(&store, &clock, &random, &form.mobile);
        block_on(registrar(&store, &clock, &random).legal_entity(&LegalEntityForm { sms_code: code, ..form })).unwrap_err()
    };
    let mut n = 10;
    let mut next = || {
        n += 1;
        legal_entity_form(n, "")
    };
    let e = le(LegalEntityForm { uscc: uscc(9), ..next() });
    assert_eq!((e.code, e.field.as_deref()), ("registration.uscc_taken", Some("uscc")));
    assert_eq!(e.guidance.as_deref().unwrap().actions[0].href, "/appeal/legal-entity", "FAQ 1(2), 2");
    let e = le(LegalEntityForm { org_name: " 福州测试9科技有限公司 ".into(), ..next() });
    assert_eq!((e.code, e.field.as_deref()), ("registration.org_name_taken", Some("org_name")));
    let e = le(LegalEntityForm { login_name: "OldName".into(), ..next() });
    assert_eq!(e.code, "registration.login_name_taken", "a migrated account's old name is taken too");

    let code = code_for(&store, &clock, &random, "13700000012");
    let form = NaturalPersonForm { document_number: "e00000009".into(), ..natural_person_form(12, &code) };
    let e = block_on(registrar(&store, &clock, &random).natural_person(&form)).unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), ("registration.document_taken", Some("document_number")));
    assert_eq!(e.guidance.as_deref().unwrap().actions[0].href, "/appeal/natural-person", "FAQ 3.3");
    assert_eq!(accounts(&store), 3);
}

type Job = Box<dyn Fn(&Registrar<'_, NativeStore>) -> Result<String, AppError> + Send>;

/// `threads` registrations at once, each on its own connection to one
/// database file (as component instances are). `job(i, code)` makes the
/// `i`th registration: the mobile it needs a code for, and the attempt.
/// Exactly one must win; every other gets `loser` (409). Returns the
/// winner's login name and the database.
fn race(threads: u32, loser: &str, job: impl Fn(u32, &str) -> (String, Job)) -> (String, FileDatabase) {
    let db = FileDatabase::new("registration-race");
    let jobs: Vec<Job> = {
        let (store, clock, random) = (db.open(), clock(), SeqRandom::new(100));
        (0..threads).map(|i| job(i, &code_for(&store, &clock, &random, &job(i, "").0)).1).collect()
    };
    let results: Vec<Result<String, AppError>> = std::thread::scope(|s| {
        let handles: Vec<_> = jobs
            .into_iter()
            .enumerate()
            .map(|(i, job)| {
                let db = &db;
                s.spawn(move || {
                    let store = db.open();
                    let (clock, random) = (clock(), SeqRandom::new(200 + i as u64));
                    job(&registrar(&store, &clock, &random))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut winners = results.iter().filter_map(|r| r.as_ref().ok());
    let winner = winners.next().unwrap_or_else(|| panic!("nobody won: {results:?}")).clone();
    assert!(winners.next().is_none(), "two won: {results:?}");
    for e in results.iter().filter_map(|r| r.as_ref().err()) {
        assert_eq!((e.code, e.status), (loser, 409), "{e}");
    }
    (winner, db)
}

/// The same value in two spellings the parsers fold to one (case, width,
/// spacing), alternating between racers.
fn spelling<'a>(i: u32, even: &'a str, odd: &'a str) -> &'a str {
    if i % 2 == 0 { even } else { odd }
}

fn legal_entity_job(form: LegalEntityForm) -> (String, Job) {
    let mobile = form.mobile.clone();
    (mobile, Box::new(move |r| block_on(r.legal_entity(&form)).map(|a| a.login_name)))
}

fn natural_person_job(form: NaturalPersonForm) -> (String, Job) {
    let mobile = form.mobile.clone();
    (mobile, Box::new(move |r| block_on(r.natural_person(&form)).map(|a| a.login_name)))
}

#[test]
fn racing_registrations_of_one_login_name_one_wins() {
    // Different organizations and kinds, one login name in different cases.
    let (_, db) = race(6, "registration.login_name_taken", |i, code| {
        let login_name = spelling(i, "RaceName", "racename").to_owned();
        match i {
            0..3 => legal_entity_job(LegalEntityForm { login_name, ..legal_entity_form(20 + i, code) }),
            _ => natural_person_job(NaturalPersonForm { login_name, ..natural_person_form(20 + i, code) }),
        }
    });
    assert_eq!(block_on(count(&db.open(), "SELECT COUNT(*) FROM accounts WHERE login_name_key = 'racename'", &[])).unwrap(), 1);
}

#[test]
fn racing_registrations_of_one_uscc_one_wins() {
    let (_, db) =
        race(6, "registration.uscc_taken", |i, code| legal_entity_job(LegalEntityForm { uscc: uscc(30), ..legal_entity_form(30 + i, code) }));
    let store = db.open();
    assert_eq!(block_on(count(&store, "SELECT COUNT(*) FROM accounts WHERE uscc = ?", &[uscc(30).into()])).unwrap(), 1);
    // The losers' codes were not used up: each can still register once fixed.
    assert_eq!(block_on(count(&store, "SELECT COUNT(*) FROM sms_codes WHERE consumed_at IS NULL", &[])).unwrap(), 5);
}

#[test]
fn racing_registrations_of_one_organization_name_one_wins() {
    // Each with its own USCC; the name in different widths and spacing.
    let (winner, db) = race(6, "registration.org_name_taken", |i, code| {
        let org_name = spelling(i, "福州赛跑科技有限公司", " 福州赛跑科技有限公司　").to_owned();
        legal_entity_job(LegalEntityForm { org_name, ..legal_entity_form(40 + i, code) })
    });
    let account = block_on(find_by_login(&db.open(), &winner)).unwrap().unwrap();
    assert_eq!(account.organization.unwrap().name.as_str(), "福州赛跑科技有限公司");
    assert_eq!(block_on(count(&db.open(), "SELECT COUNT(*) FROM accounts", &[])).unwrap(), 1);
}

#[test]
fn racing_registrations_of_one_document_one_wins() {
    let (winner, db) = race(6, "registration.document_taken", |i, code| {
        let document_number = spelling(i, "E55555555", "e55555555").to_owned();
        natural_person_job(NaturalPersonForm { document_number, ..natural_person_form(50 + i, code) })
    });
    let store = db.open();
    assert_eq!(block_on(count(&store, "SELECT COUNT(*) FROM accounts", &[])).unwrap(), 1);
    let account = block_on(find_by_login(&store, &winner)).unwrap().unwrap();
    assert_eq!(account.document.unwrap().number, "E55555555");
}
