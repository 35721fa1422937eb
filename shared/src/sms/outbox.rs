//! The SMS outbox: a message is written in the transaction of the change it
//! reports ([`enqueue`] takes the transaction and queues the message on it),
//! then delivered after the commit by the shared glue
//! (`shared::spin::serve`, to the configured gateway) and marked sent; an
//! undelivered message stays in the outbox with its last error and is
//! retried by the scheduled work (`crate::schedule`) with backoff: the first
//! retry 1 minute after the first try, then doubling, at most 1 hour apart
//! ([`backoff_secs`]). Whoever tries a message first claims it
//! ([`claim`], a guarded update with a lease), so two ticks, or a tick and
//! the request that queued it, never send it twice. A message whose code
//! has expired is not sent ([`expire_codes`]); one tried too often is given
//! up ([`give_up`]); both are kept and listed ([`failed`]) with "retry now"
//! ([`retry_now`]).

use crate::clock::{Clock, Timestamp};
use crate::identity::Mobile;
use crate::store::{Database, Store, StoreError, Transaction};
use serde_json::{Value, json};

/// The messages we send. Texts are Chinese (the SMS channel's language);
/// the template name and parameters are stored, the text is rendered at
/// delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    RegistrationCode,
    PasswordResetCode,
    AppealCode,
    PasswordChanged,
    AppealApproved,
    AppealRejected,
    /// A code for changing the reserved mobile (to the new and the old number).
    MobileChangeCode,
    /// To the old number once the reserved mobile was changed.
    ReservedMobileChanged,
    /// A part of "my info" passed manual review.
    VerificationPassed,
    /// A part of "my info" was rejected at manual review, with the reason.
    VerificationRejected,
    /// A first entry into the foreign-work system was approved.
    OnboardingApproved,
    /// A first entry was rejected, with the reason.
    OnboardingRejected,
    /// A legacy-data request was approved: records linked.
    LegacyDataLinked,
    /// A legacy-data request was rejected, with the reason.
    LegacyDataRejected,
    /// To reviewers with a mobile: a review item is past its due time.
    ReviewReminder,
    /// To lead reviewers with a mobile: an item is two working days overdue.
    ReviewEscalation,
    /// To a natural person: an organization's grant expires within 7 days
    /// (the organization, the roles, the last day in force).
    GrantExpiring,
}

