//! Every SQL statement the integration suite ran through the test host,
//! explained on a seeded database: a full scan of a table that grows with
//! use fails (see `bench::plans`). `cargo test-all` runs it after the
//! integration suite, which logs its statements when `INTEGRATION_SQL_LOG`
//! names a file; `cargo xtask query-plans` runs both. Without the log this
//! test fails: it never passes by checking nothing.

use bench::plans;
use bench::seed::{self, Scale};
use shared::clock::{FixedClock, Timestamp};

/// Tables whose statements any full run of the suite executes: a log
/// without them is not the suite's.
const EXPECTED_TABLES: &[&str] = &["accounts", "sessions", "audit_log", "sms_outbox", "sms_codes", "review_items", "appeals", "uploads"];

#[test]
#[ignore = "needs the integration suite's SQL log: run by `cargo test-all` or `cargo xtask query-plans`"]
fn no_statement_the_suite_ran_scans_a_growing_table() {
    let log = std::env::var_os("INTEGRATION_SQL_LOG")
        .expect("INTEGRATION_SQL_LOG must name the SQL log the integration suite wrote (cargo xtask query-plans sets it)");
    let statements = plans::read_log(std::path::Path::new(&log)).unwrap();
    let state = tempfile::tempdir().unwrap();
    let seeded = seed::seed(state.path(), Scale { accounts: 2_000 }, &FixedClock::at(Timestamp(1_795_741_200_000))).unwrap();
    let conn = rusqlite::Connection::open(&seeded.db).unwrap();
    let report = plans::check(&conn, &statements).unwrap();
    println!("{}", report.render());
    let missing: Vec<&&str> = EXPECTED_TABLES.iter().filter(|t| !report.tables.contains_key(**t)).collect();
    assert!(missing.is_empty(), "the log has no statement on {missing:?}: not a full run of the integration suite");
    assert!(report.passed(), "query plans:\n{}", report.render());
}
