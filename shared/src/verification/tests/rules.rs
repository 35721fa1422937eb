//! The forms' rules: every field error at once and on the part's own field,
//! FAQ 3.5-3.7 messages, dates of birth, details vs identity, document
//! slots, and the state machine.

use super::*;
use crate::verification::parts::{Claim, Part, checkable_online, documents_for, fields_from_json, identity_of, online_check_of};
use crate::verification::state::{Event, Outcome, State, transition};

fn parse(part: Part, body: &Value) -> AppResult<Claim> {
    let Value::Object(map) = body else { panic!("an object") };
    Claim::parse(part, &fields_from_json(part, map)?, today())
}

fn err(part: Part, body: &Value) -> AppError {
    parse(part, body).unwrap_err()
}

#[test]
fn parts_belong_to_their_kind() {
    assert_eq!(Part::of_kind(AccountKind::NaturalPerson), &[Part::Person]);
    assert_eq!(Part::of_kind(AccountKind::LegalEntity), &[Part::BasicInfo, Part::AuthorizationInfo, Part::LegalRepresentative]);
    for p in Part::ALL {
        assert_eq!(Part::parse(p.code()), Some(p));
        assert!(!p.label().0.is_empty() && !p.label().1.is_empty());
        for f in p.fields() {
            assert_ne!(parts::field_label(f), ("", ""), "{f} has a label");
        }
    }
    assert_eq!(Part::parse("12"), None);
}

#[test]
fn a_resident_id_gives_the_date_of_birth_and_a_passport_asks_for_it() {
    let Claim::Person { birth_date, .. } = parse(Part::Person, &person_resident("张三", RESIDENT_ID)).unwrap() else { panic!() };
    assert_eq!(birth_date.to_string(), "1949-12-31");
    let mut typed = person_resident("张三", RESIDENT_ID);
    typed["birth_date"] = json!("1949-12-31");
    assert!(parse(Part::Person, &typed).is_ok(), "the same date typed as well is fine");
    typed["birth_date"] = json!("1950-01-01");
    let e = err(Part::Person, &typed);
    assert_eq!((e.code, e.field.as_deref()), ("verification.birth_date_mismatch", Some("birth_date")));

    let mut passport = person_passport("Anna Schmidt", "C01X00T47");
    assert!(parse(Part::Person, &passport).is_ok());
    passport["birth_date"] = json!("");
    let e = err(Part::Person, &passport);
    assert_eq!((e.code, e.field.as_deref()), ("verification.birth_date_required", Some("birth_date")));
}

#[test]
fn a_future_birth_date_is_refused_whichever_way_it_comes() {
    let mut passport = person_passport("Anna Schmidt", "C01X00T47");
    passport["birth_date"] = json!("2026-03-11");
    let e = err(Part::Person, &passport);
    assert_eq!((e.code, e.field.as_deref()), ("verification.birth_date_in_future", Some("birth_date")));
    assert!(e.message.zh.contains("2026-03-10"), "names today: {}", e.message.zh);
    // In a resident ID number.
    let born_tomorrow = crate::identity::ResidentId::with_check("11010520260311001", CivilDate::new(2026, 3, 12).unwrap()).unwrap();
    let e = err(Part::Person, &person_resident("张三", born_tomorrow.as_str()));
    assert_eq!((e.code, e.field.as_deref()), ("resident_id.birth_date_in_future", Some("document_number")));
    for bad in ["1988-02-30", "31.12.1988", "1899-12-31", "yesterday"] {
        passport["birth_date"] = json!(bad);
        assert_eq!(err(Part::Person, &passport).code, "verification.birth_date_format", "{bad}");
    }
}