impl Template {
    pub fn as_str(self) -> &'static str {
        match self {
            Template::RegistrationCode => "registration_code",
            Template::PasswordResetCode => "password_reset_code",
            Template::AppealCode => "appeal_code",
            Template::PasswordChanged => "password_changed",
            Template::AppealApproved => "appeal_approved",
            Template::AppealRejected => "appeal_rejected",
            Template::MobileChangeCode => "mobile_change_code",
            Template::ReservedMobileChanged => "reserved_mobile_changed",
            Template::VerificationPassed => "verification_passed",
            Template::VerificationRejected => "verification_rejected",
            Template::OnboardingApproved => "onboarding_approved",
            Template::OnboardingRejected => "onboarding_rejected",
            Template::LegacyDataLinked => "legacy_data_linked",
            Template::LegacyDataRejected => "legacy_data_rejected",
            Template::ReviewReminder => "review_reminder",
            Template::ReviewEscalation => "review_escalation",
            Template::GrantExpiring => "grant_expiring",
        }
    }

    pub const ALL: [Template; 17] = [
        Template::RegistrationCode,
        Template::PasswordResetCode,
        Template::AppealCode,
        Template::PasswordChanged,
        Template::AppealApproved,
        Template::AppealRejected,
        Template::MobileChangeCode,
        Template::ReservedMobileChanged,
        Template::VerificationPassed,
        Template::VerificationRejected,
        Template::OnboardingApproved,
        Template::OnboardingRejected,
        Template::LegacyDataLinked,
        Template::LegacyDataRejected,
        Template::ReviewReminder,
        Template::ReviewEscalation,
        Template::GrantExpiring,
    ];

    pub fn parse(s: &str) -> Option<Template> {
        Template::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// How long the code a message of this template carries can be used:
    /// a message is not sent after that ([`expire_codes`]). `None`: it
    /// carries no code.
    pub fn code_ttl_secs(self) -> Option<i64> {
        match self {
            Template::RegistrationCode | Template::PasswordResetCode | Template::AppealCode | Template::MobileChangeCode => {
                Some(super::CODE_TTL_SECS)
            }
            Template::AppealApproved => Some(super::SET_PASSWORD_TTL_SECS),
            Template::ReviewReminder | Template::ReviewEscalation | Template::GrantExpiring => None,
            Template::PasswordChanged
            | Template::AppealRejected
            | Template::ReservedMobileChanged
            | Template::VerificationPassed
            | Template::VerificationRejected
            | Template::OnboardingApproved
            | Template::OnboardingRejected
            | Template::LegacyDataLinked
            | Template::LegacyDataRejected => None,
        }
    }

    /// The text of the message with its parameters filled in.
    pub fn render(self, params: &Value) -> String {
        let p = |k: &str| params.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        match self {
            Template::RegistrationCode => format!(
                "【科技部政务服务平台】您的注册验证码为 {}，10 分钟内有效。如非本人操作，请忽略本短信。",
                p("code")
            ),
            Template::PasswordResetCode => format!(
                "【科技部政务服务平台】您正在重置登录密码，验证码为 {}，10 分钟内有效。如非本人操作，请勿告知他人。",
                p("code")
            ),
            Template::AppealCode => format!(
                "【科技部政务服务平台】您正在提交申诉找回，验证码为 {}，10 分钟内有效。",
                p("code")
            ),
            Template::PasswordChanged => format!(
                "【科技部政务服务平台】您的账号 {} 的登录密码已修改，所有登录已退出。如非本人操作，请立即申诉找回。",
                p("login_name")
            ),
            Template::AppealApproved => format!(
                "【科技部政务服务平台】您的申诉 {} 已通过。登录名：{}。请在 24 小时内到“忘记密码”页面用验证码 {} 设置新密码。",
                p("appeal_number"),
                p("login_name"),
                p("code")
            ),
            Template::AppealRejected => format!(
                "【科技部政务服务平台】您的申诉 {} 未通过，原因：{}。可按要求补充材料后重新申诉。",
                p("appeal_number"),
                p("reason")
            ),
            Template::MobileChangeCode => format!(
                "【科技部政务服务平台】您正在更换账号的预留手机号，验证码为 {}，10 分钟内有效。如非本人操作，请勿告知他人。",
                p("code")
            ),
            Template::ReservedMobileChanged => format!(
                "【科技部政务服务平台】您的账号 {} 的预留手机号已更换为 {}。如非本人操作，请立即通过申诉找回账号。",
                p("login_name"),
                p("mobile_masked")
            ),
            Template::VerificationPassed => format!(
                "【科技部政务服务平台】您提交的“{}”实名认证材料已审核通过。",
                p("part")
            ),
            Template::VerificationRejected => format!(
                "【科技部政务服务平台】您提交的“{}”实名认证材料未通过审核，原因：{}。请登录后在“我的信息”中修改或重新上传。",
                p("part"),
                p("reason")
            ),
            Template::OnboardingApproved => format!(
                "【科技部政务服务平台】您在“{}”提交的首次进入信息已审核通过，现在可以进入外国人来华工作管理服务系统办理业务。",
                p("entry")
            ),
            Template::OnboardingRejected => format!(
                "【科技部政务服务平台】您在“{}”提交的首次进入信息未通过审核，原因：{}。请登录后按原因修改并重新提交。",
                p("entry"),
                p("reason")
            ),
            Template::LegacyDataLinked => format!(
                "【科技部政务服务平台】您的关联数据申请已审核通过，已关联 {} 条历史业务，可在业务首页查看。",
                p("count")
            ),
            Template::LegacyDataRejected => format!(
                "【科技部政务服务平台】您的关联数据申请未通过审核，原因：{}。可在业务首页补充信息后重新申请。",
                p("reason")
            ),
            Template::ReviewReminder => format!(
                "【科技部政务服务平台·审核后台】审核事项 {}（{}）已超过办理时限，请尽快处理。",
                p("item"),
                p("kind")
            ),
            Template::ReviewEscalation => format!(
                "【科技部政务服务平台·审核后台】审核事项 {}（{}）已超期两个工作日未办结，请组长督办。",
                p("item"),
                p("kind")
            ),
            Template::GrantExpiring => format!(
                "【科技部政务服务平台】“{}”授予您的“{}”授权将于 {} 到期（当天仍有效），到期后您将不能再代表该单位办理。如需延期，请联系该单位的授权管理员。",
                p("organization"),
                p("roles"),
                p("last_day")
            ),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct OutboxMessage {
    pub id: i64,
    pub recipient: String,
    pub template: String,
    pub params: Value,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    pub attempts: i64,
    pub last_error: Option<String>,
    /// When the next try is due (unsent, not given up).
    pub next_attempt_at: Option<i64>,
    /// Given up: when and why ([`Failure`]).
    pub failed_at: Option<i64>,
    pub failure: Option<Failure>,
    /// When the code it carries expires (`None`: no code).
    pub expires_at: Option<i64>,
}

/// Why a message was given up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Tried the configured maximum number of times.
    MaxAttempts,
    /// Its code expired before it could be delivered: a code that cannot be
    /// used any more is not sent.
    CodeExpired,
}

impl Failure {
    pub fn as_str(self) -> &'static str {
        match self {
            Failure::MaxAttempts => "max_attempts",
            Failure::CodeExpired => "code_expired",
        }
    }

    pub fn parse(s: &str) -> Option<Failure> {
        [Failure::MaxAttempts, Failure::CodeExpired].into_iter().find(|f| f.as_str() == s)
    }

    /// (zh, en)
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Failure::MaxAttempts => ("多次发送失败，已停止重试", "gave up after the maximum number of attempts"),
            Failure::CodeExpired => ("验证码已过期，不再发送", "its code expired: not sent"),
        }
    }
}

