//! Legacy-data requests through review: what they know, the candidates
//! with where each is linked, confirmed links only, never another's
//! records on the user's say.

use super::*;
use crate::entry::requests::file;
use crate::test_support::multipart_form;

fn file_request(t: &T, viewer: &Account, files: &[&str], fields: &[(&str, &str)]) -> AppResult<Value> {
    block_on(file(&t.store, &t.clock, viewer, &multipart_form(files, fields)))
}

/// An onboarded organization, another one holding WP-OTHER, and old
/// records of the first under an old USCC and login name.
fn world(t: &T) -> (Account, Account) {
    let me = t.verified_organization("acmecorp", "北京测试科技有限公司", ORG_USCC);
    let other = t.verified_organization("othercorp", "北京其他科技有限公司", &uscc(5));
    t.onboard(&me, Entry::WorkPermit);
    t.onboard(&other, Entry::WorkPermit);
    let mut renamed = record("WP2015-0001", &uscc(9));
    renamed["old_login_name"] = json!("AcmeOld");
    let mut also = record("WP2015-0002", &uscc(9));
    also["old_login_name"] = json!("acmeold");
    let mut theirs = record("WP-OTHER", &uscc(5));
    theirs["old_login_name"] = json!("acmeold");
    let report = t.import(&[renamed, also, theirs]);
    assert_eq!(report.imported.iter().filter(|(_, i)| i.linked_to == Some(other.id)).count(), 1);
    (me, other)
}

#[test]
fn naming_another_owners_records_is_refused_and_nothing_is_filed() {
    let t = setup();
    let (me, _) = world(&t);
    let e = file_request(&t, &me, &[], &[("entry", "work_permit"), ("record_numbers", "WP2015-0001, WP-OTHER")]).unwrap_err();
    assert_eq!((e.code, e.status, e.field.as_deref()), ("legacy_data.records_linked_elsewhere", 409, Some("record_numbers")));
    assert_eq!(e.details.unwrap()["record_numbers"], json!(["WP-OTHER"]));
    assert_eq!(t.count("SELECT COUNT(*) FROM legacy_data_requests"), 0);
    assert_eq!(t.count("SELECT COUNT(*) FROM review_items WHERE kind = 'legacy_data'"), 0);
}

#[test]
fn a_request_needs_something_known_and_valid_fields() {
    let t = setup();
    let (me, _) = world(&t);
    assert_eq!(file_request(&t, &me, &[], &[("entry", "work_permit")]).unwrap_err().code, "legacy_data.nothing_known");
    let e = file_request(&t, &me, &[], &[("entry", "work_permit"), ("old_uscc", "123"), ("record_numbers", "A B/C")]).unwrap_err();
    let mut fields: Vec<String> = field_errors(&e).into_iter().map(|(f, _)| f).collect();
    fields.sort();
    assert_eq!(fields, ["old_uscc", "record_numbers"]);
    assert_eq!(file_request(&t, &me, &[], &[("entry", "visa"), ("old_login_name", "x")]).unwrap_err().field.as_deref(), Some("entry"));
    assert_eq!(file_request(&t, &me, &["passport"], &[("entry", "work_permit"), ("old_login_name", "x")]).unwrap_err().code, "upload.field_unknown");
    // A person with "handle business" only may not file for the organization.
    let person = t.verified_person("zhangsan", "张三", &resident_id(1));
    t.grant(me.id, person.id, Role::Business);
    assert_eq!(file_request(&t, &person, &[], &[("entry", "work_permit"), ("old_login_name", "x")]).unwrap_err().code, "legacy_data.needs_grant_admin");
    assert_eq!(t.count("SELECT COUNT(*) FROM legacy_data_requests"), 0);
}

