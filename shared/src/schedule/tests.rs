//! The scheduled work, natively: every job, the overlap rule, the
//! catch-up bound and the clock checks.

use super::*;
use crate::account::AccountKind;
use crate::clock::{Clock, FixedClock};
use crate::grants::{Change, NewGrant, Role as GrantRole};
use crate::identity::{CivilDate, Mobile};
use crate::ids::{AccountId, AppealId, GrantId, ReviewItemId};
use crate::random::SeqRandom;
use crate::review::reviewer::{self, NewReviewer, Role};
use crate::review::{ReviewKind, Subject};
use crate::sms::{OutboxMessage, Template};
use crate::store::native::block_on;
use crate::store::{NativeStore, in_transaction};
use crate::test_support::{self, FileDatabase, TestAccount};
use crate::workday::start_of_day_china;
use serde_json::json;
use std::collections::VecDeque;
use std::sync::Mutex;

/// A gateway that records what it was sent and answers as told: the
/// queued answers first, then `default`.
struct FakeGateway {
    sent: Mutex<Vec<i64>>,
    answers: Mutex<VecDeque<Result<(), String>>>,
    down: Mutex<bool>,
}

impl FakeGateway {
    fn up() -> FakeGateway {
        FakeGateway { sent: Mutex::new(Vec::new()), answers: Mutex::new(VecDeque::new()), down: Mutex::new(false) }
    }

    fn down() -> FakeGateway {
        let g = FakeGateway::up();
        g.set_down(true);
        g
    }

    fn set_down(&self, down: bool) {
        *self.down.lock().unwrap() = down;
    }

    fn sent(&self) -> Vec<i64> {
        self.sent.lock().unwrap().clone()
    }
}

impl Gateway for FakeGateway {
    async fn send(&self, m: &OutboxMessage) -> Result<(), String> {
        let answer = self.answers.lock().unwrap().pop_front();
        let answer = answer.unwrap_or_else(|| if *self.down.lock().unwrap() { Err("gateway answered 500".into()) } else { Ok(()) });
        if answer.is_ok() {
            self.sent.lock().unwrap().push(m.id);
        }
        answer
    }
}

/// 10:00 Beijing time on a date of March 2026 (the 13th is a Friday).
fn march(day: u8, hour: i64) -> Timestamp {
    Timestamp(start_of_day_china(CivilDate::new(2026, 3, day).unwrap()).millis() + hour * 3_600_000)
}

fn settings() -> TickSettings {
    TickSettings::from_settings(&Settings::default())
}

fn run(db: &NativeStore, now: Timestamp, gateway: &FakeGateway) -> TickReport {
    block_on(tick(db, now, &settings(), Some(gateway), Trigger::Cron)).unwrap()
}

fn queue_sms(db: &NativeStore, clock: &dyn Clock, template: Template, params: serde_json::Value) -> i64 {
    let to = Mobile::parse("13800138000").unwrap();
    block_on(in_transaction(db, async |tx| crate::sms::enqueue(tx, clock, &to, template, params).await)).unwrap()
}

/// The request's own delivery right after the commit (what the glue does).
fn deliver_now(db: &NativeStore, clock: &dyn Clock, gateway: &FakeGateway) {
    let ids = db.take_committed_messages();
    block_on(crate::sms::deliver(db, clock, gateway, &ids, "test"));
}

fn message(db: &NativeStore, id: i64) -> OutboxMessage {
    let to = Mobile::parse("13800138000").unwrap();
    block_on(crate::sms::messages_for(db, &to, 1000)).unwrap().into_iter().find(|m| m.id == id).unwrap()
}

fn count(db: &NativeStore, sql: &str) -> i64 {
    block_on(test_support::count(db, sql, &[])).unwrap()
}

