//! The platform as a component sees it, on real Spin and on the test host:
//! the probe fixture (`tests/fixtures/probe`) reports routing, the `spin-*`
//! headers, variables, SQLite, files, outbound HTTP and which instance served
//! each request; the manifest (`tests/fixtures/spin.toml`) also has a cron
//! trigger, so on Spin (with the cron plugin) it proves that a manifest with
//! both trigger kinds starts and that the scheduled component runs and
//! shares the database.

use fidelity::exchange::{Recorder, Req, Target};
use fidelity::spin::{SpinEnv, SpinUp, repo_root};
use fidelity::{HostUp, assert_same};
use std::time::{Duration, Instant};

const VARIABLES: &[(&str, &str)] = &[("api_token", "s3cret-token-value"), ("region", "eu-west")];

fn manifest() -> std::path::PathBuf {
    repo_root().join("tests/fixtures/spin.toml")
}

/// The same requests for both targets. Sequential requests leave the
/// instance a moment to be free again, so that reuse is decided by the
/// platform's policy, not by a race.
async fn probe(r: &mut Recorder) {
    let settle = || tokio::time::sleep(Duration::from_millis(150));
    // Routing and the spin-* headers, a client's own spin-client-addr included.
    r.expect("exact route", Req::get("/api/exact"), 200).await;
    r.expect(
        "longest wildcard, query, forged client address",
        Req::get("/api/users/42/posts?op=echo&x=1").header("spin-client-addr", "203.0.113.7:9"),
        200,
    )
    .await;
    r.expect("wildcard root", Req::get("/api"), 200).await;
    r.expect("another method", Req::new("DELETE", "/min/thing"), 200)
        .await;
    r.expect("unknown route", Req::get("/nope"), 404).await;
    r.expect("Spin's app info", Req::get("/.well-known/spin/info"), 200)
        .await;
    r.expect(
        "the rest of Spin's prefix",
        Req::get("/.well-known/spin/other"),
        404,
    )
    .await;

    // Variables.
    for name in [
        "greeting",
        "region_label",
        "token",
        "not_declared",
        "Bad-Name",
    ] {
        r.send(
            &format!("variable {name}"),
            Req::get("/api/?op=var").header("x-probe-arg", name),
        )
        .await;
    }
    r.send(
        "a variable the component did not declare",
        Req::get("/min/?op=var").header("x-probe-arg", "greeting"),
    )
    .await;

    // SQLite.
    for value in ["one", "two"] {
        r.expect(
            "SQLite insert in a transaction",
            Req::post("/api/?op=sql-put")
                .header("x-probe-arg", "default")
                .raw_body(value.into()),
            200,
        )
        .await;
    }
    r.expect(
        "SQLite rows",
        Req::get("/api/?op=sql-list").header("x-probe-arg", "default"),
        200,
    )
    .await;
    r.expect(
        "SQLite: an undeclared label",
        Req::post("/api/?op=sql-put")
            .header("x-probe-arg", "other")
            .raw_body(b"v".to_vec()),
        403,
    )
    .await;
    r.expect(
        "SQLite: a component without databases",
        Req::post("/min/?op=sql-put")
            .header("x-probe-arg", "default")
            .raw_body(b"v".to_vec()),
        403,
    )
    .await;

    // Bodies: with a length, and chunked.
    r.expect(
        "a 1 MiB body",
        Req::post("/api/?op=len").raw_body(vec![b'x'; 1 << 20]),
        200,
    )
    .await;
    r.expect(
        "a chunked body",
        Req::post("/api/?op=len").chunked(vec![vec![b'y'; 3000], vec![b'z'; 5000]]),
        200,
    )
    .await;

    // Files.
    for path in [
        "/static/hello.txt",
        "/assets/data.json",
        "/static/docs/readme.md",
        "/spin.toml",
    ] {
        r.send(
            &format!("file {path}"),
            Req::get("/api/?op=file").header("x-probe-arg", path),
        )
        .await;
    }
    r.send(
        "file in a component without files",
        Req::get("/min/?op=file").header("x-probe-arg", "/static/hello.txt"),
    )
    .await;

    // Outbound HTTP: a host not allowed, and the allowed one (nobody listens there).
    r.send(
        "outbound to a host not allowed",
        Req::get("/api/?op=fetch").header("x-probe-arg", "http://localhost:9/"),
    )
    .await;
    r.send(
        "outbound to the allowed host",
        Req::get("/api/?op=fetch").header("x-probe-arg", "http://127.0.0.1:9/"),
    )
    .await;

    // A trap: an empty 500, and the instance is gone.
    r.expect("a trap", Req::get("/api/?op=trap"), 500).await;
    settle().await;
    // Reuse: one fresh instance for the next requests, one after the other...
    for i in 1..=3 {
        let resp = r
            .expect(
                "sequential requests after the trap",
                Req::get("/api/?op=instance"),
                200,
            )
            .await;
        assert_eq!(
            resp.json()["requests"],
            i,
            "on {}: {}",
            r.target.name,
            resp.text()
        );
        settle().await;
    }
    // ...and three at once, each waiting for its body, in that same instance.
    let held = (0..3).map(|_| Req::post("/api/?op=wait")).collect();
    let answers = r
        .send_held(
            "three requests at once",
            held,
            Duration::from_millis(300),
            b"held",
        )
        .await;
    let first = answers[0].json()["instance"].clone();
    for a in &answers {
        assert_eq!(a.status, 200, "{}", a.text());
        assert_eq!(
            a.json()["instance"],
            first,
            "one instance on {}",
            r.target.name
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a spin binary; cargo test-all runs it when there is one"]
async fn the_probe_sees_the_same_platform_on_real_spin_and_on_the_test_host() {
    let env = SpinEnv::get().expect("a spin binary and a plugin store");
    let spin = SpinUp::start(&env, &manifest(), VARIABLES).expect("spin up serves the probe app");
    let mut on_spin = Recorder::new(Target::new("spin", &spin.base));
    let mut on_spin = match tokio::spawn(async move {
        probe(&mut on_spin).await;
        on_spin
    })
    .await
    {
        Ok(recorder) => recorder,
        Err(e) => panic!(
            "the probe failed on real Spin: {e}\n--- spin up said:\n{}",
            spin.output()
        ),
    };

    // Both trigger kinds run: the cron probe ticks every second into the
    // database the HTTP probe reads.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let ticks = on_spin.exchange(Req::get("/api/?op=ticks")).await.json()["ticks"]
            .as_i64()
            .unwrap_or(0);
        if ticks >= 2 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the cron trigger did not run (ticks: {ticks}):\n{}",
            spin.output()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    on_spin.target = Target::new("spin", &spin.base);
    drop(spin);

    let host = HostUp::start(&manifest(), VARIABLES).await;
    let mut on_host = Recorder::new(Target::new("host", &host.url()));
    probe(&mut on_host).await;
    fidelity::dump("probe", &on_spin.transcript, &on_host.transcript);
    println!("{} answers compared", on_spin.transcript.len());
    assert_same(&on_spin.transcript, &on_host.transcript);
}
