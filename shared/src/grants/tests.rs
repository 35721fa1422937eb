use super::manage::{ChangeForm, GrantForm, Grants, RevokeForm};
use super::search::{Search, search};
use super::*;
use crate::account::{self, Account};
use crate::clock::{Clock, FixedClock};
use crate::error::AppError;
use crate::identity::DocumentType;
use crate::settings::Settings;
use crate::store::native::block_on;
use crate::store::{MIGRATIONS, NativeStore, in_transaction, migrate_to};
use crate::test_support::{self, TestAccount, count, onboard, resident_id, verified_person};
use crate::workday::start_of_day_china;
use serde_json::{Value, json};

const DAY: i64 = 86_400_000;

/// 2026-05-28, 10:00 China time.
fn t0() -> Timestamp {
    Timestamp(start_of_day_china(crate::identity::CivilDate::new(2026, 5, 28).unwrap()).millis() + 10 * 3600 * 1000)
}

struct World {
    store: NativeStore,
    clock: FixedClock,
    org: AccountId,
    other_org: AccountId,
    /// Verified natural persons.
    zhang: AccountId,
    li: AccountId,
    wang: AccountId,
    /// Registered, not verified.
    unverified: AccountId,
}

fn world() -> World {
    let (store, clock) = (test_support::store(), FixedClock::at(t0()));
    let org = block_on(TestAccount::legal_entity("grantorg", "授权测试有限公司", "91350100M000100Y43").create(&store, &clock)).unwrap();
    let other_uscc = crate::identity::Uscc::with_check("91110000MA0000001").unwrap();
    let other_org = block_on(TestAccount::legal_entity("otherorg", "另一家有限公司", other_uscc.as_str()).create(&store, &clock)).unwrap();
    let person = |login: &str, name: &str, serial: &str| {
        block_on(verified_person(&store, &clock, login, name, DocumentType::ResidentId, &resident_id(&format!("11010519800101{serial}")), None))
            .unwrap()
    };
    let zhang = person("zhangsan", "张三", "001");
    let li = person("lisi", "李四", "002");
    let wang = person("wangwu", "王五", "003");
    let unverified = block_on(
        TestAccount::natural_person("zhaoliu", "赵六", DocumentType::ResidentId, &resident_id("11010519800101004"), None).create(&store, &clock),
    )
    .unwrap();
    World { store, clock, org, other_org, zhang, li, wang, unverified }
}

impl World {
    fn account(&self, id: AccountId) -> Account {
        block_on(account::find_by_id(&self.store, id)).unwrap().unwrap()
    }

    fn grants(&self) -> Grants<'_, NativeStore> {
        Grants { db: &self.store, clock: &self.clock }
    }

    fn grant(&self, by: AccountId, org: AccountId, person: AccountId, roles: &[&str], dates: (Option<&str>, Option<&str>)) -> Result<Value, AppError> {
        let form = GrantForm {
            person_id: person.get(),
            roles: roles.iter().map(|r| r.to_string()).collect(),
            effective_from: dates.0.map(str::to_owned),
            expires_at: dates.1.map(str::to_owned),
        };
        block_on(self.grants().grant(&self.account(by), org, &form))
    }

    fn change(&self, by: AccountId, org: AccountId, id: GrantId, version: i64, roles: &[&str], dates: (Option<&str>, Option<&str>)) -> Result<Value, AppError> {
        let form = ChangeForm {
            version,
            roles: roles.iter().map(|r| r.to_string()).collect(),
            effective_from: dates.0.map(str::to_owned),
            expires_at: dates.1.map(str::to_owned),
        };
        block_on(self.grants().change(&self.account(by), org, id, &form))
    }

    fn revoke(&self, by: AccountId, org: AccountId, id: GrantId, version: i64) -> Result<Value, AppError> {
        block_on(self.grants().revoke(&self.account(by), org, id, &RevokeForm { version }))
    }

    fn held(&self, person: AccountId) -> Vec<Role> {
        block_on(roles_in_force(&self.store, person, self.org, self.clock.now())).unwrap()
    }

    fn the_grant(&self, person: AccountId) -> Grant {
        block_on(of_pair(&self.store, self.org, person)).unwrap().expect("a grant")
    }

    fn audits(&self, action: &str) -> Vec<Value> {
        let rows = block_on(self.store.execute("SELECT detail FROM audit_log WHERE action = ? ORDER BY id", &[action.into()])).unwrap();
        rows.iter().map(|r| serde_json::from_str(r.text("detail").unwrap()).unwrap()).collect()
    }

    /// 张三 holds business and grant_admin of the onboarded organization.
    fn with_admin_zhang(&self) {
        block_on(onboard(&self.store, self.org, self.clock.now())).unwrap();
        self.grant(self.org, self.org, self.zhang, &["business", "grant_admin"], (None, None)).unwrap();
    }
}