#[test]
fn retries_wait_one_minute_then_double_up_to_an_hour() {
    let waits: Vec<i64> = (1..=9).map(crate::sms::backoff_secs).collect();
    assert_eq!(waits, vec![60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
    assert_eq!(crate::sms::backoff_secs(0), 60);
    assert_eq!(crate::sms::backoff_secs(1000), 3600);
}

#[test]
fn a_gateway_down_for_an_hour_loses_nothing_and_sends_once() {
    let db = test_support::store();
    let clock = FixedClock::at(march(10, 10));
    let gateway = FakeGateway::down();
    let id = queue_sms(&db, &clock, Template::PasswordChanged, json!({ "login_name": "WPacme" }));
    deliver_now(&db, &clock, &gateway);
    let m = message(&db, id);
    assert_eq!((m.attempts, m.sent_at, m.next_attempt_at), (1, None, Some(march(10, 10).plus_seconds(60).millis())));
    assert_eq!(m.last_error.as_deref(), Some("gateway answered 500"));

    // 30 s later nothing is due yet; then a tick every minute for an hour.
    let r = run(&db, clock.now().plus_seconds(30), &gateway);
    assert_eq!((r.sms.sent, r.sms.failed), (0, 0));
    let mut tries = Vec::new();
    for minute in 1..=60 {
        let r = run(&db, clock.now().plus_seconds(minute * 60), &gateway);
        if r.sms.failed > 0 {
            tries.push(minute);
        }
    }
    assert_eq!(tries, vec![1, 3, 7, 15, 31], "1 min, then doubling");
    let m = message(&db, id);
    assert_eq!((m.attempts, m.sent_at, m.failed_at), (6, None, None), "still waiting, not given up");
    assert_eq!(m.next_attempt_at, Some(clock.now().plus_seconds(31 * 60 + 1920).millis()));

    gateway.set_down(false);
    let r = run(&db, clock.now().plus_seconds(63 * 60), &gateway);
    assert_eq!(r.sms.sent, 1);
    assert_eq!(gateway.sent(), vec![id]);
    for minute in 64..70 {
        assert_eq!(run(&db, clock.now().plus_seconds(minute * 60), &gateway).sms.sent, 0, "a sent message is never sent again");
    }
    assert_eq!(message(&db, id).sent_at, Some(clock.now().plus_seconds(63 * 60).millis()));
}

#[test]
fn after_the_maximum_attempts_a_message_is_failed_kept_listed_and_can_be_retried() {
    let db = test_support::store();
    let clock = FixedClock::at(march(10, 10));
    let gateway = FakeGateway::down();
    let max = TickSettings { sms_max_attempts: 3, ..settings() };
    let id = queue_sms(&db, &clock, Template::AppealRejected, json!({ "appeal_number": "SS1", "reason": "不清晰" }));
    deliver_now(&db, &clock, &gateway);
    let mut given_up_at = None;
    for minute in 1..=10 {
        let r = block_on(tick(&db, clock.now().plus_seconds(minute * 60), &max, Some(&gateway), Trigger::Cron)).unwrap();
        if r.sms.gave_up == 1 {
            given_up_at = Some(minute);
        }
    }
    assert_eq!(given_up_at, Some(4), "tried at 0, 1 and 3 minutes, given up at the next tick");
    let m = message(&db, id);
    assert_eq!((m.attempts, m.failure), (3, Some(crate::sms::Failure::MaxAttempts)));
    assert_eq!(m.last_error.as_deref(), Some("gateway answered 500"));
    let failed = block_on(crate::sms::failed(&db, 10)).unwrap();
    assert_eq!(failed.iter().map(|m| m.id).collect::<Vec<_>>(), vec![id]);
    assert_eq!(failed[0].to_json()["failure"], "max_attempts");

    // "Retry now": delivered right after the commit.
    gateway.set_down(false);
    clock.advance_seconds(3600);
    let again = block_on(in_transaction(&db, async |tx| crate::sms::retry_now(tx, clock.now(), id).await)).unwrap();
    assert_eq!((again.attempts, again.failed_at), (0, None));
    deliver_now(&db, &clock, &gateway);
    assert_eq!(gateway.sent(), vec![id]);
    assert!(block_on(crate::sms::failed(&db, 10)).unwrap().is_empty());
    let e = block_on(in_transaction(&db, async |tx| crate::sms::retry_now(tx, clock.now(), id).await)).unwrap_err();
    assert_eq!((e.code, e.status), ("sms.not_failed", 404));
}

#[test]
fn a_message_whose_code_expired_is_not_sent_and_says_so() {
    let db = test_support::store();
    let clock = FixedClock::at(march(10, 10));
    let gateway = FakeGateway::down();
    let id = queue_sms(&db, &clock, Template::RegistrationCode, json!({ "code": "123456" }));
    let other = queue_sms(&db, &clock, Template::AppealApproved, json!({ "code": "654321", "login_name": "WPx", "appeal_number": "SS1" }));
    deliver_now(&db, &clock, &gateway);
    gateway.set_down(false);
    // Eleven minutes later the registration code (10 min) expired; the set-password code (24 h) did not.
    let r = run(&db, clock.now().plus_seconds(11 * 60), &gateway);
    assert_eq!((r.sms.code_expired, r.sms.sent), (1, 1));
    assert_eq!(gateway.sent(), vec![other]);
    let m = message(&db, id);
    assert_eq!((m.failure, m.sent_at), (Some(crate::sms::Failure::CodeExpired), None));
    assert!(m.params.get("code").is_none(), "the expired code is not kept");
    assert_eq!(m.to_json()["failure_label_en"], "its code expired: not sent");
    // Claiming it directly is refused too, and it cannot be retried.
    assert!(block_on(crate::sms::claim(&db, clock.now().plus_seconds(11 * 60), id)).unwrap().is_none());
    let e = block_on(in_transaction(&db, async |tx| crate::sms::retry_now(tx, clock.now().plus_seconds(660), id).await)).unwrap_err();
    assert_eq!((e.code, e.status), ("sms.code_expired", 409));
}

#[test]
fn without_a_gateway_messages_wait_and_codes_still_expire() {
    let db = test_support::store();
    let clock = FixedClock::at(march(10, 10));
    queue_sms(&db, &clock, Template::PasswordChanged, json!({ "login_name": "x" }));
    queue_sms(&db, &clock, Template::RegistrationCode, json!({ "code": "1" }));
    let _ = db.take_committed_messages();
    let r = block_on(tick(&db, clock.now().plus_seconds(700), &settings(), None::<&FakeGateway>, Trigger::Http)).unwrap();
    assert_eq!((r.sms.waiting_for_gateway, r.sms.code_expired, r.sms.sent), (1, 1, 0));
}

struct Queue {
    db: NativeStore,
    lead_mobile: Mobile,
    reviewer_mobile: Mobile,
}

/// A lead (bootstrap, with a mobile), a reviewer with a mobile, one
/// without, and a disabled one with a mobile.
fn queue_with_reviewers(clock: &FixedClock) -> Queue {
    let db = test_support::store();
    let random = SeqRandom::new(3);
    let new = |name, mobile, role| NewReviewer { login_name: name, password: "a long reviewer passphrase 7", mobile, role };
    let lead = test_support::create_reviewer_with(&db, clock, &random, new("chief", None, Role::Lead));
    let lead = block_on(lead).unwrap();
    block_on(db.execute("UPDATE reviewers SET mobile = '13900000009' WHERE id = ?", &[lead.into()])).unwrap();
    block_on(test_support::create_reviewer_with(&db, clock, &random, new("anna", Some("13900000001"), Role::Reviewer))).unwrap();
    block_on(test_support::create_reviewer_with(&db, clock, &random, new("bobby", None, Role::Reviewer))).unwrap();
    let gone = block_on(test_support::create_reviewer_with(&db, clock, &random, new("cyrus", Some("13900000003"), Role::Reviewer))).unwrap();
    let chief = block_on(reviewer::find_by_id(&db, lead)).unwrap().unwrap();
    block_on(reviewer::disable(&db, clock, &chief, gone)).unwrap();
    Queue { db, lead_mobile: Mobile::parse("13900000009").unwrap(), reviewer_mobile: Mobile::parse("13900000001").unwrap() }
}

fn submit(db: &NativeStore, clock: &dyn Clock, n: i64) -> ReviewItemId {
    block_on(in_transaction(db, async |tx| crate::review::submit(tx, clock, ReviewKind::AppealNaturalPerson, Subject::Appeal(AppealId(n))).await))
        .unwrap()
        .id
}

fn item(db: &NativeStore, id: ReviewItemId) -> crate::review::ReviewItem {
    block_on(crate::review::get(db, id)).unwrap().unwrap()
}

fn templates_to(db: &NativeStore, to: &Mobile) -> Vec<String> {
    block_on(crate::sms::messages_for(db, to, 100)).unwrap().into_iter().map(|m| m.template).collect()
}

#[test]
fn a_friday_item_is_due_monday_reminded_on_tuesday_and_escalated_on_wednesday() {
    let clock = FixedClock::at(march(13, 10));
    let q = queue_with_reviewers(&clock);
    let gateway = FakeGateway::up();
    let id = submit(&q.db, &clock, 1);
    assert_eq!(item(&q.db, id).due_at, march(16, 10), "due Monday 10:00");

    let r = run(&q.db, march(16, 9), &gateway);
    assert_eq!((r.reminders.items, r.escalations.items), (0, 0), "not overdue yet");
    let r = run(&q.db, march(17, 9), &gateway);
    assert_eq!((r.reminders.items, r.reminders.sms_queued, r.escalations.items), (1, 2, 0), "Tuesday: reminded");
    assert_eq!(r.sms.sent, 2, "the reminders go out in the same tick");
    assert_eq!(item(&q.db, id).reminded_at, Some(march(17, 9)));
    assert_eq!(templates_to(&q.db, &q.reviewer_mobile), vec!["review_reminder"]);
    assert!(templates_to(&q.db, &Mobile::parse("13900000003").unwrap()).is_empty(), "a disabled reviewer gets nothing");
    let r = run(&q.db, march(17, 11), &gateway);
    assert_eq!(r.reminders.items, 0, "once per item");

    let r = run(&q.db, march(18, 9), &gateway);
    assert_eq!(r.escalations.items, 0, "Wednesday 09:00 is not yet two working days past Monday 10:00");
    let r = run(&q.db, march(18, 11), &gateway);
    assert_eq!((r.escalations.items, r.escalations.sms_queued), (1, 1), "Wednesday 11:00: escalated to the lead");
    assert_eq!(templates_to(&q.db, &q.lead_mobile), vec!["review_escalation", "review_reminder"]);
    assert_eq!(templates_to(&q.db, &q.reviewer_mobile), vec!["review_reminder"], "escalations go to leads only");
    assert_eq!(run(&q.db, march(19, 11), &gateway).escalations.items, 0, "once per item");

    let lead_sees = block_on(crate::review::notifications::recent(&q.db, true, 10)).unwrap();
    assert_eq!(lead_sees.iter().map(|n| n["kind"].as_str().unwrap()).collect::<Vec<_>>(), vec!["escalation", "reminder"]);
    let reviewer_sees = block_on(crate::review::notifications::recent(&q.db, false, 10)).unwrap();
    assert_eq!(reviewer_sees.len(), 1);
    let audit = count(&q.db, "SELECT COUNT(*) FROM audit_log WHERE action IN ('review.reminded', 'review.escalated')");
    assert_eq!(audit, 2);
}

#[test]
fn a_decided_item_is_neither_reminded_nor_escalated() {
    let clock = FixedClock::at(march(13, 10));
    let q = queue_with_reviewers(&clock);
    let id = submit(&q.db, &clock, 1);
    block_on(q.db.execute("UPDATE review_items SET state = 'rejected', decided_at = ? WHERE id = ?", &[march(13, 11).millis().into(), id.into()]))
        .unwrap();
    let r = run(&q.db, march(20, 10), &FakeGateway::up());
    assert_eq!((r.reminders.items, r.escalations.items), (0, 0));
}

#[test]
fn two_ticks_at_once_send_each_message_and_notify_each_item_once() {
    let file = FileDatabase::new("schedule-overlap");
    let clock = FixedClock::at(march(10, 10));
    let db = file.open();
    let random = SeqRandom::new(3);
    let new = |name, mobile| NewReviewer { login_name: name, password: "a long reviewer passphrase 7", mobile, role: Role::Reviewer };
    block_on(test_support::create_reviewer_with(&db, &clock, &random, new("chief", None))).unwrap();
    block_on(test_support::create_reviewer_with(&db, &clock, &random, new("anna", Some("13900000001")))).unwrap();
    for n in 0..20 {
        submit(&db, &clock, n);
    }
    let down = FakeGateway::down();
    for n in 0..30 {
        queue_sms(&db, &clock, Template::PasswordChanged, json!({ "login_name": format!("n{n}") }));
    }
    deliver_now(&db, &clock, &down);
    let later = march(12, 10);
    let gateways: Vec<FakeGateway> = (0..4).map(|_| FakeGateway::up()).collect();
    std::thread::scope(|s| {
        for g in &gateways {
            let file = &file;
            s.spawn(move || {
                let db = file.open();
                block_on(tick(&db, later, &settings(), Some(g), Trigger::Cron)).unwrap()
            });
        }
    });
    let mut all: Vec<i64> = gateways.iter().flat_map(FakeGateway::sent).collect();
    let n = all.len();
    all.sort();
    all.dedup();
    assert_eq!(n, all.len(), "no message sent twice");
    assert_eq!(n, 30 + 20, "every message sent: the backlog and one reminder per item to ann");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM reviewer_notifications WHERE kind = 'reminder'"), 20);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM sms_outbox WHERE template = 'review_reminder'"), 20);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM schedule_ticks"), 4);
}

