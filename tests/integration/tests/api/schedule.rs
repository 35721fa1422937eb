//! Scheduled work (flow 9) through the host's cron trigger, with the
//! controlled clock and a local SMS gateway that fails on command: SMS
//! retries and their failures (500, no answer, a closed connection),
//! expired codes, the overlap rule, the catch-up bound, reminders and
//! escalation, housekeeping, and the scheduler's HTTP route.

use crate::recovery::file_legal_entity_appeal;
use integration::sms_gateway::{Answer, FakeGateway};
use integration::{REVIEWER_NAME, REVIEWER_PASSWORD, TestApp, app, mobile_for, reviewer_app, unique};
use serde_json::{Value, json};

async fn gateway_app(gateway: &FakeGateway) -> TestApp {
    app()
        .variable("sms_gateway_url", &gateway.url())
        .variable("sms_gateway_origin", &gateway.origin)
        .variable("sms_codes_per_client_per_hour", "1000")
        .spawn()
        .await
}

/// Queues `n` registration codes to fresh numbers; returns their outbox ids.
async fn queue_codes(app: &TestApp, n: usize) -> Vec<i64> {
    let mut ids = Vec::new();
    for _ in 0..n {
        let mobile = mobile_for(unique());
        app.registration_code(&mobile).await;
        ids.push(app.db().query_row("SELECT MAX(id) FROM sms_outbox WHERE recipient = ?", [&mobile], |r| r.get(0)).unwrap());
    }
    ids
}