/// The first retry comes this long after the first try ...
pub const FIRST_RETRY_SECS: i64 = 60;
/// ... and the wait doubles up to this.
pub const MAX_RETRY_WAIT_SECS: i64 = 3600;
/// How long a claim on a message lasts: longer than a delivery can take
/// (the gateway call times out well before), so a claim only lapses when
/// its holder died.
pub const CLAIM_SECS: i64 = 300;

/// The wait after the `attempts`-th failed try: 1 min, 2, 4, ... at most
/// 1 h.
pub fn backoff_secs(attempts: i64) -> i64 {
    let doublings = (attempts.max(1) - 1).min(12) as u32;
    (FIRST_RETRY_SECS << doublings).min(MAX_RETRY_WAIT_SECS)
}

impl OutboxMessage {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "recipient": self.recipient,
            "template": self.template,
            "params": self.params,
            "created_at": self.created_at,
            "sent_at": self.sent_at,
            "attempts": self.attempts,
            "last_error": self.last_error,
            "next_attempt_at": self.next_attempt_at,
            "failed_at": self.failed_at,
            "failure": self.failure.map(Failure::as_str),
            "failure_label_zh": self.failure.map(|f| f.label().0),
            "failure_label_en": self.failure.map(|f| f.label().1),
            "expires_at": self.expires_at,
        })
    }

    pub fn text(&self) -> String {
        Template::parse(&self.template).map(|t| t.render(&self.params)).unwrap_or_default()
    }
}

/// Writes a message in `tx`; it is delivered once `tx` has committed.
pub async fn enqueue<D: Database>(
    store: &Transaction<'_, D>,
    clock: &dyn Clock,
    to: &Mobile,
    template: Template,
    params: Value,
) -> Result<i64, StoreError> {
    // Codes in messages that outlived every code's lifetime (24 h) are of no
    // use to anyone any more: scrub them. Sent messages lost theirs at once
    // ([`mark_sent`]), so only the unsent queue is looked at (its index).
    store
        .execute(
            "UPDATE sms_outbox SET params = json_remove(params, '$.code')
              WHERE sent_at IS NULL AND created_at < ? AND json_extract(params, '$.code') IS NOT NULL",
            &[(clock.now().millis() - super::SET_PASSWORD_TTL_SECS * 1000).into()],
        )
        .await?;
    let now = clock.now().millis();
    let rows = store
        .execute(
            "INSERT INTO sms_outbox (recipient, template, params, created_at, next_attempt_at, expires_at)
             VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            &[
                to.as_str().into(),
                template.as_str().into(),
                params.to_string().into(),
                now.into(),
                // The request delivers it at once; a retry is due after this.
                (now + FIRST_RETRY_SECS * 1000).into(),
                template.code_ttl_secs().map(|ttl| now + ttl * 1000).into(),
            ],
        )
        .await?;
    let id = rows.first().ok_or_else(|| StoreError::Other("INSERT returned no id".into()))?.int("id")?;
    store.queue_message(id);
    Ok(id)
}

const COLUMNS: &str =
    "id, recipient, template, params, created_at, sent_at, attempts, last_error, next_attempt_at, failed_at, failure, expires_at";

