//! The benchmark side of issue 9: the seeder for the scale figures, the
//! query-plan check, the load driver, the scans of the memory figures and
//! the table `cargo bench-all` prints (the binary, `src/main.rs`).

pub mod documents;
pub mod load;
pub mod plans;
pub mod report;
pub mod seed;

/// How many requests one instance serves at once as the app is run:
/// `cargo serve` passes it to `spin up` and to the test host
/// (`tests/xtask`, `CONCURRENT_REUSE`), docs/deployment.md to Spin in
/// production, and `cargo bench-all` measures with it (Spin's default for
/// WASIp3 components is 16). One, because the requests in one instance share
/// its one thread: a login's hash is tens of milliseconds of CPU, and the
/// login that let it in while it waited for SQLite waits for it. Measured
/// in README "Benchmarks"; `tests/deployed.rs` keeps the three in step.
pub const DEPLOYED_CONCURRENT_REUSE: usize = 1;
