//! Registration check (FAQ 1): is this login name registered? The answer
//! says what to do next: taken -> reset the password by login name; free
//! but `WP` + name taken -> that is the migrated account; free and starting
//! with `WP` -> reserved for migrated accounts, choose another (or log in
//! as the old user); free -> check the organization (maybe it has an
//! account), else register.

use crate::account::login_names_registered;
use crate::guidance::{Guidance, encode_query_value};
use crate::i18n::Lang;
use crate::identity::{LEGACY_PREFIX, LoginName};
use crate::settings::{self, ClientLimit};
use crate::store::{Store, StoreError};
use serde_json::{Value, json};

/// The check reveals whether an account exists (by design: FAQ 1 tells
/// users to use it), so it is rate-limited per client.
pub const CHECK_LIMIT: ClientLimit =
    ClientLimit { setting: &settings::REGISTRATION_CHECK_LIMIT, bucket: "registration.check", window_secs: 60 };

#[derive(Debug, Clone, PartialEq)]
pub struct LoginNameCheck {
    pub login_name: LoginName,
    pub registered: bool,
    /// Free, but registration refuses it: it starts with `WP`, the prefix
    /// of migrated accounts.
    pub reserved: bool,
    /// When the name is free but `WP` + name is taken: the user is probably
    /// a migrated user of the old system (FAQ 1).
    pub legacy_login_name: Option<String>,
    pub guidance: Guidance,
}

impl LoginNameCheck {
    pub fn to_json(&self, lang: Lang) -> Value {
        json!({
            "login_name": self.login_name.as_str(),
            "registered": self.registered,
            "reserved": self.reserved,
            "legacy_login_name": self.legacy_login_name,
            "guidance": self.guidance.to_json(lang),
        })
    }
}

pub async fn check_login_name<S: Store>(store: &S, login_name: LoginName) -> Result<LoginNameCheck, StoreError> {
    // The migrated form (`WP` + name) of a name that does not start with it.
    let legacy = match login_name.has_legacy_prefix() {
        true => None,
        false => LoginName::parse(&format!("{LEGACY_PREFIX}{}", login_name.as_str())).ok(),
    };
    let (registered, legacy_registered) = login_names_registered(store, &login_name.key(), legacy.as_ref().map(LoginName::key).as_deref()).await?;
    let reserved = !registered && login_name.has_legacy_prefix();
    let legacy_login_name = match (registered, legacy) {
        (false, Some(l)) if legacy_registered => Some(l.as_str().to_owned()),
        _ => None,
    };
    let guidance = guidance_for(&login_name, registered, reserved, legacy_login_name.as_deref());
    Ok(LoginNameCheck { login_name, registered, reserved, legacy_login_name, guidance })
}

