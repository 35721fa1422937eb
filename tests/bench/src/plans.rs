//! The query-plan check: every SQL statement a run of the app executed
//! (the test host's SQL log, `HostOptions::sql_log`) goes through `EXPLAIN
//! QUERY PLAN` on a seeded database, and a full scan of a table that grows
//! with use (`SCAN <table>`, with or without a covering index: either reads
//! every row) is a failure. Only the small tables in [`SMALL_TABLES`] may be
//! scanned, each with its reason. Parameters stay unbound: `EXPLAIN QUERY
//! PLAN` plans a statement without its values, as SQLite plans it when a
//! component prepares it.

use anyhow::{Context as _, Result, bail};
use rusqlite::Connection;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Tables that stay small whatever the traffic, so scanning them is fine.
pub const SMALL_TABLES: &[(&str, &str)] = &[
    ("reviewers", "the back office's staff: tens of rows, added by reviewers by hand"),
    ("calendar_days", "holidays and adjusted working days: a few dozen a year, edited by reviewers"),
    ("schema_migrations", "one row per migration"),
];

/// One logged statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub component: String,
    pub sql: String,
}

/// Reads the SQL log (JSON lines `{"component", "sql"}`), each distinct
/// statement once; a missing or empty log is an error, never a pass.
pub fn read_log(path: &Path) -> Result<Vec<Statement>> {
    let text = std::fs::read_to_string(path).with_context(|| {
        format!("no SQL log at {} (the integration suite writes it when INTEGRATION_SQL_LOG names it)", path.display())
    })?;
    let mut seen = BTreeMap::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).with_context(|| format!("{}:{}: not JSON", path.display(), n + 1))?;
        let (Some(component), Some(sql)) = (v["component"].as_str(), v["sql"].as_str()) else {
            bail!("{}:{}: expected {{\"component\", \"sql\"}}", path.display(), n + 1);
        };
        seen.entry(sql.to_owned()).or_insert_with(|| component.to_owned());
    }
    if seen.is_empty() {
        bail!("the SQL log {} is empty: the integration suite ran no statement through the host", path.display());
    }
    Ok(seen.into_iter().map(|(sql, component)| Statement { component, sql }).collect())
}

/// What the check found.
#[derive(Debug, Default)]
pub struct Report {
    /// Statements explained (reads and writes).
    pub explained: usize,
    /// Statements with no plan to check (transactions, PRAGMA, DDL), by keyword.
    pub skipped: BTreeMap<String, usize>,
    /// Tables the explained statements touched, with how many statements.
    pub tables: BTreeMap<String, usize>,
    /// Scans of small tables (allowed).
    pub allowed: Vec<(Statement, String)>,
    /// Reads of the first rows in an index's order (no `WHERE`, an
    /// `ORDER BY` the index serves, a `LIMIT`): they stop after the limit,
    /// however big the table (allowed).
    pub bounded: Vec<(Statement, String)>,
    /// Full scans of tables that grow: the failures.
    pub full_scans: Vec<Finding>,
    /// Statements that did not prepare on the seeded schema.
    pub errors: Vec<(Statement, String)>,
}

#[derive(Debug)]
pub struct Finding {
    pub statement: Statement,
    pub table: String,
    pub plan: Vec<String>,
}

impl Report {
    pub fn passed(&self) -> bool {
        self.explained > 0 && self.full_scans.is_empty() && self.errors.is_empty()
    }