fn code(r: Result<Value, AppError>) -> &'static str {
    r.expect_err("refused").code
}

fn bare_grant(from: Option<i64>, until: Option<i64>) -> Grant {
    Grant {
        id: GrantId(1),
        organization_id: AccountId(1),
        person_id: AccountId(2),
        roles: vec![Role::Business],
        granted_by: None,
        created_at: Timestamp(0),
        effective_from: from.map(Timestamp),
        expires_at: until.map(Timestamp),
        version: 1,
        changed_by: None,
        changed_at: Timestamp(0),
        expiry_noticed_at: None,
    }
}

#[test]
fn a_grant_is_in_force_from_its_effective_date_up_to_its_expiry() {
    assert!(bare_grant(None, None).in_force(Timestamp(5)));
    let g = bare_grant(Some(10), Some(20));
    assert_eq!(g.state(Timestamp(9)), GrantState::NotYetEffective);
    assert!(g.in_force(Timestamp(10)), "from its effective date");
    assert!(g.in_force(Timestamp(19)));
    assert_eq!(g.state(Timestamp(20)), GrantState::Expired, "the expiry is exclusive");
    assert!(bare_grant(None, Some(20)).in_force(Timestamp(-5)));
    assert!(!bare_grant(Some(10), None).in_force(Timestamp(0)));
}

#[test]
fn the_legacy_conversion_adds_a_role_to_one_grant_per_person() {
    let w = world();
    let now = w.clock.now();
    block_on(in_transaction(&w.store, async |tx| {
        insert(tx, w.org, w.zhang, Role::Business, None, now).await?;
        insert(tx, w.org, w.zhang, Role::Business, Some(w.org), now).await?;
        insert(tx, w.org, w.zhang, Role::GrantAdmin, None, now).await
    }))
    .unwrap();
    let held = block_on(of_person(&w.store, w.zhang)).unwrap();
    assert_eq!(held.len(), 1, "one grant per person and organization");
    assert_eq!(held[0].roles, vec![Role::Business, Role::GrantAdmin]);
    assert_eq!((held[0].granted_by, held[0].version), (None, 2), "the second role is a change of the first grant");
    assert_eq!(w.held(w.zhang), vec![Role::Business, Role::GrantAdmin]);
    assert!(block_on(roles_in_force(&w.store, w.org, w.zhang, now)).unwrap().is_empty(), "not the other way round");
}

#[test]
fn an_organization_holds_the_roles_it_was_given_and_is_then_onboarded() {
    let w = world();
    assert!(block_on(organization_roles(&w.store, w.org)).unwrap().is_empty(), "none before its first entry");
    assert!(!block_on(organization_onboarded(&w.store, w.org)).unwrap());
    for _ in 0..2 {
        block_on(in_transaction(&w.store, async |tx| give_organization_roles(tx, w.org, &Role::ALL, w.clock.now()).await)).unwrap();
    }
    assert_eq!(block_on(organization_roles(&w.store, w.org)).unwrap(), Role::ALL.to_vec());
    assert!(block_on(organization_onboarded(&w.store, w.org)).unwrap());
}

