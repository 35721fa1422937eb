//! First entry: the form's rules, one waiting at a time, the decision's
//! effects (roles, automatic links, SMS), rejection and resubmission.

use super::*;

#[test]
fn the_form_reports_every_bad_field_at_once_and_keeps_nothing() {
    let t = setup();
    let me = t.verified_organization("acmecorp", "北京测试科技有限公司", ORG_USCC);
    let mut form = work_permit_form();
    form["unit_type"] = json!("bank");
    form["contact_email"] = json!("hr@localhost");
    form["description"] = json!("短");
    form["office_address"] = json!("");
    let e = t.submit(&me, Entry::WorkPermit, &form).unwrap_err();
    let mut errors = field_errors(&e);
    errors.sort();
    assert_eq!(
        errors,
        [
            ("contact_email".to_owned(), "onboarding.field_invalid".to_owned()),
            ("description".to_owned(), "onboarding.field_length".to_owned()),
            ("office_address".to_owned(), "onboarding.field_required".to_owned()),
            ("unit_type".to_owned(), "onboarding.field_invalid".to_owned()),
        ]
    );
    let mut unknown = work_permit_form();
    unknown["account_id"] = json!("3");
    assert_eq!(t.submit(&me, Entry::WorkPermit, &unknown).unwrap_err().code, "onboarding.field_unknown");
    assert_eq!(t.count("SELECT COUNT(*) FROM onboardings"), 0);
    assert_eq!(t.count("SELECT COUNT(*) FROM review_items"), 0);
}

#[test]
fn the_r_visa_form_checks_the_passport_and_visa() {
    let t = setup();
    let me = t.verified_foreigner("annaschmidt", "C01X00T47");
    assert_eq!(t.state(&me, Entry::RVisa), "needs_onboarding");
    let s = t.stand(&me, Entry::RVisa, None).unwrap();
    let value = |name: &str| s["form"]["fields"].as_array().unwrap().iter().find(|f| f["name"] == name).unwrap()["value"].clone();
    assert_eq!((value("passport_number"), value("nationality")), (json!("C01X00T47"), json!("DEU")));
    let e = t.submit(&me, Entry::RVisa, &json!({ "passport_number": "", "nationality": "XXX", "visa_number": "R-1", "employer": "x" })).unwrap_err();
    let fields: Vec<String> = field_errors(&e).into_iter().map(|(f, _)| f).collect();
    for f in ["passport_number", "visa_number", "employer"] {
        assert!(fields.contains(&f.to_owned()), "{f} in {fields:?}");
    }
    t.submit(&me, Entry::RVisa, &r_visa_form()).unwrap();
    assert_eq!(t.state(&me, Entry::RVisa), "onboarding_under_review");
}

#[test]
fn one_submission_waits_at_a_time_with_its_due_time() {
    let t = setup();
    let me = t.verified_organization("acmecorp", "北京测试科技有限公司", ORG_USCC);
    let s = t.submit(&me, Entry::WorkPermit, &work_permit_form()).unwrap();
    assert_eq!(s["entry_state"], "onboarding_under_review");
    let due = s["due_at"].as_i64().unwrap();
    assert_eq!(due, block_on(crate::workday::due_at(&t.store, t.clock.now())).unwrap().millis());
    let e = t.submit(&me, Entry::WorkPermit, &work_permit_form()).unwrap_err();
    assert_eq!((e.code, e.status), ("entry.onboarding_under_review", 409));
    assert_eq!(e.details.unwrap()["entry_state"], "onboarding_under_review");
    assert_eq!(t.count("SELECT COUNT(*) FROM onboardings"), 1);
    assert_eq!(t.count("SELECT COUNT(*) FROM review_items WHERE kind = 'onboarding'"), 1);
}

#[test]
fn a_rejection_gives_the_reason_and_takes_a_corrected_submission() {
    let t = setup();
    let me = t.verified_organization("acmecorp", "北京测试科技有限公司", ORG_USCC);
    t.submit(&me, Entry::WorkPermit, &work_permit_form()).unwrap();
    let item = t.open_item("onboarding");
    let details = t.details(item);
    assert_eq!(details["subject"]["kind"], "onboarding");
    assert!(details["subject"]["claimed"].as_array().unwrap().iter().any(|r| r["field"] == "industry" && r["value_zh"] == "信息传输、软件和信息技术服务业"));
    assert!(details["subject"]["in_force"].as_array().unwrap().iter().any(|r| r["field"] == "uscc"));
    t.decide(item, json!({ "decision": "reject", "reason": "单位简介不完整" })).unwrap();
    let s = t.stand(&me, Entry::WorkPermit, None).unwrap();
    assert_eq!((s["entry_state"].as_str(), s["reason"].as_str()), (Some("onboarding_rejected"), Some("单位简介不完整")));
    let value = |name: &str| s["form"]["fields"].as_array().unwrap().iter().find(|f| f["name"] == name).unwrap()["value"].clone();
    assert_eq!(value("contact_email"), "hr@example.com");
    assert!(t.sms_to(MOBILE)[0].contains("单位简介不完整"));
    assert!(block_on(grants::organization_roles(&t.store, me.id)).unwrap().is_empty());

    let mut corrected = work_permit_form();
    corrected["description"] = json!("软件研发企业，聘用外籍工程师从事人工智能研发工作，员工 200 人。");
    t.submit(&me, Entry::WorkPermit, &corrected).unwrap();
    assert_eq!(t.state(&me, Entry::WorkPermit), "onboarding_under_review");
    assert_eq!(t.count("SELECT COUNT(*) FROM onboardings"), 2);
}

