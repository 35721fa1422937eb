//! The instance settings the app is run with are each one value in three
//! places: `cargo serve` (tests/xtask), docs/deployment.md and the benchmark
//! (`bench::DEPLOYED_CONCURRENT_REUSE`, `bench::DEPLOYED_REUSE_COUNT`). This
//! fails when they drift.

use std::path::Path;

fn read(relative: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    std::fs::read_to_string(root.join(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

#[test]
fn serve_the_deployment_notes_and_the_benchmark_run_instances_alike() {
    let n = bench::DEPLOYED_CONCURRENT_REUSE;
    let xtask = read("tests/xtask/src/main.rs");
    assert!(xtask.contains(&format!("const CONCURRENT_REUSE: &str = \"{n}\";")), "tests/xtask's CONCURRENT_REUSE is not {n}");
    assert_eq!(xtask.matches("\"--max-instance-concurrent-reuse-count\"").count(), 2, "cargo serve passes the setting to spin up and to the test host");
    let (low, high) = bench::DEPLOYED_REUSE_COUNT;
    assert!(xtask.contains(&format!("const REUSE_COUNT: &str = \"{low}..{high}\";")), "tests/xtask's REUSE_COUNT is not {low}..{high}");
    assert_eq!(xtask.matches("\"--max-instance-reuse-count\"").count(), 2, "cargo serve passes the life to spin up and to the test host");
    let notes = read("docs/deployment.md");
    let command = format!("spin up --max-instance-concurrent-reuse-count {n} --max-instance-reuse-count {low}..{high}");
    assert!(notes.contains(&command), "docs/deployment.md does not say `{command}`");
}
