//! Password reset by login name (FAQ 1(1)): the guidance when it cannot
//! work, the code, the new password and everything that goes with it.

use super::*;
use crate::account::add_alias;
use crate::test_support::{login_state, set_failed_logins};
use crate::clock::{FixedClock, Timestamp};
use crate::identity::DocumentType;
use crate::ids::AccountId;
use crate::random::SeqRandom;
use crate::store::native::block_on;
use crate::store::{NativeStore, Value as SqlValue};
use crate::test_support::{self, TestAccount, count};

const OLD_PASSWORD: &str = "the old password of acme";
const NEW_PASSWORD: &str = "a brand new passphrase";
const MOBILE: &str = "13812345678";
const USCC: &str = "91350100M000100Y43";

struct T {
    store: NativeStore,
    clock: FixedClock,
    random: SeqRandom,
}

fn setup() -> T {
    T { store: test_support::store(), clock: FixedClock::at(Timestamp(1_800_000_000_000)), random: SeqRandom::new(11) }
}

impl T {
    fn create(&self, account: TestAccount) -> AccountId {
        block_on(account.create(&self.store, &self.clock)).unwrap()
    }

    /// A legal entity `acme` with a password and a reserved mobile.
    fn acme(&self) -> AccountId {
        self.create(TestAccount::legal_entity("acme", "福州测试科技有限公司", USCC).password(OLD_PASSWORD).mobile(MOBILE))
    }

    fn request(&self, login_name: &str) -> AppResult<CodeSent> {
        block_on(request_code(&self.store, &self.clock, &self.random, &ResetRequest { login_name: login_name.into() }))
    }

    fn confirm(&self, login_name: &str, code: &str, new_password: &str, code_kind: Option<&str>) -> AppResult<Account> {
        let form = ResetConfirmation {
            login_name: login_name.into(),
            sms_code: code.into(),
            new_password: new_password.into(),
            code_kind: code_kind.map(str::to_owned),
        };
        block_on(confirm(&self.store, &self.clock, &self.random, PasswordPolicy::new(8), &form))
    }

    /// The newest message to `mobile`: (template, params).
    fn last_sms(&self, mobile: &str) -> (String, Value) {
        let m = block_on(sms::messages_for(&self.store, &Mobile::parse(mobile).unwrap(), 1)).unwrap().remove(0);
        (m.template, m.params)
    }

    /// Asks for a reset code and reads it from the SMS, as the user would.
    fn code(&self, login_name: &str) -> String {
        self.request(login_name).unwrap();
        let (template, params) = self.last_sms(MOBILE);
        assert_eq!(template, "password_reset_code");
        params["code"].as_str().unwrap().to_owned()
    }

    fn count(&self, sql: &str, params: &[SqlValue]) -> i64 {
        block_on(count(&self.store, sql, params)).unwrap()
    }

    fn live_sessions(&self, id: AccountId) -> i64 {
        self.count("SELECT COUNT(*) FROM sessions WHERE account_id = ? AND revoked_at IS NULL", &[id.into()])
    }

    fn password_hash(&self, login_name: &str) -> String {
        block_on(login_state(&self.store, &login_name.to_ascii_lowercase())).unwrap().password_hash.unwrap()
    }
}

#[test]
fn an_unknown_login_name_says_so_and_leads_to_the_registration_check() {
    let t = setup();
    for e in [t.request(" no such name ").map(drop), t.confirm("no such name", "123456", NEW_PASSWORD, None).map(drop)] {
        let e = e.unwrap_err();
        assert_eq!((e.code, e.status, e.field.as_deref()), ("password_reset.unknown_login_name", 404, Some("login_name")));
        assert!(e.message.zh.contains("WP+原登录名") && e.message.en.contains("try WP + the old name"), "{}", e.message.en);
        let g = e.guidance.as_deref().unwrap();
        assert_eq!(g.actions[0].href, "/register?login_name=no%20such%20name");
    }
    let e = t.request("  ").unwrap_err();
    assert_eq!((e.code, e.status, e.field.as_deref()), ("password_reset.login_name_required", 400, Some("login_name")));
    assert_eq!(t.count("SELECT COUNT(*) FROM sms_codes", &[]), 0);
}