#[test]
fn the_migrations_turn_the_old_role_rows_into_one_grant_per_person() {
    let store = NativeStore::in_memory().unwrap();
    let clock = FixedClock::at(Timestamp(0));
    let before: Vec<_> = MIGRATIONS.iter().copied().filter(|m| m.version < 7).collect();
    block_on(migrate_to(&store, &clock, &before)).unwrap();
    let org = block_on(TestAccount::legal_entity("grantorg", "授权测试有限公司", "91350100M000100Y43").create(&store, &clock)).unwrap();
    let person = block_on(TestAccount::natural_person("grantee", "张三", DocumentType::ResidentId, "11010519491231002X", None).create(&store, &clock))
        .unwrap();
    for (role, at) in [("foreign_work", 5), ("grant_admin", 7)] {
        block_on(store.execute(
            "INSERT INTO grants (organization_id, person_id, role, created_at) VALUES (?, ?, ?, ?)",
            &[org.into(), person.into(), role.into(), at.into()],
        ))
        .unwrap();
    }
    block_on(migrate_to(&store, &clock, MIGRATIONS)).unwrap();
    let held = block_on(of_person(&store, person)).unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].roles, vec![Role::Business, Role::GrantAdmin], "foreign_work is the catalogue's business");
    assert_eq!((held[0].created_at, held[0].effective_from, held[0].expires_at, held[0].version), (Timestamp(5), None, None, 1));
}

#[test]
fn faq_4_4_a_legal_entity_not_onboarded_is_told_to_enter_the_foreign_work_system_first() {
    let w = world();
    let e = w.grant(w.org, w.org, w.zhang, &["business"], (None, None)).unwrap_err();
    assert_eq!((e.code, e.status), ("grants.organization_not_onboarded", 403));
    let guidance = e.guidance.expect("a next step");
    assert_eq!(guidance.actions[0].href, "/entry/work-permit");
    assert!(e.message.zh.contains("首次进入审核"));
    let refused = w.audits("grants.refused");
    assert_eq!(refused.len(), 1, "the attempt is audited");
    assert_eq!(refused[0]["code"], "grants.organization_not_onboarded");
    assert_eq!(refused[0]["person"], w.zhang.audit_subject());
    assert!(block_on(of_organization(&w.store, w.org)).unwrap().is_empty(), "nothing changed");
    let e = block_on(super::admin::administered(&w.store, &w.account(w.org), w.clock.now())).unwrap_err();
    assert_eq!(e.code, "grants.organization_not_onboarded");
}

#[test]
fn faq_4_1_the_onboarded_legal_entity_grants_every_role_with_dates_and_the_audit_says_so() {
    let w = world();
    block_on(onboard(&w.store, w.org, w.clock.now())).unwrap();
    let g = w.grant(w.org, w.org, w.zhang, &["grant_admin", "business", "business"], (Some("2026-05-28"), Some("2026-06-30"))).unwrap();
    assert_eq!(g["roles"].as_array().unwrap().len(), 2);
    assert_eq!((g["effective_from"].as_str(), g["expires_at"].as_str()), (Some("2026-05-28"), Some("2026-06-30")));
    assert_eq!((g["state"].as_str(), g["version"].as_i64()), (Some("in_force"), Some(1)));
    assert_eq!(g["person"]["document_masked"], "11*************013".replace("013", &resident_id("11010519800101001")[15..]));
    assert_eq!(w.held(w.zhang), vec![Role::Business, Role::GrantAdmin]);
    let granted = w.audits("grants.granted");
    assert_eq!(granted.len(), 1);
    assert_eq!(granted[0]["organization"], w.org.audit_subject());
    assert_eq!(granted[0]["person"], w.zhang.audit_subject());
    assert_eq!(granted[0]["roles_before"], json!([]));
    assert_eq!(granted[0]["roles_after"], json!(["business", "grant_admin"]));
    assert_eq!(granted[0]["dates_after"], json!({ "effective_from": "2026-05-28", "expires_at": "2026-06-30" }));
    assert_eq!(granted[0]["as"], "legal_entity");
    // The grant counts through its last day, then stops without a job.
    w.clock.set(Timestamp(start_of_day_china(crate::identity::CivilDate::new(2026, 7, 1).unwrap()).millis() - 1));
    assert_eq!(w.held(w.zhang).len(), 2);
    w.clock.advance_millis(1);
    assert!(w.held(w.zhang).is_empty(), "expired at once");
    let list = block_on(w.grants().organization(&w.account(w.org), w.org)).unwrap();
    assert_eq!(list["grants"][0]["state"], "expired", "an expired grant stays visible as expired");
}

