//! Changing the reserved mobile (预留手机号) in "my info": password resets
//! and every result SMS go to it, so a session alone may not change it. A
//! code goes to the new number and, when the account has one, to the old
//! number; both codes are checked in the one transaction that changes it,
//! and the old number is told afterwards.

use crate::account::{self, Account};
use crate::audit::{self, Actor};
use crate::clock::Clock;
use crate::error::{AppError, AppResult};
use crate::identity::Mobile;
use crate::random::Random;
use crate::settings::{self, ClientLimit, Settings};
use crate::sms::{self, CodeCheck, Purpose, Template};
use crate::store::{Database, in_transaction};
use serde::Deserialize;
use serde_json::{Value, json};

/// Codes for a mobile change one client address may ask for per hour (each
/// number also has its own limits).
pub const CODE_LIMIT: ClientLimit =
    ClientLimit { setting: &settings::SMS_CODES_PER_CLIENT, bucket: "sms.my_info.client", window_secs: 3600 };

#[derive(Debug, Clone, Deserialize)]
pub struct CodesForm {
    #[serde(default)]
    pub new_mobile: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ChangeForm {
    #[serde(default)]
    pub new_mobile: String,
    #[serde(default)]
    pub new_mobile_code: String,
    #[serde(default)]
    pub old_mobile_code: String,
}

fn new_mobile(account: &Account, typed: &str) -> AppResult<Mobile> {
    let mobile = Mobile::parse(typed).map_err(|e| e.with_field("new_mobile"))?;
    if account.reserved_mobile.as_ref() == Some(&mobile) {
        return Err(AppError::new(
            "verification.mobile_unchanged",
            400,
            "新手机号与当前预留手机号相同。",
            "The new number is the reserved mobile already.",
        )
        .with_field("new_mobile"));
    }
    Ok(mobile)
}

/// `POST /api/my-info/mobile/codes`: a code to the new number and one to
/// the old number (if any), sent together or not at all. Answers as every
/// code endpoint does about the new number (`mobile_masked`,
/// `expires_in_seconds`, `resend_after_seconds`), with `old_mobile_masked`.
pub async fn send_codes<D: Database>(
    db: &D,
    clock: &dyn Clock,
    random: &dyn Random,
    settings: &Settings,
    client: &str,
    account: &Account,
    form: &CodesForm,
) -> AppResult<Value> {
    let new = new_mobile(account, &form.new_mobile)?;
    crate::rate_limit::hit(db, clock, CODE_LIMIT.limit(settings), client).await?;
    let old = account.reserved_mobile.clone();
    in_transaction(db, async |tx| {
        let issued = sms::issue_code(tx, clock, random, Purpose::MobileChange, &new).await.map_err(|e| e.with_field("new_mobile"))?;
        sms::enqueue(tx, clock, &new, Template::MobileChangeCode, json!({ "code": issued.code })).await?;
        let old_issued = match &old {
            Some(old) => {
                let c = sms::issue_code(tx, clock, random, Purpose::MobileChange, old).await.map_err(|e| e.with_field("old_mobile_code"))?;
                sms::enqueue(tx, clock, old, Template::MobileChangeCode, json!({ "code": c.code })).await?;
                Some(c.to_json(old))
            }
            None => None,
        };
        // The new number's code as every code endpoint answers it, and where
        // the old number's went.
        let mut body = issued.to_json(&new);
        body["old_mobile_masked"] = old_issued.map_or(Value::Null, |o| o["mobile_masked"].clone());
        Ok::<_, AppError>(body)
    })
    .await
}

/// `PUT /api/my-info/mobile`: both codes right, in one transaction, then the
/// reserved mobile is the new number; audited, and the old number is told.
pub async fn change<D: Database>(db: &D, clock: &dyn Clock, account: &Account, form: &ChangeForm) -> AppResult<Value> {
    let new = new_mobile(account, &form.new_mobile)?;
    let old = account.reserved_mobile.clone();
    let mut checks = vec![CodeCheck { mobile: &new, code: &form.new_mobile_code, field: "new_mobile_code" }];
    if let Some(old) = &old {
        checks.push(CodeCheck { mobile: old, code: &form.old_mobile_code, field: "old_mobile_code" });
    }
    let tx = sms::begin_with_codes(db, clock, Purpose::MobileChange, &checks).await?;
    account::change_reserved_mobile(&tx, account.id, &new).await?;
    audit::record(
        &tx,
        clock,
        &Actor::Account(account.id),
        "verification.reserved_mobile_changed",
        Some(&account.id.audit_subject()),
        json!({ "from": old.as_ref().map(Mobile::masked), "to": new.masked() }),
    )
    .await?;
    if let Some(old) = &old {
        sms::enqueue(
            &tx,
            clock,
            old,
            Template::ReservedMobileChanged,
            json!({ "login_name": account.login_name, "mobile_masked": new.masked() }),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(json!({ "mobile_masked": new.masked() }))
}
