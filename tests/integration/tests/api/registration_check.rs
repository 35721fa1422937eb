//! Registration check of a login name (FAQ 1): component -> shared -> SQLite.

use integration::{app, spawn_app};
use serde_json::Value;

#[tokio::test(flavor = "multi_thread")]
async fn a_free_login_name_leads_to_registration() {
    let app = spawn_app().await;
    let res = app.get("/api/registration/login-names/NewCorp2026").await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["login_name"], "NewCorp2026");
    assert_eq!(body["registered"], false);
    assert_eq!(body["guidance"]["code"], "registration.login_name_available");
    let hrefs: Vec<&str> = body["guidance"]["actions"].as_array().unwrap().iter().map(|a| a["href"].as_str().unwrap()).collect();
    assert!(hrefs.contains(&"/register/legal-entity?login_name=NewCorp2026"), "{hrefs:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_registered_name_ignoring_case_leads_to_password_reset() {
    let app = spawn_app().await;
    assert_eq!(app.get("/api/health").await.status(), 200); // migrations ran
    app.db()
        .execute(
            "INSERT INTO accounts (kind, login_name, login_name_key, created_at) VALUES ('legal_entity', 'WPAcme', 'wpacme', 0)",
            [],
        )
        .unwrap();

    let body: Value = app.get_en("/api/registration/login-names/wpACME").await.json().await.unwrap();
    assert_eq!(body["registered"], true);
    assert_eq!(body["guidance"]["code"], "registration.login_name_registered");
    assert_eq!(body["guidance"]["actions"][0]["href"], "/password-reset?login_name=wpACME");
    assert_eq!(body["guidance"]["message"], body["guidance"]["message_en"]);

    // The old system's name without WP points at the migrated account.
    let body: Value = app.get("/api/registration/login-names/acme").await.json().await.unwrap();
    assert_eq!(body["registered"], false);
    assert_eq!(body["legacy_login_name"], "WPacme");
    assert_eq!(body["guidance"]["code"], "registration.legacy_login_name_registered");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_login_names_get_a_clear_400_and_nothing_is_stored() {
    let app = spawn_app().await;
    let long = "x".repeat(10_000);
    let cases = [
        ("abc", "login_name.too_short"),
        ("%20%20%20", "login_name.empty"),
        ("_abcd", "login_name.invalid_start"),
        ("a'%3B%20DROP%20TABLE%20accounts%3B--", "login_name.invalid_character"),
        ("%3Cscript%3Ealert(1)%3C%2Fscript%3E", "login_name.invalid_character"),
        ("%E5%BC%A0%E4%B8%89abc", "login_name.invalid_character"),
        (long.as_str(), "login_name.too_long"),
    ];
    for (name, code) in cases {
        let res = app.get_en(&format!("/api/registration/login-names/{name}")).await;
        assert_eq!(res.status(), 400, "{name}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], code, "{name}");
        assert_eq!(body["error"]["field"], "login_name", "{name}");
        assert!(!body["error"]["message_zh"].as_str().unwrap().is_empty());
        assert!(!body["error"]["message_en"].as_str().unwrap().is_empty());
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts"), 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM sqlite_master WHERE name = 'accounts'"), 1, "the table survived");

    // Full-width input and surrounding spaces are folded, not refused.
    let body: Value = app.get("/api/registration/login-names/%EF%BC%B7%EF%BC%B0abc%20").await.json().await.unwrap();
    assert_eq!(body["login_name"], "WPabc");
}

#[tokio::test(flavor = "multi_thread")]
async fn checks_are_rate_limited_per_client_and_the_window_survives_a_restart() {
    let mut app = app().variable("registration_check_limit_per_minute", "3").spawn().await;
    for i in 0..3 {
        assert_eq!(app.get(&format!("/api/registration/login-names/probe{i}")).await.status(), 200);
    }
    let refused = app.get("/api/registration/login-names/probe9").await;
    assert_eq!(refused.status(), 429);
    assert_eq!(refused.headers()["retry-after"], "60");
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "request.rate_limited");

    // The limit lives in SQLite, not in an instance: a restarted host on the
    // same state directory still refuses.
    app.restart().await;
    app.advance(30);
    let refused = app.get("/api/registration/login-names/probe9").await;
    assert_eq!(refused.status(), 429);
    assert_eq!(refused.headers()["retry-after"], "30");

    app.advance(30);
    assert_eq!(app.get("/api/registration/login-names/probe9").await.status(), 200);
    let window_start = app.now_millis() - 60_000;
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM rate_limit_hits WHERE bucket = 'registration.check' AND at > {window_start}")),
        1,
        "one hit counted in the window now"
    );
}
