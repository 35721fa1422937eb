//! Instance reuse as Spin 4 does it for WASIp3 components: up to 128
//! requests per instance, up to 16 at once, dropped after 1 s idle. The probe
//! component counts its requests in a static and names its instance, so the
//! tests see which requests shared one.

mod common;

use bytes::Bytes;
use common::*;
use http_body_util::BodyExt as _;
use serde_json::Value;
use spin_test_host::{Host, Range};
use std::time::Duration;

/// `op=instance`: (instance id, requests that instance has started).
async fn which_instance(host: &Host) -> (String, u64) {
    let (status, body) = get(host, "/api/?op=instance", "").await;
    assert_eq!(status, 200, "{body}");
    (
        body["instance"].as_str().unwrap().to_string(),
        body["requests"].as_u64().unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn sequential_requests_reuse_one_instance_by_default() {
    let state = tempfile::tempdir().unwrap();
    let host = load(state.path());
    let mut seen = Vec::new();
    for _ in 0..5 {
        seen.push(which_instance(&host).await);
        settle(&host).await;
    }
    let first = &seen[0].0;
    assert!(seen.iter().all(|(id, _)| id == first), "{seen:?}");
    assert_eq!(
        seen.iter().map(|s| s.1).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5]
    );
    let m = host.metrics();
    assert_eq!(
        (m.instantiations, m.peak_instance_requests),
        (1, 5),
        "{m:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn max_instance_reuse_count_caps_the_requests_of_an_instance() {
    let state = tempfile::tempdir().unwrap();
    let mut opts = options(state.path());
    opts.max_instance_reuse_count = Range::Value(3);
    let host = Host::load(opts).unwrap();
    let mut seen = Vec::new();
    for _ in 0..7 {
        seen.push(which_instance(&host).await);
        settle(&host).await;
    }
    let counts: Vec<u64> = seen.iter().map(|s| s.1).collect();
    assert_eq!(counts, [1, 2, 3, 1, 2, 3, 1], "{seen:?}");
    assert_eq!(seen[0].0, seen[2].0);
    assert_ne!(seen[2].0, seen[3].0);
    assert_eq!(seen[3].0, seen[5].0);
    assert_ne!(seen[5].0, seen[6].0);
    assert_eq!(host.metrics().instantiations, 3);
    // An instance that reached its count is dropped once its last request is done.
    wait_for(&host, "two instances dropped", |m| m.instances_dropped >= 2).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn single_use_instances_give_every_request_a_fresh_instance() {
    let state = tempfile::tempdir().unwrap();
    let host = Host::load(options(state.path()).single_use_instances()).unwrap();
    let mut ids = Vec::new();
    for _ in 0..3 {
        let (id, requests) = which_instance(&host).await;
        assert_eq!(requests, 1);
        ids.push(id);
    }
    ids.dedup();
    assert_eq!(ids.len(), 3, "{ids:?}");
    assert_eq!(host.metrics().instantiations, 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn sixteen_requests_share_an_instance_at_once_and_the_seventeenth_gets_another() {
    let state = tempfile::tempdir().unwrap();
    let host = load(state.path());
    let mut senders = Vec::new();
    let mut answers = Vec::new();
    // Each request waits inside the component for its body; the next one is
    // sent once the previous is in its instance, which is then idle (all its
    // requests wait on I/O) and takes the next one, as Spin's does.
    for i in 0..17u64 {
        let (req, tx) = held_request("POST", "/api/?op=wait");
        let serving = host.clone();
        answers.push(tokio::spawn(async move {
            let response = serving.handle_streaming(req, client_addr()).await;
            let status = response.status().as_u16();
            let body = response.into_body().collect().await.unwrap().to_bytes();
            (status, serde_json::from_slice::<Value>(&body).unwrap())
        }));
        senders.push(tx);
        wait_for(&host, "the request in an instance", |m| {
            m.in_flight == i + 1
        })
        .await;
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let m = host.metrics();
    assert_eq!(m.peak_instance_concurrency, 16, "{m:?}");
    assert_eq!(
        m.instantiations, 2,
        "the 17th needed a second instance: {m:?}"
    );

    for (i, tx) in senders.into_iter().enumerate() {
        tx.send(Bytes::from(vec![b'x'; i])).await.unwrap();
    }
    let mut by_instance = std::collections::HashMap::<String, Vec<u64>>::new();
    for (i, answer) in answers.into_iter().enumerate() {
        let (status, body) = answer.await.unwrap();
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["len"], i, "each request read its own body");
        by_instance
            .entry(body["instance"].as_str().unwrap().to_string())
            .or_default()
            .push(body["requests"].as_u64().unwrap());
    }
    let mut sizes: Vec<usize> = by_instance.values().map(Vec::len).collect();
    sizes.sort();
    assert_eq!(sizes, [1, 16], "{by_instance:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn idle_instances_are_dropped_after_the_idle_timeout() {
    let state = tempfile::tempdir().unwrap();
    let mut opts = options(state.path());
    opts.idle_instance_timeout = Range::Value(Duration::from_millis(200));
    let host = Host::load(opts).unwrap();
    let (first, _) = which_instance(&host).await;
    wait_for(&host, "the idle instance dropped", |m| {
        m.instances_dropped == 1
    })
    .await;
    assert_eq!(host.metrics().live_instances(), 0);
    let (second, requests) = which_instance(&host).await;
    assert_ne!(first, second);
    assert_eq!(requests, 1, "a fresh instance");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_trap_takes_its_instance_down_and_the_next_request_gets_a_fresh_one() {
    let state = tempfile::tempdir().unwrap();
    let host = load(state.path());
    let (before, _) = which_instance(&host).await;
    settle(&host).await;
    let response = host
        .handle(
            request("GET", "/api/?op=trap").body(Bytes::new()).unwrap(),
            client_addr(),
        )
        .await;
    assert_eq!(response.status(), 500);
    wait_for(&host, "the trapped instance dropped", |m| {
        m.instances_dropped == 1
    })
    .await;
    let (after, requests) = which_instance(&host).await;
    assert_ne!(before, after);
    assert_eq!(requests, 1);
}