#[test]
fn faq_3_7_a_passport_number_in_the_permanent_resident_id_field_names_the_type_it_is() {
    let mut person = person_passport("Anna Schmidt", "E12345678");
    person["document_type"] = json!("permanent_resident_id");
    let e = err(Part::Person, &person);
    assert_eq!((e.code, e.field.as_deref()), ("document.wrong_format", Some("document_number")));
    assert_eq!(e.details.as_ref().unwrap()["likely_type"], "passport");
    assert!(e.message.zh.contains("普通护照") && e.message.zh.contains("以 9 开头"), "{}", e.message.zh);

    let rep = fields(&[
        ("legal_representative_type", "other"),
        ("legal_representative_name", "John Smith"),
        ("legal_representative_document_type", "permanent_resident_id"),
        ("legal_representative_document_number", "E12345678"),
        ("legal_representative_continent", "europe"),
        ("legal_representative_country", "GBR"),
    ]);
    let e = err(Part::LegalRepresentative, &rep);
    assert_eq!((e.code, e.field.as_deref()), ("document.wrong_format", Some("legal_representative_document_number")));
    assert_eq!(e.details.unwrap()["likely_type"], "passport");
}

#[test]
fn faq_3_5_a_missing_legal_representative_type_says_where_it_is() {
    let mut rep = mainland_representative("王大明", RESIDENT_ID);
    rep["legal_representative_type"] = Value::Null;
    let e = err(Part::LegalRepresentative, &rep);
    assert_eq!((e.code, e.field.as_deref()), ("legal_representative.type_required", Some("legal_representative_type")));
    assert!(e.message.zh.contains("法定代表人信息 → 类型"), "{}", e.message.zh);
}

#[test]
fn faq_3_6_china_under_other_says_to_choose_the_mainland_type() {
    let rep = fields(&[
        ("legal_representative_type", "other"),
        ("legal_representative_name", "王大明"),
        ("legal_representative_document_type", "passport"),
        ("legal_representative_document_number", "E12345678"),
        ("legal_representative_continent", "asia"),
        ("legal_representative_country", "CHN"),
    ]);
    let e = err(Part::LegalRepresentative, &rep);
    assert_eq!((e.code, e.field.as_deref()), ("legal_representative.china_under_other", Some("legal_representative_type")));
    assert!(e.message.zh.contains("中华人民共和国大陆地区"), "{}", e.message.zh);
}

#[test]
fn the_main_agents_errors_come_at_once_on_its_own_fields() {
    let e = err(
        Part::AuthorizationInfo,
        &fields(&[("main_agent_name", "李"), ("main_agent_document_type", "passport"), ("main_agent_document_number", "E1"), ("main_agent_mobile", "12")]),
    );
    let names: Vec<String> = field_errors(&e).into_iter().map(|(f, _)| f).collect();
    assert_eq!(names, ["main_agent_name", "main_agent_document_number", "main_agent_mobile"]);
    let e = err(
        Part::AuthorizationInfo,
        &fields(&[("main_agent_name", "李小红"), ("main_agent_document_type", "passport"), ("main_agent_document_number", "E12345678"), ("main_agent_mobile", "13900000009")]),
    );
    assert_eq!((e.code, e.field.as_deref()), ("document.nationality_required", Some("main_agent_nationality")));
    let e = err(Part::AuthorizationInfo, &fields(&[("main_agent_document_type", "id_card")]));
    assert!(field_errors(&e).contains(&("main_agent_document_type".into(), "document.type_unknown".into())), "{:?}", field_errors(&e));
}

#[test]
fn the_basic_infos_errors_come_at_once() {
    let e = err(
        Part::BasicInfo,
        &fields(&[("org_name", ""), ("uscc", "91350100M000100Y44"), ("registered_address", "<b>"), ("organization_type", "bank"), ("contact_phone", "call me")]),
    );
    assert_eq!(
        field_errors(&e),
        [
            ("org_name".into(), "org_name.empty".into()),
            ("uscc".into(), "uscc.check_mismatch".into()),
            ("registered_address".into(), "verification.address_invalid_character".into()),
            ("organization_type".into(), "verification.organization_type_unknown".into()),
            ("contact_phone".into(), "verification.contact_phone_invalid".into()),
        ]
    );
    assert!(parse(Part::BasicInfo, &basic_info(ORG_NAME, USCC)).is_ok());
    let mut b = basic_info(ORG_NAME, USCC);
    b["contact_phone"] = json!("+86 138 0013 8000");
    assert!(parse(Part::BasicInfo, &b).is_ok(), "a mobile is a contact phone too");
    b["uscc"] = json!(5);
    assert_eq!(err(Part::BasicInfo, &b).code, "request.field_invalid_type");
}

