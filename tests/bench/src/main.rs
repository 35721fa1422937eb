//! `cargo bench-all`: every figure of issue 9 in one run, one table.
//!
//! bench-all [--seconds S] [--rounds R] [--clients N] [--accounts N] [--quick]
//!           [--only light,reuse,logins,scale,memory,start]
//!           [--manifest spin.toml] [--hash-probe tests/fixtures/hash-probe/spin.toml]
//!           [--host-bin tests/target/release/spin-test-host]
//! bench-all seed --accounts N --state-dir DIR
//! bench-all paced ... (one round of a paced figure; `bench-all` starts it)
//!
//! The xtask (`cargo bench-all`, `cargo xtask seed`) builds what this needs
//! first. Everything runs in-process on loopback (the test host serves on
//! 127.0.0.1:0; the start figures run the host binary on a free loopback
//! port; each round of a paced figure runs in a process of its own, see
//! [`Paced`]), in throw-away state directories that are removed at the end;
//! every phase is bounded by its duration.

use anyhow::{Context as _, Result, bail, ensure};
use bench::{DEPLOYED_CONCURRENT_REUSE, DEPLOYED_REUSE_COUNT};
use bench::documents::{self, FilePart};
use bench::load::{self, Measured, Request};
use bench::report::{self, Table, count, mib, ms};
use bench::seed::{self, Scale, Seeded};
use shared::clock::SystemClock;
use spin_test_host::{Host, HostOptions, RunningHost};
use std::collections::{BTreeSet, HashMap};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

const SECTIONS: &[&str] = &["light", "reuse", "logins", "scale", "memory", "start"];
/// The scale the light and login figures are first measured at.
const SMALL: u64 = 1_000;

struct Args {
    manifest: PathBuf,
    hash_probe: Option<PathBuf>,
    host_bin: Option<PathBuf>,
    seconds: f64,
    clients: usize,
    login_clients: usize,
    rounds: u32,
    accounts: u64,
    only: BTreeSet<String>,
    work_dir: PathBuf,
    /// The flags as given, without the paths the xtask adds (for the header).
    shown: Vec<String>,
}

const USAGE: &str = "\
bench-all [--seconds S] [--rounds R] [--clients N] [--login-clients N] [--accounts N] [--quick]
          [--only light,reuse,logins,scale,memory,start]
          [--manifest spin.toml] [--hash-probe tests/fixtures/hash-probe/spin.toml] [--host-bin PATH]
bench-all seed --accounts N --state-dir DIR
bench-all paced ...   (one round of a paced figure, in a process of its own: bench-all starts it)

--seconds      measured time of each figure (default 10, after 1 s of warm-up)
--rounds       slices the measured time is cut into, interleaved with the figures
               it is compared with (default 3), so drift on a shared machine hits all alike
--clients      keep-alive clients for the light requests (default 16)
--login-clients clients for the logins and threads for the native hashes (default 4)
--accounts     accounts of the scale figures (default 1000000)
--quick        --seconds 2 --accounts 100000
--only         the sections to run (default all)";

fn parse_args(args: &[String]) -> Result<Args> {
    let mut a = Args {
        manifest: PathBuf::from("spin.toml"),
        hash_probe: None,
        host_bin: None,
        seconds: 10.0,
        clients: 16,
        login_clients: 4,
        rounds: 3,
        accounts: 1_000_000,
        only: SECTIONS.iter().map(|s| s.to_string()).collect(),
        work_dir: std::env::temp_dir(),
        shown: Vec::new(),
    };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let path_flag = matches!(flag.as_str(), "--manifest" | "--hash-probe" | "--host-bin" | "--work-dir");
        if !path_flag {
            a.shown.push(flag.clone());
        }
        let shown = &mut a.shown;
        let mut value = || {
            let v = it.next().with_context(|| format!("{flag} needs a value"))?;
            if !path_flag {
                shown.push(v.clone());
            }
            Ok::<_, anyhow::Error>(v)
        };
        match flag.as_str() {
            "--manifest" => a.manifest = PathBuf::from(value()?),
            "--hash-probe" => a.hash_probe = Some(PathBuf::from(value()?)),
            "--host-bin" => a.host_bin = Some(PathBuf::from(value()?)),
            "--work-dir" => a.work_dir = PathBuf::from(value()?),
            "--seconds" => a.seconds = value()?.parse().context("--seconds")?,
            "--clients" => a.clients = value()?.parse().context("--clients")?,
            "--login-clients" => a.login_clients = value()?.parse().context("--login-clients")?,
            "--rounds" => a.rounds = value()?.parse().context("--rounds")?,
            "--accounts" => a.accounts = value()?.parse().context("--accounts")?,
            "--quick" => {
                a.seconds = 2.0;
                a.accounts = 100_000;
            }
            "--only" => {
                let v = value()?;
                a.only = v.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect();
                if let Some(bad) = a.only.iter().find(|s| !SECTIONS.contains(&s.as_str())) {
                    bail!("--only: unknown section {bad:?} (sections: {})", SECTIONS.join(","));
                }
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unknown option {other:?}\n\n{USAGE}"),
        }
    }
    ensure!((0.5..=120.0).contains(&a.seconds), "--seconds must be 0.5..=120");
    ensure!((1..=256).contains(&a.clients), "--clients must be 1..=256");
    ensure!((1..=64).contains(&a.login_clients), "--login-clients must be 1..=64");
    ensure!((1..=20).contains(&a.rounds), "--rounds must be 1..=20");
    ensure!((SMALL..=5_000_000).contains(&a.accounts), "--accounts must be {SMALL}..=5000000");
    Ok(a)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("seed") => seed_command(&args[1..]),
        Some("paced") => paced_command(&args[1..]),
        _ => bench(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench-all: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// `bench-all seed --accounts N --state-dir DIR`: a state directory to keep.
fn seed_command(args: &[String]) -> Result<()> {
    let mut accounts = 1_000_000u64;
    let mut state_dir = None;
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--accounts" => accounts = value()?.parse().context("--accounts")?,
            "--state-dir" => state_dir = Some(PathBuf::from(value()?)),
            other => bail!("unknown option {other:?}: bench-all seed --accounts N --state-dir DIR"),
        }
    }
    let state_dir = state_dir.context("--state-dir DIR is required (a new directory, or one without a database)")?;
    let s = seed::seed(&state_dir, Scale { accounts }, &SystemClock)?;
    println!("seeded {} in {:.1} s: {} ({})", state_dir.display(), s.took.as_secs_f64(), mib(s.bytes), s.db.display());
    for (table, n) in &s.rows {
        println!("  {table:22} {n:>10}");
    }
    for t in &s.unseeded {
        println!("  {t:22} (not seeded: unknown to the seeder)");
    }
    println!("every account's password: {:?}; e.g. legal entity {}, natural person {}", seed::PASSWORD, s.legal_entity.login_name, s.natural_person.login_name);
    Ok(())
}

/// A throw-away directory, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(parent: &Path, name: &str) -> Result<Scratch> {
        let dir = parent.join(format!("bench-all-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        Ok(Scratch(dir))
    }
}

