//! A verification's review through `review::decide`: what the reviewer
//! sees, approval (the identity in force updated, SMS), rejection (the
//! reason, SMS, the old identity kept), resubmission, and a document taken
//! by another account meanwhile.

use super::*;
use crate::review::{Decision, ReviewState};
use crate::verification::parts::Part;

/// A natural person whose passport identity waits for review.
fn under_review(t: &T) -> Account {
    let me = t.natural_person();
    t.save(&me, "person", &person_passport("Anna Schmidt", "C01X00T47")).unwrap();
    t.upload(&me, "person", &["document_front"]).unwrap();
    me
}

#[test]
fn the_reviewer_sees_the_claim_next_to_the_identity_in_force() {
    let t = setup();
    let me = under_review(&t);
    let item = t.item(&me, Part::Person);
    let view = block_on(crate::review::item_view(&t.store, item, t.clock.now())).unwrap();
    assert_eq!(view["item"]["kind"], "verification");
    let subject = &view["subject"];
    assert_eq!((subject["part"].as_str(), subject["part_label_zh"].as_str()), (Some("person"), Some("自然人信息")));
    let claimed: Vec<(String, String)> = subject["claimed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["field"].as_str().unwrap().to_owned(), f["value_zh"].as_str().unwrap().to_owned()))
        .collect();
    assert!(claimed.contains(&("document_number".into(), "C01X00T47".into())), "the full number, to compare with the scan: {claimed:?}");
    assert!(claimed.contains(&("document_type".into(), "普通护照".into())));
    assert!(claimed.contains(&("nationality".into(), "德国（DEU）".into())), "{claimed:?}");
    let in_force = subject["in_force"].as_array().unwrap();
    assert!(in_force.iter().any(|f| f["value_zh"] == RESIDENT_ID), "what the account was registered with: {in_force:?}");
    assert_eq!(subject["check"]["result"], "not_checkable_online");
    assert_eq!(view["documents"].as_array().unwrap().len(), 1);
    let queue = block_on(crate::review::queue_view(&t.store, crate::review::Filter::Open, t.clock.now())).unwrap();
    let line = &queue["items"][0]["summary"];
    assert_eq!((line["name"].as_str(), line["part_label_en"].as_str()), (Some("Anna Schmidt"), Some("Personal information")));
}

#[test]
fn approval_passes_the_part_updates_the_identity_and_sends_an_sms() {
    let t = setup();
    let me = under_review(&t);
    let reviewer = t.reviewer();
    let decided = t.decide(t.item(&me, Part::Person), reviewer, Decision::approve()).unwrap();
    assert_eq!(decided.state, ReviewState::Approved);
    let info = t.view(&me);
    assert_eq!(info["parts"][0]["state"], "passed");
    assert_eq!(info["parts"][0]["history"][0]["actor"], "reviewer");
    assert_eq!(info["parts"][0]["history"][0]["result"], "review_approved");
    let account = t.account(me.id);
    let doc = account.document.unwrap();
    assert_eq!((doc.doc_type, doc.number.as_str(), doc.nationality.as_deref()), (DocumentType::Passport, "C01X00T47", Some("DEU")));
    assert_eq!(account.real_name.as_deref(), Some("Anna Schmidt"));
    let (template, params) = t.last_sms(MOBILE).unwrap();
    assert_eq!((template.as_str(), params["part"].as_str()), ("verification_passed", Some("自然人信息")));
    assert_eq!(t.count("SELECT COUNT(*) FROM audit_log WHERE action = 'verification.approved'"), 1);
}

#[test]
fn rejection_keeps_the_old_identity_says_why_and_allows_a_resubmission() {
    let t = setup();
    let me = under_review(&t);
    let reviewer = t.reviewer();
    let first = t.item(&me, Part::Person);
    t.decide(first, reviewer, Decision::Reject { reason: "照片页不清晰".into() }).unwrap();
    let part = t.view(&me)["parts"][0].clone();
    assert_eq!((part["state"].as_str(), part["reason"].as_str()), (Some("rejected"), Some("照片页不清晰")));
    assert_eq!(part["accepts_upload"], true);
    assert_eq!(t.account(me.id).document.unwrap().number, RESIDENT_ID, "the identity in force stays");
    let (template, params) = t.last_sms(MOBILE).unwrap();
    assert_eq!((template.as_str(), params["reason"].as_str()), ("verification_rejected", Some("照片页不清晰")));
    // Resubmitted: a verification of its own, with its own documents and review.
    let v = t.upload(&me, "person", &["document_front", "document_back"]).unwrap();
    assert_eq!(v["state"], "under_review");
    assert_eq!(v["uploads"].as_array().unwrap().len(), 2, "only this submission's scans");
    let second = t.item(&me, Part::Person);
    assert_ne!(second, first);
    let view = block_on(crate::review::item_view(&t.store, second, t.clock.now())).unwrap();
    assert_eq!(view["documents"].as_array().unwrap().len(), 2);
    t.decide(second, reviewer, Decision::approve()).unwrap();
    assert_eq!(t.account(me.id).document.unwrap().number, "C01X00T47");
}

#[test]
fn a_document_taken_meanwhile_cannot_be_approved() {
    let t = setup();
    let me = t.natural_person();
    t.service.then(Answer::Verdict("mismatch"));
    t.save(&me, "person", &person_resident("张三", &resident_id(8))).unwrap();
    t.upload(&me, "person", &["document_front", "document_back"]).unwrap();
    // Someone registers with that document while it waits.
    t.natural_person_with("lisi", &resident_id(8), None);
    let reviewer = t.reviewer();
    let item = t.item(&me, Part::Person);
    let e = t.decide(item, reviewer, Decision::approve()).unwrap_err();
    assert_eq!((e.code, e.status), ("verification.taken_meanwhile", 409));
    assert_eq!(t.view(&me)["parts"][0]["state"], "under_review", "nothing decided");
    assert_eq!(t.account(me.id).document.unwrap().number, RESIDENT_ID);
    t.decide(item, reviewer, Decision::Reject { reason: "该证件已绑定其他账号".into() }).unwrap();
}

#[test]
fn an_account_without_a_reserved_mobile_gets_no_sms_but_the_result_stands() {
    let t = setup();
    let me = t.natural_person_with("nomobile", &resident_id(2), None);
    t.save(&me, "person", &person_passport("Anna Schmidt", "C01X00T47")).unwrap();
    t.upload(&me, "person", &["document_front"]).unwrap();
    let reviewer = t.reviewer();
    t.decide(t.item(&me, Part::Person), reviewer, Decision::approve()).unwrap();
    assert_eq!(t.view(&me)["parts"][0]["state"], "passed");
    assert_eq!(t.count("SELECT COUNT(*) FROM sms_outbox"), 0);
}