fn read(rows: &crate::store::Rows) -> Result<Vec<OutboxMessage>, StoreError> {
    rows.iter()
        .map(|r| {
            Ok(OutboxMessage {
                id: r.int("id")?,
                recipient: r.text("recipient")?.to_owned(),
                template: r.text("template")?.to_owned(),
                params: serde_json::from_str(r.text("params")?).unwrap_or(Value::Null),
                created_at: r.int("created_at")?,
                sent_at: r.opt_int("sent_at")?,
                attempts: r.int("attempts")?,
                last_error: r.opt_text("last_error")?.map(str::to_owned),
                next_attempt_at: r.opt_int("next_attempt_at")?,
                failed_at: r.opt_int("failed_at")?,
                failure: r.opt_text("failure")?.and_then(Failure::parse),
                expires_at: r.opt_int("expires_at")?,
            })
        })
        .collect()
}

/// The unsent messages among `ids` (the ones a request's transactions
/// committed), not claimed by anyone.
pub async fn pending<S: Store>(store: &S, ids: &[i64]) -> Result<Vec<OutboxMessage>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = vec!["?"; ids.len()].join(", ");
    let params: Vec<_> = ids.iter().map(|i| (*i).into()).collect();
    let rows = store
        .execute(
            &format!("SELECT {COLUMNS} FROM sms_outbox WHERE sent_at IS NULL AND failed_at IS NULL AND id IN ({marks}) ORDER BY id"),
            &params,
        )
        .await?;
    read(&rows)
}

/// Claims a message for one delivery try: the guarded update succeeds for
/// one caller only while the message is unsent, not given up and not
/// claimed by a live claim; the claim lasts [`CLAIM_SECS`]. `None`: someone
/// else has it, it needs no try, or its code has expired (never sent).
pub async fn claim<S: Store>(store: &S, now: Timestamp, id: i64) -> Result<Option<OutboxMessage>, StoreError> {
    let rows = store
        .execute(
            &format!(
                "UPDATE sms_outbox SET claimed_until = ?1
                  WHERE id = ?2 AND sent_at IS NULL AND failed_at IS NULL AND (claimed_until IS NULL OR claimed_until <= ?3)
                    AND (expires_at IS NULL OR expires_at > ?3)
                 RETURNING {COLUMNS}"
            ),
            &[(now.millis() + CLAIM_SECS * 1000).into(), id.into(), now.millis().into()],
        )
        .await?;
    Ok(read(&rows)?.pop())
}

/// Up to `limit` messages due for a retry at `now` (unsent, not given up,
/// unclaimed, `next_attempt_at` come), the longest waiting first.
pub async fn due<S: Store>(store: &S, now: Timestamp, limit: u32) -> Result<Vec<i64>, StoreError> {
    let rows = store
        .execute(
            "SELECT id FROM sms_outbox
              WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ?1 AND (claimed_until IS NULL OR claimed_until <= ?1)
              ORDER BY next_attempt_at, id LIMIT ?2",
            &[now.millis().into(), i64::from(limit).into()],
        )
        .await?;
    rows.iter().map(|r| r.int("id")).collect()
}

/// Gives up, at most `limit` at a time, the unsent messages whose code
/// has expired (unclaimed ones: a try under way finishes first): marked
/// `code_expired`, their code removed, kept for the console. Returns how
/// many.
pub async fn expire_codes<S: Store>(store: &S, now: Timestamp, limit: u32) -> Result<u64, StoreError> {
    let rows = store
        .execute(
            "UPDATE sms_outbox SET failed_at = ?1, failure = 'code_expired', params = json_remove(params, '$.code')
              WHERE id IN (SELECT id FROM sms_outbox
                            WHERE sent_at IS NULL AND failed_at IS NULL AND expires_at <= ?1
                              AND (claimed_until IS NULL OR claimed_until <= ?1)
                            ORDER BY id LIMIT ?2)
             RETURNING id",
            &[now.millis().into(), i64::from(limit).into()],
        )
        .await?;
    Ok(rows.len() as u64)
}

