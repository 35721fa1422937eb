//! The legacy import: created, converted, skipped, conflicts, per-line
//! errors, aliases, one transaction per line, the bearer token.

use super::{clock, uscc};
use crate::account::{Account, AccountKind, add_alias, find_by_login};
use crate::clock::FixedClock;
use crate::error::AppError;
use crate::identity::DocumentType;
use crate::registration::legacy::{CONVERTED_ROLE, ImportReport, Outcome, import, import_authorized};
use crate::store::native::block_on;
use crate::store::{NativeStore, Store, in_transaction};
use crate::test_support::{self, TestAccount, count};
use serde_json::{Value, json};

const HASH: &str = "$pbkdf2-sha256$i=1000,l=32$c2FsdHNhbHQ$AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

fn lines(records: &[Value]) -> String {
    records.iter().map(|r| format!("{r}\n")).collect()
}

fn run(store: &NativeStore, clock: &FixedClock, records: &[Value]) -> ImportReport {
    block_on(import(store, clock, &lines(records))).unwrap()
}

fn account(store: &NativeStore, typed: &str) -> Account {
    block_on(find_by_login(store, &typed.to_ascii_lowercase())).unwrap().unwrap_or_else(|| panic!("no account {typed}"))
}

fn accounts(store: &NativeStore) -> i64 {
    block_on(count(store, "SELECT COUNT(*) FROM accounts", &[])).unwrap()
}

fn organization(old: &str, n: u32) -> Value {
    json!({"old_login_name": old, "kind": "legal_entity", "org_name": format!("旧系统{n}有限公司"), "uscc": uscc(n),
           "mobile": "13912345678", "password_hash": HASH})
}

fn person(old: &str, passport: &str) -> Value {
    json!({"old_login_name": old, "kind": "natural_person", "real_name": "王五", "document_type": "passport",
           "document_number": passport, "nationality": "GBR"})
}

fn errors(report: &ImportReport) -> Vec<(usize, &'static str, Option<&str>)> {
    report.errors.iter().map(|(line, e)| (*line, e.code, e.field.as_deref())).collect()
}

#[test]
fn each_old_account_becomes_wp_plus_its_name_with_the_old_name_as_an_alias() {
    let (store, clock) = (test_support::store(), clock());
    let report = run(&store, &clock, &[organization("acme", 1), person("Wang.Wu", "G00000001")]);
    assert_eq!((report.created, report.converted, report.skipped, report.errors.len()), (2, 0, 0, 0));
    let org = account(&store, "WPacme");
    assert_eq!(report.outcomes[0], (1, Outcome::Created { account_id: org.id, login_name: "WPacme".into() }));
    assert_eq!((org.kind, org.legacy_old_name.as_deref(), org.converted_from_legacy), (AccountKind::LegalEntity, Some("acme"), false));
    assert_eq!(org.organization.as_ref().unwrap().uscc.as_str(), uscc(1));
    assert_eq!(org.reserved_mobile.as_ref().map(|m| m.as_str()), Some("13912345678"));
    let hash = block_on(crate::test_support::login_state(&store, "wpacme")).unwrap().password_hash;
    assert_eq!(hash.as_deref(), Some(HASH), "the old hash is kept (upgraded at the first login)");
    assert_eq!(account(&store, "ACME").id, org.id, "the old name is an alias, ignoring case");

    let p = account(&store, "WPWang.Wu");
    assert_eq!((p.kind, p.real_name.as_deref()), (AccountKind::NaturalPerson, Some("王五")));
    assert_eq!(account(&store, "wang.wu").id, p.id);
    let no_hash = block_on(crate::test_support::login_state(&store, "wang.wu")).unwrap();
    assert_eq!((no_hash.password_hash, p.reserved_mobile), (None, None), "imported without a hash: reset by SMS first");
    let audited = "SELECT COUNT(*) FROM audit_log WHERE action = 'legacy.account_imported'";
    assert_eq!(block_on(count(&store, audited, &[])).unwrap(), 2);
    let json = report.to_json();
    assert_eq!(json["accounts"][1], json!({"line": 2, "result": "created", "account_id": p.id, "login_name": "WPWang.Wu"}));
}