    /// A readable account, failures first.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for f in &self.full_scans {
            out.push_str(&format!(
                "FULL SCAN of {} ({}):\n    {}\n  plan:\n{}\n",
                f.table,
                f.statement.component,
                one_line(&f.statement.sql),
                f.plan.iter().map(|l| format!("    {l}")).collect::<Vec<_>>().join("\n")
            ));
        }
        for (s, e) in &self.errors {
            out.push_str(&format!("DOES NOT PREPARE ({}): {e}\n    {}\n", s.component, one_line(&s.sql)));
        }
        out.push_str(&format!(
            "{} statements explained, {} full scans of growing tables, {} errors; skipped (no plan): {:?}\n",
            self.explained,
            self.full_scans.len(),
            self.errors.len(),
            self.skipped
        ));
        out.push_str(&format!("tables touched: {:?}\n", self.tables));
        for (s, table) in &self.bounded {
            out.push_str(&format!("bounded read of {table} (the first rows in an index's order): {}\n", one_line(&s.sql)));
        }
        for (s, table) in &self.allowed {
            let why = SMALL_TABLES.iter().find(|(t, _)| t == table).map_or("", |(_, w)| w);
            out.push_str(&format!("allowed scan of {table} ({why}): {}\n", one_line(&s.sql)));
        }
        out
    }
}