#[test]
fn a_tick_after_a_long_pause_catches_up_in_bounded_batches() {
    let clock = FixedClock::at(march(2, 10));
    let q = queue_with_reviewers(&clock);
    let total = REVIEW_BATCH as i64 * 2 + 10;
    for n in 0..total {
        submit(&q.db, &clock, n);
    }
    let down = FakeGateway::down();
    for n in 0..(SMS_BATCH as i64 * 2) {
        queue_sms(&q.db, &clock, Template::PasswordChanged, json!({ "login_name": format!("n{n}") }));
    }
    deliver_now(&q.db, &clock, &down);
    let gateway = FakeGateway::up();
    // A month later: each tick does one batch per job.
    let r = run(&q.db, march(30, 10), &gateway);
    assert_eq!((r.reminders.items, r.reminders.more), (u64::from(REVIEW_BATCH), true));
    assert_eq!(r.escalations.items, u64::from(REVIEW_BATCH));
    assert_eq!(gateway.sent().len() as u32, SMS_BATCH, "at most one batch of SMS per tick");
    assert!(r.sms.more);
    let mut ticks = 1;
    while count(&q.db, "SELECT COUNT(*) FROM sms_outbox WHERE sent_at IS NULL") > 0 {
        let r = run(&q.db, march(30, 10).plus_seconds(ticks * 60), &gateway);
        assert!(r.sms.sent <= u64::from(SMS_BATCH));
        ticks += 1;
        assert!(ticks < 20, "the backlog drains");
    }
    assert_eq!(count(&q.db, "SELECT COUNT(*) FROM review_items WHERE reminded_at IS NULL OR escalated_at IS NULL"), 0);
    let sent = gateway.sent();
    let mut unique = sent.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(sent.len(), unique.len());
}

