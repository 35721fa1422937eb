//! `spin-test-host up`: serve a Spin application like `spin up` (the subset
//! spin-test-host supports).

use anyhow::{Context, Result, bail};
use std::path::PathBuf;
use std::process::ExitCode;

use spin_test_host::{Host, HostOptions, Range};

const USAGE: &str = "\
spin-test-host: run a Spin application's HTTP components locally (not Spin; see README)

Usage: spin-test-host up [OPTIONS]

Options:
  -f, --from <PATH>           spin.toml, or a directory containing it [default: spin.toml]
      --listen <ADDR>         address to listen on [default: 127.0.0.1:3000]
      --state-dir <DIR>       SQLite and other state [default: <manifest dir>/.spin]
      --variable <NAME=VALUE> set an application variable (repeatable)
  -e, --env <NAME=VALUE>      environment variable for every component (repeatable)
      --max-instance-reuse-count <N|A..B>
                              requests one instance serves before it is dropped [default: 128]
      --max-instance-concurrent-reuse-count <N|A..B>
                              requests one instance serves at the same time [default: 16]
      --idle-instance-timeout <DURATION|A..B>
                              how long an idle instance is kept (1s, 500ms, ...) [default: 1s]
      --request-timeout <DURATION|A..B>
                              how long a request may take [default: none]
      --test-clock <UNIX_SECONDS>
                              tests only: the guests' clock starts here and moves only
                              by the control port; cron triggers run only from it
      --control-listen <ADDR> tests only, with --test-clock: a loopback port taking
                              POST /clock?unix=SECONDS and POST /cron (one tick now)
  -h, --help                  print this help

The instance options are Spin's (`spin up --help`), with Spin's defaults for
WASIp3 components.
";

struct Args {
    from: PathBuf,
    listen: String,
    state_dir: Option<PathBuf>,
    variables: Vec<(String, String)>,
    env: Vec<(String, String)>,
    max_instance_reuse_count: Option<Range<usize>>,
    max_instance_concurrent_reuse_count: Option<Range<usize>>,
    idle_instance_timeout: Option<Range<std::time::Duration>>,
    request_timeout: Option<Range<std::time::Duration>>,
    test_clock: Option<u64>,
    control_listen: Option<String>,
}

fn parse_flag<T: std::str::FromStr<Err = String>>(flag: &str, value: &str) -> Result<T> {
    value
        .parse()
        .map_err(|e: String| anyhow::anyhow!("invalid value {value:?} for {flag}: {e}"))
}

fn parse_pair(flag: &str, value: &str) -> Result<(String, String)> {
    match value.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => bail!("{flag} expects NAME=VALUE, got {value:?}"),
    }
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Option<Args>> {
    match args.next().as_deref() {
        Some("up") => {}
        Some("-h" | "--help" | "help") | None => return Ok(None),
        Some(other) => bail!("unknown command {other:?}; only `up` is supported"),
    }
    let mut parsed = Args {
        from: PathBuf::from("spin.toml"),
        listen: "127.0.0.1:3000".to_string(),
        state_dir: None,
        variables: Vec::new(),
        env: Vec::new(),
        max_instance_reuse_count: None,
        max_instance_concurrent_reuse_count: None,
        idle_instance_timeout: None,
        request_timeout: None,
        test_clock: None,
        control_listen: None,
    };
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        if flag == "-h" || flag == "--help" {
            return Ok(None);
        }
        let mut value = || -> Result<String> {
            inline
                .clone()
                .or_else(|| args.next())
                .with_context(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "-f" | "--from" | "--file" => parsed.from = PathBuf::from(value()?),
            "--listen" => parsed.listen = value()?,
            "--state-dir" => parsed.state_dir = Some(PathBuf::from(value()?)),
            "--variable" => parsed.variables.push(parse_pair("--variable", &value()?)?),
            "-e" | "--env" => parsed.env.push(parse_pair("--env", &value()?)?),
            "--max-instance-reuse-count" => {
                parsed.max_instance_reuse_count = Some(parse_flag(&flag, &value()?)?)
            }
            "--max-instance-concurrent-reuse-count" => {
                parsed.max_instance_concurrent_reuse_count = Some(parse_flag(&flag, &value()?)?)
            }
            "--idle-instance-timeout" => {
                parsed.idle_instance_timeout = Some(parse_flag(&flag, &value()?)?)
            }
            "--request-timeout" => parsed.request_timeout = Some(parse_flag(&flag, &value()?)?),
            "--test-clock" => {
                let v = value()?;
                parsed.test_clock = Some(v.parse().with_context(|| format!("invalid value {v:?} for --test-clock: seconds since the epoch"))?)
            }
            "--control-listen" => parsed.control_listen = Some(value()?),
            other => bail!("unknown option {other:?}\n\n{USAGE}"),
        }
    }
    if parsed.control_listen.is_some() && parsed.test_clock.is_none() {
        bail!("--control-listen needs --test-clock");
    }
    Ok(Some(parsed))
}

