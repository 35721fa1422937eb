//! Login benchmark (not a test): logins/s through the test host with N
//! concurrent clients, next to raw Argon2id hashes/s of the same parameters
//! measured natively in the same run, and their ratio.
//!
//! cargo run --release --manifest-path tests/Cargo.toml -p integration --bin login_bench -- [--clients 4] [--seconds 10]
//!
//! Bounded (at most 120 s per phase); talks only to the loopback server it starts.

use integration::app;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.windows(2).find(|w| w[0] == name).and_then(|w| w[1].parse().ok()).unwrap_or(default)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let clients = arg("--clients", 4).clamp(1, 64) as usize;
    let seconds = arg("--seconds", 10).clamp(1, 120);
    let app = app()
        .variable("login_limit_per_client_per_five_minutes", "100000000")
        .spawn()
        .await;
    // Real time for the session clock would not matter: logins do not depend on it.
    let who = app.register_legal_entity().await;
    let body = serde_json::json!({ "account_type": "legal_entity", "login_name": who.login_name, "password": who.password });

    let done = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (client, url, origin, body) = (app.client.clone(), app.url("/api/auth/login"), app.origin(), body.clone());
        let (done, failed) = (done.clone(), failed.clone());
        tasks.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                match client.post(&url).header("origin", &origin).json(&body).send().await {
                    Ok(r) if r.status() == 200 => {
                        let _ = r.bytes().await;
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                    _ => {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let logins = done.load(Ordering::Relaxed) as f64 / elapsed;

    // Native Argon2id, same parameters, same number of threads.
    let hashes = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let threads: Vec<_> = (0..clients)
        .map(|_| {
            let hashes = hashes.clone();
            std::thread::spawn(move || {
                while Instant::now() < deadline {
                    let h = shared::password::hash("Harbour lights 2026", &shared::random::OsRandom);
                    std::hint::black_box(h);
                    hashes.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let native = hashes.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64();

    println!("login benchmark: {clients} concurrent clients, {seconds} s per phase, {} cores", std::thread::available_parallelism().map_or(0, |n| n.get()));
    println!("  logins through the test host: {logins:8.2} /s  ({} ok, {} failed)", done.load(Ordering::Relaxed), failed.load(Ordering::Relaxed));
    println!("  native Argon2id hashes:       {native:8.2} /s  (m=19456 KiB, t=2, p=1)");
    println!("  ratio logins / hashes:        {:8.2}", logins / native);
}