#[test]
fn a_grant_not_yet_effective_does_not_count() {
    let w = world();
    block_on(onboard(&w.store, w.org, w.clock.now())).unwrap();
    w.grant(w.org, w.org, w.zhang, &["business"], (Some("2026-06-01"), None)).unwrap();
    assert!(w.held(w.zhang).is_empty());
    w.clock.advance_millis(4 * DAY);
    assert_eq!(w.held(w.zhang), vec![Role::Business]);
}

#[test]
fn only_verified_natural_persons_can_be_granted_and_nobody_grants_themselves_or_twice() {
    let w = world();
    w.with_admin_zhang();
    assert_eq!(code(w.grant(w.org, w.org, w.unverified, &["business"], (None, None))), "grants.person_not_found");
    assert_eq!(code(w.grant(w.org, w.org, w.other_org, &["business"], (None, None))), "grants.person_not_found", "not a natural person");
    assert_eq!(code(w.grant(w.org, w.org, AccountId(9999), &["business"], (None, None))), "grants.person_not_found");
    assert_eq!(code(w.grant(w.zhang, w.org, w.zhang, &["business"], (None, None))), "grants.self_grant");
    let e = w.grant(w.org, w.org, w.zhang, &["business"], (None, None)).unwrap_err();
    assert_eq!((e.code, e.status), ("grants.already_granted", 409));
    assert_eq!(e.details.unwrap()["current"]["person"]["id"], w.zhang.get());
    assert_eq!(w.audits("grants.refused").len(), 5, "every refusal is audited");
}

#[test]
fn bad_roles_and_dates_are_refused_with_their_field_and_nothing_changes() {
    let w = world();
    block_on(onboard(&w.store, w.org, w.clock.now())).unwrap();
    let e = w.grant(w.org, w.org, w.zhang, &["admin"], (None, None)).unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), ("grants.role_unknown", Some("roles")));
    assert_eq!(code(w.grant(w.org, w.org, w.zhang, &[], (None, None))), "grants.roles_required");
    let e = w.grant(w.org, w.org, w.zhang, &["business"], (Some("2026-07-01"), Some("2026-06-01"))).unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), ("grants.expiry_before_effective", Some("expires_at")));
    let e = w.grant(w.org, w.org, w.zhang, &["business"], (Some("01/06/2026"), None)).unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), ("grants.date_invalid", Some("effective_from")));
    assert_eq!(code(w.grant(w.org, w.org, w.zhang, &["business"], (None, Some("2026-05-27")))), "grants.expiry_in_past");
    let e = w.grant(w.org, w.org, w.zhang, &[], (None, Some("tomorrow"))).unwrap_err();
    assert_eq!(e.details.unwrap()["errors"].as_array().unwrap().len(), 2, "every mistake at once");
    assert!(block_on(of_organization(&w.store, w.org)).unwrap().is_empty());
    assert_eq!(w.audits("grants.refused").len(), 6);
}

/// 张三 (business + grant_admin) makes 李四 a grant_admin only; 李四 then
/// holds grant_admin but not business.
fn li_admin_without_business(w: &World) {
    w.with_admin_zhang();
    w.grant(w.zhang, w.org, w.li, &["grant_admin"], (None, None)).unwrap();
}

#[test]
fn faq_4_1_a_natural_person_administrator_grants_only_roles_it_holds() {
    let w = world();
    li_admin_without_business(&w);
    assert_eq!(w.audits("grants.granted")[1]["as"], "grant_admin");
    let e = w.grant(w.li, w.org, w.wang, &["business"], (None, None)).unwrap_err();
    assert_eq!((e.code, e.status), ("grants.role_not_held", 403));
    assert_eq!(e.details.unwrap()["role"], "business");
    assert_eq!(code(w.grant(w.li, w.org, w.wang, &["business", "grant_admin"], (None, None))), "grants.role_not_held");
    assert!(block_on(of_pair(&w.store, w.org, w.wang)).unwrap().is_none(), "nothing changed");
    w.grant(w.li, w.org, w.wang, &["grant_admin"], (None, None)).unwrap();
    w.grant(w.zhang, w.org, w.unverified, &["business"], (None, None)).unwrap_err();
}

