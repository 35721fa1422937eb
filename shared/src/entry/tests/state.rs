//! Where a user stands: verification first, the grants of a natural
//! person, the refusals with their next step.

use super::*;

#[test]
fn a_legal_entity_needs_both_parts_verified_then_its_first_entry() {
    let t = setup();
    let me = t.organization("acmecorp", "北京测试科技有限公司", ORG_USCC);
    let s = t.stand(&me, Entry::WorkPermit, None).unwrap();
    assert_eq!(s["entry_state"], "needs_verification");
    let missing: Vec<&str> = s["missing"].as_array().unwrap().iter().map(|m| m["part"].as_str().unwrap()).collect();
    assert_eq!(missing, ["basic_info", "legal_representative"]);
    assert_eq!(s["next_action"]["href"], "/my-info");

    block_on(test_support::verify_organization(&t.store, &t.clock, me.id, &resident_id(7))).unwrap();
    let s = t.stand(&me, Entry::WorkPermit, None).unwrap();
    assert_eq!(s["entry_state"], "needs_onboarding");
    assert_eq!(s["next_action"]["href"], "/entry/work-permit#onboarding");
    // Prefilled from my info where the form repeats it.
    let value = |name: &str| s["form"]["fields"].as_array().unwrap().iter().find(|f| f["name"] == name).unwrap()["value"].clone();
    assert_eq!(value("unit_type"), "enterprise");
    assert_eq!(value("registered_address"), "北京市海淀区中关村大街 1 号");
    assert_eq!(value("contact_phone"), "010-62345678");
    assert_eq!(value("description"), "");
}

#[test]
fn a_legal_entity_at_the_r_visa_entry_is_told_where_its_own_entry_is() {
    let t = setup();
    let me = t.verified_organization("acmecorp", "北京测试科技有限公司", ORG_USCC);
    let e = t.stand(&me, Entry::RVisa, None).unwrap_err();
    assert_eq!((e.code, e.status), ("entry.r_visa_for_individuals", 403));
    assert_eq!(e.details.unwrap()["next_action"]["href"], "/entry/work-permit");
    let e = t.submit(&me, Entry::RVisa, &r_visa_form()).unwrap_err();
    assert_eq!(e.code, "entry.r_visa_for_individuals");
    assert_eq!(t.count("SELECT COUNT(*) FROM onboardings"), 0);
}

#[test]
fn a_person_without_a_grant_is_told_what_the_administrator_needs() {
    let t = setup();
    let me = t.verified_person("zhangsan", "张三", &resident_id(1));
    let s = t.stand(&me, Entry::WorkPermit, None).unwrap();
    assert_eq!(s["entry_state"], "needs_grant");
    let msg = s["message_zh"].as_str().unwrap();
    assert!(msg.contains("授权管理员") && msg.contains("真实姓名") && msg.contains("实名认证"), "{msg}");
    assert!(s["missing"].as_array().unwrap().is_empty());
    // Unverified, the next step is my info.
    let other = t.person("lisi", "李四", &resident_id(2));
    let s = t.stand(&other, Entry::WorkPermit, None).unwrap();
    assert_eq!((s["entry_state"].as_str(), s["next_action"]["href"].as_str()), (Some("needs_grant"), Some("/my-info")));
    // A person does not submit a first entry at the work-permit entry.
    assert_eq!(t.submit(&me, Entry::WorkPermit, &work_permit_form()).unwrap_err().code, "entry.onboarding_for_organizations");
}