fn guidance_for(name: &LoginName, registered: bool, reserved: bool, legacy: Option<&str>) -> Guidance {
    if registered {
        return super::guidance::reset_by_login_name(name.as_str());
    }
    if reserved {
        return super::guidance::legacy_prefix_reserved(name);
    }
    if let Some(legacy) = legacy {
        return Guidance::new(
            "registration.legacy_login_name_registered",
            format!("“{name}”未被注册，但“{legacy}”已注册：原外国人来华工作管理服务系统的账号迁移后，登录名为 WP+原登录名。请用“{legacy}”或原登录名登录。"),
            format!("“{name}” is not registered, but “{legacy}” is: accounts migrated from the old foreign-work system log in as WP + the old name. Log in with “{legacy}” or the old name."),
        )
        .action("/login", "去登录", "Log in")
        .action(
            format!("/password-reset?login_name={}", encode_query_value(legacy)),
            "登录名重置密码",
            "Reset password by login name",
        );
    }
    Guidance::new(
        "registration.login_name_available",
        "该登录名未被注册。如果您的单位以前办理过业务，请先检索单位名称和统一社会信用代码是否已注册；都不存在时即可注册。",
        "This login name is not registered. If your organization has done business here before, first check whether its name or Unified Social Credit Code is registered; if neither is, you can register.",
    )
    .action("/register#organization", "检索单位名称 / 统一社会信用代码", "Check organization name / USCC")
    .action(
        format!("/register/legal-entity?login_name={}", encode_query_value(name.as_str())),
        "注册单位用户（法人）",
        "Register an organization (legal entity)",
    )
    .action(
        format!("/register/natural-person?login_name={}", encode_query_value(name.as_str())),
        "注册自然人用户",
        "Register a natural person",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{FixedClock, Timestamp};
    use crate::registration::AccountKind;
    use crate::store::native::block_on;
    use crate::store::NativeStore;
    use crate::test_support::create_account;

    fn store_with(names: &[&str]) -> NativeStore {
        let store = crate::test_support::store();
        let clock = FixedClock::at(Timestamp(0));
        for n in names {
            block_on(create_account(&store, AccountKind::LegalEntity, &LoginName::parse(n).unwrap(), clock.now())).unwrap();
        }
        store
    }

    use crate::clock::Clock;

    fn check(store: &NativeStore, name: &str) -> LoginNameCheck {
        block_on(check_login_name(store, LoginName::parse(name).unwrap())).unwrap()
    }

    #[test]
    fn a_free_name_leads_to_the_organization_check_and_registration() {
        let c = check(&store_with(&[]), "newcorp");
        assert!(!c.registered);
        assert_eq!(c.guidance.code, "registration.login_name_available");
        assert!(c.guidance.actions.iter().any(|a| a.href == "/register/legal-entity?login_name=newcorp"));
    }

    #[test]
    fn a_taken_name_leads_to_reset_by_login_name_ignoring_case() {
        let store = store_with(&["AcmeCorp"]);
        let c = check(&store, "acmecorp");
        assert!(c.registered);
        assert_eq!(c.guidance.code, "registration.login_name_registered");
        assert_eq!(c.guidance.actions[0].href, "/password-reset?login_name=acmecorp");
    }

    #[test]
    fn an_old_system_name_points_at_its_wp_name() {
        let store = store_with(&["WPacme"]);
        let c = check(&store, "acme");
        assert!(!c.registered);
        assert_eq!(c.legacy_login_name.as_deref(), Some("WPacme"));
        assert_eq!(c.guidance.code, "registration.legacy_login_name_registered");
    }

    #[test]
    fn a_free_wp_name_is_reserved_for_migrated_accounts_in_any_case_and_width() {
        let store = store_with(&["WPtaken"]);
        for name in ["WPsomename", "wpsomename", "Wpsomename", "ｗｐsomename"] {
            let c = check(&store, name);
            assert!(!c.registered && c.reserved, "{name}");
            assert_eq!(c.legacy_login_name, None, "{name}: no WPWP... lookup");
            assert_eq!(c.guidance.code, "registration.login_name_reserved", "{name}");
            assert!(c.guidance.message.zh.contains("迁移") && c.guidance.message.en.contains("migrated"), "{name}");
            let hrefs: Vec<&str> = c.guidance.actions.iter().map(|a| a.href.as_str()).collect();
            assert_eq!(hrefs, ["/login", "/password-reset"], "{name}: log in or reset, never register");
            assert_eq!(c.to_json(Lang::En)["reserved"], true);
        }
        let taken = check(&store, "wptaken");
        assert!(taken.registered && !taken.reserved, "a migrated account's name is simply registered");
        assert_eq!(taken.guidance.code, "registration.login_name_registered");
        assert!(!check(&store, "newpaper").reserved, "wp inside a name is no prefix");
    }

    #[test]
    fn a_check_is_one_statement_whatever_the_answer() {
        let store = store_with(&["WPacme", "taken"]);
        for (name, code) in [
            ("newcorp", "registration.login_name_available"),
            ("taken", "registration.login_name_registered"),
            ("acme", "registration.legacy_login_name_registered"),
            ("WPfree", "registration.login_name_reserved"),
        ] {
            let counting = crate::test_support::CountingStore::new(&store);
            let c = block_on(check_login_name(&counting, LoginName::parse(name).unwrap())).unwrap();
            assert_eq!((c.guidance.code, counting.statements.get()), (code, 1), "{name}");
        }
    }

    #[test]
    fn a_legacy_alias_counts_as_registered() {
        let store = store_with(&["WPacme"]);
        block_on(store.execute(
            "INSERT INTO login_name_aliases (alias_key, alias, account_id) VALUES ('acme', 'acme', 1)",
            &[],
        ))
        .unwrap();
        assert!(check(&store, "ACME").registered);
    }

    #[test]
    fn two_racing_inserts_of_one_name_one_wins() {
        let store = store_with(&["dupname"]);
        let err = block_on(create_account(&store, AccountKind::NaturalPerson, &LoginName::parse("DupName").unwrap(), Timestamp(0)))
            .unwrap_err();
        assert!(err.is_unique_on("accounts.login_name_key"), "{err:?}");
    }
}
