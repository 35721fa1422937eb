use super::*;
use crate::clock::{FixedClock, Timestamp};
use crate::identity::{CivilDate, Document, DocumentType, LoginName, Mobile, OrgName, Uscc};
use crate::store::native::block_on;
use crate::store::{Database, NativeStore, Store, migrate};

fn store() -> NativeStore {
    let store = NativeStore::in_memory().unwrap();
    block_on(migrate(&store, &FixedClock::at(Timestamp(0)))).unwrap();
    store
}

fn add(store: &NativeStore, row: NewAccount<'_>) -> Result<AccountId, StoreError> {
    block_on(async {
        let tx = store.begin().await?;
        let id = insert(&tx, &row, Timestamp(1)).await?;
        tx.commit().await?;
        Ok(id)
    })
}

#[test]
fn masks() {
    assert_eq!(mask_mobile("13812341234"), "138****1234");
    assert_eq!(mask_middle("110105194912310021"), "110***********0021");
    assert_eq!(mask_middle("E1234567"), "E***4567");
    assert_eq!(mask_middle("abc"), "***");
}

#[test]
fn login_key_is_lenient_and_case_folded() {
    assert_eq!(login_key("  ＷＰAbc "), "wpabc");
    assert_eq!(login_key("ab"), "ab");
}

#[test]
fn account_type_is_required() {
    assert_eq!(AccountKind::parse(Some("natural_person")).unwrap(), AccountKind::NaturalPerson);
    let e = AccountKind::parse(None).unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), ("auth.account_type_required", Some("account_type")));
    assert!(AccountKind::parse(Some("admin")).is_err());
}

#[test]
fn an_account_reads_back_typed_and_shows_only_masked_secrets() {
    let store = store();
    let name = LoginName::parse("AcmeCorp").unwrap();
    let org = OrgName::parse("福州测试科技有限公司").unwrap();
    let uscc = Uscc::parse("91350100M000100Y43").unwrap();
    let mobile = Mobile::parse("13812341234").unwrap();
    let id = add(
        &store,
        NewAccount {
            password_hash: Some("$argon2id$x"),
            reserved_mobile: Some(&mobile),
            organization: Some((&org, &uscc)),
            ..NewAccount::new(AccountKind::LegalEntity, &name)
        },
    )
    .unwrap();
    let a = block_on(find_by_id(&store, id)).unwrap().unwrap();
    assert_eq!(a.reserved_mobile, Some(mobile));
    assert_eq!(a.organization.as_ref().map(|o| o.uscc.as_str()), Some("91350100M000100Y43"));
    let shown = a.to_json().to_string();
    assert!(shown.contains("138****1234") && !shown.contains("13812341234"), "{shown}");
    assert!(!shown.contains("argon2"), "never the hash: {shown}");
    assert_eq!(block_on(find_by_login(&store, "acmecorp")).unwrap().unwrap().id, id, "ignoring case");
}

#[test]
fn a_person_reads_back_with_the_document_masked() {
    let store = store();
    let name = LoginName::parse("zhangsan").unwrap();
    let doc = Document::parse(DocumentType::ResidentId, "11010519491231002X", None, CivilDate::from_days_since_epoch(20_000)).unwrap();
    let id = add(&store, NewAccount { person: Some(("张三", &doc)), ..NewAccount::new(AccountKind::NaturalPerson, &name) }).unwrap();
    let a = block_on(find_by_id(&store, id)).unwrap().unwrap();
    let d = a.document.unwrap();
    assert_eq!((d.doc_type, d.nationality.as_deref()), (DocumentType::ResidentId, Some("CHN")));
    assert_eq!(d.masked(), "110***********002X");
    assert_eq!(block_on(document_holder(&store, &doc)).unwrap(), Some((id, AccountKind::NaturalPerson)));
}

#[test]
fn aliases_log_in_and_count_as_registered() {
    let store = store();
    let name = LoginName::parse("WPacme").unwrap();
    let id = add(&store, NewAccount { legacy_old_name: Some("acme"), ..NewAccount::new(AccountKind::LegalEntity, &name) }).unwrap();
    block_on(async {
        let tx = store.begin().await.unwrap();
        add_alias(&tx, "Acme", id).await.unwrap();
        tx.commit().await.unwrap();
    });
    assert!(block_on(login_name_registered(&store, "acme")).unwrap());
    assert_eq!(block_on(find_by_login(&store, "ACME".to_ascii_lowercase().as_str())).unwrap().unwrap().id, id);
    assert!(!block_on(login_name_registered(&store, "other")).unwrap());
}