#[test]
fn an_organization_with_an_account_already_makes_the_old_one_a_natural_person_with_its_grant() {
    let (store, clock) = (test_support::store(), clock());
    let org_id = block_on(TestAccount::legal_entity("neworg", "旧系统2有限公司", &uscc(2)).create(&store, &clock)).unwrap();
    let report = run(&store, &clock, &[organization("conv", 2)]);
    assert_eq!((report.created, report.converted), (0, 1));
    let conv = account(&store, "WPconv");
    assert_eq!(report.outcomes, vec![(1, Outcome::Converted { account_id: conv.id, login_name: "WPconv".into(), organization_id: org_id })]);
    assert_eq!((conv.kind, conv.converted_from_legacy, conv.organization), (AccountKind::NaturalPerson, true, None));
    let grant = block_on(crate::grants::of_pair(&store, org_id, conv.id)).unwrap().expect("the organization's grant");
    assert_eq!((grant.roles, grant.granted_by), (vec![CONVERTED_ROLE], None));
    assert_eq!(report.to_json()["accounts"][0]["result"], "converted_to_natural_person");

    // The same name under another USCC is not the same organization: no grant without review.
    let mut other = organization("namesake", 3);
    other["org_name"] = json!("旧系统2有限公司");
    let report = run(&store, &clock, &[other]);
    assert_eq!(errors(&report), [(1, "registration.org_name_taken", Some("org_name"))]);
    // A document bound to an account already: the natural-person appeal's case.
    block_on(TestAccount::natural_person("bound", "李四", DocumentType::Passport, "G00000004", Some("GBR")).create(&store, &clock))
        .unwrap();
    let report = run(&store, &clock, &[person("lisi", "G00000004")]);
    assert_eq!(errors(&report), [(1, "registration.document_taken", Some("document_number"))]);
    assert_eq!(accounts(&store), 3);
}

#[test]
fn importing_the_same_accounts_again_skips_them_and_changes_nothing() {
    let (store, clock) = (test_support::store(), clock());
    let records = [organization("acme", 5), person("wangwu", "G00000005")];
    run(&store, &clock, &records);
    let before = accounts(&store);
    let mut again = records.to_vec();
    again[0]["old_login_name"] = json!("ACME");
    let report = run(&store, &clock, &again);
    assert_eq!((report.created, report.skipped, report.errors.len()), (0, 2, 0));
    assert_eq!(report.outcomes[0], (1, Outcome::Skipped { login_name: "WPacme".into() }));
    assert_eq!(report.to_json()["accounts"][1]["result"], "skipped_existing");
    assert_eq!(accounts(&store), before);
    assert_eq!(block_on(count(&store, "SELECT COUNT(*) FROM login_name_aliases", &[])).unwrap(), 2);
}

#[test]
fn an_account_holding_the_wp_name_is_a_conflict_never_a_skip() {
    let (store, clock) = (test_support::store(), clock());
    // Registered before WP names were refused (or written by hand): not this old account's.
    let squatter = block_on(TestAccount::bare(AccountKind::NaturalPerson, "WPsomename").create(&store, &clock)).unwrap();
    let report = run(&store, &clock, &[organization("somename", 6), organization("SomeName", 6)]);
    assert_eq!((report.created, report.skipped), (0, 0));
    assert_eq!(errors(&report), [(1, "legacy.login_name_conflict", Some("old_login_name")), (2, "legacy.login_name_conflict", Some("old_login_name"))]);
    let e = &report.errors[0].1;
    assert_eq!(e.status, 409);
    assert!(e.message.zh.contains("“WPsomename”") && e.message.en.contains("held by the account “WPsomename”"), "{}", e.message.en);
    assert_eq!(e.details, Some(json!({"login_name": "WPsomename", "held_by": "WPsomename", "held_by_account_id": squatter})));
    let line = &report.to_json()["errors"][0];
    assert_eq!((line["code"].as_str(), line["details"]["held_by"].as_str()), (Some("legacy.login_name_conflict"), Some("WPsomename")));
    assert_eq!(accounts(&store), 1, "nothing imported");
    assert!(block_on(find_by_login(&store, "somename")).unwrap().is_none(), "... and no alias was added for the old name");
    assert_eq!(block_on(count(&store, "SELECT COUNT(*) FROM login_name_aliases", &[])).unwrap(), 0);

    // An account migrated for another old name holds it as an alias: a conflict too.
    let other = block_on(TestAccount::bare(AccountKind::LegalEntity, "WPWPtwo").legacy_old_name("WPtwo").create(&store, &clock)).unwrap();
    block_on(in_transaction(&store, async |tx| add_alias(tx, "WPtwo", other).await)).unwrap();
    let report = run(&store, &clock, &[organization("two", 7)]);
    let (_, e) = &report.errors[0];
    assert_eq!((e.code, e.details.as_ref().unwrap()["held_by"].as_str()), ("legacy.login_name_conflict", Some("WPWPtwo")));
    // Same login name and a different recorded old name: not the same old account.
    block_on(TestAccount::bare(AccountKind::LegalEntity, "WPthree").legacy_old_name("another").create(&store, &clock)).unwrap();
    assert_eq!(errors(&run(&store, &clock, &[organization("three", 8)])), [(1, "legacy.login_name_conflict", Some("old_login_name"))]);
}