#[test]
fn faq_4_2_a_change_adds_and_removes_only_the_administrators_roles_and_leaves_the_others() {
    let w = world();
    li_admin_without_business(&w);
    // 张三 gives 王五 business and grant_admin.
    w.grant(w.zhang, w.org, w.wang, &["business", "grant_admin"], (None, None)).unwrap();
    let g = w.the_grant(w.wang);
    // 李四 lacks business: cannot remove it...
    assert_eq!(code(w.change(w.li, w.org, g.id, g.version, &["grant_admin"], (None, None))), "grants.role_not_held");
    // ...nor change the dates of a grant holding it.
    assert_eq!(code(w.change(w.li, w.org, g.id, g.version, &["business", "grant_admin"], (None, Some("2026-12-31")))), "grants.dates_need_every_role");
    assert_eq!(w.the_grant(w.wang), g, "nothing changed");
    // 李四 removes grant_admin, which it holds: business stays as it was.
    let changed = w.change(w.li, w.org, g.id, g.version, &["business"], (None, None)).unwrap();
    assert_eq!(changed["version"], 2);
    assert_eq!(w.held(w.wang), vec![Role::Business]);
    let audit = w.audits("grants.changed");
    assert_eq!(audit[0]["roles_before"], json!(["business", "grant_admin"]));
    assert_eq!(audit[0]["roles_after"], json!(["business"]));
    // It cannot add business to another grant either.
    let z = w.the_grant(w.zhang);
    let lg = w.the_grant(w.li);
    assert_eq!(code(w.change(w.li, w.org, lg.id, lg.version, &["business", "grant_admin"], (None, None))), "grants.own_grant");
    assert_eq!(code(w.change(w.zhang, w.org, z.id, z.version, &["business"], (None, None))), "grants.own_grant");
    let wg = w.the_grant(w.wang);
    assert_eq!(code(w.change(w.zhang, w.org, wg.id, wg.version, &[], (None, None))), "grants.roles_required");
}

#[test]
fn revoking_needs_every_role_else_only_the_administrators_roles_go() {
    let w = world();
    li_admin_without_business(&w);
    w.grant(w.zhang, w.org, w.wang, &["business", "grant_admin"], (None, None)).unwrap();
    let g = w.the_grant(w.wang);
    let out = w.revoke(w.li, w.org, g.id, g.version).unwrap();
    assert_eq!(out["revoked"], false);
    assert_eq!(out["removed_roles"], json!(["grant_admin"]));
    assert_eq!(w.held(w.wang), vec![Role::Business], "the role 李四 lacks stays");
    let g = w.the_grant(w.wang);
    assert_eq!(code(w.revoke(w.li, w.org, g.id, g.version)), "grants.role_not_held", "a grant of only roles it lacks");
    let out = w.revoke(w.org, w.org, g.id, g.version).unwrap();
    assert_eq!((out["revoked"].as_bool(), out["grant"].is_null()), (Some(true), true));
    assert!(block_on(of_pair(&w.store, w.org, w.wang)).unwrap().is_none());
    assert_eq!(w.audits("grants.roles_removed").len(), 1);
    let revoked = w.audits("grants.revoked");
    assert_eq!(revoked[0]["roles_before"], json!(["business"]));
    let own = w.the_grant(w.li);
    assert_eq!(code(w.revoke(w.li, w.org, own.id, own.version)), "grants.own_grant");
}

#[test]
fn the_second_of_two_changes_gets_409_with_the_current_state() {
    let w = world();
    li_admin_without_business(&w);
    w.grant(w.zhang, w.org, w.wang, &["grant_admin"], (None, None)).unwrap();
    let g = w.the_grant(w.wang);
    w.change(w.org, w.org, g.id, g.version, &["business", "grant_admin"], (None, None)).unwrap();
    let e = w.change(w.zhang, w.org, g.id, g.version, &["grant_admin"], (None, Some("2026-12-31"))).unwrap_err();
    assert_eq!((e.code, e.status), ("grants.changed_meanwhile", 409));
    let current = &e.details.unwrap()["current"];
    assert_eq!((current["version"].as_i64(), current["roles"].as_array().unwrap().len()), (Some(2), 2));
    assert_eq!(w.the_grant(w.wang).expires_at, None, "no lost update");
    assert_eq!(code(w.revoke(w.zhang, w.org, g.id, g.version)), "grants.changed_meanwhile");
    // A revocation racing a change: the change sees it gone.
    let now = w.the_grant(w.wang);
    w.revoke(w.org, w.org, now.id, now.version).unwrap();
    assert_eq!(code(w.change(w.zhang, w.org, now.id, now.version, &["grant_admin"], (None, None))), "grants.grant_not_found");
}