impl std::ops::Deref for Scratch {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A seeded database and copies of it, one fresh copy per phase.
struct Fixture {
    seeded: Seeded,
    scratch: Scratch,
    copies: u32,
}

impl Fixture {
    fn seed(work: &Path, accounts: u64) -> Result<Fixture> {
        let scratch = Scratch::new(work, &format!("seed-{accounts}"))?;
        let seeded = seed::seed(&scratch.0.join("seed"), Scale { accounts }, &SystemClock)?;
        on_disk(&seeded.db)?;
        Ok(Fixture { seeded, scratch, copies: 0 })
    }

    /// A new state directory holding a copy of the seeded database, removed
    /// when dropped.
    fn fresh_state(&mut self) -> Result<Scratch> {
        self.copies += 1;
        let dir = self.scratch.0.join(format!("state-{}", self.copies));
        std::fs::create_dir_all(&dir)?;
        let state = Scratch(dir);
        let copy = spin_test_host::database_path(&state, "default");
        std::fs::copy(&self.seeded.db, &copy).context("copy the seeded database")?;
        on_disk(&copy)?;
        Ok(state)
    }
}

/// Waits until `file` is written to the disk: the kernel would otherwise
/// write a fresh gigabyte-sized copy back while the next figure runs, and
/// every write the app makes then waits behind it.
fn on_disk(file: &Path) -> Result<()> {
    std::fs::File::open(file).and_then(|f| f.sync_all()).with_context(|| format!("sync {}", file.display()))
}

/// Variables every figure runs with: the per-client limits raised so the
/// one benchmark client address is never refused.
fn bench_variables() -> HashMap<String, String> {
    [
        "registration_check_limit_per_minute",
        "login_limit_per_client_per_five_minutes",
        "sms_codes_per_client_per_hour",
        "appeal_filings_per_client_per_hour",
        "appeal_lookups_per_client_per_hour",
        "password_reset_limit_per_client_per_hour",
    ]
    .into_iter()
    .map(|name| (name.to_owned(), "1000000000".to_owned()))
    .collect()
}

struct App {
    host: Host,
    server: RunningHost,
}

/// How the host reuses instances for a figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reuse {
    /// As the app is run (`cargo serve`, docs/deployment.md): one request at
    /// a time in an instance (`--max-instance-concurrent-reuse-count`
    /// [`DEPLOYED_CONCURRENT_REUSE`]), 1,000-2,000 in its life
    /// (`--max-instance-reuse-count` [`DEPLOYED_REUSE_COUNT`]).
    Deployed,
    /// As deployed, but with Spin's default life of 128 requests an instance.
    SpinDefaultLife,
    /// Spin's defaults for WASIp3 components: up to 16 requests at once in
    /// an instance, 128 in its life.
    SpinDefault,
    /// A fresh instance per request (`--max-instance-reuse-count 1`).
    Off,
}

impl Reuse {
    const ALL: [Reuse; 4] = [Reuse::Deployed, Reuse::SpinDefaultLife, Reuse::SpinDefault, Reuse::Off];

    /// Its name on `bench-all paced`'s command line.
    fn flag(self) -> &'static str {
        match self {
            Reuse::Deployed => "deployed",
            Reuse::SpinDefaultLife => "spin-default-life",
            Reuse::SpinDefault => "spin-default",
            Reuse::Off => "off",
        }
    }

    fn from_flag(flag: &str) -> Result<Reuse> {
        Reuse::ALL.into_iter().find(|r| r.flag() == flag).with_context(|| format!("--reuse {flag:?}: one of deployed, spin-default-life, spin-default, off"))
    }
}

impl App {
    async fn load(manifest: &Path, state: &Path, reuse: Reuse) -> Result<App> {
        let mut opts = HostOptions::new(manifest, state);
        opts.read_env_variables = false;
        opts.variables = bench_variables();
        match reuse {
            Reuse::Deployed => {
                opts.max_instance_concurrent_reuse_count = spin_test_host::Range::Value(DEPLOYED_CONCURRENT_REUSE);
                opts.max_instance_reuse_count = spin_test_host::Range::Bounds(DEPLOYED_REUSE_COUNT.0, DEPLOYED_REUSE_COUNT.1);
            }
            Reuse::SpinDefaultLife => opts.max_instance_concurrent_reuse_count = spin_test_host::Range::Value(DEPLOYED_CONCURRENT_REUSE),
            Reuse::SpinDefault => {}
            Reuse::Off => opts = opts.single_use_instances(),
        }
        let host = tokio::task::spawn_blocking(move || Host::load(opts)).await??;
        let server = host.spawn("127.0.0.1:0").await?;
        // The first answer also checks the schema, as any first request would.
        let (status, _, body) = load::once(server.addr, &Request::get("/api/health")).await?;
        ensure!(status == 200, "the app does not answer /api/health: {status} {}", String::from_utf8_lossy(&body));
        Ok(App { host, server })
    }

    fn addr(&self) -> SocketAddr {
        self.server.addr
    }

    fn origin(&self) -> String {
        format!("http://{}", self.server.addr)
    }

    fn login_request(&self, account_type: &str, login_name: &str) -> Request {
        Request::post_json(
            "/api/auth/login",
            &self.origin(),
            &serde_json::json!({ "account_type": account_type, "login_name": login_name, "password": seed::PASSWORD }),
        )
    }

    /// Logs in; returns the session cookie (`__Host-session=...`).
    async fn session_cookie(&self, login_name: &str) -> Result<String> {
        let (status, headers, body) = load::once(self.addr(), &self.login_request("legal_entity", login_name)).await?;
        ensure!(status == 200, "login failed: {status} {}", String::from_utf8_lossy(&body));
        let cookie = headers.get("set-cookie").context("no session cookie")?.to_str()?;
        Ok(cookie.split(';').next().unwrap_or_default().to_owned())
    }
}

struct Bench {
    args: Args,
    table: Table,
    warmup: Duration,
    measured: Duration,
}

fn line(m: &Measured) -> String {
    format!("{} req/s, p50 {}, p99 {}", count(m.per_second()), ms(m.percentile(50.0)), ms(m.percentile(99.0)))
}

/// The light target's rate: p99 is measured with the clients sending this
/// many requests a second together.
const LIGHT_TARGET_RATE: f64 = 3000.0;

/// One light endpoint's figures: at 1k flat out and at the target's rate,
/// with reuse off, at scale.
struct LightEndpoint {
    on: Measured,
    paced: Paced,
    /// Paced, with instances of Spin's default life (128 requests).
    paced_spin_life: Option<Paced>,
    /// Paced, Spin's own health check on the same app (with `health` only):
    /// what the driver and the HTTP server take without a component.
    paced_baseline: Option<Paced>,
    off: Option<Measured>,
    /// With reuse off: the instances made during the measured rounds and
    /// the host's time creating them (store and instantiation).
    off_starts: Option<InstanceStarts>,
    scale: Option<Measured>,
}

/// A figure at the target's rate, and the instances started meanwhile.
///
/// Each of its rounds runs in a process of its own (`bench-all paced`,
/// [`paced_command`]) with only this figure's app loaded, on one copy of the
/// fixture's database for all its rounds: Spin runs one app in a process,
/// and the apps the flat-out figures load beside it (hundreds of instances
/// a second with reuse off) are not part of what a user of this one waits
/// for. In the benchmark's own process they put the paced registration
/// check's p99 at 10-26 ms against 0.9-1.4 ms in a process of its own.
struct Paced {
    /// What [`light_request`] sends: a light figure, or `spin-health`.
    figure: &'static str,
    label: String,
    reuse: Reuse,
    state: Scratch,
    measured: Measured,
    instances: u64,
}