/// Gives up, at most `limit` at a time, the unsent, unclaimed messages
/// tried `max_attempts` times or more: marked `max_attempts`, kept for the
/// console with their last error. Returns how many.
pub async fn give_up<S: Store>(store: &S, now: Timestamp, max_attempts: u32, limit: u32) -> Result<u64, StoreError> {
    let rows = store
        .execute(
            "UPDATE sms_outbox SET failed_at = ?1, failure = 'max_attempts'
              WHERE id IN (SELECT id FROM sms_outbox
                            WHERE sent_at IS NULL AND failed_at IS NULL AND attempts >= ?2
                              AND (claimed_until IS NULL OR claimed_until <= ?1)
                            ORDER BY id LIMIT ?3)
             RETURNING id",
            &[now.millis().into(), i64::from(max_attempts.max(1)).into(), i64::from(limit).into()],
        )
        .await?;
    Ok(rows.len() as u64)
}

/// The messages given up, newest first (the console's failed-SMS list).
pub async fn failed<S: Store>(store: &S, limit: u32) -> Result<Vec<OutboxMessage>, StoreError> {
    let rows = store
        .execute(
            &format!("SELECT {COLUMNS} FROM sms_outbox WHERE failed_at IS NOT NULL AND sent_at IS NULL ORDER BY failed_at DESC, id DESC LIMIT ?"),
            &[i64::from(limit.clamp(1, 500)).into()],
        )
        .await?;
    read(&rows)
}

/// "Retry now" for a message given up: its attempts start again and it is
/// delivered after `tx` commits (queued on it). One whose code expired
/// cannot be retried (`sms.code_expired`, 409): a new code is needed; an
/// unknown or not given-up message is `sms.not_failed` (404).
pub async fn retry_now<D: Database>(tx: &Transaction<'_, D>, now: Timestamp, id: i64) -> Result<OutboxMessage, crate::error::AppError> {
    let rows = tx
        .execute(
            &format!(
                "UPDATE sms_outbox SET failed_at = NULL, failure = NULL, attempts = 0, next_attempt_at = ?1 + ?3, claimed_until = NULL
                  WHERE id = ?2 AND sent_at IS NULL AND failed_at IS NOT NULL AND (expires_at IS NULL OR expires_at > ?1)
                 RETURNING {COLUMNS}"
            ),
            &[now.millis().into(), id.into(), (FIRST_RETRY_SECS * 1000).into()],
        )
        .await?;
    if let Some(m) = read(&rows)?.pop() {
        tx.queue_message(m.id);
        return Ok(m);
    }
    let rows = tx.execute(&format!("SELECT {COLUMNS} FROM sms_outbox WHERE id = ?"), &[id.into()]).await?;
    match read(&rows)?.pop() {
        Some(m) if m.failed_at.is_some() && m.sent_at.is_none() => Err(crate::error::AppError::new(
            "sms.code_expired",
            409,
            "这条短信中的验证码已过期，不能再发送；请让用户重新获取验证码。",
            "The code in this message has expired, so it cannot be sent again; the user needs to ask for a new code.",
        )),
        _ => Err(crate::error::AppError::new(
            "sms.not_failed",
            404,
            "没有这条发送失败的短信。",
            "There is no such failed message.",
        )),
    }
}

/// The newest messages to one recipient (the development outbox view).
pub async fn messages_for<S: Store>(store: &S, to: &Mobile, limit: i64) -> Result<Vec<OutboxMessage>, StoreError> {
    let rows = store
        .execute(
            &format!("SELECT {COLUMNS} FROM sms_outbox WHERE recipient = ? ORDER BY id DESC LIMIT ?"),
            &[to.as_str().into(), limit.into()],
        )
        .await?;
    read(&rows)
}

pub async fn mark_sent<S: Store>(store: &S, clock: &dyn Clock, id: i64) -> Result<(), StoreError> {
    store
        .execute(
            // Once delivered, the store keeps no copy of a code.
            "UPDATE sms_outbox SET sent_at = ?, attempts = attempts + 1, last_error = NULL, claimed_until = NULL,
                    next_attempt_at = NULL, params = json_remove(params, '$.code') WHERE id = ?",
            &[clock.now().millis().into(), id.into()],
        )
        .await
        .map(drop)
}