#[test]
fn a_guarded_update_matches_nothing_when_the_version_moved() {
    let w = world();
    w.with_admin_zhang();
    let g = w.the_grant(w.zhang);
    let change = Change { roles: &[Role::Business], effective_from: None, expires_at: None, by: Some(w.org) };
    let now = w.clock.now();
    assert_eq!(block_on(in_transaction(&w.store, async |tx| update(tx, g.id, g.version, &change, now).await)).unwrap(), Some(2));
    assert_eq!(block_on(in_transaction(&w.store, async |tx| update(tx, g.id, g.version, &change, now).await)).unwrap(), None);
    assert!(!block_on(in_transaction(&w.store, async |tx| delete(tx, g.id, 1).await)).unwrap());
}

#[test]
fn an_administrator_whose_grant_admin_was_revoked_or_expired_is_refused_at_once_and_its_grants_stay() {
    let w = world();
    li_admin_without_business(&w);
    w.grant(w.li, w.org, w.wang, &["grant_admin"], (None, None)).unwrap();
    let lg = w.the_grant(w.li);
    // The legal entity gives 李四's grant an expiry of today.
    w.change(w.org, w.org, lg.id, lg.version, &["grant_admin"], (None, Some("2026-05-28"))).unwrap();
    w.grant(w.li, w.org, w.unverified, &["grant_admin"], (None, None)).unwrap_err();
    w.clock.set(Timestamp(start_of_day_china(crate::identity::CivilDate::new(2026, 5, 29).unwrap()).millis()));
    assert_eq!(code(w.grant(w.li, w.org, AccountId(w.org.get()), &["grant_admin"], (None, None))), "grants.not_administrator");
    let wg = w.the_grant(w.wang);
    assert_eq!(code(w.revoke(w.li, w.org, wg.id, wg.version)), "grants.not_administrator", "expired a moment ago");
    assert_eq!(wg.granted_by, Some(w.li), "the grants it made stay, with who made them");
    assert_eq!(w.held(w.wang), vec![Role::GrantAdmin]);
    // 张三 revokes 李四 entirely; 李四 is refused on its next request.
    let lg = w.the_grant(w.li);
    w.revoke(w.zhang, w.org, lg.id, lg.version).unwrap();
    assert_eq!(code(block_on(w.grants().organization(&w.account(w.li), w.org))), "grants.not_administrator");
    assert!(w.audits("grants.granted").iter().any(|a| a["person"] == w.wang.audit_subject()), "the audit still says who made it");
}

#[test]
fn an_administrator_of_one_organization_cannot_touch_another_organizations_grants() {
    let w = world();
    w.with_admin_zhang();
    block_on(onboard(&w.store, w.other_org, w.clock.now())).unwrap();
    let g = w.the_grant(w.zhang);
    // The other organization, on its own path, addressing our grant by id.
    assert_eq!(code(w.revoke(w.other_org, w.other_org, g.id, g.version)), "grants.grant_not_found");
    assert_eq!(code(w.change(w.other_org, w.other_org, g.id, g.version, &["business"], (None, None))), "grants.grant_not_found");
    // On our organization's path.
    assert_eq!(code(w.revoke(w.other_org, w.org, g.id, g.version)), "grants.not_administrator");
    assert_eq!(code(w.grant(w.other_org, w.org, w.li, &["business"], (None, None))), "grants.not_administrator");
    assert_eq!(code(block_on(w.grants().organization(&w.account(w.other_org), w.org))), "grants.not_administrator");
    // A natural person without grant_admin (business only).
    w.grant(w.org, w.org, w.li, &["business"], (None, None)).unwrap();
    assert_eq!(code(w.grant(w.li, w.org, w.wang, &["business"], (None, None))), "grants.not_administrator");
    assert_eq!(w.the_grant(w.zhang), g);
    let refused = w.audits("grants.refused");
    assert!(refused.iter().all(|r| r["organization"].is_string() && r["code"].is_string()));
    assert_eq!(refused.len(), 5, "the changes and grants tried (reading the list is refused, not logged)");
}