/// Spin's idle-instance timeout and a margin: how long a paced figure waits
/// after the flat-out ones (see [`Paced::run`]).
const SETTLE: Duration = Duration::from_millis(spin_test_host::DEFAULT_IDLE_INSTANCE_TIMEOUT.as_millis() as u64 + 500);

impl Paced {
    fn new(figure: &'static str, label: impl Into<String>, reuse: Reuse, fixture: &mut Fixture) -> Result<Paced> {
        let state = fixture.fresh_state()?;
        Ok(Paced { figure, label: label.into(), reuse, state, measured: Measured::default(), instances: 0 })
    }

    async fn run(&mut self, bench: &Bench, legal_entity: &str, round: u32) -> Result<()> {
        // The flat-out figures before it leave idle instances in this
        // process (with reuse off, hundreds); they are dropped after the
        // idle timeout, on the cores the paced process measures on.
        tokio::time::sleep(SETTLE).await;
        let mut cmd = std::process::Command::new(std::env::current_exe().context("the benchmark's own binary")?);
        cmd.arg("paced")
            .arg("--manifest")
            .arg(&bench.args.manifest)
            .arg("--state-dir")
            .arg(&*self.state)
            .args(["--reuse", self.reuse.flag(), "--figure", self.figure, "--login-name", legal_entity])
            .args(["--clients", &bench.args.clients.to_string(), "--rate", &LIGHT_TARGET_RATE.to_string()])
            .args(["--warmup-ms", &bench.warmup.as_millis().to_string(), "--ms", &bench.slice().as_millis().to_string()])
            .stdin(std::process::Stdio::null())
            .stderr(std::process::Stdio::inherit());
        let out = tokio::task::spawn_blocking(move || cmd.output()).await??;
        ensure!(out.status.success(), "the paced figure {} ({}) failed: {}", self.figure, self.label, out.status);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).context("the paced figure's answer")?;
        let m = Measured::from_json(&v["measured"])?;
        self.instances += v["instances"].as_u64().context("instances")?;
        eprintln!("[bench-all] {} ({}) at {LIGHT_TARGET_RATE} req/s, round {}: {}", self.figure, self.label, round + 1, line(&m));
        self.measured.merge(m);
        Ok(())
    }

    /// "N instances started" (over every round).
    fn starts(&self) -> String {
        format!("{} instances started", count(self.instances as f64))
    }
}

/// How long a paced figure's process warms up at most, waiting for its
/// first instance replaced (see [`paced_command`]).
const WARM_UP_BOUND: Duration = Duration::from_secs(30);

/// `bench-all paced ...`: one round of a [`Paced`] figure, in this process
/// alone. Loads the app on the state directory given, warms it up at the
/// rate for `--warmup-ms` and then until a new instance has started, measures for `--ms`, and prints what it measured
/// and the instances started meanwhile as one JSON object.
fn paced_command(args: &[String]) -> Result<()> {
    let (mut manifest, mut state, mut reuse, mut figure, mut login_name) = (None, None, None, None, None);
    let (mut clients, mut rate, mut warmup, mut duration) = (16usize, LIGHT_TARGET_RATE, Duration::from_secs(1), Duration::from_secs(1));
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it.next().with_context(|| format!("{flag} needs a value"))?;
        let millis = |v: &str| -> Result<Duration> { Ok(Duration::from_millis(v.parse().with_context(|| format!("{flag}: milliseconds"))?)) };
        match flag.as_str() {
            "--manifest" => manifest = Some(PathBuf::from(value)),
            "--state-dir" => state = Some(PathBuf::from(value)),
            "--reuse" => reuse = Some(Reuse::from_flag(value)?),
            "--figure" => figure = Some(value.clone()),
            "--login-name" => login_name = Some(value.clone()),
            "--clients" => clients = value.parse().context("--clients")?,
            "--rate" => rate = value.parse().context("--rate")?,
            "--warmup-ms" => warmup = millis(value)?,
            "--ms" => duration = millis(value)?,
            other => bail!("unknown option {other:?} of bench-all paced"),
        }
    }
    let (manifest, state) = (manifest.context("--manifest")?, state.context("--state-dir")?);
    let (reuse, figure, login_name) = (reuse.context("--reuse")?, figure.context("--figure")?, login_name.context("--login-name")?);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let (measured, instances) = runtime.block_on(async {
        let app = App::load(&manifest, &state, reuse).await?;
        let req = light_request(&figure, &app, &login_name).await?;
        // Warmed up until the instances the first second made are being
        // replaced: a fresh process's first instances all live 1,000 to
        // 2,000 requests, so for the first seconds none starts, where
        // in a process that has served for a while one starts every few
        // hundred requests (each reads the schema, and the check reserves
        // its quota anew).
        load::run_at(app.addr(), req.clone(), clients, rate, warmup).await?;
        let pool = app.host.metrics().instantiations;
        let until = Instant::now() + WARM_UP_BOUND;
        while app.host.metrics().instantiations == pool && Instant::now() < until {
            load::run_at(app.addr(), req.clone(), clients, rate, Duration::from_millis(250)).await?;
        }
        let before = app.host.metrics();
        let m = load::run_at(app.addr(), req, clients, rate, duration).await?;
        Ok::<_, anyhow::Error>((m, InstanceStarts::between(before, app.host.metrics()).instances))
    })?;
    println!("{}", serde_json::json!({ "measured": measured.to_json(), "instances": instances }));
    Ok(())
}

/// The request of light figure `name` to `app`, whose database holds the
/// legal entity `legal_entity` (the registered name; the session's owner).
async fn light_request(name: &str, app: &App, legal_entity: &str) -> Result<Request> {
    Ok(match name {
        "check" => Request::get(format!("/api/registration/login-names/{legal_entity}")),
        "session" => Request::get("/api/session").header("cookie", &app.session_cookie(legal_entity).await?),
        "session-none" => Request::get("/api/session"),
        "health" => Request::get("/api/health"),
        "spin-health" => Request::get("/.well-known/spin/health"),
        other => bail!("no light figure {other:?}"),
    })
}

/// Instances a figure made, and the host's time spent making them.
#[derive(Debug, Clone, Copy)]
struct InstanceStarts {
    instances: u64,
    instantiating: Duration,
}

impl InstanceStarts {
    fn between(before: spin_test_host::Metrics, after: spin_test_host::Metrics) -> InstanceStarts {
        InstanceStarts {
            instances: after.instantiations - before.instantiations,
            instantiating: after.instantiate_total.saturating_sub(before.instantiate_total),
        }
    }

    fn average(&self) -> Duration {
        if self.instances == 0 { Duration::ZERO } else { self.instantiating / self.instances as u32 }
    }
}

