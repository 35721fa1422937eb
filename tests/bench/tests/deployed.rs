//! The instance setting the app is run with is one number in three places:
//! `cargo serve` (tests/xtask), docs/deployment.md and the benchmark
//! (`bench::DEPLOYED_CONCURRENT_REUSE`). This fails when they drift.

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
    let notes = read("docs/deployment.md");
    assert!(notes.contains(&format!("spin up --max-instance-concurrent-reuse-count {n}")), "docs/deployment.md does not say {n}");
}
