//! Load benchmark: loads the application in-process, serves it on 127.0.0.1:0
//! and drives one path with N concurrent keep-alive HTTP/1.1 clients.
//!
//! bench --from <spin.toml> --path /api/x [--clients 4] [--duration 10 | --requests N]
//!       [--method GET] [--body TEXT] [--header NAME:VALUE]... [--variable NAME=VALUE]...
//!       [--state-dir DIR] [--max-instance-reuse-count N|A..B]
//!       [--max-instance-concurrent-reuse-count N|A..B]
//!
//! Always bounded: at most 600 s and 10,000,000 requests; traffic goes only to
//! the loopback server it started.

use anyhow::{Context, Result, bail};
use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper_util::rt::TokioIo;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use spin_test_host::{Host, HostOptions, Range};

const MAX_DURATION: Duration = Duration::from_secs(600);
const MAX_REQUESTS: u64 = 10_000_000;

struct Args {
    from: PathBuf,
    path: String,
    clients: usize,
    duration: Option<Duration>,
    requests: Option<u64>,
    method: http::Method,
    body: Bytes,
    headers: Vec<(String, String)>,
    variables: Vec<(String, String)>,
    state_dir: Option<PathBuf>,
    max_instance_reuse_count: Option<Range<usize>>,
    max_instance_concurrent_reuse_count: Option<Range<usize>>,
}

fn parse_args() -> Result<Args> {
    let mut args = std::env::args().skip(1);
    let mut parsed = Args {
        from: PathBuf::from("spin.toml"),
        path: String::new(),
        clients: 4,
        duration: None,
        requests: None,
        method: http::Method::GET,
        body: Bytes::new(),
        headers: Vec::new(),
        variables: Vec::new(),
        state_dir: None,
        max_instance_reuse_count: None,
        max_instance_concurrent_reuse_count: None,
    };
    while let Some(flag) = args.next() {
        let mut value = || args.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--from" | "-f" => parsed.from = PathBuf::from(value()?),
            "--path" => parsed.path = value()?,
            "--clients" | "-c" => parsed.clients = value()?.parse().context("--clients")?,
            "--duration" | "-d" => {
                parsed.duration = Some(Duration::from_secs_f64(
                    value()?.parse().context("--duration")?,
                ))
            }
            "--requests" | "-n" => parsed.requests = Some(value()?.parse().context("--requests")?),
            "--method" | "-X" => parsed.method = value()?.parse().context("--method")?,
            "--body" => parsed.body = Bytes::from(value()?),
            "--header" | "-H" => {
                let v = value()?;
                let (k, v) = v.split_once(':').context("--header expects NAME:VALUE")?;
                parsed
                    .headers
                    .push((k.trim().to_string(), v.trim().to_string()));
            }
            "--variable" => {
                let v = value()?;
                let (k, v) = v.split_once('=').context("--variable expects NAME=VALUE")?;
                parsed.variables.push((k.to_string(), v.to_string()));
            }
            "--state-dir" => parsed.state_dir = Some(PathBuf::from(value()?)),
            "--max-instance-reuse-count" => {
                parsed.max_instance_reuse_count = Some(
                    value()?
                        .parse()
                        .map_err(|e: String| anyhow::anyhow!("{flag}: {e}"))?,
                )
            }
            "--max-instance-concurrent-reuse-count" => {
                parsed.max_instance_concurrent_reuse_count = Some(
                    value()?
                        .parse()
                        .map_err(|e: String| anyhow::anyhow!("{flag}: {e}"))?,
                )
            }
            "-h" | "--help" => {
                println!(
                    "bench --from <spin.toml> --path /api/x [--clients N] [--duration S | --requests N] [--method GET] [--body TEXT] [--header NAME:VALUE] [--variable NAME=VALUE] [--state-dir DIR] [--max-instance-reuse-count N|A..B] [--max-instance-concurrent-reuse-count N|A..B]"
                );
                std::process::exit(0);
            }
            other => bail!("unknown option {other:?}"),
        }
    }
    if !parsed.path.starts_with('/') {
        bail!("--path /something is required");
    }
    if parsed.clients == 0 || parsed.clients > 1024 {
        bail!("--clients must be 1..=1024");
    }
    if parsed.duration.is_none() && parsed.requests.is_none() {
        parsed.duration = Some(Duration::from_secs(10));
    }
    Ok(parsed)
}

#[derive(Default)]
struct ClientResult {
    latencies: Vec<Duration>,
    errors: u64,
    statuses: BTreeMap<u16, u64>,
    first_error: Option<String>,
}