/// The light figures of one setting (a scale, reuse on or off), by endpoint.
#[derive(Default)]
struct Light {
    results: Vec<(&'static str, Measured)>,
}

impl Light {
    fn get(&self, name: &str) -> Option<&Measured> {
        self.results.iter().find(|(n, _)| *n == name).map(|(_, m)| m)
    }
}

const LIGHT_FIGURES: &[(&str, &str)] = &[
    ("check", "`GET /api/registration/login-names/{name}` (a registered name)"),
    ("session", "`GET /api/session`, live session cookie"),
    ("session-none", "`GET /api/session`, no cookie"),
    ("health", "`GET /api/health`"),
];

/// Logins at one scale.
struct Logins {
    per_second: Measured,
    single: Measured,
}

/// Everything the login rows compare, measured in interleaved rounds.
struct LoginFigures {
    small: Logins,
    /// Logins at 1k with Spin's default concurrent reuse (16), at
    /// `login_clients` clients.
    spin_default: Measured,
    big: Option<Logins>,
    /// Native verifies on `login_clients` threads, and on one.
    native: Measured,
    native_single: Measured,
    /// The hash probe: at `login_clients` clients, and one client's
    /// in-instance times (sorted).
    wasm: Option<(Measured, Vec<Duration>)>,
    /// The probe running the `argon2` crate's own verify: one client's
    /// in-instance times (sorted).
    wasm_crate: Vec<Duration>,
}

/// An app loaded on a fresh copy of a fixture's database; dropping it
/// stops the app and removes the copy.
struct Loaded {
    app: App,
    /// Dropped after `app` (fields drop in order): the host keeps no file
    /// open once its server is gone and no request runs, and the copy goes
    /// now rather than at the end of the run.
    _state: Scratch,
}

impl Loaded {
    async fn new(manifest: &Path, fixture: &mut Fixture, reuse: Reuse) -> Result<Loaded> {
        let state = fixture.fresh_state()?;
        let app = App::load(manifest, &state, reuse).await?;
        Ok(Loaded { app, _state: state })
    }
}

/// Native Argon2id verifies of `phc` on `threads` threads for `duration`:
/// each verify's time is a latency.
fn native_phase(phc: &str, threads: usize, duration: Duration) -> Measured {
    let started = Instant::now();
    let until = started + duration;
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let phc = phc.to_owned();
            std::thread::spawn(move || {
                let mut times = Vec::new();
                while Instant::now() < until {
                    let t = Instant::now();
                    let ok = shared::password::verify(seed::PASSWORD, &phc).ok;
                    times.push(t.elapsed());
                    assert!(ok, "the seeded hash verifies");
                }
                times
            })
        })
        .collect();
    let mut m = Measured { clients: threads, ..Measured::default() };
    for h in handles {
        m.latencies.extend(h.join().expect("hash thread"));
    }
    m.latencies.sort();
    m.elapsed = started.elapsed();
    m
}

/// The hash probe's in-instance times of one client's requests for `duration`.
async fn wasm_single_phase(addr: SocketAddr, req: &Request, duration: Duration) -> Result<Vec<Duration>> {
    let mut sender = load::connect(addr).await?;
    let mut inside = Vec::new();
    let until = Instant::now() + duration;
    while Instant::now() < until || inside.is_empty() {
        let (status, _, body) = load::send(&mut sender, addr, req).await?;
        let v: serde_json::Value = serde_json::from_slice(&body)?;
        ensure!(status == 200 && v["ok"] == 1, "the hash probe answered {status} {v}");
        inside.push(Duration::from_nanos(v["elapsed_ns"].as_u64().context("elapsed_ns")?));
    }
    Ok(inside)
}

impl Bench {
    fn wants(&self, section: &str) -> bool {
        self.args.only.contains(section)
    }

    fn phase(&self, what: &str) {
        eprintln!("[bench-all] {what}");
    }

    /// One slice of a round: the measured time split over the rounds.
    fn slice(&self) -> Duration {
        self.measured / self.args.rounds
    }

    /// One light endpoint in every setting asked for (1k with reuse on and
    /// off, at scale with reuse on), each on a fresh copy of its database,
    /// measured in interleaved rounds so that the ratios between them are
    /// not the drift of a shared machine.
    async fn light_endpoint(&self, name: &'static str, small: &mut Fixture, big: Option<&mut Fixture>) -> Result<LightEndpoint> {
        let manifest = self.args.manifest.clone();
        let reuse_figures = self.wants("reuse");
        // Measured flat out, in this order: 1k as deployed, 1k with reuse
        // off, at scale as deployed.
        let mut big = big;
        let at_scale = big.is_some();
        let mut plan = vec![("1k, reuse on", Reuse::Deployed, false)];
        if reuse_figures {
            plan.push(("1k, reuse off", Reuse::Off, false));
        }
        if at_scale {
            plan.push(("at scale, reuse on", Reuse::Deployed, true));
        }
        let mut targets: Vec<(&str, Reuse, Loaded, Request)> = Vec::new();
        for (label, reuse, at_big) in plan {
            let fixture: &mut Fixture = match (at_big, big.as_deref_mut()) {
                (true, Some(big)) => big,
                _ => &mut *small,
            };
            let loaded = Loaded::new(&manifest, fixture, reuse).await?;
            let req = light_request(name, &loaded.app, &fixture.seeded.legal_entity.login_name).await?;
            targets.push((label, reuse, loaded, req));
        }
        // Paced, each in a process of its own: 1k as deployed, with instances
        // of Spin's default life, and Spin's own health check.
        let legal = small.seeded.legal_entity.login_name.clone();
        let mut paced = Paced::new(name, targets[0].0, Reuse::Deployed, small)?;
        let mut paced_spin_life = match reuse_figures {
            true => Some(Paced::new(name, "1k, instances of 128 requests", Reuse::SpinDefaultLife, small)?),
            false => None,
        };
        let mut paced_baseline = match name {
            "health" => Some(Paced::new("spin-health", targets[0].0, Reuse::Deployed, small)?),
            _ => None,
        };
        let clients = self.args.clients;
        let mut results: Vec<Measured> = Vec::new();
        for (label, _, loaded, req) in &targets {
            self.phase(&format!("{name} ({label}): warm-up"));
            load::run(loaded.app.addr(), req.clone(), clients, Duration::ZERO, self.warmup).await?;
            results.push(Measured::default());
        }
        let before: Vec<_> = targets.iter().map(|(_, _, loaded, _)| loaded.app.host.metrics()).collect();
        for round in 0..self.args.rounds {
            for ((label, _, loaded, req), total) in targets.iter().zip(results.iter_mut()) {
                let m = load::run(loaded.app.addr(), req.clone(), clients, Duration::ZERO, self.slice()).await?;
                eprintln!("[bench-all] {name} ({label}), round {}: {}", round + 1, line(&m));
                total.merge(m);
            }
            // At the target's rate rather than flat out.
            for p in std::iter::once(&mut paced).chain(paced_spin_life.as_mut()).chain(paced_baseline.as_mut()) {
                p.run(self, &legal, round).await?;
            }
        }
        let off_starts = targets
            .iter()
            .zip(before)
            .find(|((_, reuse, _, _), _)| *reuse == Reuse::Off)
            .map(|((_, _, loaded, _), before)| InstanceStarts::between(before, loaded.app.host.metrics()));
        let mut results = results.into_iter();
        let on = results.next().expect("the 1k run");
        let off = if reuse_figures { results.next() } else { None };
        let scale = if at_scale { results.next() } else { None };
        Ok(LightEndpoint { on, paced, paced_spin_life, paced_baseline, off, off_starts, scale })
    }