/// Records a failed try: one more attempt, the error, the claim released
/// and the next try due after [`backoff_secs`].
pub async fn mark_failed<S: Store>(store: &S, clock: &dyn Clock, id: i64, error: &str) -> Result<(), StoreError> {
    let rows = store
        .execute(
            "UPDATE sms_outbox SET attempts = attempts + 1, last_error = ?, claimed_until = NULL WHERE id = ? RETURNING attempts",
            &[error.chars().take(500).collect::<String>().into(), id.into()],
        )
        .await?;
    if let Some(attempts) = rows.first().map(|r| r.int("attempts")).transpose()? {
        store
            .execute(
                "UPDATE sms_outbox SET next_attempt_at = ? WHERE id = ?",
                &[(clock.now().millis() + backoff_secs(attempts) * 1000).into(), id.into()],
            )
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{FixedClock, Timestamp};
    use crate::store::native::block_on;
    use crate::store::{Database, NativeStore, migrate};

    fn queue(store: &NativeStore, clock: &FixedClock, to: &Mobile, t: Template, params: Value) -> i64 {
        block_on(crate::store::in_transaction(store, async |tx| enqueue(tx, clock, to, t, params).await)).unwrap()
    }

    #[test]
    fn enqueue_deliver_and_failure_bookkeeping() {
        let store = NativeStore::in_memory().unwrap();
        let clock = FixedClock::at(Timestamp(5_000));
        block_on(migrate(&store, &clock)).unwrap();
        let to = Mobile::parse("+86 138-0013-8000").unwrap();
        let a = queue(&store, &clock, &to, Template::RegistrationCode, json!({"code": "123456"}));
        let b = queue(&store, &clock, &to, Template::PasswordChanged, json!({"login_name": "WPacme"}));
        assert_eq!(store.take_committed_messages(), vec![a, b], "queued on their transactions, due once committed");

        let mine = block_on(pending(&store, &[a])).unwrap();
        assert_eq!(mine.len(), 1);
        assert!(mine[0].text().contains("123456"));
        block_on(mark_sent(&store, &clock, a)).unwrap();
        block_on(mark_failed(&store, &clock, b, "gateway said 503")).unwrap();

        let left = block_on(pending(&store, &[a, b])).unwrap();
        assert_eq!(left.iter().map(|m| (m.id, m.attempts)).collect::<Vec<_>>(), vec![(b, 1)], "a sent message is no longer pending");

        let newest = block_on(messages_for(&store, &to, 10)).unwrap();
        assert_eq!(newest[0].id, b);
        assert_eq!(newest[1].sent_at, Some(5_000));
        assert!(newest[1].params.get("code").is_none(), "a delivered message keeps no code");

        // An undelivered code is scrubbed once no code can still be valid.
        let c = queue(&store, &clock, &to, Template::AppealCode, json!({"code": "777777"}));
        clock.advance_seconds(24 * 3600 + 1);
        queue(&store, &clock, &to, Template::PasswordChanged, json!({"login_name": "x"}));
        let old = block_on(pending(&store, &[c])).unwrap();
        assert!(old[0].params.get("code").is_none());
    }

    #[test]
    fn every_template_renders_its_parameters() {
        let p = json!({"code": "654321", "login_name": "WPx"});
        for t in [Template::RegistrationCode, Template::PasswordResetCode, Template::AppealCode] {
            assert!(t.render(&p).contains("654321"));
            assert_eq!(Template::parse(t.as_str()), Some(t));
        }
        assert!(Template::PasswordChanged.render(&p).contains("WPx"));
        let a = json!({"appeal_number": "SS1", "login_name": "WPx", "code": "123456", "reason": "印章不清晰"});
        assert!(Template::AppealApproved.render(&a).contains("123456"));
        assert!(Template::AppealRejected.render(&a).contains("印章不清晰"));
        for t in Template::ALL {
            assert_eq!(Template::parse(t.as_str()), Some(t));
        }
        assert!(Template::MobileChangeCode.render(&p).contains("654321"));
        let v = json!({"part": "自然人信息", "reason": "照片模糊", "login_name": "np1", "mobile_masked": "139****0001"});
        assert!(Template::VerificationPassed.render(&v).contains("自然人信息"));
        assert!(Template::VerificationRejected.render(&v).contains("照片模糊"));
        assert!(Template::ReservedMobileChanged.render(&v).contains("139****0001"));
        let e = json!({ "entry": "外国人来华工作许可办理业务入口", "reason": "单位简介不完整", "count": "3" });
        assert!(Template::OnboardingApproved.render(&e).contains("外国人来华工作许可办理业务入口"));
        assert!(Template::OnboardingRejected.render(&e).contains("单位简介不完整"));
        assert!(Template::LegacyDataLinked.render(&e).contains("3 条"));
        assert!(Template::LegacyDataRejected.render(&e).contains("单位简介不完整"));
    }
}
