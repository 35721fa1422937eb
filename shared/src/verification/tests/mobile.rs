//! Changing the reserved mobile: codes to the new and the old number, both
//! checked in one transaction; a wrong code uses up neither and counts.

use super::*;
use crate::verification::mobile::{ChangeForm, CodesForm, change, send_codes};

const NEW: &str = "13900000077";

fn codes(t: &T, me: &Account) -> AppResult<Value> {
    block_on(send_codes(&t.store, &t.clock, &t.random, &t.settings, CLIENT, me, &CodesForm { new_mobile: NEW.into() }))
}

fn code_to(t: &T, mobile: &str) -> String {
    let (template, params) = t.last_sms(mobile).unwrap();
    assert_eq!(template, "mobile_change_code");
    params["code"].as_str().unwrap().to_owned()
}

fn change_with(t: &T, me: &Account, new_code: &str, old_code: &str) -> AppResult<Value> {
    let form = ChangeForm { new_mobile: NEW.into(), new_mobile_code: new_code.into(), old_mobile_code: old_code.into() };
    block_on(change(&t.store, &t.clock, me, &form))
}

fn wrong(code: &str) -> String {
    format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000)
}

#[test]
fn both_numbers_get_a_code_and_both_codes_are_needed() {
    let t = setup();
    let me = t.natural_person();
    let sent = codes(&t, &me).unwrap();
    assert_eq!(sent["mobile_masked"], "139****0077");
    assert_eq!(sent["old_mobile_masked"], "138****0001");
    assert_eq!(sent["resend_after_seconds"], 60);
    let (new_code, old_code) = (code_to(&t, NEW), code_to(&t, MOBILE));

    // The old code wrong: refused on its field; the new code is not used up.
    let e = change_with(&t, &me, &new_code, &wrong(&old_code)).unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), ("sms.code_wrong", Some("old_mobile_code")));
    assert_eq!(t.count("SELECT COUNT(*) FROM sms_codes WHERE consumed_at IS NOT NULL"), 0);
    assert_eq!(t.count("SELECT SUM(failed_attempts) FROM sms_codes"), 1, "the wrong try counts once");
    assert_eq!(t.account(me.id).reserved_mobile.unwrap().as_str(), MOBILE);
    // Both wrong: both errors at once.
    let e = change_with(&t, &me, &wrong(&new_code), &wrong(&old_code)).unwrap_err();
    let fields: Vec<String> = field_errors(&e).into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, ["new_mobile_code", "old_mobile_code"]);

    let done = change_with(&t, &me, &new_code, &old_code).unwrap();
    assert_eq!(done["mobile_masked"], "139****0077");
    assert_eq!(t.account(me.id).reserved_mobile.unwrap().as_str(), NEW);
    let (template, params) = t.last_sms(MOBILE).unwrap();
    assert_eq!((template.as_str(), params["mobile_masked"].as_str()), ("reserved_mobile_changed", Some("139****0077")), "the old number is told");
    assert_eq!(t.count("SELECT COUNT(*) FROM audit_log WHERE action = 'verification.reserved_mobile_changed'"), 1);
    assert_eq!(change_with(&t, &t.account(me.id), &new_code, &old_code).unwrap_err().code, "verification.mobile_unchanged");
}

#[test]
fn without_an_old_number_the_new_code_is_enough() {
    let t = setup();
    let me = t.natural_person_with("nomobile", &resident_id(2), None);
    let sent = codes(&t, &me).unwrap();
    assert!(sent["old_mobile_masked"].is_null());
    let done = change_with(&t, &me, &code_to(&t, NEW), "").unwrap();
    assert_eq!(done["mobile_masked"], "139****0077");
}

#[test]
fn the_same_number_or_a_bad_one_is_refused_before_any_code() {
    let t = setup();
    let me = t.natural_person();
    let same = block_on(send_codes(&t.store, &t.clock, &t.random, &t.settings, CLIENT, &me, &CodesForm { new_mobile: MOBILE.into() }));
    assert_eq!(same.unwrap_err().code, "verification.mobile_unchanged");
    let bad = block_on(send_codes(&t.store, &t.clock, &t.random, &t.settings, CLIENT, &me, &CodesForm { new_mobile: "12".into() }));
    assert_eq!(bad.unwrap_err().field.as_deref(), Some("new_mobile"));
    assert_eq!(t.count("SELECT COUNT(*) FROM sms_outbox"), 0);
    codes(&t, &me).unwrap();
    let again = codes(&t, &me).unwrap_err();
    assert_eq!((again.code, again.field.as_deref()), ("sms.resend_too_soon", Some("new_mobile")));
}
