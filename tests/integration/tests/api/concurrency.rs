//! The components under Spin's instance reuse: one instance serves up to 16
//! requests at once (the test host does it as Spin 4 does). Sixteen users'
//! requests are put into one instance together and every answer must be its
//! own user's: nothing may cross through a static, a shared SQLite
//! connection or transaction, or a leaked `Context`.

use integration::{Held, Registered, TestApp, app};
use serde_json::{Value, json};
use std::collections::HashSet;

const USERS: usize = 16;

fn lenient() -> integration::AppBuilder {
    app()
        .variable("sms_codes_per_client_per_hour", "1000")
        .variable("login_limit_per_client_per_five_minutes", "1000")
        .variable("registration_check_limit_per_minute", "1000")
}

/// Holds every request in one instance, checks they were there together,
/// then lets them all go at once and returns their answers.
async fn all_at_once(app: &TestApp, requests: Vec<(String, String, Vec<(String, String)>, Vec<u8>)>) -> Vec<(u16, http::HeaderMap, Value)> {
    let n = requests.len() as u64;
    let held: Vec<Held> = app.hold_all(requests).await;
    let m = app.metrics();
    assert_eq!(m.in_flight, n, "all requests inside instances together: {m:?}");
    assert_eq!(m.peak_instance_concurrency, n, "all {n} in one instance at once: {m:?}");
    let mut held = held;
    for h in &mut held {
        h.release().await;
    }
    let mut answers = Vec::new();
    for h in held {
        answers.push(h.answer().await);
    }
    answers
}

fn json_post(app: &TestApp, path: &str, body: &Value, extra: &[(&str, &str)]) -> (String, String, Vec<(String, String)>, Vec<u8>) {
    let mut headers = vec![("content-type".to_owned(), "application/json".to_owned()), ("origin".to_owned(), app.origin())];
    headers.extend(extra.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())));
    ("POST".to_owned(), path.to_owned(), headers, body.to_string().into_bytes())
}

#[tokio::test(flavor = "multi_thread")]
async fn sixteen_users_in_one_instance_each_see_only_their_own_registration_login_and_session() {
    let mut app = lenient().spawn().await;
    let users: Vec<Registered> =
        (0..USERS).map(|i| if i % 2 == 0 { Registered::legal_entity() } else { Registered::natural_person() }).collect();
    let mut codes = Vec::new();
    for u in &users {
        codes.push(app.registration_code(&u.mobile).await);
    }

    // 1. Sixteen registrations at once (both kinds), in one instance.
    app.restart().await;
    let requests = users
        .iter()
        .zip(&codes)
        .enumerate()
        .map(|(i, (u, code))| {
            if i % 2 == 0 {
                json_post(&app, "/api/registration/legal-entities", &u.legal_entity_form(code), &[])
            } else {
                json_post(&app, "/api/registration/natural-persons", &u.natural_person_form(code), &[])
            }
        })
        .collect();
    let answers = all_at_once(&app, requests).await;
    for (u, (status, _, body)) in users.iter().zip(&answers) {
        assert_eq!(*status, 201, "{} registers: {body}", u.login_name);
        assert_eq!(body["account"]["login_name"], u.login_name.as_str(), "{body}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts"), USERS as i64);

    // 2. Sixteen logins at once, in one instance.
    app.restart().await;
    let requests = users
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let kind = if i % 2 == 0 { "legal_entity" } else { "natural_person" };
            json_post(&app, "/api/auth/login", &json!({ "account_type": kind, "login_name": u.login_name, "password": u.password }), &[])
        })
        .collect();
    let answers = all_at_once(&app, requests).await;
    let mut sessions = Vec::new();
    for (u, (status, headers, body)) in users.iter().zip(&answers) {
        assert_eq!(*status, 200, "{} logs in: {body}", u.login_name);
        assert_eq!(body["account"]["login_name"], u.login_name.as_str(), "{body}");
        let cookie = headers["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
        sessions.push((cookie, body["csrf_token"].as_str().unwrap().to_owned()));
    }
    let distinct: HashSet<&String> = sessions.iter().map(|(c, _)| c).chain(sessions.iter().map(|(_, t)| t)).collect();
    assert_eq!(distinct.len(), 2 * USERS, "every session and CSRF token is its own");

    // 3. Sixteen `GET /api/session` at once, in one instance: each sees its
    // own account and its own CSRF token.
    app.restart().await;
    let requests = sessions
        .iter()
        .map(|(cookie, _)| ("GET".to_owned(), "/api/session".to_owned(), vec![("cookie".to_owned(), cookie.clone())], Vec::new()))
        .collect();
    let answers = all_at_once(&app, requests).await;
    let mut request_ids = HashSet::new();
    for ((u, (_, token)), (status, headers, body)) in users.iter().zip(&sessions).zip(&answers) {
        assert_eq!(*status, 200, "{}: {body}", u.login_name);
        assert_eq!(body["account"]["login_name"], u.login_name.as_str(), "{body}");
        assert_eq!(body["csrf_token"], token.as_str(), "{body}");
        request_ids.insert(headers["x-request-id"].to_str().unwrap().to_owned());
    }
    assert_eq!(request_ids.len(), USERS, "every request has its own id");

    // 4. Sixteen logouts at once: each ends its own session only.
    app.restart().await;
    let requests = sessions
        .iter()
        .map(|(cookie, token)| json_post(&app, "/api/auth/logout", &json!({}), &[("cookie", cookie), ("x-csrf-token", token)]))
        .collect();
    for (status, _, body) in all_at_once(&app, requests).await {
        assert_eq!(status, 204, "{body}");
    }
    for (cookie, _) in &sessions {
        let res = app.client.get(app.url("/api/session")).header("cookie", cookie).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body, json!({ "account": null }), "logged out");
    }
}