fn find(w: &World, by: AccountId, name: &str) -> Result<Value, AppError> {
    let q = Search { real_name: Some(name), login_name: None, client: "203.0.113.9" };
    block_on(search(&w.store, &w.clock, &Settings::default(), &w.account(by), w.org, &q))
}

#[test]
fn faq_4_3_the_search_finds_verified_persons_by_real_name_only() {
    let w = world();
    w.with_admin_zhang();
    let passport = block_on(verified_person(&w.store, &w.clock, "hans", "Hans  Müller", DocumentType::Passport, "E12345678", Some("DEU"))).unwrap();
    let found = find(&w, w.org, "李四").unwrap();
    assert_eq!(found["persons"].as_array().unwrap().len(), 1);
    assert_eq!(found["persons"][0]["id"], w.li.get());
    assert_eq!(found["persons"][0]["document_type"], "resident_id");
    assert_eq!(found["persons"][0]["grant_id"], Value::Null);
    assert!(found["persons"][0]["document_masked"].as_str().unwrap().contains("****"));
    assert!(found["persons"][0].get("login_name").is_none(), "no more than needed");
    // Spaces and full-width characters are normalized; otherwise exact.
    let hans = find(&w, w.org, " Ｈａｎｓ Müller ").unwrap();
    assert_eq!(hans["persons"][0]["id"], passport.get());
    assert_eq!(hans["persons"][0]["document_masked"], "E1****678");
    assert_eq!(hans["persons"][0]["nationality"], "DEU");
    assert!(find(&w, w.org, "Hans").unwrap()["persons"].as_array().unwrap().is_empty(), "exact, not a prefix");
    // Not verified, or a login name: nothing, and the rules again.
    let none = find(&w, w.org, "赵六").unwrap();
    assert!(none["persons"].as_array().unwrap().is_empty());
    assert!(none["empty_message_zh"].as_str().unwrap().contains("而不是登录名"));
    assert!(find(&w, w.org, "lisi").unwrap()["persons"].as_array().unwrap().is_empty(), "never by login name");
    let q = Search { real_name: None, login_name: Some("lisi"), client: "203.0.113.9" };
    let e = block_on(search(&w.store, &w.clock, &Settings::default(), &w.account(w.org), w.org, &q)).unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), ("grants.search_by_login_name", Some("login_name")));
    assert_eq!(find(&w, w.org, "").unwrap_err().field.as_deref(), Some("real_name"));
    // Already granted: the result says which grant.
    assert_eq!(find(&w, w.org, "张三").unwrap()["persons"][0]["grant_id"], w.the_grant(w.zhang).id.get());
    // Only administrators search, and every search is audited.
    assert_eq!(code(find(&w, w.other_org, "李四")), "grants.not_administrator");
    let audited = w.audits("grants.search");
    assert_eq!(audited.len(), 9);
    assert_eq!(audited[0]["results"], 1);
    assert_eq!(audited.last().unwrap()["refused"], "grants.not_administrator");
}

#[test]
fn the_search_is_limited_per_account_and_per_client() {
    let w = world();
    w.with_admin_zhang();
    let per_account: i64 = crate::settings::GRANT_SEARCHES_PER_ACCOUNT.default.parse().unwrap();
    for _ in 0..per_account {
        find(&w, w.org, "李四").unwrap();
    }
    let e = find(&w, w.org, "李四").unwrap_err();
    assert_eq!(e.status, 429);
    // Another administrator from the same client still has the client's quota left.
    find(&w, w.zhang, "李四").unwrap();
    assert_eq!(block_on(count(&w.store, "SELECT count(*) FROM audit_log WHERE action = 'grants.search'", &[])).unwrap(), per_account + 2);
}

