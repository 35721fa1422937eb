//! spin-test-host against the real probe component (tests/fixtures/probe).

mod common;

use bytes::Bytes;
use common::*;
use serde_json::Value;
use spin_test_host::{Host, TestClock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn header<'a>(body: &'a Value, name: &str) -> &'a str {
    body["headers"][name]
        .as_str()
        .unwrap_or_else(|| panic!("missing header {name} in {body}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn routing_precedence_and_spin_headers() {
    let state = tempfile::tempdir().unwrap();
    let host = load(state.path());

    // Exact beats the wildcards that also match.
    let (status, body) = get(&host, "/api/exact", "").await;
    assert_eq!(status, 200);
    assert_eq!(header(&body, "spin-matched-route"), "/api/exact");
    assert_eq!(header(&body, "spin-path-info"), "");

    // The longest wildcard prefix wins.
    let (_, body) = get(&host, "/api/users/42/posts?op=echo&x=1", "").await;
    assert_eq!(header(&body, "spin-matched-route"), "/api/users/...");
    assert_eq!(header(&body, "spin-raw-component-route"), "/api/users/...");
    assert_eq!(header(&body, "spin-component-route"), "/api/users");
    assert_eq!(header(&body, "spin-path-info"), "/42/posts");
    assert_eq!(header(&body, "spin-base-path"), "/");
    assert_eq!(header(&body, "spin-client-addr"), "127.0.0.1:40000");
    assert_eq!(
        header(&body, "spin-full-url"),
        "http://probe.test/api/users/42/posts?op=echo&x=1"
    );
    assert_eq!(
        body["uri"],
        "http://probe.test/api/users/42/posts?op=echo&x=1"
    );

    // `/api/...` matches `/api` itself and deeper paths.
    let (_, body) = get(&host, "/api", "").await;
    assert_eq!(header(&body, "spin-matched-route"), "/api/...");
    assert_eq!(header(&body, "spin-path-info"), "");
    let (_, body) = get(&host, "/api/x/y", "").await;
    assert_eq!(header(&body, "spin-matched-route"), "/api/...");
    assert_eq!(header(&body, "spin-path-info"), "/x/y");

    // Method and path reach the guest.
    let req = request("DELETE", "/min/thing").body(Bytes::new()).unwrap();
    let (status, body) = call(&host, req).await;
    assert_eq!(status, 200);
    assert_eq!(body["method"], "DELETE");
    assert_eq!(body["path"], "/min/thing");
    assert_eq!(header(&body, "spin-matched-route"), "/min/...");

    // The route table skips private routes; cron triggers are kept.
    let routes: Vec<String> = host.routes().into_iter().map(|r| r.route).collect();
    assert_eq!(
        routes,
        ["/api/...", "/api/users/...", "/api/exact", "/min/..."]
    );
    assert_eq!(host.cron_triggers().len(), 1);
    assert_eq!(host.cron_triggers()[0].component, "probe-min");
}

#[tokio::test(flavor = "multi_thread")]
async fn variables_defaults_overrides_secrets_and_errors() {
    let state = tempfile::tempdir().unwrap();
    let mut opts = options(state.path());
    opts.variables.insert("region".into(), "eu-west".into());
    let host = Host::load(opts).unwrap();

    let (status, body) = get(&host, "/api/?op=var", "greeting").await;
    assert_eq!(
        (status, body["value"].as_str()),
        (200, Some("你好")),
        "default"
    );
    let (_, body) = get(&host, "/api/?op=var", "region_label").await;
    assert_eq!(
        body["value"], "region=eu-west",
        "override inside a template"
    );
    let (_, body) = get(&host, "/api/?op=var", "token").await;
    assert_eq!(body["value"], TOKEN, "secret is readable by the component");

    let (status, body) = get(&host, "/api/?op=var", "not_declared").await;
    assert_eq!(status, 404);
    assert!(
        body["error"].as_str().unwrap().contains("Undefined"),
        "{body}"
    );
    let (status, body) = get(&host, "/api/?op=var", "Bad-Name").await;
    assert_eq!(status, 404);
    assert!(
        body["error"].as_str().unwrap().contains("InvalidName"),
        "{body}"
    );

    // A component without [component.x.variables] sees none of them.
    let (status, body) = get(&host, "/min/?op=var", "greeting").await;
    assert_eq!(status, 404);
    assert!(
        body["error"].as_str().unwrap().contains("Undefined"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn required_variable_missing_refuses_to_start() {
    let state = tempfile::tempdir().unwrap();
    let mut opts = options(state.path());
    opts.variables.clear();
    let err = Host::load(opts).err().expect("load must fail").to_string();
    assert!(err.contains("api_token"), "{err}");
    assert!(err.contains("required"), "{err}");

    let mut opts = options(state.path());
    opts.variables.insert("no_such_variable".into(), "x".into());
    let err = Host::load(opts)
        .err()
        .expect("undeclared override must fail")
        .to_string();
    assert!(err.contains("no_such_variable"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_undeclared_label_is_denied() {
    let state = tempfile::tempdir().unwrap();
    let host = load(state.path());

    let put = |uri: &'static str, label: &'static str| {
        request("POST", uri)
            .header("x-probe-arg", label)
            .body(Bytes::from_static(b"v"))
            .unwrap()
    };
    let (status, body) = call(&host, put("/api/?op=sql-put", "other")).await;
    assert_eq!(status, 403);
    assert!(
        body["error"].as_str().unwrap().ends_with("AccessDenied"),
        "{body}"
    );
    // probe-min declares no databases at all, not even `default`.
    let (status, body) = call(&host, put("/min/?op=sql-put", "default")).await;
    assert_eq!(status, 403);
    assert!(
        body["error"].as_str().unwrap().ends_with("AccessDenied"),
        "{body}"
    );
    // Declared labels work.
    let (status, body) = call(&host, put("/api/?op=sql-put", "audit")).await;
    assert_eq!(status, 200, "{body}");
    assert!(!state.path().join("other.db").exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_persists_across_restart() {
    let state = tempfile::tempdir().unwrap();
    {
        let host = load(state.path());
        for (label, value) in [
            ("default", "one"),
            ("default", "two"),
            ("audit", "audit-entry"),
        ] {
            let req = request("POST", "/api/?op=sql-put")
                .header("x-probe-arg", label)
                .body(Bytes::from(value))
                .unwrap();
            let (status, body) = call(&host, req).await;
            assert_eq!(status, 200, "{body}");
            assert_eq!(body["changes"], 1);
        }
    }
    assert!(state.path().join("sqlite_db.db").is_file());
    assert!(state.path().join("audit.db").is_file());

    let host = load(state.path());
    let (status, body) = get(&host, "/api/?op=sql-list", "default").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["columns"], serde_json::json!(["id", "value"]));
    let values: Vec<&str> = body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["value"].as_str().unwrap())
        .collect();
    assert_eq!(values, ["one", "two"]);
    let (_, body) = get(&host, "/api/?op=sql-list", "audit").await;
    assert_eq!(body["rows"][0]["value"], "audit-entry");
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_sqlite_writers_do_not_fail() {
    let state = tempfile::tempdir().unwrap();
    let host = load(state.path());
    let mut tasks = Vec::new();
    for i in 0..12 {
        let host = host.clone();
        tasks.push(tokio::spawn(async move {
            let req = request("POST", "/api/?op=sql-put")
                .header("x-probe-arg", "default")
                .body(Bytes::from(format!("row-{i}")))
                .unwrap();
            call(&host, req).await
        }));
    }
    for task in tasks {
        let (status, body) = task.await.unwrap();
        assert_eq!(status, 200, "{body}");
    }
    let (_, body) = get(&host, "/api/?op=sql-list", "default").await;
    assert_eq!(body["rows"].as_array().unwrap().len(), 12);
}

#[tokio::test(flavor = "multi_thread")]
async fn trap_returns_500_and_host_keeps_serving() {
    let state = tempfile::tempdir().unwrap();
    let host = load(state.path());
    let server = host.spawn("127.0.0.1:0").await.unwrap();
    assert!(server.addr.ip().is_loopback());

    let (status, headers, body) = http_call(
        server.addr,
        "GET",
        "/api/?op=trap",
        &[("accept-language", "en")],
        Bytes::new(),
    )
    .await;
    assert_eq!(status, 500);
    let body: Value = serde_json::from_slice(&body).unwrap();
    let error = &body["error"];
    assert_eq!(error["code"], "host.component_failed");
    assert_eq!(error["message"], error["message_en"]);
    let request_id = error["request_id"].as_str().unwrap();
    assert!(!request_id.is_empty());
    assert_eq!(headers["x-request-id"], request_id);

    let (status, _, body) = http_call(server.addr, "GET", "/api/exact", &[], Bytes::new()).await;
    assert_eq!(status, 200);
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert!(header(&body, "spin-client-addr").starts_with("127.0.0.1:"));
    let metrics = host.metrics();
    assert_eq!(metrics.component_failures, 1);
    assert!(
        metrics.requests >= 2 && metrics.instantiations >= 2,
        "{metrics:?}"
    );
    assert!(metrics.instantiate_total >= metrics.instantiate_last);
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_route_is_404_json_in_the_preferred_language() {
    let state = tempfile::tempdir().unwrap();
    let host = load(state.path());

    let (status, body) = call(&host, request("GET", "/nope").body(Bytes::new()).unwrap()).await;
    assert_eq!(status, 404);
    let error = &body["error"];
    assert_eq!(error["code"], "host.not_found");
    assert_eq!(error["message"], error["message_zh"], "Chinese by default");
    assert!(
        error["message_zh"]
            .as_str()
            .unwrap()
            .chars()
            .any(|c| c as u32 > 0x4e00)
    );
    assert!(error["field"].is_null());
    assert!(!error["request_id"].as_str().unwrap().is_empty());

    let req = request("GET", "/nope")
        .header("accept-language", "en-US,en;q=0.9,zh;q=0.5")
        .body(Bytes::new())
        .unwrap();
    let (status, body) = call(&host, req).await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["message"], body["error"]["message_en"]);
    assert_ne!(body["error"]["message_en"], body["error"]["message_zh"]);

    let req = request("GET", "/nope")
        .header("accept-language", "zh-CN,en;q=0.8")
        .body(Bytes::new())
        .unwrap();
    let (_, body) = call(&host, req).await;
    assert_eq!(body["error"]["message"], body["error"]["message_zh"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn request_body_cap_gives_413() {
    let state = tempfile::tempdir().unwrap();
    let mut opts = options(state.path());
    opts.max_request_body_bytes = 1024;
    let host = Host::load(opts).unwrap();
    let server = host.spawn("127.0.0.1:0").await.unwrap();

    let (status, _, body) = http_call(
        server.addr,
        "POST",
        "/api/?op=len",
        &[],
        Bytes::from(vec![b'x'; 1000]),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(serde_json::from_slice::<Value>(&body).unwrap()["len"], 1000);

    let (status, _, body) = http_call(
        server.addr,
        "POST",
        "/api/?op=len",
        &[],
        Bytes::from(vec![b'x'; 2048]),
    )
    .await;
    assert_eq!(status, 413);
    assert_eq!(
        serde_json::from_slice::<Value>(&body).unwrap()["error"]["code"],
        "host.body_too_large"
    );

    // In-process too.
    let req = request("POST", "/api/?op=len")
        .body(Bytes::from(vec![0u8; 1025]))
        .unwrap();
    let (status, body) = call(&host, req).await;
    assert_eq!(status, 413);
    assert_eq!(body["error"]["code"], "host.body_too_large");
}

#[tokio::test(flavor = "multi_thread")]
async fn outbound_http_only_to_allowed_hosts() {
    let state = tempfile::tempdir().unwrap();
    // Bind first so the allowed upstream (a template in allowed_outbound_hosts)
    // can name this very server.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut opts = options(state.path());
    opts.variables.insert("upstream".into(), addr.to_string());
    let host = Host::load(opts).unwrap();
    let serving = host.clone();
    let server = tokio::spawn(async move { serving.serve(listener).await });

    let allowed = format!("http://{addr}/api/exact");
    let (status, body) = get(&host, "/api/?op=fetch", &allowed).await;
    assert_eq!(
        (status, &body["status"]),
        (200, &Value::from(200)),
        "{body}"
    );

    let denied = format!("http://localhost:{}/api/exact", addr.port());
    let (status, body) = get(&host, "/api/?op=fetch", &denied).await;
    assert_eq!(status, 502);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("HttpRequestDenied"),
        "{body}"
    );

    // probe-min has no allowed_outbound_hosts at all.
    let (status, body) = get(&host, "/min/?op=fetch", &allowed).await;
    assert_eq!(status, 502);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("HttpRequestDenied"),
        "{body}"
    );
    server.abort();
}

#[tokio::test(flavor = "multi_thread")]
async fn files_are_mounted_read_only() {
    let state = tempfile::tempdir().unwrap();
    let host = load(state.path());

    let (status, body) = get(&host, "/api/?op=file", "/static/hello.txt").await;
    assert_eq!(
        (status, body["text"].as_str()),
        (200, Some("hello from static\n"))
    );
    let (status, body) = get(&host, "/api/?op=file", "/assets/data.json").await;
    assert_eq!(
        (status, body["text"].as_str()),
        (200, Some("{\"from\":\"assets\"}\n"))
    );
    // Excluded, and not listed at all.
    let (status, _) = get(&host, "/api/?op=file", "/static/docs/readme.md").await;
    assert_eq!(status, 404);
    let (status, _) = get(&host, "/api/?op=file", "/spin.toml").await;
    assert_eq!(status, 404);
    // A component without `files` sees no filesystem.
    let (status, _) = get(&host, "/min/?op=file", "/static/hello.txt").await;
    assert_eq!(status, 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn test_clock_is_the_guest_wall_clock() {
    let state = tempfile::tempdir().unwrap();
    let clock = TestClock::new(UNIX_EPOCH + Duration::from_secs(1_000_000_000));
    let mut opts = options(state.path());
    opts.clock = Some(clock.clone());
    let host = Host::load(opts).unwrap();

    let (_, body) = get(&host, "/api/?op=clock", "").await;
    assert_eq!(body["unix_seconds"], 1_000_000_000u64);
    clock.advance(Duration::from_secs(90));
    let (_, body) = get(&host, "/api/?op=clock", "").await;
    assert_eq!(body["unix_seconds"], 1_000_000_090u64);
    clock.set(UNIX_EPOCH + Duration::from_secs(1_700_000_000));
    let (_, body) = get(&host, "/api/?op=clock", "").await;
    assert_eq!(body["unix_seconds"], 1_700_000_000u64);

    // Without a TestClock the guest sees real time.
    let host = load(state.path());
    let (_, body) = get(&host, "/api/?op=clock", "").await;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let guest = body["unix_seconds"].as_u64().unwrap();
    assert!(guest.abs_diff(now) < 60, "guest {guest} vs host {now}");
}
