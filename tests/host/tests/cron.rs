//! The host's cron trigger against the real cron probe (tests/fixtures/
//! cron-probe: each tick inserts its metadata timestamp into `cron_ticks`).

mod common;

use common::*;
use spin_test_host::{Host, TestClock};
use std::time::{Duration, UNIX_EPOCH};

fn ticks(state: &std::path::Path) -> Vec<i64> {
    let path = spin_test_host::database_path(state, "default");
    let conn = rusqlite::Connection::open(path).unwrap();
    let exists: i64 = conn.query_row("SELECT COUNT(*) FROM sqlite_master WHERE name = 'cron_ticks'", [], |r| r.get(0)).unwrap();
    if exists == 0 {
        return Vec::new();
    }
    let mut stmt = conn.prepare("SELECT at FROM cron_ticks ORDER BY at").unwrap();
    stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tick_on_demand_runs_the_component_with_the_controlled_clock() {
    let state = tempfile::tempdir().unwrap();
    let clock = TestClock::new(UNIX_EPOCH + Duration::from_secs(1_800_000_000));
    let mut opts = options(state.path());
    opts.clock = Some(clock.clone());
    let host = Host::load(opts).unwrap();
    assert!(ticks(state.path()).is_empty(), "nothing runs by itself in a loaded host");

    host.run_cron("cron-probe").await.unwrap();
    clock.advance(Duration::from_secs(60));
    let all = host.run_cron_triggers().await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].0, "cron-probe");
    assert!(all[0].1.is_ok(), "{all:?}");
    assert_eq!(ticks(state.path()), vec![1_800_000_000, 1_800_000_060], "the metadata timestamp is the clock's, in seconds");

    // Ticks overlap: several at once, each its own instance.
    let runs: Vec<_> = (0..4).map(|_| {
        let host = host.clone();
        tokio::spawn(async move { host.run_cron("cron-probe").await })
    }).collect();
    for run in runs {
        run.await.unwrap().unwrap();
    }
    assert_eq!(ticks(state.path()).len(), 6);

    let e = host.run_cron("probe").await.unwrap_err();
    assert!(e.contains("does not export spin:cron"), "{e}");
    assert!(host.run_cron("nope").await.unwrap_err().contains("no component"));
}

#[tokio::test(flavor = "multi_thread")]
async fn under_up_the_triggers_run_on_their_schedule() {
    let state = tempfile::tempdir().unwrap();
    let host = load(state.path());
    // The fixture's expression is `* * * * * *`: every second.
    let scheduler = host.spawn_cron();
    let mut seen = 0;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        seen = ticks(state.path()).len();
        if seen >= 2 {
            break;
        }
    }
    drop(scheduler);
    assert!(seen >= 2, "the every-second trigger ran {seen} times in 10 s");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let after_stop = ticks(state.path()).len();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(ticks(state.path()).len(), after_stop, "dropping the scheduler stops it");
}

#[test]
fn a_cron_expression_with_the_wrong_number_of_fields_refuses_to_load_naming_the_line() {
    let state = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(manifest()).unwrap();
    let bad = text.replace("cron_expression = \"* * * * * *\"", "cron_expression = \"*/5 * * * *\"");
    assert_ne!(bad, text);
    let line = bad.lines().position(|l| l.contains("*/5 * * * *")).unwrap() + 1;
    let path = manifest().with_file_name("spin-bad-cron.test.toml");
    std::fs::write(&path, &bad).unwrap();
    let mut opts = options(state.path());
    opts.manifest = path.clone();
    let e = Host::load(opts).err().map(|e| format!("{e:#}"));
    std::fs::remove_file(&path).unwrap();
    let e = e.expect("the host refuses the manifest");
    assert!(e.contains(&format!("line {line}")) && e.contains("exactly 6 fields"), "{e}");
    assert!(e.contains("spin-bad-cron.test.toml"), "names the file: {e}");
}
