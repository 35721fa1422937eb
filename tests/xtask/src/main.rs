//! `cargo serve` and `cargo test-all` (aliases in `.cargo/config.toml`).
//!
//! - `serve`: builds the components and serves the app on
//!   http://127.0.0.1:3000, with real Spin when `spin` is on PATH
//!   (`spin up --build`), else with the test host in `tests/host`.
//! - `test`: every test, in order: domain unit tests (native), the
//!   components for wasm32-wasip2, the host's probe fixtures, then the host
//!   and integration tests against the real `.wasm` files (the integration
//!   suite logging every SQL statement the app runs), then the query-plan
//!   check of those statements, then the app on real Spin and the
//!   differential check (when a `spin` binary is found; otherwise one line
//!   says why not), then the browser tests (when present).
//! - `bench` (`cargo bench-all`): builds the release components, the hash
//!   probe with the app's release profile, the release host and
//!   `bench-all`, then runs it: every benchmark figure, one table.
//! - `seed`: a state directory seeded to N accounts (`bench-all seed`).
//! - `query-plans`: the integration suite with its SQL log, then the
//!   query-plan check.

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
        Some("real-spin") => real_spin(&root),
        Some("bench") => bench(&root, &args[1..]),
        Some("seed") => seed(&root, &args[1..]),
        Some("query-plans") => query_plans(&root),
        _ => {
            eprintln!(
                "usage: cargo serve [--listen ADDR] | cargo test-all | cargo bench-all [--quick] [--seconds S] [--only ...] | cargo xtask build | cargo xtask real-spin | cargo xtask seed --accounts N --state-dir DIR | cargo xtask query-plans"
            );
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
        return run(
            root,
            "spin up",
            Command::new("spin").args([
                "up",
                "--build",
                "--listen",
                &listen,
                "--max-instance-concurrent-reuse-count",
                CONCURRENT_REUSE,
                "--max-instance-reuse-count",
                REUSE_COUNT,
            ]),
        );
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
            "--max-instance-concurrent-reuse-count",
            CONCURRENT_REUSE,
            "--max-instance-reuse-count",
            REUSE_COUNT,
        ]),
    )
}

/// One request at a time in an instance, as the app is deployed
/// (docs/deployment.md; why: `bench::DEPLOYED_CONCURRENT_REUSE`).
const CONCURRENT_REUSE: &str = "1";
/// Requests in an instance's life, drawn per instance, as the app is
/// deployed (docs/deployment.md; why: `bench::DEPLOYED_REUSE_COUNT`).
const REUSE_COUNT: &str = "1000..2000";

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
    let sql_log = fresh_sql_log(root)?;
    run(
        root,
        "host and integration tests (the real .wasm through the test host; the app's SQL statements logged)",
        cargo().args(["test", "--manifest-path", "tests/Cargo.toml"]).args(TEST_ALL_PACKAGES).env(SQL_LOG_ENV, &sql_log),
    )?;
    check_query_plans(root, &sql_log, TEST_ALL_PACKAGES)?;
    real_spin(root)?;
    let browser = root.join("tests/browser/run");
    if browser.exists() {
        // The host binary from the same packages as the tests above, so that
        // nothing is rebuilt (a build of `-p spin-test-host` alone unifies
        // other features: 257 s in a clean clone); the script uses it.
        run(
            root,
            "the test host's binary, for the browser tests",
            cargo().args(["build", "--manifest-path", "tests/Cargo.toml"]).args(TEST_ALL_PACKAGES).args(["--bin", "spin-test-host"]),
        )?;
        let host = root.join("tests/target/debug/spin-test-host");
        run(root, "browser tests (headless Chromium)", Command::new("bash").arg(browser).env("SPIN_TEST_HOST", host))?;
    }
    eprintln!("\nall tests passed in {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// `$SPIN_BIN`, else `spin` on PATH, else `../shared/tools/spin` beside the
/// repository; `Err` says where it looked.
fn find_spin(root: &Path) -> Result<PathBuf, String> {
    use std::os::unix::fs::PermissionsExt;
    let executable = |p: &Path| p.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0);
    if let Some(path) = std::env::var_os("SPIN_BIN").map(PathBuf::from) {
        return if executable(&path) { Ok(path) } else { Err(format!("SPIN_BIN={} is not an executable", path.display())) };
    }
    if let Some(path) = std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|d| d.join("spin"))
        .find(|p| executable(p))
    {
        return Ok(path);
    }
    let beside = root.join("../shared/tools/spin");
    if executable(&beside) {
        return Ok(beside.canonicalize().unwrap_or(beside));
    }
    Err(format!("no spin binary (SPIN_BIN unset, none on PATH, none at {})", beside.display()))
}

/// `spin` with the environment every real-Spin step uses: no `RUST_LOG`
/// (`spin up` with both trigger kinds breaks at `info`), no
/// `SPIN_VARIABLE_*` from the caller, the throw-away plugin store.
fn spin_command(program: &Path, data_dir: &Path) -> Command {
    let mut cmd = Command::new(program);
    cmd.env_remove("RUST_LOG").env("SPIN_DATA_DIR", data_dir);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("SPIN_VARIABLE_") {
            cmd.env_remove(name);
        }
    }
    cmd
}