#[test]
fn faq_7_the_person_sees_the_organizations_that_authorized_them() {
    let w = world();
    let none = block_on(mine::mine(&w.store, &w.clock, &w.account(w.li))).unwrap();
    assert!(none["organizations"].as_array().unwrap().is_empty());
    assert_eq!(none["guidance"]["actions"][0]["href"], "/register/legal-entity", "FAQ 7(2): register the organization");
    w.with_admin_zhang();
    w.grant(w.zhang, w.org, w.li, &["business"], (None, Some("2026-06-30"))).unwrap();
    let li = block_on(mine::mine(&w.store, &w.clock, &w.account(w.li))).unwrap();
    let entry = &li["organizations"][0];
    assert_eq!(entry["organization"]["org_name"], "授权测试有限公司");
    assert_eq!((entry["onboarded"].as_bool(), entry["in_force"].as_bool()), (Some(true), Some(true)));
    assert_eq!(entry["expires_at"], "2026-06-30");
    assert_eq!(entry["can_edit_organization"], false, "business only: read-only");
    let zhang = block_on(mine::mine(&w.store, &w.clock, &w.account(w.zhang))).unwrap();
    assert_eq!(zhang["organizations"][0]["can_edit_organization"], true, "grant_admin in force");
    let now = w.clock.now();
    assert_eq!(block_on(mine::authorizing_organization(&w.store, &w.account(w.zhang), w.org, now, true)).unwrap().id, w.org);
    let e = block_on(mine::authorizing_organization(&w.store, &w.account(w.li), w.org, now, true)).unwrap_err();
    assert_eq!(e.code, "grants.organization_info_read_only");
    assert!(block_on(mine::authorizing_organization(&w.store, &w.account(w.li), w.org, now, false)).is_ok());
    let e = block_on(mine::authorizing_organization(&w.store, &w.account(w.wang), w.org, now, false)).unwrap_err();
    assert_eq!(e.code, "grants.not_authorized_by_organization");
    assert_eq!(block_on(mine::mine(&w.store, &w.clock, &w.account(w.org))).unwrap_err().code, "grants.natural_persons_only");
    w.clock.advance_millis(40 * DAY);
    let later = block_on(mine::mine(&w.store, &w.clock, &w.account(w.li))).unwrap();
    assert_eq!(later["organizations"][0]["state"], "expired", "still listed, as expired");
}

#[test]
fn the_administered_organizations_are_those_with_grant_admin_in_force() {
    let w = world();
    w.with_admin_zhang();
    w.grant(w.zhang, w.org, w.li, &["business"], (None, None)).unwrap();
    let zhang = block_on(super::admin::administered(&w.store, &w.account(w.zhang), w.clock.now())).unwrap();
    assert_eq!(zhang["organizations"][0]["organization_id"], w.org.get());
    assert_eq!(zhang["organizations"][0]["org_name"], "授权测试有限公司");
    assert_eq!(code(block_on(super::admin::administered(&w.store, &w.account(w.li), w.clock.now()))), "grants.not_administrator");
    let org = block_on(super::admin::administered(&w.store, &w.account(w.org), w.clock.now())).unwrap();
    assert_eq!(org["organizations"][0]["as"], "legal_entity");
}

#[test]
fn expiring_grants_are_listed_once_until_their_expiry_changes() {
    let w = world();
    w.with_admin_zhang();
    w.grant(w.org, w.org, w.li, &["business"], (None, Some("2026-06-10"))).unwrap();
    let (from, until) = (w.clock.now(), Timestamp(w.clock.now().millis() + 30 * DAY));
    let soon = block_on(expiring_between(&w.store, from, until, 10)).unwrap();
    assert_eq!(soon.iter().map(|g| g.person_id).collect::<Vec<_>>(), vec![w.li]);
    let expiry = soon[0].expires_at.unwrap();
    assert!(block_on(in_transaction(&w.store, async |tx| mark_expiry_noticed(tx, soon[0].id, expiry, from).await)).unwrap());
    assert!(!block_on(in_transaction(&w.store, async |tx| mark_expiry_noticed(tx, soon[0].id, expiry, from).await)).unwrap(), "once");
    assert!(block_on(expiring_between(&w.store, from, until, 10)).unwrap().is_empty());
    let g = w.the_grant(w.li);
    w.change(w.org, w.org, g.id, g.version, &["business"], (None, Some("2026-06-20"))).unwrap();
    assert_eq!(block_on(expiring_between(&w.store, from, until, 10)).unwrap().len(), 1, "a new expiry is noticed again");
}
