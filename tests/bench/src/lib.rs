//! The benchmark side of issue 9: the seeder for the scale figures, the
//! query-plan check, the load driver, the scans of the memory figures and
//! the table `cargo bench-all` prints (the binary, `src/main.rs`).

pub mod documents;
pub mod load;
pub mod pacer;
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

/// How many requests one instance serves in its life as the app is run: a
/// number drawn from this range for each instance
/// (`--max-instance-reuse-count 1000..2000`; Spin's default for WASIp3
/// components is 128), in the same three places as
/// [`DEPLOYED_CONCURRENT_REUSE`]. A new instance's first statement makes
/// SQLite read the whole schema (0.7 ms of CPU natively, several ms on a
/// busy machine) and the registration check reserve rate-limit quota anew,
/// one write per client; at 128 that is about 1% of requests, which is
/// the p99. The range, not one number, so instances started together do
/// not end together. Nothing an instance keeps grows with the requests it
/// served (README "What an instance keeps").
pub const DEPLOYED_REUSE_COUNT: (usize, usize) = (1000, 2000);