/// The app on real Spin and the differential check against the test host
/// (tests/fidelity, its `#[ignore]`d tests): `spin build` (a no-op after the
/// builds above: same commands, same target directories), the cron plugin in
/// a throw-away `SPIN_DATA_DIR`, then the tests, which `spin up` the app and
/// the probe fixture (both trigger kinds) on free loopback ports with
/// throw-away state directories. Without a `spin` binary: one line, and on.
fn real_spin(root: &Path) -> Result<(), String> {
    let spin = match find_spin(root) {
        Ok(spin) => spin,
        Err(why) => {
            eprintln!("\n==> real Spin and the differential check: skipped: {why}");
            return Ok(());
        }
    };
    let data_dir = std::env::temp_dir().join(format!("spin-data-test-all-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    std::fs::create_dir_all(&data_dir).map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
    let result = (|| {
        run(root, "spin build (the app; reuses the components built above)", spin_command(&spin, &data_dir).arg("build"))?;
        run(
            root,
            "spin build (the probe fixtures, both trigger kinds)",
            spin_command(&spin, &data_dir).args(["build", "--from", "tests/fixtures/spin.toml"]),
        )?;
        let installer = [spin.parent().map(|d| d.join("install-cron-plugin")), Some(root.join("../shared/tools/install-cron-plugin"))]
            .into_iter()
            .flatten()
            .find(|p| p.exists())
            .ok_or_else(|| "no install-cron-plugin beside the spin binary or in ../shared/tools".to_string())?;
        run(root, "install the cron trigger plugin (throw-away SPIN_DATA_DIR)", spin_command(&installer, &data_dir).arg(&spin))?;
        run(
            root,
            "the app on real Spin, and the differential check against the test host",
            cargo()
                .args(["test", "--manifest-path", "tests/Cargo.toml"])
                .args(TEST_ALL_PACKAGES)
                .args(fidelity_tests(root)?)
                .args(["--", "--ignored"])
                .env_remove("RUST_LOG")
                .env("SPIN_BIN", &spin)
                .env("SPIN_DATA_DIR", &data_dir),
        )
    })();
    let _ = std::fs::remove_dir_all(&data_dir);
    result
}

/// The integration suite logs every SQL statement the app runs to the file
/// this names (tests/integration/src/lib.rs); the query-plan check reads it.
const SQL_LOG_ENV: &str = "INTEGRATION_SQL_LOG";

/// `tests/target/query-plans/statements.jsonl`, emptied: hosts append to it.
fn fresh_sql_log(root: &Path) -> Result<PathBuf, String> {
    let dir = root.join("tests/target/query-plans");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let log = dir.join("statements.jsonl");
    match std::fs::remove_file(&log) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(format!("cannot remove the old {}: {e}", log.display())),
    }
    Ok(log)
}

/// `--test NAME` for every file in tests/fidelity/tests. Selected from the
/// same packages as the rest of `cargo test-all` ([`TEST_ALL_PACKAGES`]):
/// cargo unifies features over the packages a command names, so `-p
/// fidelity` alone rebuilt tokio, hyper and the host with other features.
fn fidelity_tests(root: &Path) -> Result<Vec<String>, String> {
    let dir = root.join("tests/fidelity/tests");
    let entries = std::fs::read_dir(&dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|name| name.strip_suffix(".rs").map(str::to_owned))
        .collect();
    names.sort();
    if names.is_empty() {
        return Err(format!("no tests in {}", dir.display()));
    }
    Ok(names.into_iter().flat_map(|n| ["--test".to_owned(), n]).collect())
}

/// The tests/ packages `cargo test-all` tests (the fixtures are components).
const TEST_ALL_PACKAGES: &[&str] = &["--workspace", "--exclude", "probe", "--exclude", "cron-probe", "--exclude", "hash-probe"];
/// The packages `cargo xtask query-plans` builds: the suite and the check.
const QUERY_PLAN_PACKAGES: &[&str] = &["-p", "integration", "-p", "bench"];

/// Every statement in the log through `EXPLAIN QUERY PLAN` on a seeded
/// database (tests/bench/tests/query_plans.rs); fails on a full scan of a
/// growing table, and on a missing or empty log. `packages` are those the
/// suite was just built with: the same selection resolves the same
/// features, so nothing is compiled again and the stage takes a second.
fn check_query_plans(root: &Path, sql_log: &Path, packages: &[&str]) -> Result<(), String> {
    run(
        root,
        "query plans of every statement the integration suite ran",
        cargo()
            .args(["test", "--manifest-path", "tests/Cargo.toml"])
            .args(packages)
            .args(["--test", "query_plans", "--", "--ignored", "--nocapture"])
            .env(SQL_LOG_ENV, sql_log),
    )
}

/// `cargo xtask query-plans`: the integration suite with its SQL log, then the check.
fn query_plans(root: &Path) -> Result<(), String> {
    build_components(root)?;
    let sql_log = fresh_sql_log(root)?;
    run(
        root,
        "integration tests (the app's SQL statements logged)",
        cargo().args(["test", "--manifest-path", "tests/Cargo.toml"]).args(QUERY_PLAN_PACKAGES).env(SQL_LOG_ENV, &sql_log),
    )?;
    check_query_plans(root, &sql_log, QUERY_PLAN_PACKAGES)
}

/// The root manifest's `[profile.release*]` tables as a Cargo config file,
/// so the hash probe (in the tests/ workspace) is built as the app's
/// components are (`cargo --config <file>`; the root's .cargo/config.toml,
/// with any target flags, applies to both builds alike).
fn app_release_profile(root: &Path) -> Result<PathBuf, String> {
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).map_err(|e| format!("cannot read Cargo.toml: {e}"))?;
    let out = release_profile_tables(&manifest)?;
    let path = root.join("tests/target/app-release-profile.toml");
    std::fs::create_dir_all(path.parent().expect("a parent")).map_err(|e| e.to_string())?;
    std::fs::write(&path, out).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

/// The `[profile.release]` and `[profile.release.package.*]` tables of a
/// manifest, as they are written.
fn release_profile_tables(manifest: &str) -> Result<String, String> {
    let mut out = String::from("# Written by tests/xtask from the root Cargo.toml: the app's release profile.\n");
    let mut inside = false;
    for line in manifest.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            inside = trimmed.starts_with("[profile.release]") || trimmed.starts_with("[profile.release.");
        }
        if inside {
            out.push_str(line);
            out.push('\n');
        }
    }
    if !out.contains("[profile.release]") {
        return Err("the root Cargo.toml has no [profile.release]".into());
    }
    Ok(out)
}

