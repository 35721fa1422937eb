//! The `spin-test-host up` binary: startup output, SPIN_VARIABLE_* and flags.

mod common;

use bytes::Bytes;
use common::*;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// Kills the child (by its handle) when the test ends, pass or fail.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(args: &[&str], envs: &[(&str, &str)]) -> (Server, String, Vec<String>) {
    start_in(None, args, envs)
}

fn start_in(dir: Option<&std::path::Path>, args: &[&str], envs: &[(&str, &str)]) -> (Server, String, Vec<String>) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_spin-test-host"));
    if let Some(dir) = dir {
        cmd.current_dir(dir);
    }
    cmd.arg("up")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("start spin-test-host");
    let stdout = child.stdout.take().unwrap();
    let mut server = Server(child);
    // Drain stdout on a thread for the whole life of the child, so it never
    // blocks or hits a closed pipe.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut lines = Vec::new();
    let mut url = None;
    while let Ok(line) = rx.recv_timeout(std::time::Duration::from_secs(120)) {
        lines.push(line.clone());
        if let Some(u) = line.strip_prefix("Serving ") {
            url = Some(u.trim().to_string());
        }
        if line.starts_with("  probe-min:") {
            break;
        }
    }
    let Some(url) = url else {
        let mut err = String::new();
        use std::io::Read;
        server
            .0
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        panic!("no Serving line; stdout {lines:?}; stderr {err}");
    };
    (server, url, lines)
}

#[tokio::test(flavor = "multi_thread")]
async fn up_serves_with_env_variables_and_prints_routes() {
    let manifest = manifest();
    let state = tempfile::tempdir().unwrap();
    let (_server, url, lines) = start(
        &[
            "--from",
            manifest.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
            "--state-dir",
            state.path().to_str().unwrap(),
            "--variable",
            "region=ap-east",
        ],
        &[
            ("SPIN_VARIABLE_ENV_ONLY", "from-env"),
            ("SPIN_VARIABLE_API_TOKEN", TOKEN),
        ],
    );
    let addr: std::net::SocketAddr = url.trim_start_matches("http://").parse().unwrap();
    assert!(addr.ip().is_loopback());
    assert!(
        lines.contains(&format!("  probe: {url}/api (wildcard)")),
        "{lines:?}"
    );
    assert!(
        lines.contains(&format!("  probe: {url}/api/exact")),
        "{lines:?}"
    );
    assert!(
        !lines.iter().any(|l| l.contains(TOKEN)),
        "secret printed: {lines:?}"
    );

    for (name, expected) in [
        ("env_only", "from-env"),
        ("region_label", "region=ap-east"),
        ("token", TOKEN),
    ] {
        let (status, _, body) = http_call(
            addr,
            "GET",
            "/api/?op=var",
            &[("x-probe-arg", name)],
            Bytes::new(),
        )
        .await;
        assert_eq!(status, 200);
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["value"], expected, "{name}");
    }
    // Keep-alive: several requests on one connection work (hyper client reuses it).
    let (status, _, _) = http_call(addr, "GET", "/min/x", &[], Bytes::new()).await;
    assert_eq!(status, 200);
}

/// `cargo serve` names the manifest as `spin.toml`, relative to where it
/// runs: files and sources resolve as with a full path (as `spin up` does).
#[tokio::test(flavor = "multi_thread")]
async fn a_relative_manifest_path_serves_its_files() {
    let manifest = manifest();
    let state = tempfile::tempdir().unwrap();
    let (_server, url, _) = start_in(
        manifest.parent(),
        &["--from", "spin.toml", "--listen", "127.0.0.1:0", "--state-dir", state.path().to_str().unwrap()],
        &[("SPIN_VARIABLE_API_TOKEN", TOKEN)],
    );
    let addr: std::net::SocketAddr = url.trim_start_matches("http://").parse().unwrap();
    let (status, _, body) = http_call(addr, "GET", "/api/?op=file", &[("x-probe-arg", "/static/hello.txt")], Bytes::new()).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
}

#[test]
fn up_refuses_to_start_without_required_variable() {
    let manifest = manifest();
    let state = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_spin-test-host"))
        .args(["up", "--listen", "127.0.0.1:0", "--from"])
        .arg(&manifest)
        .arg("--state-dir")
        .arg(state.path())
        .env_remove("SPIN_VARIABLE_API_TOKEN")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("api_token") && stderr.contains("required"),
        "{stderr}"
    );
}

#[test]
fn bad_arguments_are_reported() {
    let output = Command::new(env!("CARGO_BIN_EXE_spin-test-host"))
        .args(["up", "--variable", "novalue"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("NAME=VALUE"));
}

#[tokio::test(flavor = "multi_thread")]
async fn instance_reuse_flags_are_spins() {
    let manifest = manifest();
    let state = tempfile::tempdir().unwrap();
    let (_server, url, _) = start(
        &[
            "--from",
            manifest.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
            "--state-dir",
            state.path().to_str().unwrap(),
            "--max-instance-reuse-count",
            "1",
            "--max-instance-concurrent-reuse-count",
            "1",
            "--idle-instance-timeout",
            "250ms",
        ],
        &[("SPIN_VARIABLE_API_TOKEN", TOKEN)],
    );
    let addr: std::net::SocketAddr = url.trim_start_matches("http://").parse().unwrap();
    let mut ids = Vec::new();
    for _ in 0..3 {
        let (status, _, body) =
            http_call(addr, "GET", "/api/?op=instance", &[], Bytes::new()).await;
        assert_eq!(status, 200);
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["requests"], 1, "a fresh instance each time: {body}");
        ids.push(body["instance"].as_str().unwrap().to_string());
    }
    ids.dedup();
    assert_eq!(ids.len(), 3);
}

#[test]
fn bad_instance_reuse_values_are_reported_as_spin_does() {
    for (flag, value, expected) in [
        (
            "--max-instance-reuse-count",
            "lots",
            "expected integer or range",
        ),
        (
            "--idle-instance-timeout",
            "1h",
            "expected integer suffixed by `s`",
        ),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_spin-test-host"))
            .args(["up", flag, value])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(expected) && stderr.contains(flag),
            "{stderr}"
        );
    }
}