#[test]
fn housekeeping_deletes_what_outlived_its_retention_and_counts_it() {
    let db = test_support::store();
    let clock = FixedClock::at(march(1, 10));
    let random = SeqRandom::new(9);
    let account = block_on(test_support::create_account(&db, crate::account::AccountKind::NaturalPerson, &crate::identity::LoginName::parse("np01").unwrap(), clock.now())).unwrap();
    let (ended, _) = block_on(crate::auth::session::ACCOUNT_SESSIONS.start(&db, &clock, &random, account.get())).unwrap();
    let reviewer_id = block_on(test_support::create_reviewer(&db, &clock, &random, "chief", "a long reviewer passphrase 7")).unwrap();
    block_on(crate::review::reviewer::REVIEWER_SESSIONS.start(&db, &clock, &random, reviewer_id.get())).unwrap();
    block_on(test_support::issue_code(&db, &clock, &random, crate::sms::Purpose::Registration, "13800138000")).unwrap();
    block_on(crate::rate_limit::hit(&db, &clock, crate::rate_limit::Limit { bucket: "t", max: 5, window_secs: 60 }, "c")).unwrap();
    // A rejected appeal's scan, and an open one's.
    let rejected = submit(&db, &clock, 1);
    submit(&db, &clock, 2);
    for owner in ["appeal:1", "appeal:2"] {
        block_on(db.execute(
            "INSERT INTO uploads (owner, purpose, label, content_type, size, sha256, data, created_at) VALUES (?, 'id_front', 'x', 'image/png', 3, 'h', X'010203', 0)",
            &[owner.into()],
        ))
        .unwrap();
    }
    block_on(db.execute("UPDATE review_items SET state = 'rejected', decided_at = ? WHERE id = ?", &[clock.now().millis().into(), rejected.into()])).unwrap();

    let gateway = FakeGateway::up();
    let soon = run(&db, march(2, 10), &gateway);
    assert_eq!(soon.housekeeping.rate_limit_hits, 1, "a day later the window is over");
    assert_eq!((soon.housekeeping.sessions, soon.housekeeping.sms_codes, soon.housekeeping.upload_bytes), (0, 0, 0), "still within retention");
    let later = run(&db, clock.now().plus_seconds(31 * 86_400), &gateway);
    assert_eq!(later.housekeeping.sessions, 1);
    assert_eq!(later.housekeeping.reviewer_sessions, 1);
    assert_eq!(later.housekeeping.sms_codes, 1);
    assert_eq!(later.housekeeping.upload_bytes, 0, "rejected uploads are kept 90 days");
    let much_later = run(&db, clock.now().plus_seconds(91 * 86_400), &gateway);
    assert_eq!(much_later.housekeeping.upload_bytes, 1, "only the rejected submission's");
    assert_eq!((later.housekeeping.ticks, much_later.housekeeping.ticks), (1, 1), "ticks older than a week");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM uploads WHERE purged_at IS NOT NULL AND length(data) = 0 AND sha256 = 'h'"), 1, "the record stays");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM uploads WHERE owner = 'appeal:2' AND length(data) = 3"), 1);
    let left = block_on(test_support::count(&db, "SELECT COUNT(*) FROM sessions WHERE token_hash = ?", &[ended.token_hash.as_str().into()]));
    assert_eq!(left.unwrap(), 0);
}