#[test]
fn the_organization_holder_prefers_the_uscc() {
    let store = store();
    let (n1, n2) = (LoginName::parse("orgone").unwrap(), LoginName::parse("orgtwo").unwrap());
    let org_a = OrgName::parse("甲公司").unwrap();
    let org_b = OrgName::parse("乙公司").unwrap();
    let uscc_a = Uscc::parse("91350100M000100Y43").unwrap();
    let uscc_b = Uscc::parse("911100007109288314").unwrap();
    let a = add(&store, NewAccount { organization: Some((&org_a, &uscc_a)), ..NewAccount::new(AccountKind::LegalEntity, &n1) }).unwrap();
    let b = add(&store, NewAccount { organization: Some((&org_b, &uscc_b)), ..NewAccount::new(AccountKind::LegalEntity, &n2) }).unwrap();
    let holder = |n: &OrgName, u: &Uscc| block_on(organization_holder(&store, n, u)).unwrap();
    assert_eq!(holder(&org_a, &uscc_a), Some((a, AccountKind::LegalEntity, OrganizationConflict::Uscc)));
    assert_eq!(holder(&org_a, &uscc_b), Some((b, AccountKind::LegalEntity, OrganizationConflict::Uscc)), "the code names the organization");
    let unknown = Uscc::parse("91110000802100433B").unwrap_or(uscc_b.clone());
    if unknown != uscc_b {
        assert_eq!(holder(&org_a, &unknown), Some((a, AccountKind::LegalEntity, OrganizationConflict::OrgName)));
    }
    assert!(block_on(org_name_registered(&store, &org_b)).unwrap());
    assert!(block_on(uscc_registered(&store, &uscc_a)).unwrap());
}

fn failure_state(store: &NativeStore, id: AccountId) -> (i64, Option<i64>, i64, Option<String>) {
    let rows = block_on(store.execute(
        "SELECT failed_logins, last_failed_login_at, password_disabled, password_hash FROM accounts WHERE id = ?",
        &[id.into()],
    ))
    .unwrap();
    let r = rows.first().unwrap();
    let hash = r.opt_text("password_hash").unwrap().map(str::to_owned);
    (r.int("failed_logins").unwrap(), r.opt_int("last_failed_login_at").unwrap(), r.int("password_disabled").unwrap(), hash)
}

#[test]
fn a_new_password_or_mobile_clears_the_failed_login_state() {
    let store = store();
    let name = LoginName::parse("counted").unwrap();
    let id = add(&store, NewAccount { password_hash: Some("$x"), ..NewAccount::new(AccountKind::LegalEntity, &name) }).unwrap();
    let fail = || {
        let sql = "UPDATE accounts SET failed_logins = 100, last_failed_login_at = 5, password_disabled = 1";
        block_on(store.execute(sql, &[])).unwrap();
    };
    let in_tx = |f: &dyn Fn(&crate::store::Transaction<'_, NativeStore>) -> Result<(), StoreError>| {
        let tx = block_on(store.begin()).unwrap();
        f(&tx).unwrap();
        block_on(tx.commit()).unwrap();
    };
    fail();
    in_tx(&|tx| block_on(set_password(tx, id, "$new")));
    assert_eq!(failure_state(&store, id), (0, None, 0, Some("$new".to_owned())));
    fail();
    let mobile = Mobile::parse("13912345678").unwrap();
    in_tx(&|tx| block_on(replace_mobile(tx, id, &mobile)));
    assert_eq!(failure_state(&store, id), (0, None, 0, Some("$new".to_owned())));
    assert_eq!(block_on(find_by_id(&store, id)).unwrap().unwrap().reserved_mobile, Some(mobile));
}

#[test]
fn the_credential_table_finds_an_account_by_login_name_and_alias() {
    let store = store();
    let name = LoginName::parse("WPfound").unwrap();
    let id = add(&store, NewAccount::new(AccountKind::LegalEntity, &name)).unwrap();
    block_on(async {
        let tx = store.begin().await.unwrap();
        add_alias(&tx, "found", id).await.unwrap();
        tx.commit().await.unwrap();
    });
    for key in ["wpfound", "found"] {
        assert_eq!(block_on(CREDENTIALS.id_by_login_key(&store, key)).unwrap(), Some(id.get()), "{key}");
    }
    assert_eq!(block_on(CREDENTIALS.id_by_login_key(&store, "lost")).unwrap(), None);
}
