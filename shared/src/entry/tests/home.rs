//! The business home: only where the entry is open, only the session's
//! own (or its authorized) organization, with who may act for its
//! administrators.

use super::*;
use crate::entry::home::home;

fn home_of(t: &T, viewer: &Account, entry: Entry, org: Option<AccountId>) -> AppResult<Value> {
    block_on(home(&t.store, &t.clock, viewer, entry, org))
}

#[test]
fn the_home_opens_after_approval_with_the_records_and_who_may_act() {
    let t = setup();
    t.import(&[record("WP2019-0001", ORG_USCC)]);
    let org = t.verified_organization("acmecorp", "北京测试科技有限公司", ORG_USCC);
    let e = home_of(&t, &org, Entry::WorkPermit, None).unwrap_err();
    assert_eq!((e.code, e.status), ("entry.home_not_open", 409));
    assert_eq!(e.details.unwrap()["entry_state"], "needs_onboarding");
    t.onboard(&org, Entry::WorkPermit);
    let person = t.verified_person("zhangsan", "张三", &resident_id(1));
    t.grant(org.id, person.id, Role::Business);

    let h = home_of(&t, &org, Entry::WorkPermit, Some(org.id)).unwrap();
    assert_eq!(h["owner"]["name"], "北京测试科技有限公司");
    assert_eq!(h["records"][0]["record_number"], "WP2019-0001");
    assert_eq!(h["records"][0]["foreigner"]["document_masked"], "E12**5678");
    assert_eq!(h["records"][0]["kind_label_zh"], "工作许可新办");
    assert_eq!(h["who_may_act"][0]["name"], "张三");
    assert_eq!(h["who_may_act"][0]["roles"][0]["code"], "business");
    assert_eq!(h["may_request_legacy_data"], true);

    // The person with "handle business" sees the records and its role, not who may act.
    let h = home_of(&t, &person, Entry::WorkPermit, None).unwrap();
    assert_eq!(h["owner"]["id"], json!(org.id));
    assert_eq!(h["records"].as_array().unwrap().len(), 1);
    assert_eq!(h["roles"][0]["code"], "business");
    assert!(h["who_may_act"].is_null());
    assert_eq!(h["may_request_legacy_data"], false);
}

#[test]
fn another_organizations_home_by_id_shows_nothing_of_it() {
    let t = setup();
    let a = t.verified_organization("acmecorp", "北京测试科技有限公司", ORG_USCC);
    let b = t.verified_organization("betacorp", "北京贝塔科技有限公司", &uscc(2));
    t.onboard(&a, Entry::WorkPermit);
    t.onboard(&b, Entry::WorkPermit);
    t.import(&[record("WP2019-0009", &uscc(2))]);
    let e = home_of(&t, &a, Entry::WorkPermit, Some(b.id)).unwrap_err();
    assert_eq!((e.code, e.status), ("entry.organization_not_permitted", 403));
    let text = serde_json::to_string(&e.details).unwrap() + &e.message.zh;
    assert!(!text.contains("WP2019-0009") && !text.contains("贝塔"), "{text}");
    let person = t.verified_person("zhangsan", "张三", &resident_id(1));
    t.grant(a.id, person.id, Role::Business);
    assert_eq!(home_of(&t, &person, Entry::WorkPermit, Some(b.id)).unwrap_err().code, "entry.organization_not_permitted");
}