#[test]
fn a_tick_refuses_an_implausible_or_backward_clock_and_allows_the_same_moment() {
    let db = test_support::store();
    let gateway = FakeGateway::up();
    let e = block_on(tick(&db, Timestamp(0), &settings(), Some(&gateway), Trigger::Cron)).unwrap_err();
    assert_eq!((e.code, e.status), ("schedule.clock_implausible", 400));
    let e = block_on(tick(&db, Timestamp(5_000_000_000_000), &settings(), Some(&gateway), Trigger::Cron)).unwrap_err();
    assert_eq!(e.code, "schedule.clock_implausible");
    run(&db, march(10, 10), &gateway);
    run(&db, march(10, 10), &gateway);
    run(&db, march(10, 10).plus_seconds(-CLOCK_BACK_TOLERANCE_SECS), &gateway);
    let e = block_on(tick(&db, march(10, 9), &settings(), Some(&gateway), Trigger::Cron)).unwrap_err();
    assert_eq!((e.code, e.status), ("schedule.clock_behind", 409));
    assert_eq!(e.details.unwrap()["last_tick_at"], march(10, 10).millis());
    assert_eq!(count(&db, "SELECT COUNT(*) FROM schedule_ticks"), 3, "a refused tick is not recorded");
    let ticks = block_on(recent_ticks(&db, 10)).unwrap();
    assert_eq!(ticks.len(), 3);
    assert_eq!(ticks[0]["trigger"], "cron");
    assert_eq!(ticks[0]["report"]["at"], march(10, 10).millis());
}

