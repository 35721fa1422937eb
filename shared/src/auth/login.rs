//! Login (FAQ preface, 1). Legal-entity or natural-person login; the old
//! system's name logs in as well as `WP` + name. A right password at the
//! wrong login type is told which type to use, not "wrong password".
//! Unknown login name and wrong password are one answer, in message and in
//! time (a dummy hash is verified).
//!
//! Throttling without a lockout denial of service: per account, after 5
//! consecutive failures each further try waits 2^(n-5) s (at most 15 min),
//! counted from the last failure; a success resets it; 100 consecutive
//! failures disable the password until an SMS reset (NIST SP 800-63B).
//! Per client address, a sliding window. State lives in SQLite.

use super::session::{self, Session};
use crate::account::{self, Account, AccountKind, login_key};
use crate::audit::{self, Actor};
use crate::clock::Clock;
use crate::settings::{self, ClientLimit, Settings};
use crate::error::{AppError, AppResult};
use crate::guidance::{Guidance, encode_query_value};
use crate::password;
use crate::random::Random;
use crate::rate_limit::{self, Limit};
use crate::store::Database;
use serde::Deserialize;
use serde_json::json;

pub const THROTTLE_AFTER: i64 = 5;
pub const PASSWORD_DISABLED_AFTER: i64 = 100;
const MAX_DELAY_SECS: i64 = 15 * 60;
/// Login attempts per client address (all login names together).
pub const CLIENT_LIMIT: ClientLimit =
    ClientLimit { setting: &settings::LOGIN_LIMIT_PER_CLIENT, bucket: "auth.login", window_secs: 300 };

#[derive(Debug, Clone, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    pub account_type: Option<String>,
    pub login_name: String,
    pub password: String,
}

#[derive(Debug, Clone, Copy)]
pub struct LoginSettings {
    pub client_limit: Limit,
}

impl LoginSettings {
    pub fn from(settings: &Settings) -> LoginSettings {
        LoginSettings { client_limit: CLIENT_LIMIT.limit(settings) }
    }
}

/// The wait after `failures` consecutive failures.
pub fn throttle_delay_secs(failures: i64) -> i64 {
    if failures < THROTTLE_AFTER {
        0
    } else {
        let exp = (failures - THROTTLE_AFTER).min(20) as u32;
        (1i64 << exp).min(MAX_DELAY_SECS)
    }
}

fn invalid_credentials() -> AppError {
    let help = Guidance::new(
        "auth.login_help",
        "原外国人来华工作管理服务系统的用户：请试试 WP+原登录名，或选择自然人登录。仍不行：检索登录名是否已注册，或用“忘记密码”找回。",
        "Users of the old foreign-work system: try WP + your old login name, or natural-person login. Still stuck: check whether the login name is registered, or use “Forgot password”.",
    )
    .action("/register", "检索登录名是否已注册", "Check whether the login name is registered")
    .action("/password-reset", "忘记密码", "Forgot password");
    AppError::new(
        "auth.invalid_credentials",
        401,
        "登录名或密码错误。",
        "The login name or password is not right.",
    )
    .with_guidance(help)
}

fn reset_guidance(login_name: &str) -> Guidance {
    Guidance::new(
        "auth.reset_password",
        "请用“登录名重置密码”设置新密码（验证码发送到账号预留的手机号）。",
        "Set a new password with “reset password by login name” (the code goes to the account's reserved mobile).",
    )
    .action(format!("/password-reset?login_name={}", encode_query_value(login_name)), "登录名重置密码", "Reset password by login name")
}

pub struct LoginOutcome {
    pub session: Session,
    pub token: String,
    pub account: Account,
}

