//! What the host records for benchmarks and checks, beyond Spin: each
//! component's peak instance memory, and the SQL statements components ran.

mod common;

use bytes::Bytes;
use common::*;
use spin_test_host::Host;

const MIB: u64 = 1024 * 1024;

async fn post_len(host: &Host, size: usize) {
    let req = request("POST", "/api/?op=len")
        .body(Bytes::from(vec![b'x'; size]))
        .unwrap();
    let (status, body) = call(host, req).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["len"], size);
}

#[tokio::test(flavor = "multi_thread")]
async fn peak_instance_memory_is_recorded_per_component() {
    let state = tempfile::tempdir().unwrap();
    let host = Host::load(options(state.path()).single_use_instances()).unwrap();
    assert!(
        host.peak_instance_memory().is_empty(),
        "no instance ran yet"
    );

    post_len(&host, 1024).await;
    let small = host.peak_instance_memory()["probe"];
    assert!(small > 0 && small < 16 * MIB, "a small request's instance: {small} bytes");

    // The probe holds the whole body: its instance's memory holds 24 MiB.
    post_len(&host, 24 * MIB as usize).await;
    let peaks = host.peak_instance_memory();
    assert!(peaks["probe"] >= 24 * MIB, "{peaks:?}");
    assert_eq!(host.metrics().peak_instance_memory, peaks["probe"]);
    assert!(!peaks.contains_key("probe-min"), "only components that ran: {peaks:?}");

    // A later small request (a fresh instance) leaves the peak where it was.
    post_len(&host, 1024).await;
    assert_eq!(host.peak_instance_memory()["probe"], peaks["probe"]);
}

fn logged(path: &std::path::Path) -> Vec<(String, String)> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).expect("one JSON object a line");
            (
                v["component"].as_str().unwrap().to_owned(),
                v["sql"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn distinct_sql_statements_are_logged_once_when_asked() {
    let state = tempfile::tempdir().unwrap();
    let log = state.path().join("sql/statements.jsonl");
    let mut opts = options(state.path());
    opts.sql_log = Some(log.clone());
    let host = Host::load(opts).unwrap();
    for value in ["one", "two"] {
        let req = request("POST", "/api/?op=sql-put")
            .header("x-probe-arg", "default")
            .body(Bytes::from(value))
            .unwrap();
        assert_eq!(call(&host, req).await.0, 200);
    }
    assert_eq!(get(&host, "/api/?op=sql-list", "default").await.0, 200);

    let lines = logged(&log);
    let sql: Vec<&str> = lines.iter().map(|(_, s)| s.as_str()).collect();
    assert!(lines.iter().all(|(c, _)| c == "probe"), "{lines:?}");
    for wanted in ["INSERT INTO items (value) VALUES (?)", "SELECT id, value FROM items ORDER BY id", "BEGIN", "COMMIT"] {
        assert_eq!(sql.iter().filter(|s| **s == wanted).count(), 1, "{wanted:?} once in {sql:?}");
    }

    // A second host appends to the same file; statements it runs again are
    // logged again (once per host), and nothing is lost.
    let mut opts = options(state.path());
    opts.sql_log = Some(log.clone());
    let again = Host::load(opts).unwrap();
    assert_eq!(get(&again, "/api/?op=sql-list", "default").await.0, 200);
    assert_eq!(logged(&log).len(), lines.len() + 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn nothing_is_logged_by_default() {
    let state = tempfile::tempdir().unwrap();
    let host = load(state.path());
    let req = request("POST", "/api/?op=sql-put")
        .header("x-probe-arg", "default")
        .body(Bytes::from("x"))
        .unwrap();
    assert_eq!(call(&host, req).await.0, 200);
    let files: Vec<_> = walk(state.path());
    assert!(
        files.iter().all(|p| p.extension().is_none_or(|e| e != "jsonl")),
        "{files:?}"
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