#[test]
fn the_http_route_needs_the_scheduler_token() {
    let db = test_support::store();
    let gateway = FakeGateway::up();
    let now = march(10, 10);
    let call = |s: &Settings, auth: Option<&str>| block_on(authorized_tick(&db, now, s, Some(&gateway), auth, "10.0.0.1"));
    let e = call(&Settings::default(), Some("Bearer anything")).unwrap_err();
    assert_eq!(e.status, 404, "no token configured: the route does not exist");
    let s = Settings::default().with(&settings::SCHEDULER_TOKEN, "s3cret-token");
    for wrong in [None, Some("Bearer nope"), Some("s3cret-token"), Some("Bearer ")] {
        let e = call(&s, wrong).unwrap_err();
        assert_eq!((e.code, e.status), ("schedule.unauthorized", 401), "{wrong:?}");
    }
    assert_eq!(count(&db, "SELECT COUNT(*) FROM audit_log WHERE action = 'schedule.tick_refused'"), 4);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM schedule_ticks"), 0);
    let r = call(&s, Some("Bearer s3cret-token")).unwrap();
    assert_eq!(r.at, now.millis());
    assert_eq!(block_on(recent_ticks(&db, 1)).unwrap()[0]["trigger"], "http");
}

/// An organization and natural persons, one per mobile (`None`: without a
/// reserved mobile), each with a grant expiring at the given instant
/// (`None`: no expiry). The grants' ids, in order.
fn grants_expiring(db: &NativeStore, clock: &dyn Clock, persons: &[(Option<&str>, Option<Timestamp>)]) -> (AccountId, Vec<GrantId>) {
    let org = block_on(TestAccount::legal_entity("expiryorg", "到期测试有限公司", "91350100M000100Y43").create(db, clock)).unwrap();
    let mut ids = Vec::new();
    for (n, (mobile, expires_at)) in persons.iter().enumerate() {
        let mut person = TestAccount::bare(AccountKind::NaturalPerson, &format!("person{n}"));
        if let Some(m) = mobile {
            person = person.mobile(m);
        }
        let person = block_on(person.create(db, clock)).unwrap();
        let new = NewGrant {
            organization: org,
            person,
            roles: &[GrantRole::Business, GrantRole::GrantAdmin],
            granted_by: Some(org),
            effective_from: None,
            expires_at: *expires_at,
        };
        ids.push(block_on(in_transaction(db, async |tx| crate::grants::create(tx, &new, clock.now()).await)).unwrap());
    }
    (org, ids)
}

