//! Saving parts and uploading documents through a migrated store, with a
//! scripted identity service: every outcome of the check, the limits, the
//! conflicts, the identity in force, and the upload rules.

use super::*;
use crate::verification::parts::Part;

fn state(v: &Value) -> &str {
    v["state"].as_str().unwrap()
}

#[test]
fn a_match_passes_and_puts_the_identity_in_force() {
    let t = setup();
    let me = t.natural_person();
    t.service.then(Answer::Verdict("match"));
    let other = resident_id(7);
    let v = t.save(&me, "person", &person_resident("张三丰", &other)).unwrap();
    assert_eq!(state(&v), "passed");
    assert_eq!(v["message_zh"], "自然人信息 已通过");
    assert_eq!(v["next_action"], "none");
    assert_eq!(v["fields"]["real_name"], "张三丰");
    assert!(v["fields"].get("document_number").is_none(), "the number is only shown masked");
    assert_eq!(v["fields"]["document_number_masked"], crate::account::mask_middle(&other));
    let sent = &t.service.seen.borrow()[0];
    assert_eq!(sent.body()["check"], "person_2");
    assert_eq!(sent.subject, json!({ "name": "张三丰", "id_number": other }));
    let account = t.account(me.id);
    assert_eq!(account.real_name.as_deref(), Some("张三丰"));
    assert_eq!(account.document.unwrap().number, other);
    assert!(account.identity_verified_at.is_some());
    assert_eq!(v["history"][0]["state"], "passed");
    assert_eq!(v["history"][0]["result"], "check_passed");
    assert_eq!(v["history"][0]["actor"], "you");
    assert_eq!(t.count("SELECT COUNT(*) FROM audit_log WHERE action = 'verification.saved' AND detail LIKE '%\"verdict\":\"match\"%'"), 1);
    assert_eq!(t.count(&format!("SELECT COUNT(*) FROM audit_log WHERE detail LIKE '%{other}%'")), 0, "the audit log keeps no document number");
}

#[test]
fn mismatch_and_no_record_fail_alike_and_never_say_which_field() {
    for result in ["mismatch", "no_record"] {
        let t = setup();
        let me = t.natural_person();
        t.service.then(Answer::Verdict(result));
        let v = t.save(&me, "person", &person_resident("张三", RESIDENT_ID)).unwrap();
        assert_eq!(state(&v), "failed", "{result}");
        assert_eq!(v["result"], "check_failed");
        assert!(v["message_zh"].as_str().unwrap().starts_with("自然人信息 失败"));
        let text = v.to_string();
        for leak in ["mismatch", "no_record", "姓名不", "号码不"] {
            assert!(!text.contains(leak), "{result}: the answer says {leak:?}");
        }
        assert_eq!((v["next_action"].as_str(), v["accepts_upload"].as_bool()), (Some("upload"), Some(true)));
        assert!(t.account(me.id).identity_verified_at.is_none());
    }
}

#[test]
fn no_verdict_offers_the_upload_and_never_passes() {
    let answers = [
        Answer::Timeout,
        Answer::Unreachable,
        Answer::Status(500, "{\"result\":\"match\"}"),
        Answer::Body("<!doctype html><title>Gateway</title>"),
        Answer::Body("not json at all"),
        Answer::Verdict("definitely"),
        Answer::Verdict("busy"),
        Answer::Verdict("daily_limit"),
        Answer::MatchForOtherData,
        Answer::MatchForOtherRequest,
    ];
    for a in answers {
        let t = setup();
        let me = t.natural_person();
        t.service.then(a.clone());
        let v = t.save(&me, "person", &person_resident("张三", RESIDENT_ID)).unwrap();
        assert_eq!(state(&v), "check_unavailable", "{a:?}");
        assert_eq!(v["accepts_upload"], true);
        assert!(t.account(me.id).identity_verified_at.is_none(), "{a:?}: nothing passed");
    }
}

#[test]
fn documents_that_cannot_be_checked_online_go_to_manual_review_without_a_check() {
    let t = setup();
    let me = t.natural_person();
    let v = t.save(&me, "person", &person_passport("Anna Schmidt", "C01X00T47")).unwrap();
    assert_eq!(state(&v), "manual_review_required");
    assert_eq!(v["result"], "not_checkable_online");
    assert_eq!(t.service.calls(), 0);
    assert_eq!(v["documents"][0]["field"], "document_front");
    assert_eq!(v["documents"][1]["required"], false, "a passport has no back");
    let info = t.view(&me);
    let passport = info["document_types"].as_array().unwrap().iter().find(|d| d["code"] == "passport").unwrap().clone();
    assert_eq!(passport["online_check"], "no", "the page can say so before saving");
}