#[test]
fn an_account_holding_the_old_name_is_a_conflict() {
    let (store, clock) = (test_support::store(), clock());
    let holder = block_on(TestAccount::bare(AccountKind::LegalEntity, "plainname").create(&store, &clock)).unwrap();
    let report = run(&store, &clock, &[organization("PlainName", 9)]);
    assert_eq!(errors(&report), [(1, "legacy.old_login_name_conflict", Some("old_login_name"))]);
    let e = &report.errors[0].1;
    assert_eq!(e.details, Some(json!({"login_name": "PlainName", "held_by": "plainname", "held_by_account_id": holder})));
    assert!(block_on(find_by_login(&store, "wpplainname")).unwrap().is_none(), "not created without its alias");
    assert_eq!(accounts(&store), 1);
}

#[test]
fn a_bad_line_is_reported_with_its_number_and_the_others_are_imported() {
    let (store, clock) = (test_support::store(), clock());
    let mut bad_hash = organization("badhash", 11);
    bad_hash["password_hash"] = json!("5f4dcc3b5aa765d61d8327deb882cf99");
    let mut bad_mobile = organization("badmobile", 12);
    bad_mobile["mobile"] = json!("12345");
    let mut bad_uscc = organization("baduscc", 13);
    bad_uscc["uscc"] = json!("91350100M000100Y44");
    let mut bad_kind = organization("badkind", 14);
    bad_kind["kind"] = json!("reviewer");
    let mut unknown_field = organization("unknownfield", 15);
    unknown_field["is_admin"] = json!(true);
    let body = format!(
        "{}\n{{not json\n\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n",
        organization("good1", 10),
        json!({"old_login_name": "  ", "kind": "legal_entity"}),
        json!({"old_login_name": "has space", "kind": "legal_entity"}),
        bad_hash,
        bad_mobile,
        bad_uscc,
        bad_kind,
        unknown_field,
    ) + &format!("{}\n{}", person("nobody", "G1"), person("good2", "G00000016"));
    let report = block_on(import(&store, &clock, &body)).unwrap();
    assert_eq!(
        errors(&report),
        [
            (2, "legacy.invalid_line", None),
            (4, "legacy.old_login_name_invalid", Some("old_login_name")),
            (5, "legacy.old_login_name_invalid", Some("old_login_name")),
            (6, "legacy.password_hash_format", Some("password_hash")),
            (7, "mobile.invalid_mainland", Some("mobile")),
            (8, "uscc.check_mismatch", Some("uscc")),
            (9, "legacy.kind_unknown", Some("kind")),
            (10, "legacy.invalid_line", None),
            (11, "passport.wrong_length", Some("document_number")),
        ],
        "line 3 is blank and skipped"
    );
    assert_eq!(report.created, 2);
    assert_eq!(report.outcomes.iter().map(|(line, _)| *line).collect::<Vec<_>>(), [1, 12]);
    assert_eq!(accounts(&store), 2);
    let json = report.to_json();
    assert!(json["errors"][0]["message_zh"].as_str().unwrap().contains("第 2 行"), "{json}");
    assert!(json["errors"][7]["message_en"].as_str().unwrap().contains("is_admin"), "the unknown field is named: {json}");
}