fn one_line(sql: &str) -> String {
    sql.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Statements whose first keyword has no query plan to check.
const NO_PLAN: &[&str] = &[
    "BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA", "CREATE", "ALTER", "DROP", "ANALYZE", "VACUUM",
    "REINDEX", "ATTACH", "DETACH",
];

/// Words that may follow a table name and are not its alias.
const NOT_ALIASES: &[&str] = &[
    "WHERE", "ON", "JOIN", "LEFT", "RIGHT", "FULL", "INNER", "OUTER", "CROSS", "NATURAL", "SET", "VALUES", "ORDER", "GROUP",
    "LIMIT", "USING", "UNION", "EXCEPT", "INTERSECT", "SELECT", "DEFAULT", "RETURNING", "HAVING", "WINDOW", "INDEXED", "NOT",
    "AND", "OR", "AS", "DO", "WHEN", "THEN", "ELSE", "END", "FROM", "INTO", "IS", "IN", "BY", "ASC", "DESC",
];

fn identifiers(sql: &str) -> Vec<String> {
    sql.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Alias (or table name) -> table, from `table [AS] alias` in the text.
fn aliases(sql: &str, tables: &[String]) -> HashMap<String, String> {
    let words = identifiers(sql);
    let mut map = HashMap::new();
    for (i, w) in words.iter().enumerate() {
        let Some(table) = tables.iter().find(|t| t.eq_ignore_ascii_case(w)) else { continue };
        map.insert(table.to_lowercase(), table.clone());
        let mut j = i + 1;
        if words.get(j).is_some_and(|n| n.eq_ignore_ascii_case("AS")) {
            j += 1;
        }
        if let Some(alias) = words.get(j)
            && !NOT_ALIASES.iter().any(|k| k.eq_ignore_ascii_case(alias))
            && !alias.chars().next().is_some_and(|c| c.is_ascii_digit())
        {
            map.entry(alias.to_lowercase()).or_insert_with(|| table.clone());
        }
    }
    map
}

/// The table a `SCAN <name> ...` line of a plan reads, if it is a table.
fn scanned_table(detail: &str, aliases: &HashMap<String, String>) -> Option<String> {
    let rest = detail.strip_prefix("SCAN ")?;
    let name = rest.split_whitespace().next()?.trim_matches(|c| c == '"' || c == '`' || c == '[' || c == ']');
    if name == "CONSTANT" || name.starts_with('(') {
        return None;
    }
    aliases.get(&name.to_lowercase()).cloned()
}

pub fn table_names(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")?;
    let names = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(names)
}

/// The statements of the app's migrations (`shared::store::MIGRATIONS`),
/// one line each: they run once per database, at the schema of their
/// version, and a later migration may have changed the tables they name.
fn migration_statements() -> Vec<String> {
    shared::store::MIGRATIONS.iter().flat_map(|m| shared::store::split_statements(m.sql)).map(|s| one_line(&s)).collect()
}

/// Whether a `SCAN` stops after a limit: the statement reads the first rows
/// of the table in the order of the index the scan uses (no `WHERE` to skip
/// rows, an `ORDER BY` served by that index, a `LIMIT`).
fn bounded_by_limit(sql: &str, line: &str, plan: &[String]) -> bool {
    let words: Vec<String> = identifiers(sql).into_iter().map(|w| w.to_uppercase()).collect();
    let has = |w: &str| words.iter().any(|x| x == w);
    (line.contains(" USING INDEX ") || line.contains(" USING COVERING INDEX "))
        && !has("WHERE")
        && has("ORDER")
        && has("LIMIT")
        && !plan.iter().any(|l| l.contains("TEMP B-TREE FOR ORDER BY"))
}

/// Explains every statement on `conn` (a seeded database with the app's schema).
pub fn check(conn: &Connection, statements: &[Statement]) -> Result<Report> {
    let migrations = migration_statements();
    // As on every connection of the app (`shared::store::configure_connection`):
    // foreign-key checks are part of a write's plan.
    conn.execute_batch("PRAGMA foreign_keys = ON")?;
    let tables = table_names(conn)?;
    let mut report = Report::default();
    for s in statements {
        let keyword = identifiers(&s.sql).into_iter().next().unwrap_or_default().to_uppercase();
        if NO_PLAN.contains(&keyword.as_str()) {
            *report.skipped.entry(keyword).or_default() += 1;
            continue;
        }
        if migrations.contains(&one_line(&s.sql)) {
            *report.skipped.entry("MIGRATION".into()).or_default() += 1;
            continue;
        }
        let plan: Vec<String> = match (|| {
            let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {}", s.sql))?;
            // Unbound parameters are NULL: the plan does not depend on them.
            let mut rows = stmt.raw_query();
            let mut plan = Vec::new();
            while let Some(row) = rows.next()? {
                plan.push(row.get::<_, String>(3)?);
            }
            Ok::<_, rusqlite::Error>(plan)
        })() {
            Ok(plan) => plan,
            Err(e) => {
                report.errors.push((s.clone(), e.to_string()));
                continue;
            }
        };
        report.explained += 1;
        let aliases = aliases(&s.sql, &tables);
        let mut touched: Vec<&String> = aliases.values().collect();
        touched.sort();
        touched.dedup();
        for t in touched {
            *report.tables.entry(t.clone()).or_default() += 1;
        }
        for line in &plan {
            let Some(table) = scanned_table(line, &aliases) else { continue };
            if SMALL_TABLES.iter().any(|(t, _)| *t == table) {
                report.allowed.push((s.clone(), table));
            } else if bounded_by_limit(&s.sql, line, &plan) {
                report.bounded.push((s.clone(), table));
            } else {
                report.full_scans.push(Finding { statement: s.clone(), table, plan: plan.clone() });
            }
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE accounts (id INTEGER PRIMARY KEY, login_name_key TEXT UNIQUE, org_name TEXT, created_at INTEGER);
             CREATE TABLE sessions (token_hash TEXT PRIMARY KEY, account_id INTEGER);
             CREATE INDEX sessions_by_account ON sessions (account_id);
             CREATE TABLE reviewers (id INTEGER PRIMARY KEY, login_name TEXT);",
        )
        .unwrap();
        conn
    }

    fn statement(sql: &str) -> Statement {
        Statement { component: "test".into(), sql: sql.into() }
    }

    fn run(sqls: &[&str]) -> Report {
        check(&db(), &sqls.iter().map(|s| statement(s)).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn indexed_lookups_pass() {
        let r = run(&[
            "SELECT id FROM accounts WHERE login_name_key = ?",
            "SELECT a.id FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.token_hash = ?1",
            "UPDATE sessions SET account_id = ? WHERE token_hash = ?",
            "DELETE FROM sessions WHERE account_id = ?",
            "INSERT INTO accounts (login_name_key, created_at) VALUES (?, ?)",
            "SELECT 1",
        ]);
        assert!(r.passed(), "{}", r.render());
        assert_eq!(r.explained, 6);
        assert_eq!(r.tables["accounts"], 3);
    }

    #[test]
    fn a_full_scan_of_a_growing_table_fails_through_an_alias_too() {
        let r = run(&[
            "SELECT id FROM accounts WHERE org_name = ?",
            "SELECT a.id FROM accounts AS a WHERE a.created_at > ?",
            "SELECT COUNT(*) FROM sessions",
        ]);
        assert!(!r.passed());
        let tables: Vec<&str> = r.full_scans.iter().map(|f| f.table.as_str()).collect();
        assert_eq!(tables, ["accounts", "accounts", "sessions"], "{}", r.render());
        assert!(r.render().contains("FULL SCAN of accounts"));
    }

    #[test]
    fn the_first_rows_in_an_index_order_are_bounded_but_a_filtered_or_sorted_scan_is_not() {
        let r = run(&["SELECT account_id FROM sessions ORDER BY account_id DESC LIMIT ?"]);
        assert!(r.passed(), "{}", r.render());
        assert_eq!(r.bounded.len(), 1);
        let filtered = run(&["SELECT account_id FROM sessions WHERE token_hash LIKE ? ORDER BY account_id LIMIT ?"]);
        assert_eq!(filtered.full_scans.len(), 1, "{}", filtered.render());
        let sorted = run(&["SELECT token_hash FROM sessions ORDER BY token_hash || 'x' LIMIT ?"]);
        assert_eq!(sorted.full_scans.len(), 1, "{}", sorted.render());
    }

    #[test]
    fn the_migrations_own_statements_are_skipped() {
        // A data migration (0007's role rename) names a column a later
        // migration dropped: explained, it would not prepare.
        let all: Vec<String> = shared::store::MIGRATIONS.iter().flat_map(|m| shared::store::split_statements(m.sql)).collect();
        let dml = all.iter().find(|s| s.trim_start().to_uppercase().starts_with("UPDATE")).expect("a data migration");
        let r = run(&[dml.as_str()]);
        assert!(r.errors.is_empty() && r.full_scans.is_empty(), "{}", r.render());
        assert_eq!(r.skipped["MIGRATION"], 1);
        let other = run(&["UPDATE grants SET role = 'x'"]);
        assert_eq!(other.errors.len(), 1, "not a migration's: explained, and it does not prepare here");
    }

    #[test]
    fn small_tables_may_be_scanned_and_statements_without_plans_are_skipped() {
        let r = run(&["SELECT id, login_name FROM reviewers ORDER BY id", "BEGIN IMMEDIATE", "COMMIT", "PRAGMA user_version"]);
        assert!(r.passed(), "{}", r.render());
        assert_eq!(r.allowed.len(), 1);
        assert_eq!(r.skipped["PRAGMA"], 1);
    }

    #[test]
    fn nothing_explained_is_not_a_pass() {
        let r = run(&["BEGIN", "COMMIT"]);
        assert_eq!(r.explained, 0);
        assert!(!r.passed());
    }

    #[test]
    fn a_statement_that_does_not_prepare_fails() {
        let r = run(&["SELECT nope FROM accounts"]);
        assert!(!r.passed());
        assert_eq!(r.errors.len(), 1);
    }

    #[test]
    fn a_missing_or_empty_log_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("statements.jsonl");
        assert!(read_log(&path).unwrap_err().to_string().contains("no SQL log"));
        std::fs::write(&path, "").unwrap();
        assert!(read_log(&path).unwrap_err().to_string().contains("empty"));
        std::fs::write(&path, "{\"component\":\"auth\",\"sql\":\"SELECT 1\"}\n{\"component\":\"review\",\"sql\":\"SELECT 1\"}\n").unwrap();
        assert_eq!(read_log(&path).unwrap(), vec![Statement { component: "auth".into(), sql: "SELECT 1".into() }]);
    }
}
