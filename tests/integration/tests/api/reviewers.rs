//! Reviewer passwords through HTTP: disabled after 100 failures like
//! accounts', reset by another reviewer, restored by the bootstrap secret.

use integration::{REVIEWER_NAME, REVIEWER_PASSWORD, TestApp, reviewer_app};
use serde_json::{Value, json};

const DEPUTY: &str = "deputy.reviewer";
const DEPUTY_PASSWORD: &str = "Deputy keys for 2026";

async fn review_login(app: &TestApp, login_name: &str, password: &str) -> reqwest::Response {
    app.post_json("/api/review/login", &json!({ "login_name": login_name, "password": password })).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_disabled_reviewer_password_is_reset_by_another_reviewer_and_the_bootstrap_secret_always_restores() {
    let app = reviewer_app().spawn().await;
    let chief = app.reviewer(REVIEWER_NAME, REVIEWER_PASSWORD).await;
    let res = app.post_as(&chief, "/api/review/reviewers", &json!({ "login_name": DEPUTY, "password": DEPUTY_PASSWORD })).await;
    assert_eq!(res.status(), 201);
    let deputy_id = res.json::<Value>().await.unwrap()["reviewer"]["id"].as_i64().unwrap();
    let deputy = app.reviewer(DEPUTY, DEPUTY_PASSWORD).await;

    // 100 consecutive failures disable the deputy's password.
    let hour_ago = app.now_millis() - 3_600_000;
    app.db()
        .execute("UPDATE reviewers SET failed_logins = 99, last_failed_login_at = ? WHERE id = ?", (hour_ago, deputy_id))
        .unwrap();
    assert_eq!(review_login(&app, DEPUTY, "not the password").await.status(), 401);
    let res = review_login(&app, DEPUTY, DEPUTY_PASSWORD).await;
    assert_eq!(res.status(), 403);
    assert_eq!(res.json::<Value>().await.unwrap()["error"]["code"], "review.password_disabled");

    // No reviewer resets its own password; the request needs the CSRF token.
    let path = format!("/api/review/reviewers/{deputy_id}/password");
    let res = app.post_as(&deputy, &path, &json!({ "password": "My own new keys 2026" })).await;
    assert_eq!(res.status(), 403);
    assert_eq!(res.json::<Value>().await.unwrap()["error"]["code"], "review.own_password");
    let res = app
        .client
        .post(app.url(&path))
        .header("cookie", &chief.cookie)
        .header("origin", app.origin())
        .json(&json!({ "password": "New deputy keys 2026" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "no CSRF token");
    let res = app.post_as(&chief, "/api/review/reviewers/9999/password", &json!({ "password": "New deputy keys 2026" })).await;
    assert_eq!(res.status(), 404);
    let res = app.post_as(&chief, &path, &json!({ "password": "password" })).await;
    assert_eq!(res.status(), 400);
    assert_eq!(res.json::<Value>().await.unwrap()["error"]["field"], "password");

    // Another reviewer resets it: the deputy's sessions end, the new password logs in.
    let res = app.post_as(&chief, &path, &json!({ "password": "New deputy keys 2026" })).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["reviewer"]["login_name"], DEPUTY);
    assert_eq!(app.get_as(&deputy, "/api/review/session").await.status(), 401, "the deputy's old session is revoked");
    let deputy = app.reviewer(DEPUTY, "New deputy keys 2026").await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'review.reviewer_password_reset' AND actor LIKE 'reviewer:%'"),
        1
    );

    // The deputy changes the chief's password; the bootstrap secret still logs the chief in and restores it.
    let chief_id = chief.body["reviewer"]["id"].as_i64().unwrap();
    let res = app.post_as(&deputy, &format!("/api/review/reviewers/{chief_id}/password"), &json!({ "password": "Deputy took over 2026" })).await;
    assert_eq!(res.status(), 200);
    let chief = app.reviewer(REVIEWER_NAME, REVIEWER_PASSWORD).await;
    assert_eq!(chief.body["reviewer"]["id"], chief_id);
    let res = review_login(&app, REVIEWER_NAME, "Deputy took over 2026").await;
    assert_eq!(res.status(), 401, "the secret is the chief's password again");
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'review.password_restored_from_bootstrap'"), 1);
    assert_eq!(app.get_as(&chief, "/api/review/session").await.status(), 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_real_and_an_unknown_reviewer_name_are_throttled_alike() {
    let app = reviewer_app().spawn().await;
    app.reviewer(REVIEWER_NAME, REVIEWER_PASSWORD).await;
    let mut answers = Vec::new();
    for name in [REVIEWER_NAME, "nobody.reviewer"] {
        let mut statuses = Vec::new();
        for i in 0..7 {
            let res = review_login(&app, name, &format!("wrong {i}")).await;
            statuses.push((res.status().as_u16(), res.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned())));
        }
        answers.push(statuses);
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0].iter().map(|a| a.0).collect::<Vec<_>>(), [401, 401, 401, 401, 401, 429, 429]);
}
