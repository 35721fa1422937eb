//! `cargo serve` and `cargo test-all` (aliases in `.cargo/config.toml`).
//!
//! - `serve`: builds the components and serves the app on
//!   http://127.0.0.1:3000, with real Spin when `spin` is on PATH
//!   (`spin up --build`), else with the test host in `tests/host`.
//! - `test`: every test, in order: domain unit tests (native), the
//!   components for wasm32-wasip2, the host's probe fixture, then the host
//!   and integration tests against the real `.wasm` files, then the
//!   browser tests (when present).

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = repo_root();
    let result = match args.first().map(String::as_str) {
        Some("serve") => serve(&root, &args[1..]),
        Some("test") => test(&root, &args[1..]),
        Some("build") => build_components(&root),
        _ => {
            eprintln!("usage: cargo serve [--listen ADDR] | cargo test-all | cargo xtask build");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

fn repo_root() -> PathBuf {
    // tests/xtask -> repo root
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repo root")
}

fn run(root: &Path, what: &str, cmd: &mut Command) -> Result<(), String> {
    let started = Instant::now();
    eprintln!("\n==> {what}\n    $ {}", show(cmd));
    let status = cmd.current_dir(root).status().map_err(|e| format!("{what}: could not start: {e}"))?;
    eprintln!("    ({what}: {:.0} s)", started.elapsed().as_secs_f64());
    if status.success() { Ok(()) } else { Err(format!("{what} failed ({status})")) }
}

fn show(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

fn ensure_wasm_target(root: &Path) -> Result<(), String> {
    // rust-toolchain.toml lists the target; this makes sure on toolchains
    // where rustup does not install listed targets by itself.
    if Command::new("rustup").arg("--version").output().is_ok() {
        run(root, "wasm32-wasip2 target", Command::new("rustup").args(["target", "add", "wasm32-wasip2"]))?;
    }
    Ok(())
}

fn build_components(root: &Path) -> Result<(), String> {
    ensure_wasm_target(root)?;
    run(
        root,
        "build the components (wasm32-wasip2, release)",
        cargo().args(["build", "--target", "wasm32-wasip2", "--release", "--workspace", "--exclude", "shared"]),
    )
}

fn serve(root: &Path, args: &[String]) -> Result<(), String> {
    let listen = args
        .windows(2)
        .find(|w| w[0] == "--listen")
        .map(|w| w[1].clone())
        .unwrap_or_else(|| "127.0.0.1:3000".into());
    let spin_on_path = Command::new("spin").arg("--version").output().is_ok_and(|o| o.status.success());
    if spin_on_path {
        ensure_wasm_target(root)?;
        return run(root, "spin up", Command::new("spin").args(["up", "--build", "--listen", &listen]));
    }
    eprintln!("`spin` is not on PATH: serving with the test host (tests/host), which runs the same components.");
    build_components(root)?;
    run(
        root,
        "test host",
        cargo().args([
            "run",
            "--quiet",
            "--manifest-path",
            "tests/Cargo.toml",
            "-p",
            "spin-test-host",
            "--bin",
            "spin-test-host",
            "--",
            "up",
            "--from",
            "spin.toml",
            "--listen",
            &listen,
            "--state-dir",
            ".spin",
        ]),
    )
}

fn test(root: &Path, _args: &[String]) -> Result<(), String> {
    let started = Instant::now();
    run(root, "domain unit tests (native)", cargo().args(["test", "-p", "shared"]))?;
    build_components(root)?;
    run(
        root,
        "build the host's probe fixtures (wasm32-wasip2, release)",
        cargo().args([
            "build",
            "--manifest-path",
            "tests/Cargo.toml",
            "-p",
            "probe",
            "-p",
            "cron-probe",
            "--target",
            "wasm32-wasip2",
            "--release",
        ]),
    )?;
    run(
        root,
        "host and integration tests (the real .wasm through the test host)",
        cargo().args([
            "test",
            "--manifest-path",
            "tests/Cargo.toml",
            "--workspace",
            "--exclude",
            "probe",
            "--exclude",
            "cron-probe",
        ]),
    )?;
    let browser = root.join("tests/browser/run");
    if browser.exists() {
        run(root, "browser tests (headless Chromium)", Command::new("bash").arg(browser))?;
    }
    eprintln!("\nall tests passed in {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}
