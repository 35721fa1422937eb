//! The cron trigger: `[[trigger.cron]]` declarations, their schedules, and
//! running a component's `handle-cron-event` export (`spin:cron@3.0.0`, the
//! world in `wit-cron/cron.wit`).
//!
//! What it implements of Spin's cron trigger plugin (trigger-cron 0.5.0):
//!
//! - expressions of exactly six fields, `sec min hour day-of-month month
//!   day-of-week`, in UTC; each field `*`, `?` (the day fields), a number, a
//!   range `a-b`, a step `*/n`, `a/n` or `a-b/n`, and lists of those;
//!   months `1-12` or `JAN`-`DEC`, weekdays `0-7` (0 and 7 are Sunday) or
//!   `SUN`-`SAT`; when both day fields are restricted a day matching either
//!   runs (as Vixie cron). `L`, `W` and `#` are refused. A wrong expression
//!   refuses to load, naming the manifest line;
//! - a fresh instance per tick, no timeout, ticks that overlap (each tick
//!   is its own task), and the metadata timestamp in seconds since the
//!   epoch, taken from the guests' wall clock (the [`crate::TestClock`] when
//!   one is set) when the tick starts;
//! - under `spin-test-host up` every trigger runs on its schedule
//!   ([`crate::Host::spawn_cron`]); tests run one tick on demand
//!   ([`crate::Host::run_cron`], [`crate::Host::run_cron_triggers`]).

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

mod bindings {
    wasmtime::component::bindgen!({
        path: "wit-cron",
        world: "spin-cron",
        exports: { default: async },
    });
}

pub(crate) use bindings::SpinCron;
pub(crate) use bindings::spin::cron::cron_types::{Error as CronError, Metadata};

/// One `[[trigger.cron]]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CronTriggerDecl {
    #[serde(deserialize_with = "crate::spin_id::component_ref")]
    pub component: String,
    pub cron_expression: String,
}

/// A parsed expression: the allowed values of each field as bits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CronSchedule {
    seconds: u64,
    minutes: u64,
    hours: u64,
    days_of_month: u64,
    months: u64,
    days_of_week: u64,
    /// Whether each day field was restricted (not `*` or `?`).
    dom_restricted: bool,
    dow_restricted: bool,
}

struct Field {
    name: &'static str,
    min: u32,
    max: u32,
    names: &'static [&'static str],
}

const FIELDS: [Field; 6] = [
    Field { name: "second", min: 0, max: 59, names: &[] },
    Field { name: "minute", min: 0, max: 59, names: &[] },
    Field { name: "hour", min: 0, max: 23, names: &[] },
    Field { name: "day of month", min: 1, max: 31, names: &[] },
    Field {
        name: "month",
        min: 1,
        max: 12,
        names: &["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
    },
    Field { name: "day of week", min: 0, max: 7, names: &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] },
];

impl Field {
    fn value(&self, s: &str) -> Result<u32> {
        if let Some(i) = self.names.iter().position(|n| n.eq_ignore_ascii_case(s)) {
            // Months are numbered from 1, weekdays from 0.
            return Ok(i as u32 + u32::from(self.name == "month"));
        }
        let v: u32 = s
            .parse()
            .with_context(|| format!("{} field: {s:?} is not a number{}", self.name, self.hint()))?;
        if v < self.min || v > self.max {
            bail!("{} field: {v} is outside {}-{}", self.name, self.min, self.max);
        }
        Ok(v)
    }

    fn hint(&self) -> String {
        if self.names.is_empty() { String::new() } else { format!(" or a name ({}-{})", self.names[0], self.names[self.names.len() - 1]) }
    }

    /// The bits of one field, and whether it restricts anything.
    fn parse(&self, text: &str) -> Result<(u64, bool)> {
        let mut bits = 0u64;
        let mut restricted = false;
        for part in text.split(',') {
            let digits_then = |suffix: char| part.strip_suffix(suffix).is_some_and(|d| d.is_empty() || d.parse::<u32>().is_ok());
            if part.contains('#') || digits_then('L') || digits_then('W') {
                bail!("{} field: {part:?}: L, W and # are not supported by spin-test-host", self.name);
            }
            let (range, step) = match part.split_once('/') {
                Some((r, s)) => {
                    let step: u32 = s.parse().with_context(|| format!("{} field: step {s:?} is not a number", self.name))?;
                    if step == 0 {
                        bail!("{} field: a step of 0", self.name);
                    }
                    (r, Some(step))
                }
                None => (part, None),
            };
            let (from, to) = match range {
                "*" | "?" => {
                    if range == "?" && !matches!(self.name, "day of month" | "day of week") {
                        bail!("{} field: ? is only for the day fields", self.name);
                    }
                    if step.is_some() {
                        restricted = true;
                    }
                    (self.min, if self.name == "day of week" { 6 } else { self.max })
                }
                _ => {
                    restricted = true;
                    match range.split_once('-') {
                        Some((a, b)) => {
                            let (a, b) = (self.value(a)?, self.value(b)?);
                            if a > b {
                                bail!("{} field: the range {range:?} runs backwards", self.name);
                            }
                            (a, b)
                        }
                        // `a/n` runs from a to the end.
                        None if step.is_some() => (self.value(range)?, self.max),
                        None => {
                            let v = self.value(range)?;
                            (v, v)
                        }
                    }
                }
            };
            let mut v = from;
            while v <= to {
                // Sunday is 0 and 7.
                let bit = if self.name == "day of week" && v == 7 { 0 } else { v };
                bits |= 1 << bit;
                v += step.unwrap_or(1);
            }
        }
        Ok((bits, restricted))
    }
}

