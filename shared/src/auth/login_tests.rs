//! The account login's own rules, natively: the wrong-type hint, legacy
//! aliases, migrated accounts without a password. The credential rules it
//! shares with the reviewer login are tested in `crate::credentials`.

use super::login::{LoginForm, LoginSettings, login};
use crate::account::{self, AccountKind, NewAccount};
use crate::clock::{Clock, FixedClock, Timestamp};
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::identity::LoginName;
use crate::ids::AccountId;
use crate::password;
use crate::random::SeqRandom;
use crate::settings::Settings;
use crate::store::native::block_on;
use crate::store::{Database, NativeStore, Store};
use crate::test_support;

const PW: &str = "correct horse battery staple";

struct Fx {
    store: NativeStore,
    clock: FixedClock,
    random: SeqRandom,
}

fn fx() -> Fx {
    Fx { store: test_support::store(), clock: FixedClock::at(Timestamp(1_800_000_000_000)), random: SeqRandom::new(5) }
}

impl Fx {
    fn login(&self, account_type: &str, name: &str, pw: &str) -> AppResult<super::login::LoginOutcome> {
        let form = LoginForm { account_type: Some(account_type.to_owned()), login_name: name.to_owned(), password: pw.to_owned() };
        block_on(login(&self.store, &self.clock, &self.random, LoginSettings::from(&Settings::default()), "10.1.1.1", &form))
    }

    fn code(&self, account_type: &str, name: &str, pw: &str) -> &'static str {
        self.login(account_type, name, pw).err().map_or("ok", |e| e.code)
    }

    /// A migrated account `WP<old>` with its old name as an alias.
    fn legacy(&self, old: &str, kind: AccountKind, hash: Option<&str>, converted: bool) -> AccountId {
        let name = LoginName::parse(&format!("WP{old}")).unwrap();
        let row = NewAccount {
            password_hash: hash,
            legacy_old_name: Some(old),
            converted_from_legacy: converted,
            ..NewAccount::new(kind, &name)
        };
        let id = block_on(test_support::create_account_with(&self.store, &row, self.clock.now())).unwrap();
        block_on(async {
            let tx = self.store.begin().await.unwrap();
            account::add_alias(&tx, old, id).await.unwrap();
            tx.commit().await.unwrap();
        });
        id
    }

    fn failed_logins(&self, id: AccountId) -> i64 {
        let rows = block_on(self.store.execute("SELECT failed_logins FROM accounts WHERE id = ?", &[id.into()])).unwrap();
        rows.first().unwrap().int("failed_logins").unwrap()
    }

    fn count(&self, sql: &str) -> i64 {
        block_on(self.store.execute(sql, &[])).unwrap().first().unwrap().int("n").unwrap()
    }
}

#[test]
fn a_right_password_logs_in_with_a_session_at_the_right_type() {
    let f = fx();
    let id = block_on(test_support::create_account_with_password(&f.store, &f.random, AccountKind::LegalEntity, "AcmeLogin", PW, Timestamp(1)))
        .unwrap();
    let done = f.login("legal_entity", " acmelogin ", PW).unwrap();
    assert_eq!((done.account.id, AccountId(done.session.owner_id)), (id, id));
    assert_eq!(done.token.len(), 64);
    assert_eq!(f.count("SELECT COUNT(*) AS n FROM sessions"), 1);
    assert_eq!(f.count("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'auth.login_succeeded'"), 1);
}

#[test]
fn the_right_password_at_the_wrong_type_names_the_right_one_and_a_wrong_one_is_just_wrong() {
    let f = fx();
    let id = block_on(test_support::create_account_with_password(&f.store, &f.random, AccountKind::NaturalPerson, "personone", PW, Timestamp(1)))
        .unwrap();
    let e = f.login("legal_entity", "personone", PW).err().unwrap();
    assert_eq!((e.code, e.status, e.field.as_deref()), ("auth.wrong_account_type", 409, Some("account_type")));
    assert_eq!(e.details.as_ref().unwrap()["use_account_type"], "natural_person");
    assert!(e.message.zh.contains("自然人登录"), "{}", e.message.zh);
    assert_eq!(f.count("SELECT COUNT(*) AS n FROM sessions"), 0, "no session at the wrong type");
    assert_eq!(f.failed_logins(id), 0, "the password was right: not a failure");
    assert_eq!(f.code("legal_entity", "personone", "not the password"), "auth.invalid_credentials");
    assert_eq!(f.failed_logins(id), 1);
    let e = f.login("natural_person", "nobody-at-all", PW).err().unwrap();
    assert_eq!(e.code, "auth.invalid_credentials", "an unknown name never gets the type hint");
    // A type is always required, before anything is checked.
    assert_eq!(f.code("admin", "personone", PW), "auth.account_type_required");
}

#[test]
fn a_converted_legacy_account_is_sent_to_natural_person_login() {
    let f = fx();
    let hash = password::hash(PW, &f.random).into_string();
    f.legacy("convold", AccountKind::NaturalPerson, Some(&hash), true);
    let e = f.login("legal_entity", "convold", PW).err().unwrap();
    assert_eq!(e.code, "auth.wrong_account_type");
    assert!(e.message.zh.contains("已自动设为自然人账号"), "{}", e.message.zh);
    assert!(e.message.en.contains("no need to recover the legal-entity account"), "{}", e.message.en);
    assert!(f.login("natural_person", "convold", PW).is_ok());
}

#[test]
fn the_old_name_and_wp_name_log_in_alike_and_share_one_failure_count() {
    let f = fx();
    let hash = password::hash(PW, &f.random).into_string();
    let id = f.legacy("oldacme", AccountKind::LegalEntity, Some(&hash), false);
    assert_eq!(f.login("legal_entity", "OLDACME", PW).unwrap().account.id, id);
    assert_eq!(f.login("legal_entity", "wpoldacme", PW).unwrap().account.login_name, "WPoldacme");
    for n in 0..5 {
        let name = if n % 2 == 0 { "oldacme" } else { "WPoldacme" };
        assert_eq!(f.code("legal_entity", name, "wrong password"), "auth.invalid_credentials");
    }
    assert_eq!(f.failed_logins(id), 5, "one account, one count");
    // Throttled, with the reset link for the name as typed (the old name
    // works at the password reset too).
    let e = f.login("legal_entity", "oldacme", PW).err().unwrap();
    assert_eq!((e.code, e.status), ("auth.throttled", 429));
    assert_eq!(e.to_json(Lang::Zh, "r")["error"]["details"]["guidance"]["actions"][0]["href"], "/password-reset?login_name=oldacme");
}

#[test]
fn a_migrated_account_without_a_password_must_reset_first_and_is_not_counted() {
    let f = fx();
    let id = f.legacy("nohash", AccountKind::NaturalPerson, None, false);
    for _ in 0..7 {
        let e = f.login("natural_person", "WPnohash", "anything at all").err().unwrap();
        assert_eq!((e.code, e.status), ("auth.password_not_set", 403));
        assert_eq!(e.to_json(Lang::En, "r")["error"]["details"]["guidance"]["actions"][0]["href"], "/password-reset?login_name=WPnohash");
    }
    assert_eq!(f.failed_logins(id), 0);
    assert_eq!(f.count("SELECT COUNT(*) AS n FROM login_name_throttles"), 0);
}