pub async fn login<D: Database>(
    store: &D,
    clock: &dyn Clock,
    random: &dyn Random,
    settings: LoginSettings,
    client: &str,
    form: &LoginForm,
) -> AppResult<LoginOutcome> {
    let kind = AccountKind::parse(form.account_type.as_deref())?;
    let key = login_key(&form.login_name);
    if key.is_empty() {
        return Err(AppError::new("auth.login_name_required", 400, "请填写登录名。", "Please enter the login name.").with_field("login_name"));
    }
    if form.password.is_empty() {
        return Err(AppError::new("auth.password_required", 400, "请填写密码。", "Please enter the password.").with_field("password"));
    }
    if key.chars().count() > 100 || form.password.chars().count() > 1024 {
        // Longer than any login name or password we accept: cannot match.
        password::dummy_verify(&form.password);
        return Err(invalid_credentials());
    }
    if let Err(e) = rate_limit::hit(store, clock, settings.client_limit, client).await {
        audit::record(store, clock, &Actor::Client(client.to_owned()), "auth.client_throttled", None, json!({})).await?;
        return Err(e);
    }
    let now = clock.now().millis();
    let Some(cred) = account::find_credentials(store, &key).await? else {
        password::dummy_verify(&form.password);
        audit::record(store, clock, &Actor::Client(client.to_owned()), "auth.login_failed", None, json!({ "reason": "unknown_login_name" }))
            .await?;
        return Err(invalid_credentials());
    };
    let account = cred.account;
    let subject = account.id.audit_subject();
    if cred.password_disabled {
        return Err(AppError::new(
            "auth.password_disabled",
            403,
            "该账号连续登录失败次数过多，密码已停用。请通过短信重置密码后再登录。",
            "Too many failed logins in a row: this account's password is disabled. Reset it by SMS, then log in.",
        )
        .with_guidance(reset_guidance(&account.login_name)));
    }
    let wait_until = cred.last_failed_login_at.unwrap_or(0) + throttle_delay_secs(cred.failed_logins) * 1000;
    if cred.failed_logins >= THROTTLE_AFTER && now < wait_until {
        let retry = ((wait_until - now) + 999) / 1000;
        audit::record(store, clock, &Actor::Client(client.to_owned()), "auth.account_throttled", Some(&subject), json!({ "retry_after_seconds": retry }))
            .await?;
        return Err(AppError::new(
            "auth.throttled",
            429,
            format!("该账号连续登录失败，请 {retry} 秒后再试；忘记密码可用“登录名重置密码”。"),
            format!("Several failed logins in a row: try again in {retry} seconds, or reset the password by login name."),
        )
        .with_header("retry-after", retry.to_string())
        .with_details(json!({ "retry_after_seconds": retry }))
        .with_guidance(reset_guidance(&account.login_name)));
    }
    let Some(hash) = cred.password_hash.as_deref() else {
        password::dummy_verify(&form.password);
        return Err(AppError::new(
            "auth.password_not_set",
            403,
            "该账号由原系统迁移，尚未设置密码。请先通过短信重置密码。",
            "This account was migrated from the old system and has no password yet. Set one by SMS reset first.",
        )
        .with_guidance(reset_guidance(&account.login_name)));
    };
    let verification = password::verify(&form.password, hash);
    if !verification.ok {
        // Counted in SQL, not from the value read before the slow hash:
        // parallel wrong guesses each count.
        let failures = account::record_failed_login(store, account.id, clock.now(), PASSWORD_DISABLED_AFTER).await?;
        let disable = failures >= PASSWORD_DISABLED_AFTER;
        audit::record(
            store,
            clock,
            &Actor::Client(client.to_owned()),
            if disable { "auth.password_disabled" } else { "auth.login_failed" },
            Some(&subject),
            json!({ "reason": "wrong_password", "consecutive_failures": failures }),
        )
        .await?;
        return Err(invalid_credentials());
    }
    // The password is right: failures are over, whatever comes next.
    let new_hash = verification.needs_rehash.then(|| password::hash(&form.password, random).into_string());
    account::record_successful_login(store, account.id, new_hash.as_deref()).await?;
    if new_hash.is_some() {
        audit::record(store, clock, &Actor::Account(account.id), "auth.password_rehashed", Some(&subject), json!({})).await?;
    }
    if account.kind != kind {
        audit::record(store, clock, &Actor::Account(account.id), "auth.login_wrong_type", Some(&subject), json!({ "tried": kind.as_str() }))
            .await?;
        return Err(wrong_type(&account));
    }
    let (session, token) = session::start(store, clock, random, account.id).await?;
    audit::record(store, clock, &Actor::Account(account.id), "auth.login_succeeded", Some(&subject), json!({ "client": client })).await?;
    Ok(LoginOutcome { session, token, account })
}

/// FAQ preface: an old account that became a natural-person account (its
/// organization already had a legal-entity account) is told to use
/// natural-person login — and any account at the other login type likewise.
fn wrong_type(account: &Account) -> AppError {
    let (zh_kind, en_kind) = account.kind.label();
    let (zh, en) = match (account.kind, account.converted_from_legacy) {
        (AccountKind::NaturalPerson, true) => (
            "此账号是“自然人账号”：您的单位在本平台已有法人账号，原外国人来华工作管理服务系统账号已自动设为自然人账号，并拥有该单位外国人来华工作业务的办理权限。请选择“自然人登录”，无需找回法人账号。".to_owned(),
            "This is a natural-person account: your organization already has a legal-entity account here, so your old foreign-work account became a natural-person account that can handle the organization's foreign-work business. Use natural-person login; there is no need to recover the legal-entity account.".to_owned(),
        ),
        _ => (
            format!("此账号是{zh_kind}账号，请选择“{}”。", if account.kind == AccountKind::NaturalPerson { "自然人登录" } else { "法人登录" }),
            format!("This is a {en_kind} account; use {} login.", if account.kind == AccountKind::NaturalPerson { "natural-person" } else { "legal-entity" }),
        ),
    };
    AppError::new("auth.wrong_account_type", 409, zh, en)
        .with_field("account_type")
        .with_details(json!({ "use_account_type": account.kind.as_str() }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_after_five_failures_and_cap_at_fifteen_minutes() {
        assert_eq!((0..5).map(throttle_delay_secs).collect::<Vec<_>>(), vec![0; 5]);
        assert_eq!(throttle_delay_secs(5), 1);
        assert_eq!(throttle_delay_secs(6), 2);
        assert_eq!(throttle_delay_secs(10), 32);
        assert_eq!(throttle_delay_secs(15), 900);
        assert_eq!(throttle_delay_secs(99), 900);
    }
}