#[test]
fn without_a_service_the_built_in_checker_never_passes() {
    let mut t = setup();
    t.with_service = false;
    let me = t.natural_person();
    let v = t.save(&me, "person", &person_resident("张三", RESIDENT_ID)).unwrap();
    assert_eq!(state(&v), "manual_review_required");
    assert_eq!(v["result"], "format_checked_only");
    assert!(v["result_message_zh"].as_str().unwrap().contains("校验位"));
    // Formats are still checked.
    let e = t.save(&me, "person", &person_resident("张三", "110105194912310021")).unwrap_err();
    assert_eq!(e.code, "resident_id.check_mismatch");
    let info = t.view(&me);
    assert_eq!(info["identity_service"], "builtin");
    assert!(info["document_types"].as_array().unwrap().iter().all(|d| d["online_check"] == "no"));
}

#[test]
fn checks_are_limited_per_account_and_per_client() {
    let mut t = setup();
    t.settings = Settings::default().with(&settings::VERIFICATION_CHECKS_PER_ACCOUNT, "2");
    let me = t.natural_person();
    t.service.then(Answer::Verdict("mismatch"));
    t.service.then(Answer::Verdict("mismatch"));
    for _ in 0..2 {
        assert_eq!(state(&t.save(&me, "person", &person_resident("张三", RESIDENT_ID)).unwrap()), "failed");
    }
    let v = t.save(&me, "person", &person_resident("张三", RESIDENT_ID)).unwrap();
    assert_eq!((state(&v), v["result"].as_str()), ("check_unavailable", Some("check_limit_reached")));
    assert_eq!(t.service.calls(), 2, "the third was not asked");
    assert_eq!(t.count("SELECT COUNT(*) FROM audit_log WHERE detail LIKE '%limit_reached%'"), 1, "audited too");
    t.clock.advance_seconds(86_400);
    t.service.then(Answer::Verdict("match"));
    assert_eq!(state(&t.save(&me, "person", &person_resident("张三", RESIDENT_ID)).unwrap()), "passed", "the window moves on");

    let mut t = setup();
    t.settings = Settings::default().with(&settings::VERIFICATION_CHECKS_PER_CLIENT, "1");
    let (a, b) = (t.natural_person(), t.natural_person_with("lisi", &resident_id(3), None));
    t.service.then(Answer::Verdict("mismatch"));
    assert_eq!(state(&t.save(&a, "person", &person_resident("张三", RESIDENT_ID)).unwrap()), "failed");
    let v = t.save(&b, "person", &person_resident("李四", &resident_id(3))).unwrap();
    assert_eq!(v["result"], "check_limit_reached", "another account from the same client");
}

#[test]
fn faq_3_3_a_document_of_another_account_is_refused_and_nothing_changes() {
    let t = setup();
    let me = t.natural_person();
    let other = t.natural_person_with("lisi", &resident_id(3), None);
    let e = t.save(&me, "person", &person_resident("李四", &resident_id(3))).unwrap_err();
    assert_eq!((e.code, e.status, e.field.as_deref()), ("verification.document_taken", 409, Some("document_number")));
    assert!(e.message.zh.contains("已存在") && e.message.zh.contains("自然人用户申诉找回密码"), "{}", e.message.zh);
    let g = e.guidance.unwrap();
    assert!(g.actions.iter().any(|a| a.href == "/appeal/natural-person"));
    assert!(t.current(&me, Part::Person).is_none(), "nothing stored");
    assert_eq!(t.service.calls(), 0, "and nothing checked");
    assert_eq!(t.account(other.id).document.unwrap().number, resident_id(3));
    // One's own registered document is no conflict.
    t.service.then(Answer::Verdict("match"));
    assert_eq!(state(&t.save(&me, "person", &person_resident("张三", RESIDENT_ID)).unwrap()), "passed");
}

