//! SMS codes for registration, the development outbox view.

use crate::error::{AppError, AppResult};
use crate::identity::Mobile;
use crate::random::Random;
use crate::rate_limit::Limit;
use crate::settings::{self, ClientLimit};
use crate::sms::{self, IssuedCode, Purpose, Template};
use crate::store::{Database, Store};
use crate::clock::Clock;
use serde::Deserialize;
use serde_json::{Value, json};

/// SMS codes one client address may request per hour for registration.
pub const SMS_CODE_LIMIT: ClientLimit =
    ClientLimit { setting: &settings::SMS_CODES_PER_CLIENT, bucket: "sms.registration.client", window_secs: 3600 };

#[derive(Debug, Clone, Deserialize)]
pub struct SendCodeForm {
    pub mobile: String,
    #[serde(default)]
    pub purpose: Option<String>,
}

/// A registration code to `form.mobile` (the outbox message is delivered by
/// the glue after the commit). Another purpose is refused here: each flow
/// sends its own codes. A well-formed request counts against the client's
/// hourly limit ([`SMS_CODE_LIMIT`]) before the number's own limits.
pub async fn send_code<D: Database>(
    db: &D,
    clock: &dyn Clock,
    random: &dyn Random,
    client_limit: Limit,
    client: &str,
    form: &SendCodeForm,
) -> AppResult<(IssuedCode, Mobile)> {
    let purpose = Purpose::parse(form.purpose.as_deref().unwrap_or("registration"))?;
    if purpose != Purpose::Registration {
        return Err(AppError::new(
            "sms.purpose_not_here",
            400,
            "此处只发送注册验证码。",
            "This endpoint sends registration codes only.",
        )
        .with_field("purpose"));
    }
    sms::send_requested_code(db, clock, random, client_limit, client, &form.mobile, purpose, Template::RegistrationCode).await
}

/// Development only (setting `dev_outbox` = `true`): the newest SMS to a
/// number, so browser tests and local users can read codes without a
/// gateway. Off: 404, as if the route did not exist.
pub async fn dev_outbox<S: Store>(store: &S, enabled: bool, mobile: Option<&str>) -> AppResult<Value> {
    if !enabled {
        return Err(AppError::not_found());
    }
    let mobile = Mobile::parse(mobile.unwrap_or_default())?;
    let messages = sms::messages_for(store, &mobile, 20).await?;
    Ok(json!({ "messages": messages.iter().map(|m| m.to_json()).collect::<Vec<_>>() }))
}