fn noticed(db: &NativeStore, id: GrantId) -> Option<Timestamp> {
    block_on(crate::grants::find(db, id)).unwrap().unwrap().expiry_noticed_at
}

#[test]
fn grants_expiring_within_seven_days_are_noticed_once_with_an_sms_to_persons_with_a_mobile() {
    let now = march(10, 10);
    let clock = FixedClock::at(now);
    let db = test_support::store();
    let window = grant_expiry::NOTICE_WINDOW_SECS;
    let three_days = start_of_day_china(CivilDate::new(2026, 3, 13).unwrap());
    let (_, ids) = grants_expiring(
        &db,
        &clock,
        &[
            (Some("13700000001"), Some(three_days)),
            (None, Some(now.plus_seconds(window))),
            (Some("13700000003"), Some(Timestamp(now.plus_seconds(window).millis() + 1))),
            (Some("13700000004"), Some(now)),
            (Some("13700000005"), Some(Timestamp(now.millis() - 86_400_000))),
            (Some("13700000006"), None),
        ],
    );
    let gateway = FakeGateway::up();
    let r = run(&db, now, &gateway);
    assert_eq!(r.grant_expiry, grant_expiry::Report { grants: 2, sms_queued: 1, no_mobile: 1, more: false });
    assert_eq!(r.sms.sent, 1, "the notice goes out in the same tick");
    assert_eq!(noticed(&db, ids[0]), Some(now), "within 7 days");
    assert_eq!(noticed(&db, ids[1]), Some(now), "exactly 7 days ahead: noticed, though without a mobile");
    assert_eq!(noticed(&db, ids[2]), None, "a millisecond beyond 7 days: not yet");
    assert_eq!((noticed(&db, ids[3]), noticed(&db, ids[4])), (None, None), "expired: no notice");
    assert_eq!(noticed(&db, ids[5]), None, "no expiry: no notice");
    let sms = block_on(crate::sms::messages_for(&db, &Mobile::parse("13700000001").unwrap(), 10)).unwrap();
    assert_eq!(sms.len(), 1);
    assert_eq!(sms[0].template, "grant_expiring");
    let text = Template::GrantExpiring.render(&sms[0].params);
    for part in ["到期测试有限公司", "办理业务、授权管理员", "2026-03-12"] {
        assert!(text.contains(part), "{text} names {part}");
    }
    for m in ["13700000003", "13700000004", "13700000005", "13700000006"] {
        assert!(templates_to(&db, &Mobile::parse(m).unwrap()).is_empty(), "{m} gets nothing");
    }
    assert_eq!(count(&db, "SELECT COUNT(*) FROM audit_log WHERE action = 'grants.expiry_noticed'"), 2);

    let r = run(&db, now, &gateway);
    assert_eq!(r.grant_expiry, grant_expiry::Report::default(), "once per grant and expiry date");
    let r = run(&db, now.plus_seconds(3_600), &gateway);
    assert_eq!(r.grant_expiry.grants, 1, "an hour later, the grant that was 7 days and 1 ms ahead");
}