#[test]
fn faq_3_4_an_organization_of_another_account_is_refused() {
    let t = setup();
    let me = t.legal_entity();
    t.legal_entity_with("othercorp", "厦门另一科技有限公司", &uscc(42));
    t.service.then(Answer::Verdict("match"));
    t.save(&me, "legal_representative", &mainland_representative("王大明", RESIDENT_ID)).unwrap();
    let e = t.save(&me, "basic_info", &basic_info("厦门另一科技有限公司", USCC)).unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), ("verification.org_name_taken", Some("org_name")));
    assert!(e.guidance.as_ref().unwrap().actions.iter().any(|a| a.href == "/appeal/legal-entity"));
    let e = t.save(&me, "basic_info", &basic_info(ORG_NAME, &uscc(42))).unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), ("verification.uscc_taken", Some("uscc")));
    assert!(t.current(&me, Part::BasicInfo).is_none());
}

#[test]
fn the_organization_is_checked_with_its_legal_representatives_name() {
    let t = setup();
    let me = t.legal_entity();
    let e = t.save(&me, "basic_info", &basic_info(ORG_NAME, USCC)).unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), ("verification.legal_representative_first", Some("legal_representative_type")));
    t.service.then(Answer::Verdict("match"));
    assert_eq!(state(&t.save(&me, "legal_representative", &mainland_representative("王大明", RESIDENT_ID)).unwrap()), "passed");
    t.service.then(Answer::Verdict("match"));
    let v = t.save(&me, "basic_info", &basic_info(ORG_NAME, USCC)).unwrap();
    assert_eq!(state(&v), "passed");
    let sent = t.service.seen.borrow()[1].clone();
    assert_eq!(sent.body()["check"], "enterprise_3");
    assert_eq!(sent.subject["legal_representative_name"], "王大明");
    t.service.then(Answer::Verdict("match"));
    let v = t.save(&me, "authorization_info", &main_agent(&resident_id(5), "13900000009")).unwrap();
    assert_eq!(state(&v), "passed");
    assert_eq!(t.service.seen.borrow()[2].body()["check"], "person_3", "the main agent like a natural person, with its mobile");
    assert_eq!(v["fields"]["main_agent_mobile_masked"], "139****0009");
    let info = t.view(&me);
    assert_eq!(info["verified"], true);
    assert_eq!(info["parts"].as_array().unwrap().iter().map(|p| p["part"].as_str().unwrap()).collect::<Vec<_>>(), ["basic_info", "authorization_info", "legal_representative"]);
    assert!(info["countries"].as_array().unwrap().iter().any(|c| c["code"] == "CHN"), "China is offered, and answered with the fix");
}

#[test]
fn a_verified_identity_is_never_edited_silently() {
    let t = setup();
    let me = t.natural_person();
    t.service.then(Answer::Verdict("match"));
    t.save(&me, "person", &person_resident("张三", RESIDENT_ID)).unwrap();
    // A new document: a new verification; the old identity stays in force.
    t.service.then(Answer::Verdict("mismatch"));
    let v = t.save(&me, "person", &person_resident("张三", &resident_id(9))).unwrap();
    assert_eq!((state(&v), v["pending"].as_bool()), ("failed", Some(true)));
    assert_eq!(v["in_force"]["document_number_masked"], crate::account::mask_middle(RESIDENT_ID));
    assert_eq!(t.account(me.id).document.unwrap().number, RESIDENT_ID, "still the verified one");
    // Saving the identity in force again: passed at once, no check.
    let v = t.save(&me, "person", &person_resident("张三", RESIDENT_ID)).unwrap();
    assert_eq!((state(&v), v["result"].as_str(), v["pending"].as_bool()), ("passed", Some("identity_in_force"), Some(false)));
    assert_eq!(t.service.calls(), 2);
    // Saved unchanged: nothing happens.
    let before = t.count("SELECT COUNT(*) FROM verifications");
    t.save(&me, "person", &person_resident("张三", RESIDENT_ID)).unwrap();
    assert_eq!(t.count("SELECT COUNT(*) FROM verifications"), before);
    // A passport: manual review; while it waits, the resident ID is in force.
    let v = t.save(&me, "person", &person_passport("张三", "E12345678")).unwrap();
    assert_eq!(state(&v), "manual_review_required");
    assert_eq!(t.account(me.id).document.unwrap().doc_type, DocumentType::ResidentId);
}

#[test]
fn details_of_a_verified_organization_change_without_a_new_check() {
    let t = setup();
    let me = t.legal_entity();
    t.service.then(Answer::Verdict("match"));
    t.save(&me, "legal_representative", &mainland_representative("王大明", RESIDENT_ID)).unwrap();
    t.service.then(Answer::Verdict("match"));
    t.save(&me, "basic_info", &basic_info(ORG_NAME, USCC)).unwrap();
    let mut moved = basic_info(ORG_NAME, USCC);
    moved["registered_address"] = json!("福州市仓山区南江滨西大道 1 号");
    let v = t.save(&me, "basic_info", &moved).unwrap();
    assert_eq!((state(&v), v["result"].as_str()), ("passed", Some("details_updated")));
    assert_eq!(v["fields"]["registered_address"], "福州市仓山区南江滨西大道 1 号");
    assert_eq!(t.service.calls(), 2, "no new check");
    assert_eq!(v["history"][0]["result"], "details_updated");
}