async fn up(args: Args) -> Result<()> {
    let manifest = if args.from.is_dir() {
        args.from.join("spin.toml")
    } else {
        args.from
    };
    let state_dir = args.state_dir.unwrap_or_else(|| {
        manifest
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(|p| p.join(".spin"))
            .unwrap_or_else(|| PathBuf::from(".spin"))
    });
    let mut opts = HostOptions::new(&manifest, &state_dir);
    opts.variables.extend(args.variables);
    opts.env.extend(args.env);
    if let Some(v) = args.max_instance_reuse_count {
        opts.max_instance_reuse_count = v;
    }
    if let Some(v) = args.max_instance_concurrent_reuse_count {
        opts.max_instance_concurrent_reuse_count = v;
    }
    if let Some(v) = args.idle_instance_timeout {
        opts.idle_instance_timeout = v;
    }
    opts.request_timeout = args.request_timeout;
    let clock = args.test_clock.map(|secs| spin_test_host::TestClock::new(std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs)));
    opts.clock = clock.clone();
    let host = tokio::task::spawn_blocking(move || Host::load(opts)).await??;
    let control = match (&args.control_listen, &clock) {
        (Some(addr), Some(clock)) => {
            let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))?;
            println!("Control port (tests only): http://{}", listener.local_addr()?);
            Some(tokio::spawn(spin_test_host::serve_control(host.clone(), clock.clone(), listener)))
        }
        _ => None,
    };

    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let base = format!("http://{}", listener.local_addr()?);
    println!("Logging component stdio to the terminal");
    println!(
        "Storing default SQLite data to {:?}.",
        spin_test_host::database_path(&state_dir, "default")
    );
    println!();
    println!("Serving {base}");
    println!("Available Routes:");
    // As `spin up` lists them: exact routes first, then wildcards, longer
    // prefixes first; the component's description under its route.
    let mut routes = host.routes();
    let depth = |path: &str| {
        if path == "/" {
            0
        } else {
            path.matches('/').count()
        }
    };
    routes.sort_by_key(|r| (r.wildcard, std::cmp::Reverse(depth(&r.path))));
    for route in routes {
        let shown = match (route.wildcard, route.path.as_str()) {
            (true, "/") => " (wildcard)".to_string(),
            (true, path) => format!("{path} (wildcard)"),
            (false, path) => path.to_string(),
        };
        println!("  {}: {base}{shown}", route.component);
        if let Some(description) = &route.description {
            println!("    {description}");
        }
    }
    for trigger in host.cron_triggers() {
        println!("  {} (cron): {}", trigger.component, trigger.cron_expression);
    }
    // Every cron trigger on its schedule (UTC), until the server stops;
    // under a test clock only the control port runs them.
    let _cron = clock.is_none().then(|| host.spawn_cron());
    let _control = control;
    use std::io::Write as _;
    std::io::stdout().flush()?;

    tokio::select! {
        result = host.serve(listener) => result,
        signal = tokio::signal::ctrl_c() => {
            signal.context("cannot listen for Ctrl-C")?;
            eprintln!("Shutting down");
            Ok(())
        }
    }
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(err) => {
            eprintln!("Error: {err:#}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("Error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(up(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("Error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