    /// Each light endpoint flat out (its capacity: the target's 3,000 req/s)
    /// and at 3,000 req/s (its latency there: the target's p99 < 5 ms), with
    /// what reuse gains where it was measured.
    fn light_rows(&mut self, endpoints: &[(&'static str, LightEndpoint)]) {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
        let health = endpoints.iter().find(|(n, _)| *n == "health").map_or(0.0, |(_, e)| e.on.per_second());
        let section = "light (1k accounts)";
        for (name, e) in endpoints {
            let label = LIGHT_FIGURES.iter().find(|(n, _)| n == name).map_or(*name, |(_, l)| l);
            let m = &e.on;
            let ratio = if *name == "health" { String::new() } else { format!("{:.2} of health", m.per_second() / health.max(1e-9)) };
            self.table
                .push(section, format!("{label}, {} clients as fast as answered", m.clients), line(m))
                .target(">= 3,000 req/s", m.per_second() >= LIGHT_TARGET_RATE)
                .ratio(ratio)
                .invalid(m.problem());
            let p = &e.paced.measured;
            // The schedule kept (within 1%) and p99 under 5 ms there.
            let met = p.per_second() >= 0.99 * LIGHT_TARGET_RATE && p.percentile(99.0) < Duration::from_millis(5);
            self.table
                .push(section, format!("{label}, {} clients sending {} req/s together", p.clients, count(LIGHT_TARGET_RATE)), line(p))
                .target("p99 < 5 ms at 3,000 req/s", met)
                .ratio(e.paced.starts())
                .invalid(p.problem());
            if let Some(life) = &e.paced_spin_life {
                let q = &life.measured;
                let gain = q.percentile(99.0).as_secs_f64() / p.percentile(99.0).as_secs_f64().max(1e-9);
                self.table
                    .push(section, format!("the same, instances of Spin's default 128 requests (not {}..{})", DEPLOYED_REUSE_COUNT.0, DEPLOYED_REUSE_COUNT.1), line(q))
                    .ratio(format!("{}; the deployed life cuts p99 x{gain:.2}", life.starts()))
                    .invalid(q.problem());
            }
            if let Some(b) = &e.paced_baseline {
                let q = &b.measured;
                self.table
                    .push(section, format!("Spin's own `/.well-known/spin/health` (no component), {} req/s", count(LIGHT_TARGET_RATE)), line(q))
                    .ratio("the driver's and the HTTP server's own share")
                    .invalid(q.problem());
            }
            if let Some(off) = &e.off {
                // What a fresh instance adds to a request, in core time
                // (the machine's cores over the rate, off minus on), and how
                // much of it the host spent instantiating.
                let extra = Duration::from_secs_f64((cores / off.per_second().max(1e-9) - cores / m.per_second().max(1e-9)).max(0.0));
                let start = e.off_starts.map(|st| format!("; a fresh instance adds {} of core time a request, {} of it instantiating", ms(extra), ms(st.average())));
                self.table
                    .push(section, format!("{label}, reuse off (`--max-instance-reuse-count 1`)"), line(off))
                    .ratio(format!("reuse gains x{:.2}{}", m.per_second() / off.per_second().max(1e-9), start.unwrap_or_default()))
                    .invalid(off.problem());
            }
        }
    }

    /// Logins at 1k (and at scale) next to native verifies of the same hash
    /// and the hash probe, in interleaved rounds: first `login_clients` at
    /// once, then one at a time.
    async fn login_figures(&self, small: &mut Fixture, big: Option<&mut Fixture>) -> Result<LoginFigures> {
        let phc = seeded_hash(&small.seeded)?;
        let n = self.args.login_clients;
        let manifest = self.args.manifest.clone();
        let small_app = Loaded::new(&manifest, small, Reuse::Deployed).await?;
        let spin_default = Loaded::new(&manifest, small, Reuse::SpinDefault).await?;
        let spin_default_req = spin_default.app.login_request("legal_entity", &small.seeded.legal_entity.login_name);
        let small_req = small_app.app.login_request("legal_entity", &small.seeded.legal_entity.login_name);
        let big_app = match big {
            Some(big) => {
                let loaded = Loaded::new(&manifest, big, Reuse::Deployed).await?;
                let req = loaded.app.login_request("legal_entity", &big.seeded.legal_entity.login_name);
                Some((loaded, req))
            }
            None => None,
        };
        let probe_state = Scratch::new(&self.args.work_dir, "hash-probe")?;
        let probe = match &self.args.hash_probe {
            Some(manifest) => {
                let mut opts = HostOptions::new(manifest, &probe_state.0);
                opts.read_env_variables = false;
                let host = tokio::task::spawn_blocking(move || Host::load(opts)).await??;
                let server = host.spawn("127.0.0.1:0").await?;
                let req = Request::get("/?n=1").header("x-password", seed::PASSWORD).header("x-phc", &phc);
                Some((host, server, req))
            }
            None => None,
        };

        self.phase("logins: warm-up");
        load::run(small_app.app.addr(), small_req.clone(), n, Duration::ZERO, self.warmup).await?;
        load::run(spin_default.app.addr(), spin_default_req.clone(), n, Duration::ZERO, self.warmup).await?;
        if let Some((loaded, req)) = &big_app {
            load::run(loaded.app.addr(), req.clone(), n, Duration::ZERO, self.warmup).await?;
        }
        if let Some((_, server, req)) = &probe {
            load::run(server.addr, req.clone(), n, Duration::ZERO, self.warmup).await?;
        }
        let (mut small_rate, mut big_rate, mut native, mut wasm_rate) = (Measured::default(), Measured::default(), Measured::default(), Measured::default());
        let mut spin_default_rate = Measured::default();
        let (mut small_single, mut big_single, mut native_single, mut wasm_single) = (Measured::default(), Measured::default(), Measured::default(), Vec::new());
        let mut wasm_crate = Vec::new();
        for round in 0..self.args.rounds {
            self.phase(&format!("logins, {n} at once, round {}", round + 1));
            small_rate.merge(load::run(small_app.app.addr(), small_req.clone(), n, Duration::ZERO, self.slice()).await?);
            spin_default_rate.merge(load::run(spin_default.app.addr(), spin_default_req.clone(), n, Duration::ZERO, self.slice()).await?);
            if let Some((loaded, req)) = &big_app {
                big_rate.merge(load::run(loaded.app.addr(), req.clone(), n, Duration::ZERO, self.slice()).await?);
            }
            native.merge(native_phase(&phc, n, self.slice()));
            if let Some((_, server, req)) = &probe {
                wasm_rate.merge(load::run(server.addr, req.clone(), n, Duration::ZERO, self.slice()).await?);
            }
        }
        for round in 0..self.args.rounds {
            self.phase(&format!("logins, one at a time, round {}", round + 1));
            small_single.merge(load::run(small_app.app.addr(), small_req.clone(), 1, Duration::ZERO, self.slice() / 2).await?);
            if let Some((loaded, req)) = &big_app {
                big_single.merge(load::run(loaded.app.addr(), req.clone(), 1, Duration::ZERO, self.slice() / 2).await?);
            }
            native_single.merge(native_phase(&phc, 1, self.slice() / 2));
            if let Some((_, server, req)) = &probe {
                wasm_single.extend(wasm_single_phase(server.addr, req, self.slice() / 2).await?);
                let crate_own = req.clone().header("x-implementation", "argon2-crate");
                wasm_crate.extend(wasm_single_phase(server.addr, &crate_own, self.slice() / 4).await?);
            }
        }
        wasm_single.sort();
        wasm_crate.sort();
        drop(small_app);
        drop(spin_default);
        drop(big_app);
        Ok(LoginFigures {
            small: Logins { per_second: small_rate, single: small_single },
            spin_default: spin_default_rate,
            big: (!big_rate.latencies.is_empty() || big_rate.unexpected > 0).then_some(Logins { per_second: big_rate, single: big_single }),
            native,
            native_single,
            wasm: probe.map(|_| (wasm_rate, wasm_single)),
            wasm_crate,
        })
    }

    fn login_rows(&mut self, f: &LoginFigures) {
        let n = self.args.login_clients;
        let section = "logins (1k accounts)";
        let native = f.native.per_second();
        let native_single = f.native_single.percentile(50.0);
        let lps = f.small.per_second.per_second();
        self.table
            .push(section, format!("logins through the host, {n} clients"), format!("{lps:.1} logins/s"))
            .target(">= 0.6 of native hashes/s", lps >= 0.6 * native)
            .ratio(format!("{:.2} of native", lps / native))
            .invalid(f.small.per_second.problem());
        let spin_default = f.spin_default.per_second();
        self.table
            .push(section, format!("the same with Spin's default of up to 16 requests at once in an instance, {n} clients"), format!("{spin_default:.1} logins/s"))
            .ratio(format!("{:.2} of native; one at a time gains x{:.2}", spin_default / native, lps / spin_default.max(1e-9)))
            .invalid(f.spin_default.problem());
        self.table.push(section, format!("native Argon2id (m=19456 KiB, t=2, p=1), {n} threads, same rounds"), format!("{native:.1} hashes/s"));
        if let Some((wasm_rate, _)) = &f.wasm {
            self.table
                .push(section, format!("the same Argon2id inside Wasm (hash probe), {n} clients"), format!("{:.1} hashes/s", wasm_rate.per_second()))
                .ratio(format!("{:.2} of native", wasm_rate.per_second() / native))
                .invalid(wasm_rate.problem());
        }
        let login_p50 = f.small.single.percentile(50.0);
        self.table
            .push(section, "one client: login latency (p50)", ms(login_p50))
            .ratio(format!("x{:.2} of a native hash ({})", login_p50.as_secs_f64() / native_single.as_secs_f64(), ms(native_single)))
            .invalid(f.small.single.problem());
        match &f.wasm {
            Some((_, inside)) => {
                let wasm_single = load::percentile(inside, 50.0);
                let platform = login_p50.saturating_sub(wasm_single);
                let share = platform.as_secs_f64() / login_p50.as_secs_f64();
                self.table
                    .push(section, "one client: the hash inside Wasm (p50, timed in the instance)", ms(wasm_single))
                    .ratio(format!("x{:.2} of native", wasm_single.as_secs_f64() / native_single.as_secs_f64()));
                let crate_own = load::percentile(&f.wasm_crate, 50.0);
                self.table
                    .push(section, "one client: the `argon2` crate's own verify inside Wasm (p50, timed in the instance)", ms(crate_own))
                    .ratio(format!("x{:.2} of native; the app's is x{:.2} faster", crate_own.as_secs_f64() / native_single.as_secs_f64(), crate_own.as_secs_f64() / wasm_single.as_secs_f64().max(1e-9)));
                self.table
                    .push(section, "the platform's own share of a login (login minus the hash in Wasm)", format!("{} ({:.0}%)", ms(platform), share * 100.0))
                    .target("< 10% of the login", share < 0.10);
            }
            None => self.table.note("no hash probe (--hash-probe): the hash inside Wasm and the platform's share are not measured"),
        }
    }

    async fn memory(&mut self, fixture: &mut Fixture) -> Result<()> {
        let section = "memory (peak instance memory)";
        let accounts = fixture.seeded.appealable.clone();
        let mut next_account = accounts.iter();
        let mut mobiles = (0u64..).map(|n| format!("1570000{n:04}"));
        let scans = Scans::new()?;

        // One request each, each in a fresh instance: the instance's peak is that request's.
        let state = fixture.fresh_state()?;
        let app = App::load(&self.args.manifest, &state, Reuse::Off).await?;
        let baseline = app.host.peak_instance_memory();
        let legal = fixture.seeded.legal_entity.clone();
        let (status, _, _) = load::once(app.addr(), &Request::get(format!("/api/registration/login-names/{}", legal.login_name))).await?;
        ensure!(status == 200, "registration check: {status}");
        let (status, _, _) = load::once(app.addr(), &app.login_request("legal_entity", &legal.login_name)).await?;
        ensure!(status == 200, "login: {status}");
        let peaks = app.host.peak_instance_memory();
        let get = |m: &std::collections::BTreeMap<String, u64>, c: &str| m.get(c).copied().unwrap_or(0);
        self.table.push(section, "static-site: `GET /api/health`", mib(get(&baseline, "static-site")));
        self.table.push(section, "registration: the registration check", mib(get(&peaks, "registration")));
        self.table.push(section, "auth: a login", mib(get(&peaks, "auth")));
        drop(app);
        drop(state);

        let cases: [(&str, Vec<FilePart<'_>>, bool); 3] = [
            ("appeal: six 5 MiB scans (2 PNG, 2 JPEG, 2 PDF)", scans.six(), false),
            ("appeal: a 40-megapixel PNG (the pixel limit), greyscale", scans.pixel_limit_png(), true),
            ("appeal: a 40-megapixel JPEG (the pixel limit), greyscale", scans.pixel_limit_jpeg(), true),
        ];
        for (label, files, pixels) in cases {
            let state = fixture.fresh_state()?;
            let app = App::load(&self.args.manifest, &state, Reuse::Off).await?;
            let account = next_account.next().context("out of appealable accounts")?;
            let body_len = file_appeal(&app, &state, account, &mobiles.next().expect("endless"), &files).await?;
            let peak = get(&app.host.peak_instance_memory(), "appeal");
            let ratio = if pixels {
                format!("{:.2} bytes per pixel of the 40 MP", peak as f64 / documents::MAX_IMAGE_PIXELS as f64)
            } else {
                format!("x{:.1} of the body ({})", peak as f64 / body_len as f64, mib(body_len as u64))
            };
            self.table.push(section, label, mib(peak)).ratio(ratio);
            drop(app);
            drop(state);
        }

        // Reuse on with Spin's default concurrency: several appeals may
        // share an instance (the most memory one instance can be asked for).
        let state = fixture.fresh_state()?;
        let app = App::load(&self.args.manifest, &state, Reuse::SpinDefault).await?;
        let together = 4;
        let files = scans.six();
        let mut batch = Vec::new();
        for _ in 0..together {
            let account = next_account.next().context("out of appealable accounts")?;
            let mobile = mobiles.next().expect("endless");
            let code = appeal_code(&app, &state, &mobile).await?;
            batch.push((account, mobile, code));
        }
        // The codes first, then the appeals all at once.
        let filings: Vec<_> = batch.iter().map(|(account, mobile, code)| post_appeal(&app, account, mobile, code, &files)).collect();
        let mut body_len = 0;
        for f in futures::future::join_all(filings).await {
            body_len = f?;
        }
        let m = app.host.metrics();
        let peak = get(&app.host.peak_instance_memory(), "appeal");
        self.table
            .push(section, format!("appeal: {together} of those six-scan appeals at once, reuse on (up to {} requests in one instance)", m.peak_instance_concurrency), mib(peak))
            .ratio(format!("x{:.1} of one body", peak as f64 / body_len as f64));
        drop(app);
        drop(state);
        Ok(())
    }

    /// Time from starting the host binary to its first answer, with an
    /// empty compile cache and then with it filled.
    fn start(&mut self, fixture: &mut Fixture) -> Result<()> {
        let section = "start (host binary to first answer)";
        let Some(bin) = self.args.host_bin.clone() else {
            self.table.note("no --host-bin: the start figures are not measured");
            return Ok(());
        };
        let cache = Scratch::new(&self.args.work_dir, "compile-cache")?;
        self.phase("start, empty compile cache");
        let state = fixture.fresh_state()?;
        let cold = time_to_first_answer(&bin, &self.args.manifest, &state, &cache.0)?;
        drop(state);
        let mut warm = Vec::new();
        for _ in 0..3 {
            self.phase("start, with the compile cache");
            let state = fixture.fresh_state()?;
            warm.push(time_to_first_answer(&bin, &self.args.manifest, &state, &cache.0)?);
            drop(state);
        }
        warm.sort();
        let warm = warm[1];
        self.table.push(section, "cold: empty compile cache (every component compiled)", ms(cold));
        self.table
            .push(section, "with the compile cache (median of 3)", ms(warm))
            .ratio(format!("{:.0}x faster than cold", cold.as_secs_f64() / warm.as_secs_f64()));
        Ok(())
    }
}

/// The scans of the memory figures, made once.
struct Scans {
    png: Vec<u8>,
    jpeg: Vec<u8>,
    pdf: Vec<u8>,
    png_40mp: Vec<u8>,
    jpeg_40mp: Vec<u8>,
}

impl Scans {
    fn new() -> Result<Scans> {
        Ok(Scans {
            png: documents::png_of_noise()?,
            jpeg: documents::jpeg_of_noise()?,
            pdf: documents::pdf_of_scan()?,
            png_40mp: documents::png_at_pixel_limit()?,
            jpeg_40mp: documents::jpeg_at_pixel_limit()?,
        })
    }

    fn six(&self) -> Vec<FilePart<'_>> {
        vec![
            FilePart { field: "id_front", filename: "front.png", content_type: "image/png", data: &self.png },
            FilePart { field: "id_front", filename: "front.jpg", content_type: "image/jpeg", data: &self.jpeg },
            FilePart { field: "id_back", filename: "back.pdf", content_type: "application/pdf", data: &self.pdf },
            FilePart { field: "id_back", filename: "back.png", content_type: "image/png", data: &self.png },
            FilePart { field: "business_licence", filename: "licence.jpg", content_type: "image/jpeg", data: &self.jpeg },
            FilePart { field: "business_licence", filename: "licence.pdf", content_type: "application/pdf", data: &self.pdf },
        ]
    }

    fn pixel_limit_png(&self) -> Vec<FilePart<'_>> {
        vec![
            FilePart { field: "id_front", filename: "page.png", content_type: "image/png", data: &self.png_40mp },
            FilePart { field: "id_back", filename: "back.pdf", content_type: "application/pdf", data: bench_small_pdf() },
        ]
    }

    fn pixel_limit_jpeg(&self) -> Vec<FilePart<'_>> {
        vec![
            FilePart { field: "id_front", filename: "page.jpg", content_type: "image/jpeg", data: &self.jpeg_40mp },
            FilePart { field: "id_back", filename: "back.pdf", content_type: "application/pdf", data: bench_small_pdf() },
        ]
    }
}

