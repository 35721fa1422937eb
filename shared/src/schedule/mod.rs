//! Flow 9: scheduled work. One async function, [`tick`], does every job
//! and returns what each did ([`TickReport`]); Spin's cron trigger starts it
//! in the `reminders` component every minute, and where there is no cron
//! trigger (SpinKube, hosted platforms) `POST /api/internal/schedule/tick`
//! does ([`authorized_tick`], behind the `scheduler_token`).
//!
//! Ticks are safe to run twice at once and safe to run late:
//!
//! - every job claims its rows with a guarded update (an SMS with a lease,
//!   [`crate::sms::claim`]; a reminder or an escalation with
//!   `reminded_at`/`escalated_at IS NULL`; a grant-expiry notice with
//!   `expiry_noticed_at IS NULL` and its expiry unchanged), so two
//!   overlapping ticks never send a message or notify about an item twice;
//! - every job works in bounded batches ([`SMS_BATCH`], [`REVIEW_BATCH`],
//!   [`grant_expiry::GRANT_EXPIRY_BATCH`], [`HOUSEKEEPING_BATCH`]): a tick
//!   after a long pause does one batch and leaves the rest to the next
//!   ticks (the report says `more`), so a gateway or a person's phone is
//!   never flooded.
//!
//! The jobs, in order: [`housekeeping`], [`reminders`], [`escalation`],
//! [`grant_expiry`], then the SMS: what this tick queued, then
//! [`sms_retries`].

pub mod escalation;
pub mod grant_expiry;
pub mod housekeeping;
pub mod reminders;
pub mod sms_retries;

#[cfg(test)]
mod tests;

use crate::clock::{FixedClock, Timestamp};
use crate::digest::constant_time_eq;
use crate::error::{AppError, AppResult};
use crate::settings::{self, Settings};
use crate::sms::Gateway;
use crate::store::{Database, Store, StoreError};
use serde::Serialize;
use serde_json::{Value, json};

/// At most this many SMS tries per tick (the outbox's backlog drains over
/// the next ticks).
pub const SMS_BATCH: u32 = 50;
/// At most this many items reminded, and as many escalated, per tick.
pub const REVIEW_BATCH: u32 = 50;
/// At most this many rows deleted per table per tick.
pub const HOUSEKEEPING_BATCH: u32 = 500;
/// Ticks are kept this long for the console.
pub const TICK_RETENTION_SECS: i64 = 7 * 86_400;

/// What started a tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// Spin's cron trigger (the `reminders` component).
    Cron,
    /// `POST /api/internal/schedule/tick`.
    Http,
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::Cron => "cron",
            Trigger::Http => "http",
        }
    }
}

/// What a tick's settings say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TickSettings {
    pub sms_max_attempts: u32,
    pub session_retention_secs: i64,
    pub sms_code_retention_secs: i64,
    pub rejected_upload_retention_secs: i64,
}

impl TickSettings {
    pub fn from_settings(s: &Settings) -> TickSettings {
        let days = |setting| i64::from(s.number(setting)) * 86_400;
        TickSettings {
            sms_max_attempts: s.number(&settings::SMS_MAX_ATTEMPTS).max(1),
            session_retention_secs: days(&settings::SESSION_RETENTION_DAYS),
            sms_code_retention_secs: days(&settings::SMS_CODE_RETENTION_DAYS),
            rejected_upload_retention_secs: days(&settings::REJECTED_UPLOAD_RETENTION_DAYS),
        }
    }
}

/// What one tick did, per job: every message sent or given up and every
/// row deleted is counted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TickReport {
    pub at: i64,
    pub housekeeping: housekeeping::Report,
    pub reminders: reminders::Report,
    pub escalations: reminders::Report,
    pub grant_expiry: grant_expiry::Report,
    pub sms: sms_retries::Report,
}

