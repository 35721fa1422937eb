//! Flow 3: password reset by login name (FAQ 1(1)).
//!
//! 1. [`request_code`]: the login name (or a legacy old name) -> an SMS code to the
//!    account's reserved mobile, shown masked. No reserved mobile -> the
//!    answer says so and leads to the appeal for the account's kind.
//! 2. [`confirm`]: the code and a new password under the policy -> the
//!    password is replaced, failed-login state cleared, every session
//!    revoked, and an SMS tells the account its password changed.

use crate::account::{self, Account, AccountKind, find_by_login, login_key};
use crate::audit::{self, Actor};
use crate::auth::revoke_all_for;
use crate::clock::Clock;
use crate::error::{AppError, AppResult};
use crate::guidance::{Guidance, encode_query_value};
use crate::identity::Mobile;
use crate::password::{self, PasswordPolicy};
use crate::random::Random;
use crate::sms::{self, Purpose, Template};
use crate::store::{Database, Store, in_transaction};
use crate::settings::{self, ClientLimit};
use serde::Deserialize;
use serde_json::{Value, json};

/// Password-reset requests (codes and confirmations) per client address.
pub const CLIENT_LIMIT: ClientLimit =
    ClientLimit { setting: &settings::PASSWORD_RESET_LIMIT, bucket: "password_reset.client", window_secs: 3600 };

#[derive(Debug, Clone, Deserialize)]
pub struct ResetRequest {
    pub login_name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ResetConfirmation {
    pub login_name: String,
    pub sms_code: String,
    pub new_password: String,
    /// `reset` (default): the code from step 1; `appeal`: the one-time
    /// code an approved recovery appeal sent with the login name (24 h).
    #[serde(default)]
    pub code_kind: Option<String>,
}

impl ResetConfirmation {
    fn purpose(&self) -> AppResult<Purpose> {
        match self.code_kind.as_deref().map(str::trim) {
            None | Some("") | Some("reset") => Ok(Purpose::PasswordReset),
            Some("appeal") => Ok(Purpose::SetPassword),
            Some(_) => Err(AppError::new(
                "password_reset.code_kind_unknown",
                400,
                "验证码类型应为 reset（重置密码验证码）或 appeal（申诉通过短信中的验证码）。",
                "code_kind must be reset (the reset code) or appeal (the code in the appeal-approved SMS).",
            )
            .with_field("code_kind")),
        }
    }
}

/// A code sent: its terms and the number it went to.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeSent {
    pub issued: sms::IssuedCode,
    pub mobile: Mobile,
}

impl CodeSent {
    pub fn to_json(&self) -> Value {
        self.issued.to_json(&self.mobile)
    }
}

fn unknown_login_name(typed: &str) -> AppError {
    AppError::new(
        "password_reset.unknown_login_name",
        404,
        "没有使用该登录名的账号。原系统用户请试试 WP+原登录名；也可以先检索登录名是否已注册。",
        "There is no account with that login name. Users of the old system: try WP + the old name; or check whether the login name is registered.",
    )
    .with_field("login_name")
    .with_guidance(
        Guidance::new(
            "password_reset.check_registration",
            "检索登录名、单位名称或统一社会信用代码是否已注册。",
            "Check whether the login name, organization name or USCC is registered.",
        )
        .action(format!("/register?login_name={}", encode_query_value(typed.trim())), "检索是否已注册", "Check registration"),
    )
}

/// FAQ 1(1): no reserved mobile -> the matching appeal.
fn no_reserved_mobile(account: &Account) -> AppError {
    let (href, zh, en) = match account.kind {
        AccountKind::LegalEntity => ("/appeal/legal-entity", "单位法人申诉找回", "Legal-entity recovery appeal"),
        AccountKind::NaturalPerson => ("/appeal/natural-person", "自然人申诉找回", "Natural-person recovery appeal"),
    };
    AppError::new(
        "password_reset.no_reserved_mobile",
        409,
        format!("该账号没有预留手机号，无法通过短信重置密码。请通过“{zh}”找回账号密码，审核通过后会短信通知新手机号。"),
        format!("This account has no reserved mobile, so it cannot be reset by SMS. Recover it with a {}; once approved, the new mobile gets an SMS.", en.to_lowercase()),
    )
    .with_field("login_name")
    .with_details(json!({ "account_kind": account.kind.as_str() }))
    .with_guidance(
        Guidance::new("password_reset.appeal", format!("请提交{zh}。"), format!("File a {}.", en.to_lowercase())).action(href, zh, en),
    )
}

async fn account_for<S: Store>(store: &S, typed: &str) -> AppResult<Account> {
    let key = login_key(typed);
    if key.is_empty() {
        return Err(AppError::new("password_reset.login_name_required", 400, "请填写登录名。", "Please enter the login name.")
            .with_field("login_name"));
    }
    find_by_login(store, &key).await?.ok_or_else(|| unknown_login_name(typed))
}

fn reserved_mobile(account: &Account) -> AppResult<Mobile> {
    account.reserved_mobile.clone().ok_or_else(|| no_reserved_mobile(account))
}

/// Step 1: an SMS code to the reserved mobile, in one transaction with its
/// outbox message (the glue delivers it after the commit).
pub async fn request_code<D: Database>(store: &D, clock: &dyn Clock, random: &dyn Random, form: &ResetRequest) -> AppResult<CodeSent> {
    let account = account_for(store, &form.login_name).await?;
    let mobile = reserved_mobile(&account)?;
    in_transaction(store, async |tx| {
        let issued = sms::issue_code(tx, clock, random, Purpose::PasswordReset, &mobile).await?;
        sms::enqueue(tx, clock, &mobile, Template::PasswordResetCode, json!({ "code": issued.code })).await?;
        audit::record(tx, clock, &Actor::System, "password_reset.code_sent", Some(&account.id.audit_subject()), json!({})).await?;
        Ok::<_, AppError>(CodeSent { issued, mobile: mobile.clone() })
    })
    .await
}

/// Step 2: the code and the new password. Returns the account; the "password
/// changed" SMS is queued with the change. A wrong code's failed try is kept.
pub async fn confirm<D: Database>(
    store: &D,
    clock: &dyn Clock,
    random: &dyn Random,
    policy: PasswordPolicy,
    form: &ResetConfirmation,
) -> AppResult<Account> {
    let purpose = form.purpose()?;
    let account = account_for(store, &form.login_name).await?;
    let mobile = reserved_mobile(&account)?;
    let context: Vec<&str> = [
        Some(account.login_name.as_str()),
        account.legacy_old_name.as_deref(),
        account.organization.as_ref().map(|o| o.name.as_str()),
        account.organization.as_ref().map(|o| o.uscc.as_str()),
        account.document.as_ref().map(|d| d.number.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect();
    policy.check(&form.new_password, &context).map_err(|e| e.with_field("new_password"))?;
    let new_hash = password::hash(&form.new_password, random).into_string();
    let tx = sms::begin_with_code(store, clock, purpose, &mobile, &form.sms_code).await?;
    account::set_password(&tx, account.id, &new_hash).await?;
    let revoked = revoke_all_for(&tx, clock, account.id).await?;
    sms::enqueue(&tx, clock, &mobile, Template::PasswordChanged, json!({ "login_name": account.login_name })).await?;
    audit::record(
        &tx,
        clock,
        &Actor::Account(account.id),
        "password_reset.password_changed",
        Some(&account.id.audit_subject()),
        json!({ "sessions_revoked": revoked }),
    )
    .await?;
    tx.commit().await?;
    Ok(account)
}

#[cfg(test)]
mod tests;