#[test]
fn without_a_reserved_mobile_the_answer_leads_to_the_appeal_of_the_accounts_kind() {
    let t = setup();
    t.create(TestAccount::legal_entity("nomobile-org", "无手机测试有限公司", USCC).password(OLD_PASSWORD));
    t.create(TestAccount::natural_person("nomobile-person", "王五", DocumentType::Passport, "G12345678", Some("GBR")));
    for (name, kind, href) in
        [("nomobile-org", "legal_entity", "/appeal/legal-entity"), ("NoMobile-Person", "natural_person", "/appeal/natural-person")]
    {
        for e in [t.request(name).map(drop), t.confirm(name, "123456", NEW_PASSWORD, None).map(drop)] {
            let e = e.unwrap_err();
            assert_eq!((e.code, e.status, e.field.as_deref()), ("password_reset.no_reserved_mobile", 409, Some("login_name")), "{name}");
            assert_eq!(e.details.as_ref().unwrap()["account_kind"], kind);
            assert!(e.message.zh.contains("没有预留手机号"), "{}", e.message.zh);
            assert_eq!(e.guidance.as_deref().unwrap().actions[0].href, href, "FAQ 1(1): the matching appeal");
        }
    }
    assert_eq!(t.count("SELECT COUNT(*) FROM sms_outbox", &[]), 0);
    assert_eq!(t.count("SELECT COUNT(*) FROM sms_codes", &[]), 0);
}

#[test]
fn the_code_goes_to_the_reserved_mobile_shown_masked_and_an_old_name_works() {
    let t = setup();
    let id = t.acme();
    block_on(crate::store::in_transaction(&t.store, async |tx| add_alias(tx, "acme-old", id).await)).unwrap();
    let sent = t.request("ACME-OLD").unwrap();
    assert_eq!(sent.mobile.as_str(), MOBILE);
    let shown = sent.to_json();
    assert_eq!(shown["mobile_masked"], "138****5678");
    assert_eq!((shown["expires_in_seconds"].as_i64(), shown["resend_after_seconds"].as_i64()), (Some(600), Some(60)));
    assert!(!shown.to_string().contains(&sent.issued.code), "the requester never sees the code");
    let (template, params) = t.last_sms(MOBILE);
    assert_eq!((template.as_str(), params["code"].as_str()), ("password_reset_code", Some(sent.issued.code.as_str())));
    assert_eq!(t.store.take_committed_messages().len(), 1, "the SMS is due for delivery after the commit");
    let audited = "SELECT COUNT(*) FROM audit_log WHERE action = 'password_reset.code_sent' AND subject = ?";
    assert_eq!(t.count(audited, &[id.audit_subject().into()]), 1);
    // The number's own limits hold: a new code only after 60 s.
    assert_eq!(t.request("acme").unwrap_err().code, "sms.resend_too_soon");
}

#[test]
fn the_code_and_a_new_password_replace_it_end_every_session_and_clear_the_failed_logins() {
    let t = setup();
    let id = t.acme();
    for _ in 0..2 {
        block_on(crate::auth::session::start(&t.store, &t.clock, &t.random, id)).unwrap();
    }
    block_on(set_failed_logins(&t.store, id, crate::credentials::PASSWORD_DISABLED_AFTER, t.clock.now())).unwrap();
    assert!(block_on(login_state(&t.store, "acme")).unwrap().password_disabled);
    let code = t.code("acme");
    t.store.take_committed_messages();

    let account = t.confirm("Acme", &code, NEW_PASSWORD, None).unwrap();
    assert_eq!((account.id, account.login_name.as_str()), (id, "acme"));
    let hash = t.password_hash("acme");
    assert!(password::verify(NEW_PASSWORD, &hash).ok && !password::verify(OLD_PASSWORD, &hash).ok);
    let c = block_on(login_state(&t.store, "acme")).unwrap();
    assert_eq!((c.failed_logins, c.last_failed_login_at, c.password_disabled), (0, None, false), "a reset clears the failed-login state");
    assert_eq!(t.live_sessions(id), 0, "every session is revoked");
    let (template, params) = t.last_sms(MOBILE);
    assert_eq!((template.as_str(), &params), ("password_changed", &json!({ "login_name": "acme" })));
    assert_eq!(t.store.take_committed_messages().len(), 1, "the password-changed SMS is queued with the change");
    let audit = block_on(t.store.execute(
        "SELECT actor, detail FROM audit_log WHERE action = 'password_reset.password_changed' AND subject = ?",
        &[id.audit_subject().into()],
    ))
    .unwrap();
    let row = audit.first().unwrap();
    assert_eq!(row.text("actor").unwrap(), id.audit_subject());
    assert_eq!(serde_json::from_str::<Value>(row.text("detail").unwrap()).unwrap(), json!({ "sessions_revoked": 2 }));
    // The code was single use.
    assert_eq!(t.confirm("acme", &code, "yet another passphrase", None).unwrap_err().code, "sms.code_used");
}