#[test]
fn approval_gives_every_role_and_links_the_legacy_records_of_its_uscc() {
    let t = setup();
    let other = t.verified_organization("othercorp", "北京其他科技有限公司", &uscc(5));
    t.onboard(&other, Entry::WorkPermit);
    let report = t.import(&[record("WP2019-0001", ORG_USCC), record("WP2019-0002", ORG_USCC), record("WP2019-0003", &uscc(9))]);
    assert_eq!((report.imported.len(), report.errors.len()), (3, 0));
    // One of its records was linked to another organization meanwhile (by review): it stays there.
    t.sql("UPDATE legacy_records SET owner_account_id = ?, linked_by = 'reviewer:1' WHERE record_number = 'WP2019-0002'", &[other.id.into()]).unwrap();

    let me = t.verified_organization("acmecorp", "北京测试科技有限公司", ORG_USCC);
    t.submit(&me, Entry::WorkPermit, &work_permit_form()).unwrap();
    let item = t.open_item("onboarding");
    let preview = t.details(item)["subject"]["legacy_records"].clone();
    assert_eq!(preview.as_array().unwrap().len(), 2, "{preview}");
    // A field the kind does not take is refused before anything changes.
    let e = t.decide(item, json!({ "decision": "approve", "confirm": ["WP2019-0001"] })).unwrap_err();
    assert_eq!(e.code, "review.decision_field_unknown");
    assert_eq!(t.state(&me, Entry::WorkPermit), "onboarding_under_review");

    t.decide(item, json!({ "decision": "approve" })).unwrap();
    let s = t.stand(&me, Entry::WorkPermit, None).unwrap();
    assert_eq!(s["entry_state"], "open");
    assert_eq!(block_on(grants::organization_roles(&t.store, me.id)).unwrap(), Role::ALL.to_vec());
    let mine: Vec<String> = block_on(super::super::store::records_of(&t.store, me.id, Entry::WorkPermit)).unwrap().into_iter().map(|r| r.record_number).collect();
    assert_eq!(mine, ["WP2019-0001"]);
    assert_eq!(t.count(&format!("SELECT COUNT(*) FROM legacy_records WHERE owner_account_id = {}", other.id)), 1);
    assert_eq!(t.count("SELECT COUNT(*) FROM audit_log WHERE action = 'legacy_record.linked'"), 1);
    assert_eq!(t.count("SELECT COUNT(*) FROM audit_log WHERE action = 'onboarding.approved'"), 2);
    assert!(t.sms_to(MOBILE)[0].contains("审核通过"));
    // Approved once: no second submission.
    assert_eq!(t.submit(&me, Entry::WorkPermit, &work_permit_form()).unwrap_err().code, "entry.already_onboarded");
}

#[test]
fn an_r_visa_person_links_by_its_verified_document() {
    let t = setup();
    let me = t.verified_foreigner("annaschmidt", "C01X00T47");
    let mut line = record("RV2020-0001", ORG_USCC);
    let obj = line.as_object_mut().unwrap();
    obj.insert("kind".into(), json!("r_visa_info_update"));
    obj.remove("old_uscc");
    obj.remove("old_org_name");
    obj.insert("old_document_type".into(), json!("passport"));
    obj.insert("old_document_number".into(), json!("c01x00t47"));
    obj.insert("old_document_nationality".into(), json!("DEU"));
    let report = t.import(&[line]);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    t.onboard(&me, Entry::RVisa);
    let mine = block_on(super::super::store::records_of(&t.store, me.id, Entry::RVisa)).unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].link_basis.as_deref(), Some("onboarding"));
    assert_eq!(t.state(&me, Entry::RVisa), "open");
}

#[test]
fn submitting_before_verification_is_refused_with_the_state() {
    let t = setup();
    let me = t.organization("acmecorp", "北京测试科技有限公司", ORG_USCC);
    let e = t.submit(&me, Entry::WorkPermit, &work_permit_form()).unwrap_err();
    assert_eq!((e.code, e.status), ("entry.needs_verification", 409));
    assert_eq!(e.details.unwrap()["next_action"]["href"], "/my-info");
}