#[test]
fn uploads_only_when_the_part_takes_them_and_once_while_under_review() {
    let t = setup();
    let me = t.natural_person();
    let e = t.upload(&me, "person", &["document_front", "document_back"]).unwrap_err();
    assert_eq!((e.code, e.status), ("verification.upload_not_accepted", 409), "nothing saved yet");
    t.service.then(Answer::Verdict("mismatch"));
    t.save(&me, "person", &person_resident("张三", RESIDENT_ID)).unwrap();
    let e = t.upload(&me, "person", &["document_front"]).unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), ("upload.file_required", Some("document_back")));
    let v = t.upload(&me, "person", &["document_front", "document_back"]).unwrap();
    assert_eq!(state(&v), "under_review");
    assert_eq!(v["message_zh"].as_str().unwrap(), "实名认证审核中：请等待后台审核，审核结果会以短信通知。");
    assert_eq!(v["due_at"], tuesday_10h().plus_seconds(86_400).millis(), "one working day");
    assert_eq!(v["uploads"].as_array().unwrap().len(), 2);
    let e = t.upload(&me, "person", &["document_front", "document_back"]).unwrap_err();
    assert_eq!((e.code, e.status), ("verification.already_under_review", 409));
    let e = t.save(&me, "person", &person_resident("张三", &resident_id(4))).unwrap_err();
    assert_eq!((e.code, e.status), ("verification.under_review", 409));
    assert_eq!(t.count("SELECT COUNT(*) FROM review_items WHERE kind = 'verification' AND state = 'open'"), 1);
    assert_eq!(t.count("SELECT COUNT(*) FROM uploads"), 2, "the refused upload stored nothing");
}

#[test]
fn a_passed_part_takes_no_upload() {
    let t = setup();
    let me = t.natural_person();
    t.service.then(Answer::Verdict("match"));
    t.save(&me, "person", &person_resident("张三", RESIDENT_ID)).unwrap();
    let e = t.upload(&me, "person", &["document_front", "document_back"]).unwrap_err();
    assert_eq!(e.code, "verification.upload_not_accepted");
    assert!(e.message.zh.contains("已通过"));
}

#[test]
fn my_info_is_the_sessions_own_and_names_no_other_account() {
    let t = setup();
    let me = t.natural_person();
    let e = t.save(&me, "basic_info", &basic_info(ORG_NAME, USCC)).unwrap_err();
    assert_eq!((e.code, e.status), ("verification.part_not_found", 404), "another kind's part");
    assert_eq!(t.save(&me, "12", &person_resident("张三", RESIDENT_ID)).unwrap_err().status, 404);
    let mut body = person_resident("张三", RESIDENT_ID);
    body["account_id"] = json!(99);
    assert_eq!(t.save(&me, "person", &body).unwrap_err().code, "request.not_found");
    let e = block_on(t.my_info().upload(&me, "person", &form_with(&["document_front"], &[("account_id", "99")]))).unwrap_err();
    assert_eq!(e.code, "request.not_found");
    let req = crate::web::Request::new("GET", "/api/my-info?account_id=2");
    assert_eq!(refuse_addressing(&req).unwrap_err().status, 404);
    assert!(refuse_addressing(&crate::web::Request::new("GET", "/api/my-info")).is_ok());
    assert_eq!(t.save(&me, "person", &json!(["x"])).unwrap_err().code, "request.invalid_json");
}

#[test]
fn a_new_natural_person_starts_from_what_was_registered() {
    let t = setup();
    let me = t.natural_person();
    let info = t.view(&me);
    let part = &info["parts"][0];
    assert_eq!((part["part"].as_str(), part["state"].as_str()), (Some("person"), Some("not_submitted")));
    assert_eq!(part["fields"]["real_name"], "张三");
    assert_eq!(part["fields"]["document_type"], "resident_id");
    assert_eq!(part["next_action"], "save");
    assert_eq!(info["verified"], false);
    assert!(info.get("countries").is_none(), "only the legal entity's page needs them");
}
