//! The identity-service protocol: what is sent for each part, the canonical
//! digest, and what every kind of answer means (only a verified match is a
//! pass).

use super::*;
use crate::identity::PersonName;
use crate::verification::identity_service::{CheckKind, Verdict, canonical_json, plan, verdict};
use crate::verification::parts::{Claim, Part, fields_from_json};

fn claim(part: Part, body: &Value) -> Claim {
    let Value::Object(map) = body else { panic!() };
    Claim::parse(part, &fields_from_json(part, map).unwrap(), today()).unwrap()
}

fn request() -> CheckRequest {
    CheckRequest { request_id: "r-1".into(), kind: CheckKind::Person2, subject: json!({ "name": "张三", "id_number": RESIDENT_ID }) }
}

#[test]
fn each_part_is_checked_with_its_factors() {
    let (kind, subject) = plan(&claim(Part::Person, &person_resident("张三", RESIDENT_ID)), None).unwrap();
    assert_eq!((kind, subject), (CheckKind::Person2, json!({ "name": "张三", "id_number": RESIDENT_ID })));
    assert_eq!(plan(&claim(Part::Person, &person_passport("Anna Schmidt", "C01X00T47")), None), None, "a passport is not checked online");
    let (kind, subject) = plan(&claim(Part::AuthorizationInfo, &main_agent(RESIDENT_ID, "+86 139 0000 0009")), None).unwrap();
    assert_eq!((kind, subject["mobile"].as_str()), (CheckKind::Person3, Some("13900000009")));
    let (kind, subject) = plan(&claim(Part::AuthorizationInfo, &main_agent(RESIDENT_ID, "+852 9123 4567")), None).unwrap();
    assert_eq!(kind, CheckKind::Person2, "a non-mainland mobile has no carrier record to check");
    assert!(subject.get("mobile").is_none());
    let (kind, subject) = plan(&claim(Part::LegalRepresentative, &mainland_representative("王大明", RESIDENT_ID)), None).unwrap();
    assert_eq!((kind, subject["name"].as_str()), (CheckKind::Person2, Some("王大明")));
    let org = claim(Part::BasicInfo, &basic_info(ORG_NAME, USCC));
    assert_eq!(plan(&org, None), None);
    let rep = PersonName::parse("王大明").unwrap();
    let (kind, subject) = plan(&org, Some(&rep)).unwrap();
    assert_eq!(kind, CheckKind::Enterprise3);
    assert_eq!(subject, json!({ "org_name": ORG_NAME, "uscc": USCC, "legal_representative_name": "王大明" }));
}

#[test]
fn the_digest_is_of_the_canonical_subject() {
    let a = json!({ "name": "张三", "id_number": "1" });
    assert_eq!(canonical_json(&a), r#"{"id_number":"1","name":"张三"}"#);
    assert_eq!(canonical_json(&json!({"b": [1, {"d": "x", "c": null}], "a": true})), r#"{"a":true,"b":[1,{"c":null,"d":"x"}]}"#);
    let r = request();
    assert_eq!(r.subject_digest(), crate::digest::sha256_hex(canonical_json(&r.subject).as_bytes()));
    assert_eq!(r.body(), json!({ "request_id": "r-1", "check": "person_2", "subject": r.subject }));
}

fn ok(body: &[u8]) -> Result<ServiceAnswer, ServiceFailure> {
    Ok(ServiceAnswer { status: 200, body: body.to_vec() })
}

#[test]
fn only_a_match_for_exactly_what_was_sent_is_a_match() {
    let r = request();
    let digest = r.subject_digest();
    assert_eq!(verdict(&r, &ok(&answer_body("r-1", "match", &digest))), Verdict::Match);
    assert_eq!(verdict(&r, &ok(&answer_body("r-1", "match", &digest.to_uppercase()))), Verdict::Match, "hex in either case");
    assert_eq!(verdict(&r, &ok(&answer_body("r-1", "mismatch", &digest))), Verdict::Mismatch);
    assert_eq!(verdict(&r, &ok(&answer_body("r-1", "no_record", &digest))), Verdict::NoRecord);
    let other = crate::digest::sha256_hex(r#"{"id_number":"2","name":"张三"}"#.as_bytes());
    assert_eq!(verdict(&r, &ok(&answer_body("r-1", "match", &other))), Verdict::Unavailable("wrong_digest"));
    assert_eq!(verdict(&r, &ok(&answer_body("r-2", "match", &digest))), Verdict::Unavailable("wrong_request_id"));
    assert_eq!(verdict(&r, &ok(br#"{"request_id":"r-1","result":"match"}"#)), Verdict::Unavailable("wrong_digest"));
    assert_eq!(verdict(&r, &ok(&answer_body("r-1", "mismatch", &other))), Verdict::Unavailable("wrong_digest"), "no verdict about other data");
}

#[test]
fn everything_else_is_no_verdict() {
    let r = request();
    let digest = r.subject_digest();
    let cases: Vec<(Result<ServiceAnswer, ServiceFailure>, &'static str)> = vec![
        (Err(ServiceFailure::Timeout), "timeout"),
        (Err(ServiceFailure::Unreachable("refused".into())), "unreachable"),
        (Ok(ServiceAnswer { status: 500, body: answer_body("r-1", "match", &digest) }), "status_5xx"),
        (Ok(ServiceAnswer { status: 503, body: b"busy".to_vec() }), "status_5xx"),
        (Ok(ServiceAnswer { status: 401, body: answer_body("r-1", "match", &digest) }), "status_other"),
        (ok(b"<!doctype html><html><body>Login</body></html>"), "not_json"),
        (ok(b"\x00\xffgarbage"), "not_json"),
        (ok(b"[\"match\"]"), "not_json"),
        (ok(b""), "not_json"),
        (ok(&answer_body("r-1", "MATCH", &digest)), "unknown_result"),
        (ok(&answer_body("r-1", "probably", &digest)), "unknown_result"),
        (ok(br#"{"request_id":"r-1","subject_digest":"x"}"#), "no_result"),
        (ok(&answer_body("r-1", "busy", &digest)), "busy"),
        (ok(&answer_body("r-1", "daily_limit", &digest)), "daily_limit"),
    ];
    for (answer, why) in cases {
        assert_eq!(verdict(&r, &answer), Verdict::Unavailable(why), "{answer:?}");
    }
}
