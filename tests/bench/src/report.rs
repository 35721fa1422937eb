//! The one table `cargo bench-all` prints (Markdown, so the README can keep
//! it as printed), with the date and the machine it ran on.

use std::fmt::Write as _;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The figure has a target and meets it.
    Met,
    /// The figure has a target and misses it.
    Missed,
    /// A figure without a target (a reference, or "print it").
    Info,
    /// The measurement itself went wrong (unexpected answers): not a figure.
    Invalid(String),
}

#[derive(Debug, Clone)]
pub struct Row {
    pub section: &'static str,
    pub figure: String,
    pub measured: String,
    pub target: String,
    pub ratio: String,
    pub verdict: Verdict,
}

#[derive(Debug, Default)]
pub struct Table {
    pub rows: Vec<Row>,
    pub notes: Vec<String>,
}

impl Table {
    pub fn push(&mut self, section: &'static str, figure: impl Into<String>, measured: impl Into<String>) -> &mut Row {
        self.rows.push(Row {
            section,
            figure: figure.into(),
            measured: measured.into(),
            target: String::new(),
            ratio: String::new(),
            verdict: Verdict::Info,
        });
        self.rows.last_mut().expect("just pushed")
    }

    pub fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }

    pub fn render(&self, header: &str) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{header}\n");
        let _ = writeln!(out, "| | figure | measured | target | ratio | |");
        let _ = writeln!(out, "|---|---|---|---|---|---|");
        let mut last = "";
        for r in &self.rows {
            let section = if r.section == last { "" } else { r.section };
            last = r.section;
            let verdict = match &r.verdict {
                Verdict::Met => "met".to_owned(),
                Verdict::Missed => "**missed**".to_owned(),
                Verdict::Info => String::new(),
                Verdict::Invalid(why) => format!("**not measured**: {}", why.replace('|', "/")),
            };
            let _ = writeln!(out, "| {section} | {} | {} | {} | {} | {verdict} |", r.figure, r.measured, r.target, r.ratio);
        }
        if !self.notes.is_empty() {
            out.push('\n');
            for n in &self.notes {
                let _ = writeln!(out, "- {n}");
            }
        }
        let missed = self.rows.iter().filter(|r| r.verdict == Verdict::Missed).count();
        let met = self.rows.iter().filter(|r| r.verdict == Verdict::Met).count();
        let invalid = self.rows.iter().filter(|r| matches!(r.verdict, Verdict::Invalid(_))).count();
        let _ = writeln!(out, "\n{met} targets met, {missed} missed, {invalid} figures not measured.");
        out
    }
}

impl Row {
    pub fn target(&mut self, target: impl Into<String>, met: bool) -> &mut Row {
        self.target = target.into();
        if self.verdict == Verdict::Info {
            self.verdict = if met { Verdict::Met } else { Verdict::Missed };
        }
        self
    }

    pub fn ratio(&mut self, ratio: impl Into<String>) -> &mut Row {
        self.ratio = ratio.into();
        self
    }

    pub fn invalid(&mut self, why: Option<String>) -> &mut Row {
        if let Some(why) = why {
            self.verdict = Verdict::Invalid(why);
        }
        self
    }
}

pub fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms >= 100.0 { format!("{ms:.0} ms") } else if ms >= 10.0 { format!("{ms:.1} ms") } else { format!("{ms:.2} ms") }
}

pub fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// `1234567.8` -> `1,234,568`.
pub fn count(n: f64) -> String {
    let s = format!("{:.0}", n);
    let (sign, digits) = s.strip_prefix('-').map_or(("", s.as_str()), |d| ("-", d));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

/// The machine, as `/proc` describes it: CPU model, cores, memory.
pub fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("model name")).and_then(|l| l.split(':').nth(1)).map(|m| m.trim().to_owned()))
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem_gib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("MemTotal")).and_then(|l| l.split_whitespace().nth(1)).and_then(|k| k.parse::<f64>().ok()))
        .map(|kib| kib / (1024.0 * 1024.0));
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_owned))
        .map(|l| format!(", load average {l} at the start"))
        .unwrap_or_default();
    match mem_gib {
        Some(g) => format!("{cores} cores ({cpu}), {g:.0} GiB{load}"),
        None => format!("{cores} cores ({cpu}){load}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_have_thousands_separators() {
        assert_eq!(count(1_234_567.8), "1,234,568");
        assert_eq!(count(999.0), "999");
        assert_eq!(count(1000.0), "1,000");
    }

    #[test]
    fn the_table_marks_targets_and_failed_measurements() {
        let mut t = Table::default();
        t.push("light", "health", "3,100 /s").target(">= 3,000 /s", true);
        t.push("light", "check", "281 /s").target(">= 3,000 /s", false).ratio("0.09 of health");
        t.push("logins", "logins", "-").invalid(Some("429x3".into()));
        let text = t.render("# bench");
        assert!(text.contains("| light | health | 3,100 /s | >= 3,000 /s |  | met |"), "{text}");
        assert!(text.contains("|  | check | 281 /s | >= 3,000 /s | 0.09 of health | **missed** |"), "{text}");
        assert!(text.contains("**not measured**: 429x3"), "{text}");
        assert!(text.contains("1 targets met, 1 missed, 1 figures not measured."), "{text}");
    }
}
