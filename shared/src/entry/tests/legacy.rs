//! The import of the old system's business records: each line alone,
//! its errors with line and field, automatic links at import.

use super::*;
use crate::entry::legacy::{ImportLine, parse_line};

#[test]
fn a_bad_uscc_and_a_duplicate_number_are_reported_and_the_rest_imported() {
    let t = setup();
    let mut bad_uscc = record("WP2019-0002", "91350100M000100Y44");
    bad_uscc["old_login_name"] = json!("acme");
    let report = t.import(&[record("WP2019-0001", ORG_USCC), bad_uscc, record("wp2019-0001", ORG_USCC), record("WP2019-0003", ORG_USCC)]);
    assert_eq!(report.imported.iter().map(|(n, _)| *n).collect::<Vec<_>>(), [1, 4]);
    let errors: Vec<(usize, &str, Option<&str>)> = report.errors.iter().map(|(n, e)| (*n, e.code, e.field.as_deref())).collect();
    assert_eq!(errors, [(2, "legacy_records.uscc_invalid", Some("old_uscc")), (3, "legacy_records.duplicate_number", Some("record_number"))]);
    assert_eq!(t.count("SELECT COUNT(*) FROM legacy_records"), 2);
    // The same file again: every line a duplicate, nothing changes.
    let again = t.import(&[record("WP2019-0001", ORG_USCC)]);
    assert_eq!(again.errors[0].1.code, "legacy_records.duplicate_number");
    assert_eq!(t.count("SELECT COUNT(*) FROM legacy_records"), 2);
    let json = report.to_json();
    assert_eq!((json["imported"].as_i64(), json["errors"][0]["line"].as_i64()), (Some(2), Some(2)));
}

#[test]
fn a_line_names_every_bad_field() {
    let today = CivilDate::new(2026, 3, 10).unwrap();
    let mut v = record("WP 1", ORG_USCC);
    v["kind"] = json!("visa");
    v["submitted_on"] = json!("2019-02-30");
    v["foreigner_document_type"] = json!("card");
    let line: ImportLine = serde_json::from_value(v).unwrap();
    let mut fields: Vec<String> = field_errors(&parse_line(&line, today).unwrap_err()).into_iter().map(|(f, _)| f).collect();
    fields.sort();
    assert_eq!(fields, ["foreigner_document_type", "kind", "record_number", "submitted_on"]);

    let mut v = record("WP-2", ORG_USCC);
    v["decided_on"] = json!("2019-01-01");
    for k in ["old_login_name", "old_org_name", "old_uscc"] {
        v.as_object_mut().unwrap().remove(k);
    }
    let line: ImportLine = serde_json::from_value(v).unwrap();
    let mut codes: Vec<String> = field_errors(&parse_line(&line, today).unwrap_err()).into_iter().map(|(_, c)| c).collect();
    codes.sort();
    assert_eq!(codes, ["legacy_records.decided_before_submitted", "legacy_records.owner_missing"]);
    // Unknown keys are refused as a line error.
    let report = t_import_raw(r#"{"record_number":"X1","unknown":1}"#);
    assert_eq!(report.errors[0].1.code, "legacy_records.invalid_line");
}

fn t_import_raw(body: &str) -> crate::entry::legacy::ImportReport {
    let t = setup();
    block_on(crate::entry::legacy::import(&t.store, &t.clock, body)).unwrap()
}

#[test]
fn a_record_imported_after_onboarding_links_at_import() {
    let t = setup();
    let me = t.verified_organization("acmecorp", "北京测试科技有限公司", ORG_USCC);
    t.onboard(&me, Entry::WorkPermit);
    let report = t.import(&[record("WP2021-0100", ORG_USCC), record("WP2021-0101", &uscc(8))]);
    assert_eq!(report.imported[0].1.linked_to, Some(me.id));
    assert_eq!(report.imported[1].1.linked_to, None);
    let mine = block_on(crate::entry::store::records_of(&t.store, me.id, Entry::WorkPermit)).unwrap();
    assert_eq!(mine.iter().map(|r| r.link_basis.as_deref()).collect::<Vec<_>>(), [Some("import")]);
    assert_eq!(t.count("SELECT COUNT(*) FROM audit_log WHERE action = 'legacy_record.linked'"), 1);
}

#[test]
fn the_bearer_token_guards_the_import() {
    let t = setup();
    let body = record("WP2019-0001", ORG_USCC).to_string();
    let run = |expected: Option<&str>, given: Option<&str>| {
        block_on(crate::entry::legacy::import_authorized(&t.store, &t.clock, expected, given, "192.0.2.9", body.as_bytes()))
    };
    assert_eq!(run(None, Some("Bearer x")).unwrap_err().status, 404);
    assert_eq!(run(Some("secret-token"), Some("Bearer nope")).unwrap_err().status, 401);
    assert_eq!(t.count("SELECT COUNT(*) FROM legacy_records"), 0);
    assert_eq!(run(Some("secret-token"), Some("Bearer secret-token")).unwrap().imported.len(), 1);
}