#[test]
fn stored_claims_parse_back_to_themselves() {
    let bodies = [
        (Part::Person, person_resident("张三", RESIDENT_ID)),
        (Part::Person, person_passport("Anna  Schmidt", "c01x00t47")),
        (Part::BasicInfo, basic_info("福州测试科技有限公司", "91350100m000100y43")),
        (Part::AuthorizationInfo, main_agent(RESIDENT_ID, "+86 139 0000 0009")),
        (Part::LegalRepresentative, mainland_representative("王大明", RESIDENT_ID)),
    ];
    for (part, body) in bodies {
        let claim = parse(part, &body).unwrap();
        let stored = claim.to_fields();
        assert_eq!(Claim::parse(part, &stored, today()).unwrap(), claim, "{part:?}");
        assert_eq!(claim.part(), part);
    }
    let stored = parse(Part::Person, &person_passport("Anna  Schmidt", "c01x00t47")).unwrap().to_fields();
    assert_eq!(stored["real_name"], "Anna Schmidt");
    assert_eq!(stored["document_number"], "C01X00T47");
}

#[test]
fn only_the_organizations_name_and_uscc_are_its_identity() {
    let a = parse(Part::BasicInfo, &basic_info(ORG_NAME, USCC)).unwrap().to_fields();
    let mut moved = basic_info(ORG_NAME, USCC);
    moved["registered_address"] = json!("福州市仓山区南江滨西大道 1 号");
    let b = parse(Part::BasicInfo, &moved).unwrap().to_fields();
    assert_ne!(a, b);
    assert_eq!(identity_of(Part::BasicInfo, &a), identity_of(Part::BasicInfo, &b));
    let p = parse(Part::Person, &person_resident("张三", RESIDENT_ID)).unwrap().to_fields();
    assert_eq!(identity_of(Part::Person, &p), p, "every field of a person is identity");
}

#[test]
fn which_documents_are_checked_online() {
    let doc = |t, n: &str, nat| Document::parse(t, n, nat, today()).unwrap();
    assert!(checkable_online(&doc(DocumentType::ResidentId, RESIDENT_ID, None)));
    let pr2023 = crate::identity::PermanentResidentId::with_check("93110084019900101").unwrap();
    assert!(checkable_online(&doc(DocumentType::PermanentResidentId, pr2023.as_str(), Some("FRA"))));
    assert!(!checkable_online(&doc(DocumentType::PermanentResidentId, "USA110090010150", Some("USA"))), "the older design is not");
    let rp = crate::identity::HkMoTwResidencePermit::with_check("81000019900101001").unwrap();
    assert!(checkable_online(&doc(DocumentType::HkMoTwResidencePermit, rp.as_str(), None)));
    assert!(!checkable_online(&doc(DocumentType::Passport, "E12345678", Some("DEU"))));
    assert!(!checkable_online(&doc(DocumentType::HkMoPermit, "H12345678", None)));
    assert!(!checkable_online(&doc(DocumentType::TwPermit, "12345678", None)));
    assert_eq!(online_check_of(DocumentType::Passport), "no");
    assert_eq!(online_check_of(DocumentType::PermanentResidentId), "2023_version");
    assert_eq!(online_check_of(DocumentType::ResidentId), "yes");
}