impl CronSchedule {
    /// Parses an expression of exactly six fields.
    pub fn parse(expression: &str) -> Result<CronSchedule> {
        let fields: Vec<&str> = expression.split_whitespace().collect();
        if fields.len() != 6 {
            bail!(
                "expected exactly 6 fields (sec min hour day-of-month month day-of-week, in UTC), got {}",
                fields.len()
            );
        }
        let mut parsed = Vec::with_capacity(6);
        for (field, text) in FIELDS.iter().zip(&fields) {
            parsed.push(field.parse(text)?);
        }
        Ok(CronSchedule {
            seconds: parsed[0].0,
            minutes: parsed[1].0,
            hours: parsed[2].0,
            days_of_month: parsed[3].0,
            months: parsed[4].0,
            days_of_week: parsed[5].0,
            dom_restricted: parsed[3].1,
            dow_restricted: parsed[5].1,
        })
    }

    fn day_matches(&self, t: &Civil) -> bool {
        let month = self.months & (1 << t.month) != 0;
        let dom = self.days_of_month & (1 << t.day) != 0;
        let dow = self.days_of_week & (1 << t.weekday) != 0;
        month && if self.dom_restricted && self.dow_restricted { dom || dow } else { dom && dow }
    }

    /// Whether the expression fires at `secs` (seconds since the epoch, UTC).
    pub fn matches(&self, secs: u64) -> bool {
        let t = Civil::of(secs);
        self.day_matches(&t)
            && self.hours & (1 << t.hour) != 0
            && self.minutes & (1 << t.minute) != 0
            && self.seconds & (1 << t.second) != 0
    }

    /// The first second after `secs` at which it fires; `None` when it never
    /// does within ten years (e.g. `0 0 0 31 2 *`).
    pub fn next_after(&self, secs: u64) -> Option<u64> {
        let mut t = secs + 1;
        let limit = secs + 10 * 366 * 86_400;
        while t <= limit {
            let c = Civil::of(t);
            if !self.day_matches(&c) {
                t = t - t % 86_400 + 86_400;
            } else if self.hours & (1 << c.hour) == 0 {
                t = t - t % 3600 + 3600;
            } else if self.minutes & (1 << c.minute) == 0 {
                t = t - t % 60 + 60;
            } else if self.seconds & (1 << c.second) == 0 {
                t += 1;
            } else {
                return Some(t);
            }
        }
        None
    }
}

/// A UTC time broken down.
struct Civil {
    month: u32,
    day: u32,
    weekday: u32,
    hour: u32,
    minute: u32,
    second: u32,
}

impl Civil {
    fn of(secs: u64) -> Civil {
        let days = (secs / 86_400) as i64;
        let rem = secs % 86_400;
        // Howard Hinnant's days-to-civil.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        Civil {
            month,
            day,
            // 1970-01-01 was a Thursday.
            weekday: ((days + 4).rem_euclid(7)) as u32,
            hour: (rem / 3600) as u32,
            minute: (rem % 3600 / 60) as u32,
            second: (rem % 60) as u32,
        }
    }
}

/// Checks every declaration's expression; a wrong one is an error naming
/// its line in the manifest text.
pub(crate) fn check_expressions(triggers: &[CronTriggerDecl], text: &str) -> Result<Vec<CronSchedule>> {
    triggers
        .iter()
        .map(|t| {
            CronSchedule::parse(&t.cron_expression).with_context(|| match line_of(text, &t.cron_expression) {
                Some(line) => format!("line {line}: [[trigger.cron]] cron_expression {:?} (component {:?})", t.cron_expression, t.component),
                None => format!("[[trigger.cron]] cron_expression {:?} (component {:?})", t.cron_expression, t.component),
            })
        })
        .collect()
}

