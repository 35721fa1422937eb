//! Finding a `spin` binary and running `spin up` for a test: a free loopback
//! port, a throw-away state directory, a throw-away `SPIN_DATA_DIR` with the
//! cron trigger plugin, no `RUST_LOG` (with both trigger kinds and
//! `RUST_LOG=info`, `spin up` passes `--listen` to the cron trigger, which
//! exits) and no `SPIN_VARIABLE_*` from the caller's environment.

use anyhow::{Context, Result, bail};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Where `cargo test-all` looks, in order: `$SPIN_BIN`, `spin` on `PATH`,
/// `../shared/tools/spin` next to the repository.
pub fn find_spin() -> std::result::Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("SPIN_BIN") {
        let path = PathBuf::from(path);
        return if is_executable(&path) {
            Ok(path)
        } else {
            Err(format!(
                "SPIN_BIN={} is not an executable file",
                path.display()
            ))
        };
    }
    if let Some(path) = std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join("spin"))
        .find(|p| is_executable(p))
    {
        return Ok(path);
    }
    let tools = tools_dir();
    let beside = tools.join("spin");
    if is_executable(&beside) {
        return Ok(beside);
    }
    Err(format!(
        "no spin binary: SPIN_BIN is unset, none on PATH, none at {}",
        beside.display()
    ))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The repository root (tests/fidelity -> ../..).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repo root")
}

/// `../shared/tools` next to the repository.
pub fn tools_dir() -> PathBuf {
    repo_root().join("../shared/tools")
}

/// A `spin` binary and a plugin store (`SPIN_DATA_DIR`) with the cron trigger.
pub struct SpinEnv {
    pub spin: PathBuf,
    pub data_dir: PathBuf,
    _own: Option<tempfile::TempDir>,
}

impl SpinEnv {
    /// `$SPIN_DATA_DIR` when `cargo test-all` prepared one, else a new
    /// throw-away store; the cron plugin is installed when missing.
    pub fn get() -> Result<SpinEnv> {
        let spin = find_spin().map_err(anyhow::Error::msg)?;
        let (data_dir, own) = match std::env::var_os("SPIN_DATA_DIR") {
            Some(dir) => (PathBuf::from(dir), None),
            None => {
                let dir = tempfile::tempdir()?;
                (dir.path().to_path_buf(), Some(dir))
            }
        };
        if !data_dir.join("plugins/trigger-cron").exists() {
            install_cron_plugin(&spin, &data_dir)?;
        }
        Ok(SpinEnv {
            spin,
            data_dir,
            _own: own,
        })
    }

    /// `spin <args>` with the clean environment every run here uses.
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(&self.spin);
        clean_env(&mut cmd);
        cmd.env("SPIN_DATA_DIR", &self.data_dir);
        cmd
    }
}

fn clean_env(cmd: &mut Command) {
    cmd.env_remove("RUST_LOG");
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("SPIN_VARIABLE_") {
            cmd.env_remove(name);
        }
    }
}

/// `../shared/tools/install-cron-plugin SPIN` into `data_dir`.
pub fn install_cron_plugin(spin: &Path, data_dir: &Path) -> Result<()> {
    let script = spin
        .parent()
        .map(|d| d.join("install-cron-plugin"))
        .filter(|p| p.exists())
        .unwrap_or_else(|| tools_dir().join("install-cron-plugin"));
    let mut cmd = Command::new(&script);
    clean_env(&mut cmd);
    let output = cmd
        .arg(spin)
        .env("SPIN_DATA_DIR", data_dir)
        .output()
        .with_context(|| format!("cannot run {}", script.display()))?;
    if !output.status.success() {
        bail!(
            "{} failed: {}{}",
            script.display(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

/// A running `spin up`; stopped (SIGTERM, then SIGKILL) when dropped. It is
/// also started under `setpriv --pdeathsig TERM` when available, so it ends
/// with the test even if the test process is killed.
pub struct SpinUp {
    child: Child,
    pub base: String,
    output: Arc<Mutex<Vec<String>>>,
    state: tempfile::TempDir,
}

impl SpinUp {
    pub fn start(env: &SpinEnv, manifest: &Path, variables: &[(&str, &str)]) -> Result<SpinUp> {
        let state = tempfile::tempdir()?;
        let setpriv = Path::new("/usr/bin/setpriv");
        let mut cmd = if setpriv.exists() {
            let mut c = Command::new(setpriv);
            c.args(["--pdeathsig", "TERM", "--"]).arg(&env.spin);
            c
        } else {
            Command::new(&env.spin)
        };
        clean_env(&mut cmd);
        cmd.env("SPIN_DATA_DIR", &env.data_dir)
            .arg("up")
            .arg("--from")
            .arg(manifest)
            .args(["--listen", "127.0.0.1:0"])
            .arg("--state-dir")
            .arg(state.path());
        for (name, value) in variables {
            cmd.arg("--variable").arg(format!("{name}={value}"));
        }
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .with_context(|| format!("cannot start {}", env.spin.display()))?;
        let output = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let output = output.clone();
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    output.lock().unwrap().push(line.clone());
                    let _ = tx.send(line);
                }
            });
        }
        drop(tx);
        let mut up = SpinUp {
            child,
            base: String::new(),
            output,
            state,
        };
        let deadline = Instant::now() + Duration::from_secs(180);
        while up.base.is_empty() {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => {
                    if let Some(url) = line.trim().strip_prefix("Serving ") {
                        up.base = url.trim().to_string();
                    }
                }
                Err(_) => bail!("spin up did not start:\n{}", up.output()),
            }
        }
        Ok(up)
    }

    /// What `spin up` printed so far, and the components' stderr logs.
    pub fn output(&self) -> String {
        let mut text = self.output.lock().unwrap().join("\n");
        if let Ok(entries) = std::fs::read_dir(self.state.path().join("logs")) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.ends_with("_stderr.txt")
                    && let Ok(log) = std::fs::read_to_string(entry.path())
                    && !log.is_empty()
                {
                    text.push_str(&format!("\n--- {name}\n{log}"));
                }
            }
        }
        text
    }
}

impl Drop for SpinUp {
    fn drop(&mut self) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
