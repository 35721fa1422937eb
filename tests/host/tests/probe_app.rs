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
    assert_eq!(host.cron_triggers()[0].component, "cron-probe");
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
    // The declared label works.
    let (status, body) = call(&host, put("/api/?op=sql-put", "default")).await;
    assert_eq!(status, 200, "{body}");
    assert!(!state.path().join("other.db").exists());
}

#[test]
fn labels_spin_does_not_define_refuse_to_load_as_on_spin() {
    // Without a runtime-config file `spin up` defines only `default` (SQLite
    // and key-value), and refuses a manifest that names another label.
    let fixture = std::fs::read_to_string(manifest()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            fixture.replace(
                "sqlite_databases = [\"default\"]\nallowed",
                "sqlite_databases = [\"default\", \"audit\"]\nallowed",
            ),
            "One or more components use SQLite databases which are not defined.\n\
             Check the spelling, or pass a runtime configuration file that defines these stores.\n\
             See https://spinframework.dev/dynamic-configuration#sqlite-storage-runtime-configuration\n\
             Details:\n- Component probe uses database 'audit'",
        ),
        (
            fixture.replace(
                "sqlite_databases = [\"default\"]\nallowed",
                "sqlite_databases = [\"default\"]\nkey_value_stores = [\"cache\"]\nallowed",
            ),
            "unknown key_value_stores label \"cache\" for component \"probe\"",
        ),
    ];
    for (text, expected) in cases {
        assert_ne!(text, fixture, "the fixture changed: update this test");
        let path = dir.path().join("spin.toml");
        std::fs::write(&path, text).unwrap();
        let mut opts = spin_test_host::HostOptions::new(&path, dir.path().join("state"));
        opts.read_env_variables = false;
        opts.variables.insert("api_token".into(), TOKEN.into());
        let err = Host::load(opts).err().expect("load must fail");
        assert_eq!(format!("{err:#}"), expected);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_persists_across_restart() {
    let state = tempfile::tempdir().unwrap();
    {
        let host = load(state.path());
        for (label, value) in [("default", "one"), ("default", "two")] {
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
async fn trap_returns_an_empty_500_and_host_keeps_serving() {
    let state = tempfile::tempdir().unwrap();
    let host = load(state.path());
    let server = host.spawn("127.0.0.1:0").await.unwrap();
    assert!(server.addr.ip().is_loopback());

    // As Spin's `internal_error(None)`: a bare 500, no body, no headers of its own.
    let (status, headers, body) =
        http_call(server.addr, "GET", "/api/?op=trap", &[], Bytes::new()).await;
    assert_eq!(status, 500);
    assert!(body.is_empty(), "{body:?}");
    assert!(headers.get("content-type").is_none(), "{headers:?}");

    let (status, _, body) = http_call(server.addr, "GET", "/api/exact", &[], Bytes::new()).await;
    assert_eq!(status, 200);
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert!(header(&body, "spin-client-addr").starts_with("127.0.0.1:"));
    let metrics = host.metrics();
    assert_eq!(metrics.component_failures, 1);
    // The trap took its instance down: the next request needed a new one.
    assert!(
        metrics.requests >= 2 && metrics.instantiations >= 2,
        "{metrics:?}"
    );
    assert!(metrics.instantiate_total >= metrics.instantiate_last);
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_route_is_an_empty_404_as_on_spin() {
    let state = tempfile::tempdir().unwrap();
    let host = load(state.path());
    let response = host
        .handle(
            request("GET", "/nope").body(Bytes::new()).unwrap(),
            client_addr(),
        )
        .await;
    assert_eq!(response.status(), 404);
    assert!(response.body().is_empty());
    assert!(response.headers().is_empty(), "{:?}", response.headers());
}

#[tokio::test(flavor = "multi_thread")]
async fn well_known_spin_paths_are_answered_by_the_host() {
    let state = tempfile::tempdir().unwrap();
    let host = load(state.path());
    let get = |path: &'static str| {
        let host = host.clone();
        async move {
            host.handle(
                request("GET", path).body(Bytes::new()).unwrap(),
                client_addr(),
            )
            .await
        }
    };
    let health = get("/.well-known/spin/health").await;
    assert_eq!(
        (health.status().as_u16(), &health.body()[..]),
        (200, &b"OK"[..])
    );

    // Spin's `AppInfo`, pretty-printed.
    let info = get("/.well-known/spin/info").await;
    assert_eq!(info.status(), 200);
    assert_eq!(info.headers()["content-type"], "application/json");
    assert_eq!(
        std::str::from_utf8(info.body()).unwrap(),
        "{\n  \"name\": \"probe-app\",\n  \"version\": \"0.1.0\"\n}"
    );

    // The rest of the reserved prefix never reaches a component.
    let other = get("/.well-known/spin/other").await;
    assert_eq!(other.status(), 404);
    assert!(other.body().is_empty());
    assert_eq!(host.metrics().instantiations, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn large_bodies_stream_to_the_component_uncapped() {
    // Spin puts no limit on request bodies: the component decides.
    let state = tempfile::tempdir().unwrap();
    let host = load(state.path());
    let server = host.spawn("127.0.0.1:0").await.unwrap();
    let size = 70 * 1024 * 1024;
    let (status, _, body) = http_call(
        server.addr,
        "POST",
        "/api/?op=len",
        &[],
        Bytes::from(vec![b'x'; size]),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(serde_json::from_slice::<Value>(&body).unwrap()["len"], size);
}

#[tokio::test(flavor = "multi_thread")]
async fn client_sent_spin_headers_come_first_as_on_spin() {
    let state = tempfile::tempdir().unwrap();
    let host = load(state.path());
    let req = request("GET", "/api/exact")
        .header("spin-client-addr", "203.0.113.7:9")
        .body(Bytes::new())
        .unwrap();
    let (_, body) = call(&host, req).await;
    assert_eq!(
        body["header_values"]["spin-client-addr"],
        serde_json::json!(["203.0.113.7:9", "127.0.0.1:40000"])
    );
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

#[tokio::test(flavor = "multi_thread")]
async fn http2_with_prior_knowledge_is_served_as_by_spin() {
    use http_body_util::BodyExt;
    let state = tempfile::tempdir().unwrap();
    let host = load(state.path());
    let server = host.spawn("127.0.0.1:0").await.unwrap();
    let stream = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http2::handshake(
        hyper_util::rt::TokioExecutor::new(),
        hyper_util::rt::TokioIo::new(stream),
    )
    .await
    .unwrap();
    tokio::spawn(conn);
    let req = http::Request::builder()
        .uri(format!("http://{}/api/exact?op=echo", server.addr))
        .body(http_body_util::Empty::<Bytes>::new())
        .unwrap();
    let response = sender.send_request(req).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.version(), http::Version::HTTP_2);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(header(&body, "spin-matched-route"), "/api/exact");
}