#[test]
fn each_line_is_its_own_transaction() {
    let (store, clock) = (test_support::store(), clock());
    block_on(TestAccount::legal_entity("neworg", "旧系统21有限公司", &uscc(21)).create(&store, &clock)).unwrap();
    // The grant of a converted account fails in the store, after its account row was written.
    block_on(store.execute("CREATE TRIGGER refuse_grants BEFORE INSERT ON grants BEGIN SELECT RAISE(ABORT, 'no grants today'); END", &[]))
        .unwrap();
    let result = block_on(import(&store, &clock, &lines(&[organization("first", 20), organization("conv", 21), organization("third", 22)])));
    let e = result.unwrap_err();
    assert!(e.to_string().contains("no grants today"), "{e}");
    assert!(block_on(find_by_login(&store, "wpfirst")).unwrap().is_some(), "the line before stays imported");
    assert!(block_on(find_by_login(&store, "wpconv")).unwrap().is_none(), "the failed line's account row was rolled back");
    assert!(block_on(find_by_login(&store, "conv")).unwrap().is_none(), "... and its alias");
    assert_eq!(accounts(&store), 2);
    // The connection is usable again, and the import resumes where it stopped.
    block_on(store.execute("DROP TRIGGER refuse_grants", &[])).unwrap();
    let report = run(&store, &clock, &[organization("first", 20), organization("conv", 21), organization("third", 22)]);
    assert_eq!((report.skipped, report.converted, report.created), (1, 1, 1));
}

fn authorized(store: &NativeStore, expected: Option<&str>, header: Option<&str>, body: &[u8]) -> Result<ImportReport, AppError> {
    block_on(import_authorized(store, &clock(), expected, header, "203.0.113.9", body))
}

fn audited(store: &NativeStore, action: &str) -> i64 {
    block_on(count(store, "SELECT COUNT(*) FROM audit_log WHERE action = ?", &[action.into()])).unwrap()
}

#[test]
fn the_import_needs_the_configured_bearer_token() {
    let store = test_support::store();
    let body = lines(&[organization("tokened", 30)]);
    let e = authorized(&store, None, Some("Bearer anything"), body.as_bytes()).unwrap_err();
    assert_eq!((e.code, e.status), ("request.not_found", 404), "no token configured: the endpoint does not exist");
    for header in [None, Some("Bearer wrong"), Some("Bearer s3cret-token-extra"), Some("Basic s3cret-token"), Some("s3cret-token")] {
        let e = authorized(&store, Some("s3cret-token"), header, body.as_bytes()).unwrap_err();
        assert_eq!((e.code, e.status), ("legacy.unauthorized", 401), "{header:?}");
        assert_eq!(e.headers, vec![("www-authenticate".to_owned(), "Bearer".to_owned())]);
    }
    assert_eq!(audited(&store, "legacy.import_refused"), 5);
    assert_eq!(accounts(&store), 0);
    let refused = block_on(store.execute("SELECT actor FROM audit_log WHERE action = 'legacy.import_refused' LIMIT 1", &[])).unwrap();
    assert_eq!(refused.first().unwrap().text("actor").unwrap(), "client:203.0.113.9");

    let e = authorized(&store, Some("s3cret-token"), Some("Bearer s3cret-token"), b"\xff\xfe").unwrap_err();
    assert_eq!((e.code, e.status, e.field.as_deref()), ("legacy.not_utf8", 400, Some("body")));
    let report = authorized(&store, Some("s3cret-token"), Some("Bearer  s3cret-token "), body.as_bytes()).unwrap();
    assert_eq!(report.created, 1);
    assert_eq!(audited(&store, "legacy.import"), 1);
    let detail = block_on(store.execute("SELECT detail FROM audit_log WHERE action = 'legacy.import'", &[])).unwrap();
    let detail: Value = serde_json::from_str(detail.first().unwrap().text("detail").unwrap()).unwrap();
    assert_eq!(detail, json!({"created": 1, "converted": 0, "skipped": 0, "errors": 0}));
}
