//! The review console's API (flows 8 and 9): filters and their errors,
//! reviewer management (roles, disabling ends a session), a lead releasing
//! another's claim, an item's history, the failed SMS with "retry now".

use crate::recovery::file_legal_entity_appeal;
use integration::sms_gateway::{Answer, FakeGateway};
use integration::{REVIEWER_NAME, REVIEWER_PASSWORD, mobile_for, reviewer_app, unique};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread")]
async fn filters_counts_history_roles_disabling_and_a_leads_release() {
    let app = reviewer_app().spawn().await;
    let chief = app.reviewer(REVIEWER_NAME, REVIEWER_PASSWORD).await;
    let res = app.post_as(&chief, "/api/review/reviewers", &json!({ "login_name": "anna.reviewer", "password": "Second pair of eyes" })).await;
    assert_eq!(res.status(), 201);
    let anna_id = res.json::<Value>().await.unwrap()["reviewer"]["id"].as_i64().unwrap();
    let anna = app.reviewer("anna.reviewer", "Second pair of eyes").await;
    assert_eq!(anna.body["reviewer"]["role"], "reviewer");
    let res = app.post_as(&anna, "/api/review/reviewers", &json!({ "login_name": "sneaky.lead", "password": "Second pair of eyes", "role": "lead" })).await;
    assert_eq!(res.status(), 403, "only a lead adds a lead");
    let res = app.post_as(&chief, "/api/review/reviewers", &json!({ "login_name": "x.role", "password": "Second pair of eyes", "role": "boss" })).await;
    assert_eq!(res.json::<Value>().await.unwrap()["error"]["field"], "role");

    let r = app.register_legal_entity().await;
    let (number, _) = file_legal_entity_appeal(&app, &r).await;
    let app = &app;
    let queue = |who, query: &str| {
        let path = format!("/api/review/items{query}");
        async move { app.get_as(who, &path).await.json::<Value>().await.unwrap() }
    };
    let all = queue(&chief, "").await;
    assert_eq!(all["items"].as_array().unwrap().len(), 1);
    let id = all["items"][0]["id"].as_i64().unwrap();
    assert_eq!(all["items"][0]["sla"], "later");
    assert_eq!(all["counts"][0]["open"], 1);
    assert_eq!(all["me"]["lead"], true);
    for q in [format!("?q={number}"), format!("?q={}", r.uscc), format!("?q={}", &r.org_name[..12]), "?q=李小红".to_owned(), "?kind=appeal_legal_entity&sla=later".to_owned()] {
        assert_eq!(queue(&chief, &q).await["items"].as_array().unwrap().len(), 1, "{q}");
    }
    for q in ["?q=nothing-like-it", "?kind=appeal_natural_person", "?sla=overdue"] {
        assert_eq!(queue(&chief, q).await["items"].as_array().unwrap().len(), 0, "{q}");
    }
    for (q, field) in [("?kind=appeal", "kind"), ("?sla=soon", "sla"), ("?state=maybe", "state")] {
        let res = app.get_as(&chief, &format!("/api/review/items{q}")).await;
        assert_eq!(res.status(), 400);
        assert_eq!(res.json::<Value>().await.unwrap()["error"]["field"], field, "{q}");
    }

    // Anna claims; the lead releases her claim; the history says who.
    assert_eq!(app.post_as(&anna, &format!("/api/review/items/{id}/claim"), &json!({})).await.status(), 200);
    let res = app.post_as(&chief, &format!("/api/review/items/{id}/release"), &json!({})).await;
    assert_eq!(res.status(), 200);
    let item: Value = app.get_as(&chief, &format!("/api/review/items/{id}")).await.json().await.unwrap();
    let history: Vec<(String, Value)> =
        item["history"].as_array().unwrap().iter().map(|e| (e["event"].as_str().unwrap().to_owned(), e["by"].clone())).collect();
    assert_eq!(
        history,
        vec![("submitted".into(), json!(null)), ("claimed".into(), json!("anna.reviewer")), ("released".into(), json!(REVIEWER_NAME))]
    );

    // Disabling: leads only; the session ends at once and the name logs in like an unknown one.
    let res = app.post_as(&anna, &format!("/api/review/reviewers/{}/disable", chief.body["reviewer"]["id"]), &json!({})).await;
    assert_eq!(res.status(), 403);
    let res = app.post_as(&chief, &format!("/api/review/reviewers/{anna_id}/disable"), &json!({})).await;
    assert_eq!(res.status(), 200);
    assert_eq!(app.get_as(&anna, "/api/review/session").await.status(), 401, "a disabled reviewer's session ends");
    let res = app.post_json("/api/review/login", &json!({ "login_name": "anna.reviewer", "password": "Second pair of eyes" })).await;
    assert_eq!(res.status(), 401);
    let list: Value = app.get_as(&chief, "/api/review/reviewers").await.json().await.unwrap();
    let anna_row = list["reviewers"].as_array().unwrap().iter().find(|r| r["id"] == anna_id).unwrap().clone();
    assert!(anna_row["disabled_at"].is_i64());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_message_given_up_is_listed_and_retried_now() {
    let gateway = FakeGateway::start().await;
    let app = reviewer_app()
        .variable("sms_gateway_url", &gateway.url())
        .variable("sms_gateway_origin", &gateway.origin)
        .variable("sms_max_attempts", "2")
        .spawn()
        .await;
    gateway.answer(Answer::Status(500));
    let chief = app.reviewer(REVIEWER_NAME, REVIEWER_PASSWORD).await;
    // A message without a code (so it never expires): the reminder to a reviewer with a mobile.
    let mobile = mobile_for(unique());
    let res = app
        .post_as(&chief, "/api/review/reviewers", &json!({ "login_name": "anna.reviewer", "password": "Second pair of eyes", "mobile": mobile }))
        .await;
    assert_eq!(res.status(), 201);
    let r = app.register_legal_entity().await;
    file_legal_entity_appeal(&app, &r).await;
    app.advance(4 * 86_400); // Tuesday: overdue, reminded
    app.tick().await.unwrap();
    let reminder: i64 =
        app.db().query_row("SELECT id FROM sms_outbox WHERE recipient = ? AND template = 'review_reminder'", [&mobile], |r| r.get(0)).unwrap();
    app.advance(60);
    app.tick().await.unwrap();
    app.advance(1);
    app.tick().await.unwrap();
    let chief = app.reviewer(REVIEWER_NAME, REVIEWER_PASSWORD).await;
    let failed: Value = app.get_as(&chief, "/api/review/sms/failed").await.json().await.unwrap();
    let listed = failed["messages"].as_array().unwrap().iter().find(|m| m["id"] == reminder).expect("the reminder is listed").clone();
    assert_eq!((listed["failure"].as_str(), listed["attempts"].as_i64(), listed["retryable"].as_bool()), (Some("max_attempts"), Some(2), Some(true)));
    assert!(listed["recipient_masked"].as_str().unwrap().contains("****"));
    assert!(listed.get("params").is_none());
    let expired = failed["messages"].as_array().unwrap().iter().find(|m| m["failure"] == "code_expired").expect("an expired code").clone();
    let res = app.post_as(&chief, &format!("/api/review/sms/{}/retry", expired["id"]), &json!({})).await;
    assert_eq!(res.status(), 409);

    gateway.answer(Answer::Ok);
    let res = app.post_as(&chief, &format!("/api/review/sms/{reminder}/retry"), &json!({})).await;
    assert_eq!(res.status(), 200);
    assert_eq!(gateway.delivered(), vec![reminder], "delivered right after the retry");
    let ticks: Value = app.get_as(&chief, "/api/review/schedule").await.json().await.unwrap();
    assert_eq!(ticks["ticks"].as_array().unwrap().len(), 3);
    assert_eq!(ticks["ticks"][2]["report"]["reminders"]["items"], 1);
}