/// Builds what `bench-all` needs: the release components, the hash probe
/// with the app's release profile, the release host and `bench-all`.
fn build_bench(root: &Path) -> Result<(), String> {
    build_components(root)?;
    let profile = app_release_profile(root)?;
    run(
        root,
        "build the hash probe (wasm32-wasip2, the app's release profile)",
        cargo()
            .args(["build", "--manifest-path", "tests/Cargo.toml", "-p", "hash-probe", "--target", "wasm32-wasip2", "--release", "--config"])
            .arg(&profile),
    )?;
    run(
        root,
        "build the release host and bench-all",
        cargo().args(["build", "--manifest-path", "tests/Cargo.toml", "--release", "-p", "spin-test-host", "-p", "bench"]),
    )
}

fn bench_binary(root: &Path) -> PathBuf {
    root.join("tests/target/release/bench-all")
}

/// `cargo bench-all [flags]`: builds, then runs every figure (see tests/bench).
fn bench(root: &Path, args: &[String]) -> Result<(), String> {
    build_bench(root)?;
    let mut cmd = Command::new(bench_binary(root));
    cmd.arg("--manifest")
        .arg(root.join("spin.toml"))
        .arg("--hash-probe")
        .arg(root.join("tests/fixtures/hash-probe/spin.toml"))
        .arg("--host-bin")
        .arg(root.join("tests/target/release/spin-test-host"))
        .arg("--work-dir")
        .arg(root.join("tests/target/tmp"))
        .args(args)
        .env_remove("RUST_LOG");
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("SPIN_VARIABLE_") {
            cmd.env_remove(name);
        }
    }
    run(root, "bench-all (every figure, one table)", &mut cmd)
}

/// `cargo xtask seed --accounts N --state-dir DIR`.
fn seed(root: &Path, args: &[String]) -> Result<(), String> {
    run(
        root,
        "build bench-all",
        cargo().args(["build", "--manifest-path", "tests/Cargo.toml", "--release", "-p", "bench", "--bin", "bench-all"]),
    )?;
    run(root, "seed", Command::new(bench_binary(root)).arg("seed").args(args))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_probe_gets_the_release_tables_of_the_root_manifest_only() {
        let manifest = "[workspace]\nmembers = [\"a\"]\n\n[profile.release]\nopt-level = \"s\"\nlto = true\n\n[profile.release.package.argon2]\nopt-level = 3\n\n[profile.dev.package.argon2]\nopt-level = 3\n";
        let tables = release_profile_tables(manifest).unwrap();
        assert!(tables.contains("[profile.release]\nopt-level = \"s\"\nlto = true\n"), "{tables}");
        assert!(tables.contains("[profile.release.package.argon2]\nopt-level = 3\n"), "{tables}");
        assert!(!tables.contains("profile.dev") && !tables.contains("workspace"), "{tables}");
        assert!(release_profile_tables("[package]\nname = \"x\"\n").is_err());
    }

    #[test]
    fn the_real_root_manifest_has_a_release_profile() {
        let manifest = std::fs::read_to_string(repo_root().join("Cargo.toml")).unwrap();
        assert!(release_profile_tables(&manifest).unwrap().contains("[profile.release]"));
    }
}