#[test]
fn each_part_asks_for_its_scans() {
    let slots = |part, body: &Value| documents_for(&parse(part, body).unwrap());
    let card = slots(Part::Person, &person_resident("张三", RESIDENT_ID));
    assert_eq!(card.iter().map(|s| (s.field, s.required)).collect::<Vec<_>>(), [("document_front", true), ("document_back", true)]);
    let passport = slots(Part::Person, &person_passport("Anna Schmidt", "C01X00T47"));
    assert_eq!(passport.iter().map(|s| (s.field, s.required)).collect::<Vec<_>>(), [("document_front", true), ("document_back", false)]);
    assert_eq!(passport[0].label_zh, "护照个人资料页");
    assert_eq!(slots(Part::BasicInfo, &basic_info(ORG_NAME, USCC))[0].field, "business_licence");
    let agent = slots(Part::AuthorizationInfo, &main_agent(RESIDENT_ID, "13900000009"));
    assert_eq!(agent.iter().map(|s| s.field).collect::<Vec<_>>(), ["agent_document_front", "agent_document_back", "authorization_letter"]);
    let rep = slots(Part::LegalRepresentative, &mainland_representative("王大明", RESIDENT_ID));
    assert_eq!(rep[0].field, "representative_document_front");
}

#[test]
fn the_state_machine() {
    let part = Part::Person.label();
    let saved = |o| Event::Saved(o);
    for from in State::ALL.into_iter().filter(|s| *s != State::UnderReview) {
        assert_eq!(transition(from, saved(Outcome::CheckPassed), part).unwrap(), State::Passed);
        assert_eq!(transition(from, saved(Outcome::CheckFailed), part).unwrap(), State::Failed);
        assert_eq!(transition(from, saved(Outcome::CheckUnavailable), part).unwrap(), State::CheckUnavailable);
        assert_eq!(transition(from, saved(Outcome::CheckLimitReached), part).unwrap(), State::CheckUnavailable);
        assert_eq!(transition(from, saved(Outcome::NotCheckableOnline), part).unwrap(), State::ManualReviewRequired);
        assert_eq!(transition(from, saved(Outcome::FormatCheckedOnly), part).unwrap(), State::ManualReviewRequired);
    }
    assert_eq!(transition(State::UnderReview, saved(Outcome::CheckPassed), part).unwrap_err().code, "verification.under_review");
    for from in [State::Failed, State::CheckUnavailable, State::ManualReviewRequired, State::Rejected] {
        assert_eq!(transition(from, Event::Uploaded, part).unwrap(), State::UnderReview);
        assert!(from.accepts_upload() && from.next_action() == state::NextAction::Upload);
    }
    assert_eq!(transition(State::UnderReview, Event::Uploaded, part).unwrap_err().code, "verification.already_under_review");
    for from in [State::NotSubmitted, State::Passed] {
        let e = transition(from, Event::Uploaded, part).unwrap_err();
        assert_eq!((e.code, e.status), ("verification.upload_not_accepted", 409));
    }
    assert_eq!(transition(State::UnderReview, Event::Approved, part).unwrap(), State::Passed);
    assert_eq!(transition(State::UnderReview, Event::Rejected, part).unwrap(), State::Rejected);
    assert_eq!(transition(State::Failed, Event::Approved, part).unwrap_err().code, "verification.not_under_review");
    assert_eq!(transition(State::Passed, saved(Outcome::DetailsUpdated), part).unwrap_err().code, "internal.unexpected", "not a save's outcome");
    for s in State::ALL {
        assert_eq!(State::parse(s.code()), Some(s));
        let m = s.message(part);
        assert!(!m.zh.is_empty() && !m.en.is_empty());
    }
    assert_eq!(State::Passed.message(part).zh, "自然人信息 已通过");
    assert!(State::Failed.message(part).zh.starts_with("自然人信息 失败"));
    assert!(State::UnderReview.message(part).zh.starts_with("实名认证审核中"));
    for o in Outcome::ALL {
        assert_eq!(Outcome::parse(o.code()), Some(o));
    }
}