#[test]
fn a_changed_expiry_is_noticed_again_and_an_unchanged_one_is_not() {
    let now = march(10, 10);
    let clock = FixedClock::at(now);
    let db = test_support::store();
    let (org, ids) = grants_expiring(&db, &clock, &[(Some("13700000001"), Some(now.plus_seconds(2 * 86_400)))]);
    let gateway = FakeGateway::up();
    assert_eq!(run(&db, now, &gateway).grant_expiry.grants, 1);
    let change = |expires_at: Timestamp| {
        let g = block_on(crate::grants::find(&db, ids[0])).unwrap().unwrap();
        let change = Change { roles: &g.roles, effective_from: None, expires_at: Some(expires_at), by: Some(org) };
        block_on(in_transaction(&db, async |tx| crate::grants::update(tx, g.id, g.version, &change, now).await)).unwrap().unwrap();
    };
    change(now.plus_seconds(2 * 86_400));
    assert_eq!(noticed(&db, ids[0]), Some(now), "the same expiry keeps its notice");
    assert_eq!(run(&db, now.plus_seconds(60), &gateway).grant_expiry.grants, 0);
    change(now.plus_seconds(5 * 86_400));
    assert_eq!(noticed(&db, ids[0]), None, "a new expiry clears the notice");
    let r = run(&db, now.plus_seconds(120), &gateway);
    assert_eq!((r.grant_expiry.grants, r.grant_expiry.sms_queued), (1, 1), "and is noticed again");
    assert_eq!(templates_to(&db, &Mobile::parse("13700000001").unwrap()), vec!["grant_expiring", "grant_expiring"]);
}

#[test]
fn two_ticks_at_once_notice_each_expiring_grant_once() {
    let file = FileDatabase::new("schedule-grant-expiry-overlap");
    let now = march(10, 10);
    let clock = FixedClock::at(now);
    let db = file.open();
    let mobiles: Vec<String> = (0..20).map(|n| format!("137000001{n:02}")).collect();
    let persons: Vec<_> = mobiles.iter().map(|m| (Some(m.as_str()), Some(now.plus_seconds(86_400)))).collect();
    grants_expiring(&db, &clock, &persons);
    let gateways: Vec<FakeGateway> = (0..4).map(|_| FakeGateway::up()).collect();
    let reports: Vec<TickReport> = std::thread::scope(|s| {
        let handles: Vec<_> = gateways
            .iter()
            .map(|g| {
                let file = &file;
                s.spawn(move || block_on(tick(&file.open(), now, &settings(), Some(g), Trigger::Cron)).unwrap())
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(reports.iter().map(|r| r.grant_expiry.grants).sum::<u64>(), 20, "each grant noticed by one tick");
    let mut all: Vec<i64> = gateways.iter().flat_map(FakeGateway::sent).collect();
    let n = all.len();
    all.sort();
    all.dedup();
    assert_eq!((n, all.len()), (20, 20), "one SMS per grant, none sent twice");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM sms_outbox WHERE template = 'grant_expiring'"), 20);
}

#[test]
fn a_tick_notices_at_most_a_batch_of_expiring_grants() {
    let now = march(10, 10);
    let clock = FixedClock::at(now);
    let db = test_support::store();
    let n = grant_expiry::GRANT_EXPIRY_BATCH as usize + 3;
    let persons: Vec<_> = (0..n).map(|_| (None, Some(now.plus_seconds(86_400)))).collect();
    grants_expiring(&db, &clock, &persons);
    let gateway = FakeGateway::up();
    let r = run(&db, now, &gateway);
    assert_eq!((r.grant_expiry.grants, r.grant_expiry.more), (u64::from(grant_expiry::GRANT_EXPIRY_BATCH), true));
    let r = run(&db, now.plus_seconds(60), &gateway);
    assert_eq!((r.grant_expiry.grants, r.grant_expiry.more), (3, false), "the rest at the next tick");
}
