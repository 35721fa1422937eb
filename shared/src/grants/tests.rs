use super::*;
use crate::clock::{Clock, FixedClock};
use crate::store::native::block_on;
use crate::store::{MIGRATIONS, NativeStore, in_transaction, migrate_to};
use crate::test_support::{self, TestAccount};
use crate::identity::DocumentType;

fn people(store: &NativeStore, clock: &FixedClock) -> (AccountId, AccountId) {
    let org = block_on(TestAccount::legal_entity("grantorg", "授权测试有限公司", "91350100M000100Y43").create(store, clock)).unwrap();
    let person =
        block_on(TestAccount::natural_person("grantee", "张三", DocumentType::ResidentId, "11010519491231002X", None).create(store, clock))
            .unwrap();
    (org, person)
}

fn grant(org: AccountId, person: AccountId, from: Option<i64>, until: Option<i64>) -> Grant {
    Grant {
        organization_id: org,
        person_id: person,
        role: Role::Business,
        granted_by: None,
        created_at: Timestamp(0),
        effective_from: from.map(Timestamp),
        expires_at: until.map(Timestamp),
    }
}

#[test]
fn a_grant_is_in_force_from_its_effective_date_up_to_its_expiry() {
    let (o, p) = (AccountId(1), AccountId(2));
    assert!(grant(o, p, None, None).in_force(Timestamp(5)));
    let g = grant(o, p, Some(10), Some(20));
    assert!(!g.in_force(Timestamp(9)), "not yet");
    assert!(g.in_force(Timestamp(10)), "from its effective date");
    assert!(g.in_force(Timestamp(19)));
    assert!(!g.in_force(Timestamp(20)), "the expiry is exclusive");
    assert!(grant(o, p, None, Some(20)).in_force(Timestamp(-5)));
    assert!(!grant(o, p, Some(10), None).in_force(Timestamp(0)));
}

#[test]
fn grants_are_read_back_with_their_roles_and_dates_and_only_those_in_force_count() {
    let (store, clock) = (test_support::store(), FixedClock::at(Timestamp(1_000_000)));
    let (org, person) = people(&store, &clock);
    block_on(in_transaction(&store, async |tx| {
        insert(tx, org, person, Role::Business, None, clock.now()).await?;
        insert(tx, org, person, Role::Business, Some(org), clock.now()).await?;
        insert(tx, org, person, Role::GrantAdmin, Some(org), clock.now()).await
    }))
    .unwrap();
    let held = block_on(of_person(&store, person)).unwrap();
    assert_eq!(held.len(), 2, "the same role twice is one grant");
    assert_eq!((held[0].role, held[0].granted_by), (Role::Business, None), "the first one is kept");
    assert_eq!(block_on(of_organization(&store, org)).unwrap().len(), 2);
    assert_eq!(block_on(roles_in_force(&store, person, org, clock.now())).unwrap(), vec![Role::Business, Role::GrantAdmin]);
    // An expiry (grant management sets it) ends it at once.
    block_on(store.execute("UPDATE grants SET expires_at = ? WHERE role = 'grant_admin'", &[clock.now().millis().into()])).unwrap();
    assert_eq!(block_on(roles_in_force(&store, person, org, clock.now())).unwrap(), vec![Role::Business]);
    assert!(block_on(roles_in_force(&store, org, person, clock.now())).unwrap().is_empty(), "not the other way round");
}

#[test]
fn an_organization_holds_the_roles_it_was_given() {
    let (store, clock) = (test_support::store(), FixedClock::at(Timestamp(1_000_000)));
    let (org, _) = people(&store, &clock);
    assert!(block_on(organization_roles(&store, org)).unwrap().is_empty(), "none before its first entry");
    for _ in 0..2 {
        block_on(in_transaction(&store, async |tx| give_organization_roles(tx, org, &Role::ALL, clock.now()).await)).unwrap();
    }
    assert_eq!(block_on(organization_roles(&store, org)).unwrap(), Role::ALL.to_vec());
}

#[test]
fn the_migration_turns_the_old_foreign_work_grants_into_the_business_role() {
    let store = NativeStore::in_memory().unwrap();
    let clock = FixedClock::at(Timestamp(0));
    let before: Vec<_> = MIGRATIONS.iter().copied().filter(|m| m.version < 7).collect();
    block_on(migrate_to(&store, &clock, &before)).unwrap();
    let (org, person) = people(&store, &clock);
    block_on(store.execute(
        "INSERT INTO grants (organization_id, person_id, role, created_at) VALUES (?, ?, 'foreign_work', 0)",
        &[org.into(), person.into()],
    ))
    .unwrap();
    block_on(migrate_to(&store, &clock, MIGRATIONS)).unwrap();
    let held = block_on(of_person(&store, person)).unwrap();
    assert_eq!(held, vec![grant(org, person, None, None)]);
}