#[test]
fn a_wrong_code_is_counted_and_changes_nothing() {
    let t = setup();
    let id = t.acme();
    block_on(crate::auth::session::start(&t.store, &t.clock, &t.random, id)).unwrap();
    let code = t.code("acme");
    let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
    let e = t.confirm("acme", &wrong, NEW_PASSWORD, None).unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), ("sms.code_wrong", Some("sms_code")));
    assert_eq!(t.count("SELECT failed_attempts FROM sms_codes", &[]), 1, "the wrong try is kept");
    assert!(password::verify(OLD_PASSWORD, &t.password_hash("acme")).ok, "the password is unchanged");
    assert_eq!(t.live_sessions(id), 1);
    assert_eq!(t.last_sms(MOBILE).0, "password_reset_code", "no password-changed SMS");
    // The right code still works afterwards.
    t.confirm("acme", &code, NEW_PASSWORD, None).unwrap();
}

#[test]
fn the_new_password_may_not_contain_the_accounts_identity() {
    let t = setup();
    t.create(
        TestAccount::legal_entity("WPacme", "福州测试科技有限公司", USCC).password(OLD_PASSWORD).mobile(MOBILE).legacy_old_name("oldacme"),
    );
    let code = t.code("wpacme");
    for (what, password) in [
        ("login name", "my wpacme secret"),
        ("old login name", "OLDACME forever and ever"),
        ("organization name", "福州测试科技有限公司的密码"),
        ("USCC", "code 91350100m000100y43 here"),
    ] {
        let e = t.confirm("WPacme", &code, password, None).unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), ("password.contains_identity", Some("new_password")), "{what}");
    }
    let e = t.confirm("WPacme", &code, "short", None).unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), ("password.too_short", Some("new_password")));
    t.create(TestAccount::natural_person("zhangsan", "张三", DocumentType::Passport, "E76543210", Some("USA")).mobile("13912345678"));
    t.request("zhangsan").unwrap();
    let person_code = t.last_sms("13912345678").1["code"].as_str().unwrap().to_owned();
    let e = t.confirm("zhangsan", &person_code, "passport e76543210 is mine", None).unwrap_err();
    assert_eq!(e.code, "password.contains_identity", "the document number");
    // Refused before the code is looked at: the code is neither used nor counted.
    assert_eq!(t.count("SELECT COUNT(*) FROM sms_codes WHERE consumed_at IS NULL AND failed_attempts = 0", &[]), 2);
    t.confirm("WPacme", &code, NEW_PASSWORD, None).unwrap();
}

/// The set-password code an approved appeal sends (valid 24 hours).
fn appeal_code(t: &T, mobile: &str) -> String {
    let mobile = Mobile::parse(mobile).unwrap();
    block_on(in_transaction(&t.store, async |tx| {
        sms::issue_system_code(tx, &t.clock, &t.random, Purpose::SetPassword, &mobile).await.map(|c| c.code)
    }))
    .unwrap()
}

#[test]
fn an_approved_appeals_code_sets_the_password_with_code_kind_appeal() {
    let t = setup();
    let id = t.acme();
    let code = appeal_code(&t, MOBILE);
    let e = t.confirm("acme", &code, NEW_PASSWORD, None).unwrap_err();
    assert_eq!(e.code, "sms.code_missing", "a reset code is not an appeal code");
    assert_eq!(t.confirm("acme", &code, NEW_PASSWORD, Some("reset")).unwrap_err().code, "sms.code_missing");
    let e = t.confirm("acme", &code, NEW_PASSWORD, Some("sms")).unwrap_err();
    assert_eq!((e.code, e.status, e.field.as_deref()), ("password_reset.code_kind_unknown", 400, Some("code_kind")));
    t.clock.advance_seconds(23 * 3600);
    t.confirm("acme", &code, NEW_PASSWORD, Some(" appeal ")).unwrap();
    assert!(password::verify(NEW_PASSWORD, &t.password_hash("acme")).ok);
    assert_eq!(t.last_sms(MOBILE).0, "password_changed");
    assert_eq!(t.live_sessions(id), 0);

    // After 24 hours the appeal's code is expired.
    let code = appeal_code(&t, MOBILE);
    t.clock.advance_seconds(24 * 3600 + 1);
    assert_eq!(t.confirm("acme", &code, "another new passphrase", Some("appeal")).unwrap_err().code, "sms.code_expired");
}
