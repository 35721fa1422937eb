//! Login (FAQ preface, 1). Legal-entity or natural-person login; the old
//! system's name logs in as well as `WP` + name. A right password at the
//! wrong login type is told which type to use, not "wrong password".
//!
//! The credential check itself (unknown names answer like a wrong password
//! in message, time and throttling; the per-client window; the per-account
//! waits and the 100-failure disable; rehashing) is
//! [`crate::credentials`], over the accounts table
//! ([`account::CREDENTIALS`]); this module declares the account login's
//! audit actions and errors ([`ACCOUNT_LOGIN`]).

use super::session::{self, Session};
use crate::account::{self, Account, AccountKind};
use crate::audit::{self, Actor};
use crate::clock::Clock;
use crate::credentials::{Attempt, CredentialCheck, LoginAudit, LoginErrors};
use crate::error::{AppError, AppResult};
use crate::guidance::{Guidance, encode_query_value};
use crate::ids::AccountId;
use crate::random::Random;
use crate::rate_limit::Limit;
use crate::settings::{self, ClientLimit, Settings};
use crate::store::{Database, StoreError};
use serde::Deserialize;
use serde_json::json;

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

/// The account login: the accounts table, its audit actions, its answers.
pub const ACCOUNT_LOGIN: CredentialCheck = CredentialCheck {
    table: &account::CREDENTIALS,
    audit: LoginAudit {
        client_throttled: "auth.client_throttled",
        failed: "auth.login_failed",
        throttled: "auth.account_throttled",
        disabled: "auth.password_disabled",
        rehashed: "auth.password_rehashed",
    },
    errors: LoginErrors {
        login_name_required: "auth.login_name_required",
        password_required: "auth.password_required",
        invalid: invalid_credentials,
        throttled,
        disabled: password_disabled,
        not_set: Some(password_not_set),
    },
    actor: |id| Actor::Account(AccountId(id)),
    subject: |id| AccountId(id).audit_subject(),
};

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

/// "Reset by login name", for the name as typed (a real and an unknown
/// name get the same link).
fn reset_guidance(typed_login_name: &str) -> Guidance {
    Guidance::new(
        "auth.reset_password",
        "请用“登录名重置密码”设置新密码（验证码发送到账号预留的手机号）。",
        "Set a new password with “reset password by login name” (the code goes to the account's reserved mobile).",
    )
    .action(format!("/password-reset?login_name={}", encode_query_value(typed_login_name)), "登录名重置密码", "Reset password by login name")
}

fn throttled(retry: i64, typed_login_name: &str) -> AppError {
    let zh = format!("该账号连续登录失败，请 {retry} 秒后再试；忘记密码可用“登录名重置密码”。");
    let en = format!("Several failed logins in a row: try again in {retry} seconds, or reset the password by login name.");
    AppError::new("auth.throttled", 429, zh, en).with_guidance(reset_guidance(typed_login_name))
}

fn password_disabled(typed_login_name: &str) -> AppError {
    let zh = "该账号连续登录失败次数过多，密码已停用。请通过短信重置密码后再登录。";
    let en = "Too many failed logins in a row: this account's password is disabled. Reset it by SMS, then log in.";
    AppError::new("auth.password_disabled", 403, zh, en).with_guidance(reset_guidance(typed_login_name))
}

fn password_not_set(typed_login_name: &str) -> AppError {
    let zh = "该账号由原系统迁移，尚未设置密码。请先通过短信重置密码。";
    let en = "This account was migrated from the old system and has no password yet. Set one by SMS reset first.";
    AppError::new("auth.password_not_set", 403, zh, en).with_guidance(reset_guidance(typed_login_name))
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
    let attempt = Attempt { client, login_name: &form.login_name, password: &form.password };
    // The session and the audit row commit with the login's outcome: one
    // write transaction after the password check.
    let outcome = ACCOUNT_LOGIN
        .check_then(store, clock, random, settings.client_limit, &attempt, None, async |tx, verified| {
            let id = AccountId(verified.id);
            let account = account::find_by_id(tx, id).await?.ok_or_else(|| StoreError::Other(format!("account {id} vanished at login")))?;
            let subject = id.audit_subject();
            if account.kind != kind {
                let detail = json!({ "tried": kind.as_str() });
                audit::record(tx, clock, &Actor::Account(id), "auth.login_wrong_type", Some(&subject), detail).await?;
                return Ok(Err(wrong_type(&account)));
            }
            let (session, token) = session::start(tx, clock, random, id).await?;
            audit::record(tx, clock, &Actor::Account(id), "auth.login_succeeded", Some(&subject), json!({ "client": client })).await?;
            Ok(Ok(LoginOutcome { session, token, account }))
        })
        .await?;
    outcome
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