async fn client(
    addr: std::net::SocketAddr,
    args: Arc<Args>,
    issued: Arc<AtomicU64>,
    limit: u64,
    deadline: Instant,
) -> ClientResult {
    let mut result = ClientResult::default();
    let mut sender: Option<hyper::client::conn::http1::SendRequest<Full<Bytes>>> = None;
    while Instant::now() < deadline && issued.fetch_add(1, Ordering::Relaxed) < limit {
        if sender.as_ref().is_none_or(|s| s.is_closed()) {
            match connect(addr).await {
                Ok(s) => sender = Some(s),
                Err(err) => {
                    result.errors += 1;
                    result
                        .first_error
                        .get_or_insert(format!("connect: {err:#}"));
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            }
        }
        let s = sender.as_mut().expect("connected above");
        let mut req = http::Request::builder()
            .method(args.method.clone())
            .uri(&args.path)
            .header(http::header::HOST, addr.to_string());
        for (k, v) in &args.headers {
            req = req.header(k, v);
        }
        let req = req
            .body(Full::new(args.body.clone()))
            .expect("valid request");
        let started = Instant::now();
        let outcome = async {
            s.ready().await?;
            let response = s.send_request(req).await?;
            let status = response.status().as_u16();
            response.into_body().collect().await?;
            Ok::<_, hyper::Error>(status)
        }
        .await;
        match outcome {
            Ok(status) => {
                result.latencies.push(started.elapsed());
                *result.statuses.entry(status).or_default() += 1;
                if status >= 500 {
                    result.errors += 1;
                }
            }
            Err(err) => {
                result.errors += 1;
                result.first_error.get_or_insert(err.to_string());
                sender = None;
            }
        }
    }
    result
}

async fn connect(
    addr: std::net::SocketAddr,
) -> Result<hyper::client::conn::http1::SendRequest<Full<Bytes>>> {
    let stream = tokio::net::TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    Ok(sender)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Arc::new(parse_args()?);
    let state_dir = match &args.state_dir {
        Some(dir) => dir.clone(),
        None => std::env::temp_dir().join(format!("spin-test-host-bench-{}", std::process::id())),
    };
    let mut opts = HostOptions::new(&args.from, &state_dir);
    opts.variables.extend(args.variables.iter().cloned());
    if let Some(v) = args.max_instance_reuse_count {
        opts.max_instance_reuse_count = v;
    }
    if let Some(v) = args.max_instance_concurrent_reuse_count {
        opts.max_instance_concurrent_reuse_count = v;
    }
    let load_started = Instant::now();
    let host = tokio::task::spawn_blocking(move || Host::load(opts)).await??;
    let load_time = load_started.elapsed();
    let server = host.spawn("127.0.0.1:0").await?;

    let duration = args.duration.unwrap_or(MAX_DURATION).min(MAX_DURATION);
    let limit = args.requests.unwrap_or(MAX_REQUESTS).min(MAX_REQUESTS);
    println!(
        "bench: {} {} with {} client(s), {} (load + compile took {})",
        args.method,
        args.path,
        args.clients,
        match args.requests {
            Some(n) => format!("{n} requests (at most {}s)", duration.as_secs()),
            None => format!("{:.1}s", duration.as_secs_f64()),
        },
        ms(load_time),
    );

    let before = host.metrics();
    let issued = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    for _ in 0..args.clients {
        tasks.push(tokio::spawn(client(
            server.addr,
            args.clone(),
            issued.clone(),
            limit,
            deadline,
        )));
    }
    let mut all = ClientResult::default();
    for task in tasks {
        let r = task.await?;
        all.latencies.extend(r.latencies);
        all.errors += r.errors;
        for (status, n) in r.statuses {
            *all.statuses.entry(status).or_default() += n;
        }
        if all.first_error.is_none() {
            all.first_error = r.first_error;
        }
    }
    let elapsed = started.elapsed();
    drop(server);
    let after = host.metrics();

    all.latencies.sort();
    let completed = all.latencies.len();
    let instantiations = after.instantiations - before.instantiations;
    let instantiate_avg = if instantiations == 0 {
        Duration::ZERO
    } else {
        (after.instantiate_total - before.instantiate_total) / instantiations as u32
    };
    println!(
        "completed:   {completed} responses in {:.2}s",
        elapsed.as_secs_f64()
    );
    println!(
        "throughput:  {:.1} requests/s",
        completed as f64 / elapsed.as_secs_f64()
    );
    println!(
        "latency:     p50 {}  p90 {}  p99 {}  max {}",
        ms(percentile(&all.latencies, 50.0)),
        ms(percentile(&all.latencies, 90.0)),
        ms(percentile(&all.latencies, 99.0)),
        ms(all.latencies.last().copied().unwrap_or_default()),
    );
    println!("errors:      {} (transport failures and 5xx)", all.errors);
    println!(
        "statuses:    {}",
        all.statuses
            .iter()
            .map(|(s, n)| format!("{s}x{n}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!(
        "instances:   {instantiations} for {completed} responses (at most {} at once in one)",
        after.peak_instance_concurrency
    );
    println!(
        "instantiate: {} average over {instantiations} instantiation(s)",
        ms(instantiate_avg)
    );
    if let Some(err) = all.first_error {
        println!("first error: {err}");
    }
    if args.state_dir.is_none() {
        let _ = std::fs::remove_dir_all(&state_dir);
    }
    Ok(())
}