impl TickReport {
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// The earliest and latest clock a tick accepts (a clock outside is broken,
/// and a tick on it would expire or delete the wrong things).
const EARLIEST: Timestamp = Timestamp(1_577_836_800_000); // 2020-01-01T00:00:00Z
const LATEST: Timestamp = Timestamp(4_102_444_800_000); // 2100-01-01T00:00:00Z

/// How far a tick's clock may be behind the newest recorded tick (two
/// instances' clocks, a small correction) before it is refused.
pub const CLOCK_BACK_TOLERANCE_SECS: i64 = 300;

/// Refuses a tick whose clock is implausible (`schedule.clock_implausible`,
/// 400) or more than [`CLOCK_BACK_TOLERANCE_SECS`] earlier than the newest
/// recorded tick (`schedule.clock_behind`, 409: the clock went back; two
/// ticks at the same moment are fine).
async fn check_clock<S: Store>(store: &S, now: Timestamp) -> AppResult<()> {
    if now < EARLIEST || now >= LATEST {
        return Err(AppError::new(
            "schedule.clock_implausible",
            400,
            "计划任务的时钟不可信（早于 2020 年或晚于 2100 年），本次未执行任何任务。",
            "The scheduled work's clock is implausible (before 2020 or after 2100); nothing was done.",
        )
        .with_details(json!({ "now": now.millis() })));
    }
    if let Some(last) = newest_tick_start(store).await?
        && now.millis() < last - CLOCK_BACK_TOLERANCE_SECS * 1000
    {
        return Err(AppError::new(
            "schedule.clock_behind",
            409,
            "计划任务的时钟早于上一次执行的时间（时钟回拨），本次未执行任何任务。",
            "The scheduled work's clock is earlier than the last tick's (the clock went back); nothing was done.",
        )
        .with_details(json!({ "now": now.millis(), "last_tick_at": last })));
    }
    Ok(())
}

async fn newest_tick_start<S: Store>(store: &S) -> Result<Option<i64>, StoreError> {
    let rows = store.execute("SELECT MAX(started_at) AS at FROM schedule_ticks", &[]).await?;
    rows.first().map(|r| r.opt_int("at")).transpose().map(Option::flatten)
}

/// Runs every job once at `now` and records the tick. `gateway`: where SMS
/// go (`None`: none configured; messages stay in the outbox, codes still
/// expire). See the module's documentation for the rules.
pub async fn tick<D: Database>(
    db: &D,
    now: Timestamp,
    settings: &TickSettings,
    gateway: Option<&impl Gateway>,
    trigger: Trigger,
) -> AppResult<TickReport> {
    check_clock(db, now).await?;
    let clock = FixedClock::at(now);
    let mut report = TickReport { at: now.millis(), ..TickReport::default() };
    report.housekeeping = housekeeping::run(db, now, settings).await?;
    report.reminders = reminders::run(db, &clock).await?;
    report.escalations = escalation::run(db, &clock).await?;
    report.grant_expiry = grant_expiry::run(db, &clock).await?;
    report.sms = sms_retries::run(db, &clock, settings, gateway).await?;
    db.execute(
        "INSERT INTO schedule_ticks (started_at, finished_at, trigger, report) VALUES (?, ?, ?, ?)",
        &[now.millis().into(), now.millis().into(), trigger.as_str().into(), report.to_json().to_string().into()],
    )
    .await?;
    Ok(report)
}

/// The tick as the HTTP route runs it: `Authorization: Bearer
/// <scheduler_token>` against the setting (empty: the route does not
/// exist, 404); a missing or wrong token is `schedule.unauthorized` (401,
/// audited, nothing done).
pub async fn authorized_tick<D: Database>(
    db: &D,
    now: Timestamp,
    settings: &Settings,
    gateway: Option<&impl Gateway>,
    authorization: Option<&str>,
    client: &str,
) -> AppResult<TickReport> {
    let expected = settings.text(&settings::SCHEDULER_TOKEN).ok_or_else(AppError::not_found)?;
    let given = authorization.and_then(|h| h.strip_prefix("Bearer ")).unwrap_or("");
    if !constant_time_eq(given.trim(), expected) {
        crate::audit::record(
            db,
            &FixedClock::at(now),
            &crate::audit::Actor::Client(client.to_owned()),
            "schedule.tick_refused",
            None,
            json!({}),
        )
        .await?;
        return Err(AppError::new(
            "schedule.unauthorized",
            401,
            "触发计划任务需要有效的调度令牌。",
            "Running the scheduled work needs a valid scheduler token.",
        )
        .with_header("www-authenticate", "Bearer"));
    }
    tick(db, now, &TickSettings::from_settings(settings), gateway, Trigger::Http).await
}

/// The newest ticks, newest first (the console: when each job last ran and
/// what it did), at most `limit`.
pub async fn recent_ticks<S: Store>(store: &S, limit: u32) -> Result<Vec<Value>, StoreError> {
    let rows = store
        .execute(
            "SELECT id, started_at, finished_at, trigger, report FROM schedule_ticks ORDER BY started_at DESC, id DESC LIMIT ?",
            &[i64::from(limit.clamp(1, 100)).into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(json!({
                "id": r.int("id")?,
                "started_at": r.int("started_at")?,
                "finished_at": r.int("finished_at")?,
                "trigger": r.text("trigger")?,
                "report": serde_json::from_str::<Value>(r.text("report")?).unwrap_or(Value::Null),
            }))
        })
        .collect()
}