fn bench_small_pdf() -> &'static [u8] {
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
}

/// Files a legal-entity appeal for `account` with `files` (the SMS code
/// read from the state's outbox); returns the body's size. It must be
/// accepted (201).
async fn file_appeal(app: &App, state: &Path, account: &seed::SeededAccount, mobile: &str, files: &[FilePart<'_>]) -> Result<usize> {
    let code = appeal_code(app, state, mobile).await?;
    post_appeal(app, account, mobile, &code, files).await
}

/// Asks for an appeal SMS code to `mobile` and reads it from the outbox.
async fn appeal_code(app: &App, state: &Path, mobile: &str) -> Result<String> {
    let code_req = Request::post_json("/api/appeals/sms-codes", &app.origin(), &serde_json::json!({ "mobile": mobile }));
    let (status, _, body) = load::once(app.addr(), &code_req).await?;
    ensure!(status == 202, "appeal SMS code: {status} {}", String::from_utf8_lossy(&body));
    let code = {
        let conn = rusqlite::Connection::open(spin_test_host::database_path(state, "default"))?;
        conn.busy_timeout(Duration::from_secs(5))?;
        let params: String = conn.query_row(
            "SELECT params FROM sms_outbox WHERE recipient = ? AND template = 'appeal_code' ORDER BY id DESC LIMIT 1",
            [mobile],
            |r| r.get(0),
        )?;
        let v: serde_json::Value = serde_json::from_str(&params)?;
        v["code"].as_str().context("no code in the SMS")?.to_owned()
    };
    Ok(code)
}

/// Posts the appeal; it must be accepted (201). Returns the body's size.
async fn post_appeal(app: &App, account: &seed::SeededAccount, mobile: &str, code: &str, files: &[FilePart<'_>]) -> Result<usize> {
    let fields = [
        ("kind", "legal_entity"),
        ("org_name", account.org_name.as_str()),
        ("uscc", account.uscc.as_str()),
        ("legal_representative_name", "王大明"),
        ("applicant_name", "李小红"),
        ("applicant_document_type", "resident_id"),
        ("applicant_document_number", "11010519491231002X"),
        ("new_mobile", mobile),
        ("sms_code", code),
    ];
    let (content_type, body) = documents::multipart(&fields, files);
    let len = body.len();
    let req = Request {
        method: http::Method::POST,
        path: "/api/appeals".into(),
        headers: vec![("origin".into(), app.origin()), ("content-type".into(), content_type)],
        body: body.into(),
        expect: 201,
    };
    let (status, _, answer) = load::once(app.addr(), &req).await?;
    ensure!(status == 201, "the appeal was not accepted: {status} {}", String::from_utf8_lossy(&answer[..answer.len().min(600)]));
    Ok(len)
}

fn seeded_hash(seeded: &Seeded) -> Result<String> {
    let conn = rusqlite::Connection::open(&seeded.db)?;
    Ok(conn.query_row("SELECT password_hash FROM accounts WHERE login_name = ?", [&seeded.legal_entity.login_name], |r| r.get(0))?)
}

fn free_loopback_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Starts the host binary on `state` with the compile cache `cache`, waits
/// for its first 200 from `/api/health` (at most 300 s), stops it.
fn time_to_first_answer(bin: &Path, manifest: &Path, state: &Path, cache: &Path) -> Result<Duration> {
    let port = free_loopback_port()?;
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse()?;
    let started = Instant::now();
    let mut child = std::process::Command::new(bin)
        .args(["up", "--listen", &addr.to_string()])
        .arg("--from")
        .arg(manifest)
        .arg("--state-dir")
        .arg(state)
        .env(spin_test_host::CACHE_DIR_ENV, cache)
        .stdout(std::process::Stdio::null())
        .spawn()
        .with_context(|| format!("cannot start {}", bin.display()))?;
    let result = (|| {
        let deadline = started + Duration::from_secs(300);
        loop {
            if let Some(status) = child.try_wait()? {
                bail!("the host exited before answering: {status}");
            }
            if health_answers(addr) {
                return Ok(started.elapsed());
            }
            ensure!(Instant::now() < deadline, "no answer within 300 s");
            std::thread::sleep(Duration::from_millis(5));
        }
    })();
    let _ = child.kill();
    let _ = child.wait();
    result
}

/// One blocking HTTP/1.1 `GET /api/health`: whether it answered 200.
fn health_answers(addr: SocketAddr) -> bool {
    use std::io::{Read as _, Write as _};
    let Ok(mut s) = std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)) else { return false };
    let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
    if s.write_all(format!("GET /api/health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    s.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.1 200")
}

fn git_revision(manifest: &Path) -> String {
    let dir = manifest.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let out = |args: &[&str]| {
        std::process::Command::new("git").arg("-C").arg(dir).args(args).output().ok().filter(|o| o.status.success()).map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    match out(&["rev-parse", "--short", "HEAD"]) {
        Some(rev) if out(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty()) => format!("{rev} + uncommitted changes"),
        Some(rev) => rev,
        None => "unknown revision".into(),
    }
}

fn scale_rows(table: &mut Table, accounts: u64, small: &Light, big: &Light, small_logins: Option<&Logins>, big_logins: Option<&Logins>) {
    let section = "scale";
    let label = count(accounts as f64);
    for (name, figure) in LIGHT_FIGURES {
        let (Some(s), Some(b)) = (small.get(name), big.get(name)) else { continue };
        let cost = s.per_second() / b.per_second().max(1e-9);
        table
            .push(section, format!("{figure} at {label} accounts"), line(b))
            .target("cost per request <= 1.5x of 1k", cost <= 1.5)
            .ratio(format!("x{cost:.2} of 1k (p99 x{:.2})", b.percentile(99.0).as_secs_f64() / s.percentile(99.0).as_secs_f64().max(1e-9)))
            .invalid(b.problem());
    }
    if let (Some(s), Some(b)) = (small_logins, big_logins) {
        let cost = s.per_second.per_second() / b.per_second.per_second().max(1e-9);
        table
            .push(section, format!("logins at {label} accounts, {} clients", b.per_second.clients), format!("{:.1} logins/s, one client p50 {}", b.per_second.per_second(), ms(b.single.percentile(50.0))))
            .target("cost per login <= 1.5x of 1k", cost <= 1.5)
            .ratio(format!("x{cost:.2} of 1k"))
            .invalid(b.per_second.problem());
    }
}

fn bench(raw: &[String]) -> Result<()> {
    let args = parse_args(raw)?;
    ensure!(args.manifest.is_file(), "no manifest at {} (run from the repository root, or pass --manifest)", args.manifest.display());
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let started = Instant::now();
    let warmup = Duration::from_secs_f64((args.seconds / 10.0).clamp(0.5, 1.0));
    let measured = Duration::from_secs_f64(args.seconds);
    let header = format!(
        "## Benchmarks: {} (China time), {}, revision {}\n\n`{}`: {} s a figure (in {} rounds interleaved with the figures it is compared with) after {} s of warm-up; {} keep-alive clients for the light requests and {} for logins, each from its own loopback address, in the same process as the host (release builds); the scale figures at {} accounts",
        shared::identity::CivilDate::today_in_china(&SystemClock),
        report::machine(),
        git_revision(&args.manifest),
        std::iter::once("cargo bench-all".to_owned()).chain(args.shown.iter().cloned()).collect::<Vec<_>>().join(" "),
        args.seconds,
        args.rounds,
        warmup.as_secs_f64(),
        args.clients,
        args.login_clients,
        count(args.accounts as f64),
    );
    let mut b = Bench { args, table: Table::default(), warmup, measured };
    runtime.block_on(async {
        b.phase(&format!("seeding {SMALL} accounts"));
        let mut small = Fixture::seed(&b.args.work_dir, SMALL)?;
        let mut big = None;
        if b.wants("scale") {
            b.phase(&format!("seeding {} accounts", count(b.args.accounts as f64)));
            big = Some(Fixture::seed(&b.args.work_dir, b.args.accounts)?);
        }
        // Each endpoint at 1k (reuse on and off) and at scale in
        // interleaved rounds, so the ratios compare like with like.
        let (mut on, mut at_scale) = (Light::default(), Light::default());
        if b.wants("light") || b.wants("reuse") || b.wants("scale") {
            let mut endpoints = Vec::new();
            for (name, _) in LIGHT_FIGURES {
                endpoints.push((*name, b.light_endpoint(name, &mut small, big.as_mut()).await?));
            }
            b.light_rows(&endpoints);
            for (name, e) in endpoints {
                on.results.push((name, e.on));
                if let Some(sc) = e.scale {
                    at_scale.results.push((name, sc));
                }
            }
        }
        if b.wants("logins") || b.wants("scale") {
            let figures = b.login_figures(&mut small, big.as_mut()).await?;
            b.login_rows(&figures);
            if let Some(big) = &big {
                let s = &big.seeded;
                b.table
                    .push("scale", format!("seeding {} accounts and the rest in proportion", count(s.accounts as f64)), format!("{:.0} s, {}", s.took.as_secs_f64(), mib(s.bytes)))
                    .ratio(format!(
                        "{} audit rows, {} review items, {} outbox rows",
                        count(s.rows.get("audit_log").copied().unwrap_or(0) as f64),
                        count(s.rows.get("review_items").copied().unwrap_or(0) as f64),
                        count(s.rows.get("sms_outbox").copied().unwrap_or(0) as f64)
                    ));
                if !s.unseeded.is_empty() {
                    let unseeded = s.unseeded.join(", ");
                    b.table.note(format!("tables the seeder does not know, left empty: {unseeded}"));
                }
                scale_rows(&mut b.table, s.accounts, &on, &at_scale, Some(&figures.small), figures.big.as_ref());
            }
        }
        drop(big);
        if b.wants("memory") {
            b.memory(&mut small).await?;
        }
        if b.wants("start") {
            b.start(&mut small)?;
        }
        Ok::<_, anyhow::Error>(())
    })?;
    b.table.note(format!("the whole run took {:.0} s", started.elapsed().as_secs_f64()));
    println!("{}", b.table.render(&header));
    Ok(())
}