fn outbox_row(app: &TestApp, id: i64) -> (i64, Option<i64>, Option<String>, Option<String>) {
    app.db()
        .query_row("SELECT attempts, sent_at, last_error, failure FROM sms_outbox WHERE id = ?", [id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_gateway_is_retried_with_backoff_and_each_message_is_delivered_once() {
    let gateway = FakeGateway::start().await;
    let app = gateway_app(&gateway).await;
    gateway.answer(Answer::Status(500));
    let id = queue_codes(&app, 1).await[0];
    let (attempts, sent, error, _) = outbox_row(&app, id);
    assert_eq!((attempts, sent, error.as_deref()), (1, None, Some("gateway answered 500 Internal Server Error")));

    // Not due for a minute.
    app.advance(30);
    app.tick().await.unwrap();
    assert_eq!(outbox_row(&app, id).0, 1);
    // A minute after the first try: the gateway closes the connection without an answer.
    gateway.answer(Answer::Close);
    app.advance(30);
    app.tick().await.unwrap();
    let (attempts, _, error, _) = outbox_row(&app, id);
    assert_eq!(attempts, 2);
    assert!(error.unwrap().starts_with("gateway unreachable"));
    assert_eq!(app.last_tick()["sms"]["failed"], 1);
    // Two minutes later: the gateway never answers; the call gives up after its timeout.
    gateway.answer(Answer::Hang);
    app.advance(120);
    app.tick().await.unwrap();
    let (attempts, _, error, _) = outbox_row(&app, id);
    assert_eq!((attempts, error.as_deref()), (3, Some("gateway gave no answer within 10 s")));
    // Four minutes later the gateway is back: delivered, once.
    gateway.answer(Answer::Ok);
    app.advance(239);
    app.tick().await.unwrap();
    assert_eq!(outbox_row(&app, id).0, 3, "not before four minutes");
    app.advance(1);
    app.tick().await.unwrap();
    let (attempts, sent, error, _) = outbox_row(&app, id);
    assert_eq!((attempts, sent.is_some(), error), (4, true, None));
    for _ in 0..3 {
        app.advance(3600);
        app.tick().await.unwrap();
    }
    assert_eq!(gateway.delivered(), vec![id]);
    assert_eq!(gateway.requests().len(), 4, "500, closed, no answer, delivered");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_code_that_expired_in_the_outbox_is_not_sent_and_says_so() {
    let gateway = FakeGateway::start().await;
    let app = gateway_app(&gateway).await;
    gateway.answer(Answer::Status(503));
    let id = queue_codes(&app, 1).await[0];
    gateway.answer(Answer::Ok);
    app.advance(601);
    app.tick().await.unwrap();
    let (attempts, sent, _, failure) = outbox_row(&app, id);
    assert_eq!((attempts, sent, failure.as_deref()), (1, None, Some("code_expired")));
    assert_eq!(app.last_tick()["sms"]["code_expired"], 1);
    assert!(gateway.delivered().is_empty(), "a code that cannot be used is not sent");
    let params: String = app.db().query_row("SELECT params FROM sms_outbox WHERE id = ?", [id], |r| r.get(0)).unwrap();
    assert!(!params.contains("code"), "{params}");
}

#[tokio::test(flavor = "multi_thread")]
async fn two_ticks_at_once_send_each_message_once() {
    let gateway = FakeGateway::start().await;
    let app = gateway_app(&gateway).await;
    gateway.answer(Answer::Status(500));
    let mut ids = queue_codes(&app, 20).await;
    gateway.answer(Answer::Ok);
    app.advance(60);
    let (a, b, c) = tokio::join!(app.tick(), app.tick(), app.tick());
    a.unwrap();
    b.unwrap();
    c.unwrap();
    let mut delivered = gateway.delivered();
    delivered.sort();
    ids.sort();
    assert_eq!(delivered, ids, "every message once, none twice");
    assert_eq!(app.count("SELECT COUNT(*) FROM schedule_ticks"), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tick_after_a_pause_sends_one_batch_and_the_next_ticks_the_rest() {
    let gateway = FakeGateway::start().await;
    let app = gateway_app(&gateway).await;
    gateway.answer(Answer::Status(500));
    let ids = queue_codes(&app, 60).await;
    gateway.answer(Answer::Ok);
    app.advance(120);
    app.tick().await.unwrap();
    let first = app.last_tick();
    assert_eq!((first["sms"]["sent"].as_u64(), first["sms"]["more"].as_bool()), (Some(50), Some(true)));
    assert_eq!(gateway.delivered().len(), 50);
    app.tick().await.unwrap();
    assert_eq!(app.last_tick()["sms"]["sent"], 10);
    assert_eq!(app.last_tick()["sms"]["more"], false);
    let mut delivered = gateway.delivered();
    delivered.sort();
    assert_eq!(delivered, ids);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_overdue_appeal_is_reminded_on_tuesday_and_escalated_on_wednesday_once() {
    let gateway = FakeGateway::start().await;
    let app = reviewer_app()
        .variable("sms_gateway_url", &gateway.url())
        .variable("sms_gateway_origin", &gateway.origin)
        .spawn()
        .await;
    let chief = app.reviewer(REVIEWER_NAME, REVIEWER_PASSWORD).await;
    assert_eq!(chief.body["reviewer"]["role"], "lead", "the bootstrap reviewer is a lead");
    let (anna, lead) = (mobile_for(unique()), mobile_for(unique()));
    for (name, mobile, role) in [("anna.reviewer", anna.as_str(), "reviewer"), ("second.lead", lead.as_str(), "lead")] {
        let res = app
            .post_as(&chief, "/api/review/reviewers", &json!({ "login_name": name, "password": "Second pair of eyes", "mobile": mobile, "role": role }))
            .await;
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap_or_default());
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["reviewer"]["role"], role);
    }
    let res = app.post_as(&chief, "/api/review/reviewers", &json!({ "login_name": "bad.mobile", "password": "Second pair of eyes", "mobile": "12" })).await;
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["field"], "mobile");

    // Friday 09:00: the appeal is due Monday 09:00. (The codes stay readable
    // in the outbox while the gateway refuses them.)
    gateway.answer(Answer::Status(500));
    let r = app.register_legal_entity().await;
    file_legal_entity_appeal(&app, &r).await;
    gateway.answer(Answer::Ok);
    let due: i64 = app.db().query_row("SELECT due_at FROM review_items", [], |r| r.get(0)).unwrap();
    assert_eq!(due - app.now_millis(), 3 * 86_400_000, "Friday to Monday");
    let reminders = |to: &str| app.count(&format!("SELECT COUNT(*) FROM sms_outbox WHERE recipient = '{to}' AND template = 'review_reminder'"));
    let escalations = |to: &str| app.count(&format!("SELECT COUNT(*) FROM sms_outbox WHERE recipient = '{to}' AND template = 'review_escalation'"));

    app.advance(3 * 86_400 - 60); // Monday 08:59
    app.tick().await.unwrap();
    assert_eq!(app.last_tick()["reminders"]["items"], 0);
    app.advance(86_400 + 60); // Tuesday 09:00
    app.tick().await.unwrap();
    assert_eq!(app.last_tick()["reminders"]["items"], 1);
    assert_eq!(app.last_tick()["escalations"]["items"], 0);
    assert_eq!((reminders(&anna), reminders(&lead)), (1, 1));
    assert_eq!(app.count("SELECT COUNT(*) FROM review_items WHERE reminded_at IS NOT NULL"), 1);
    app.advance(3600);
    app.tick().await.unwrap();
    assert_eq!(app.last_tick()["reminders"]["items"], 0, "once per item");

    app.advance(86_400 - 3600 + 60); // Wednesday 09:01
    app.tick().await.unwrap();
    assert_eq!(app.last_tick()["escalations"]["items"], 1);
    assert_eq!((escalations(&anna), escalations(&lead)), (0, 1), "escalations go to the leads");
    app.advance(86_400);
    app.tick().await.unwrap();
    assert_eq!(app.last_tick()["escalations"]["items"], 0, "once per item");
    assert_eq!((reminders(&anna), escalations(&lead)), (1, 1));
    let delivered = gateway.delivered().len() as i64;
    assert_eq!(delivered, app.count("SELECT COUNT(*) FROM sms_outbox WHERE sent_at IS NOT NULL"), "each sent once");
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action IN ('review.reminded', 'review.escalated')"), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn housekeeping_deletes_ended_sessions_and_old_codes_and_counts_them() {
    let app = app().spawn().await;
    let r = app.register_natural_person().await;
    let who = app.logged_in("natural_person", &r.login_name, &r.password).await;
    let res = app.post_as(&who, "/api/auth/logout", &json!({})).await;
    assert_eq!(res.status(), 204);
    app.tick().await.unwrap();
    let h = &app.last_tick()["housekeeping"];
    assert_eq!((h["sessions"].as_u64(), h["sms_codes"].as_u64()), (Some(0), Some(0)), "kept within their retention");
    app.advance(31 * 86_400);
    app.tick().await.unwrap();
    let h = &app.last_tick()["housekeeping"];
    assert_eq!(h["sessions"], 1);
    assert_eq!(h["sms_codes"], 1);
    assert!(h["rate_limit_hits"].as_u64().unwrap() >= 1, "{h}");
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions"), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_scheduler_route_needs_its_token_and_answers_the_report() {
    let token = "a-long-scheduler-token-0123456789";
    let app = app().variable("scheduler_token", token).spawn().await;
    let post = |auth: Option<String>| {
        let mut req = app.client.post(app.url("/api/internal/schedule/tick"));
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        req.send()
    };
    for wrong in [None, Some("Bearer nope".to_owned()), Some(token.to_owned())] {
        let res = post(wrong.clone()).await.unwrap();
        assert_eq!(res.status(), 401, "{wrong:?}");
        assert_eq!(res.headers()["www-authenticate"], "Bearer");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "schedule.unauthorized");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM schedule_ticks"), 0);
    // No Origin needed: a scheduler, not a browser.
    let res = post(Some(format!("Bearer {token}"))).await.unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["tick"]["at"], app.now_millis());
    assert!(body["tick"]["housekeeping"].is_object() && body["tick"]["sms"].is_object());
    assert_eq!(body["tick"]["grant_expiry"], json!({ "grants": 0, "sms_queued": 0, "no_mobile": 0, "more": false }));
    let trigger: String = app.db().query_row("SELECT trigger FROM schedule_ticks", [], |r| r.get(0)).unwrap();
    assert_eq!(trigger, "http");
    // The clock went back: refused, nothing done.
    app.clock.set(app.clock.now() - std::time::Duration::from_secs(3600));
    let res = post(Some(format!("Bearer {token}"))).await.unwrap();
    assert_eq!(res.status(), 409);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "schedule.clock_behind");

    // Without a token configured the route does not exist.
    let off = integration::app().spawn().await;
    let res = off.client.post(off.url("/api/internal/schedule/tick")).header("authorization", "Bearer x").send().await.unwrap();
    assert_eq!(res.status(), 404);
}