/// The 1-based line of the `cron_expression` that holds `expression`.
fn line_of(text: &str, expression: &str) -> Option<usize> {
    text.lines()
        .position(|l| l.trim_start().starts_with("cron_expression") && l.contains(&format!("\"{expression}\"")))
        .map(|i| i + 1)
}

/// The metadata of a tick starting at `now`.
pub(crate) fn metadata_at(now: SystemTime) -> Metadata {
    Metadata { timestamp: now.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs() }
}

/// Renders the guest's error.
pub(crate) fn describe(e: CronError) -> String {
    match e {
        CronError::Other(message) => message,
    }
}

/// How long to sleep until `next` (seconds since the epoch) by the real
/// clock.
pub(crate) fn until(next: u64) -> Duration {
    let target = UNIX_EPOCH + Duration::from_secs(next);
    target.duration_since(SystemTime::now()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-03-13T10:20:30Z, a Friday.
    const FRI: u64 = 1_773_397_230;

    #[test]
    fn six_fields_exactly() {
        for bad in ["* * * * *", "* * * * * * *", "", "0 */5 * * *"] {
            let e = CronSchedule::parse(bad).unwrap_err().to_string();
            assert!(e.contains("exactly 6 fields"), "{bad:?}: {e}");
        }
        assert!(CronSchedule::parse("0 * * * * *").is_ok());
    }

    #[test]
    fn fields_ranges_steps_lists_and_names() {
        let every_minute = CronSchedule::parse("0 * * * * *").unwrap();
        assert!(every_minute.matches(FRI - 30));
        assert!(!every_minute.matches(FRI));
        assert_eq!(every_minute.next_after(FRI), Some(FRI + 30));
        let every_second = CronSchedule::parse("* * * * * *").unwrap();
        assert_eq!(every_second.next_after(FRI), Some(FRI + 1));
        let steps = CronSchedule::parse("*/15 1-5,10 * * * *").unwrap();
        assert_eq!(steps.next_after(FRI), Some(FRI - 30 - 20 * 60 + 3600 + 60), "11:01:00");
        let weekdays = CronSchedule::parse("0 0 9 * * MON-FRI").unwrap();
        let friday_9h = FRI - (3600 + 20 * 60 + 30);
        assert!(weekdays.matches(friday_9h));
        assert!(!weekdays.matches(friday_9h + 86_400), "Saturday");
        assert_eq!(weekdays.next_after(friday_9h), Some(friday_9h + 3 * 86_400), "Monday");
        let sunday = CronSchedule::parse("0 0 0 * * 7").unwrap();
        assert_eq!(sunday, CronSchedule::parse("0 0 0 * * SUN").unwrap());
        assert_eq!(sunday, CronSchedule::parse("0 0 0 ? * 0").unwrap());
        // Friday 10:20:30 -> Sunday 00:00:00 is 1 day 13:39:30 later.
        assert_eq!(sunday.next_after(FRI), Some(FRI + 86_400 + 13 * 3600 + 39 * 60 + 30));
        let march = CronSchedule::parse("0 0 0 1 mar *").unwrap();
        assert!(march.next_after(FRI).is_some_and(|t| t - FRI > 300 * 86_400), "next March 1st");
        assert_eq!(CronSchedule::parse("0 0 0 31 2 *").unwrap().next_after(FRI), None, "never");
        // Both day fields restricted: either matches.
        let either = CronSchedule::parse("0 0 0 1 * FRI").unwrap();
        assert_eq!(either.next_after(FRI), Some(FRI + 7 * 86_400 - 10 * 3600 - 20 * 60 - 30), "next Friday (before the 1st)");
        let from = CronSchedule::parse("30/10 * * * * *").unwrap();
        assert!(from.matches(FRI) && from.matches(FRI + 20) && !from.matches(FRI + 30));
    }

    #[test]
    fn wrong_fields_are_named() {
        for (bad, says) in [
            ("60 * * * * *", "second field: 60 is outside 0-59"),
            ("* * 24 * * *", "hour field"),
            ("* * * 0 * *", "day of month field"),
            ("* * * * 13 *", "month field"),
            ("* * * * * 8", "day of week field"),
            ("* * * * * FUN", "not a number or a name (SUN-SAT)"),
            ("*/0 * * * * *", "a step of 0"),
            ("5-1 * * * * *", "runs backwards"),
            ("* * * L * *", "L, W and #"),
            ("? * * * * *", "only for the day fields"),
        ] {
            let e = format!("{:#}", CronSchedule::parse(bad).unwrap_err());
            assert!(e.contains(says), "{bad:?}: {e}");
        }
    }

    #[test]
    fn a_wrong_expression_names_its_manifest_line() {
        let text = "spin_manifest_version = 2\n\n[[trigger.cron]]\ncomponent = \"a\"\ncron_expression = \"0 * * * * *\"\n\n[[trigger.cron]]\ncomponent = \"b\"\ncron_expression = \"* * * * *\"\n";
        let triggers = vec![
            CronTriggerDecl { component: "a".into(), cron_expression: "0 * * * * *".into() },
            CronTriggerDecl { component: "b".into(), cron_expression: "* * * * *".into() },
        ];
        let e = format!("{:#}", check_expressions(&triggers, text).unwrap_err());
        assert!(e.contains("line 9") && e.contains("\"b\"") && e.contains("exactly 6 fields"), "{e}");
    }

    #[test]
    fn civil_time_and_weekdays() {
        let c = Civil::of(FRI);
        assert_eq!((c.month, c.day, c.weekday, c.hour, c.minute, c.second), (3, 13, 5, 10, 20, 30));
        let leap = Civil::of(1_709_164_800); // 2024-02-29T00:00:00Z, a Thursday
        assert_eq!((leap.month, leap.day, leap.weekday), (2, 29, 4));
    }
}

impl crate::Host {
    /// The cron triggers' components and schedules (checked at load).
    fn cron_schedules(&self) -> Vec<(CronTriggerDecl, CronSchedule)> {
        self.inner
            .cron
            .iter()
            .filter_map(|t| Some((t.clone(), CronSchedule::parse(&t.cron_expression).ok()?)))
            .collect()
    }

    /// Runs one tick of the cron component `component` now: a fresh
    /// instance, `handle-cron-event` with the guests' wall clock as the
    /// timestamp. `Err` is the guest's error (or a trap, or an unknown
    /// component), as the trigger would log it.
    pub async fn run_cron(&self, component: &str) -> std::result::Result<(), String> {
        let Some(loaded) = self.inner.runtime.components.get(component) else {
            return Err(format!("no component {component:?}"));
        };
        let metadata = metadata_at(loaded.factory.now());
        let outcome: Result<std::result::Result<(), CronError>> = async {
            let mut store = loaded.factory.new_store(&loaded.config)?;
            let instance = loaded.pre.instantiate_async(&mut store).await?;
            let cron = SpinCron::new(&mut store, &instance)
                .map_err(anyhow::Error::from)
                .with_context(|| format!("component {component:?} does not export spin:cron's handle-cron-event"))?;
            let result = store
                .run_concurrent(async |accessor| cron.call_handle_cron_event(accessor, metadata).await)
                .await??;
            Ok(result)
        }
        .await;
        match outcome {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(describe(e)),
            Err(e) => Err(format!("{e:#}")),
        }
    }

    /// One tick of every `[[trigger.cron]]` at once (each its own task, as
    /// the plugin runs them), in manifest order: `(component, outcome)`.
    pub async fn run_cron_triggers(&self) -> Vec<(String, std::result::Result<(), String>)> {
        let runs = self.inner.cron.iter().map(|t| {
            let host = self.clone();
            let component = t.component.clone();
            tokio::spawn(async move {
                let outcome = host.run_cron(&component).await;
                (component, outcome)
            })
        });
        let mut done = Vec::new();
        for run in runs.collect::<Vec<_>>() {
            match run.await {
                Ok(r) => done.push(r),
                Err(e) => done.push((String::new(), Err(format!("tick task failed: {e}")))),
            }
        }
        done
    }

    /// Runs every cron trigger on its schedule, by the real clock (as
    /// `spin up` with the cron plugin does), until the returned handle is
    /// dropped. Each tick is a task of its own, so ticks may overlap;
    /// failures are logged.
    pub fn spawn_cron(&self) -> CronScheduler {
        let tasks = self
            .cron_schedules()
            .into_iter()
            .map(|(decl, schedule)| {
                let host = self.clone();
                tokio::spawn(async move {
                    let mut last = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
                    while let Some(next) = schedule.next_after(last) {
                        tokio::time::sleep(until(next)).await;
                        last = next;
                        let host = host.clone();
                        let component = decl.component.clone();
                        tokio::spawn(async move {
                            if let Err(e) = host.run_cron(&component).await {
                                eprintln!("[spin-test-host] cron tick of {component:?} failed: {e}");
                            }
                        });
                    }
                })
            })
            .collect();
        CronScheduler { tasks }
    }
}

/// The running schedules of [`crate::Host::spawn_cron`]; dropping it stops
/// them (ticks under way finish).
pub struct CronScheduler {
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for CronScheduler {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}