#[test]
fn a_grant_counts_only_from_an_onboarded_organization_and_while_it_is_in_force() {
    let t = setup();
    let org = t.verified_organization("acmecorp", "北京测试科技有限公司", ORG_USCC);
    let me = t.verified_person("zhangsan", "张三", &resident_id(1));
    t.grant(org.id, me.id, Role::Business);
    let s = t.stand(&me, Entry::WorkPermit, None).unwrap();
    assert_eq!(s["entry_state"], "needs_grant");
    assert_eq!(s["not_onboarded"][0]["name"], "北京测试科技有限公司");
    assert!(s["message_zh"].as_str().unwrap().contains("尚未完成"));
    // Its id in the URL does not open anything either.
    assert_eq!(t.stand(&me, Entry::WorkPermit, Some(org.id)).unwrap_err().code, "entry.organization_not_permitted");

    t.onboard(&org, Entry::WorkPermit);
    let s = t.stand(&me, Entry::WorkPermit, None).unwrap();
    assert_eq!(s["entry_state"], "open");
    assert_eq!(s["owner"]["id"], json!(org.id));
    assert_eq!(s["roles"][0]["code"], "business");
    assert_eq!(s["home"], format!("/entry/home?entry=work_permit&organization={}", org.id));

    // Expired: not in force, at once.
    t.sql("UPDATE grants SET expires_at = ?", &[t.clock.now().millis().into()]).unwrap();
    assert_eq!(t.state(&me, Entry::WorkPermit), "needs_grant");
    t.sql("UPDATE grants SET expires_at = NULL", &[]).unwrap();
    assert_eq!(t.state(&me, Entry::WorkPermit), "open");
    // Revoked (deleted): gone.
    t.sql("DELETE FROM grants", &[]).unwrap();
    assert_eq!(t.state(&me, Entry::WorkPermit), "needs_grant");
}

#[test]
fn a_person_with_several_organizations_chooses_and_cannot_pick_another() {
    let t = setup();
    let a = t.verified_organization("acmecorp", "北京测试科技有限公司", ORG_USCC);
    let b = t.verified_organization("betacorp", "北京贝塔科技有限公司", &uscc(2));
    let c = t.verified_organization("gammacorp", "北京伽马科技有限公司", &uscc(3));
    for org in [&a, &b, &c] {
        t.onboard(org, Entry::WorkPermit);
    }
    let me = t.verified_person("zhangsan", "张三", &resident_id(1));
    t.grant(a.id, me.id, Role::Business);
    t.grant(b.id, me.id, Role::Business);
    t.grant(b.id, me.id, Role::GrantAdmin);
    let s = t.stand(&me, Entry::WorkPermit, None).unwrap();
    assert_eq!(s["entry_state"], "choose_organization");
    let names: Vec<&str> = s["organizations"].as_array().unwrap().iter().map(|o| o["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["北京测试科技有限公司", "北京贝塔科技有限公司"]);
    let s = t.stand(&me, Entry::WorkPermit, Some(b.id)).unwrap();
    assert_eq!(s["entry_state"], "open");
    let roles: Vec<&str> = s["roles"].as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap()).collect();
    assert_eq!(roles, ["business", "grant_admin"]);
    let e = t.stand(&me, Entry::WorkPermit, Some(c.id)).unwrap_err();
    assert_eq!((e.code, e.status), ("entry.organization_not_permitted", 403));
    assert_eq!(e.details.unwrap()["next_action"]["href"], "/entry/work-permit");
    // A legal entity cannot name another organization either.
    assert_eq!(t.stand(&a, Entry::WorkPermit, Some(b.id)).unwrap_err().code, "entry.organization_not_permitted");
}

#[test]
fn an_authorized_person_still_needs_its_own_verification() {
    let t = setup();
    let org = t.verified_organization("acmecorp", "北京测试科技有限公司", ORG_USCC);
    t.onboard(&org, Entry::WorkPermit);
    let me = t.person("zhangsan", "张三", &resident_id(1));
    t.grant(org.id, me.id, Role::Business);
    let s = t.stand(&me, Entry::WorkPermit, None).unwrap();
    assert_eq!(s["entry_state"], "needs_verification");
    assert_eq!(s["missing"][0]["part"], "person");
}

#[test]
fn an_organization_parameter_must_be_an_id() {
    assert_eq!(super::super::state::parse_organization(Some("12")).unwrap(), Some(AccountId(12)));
    assert_eq!(super::super::state::parse_organization(Some(" ")).unwrap(), None);
    assert_eq!(super::super::state::parse_organization(Some("x1")).unwrap_err().code, "entry.organization_invalid");
    assert_eq!(Entry::parse("work_permit").unwrap(), Entry::WorkPermit);
    assert_eq!(Entry::parse("visa").unwrap_err().code, "entry.not_found");
}
