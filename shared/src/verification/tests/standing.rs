//! What other flows ask of verification (`standing`): which parts passed,
//! and the organization and person as verified.

use super::*;
use crate::verification::parts::{OrganizationType, Part};
use crate::verification::standing::{in_force_facts, standing, verified_organization, verified_person};
use crate::store::Store;

fn passed(t: &T, account: &Account, parts: &[Part]) -> Vec<(Part, &'static str, bool)> {
    block_on(standing(&t.store, account.id, parts)).unwrap().into_iter().map(|s| (s.part, s.state.code(), s.passed)).collect()
}

#[test]
fn an_organization_stands_verified_once_its_parts_pass_and_a_newer_claim_does_not_undo_it() {
    let t = setup();
    let me = t.legal_entity();
    let parts = [Part::BasicInfo, Part::LegalRepresentative];
    assert_eq!(passed(&t, &me, &parts), vec![(Part::BasicInfo, "not_submitted", false), (Part::LegalRepresentative, "not_submitted", false)]);
    assert_eq!(block_on(verified_organization(&t.store, &t.clock, me.id)).unwrap(), None);

    t.service.then(Answer::Verdict("match"));
    t.save(&me, "legal_representative", &mainland_representative("王大明", RESIDENT_ID)).unwrap();
    t.service.then(Answer::Verdict("match"));
    t.save(&me, "basic_info", &basic_info(ORG_NAME, USCC)).unwrap();
    assert_eq!(passed(&t, &me, &parts), vec![(Part::BasicInfo, "passed", true), (Part::LegalRepresentative, "passed", true)]);
    let org = block_on(verified_organization(&t.store, &t.clock, me.id)).unwrap().unwrap();
    assert_eq!((org.name.as_str(), org.uscc.as_str(), org.organization_type), (ORG_NAME, USCC, OrganizationType::Enterprise));
    assert_eq!(org.registered_address, "福州市鼓楼区五四路 100 号");
    let rows = block_on(in_force_facts(&t.store, me.id, &parts)).unwrap();
    assert!(rows.iter().any(|r| r["field"] == "uscc" && r["value_en"] == USCC), "{rows:?}");
    assert!(rows.iter().any(|r| r["field"] == "legal_representative_name"));

    // A new identity that fails leaves the verified one standing.
    t.service.then(Answer::Verdict("mismatch"));
    t.save(&me, "basic_info", &basic_info("福州改名科技有限公司", &uscc(9))).unwrap();
    assert_eq!(passed(&t, &me, &[Part::BasicInfo]), vec![(Part::BasicInfo, "failed", true)]);
    assert_eq!(block_on(verified_organization(&t.store, &t.clock, me.id)).unwrap().unwrap().uscc.as_str(), USCC);
}

#[test]
fn a_person_stands_verified_with_the_document_that_passed() {
    let t = setup();
    let me = t.natural_person();
    assert_eq!(block_on(verified_person(&t.store, &t.clock, me.id)).unwrap(), None);
    t.save(&me, "person", &person_passport("Anna Schmidt", "C01X00T47")).unwrap();
    assert_eq!(passed(&t, &me, &[Part::Person]), vec![(Part::Person, "manual_review_required", false)]);
    t.service.then(Answer::Verdict("match"));
    t.save(&me, "person", &person_resident("张三", RESIDENT_ID)).unwrap();
    let person = block_on(verified_person(&t.store, &t.clock, me.id)).unwrap().unwrap();
    assert_eq!((person.name.as_str(), person.document.number()), ("张三", RESIDENT_ID));
    let json = block_on(standing(&t.store, me.id, &[Part::Person])).unwrap()[0].to_json();
    assert_eq!((json["state"].as_str(), json["message_zh"].as_str()), (Some("passed"), Some("自然人信息 已通过")));
}

/// FAQ 7(1): a natural person holding the organization's `grant_admin`
/// completes the organization's info; the check runs as for the
/// organization itself, and the history and the audit log name the person.
#[test]
fn a_person_acting_for_the_organization_is_the_actor_of_its_verification() {
    let t = setup();
    let org = t.legal_entity();
    let person = t.natural_person();
    let on_behalf = MyInfo { acting_person: Some(person.id), ..t.my_info() };
    t.service.then(Answer::Verdict("match"));
    let saved = block_on(on_behalf.save(&org, "legal_representative", &mainland_representative("王大明", RESIDENT_ID))).unwrap();
    assert_eq!(saved["state"], "passed");
    let actors = block_on(t.store.execute("SELECT actor FROM audit_log WHERE action = 'verification.saved'", &[])).unwrap();
    assert_eq!(actors.first().unwrap().text("actor").unwrap(), person.id.audit_subject());
    let history = block_on(t.store.execute("SELECT actor FROM verification_history", &[])).unwrap();
    assert_eq!(history.first().unwrap().text("actor").unwrap(), person.id.audit_subject());
    assert!(passed(&t, &org, &[Part::LegalRepresentative])[0].2, "it is the organization's part that passed");
}
