//! Cross-cutting behaviour every endpoint shares: the JSON error shape,
//! 404/405/413, migrations and persistence across a restart.

use integration::spawn_app;
use spin_test_host::{Host, HostOptions};
use serde_json::Value;

#[tokio::test(flavor = "multi_thread")]
async fn unknown_api_route_is_a_json_404_in_the_requested_language() {
    let app = spawn_app().await;
    let zh = app.get("/api/no-such-thing").await;
    assert_eq!(zh.status(), 404);
    assert!(zh.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    let zh: Value = zh.json().await.unwrap();
    assert_eq!(zh["error"]["code"], "request.not_found");
    assert_eq!(zh["error"]["message"], zh["error"]["message_zh"]);
    assert!(zh["error"]["request_id"].as_str().is_some_and(|s| !s.is_empty()));

    let en: Value = app.get_en("/api/registration/no-such-thing").await.json().await.unwrap();
    assert_eq!(en["error"]["code"], "request.not_found");
    assert_eq!(en["error"]["message"], en["error"]["message_en"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_method_is_405_with_allow() {
    let app = spawn_app().await;
    let res = app.client.post(app.url("/api/registration/login-names/abcd")).send().await.unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(res.headers()["allow"], "GET, HEAD");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "request.method_not_allowed");
}

#[tokio::test(flavor = "multi_thread")]
async fn body_over_the_component_limit_is_413_and_nothing_is_stored() {
    let app = spawn_app().await;
    let big = vec![b'x'; 65 * 1024];
    let res = app
        .client
        .request(reqwest::Method::GET, app.url("/api/registration/login-names/abcd"))
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "request.body_too_large");
    assert_eq!(body["error"]["field"], "body");
    assert_eq!(body["error"]["details"]["limit_bytes"], 65536);
}

#[tokio::test(flavor = "multi_thread")]
async fn health_reports_the_schema_version_and_migrations_run_once() {
    let app = spawn_app().await;
    // Many first requests at once on a fresh database: each instance
    // migrates on start; exactly one applies the migrations.
    let requests = (0..12).map(|i| {
        let client = app.client.clone();
        let url = app.url(&format!("/api/registration/login-names/racer{i:02}"));
        tokio::spawn(async move { client.get(url).send().await.unwrap().status().as_u16() })
    });
    for r in requests {
        assert_eq!(r.await.unwrap(), 200);
    }
    let health: Value = app.get("/api/health").await.json().await.unwrap();
    assert_eq!(health["status"], "ok");
    let version = health["schema_version"].as_i64().unwrap();
    assert!(version >= 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM schema_migrations"), version);
    assert_eq!(app.count("PRAGMA user_version"), version);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_audit_log_refuses_updates_and_deletes() {
    let app = spawn_app().await;
    assert_eq!(app.get("/api/health").await.status(), 200);
    let db = app.db();
    db.execute("INSERT INTO audit_log (at, actor, action) VALUES (1, 'test', 'probe')", []).unwrap();
    let update = db.execute("UPDATE audit_log SET action = 'changed'", []).unwrap_err();
    assert!(update.to_string().contains("append-only"), "{update}");
    let delete = db.execute("DELETE FROM audit_log", []).unwrap_err();
    assert!(delete.to_string().contains("append-only"), "{delete}");
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'probe'"), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn what_needs_no_statement_answers_while_the_database_cannot_be_opened() {
    // A state directory whose database is a directory: every open fails.
    let state = tempfile::tempdir().unwrap();
    std::fs::create_dir(state.path().join("sqlite_db.db")).unwrap();
    let mut opts = HostOptions::new(integration::manifest(), state.path());
    opts.read_env_variables = false;
    let host = Host::load(opts).unwrap();
    let running = host.spawn("127.0.0.1:0").await.unwrap();
    let client = reqwest::Client::new();
    let get = |path: &str| client.get(format!("{}{path}", running.url())).send();

    // No session cookie, a page, a cross-site form: nothing to read or write.
    let session = get("/api/session").await.unwrap();
    assert_eq!(session.status(), 200);
    let body: Value = session.json().await.unwrap();
    assert!(body["account"].is_null(), "{body}");
    assert_eq!(get("/login.html").await.unwrap().status(), 200);
    let cross_site =
        client.post(format!("{}/api/auth/logout", running.url())).header("origin", "https://elsewhere.example").send().await.unwrap();
    assert_eq!(cross_site.status(), 403);

    // What needs the store gets the generic answer, with the request id
    // the log line carries; every instance tried again (nothing was kept).
    for _ in 0..3 {
        let check = get("/api/registration/login-names/someone").await.unwrap();
        assert_eq!(check.status(), 500);
        let body: Value = check.json().await.unwrap();
        assert_eq!(body["error"]["code"], "internal.unexpected", "{body}");
        assert!(body["error"]["request_id"].as_str().is_some_and(|id| !id.is_empty()), "{body}");
    }
    assert_eq!(get("/api/health").await.unwrap().status(), 500);
}