#[test]
fn the_reviewer_confirms_the_candidates_to_link_and_sees_where_each_is() {
    let t = setup();
    let (me, other) = world(&t);
    let filed = file_request(&t, &me, &["documents"], &[("entry", "work_permit"), ("old_login_name", "ACMEOLD"), ("note", "单位 2018 年更名")]).unwrap();
    assert_eq!((filed["state"].as_str(), filed["documents"].as_i64()), (Some("under_review"), Some(1)));
    let again = file_request(&t, &me, &[], &[("entry", "work_permit"), ("old_login_name", "x")]).unwrap_err();
    assert_eq!((again.code, again.status), ("legacy_data.request_open", 409));

    let item = t.open_item("legacy_data");
    let view = t.details(item);
    assert_eq!(view["documents"].as_array().unwrap().len(), 1);
    let claimed = view["subject"]["claimed"].as_array().unwrap();
    assert_eq!((claimed[0]["field"].as_str(), claimed[0]["value_zh"].as_str()), (Some("old_login_name"), Some("ACMEOLD")));
    assert_eq!(view["subject"]["account"]["org_name"], "北京测试科技有限公司");
    let candidates = view["subject"]["candidates"].as_array().unwrap();
    let numbers: Vec<&str> = candidates.iter().map(|c| c["record_number"].as_str().unwrap()).collect();
    assert_eq!(numbers, ["WP-OTHER", "WP2015-0001", "WP2015-0002"]);
    assert_eq!(candidates[0]["linked_to"]["name"], "北京其他科技有限公司");
    assert!(candidates[1]["linked_to"].is_null());

    // Confirming a record that is not a candidate changes nothing.
    let e = t.decide(item, json!({ "decision": "approve", "confirm": ["WP2015-0001", "WP9999"] })).unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), ("legacy_data.confirm_not_candidate", Some("confirm")));
    assert_eq!(t.decide(item, json!({ "decision": "approve" })).unwrap_err().code, "legacy_data.confirm_required");
    assert_eq!(t.count("SELECT COUNT(*) FROM legacy_records WHERE owner_account_id IS NULL"), 2);
    assert_eq!(t.open_item("legacy_data"), item);

    // The reviewer links the two of the old name and moves none of the other's.
    t.decide(item, json!({ "decision": "approve", "confirm": ["wp2015-0001", "WP2015-0002"] })).unwrap();
    let mine: Vec<String> = block_on(crate::entry::store::records_of(&t.store, me.id, Entry::WorkPermit)).unwrap().into_iter().map(|r| r.record_number).collect();
    assert_eq!(mine, ["WP2015-0001", "WP2015-0002"]);
    assert_eq!(t.count(&format!("SELECT COUNT(*) FROM legacy_records WHERE owner_account_id = {}", other.id)), 1);
    assert!(t.sms_to(MOBILE)[0].contains("2 条"));
    let home = block_on(crate::entry::home::home(&t.store, &t.clock, &me, Entry::WorkPermit, None)).unwrap();
    assert_eq!(home["requests"][0]["linked"], json!(["WP2015-0001", "WP2015-0002"]));
}

#[test]
fn a_reviewer_may_move_a_record_deliberately_and_the_audit_says_from_whom() {
    let t = setup();
    let (me, other) = world(&t);
    file_request(&t, &me, &[], &[("entry", "work_permit"), ("old_login_name", "acmeold")]).unwrap();
    let item = t.open_item("legacy_data");
    t.decide(item, json!({ "decision": "approve", "confirm": ["WP-OTHER"] })).unwrap();
    let moved = t.count(&format!(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'legacy_record.linked' AND json_extract(detail, '$.moved_from') = {}",
        other.id
    ));
    assert_eq!(moved, 1);
}

#[test]
fn a_rejection_sends_the_reason() {
    let t = setup();
    let (me, _) = world(&t);
    file_request(&t, &me, &[], &[("entry", "work_permit"), ("old_org_name", "北京老单位科技有限公司")]).unwrap();
    let item = t.open_item("legacy_data");
    t.decide(item, json!({ "decision": "reject", "reason": "无法核实与原单位的关系" })).unwrap();
    assert!(t.sms_to(MOBILE)[0].contains("无法核实与原单位的关系"));
    assert_eq!(t.count("SELECT COUNT(*) FROM legacy_records WHERE owner_account_id IS NULL"), 2);
    // A new request may follow.
    file_request(&t, &me, &[], &[("entry", "work_permit"), ("old_login_name", "acmeold")]).unwrap();
}
