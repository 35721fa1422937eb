//! 工作日 working days, in China local time (UTC+8, no daylight saving).
//!
//! Monday to Friday are working days, except dates configured in
//! `calendar_days` with kind `holiday` (public holidays); Saturday and
//! Sunday are not, except dates configured with kind `workday` (调休,
//! adjusted working days around a long holiday).
//!
//! A review is due one working day after its submission (flow 8), see
//! [`due_at`].

use crate::audit::{self, Actor};
use crate::clock::{Clock, Timestamp};
use crate::error::{AppError, AppResult};
use crate::identity::CivilDate;
use crate::ids::ReviewerId;
use crate::store::{Database, Store, StoreError, in_transaction};
use serde_json::{Value, json};
use std::collections::BTreeMap;

const CHINA_OFFSET_MILLIS: i64 = 8 * 3600 * 1000;
const MILLIS_PER_DAY: i64 = 86_400_000;
/// How many days after a date one calendar query covers: longer than any
/// holiday period (Spring Festival and National Day are 7-9 days).
pub const LOOKAHEAD_DAYS: i64 = 30;
/// A calendar without a single working day this far ahead is misconfigured.
const MAX_SEARCH_DAYS: i64 = 366;

/// Day of the week, Monday first (ISO 8601).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl Weekday {
    pub fn of(day: CivilDate) -> Weekday {
        // 1970-01-01 was a Thursday (index 3 counting from Monday = 0).
        const ALL: [Weekday; 7] = [
            Weekday::Monday,
            Weekday::Tuesday,
            Weekday::Wednesday,
            Weekday::Thursday,
            Weekday::Friday,
            Weekday::Saturday,
            Weekday::Sunday,
        ];
        ALL[(day.days_since_epoch() + 3).rem_euclid(7) as usize]
    }

    pub fn is_weekend(self) -> bool {
        matches!(self, Weekday::Saturday | Weekday::Sunday)
    }
}

/// A configured exception to the Monday-Friday rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DayKind {
    /// A day off (public holiday), usually on a weekday.
    Holiday,
    /// 调休: a working day, usually on a weekend.
    Workday,
}

impl DayKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DayKind::Holiday => "holiday",
            DayKind::Workday => "workday",
        }
    }

    pub fn parse(s: &str) -> Option<DayKind> {
        match s {
            "holiday" => Some(DayKind::Holiday),
            "workday" => Some(DayKind::Workday),
            _ => None,
        }
    }

    /// (zh, en)
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            DayKind::Holiday => ("节假日", "public holiday"),
            DayKind::Workday => ("调休工作日", "adjusted working day"),
        }
    }
}

/// One row of `calendar_days`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarDay {
    pub day: CivilDate,
    pub kind: DayKind,
    pub note: String,
}

impl CalendarDay {
    pub fn to_json(&self) -> Value {
        let (zh, en) = self.kind.label();
        json!({
            "day": self.day.to_string(),
            "kind": self.kind.as_str(),
            "kind_label_zh": zh,
            "kind_label_en": en,
            "weekday": format!("{:?}", Weekday::of(self.day)).to_ascii_lowercase(),
            "note": self.note,
        })
    }
}

/// Parses an ISO date `YYYY-MM-DD` (exactly that shape, a real date).
pub fn parse_date(s: &str) -> Option<CivilDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    CivilDate::from_yyyymmdd(&format!("{}{}{}", &s[0..4], &s[5..7], &s[8..10]))
}

fn bad_date(field: &str) -> AppError {
    AppError::new("review.date_invalid", 400, "日期格式应为 YYYY-MM-DD。", "Dates are written YYYY-MM-DD.").with_field(field)
}

/// A date parameter `field`: absent is `None`; present, it must be
/// `YYYY-MM-DD` (else `review.date_invalid` naming the field).
pub fn parse_date_field(field: &str, value: Option<&str>) -> AppResult<Option<CivilDate>> {
    match value {
        None => Ok(None),
        Some(v) => parse_date(v.trim()).map(Some).ok_or_else(|| bad_date(field)),
    }
}

impl DayKind {
    /// The calendar form's `kind`: `holiday`, `workday`, or empty/absent
    /// (back to the Monday-Friday rule).
    pub fn parse_field(kind: Option<&str>) -> AppResult<Option<DayKind>> {
        match kind.map(str::trim) {
            None | Some("") => Ok(None),
            Some(k) => DayKind::parse(k).map(Some).ok_or_else(|| {
                AppError::new(
                    "review.day_kind_unknown",
                    400,
                    "kind 应为 holiday（节假日）、workday（调休上班）或空（恢复常规）。",
                    "kind must be holiday, workday (an adjusted working day) or empty (back to the usual rule).",
                )
                .with_field("kind")
            }),
        }
    }
}

/// A reviewer changes one date of the calendar: the change and its audit
/// record commit together. `day` is the path parameter (`YYYY-MM-DD`).
pub async fn change_day<D: Database>(
    db: &D,
    clock: &dyn Clock,
    reviewer: ReviewerId,
    day: &str,
    kind: Option<&str>,
    note: &str,
) -> AppResult<Value> {
    let date = parse_date_field("day", Some(day))?.ok_or_else(|| bad_date("day"))?;
    let kind = DayKind::parse_field(kind)?;
    in_transaction(db, async |tx| {
        set_day(tx, date, kind, note).await?;
        audit::record(
            tx,
            clock,
            &Actor::Reviewer(reviewer),
            "review.calendar_changed",
            Some(&date.to_string()),
            json!({ "kind": kind.map(DayKind::as_str), "note": note }),
        )
        .await?;
        Ok::<_, AppError>(())
    })
    .await?;
    Ok(json!({ "day": date.to_string(), "kind": kind.map(DayKind::as_str) }))
}

/// The calendar's exceptions between the `from` and `to` parameters
/// (default: today in China and a year and a day later).
pub async fn calendar_view<S: Store>(store: &S, clock: &dyn Clock, from: Option<&str>, to: Option<&str>) -> AppResult<Value> {
    let from = parse_date_field("from", from)?.unwrap_or_else(|| CivilDate::today_in_china(clock));
    let to = parse_date_field("to", to)?.unwrap_or_else(|| CivilDate::from_days_since_epoch(from.days_since_epoch() + 366));
    let days = calendar(store, from, to).await?;
    Ok(json!({ "days": days.iter().map(CalendarDay::to_json).collect::<Vec<_>>() }))
}

/// Whether `day` is a working day, given the configured exceptions.
pub fn is_working_day(day: CivilDate, overrides: &BTreeMap<CivilDate, DayKind>) -> bool {
    match overrides.get(&day) {
        Some(DayKind::Holiday) => false,
        Some(DayKind::Workday) => true,
        None => !Weekday::of(day).is_weekend(),
    }
}

/// The instant local midnight (00:00 China time) begins `day`.
pub fn start_of_day_china(day: CivilDate) -> Timestamp {
    Timestamp(day.days_since_epoch() * MILLIS_PER_DAY - CHINA_OFFSET_MILLIS)
}

/// The last millisecond (23:59:59.999 China time) of `day`.
pub fn end_of_day_china(day: CivilDate) -> Timestamp {
    Timestamp(start_of_day_china(day).millis() + MILLIS_PER_DAY - 1)
}

fn add_days(day: CivilDate, n: i64) -> CivilDate {
    CivilDate::from_days_since_epoch(day.days_since_epoch() + n)
}

/// Loads the overrides for `from..=to` with one query.
async fn overrides<S: Store>(store: &S, from: CivilDate, to: CivilDate) -> Result<BTreeMap<CivilDate, DayKind>, StoreError> {
    Ok(calendar(store, from, to).await?.into_iter().map(|d| (d.day, d.kind)).collect())
}

/// When a review submitted at `submitted` is due: one working day later.
///
/// - Submitted on a working day: the same local time of day on the next
///   working day after the submission's local date (Tuesday 10:00 ->
///   Wednesday 10:00; Friday 16:00 -> Monday 16:00; the day before a
///   holiday week -> the same time on the first working day after it).
/// - Submitted on a non-working day (weekend, holiday): the end of the
///   first working day after it, 23:59:59.999 local (Saturday -> Monday
///   23:59:59.999), since no working time has passed yet.
///
/// Dates are China local dates: 23:30 Beijing time on Tuesday is Tuesday,
/// although it is still Tuesday 15:30 UTC.
pub async fn due_at<S: Store>(store: &S, submitted: Timestamp) -> Result<Timestamp, StoreError> {
    add_working_days(store, submitted, 1).await
}

/// `submitted` plus `n` working days (n >= 1), by the rule of [`due_at`]
/// (which is `n` = 1): the same local time on the n-th working day after
/// a working-day submission; the end of the n-th working day after a
/// non-working-day submission. Useful for escalation deadlines.
pub async fn add_working_days<S: Store>(store: &S, submitted: Timestamp, n: u32) -> Result<Timestamp, StoreError> {
    let n = n.max(1);
    let date = CivilDate::from_timestamp_china(submitted);
    let time_of_day = submitted.millis() - start_of_day_china(date).millis();
    // One query covers the submission date and the usual look-ahead; a
    // calendar with longer breaks is read window by window.
    let mut window_start = date;
    let mut window_end = add_days(date, LOOKAHEAD_DAYS + i64::from(n));
    let mut map = overrides(store, window_start, window_end).await?;
    let on_working_day = is_working_day(date, &map);
    let mut remaining = n;
    let mut offset = 0i64;
    loop {
        offset += 1;
        if offset > MAX_SEARCH_DAYS + i64::from(n) {
            return Err(StoreError::Other(format!("calendar_days: fewer than {n} working days in the year after {date}")));
        }
        let day = add_days(date, offset);
        if day > window_end {
            window_start = day;
            window_end = add_days(day, LOOKAHEAD_DAYS);
            map = overrides(store, window_start, window_end).await?;
        }
        if is_working_day(day, &map) {
            remaining -= 1;
            if remaining == 0 {
                return Ok(if on_working_day {
                    Timestamp(start_of_day_china(day).millis() + time_of_day)
                } else {
                    end_of_day_china(day)
                });
            }
        }
    }
}

/// Whether `day` is a working day by the configured calendar.
pub async fn is_working<S: Store>(store: &S, day: CivilDate) -> Result<bool, StoreError> {
    Ok(is_working_day(day, &overrides(store, day, day).await?))
}

/// Configures one date: `Some(kind)` sets (or replaces) the exception with
/// its note (e.g. 国庆节, 国庆调休); `None` removes it, so the
/// Monday-Friday rule applies again. The caller audits the change.
pub async fn set_day<S: Store>(store: &S, day: CivilDate, kind: Option<DayKind>, note: &str) -> Result<(), StoreError> {
    match kind {
        Some(kind) => {
            store
                .execute(
                    "INSERT INTO calendar_days (day, kind, note) VALUES (?, ?, ?)
                     ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, note = excluded.note",
                    &[day.to_string().into(), kind.as_str().into(), note.trim().into()],
                )
                .await?;
        }
        None => {
            store.execute("DELETE FROM calendar_days WHERE day = ?", &[day.to_string().into()]).await?;
        }
    }
    Ok(())
}

/// The configured exceptions from `from` to `to` inclusive, by date.
pub async fn calendar<S: Store>(store: &S, from: CivilDate, to: CivilDate) -> Result<Vec<CalendarDay>, StoreError> {
    let rows = store
        .execute(
            "SELECT day, kind, note FROM calendar_days WHERE day >= ? AND day <= ? ORDER BY day",
            &[from.to_string().into(), to.to_string().into()],
        )
        .await?;
    rows.iter()
        .map(|row| {
            let day = row.text("day")?;
            let kind = row.text("kind")?;
            Ok(CalendarDay {
                day: parse_date(day).ok_or_else(|| StoreError::Other(format!("calendar_days: bad day {day:?}")))?,
                kind: DayKind::parse(kind).ok_or_else(|| StoreError::Other(format!("calendar_days: bad kind {kind:?}")))?,
                note: row.text("note")?.to_owned(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FixedClock;
    use crate::store::native::block_on;
    use crate::store::{NativeStore, migrate};

    fn setup() -> NativeStore {
        let store = NativeStore::in_memory().unwrap();
        block_on(migrate(&store, &FixedClock::at(Timestamp(0)))).unwrap();
        store
    }

    fn date(y: i32, m: u8, d: u8) -> CivilDate {
        CivilDate::new(y, m, d).unwrap()
    }

    /// An instant given in Beijing local time.
    fn local(y: i32, m: u8, d: u8, hh: i64, mm: i64) -> Timestamp {
        Timestamp(start_of_day_china(date(y, m, d)).millis() + (hh * 60 + mm) * 60_000)
    }

    fn due(store: &NativeStore, t: Timestamp) -> Timestamp {
        block_on(due_at(store, t)).unwrap()
    }

    fn national_day_2026(store: &NativeStore) {
        for d in 1..=7 {
            block_on(set_day(store, date(2026, 10, d), Some(DayKind::Holiday), "国庆节")).unwrap();
        }
        block_on(set_day(store, date(2026, 9, 27), Some(DayKind::Workday), "国庆调休")).unwrap();
        block_on(set_day(store, date(2026, 10, 10), Some(DayKind::Workday), "国庆调休")).unwrap();
    }

    #[test]
    fn weekdays() {
        assert_eq!(Weekday::of(date(1970, 1, 1)), Weekday::Thursday);
        assert_eq!(Weekday::of(date(2026, 9, 30)), Weekday::Wednesday);
        assert_eq!(Weekday::of(date(2026, 9, 27)), Weekday::Sunday);
        assert_eq!(Weekday::of(date(2026, 10, 10)), Weekday::Saturday);
        assert_eq!(Weekday::of(date(1969, 12, 29)), Weekday::Monday);
    }

    #[test]
    fn parses_iso_dates() {
        assert_eq!(parse_date("2026-10-01"), Some(date(2026, 10, 1)));
        assert_eq!(parse_date("2026-02-30"), None);
        assert_eq!(parse_date("20261001"), None);
        assert_eq!(parse_date("2026/10/01"), None);
    }

    #[test]
    fn a_tuesday_submission_is_due_on_wednesday_at_the_same_time() {
        let store = setup();
        assert_eq!(Weekday::of(date(2026, 3, 10)), Weekday::Tuesday);
        assert_eq!(due(&store, local(2026, 3, 10, 9, 15)), local(2026, 3, 11, 9, 15));
    }

    #[test]
    fn a_friday_afternoon_submission_is_due_on_monday_afternoon() {
        let store = setup();
        assert_eq!(Weekday::of(date(2026, 3, 13)), Weekday::Friday);
        assert_eq!(due(&store, local(2026, 3, 13, 16, 0)), local(2026, 3, 16, 16, 0));
    }

    #[test]
    fn a_weekend_submission_is_due_at_the_end_of_monday() {
        let store = setup();
        let monday_end = end_of_day_china(date(2026, 3, 16));
        assert_eq!(due(&store, local(2026, 3, 14, 10, 0)), monday_end, "Saturday");
        assert_eq!(due(&store, local(2026, 3, 15, 23, 59)), monday_end, "Sunday");
        assert_eq!(monday_end, Timestamp(local(2026, 3, 17, 0, 0).millis() - 1));
    }

    #[test]
    fn national_day_2026_with_its_adjusted_working_days() {
        let store = setup();
        national_day_2026(&store);
        // The Wednesday before the holiday week: due on Thursday 10-08.
        assert_eq!(due(&store, local(2026, 9, 30, 11, 0)), local(2026, 10, 8, 11, 0));
        // Friday 10-09: due on Saturday 10-10, a 调休 working day.
        assert_eq!(due(&store, local(2026, 10, 9, 14, 30)), local(2026, 10, 10, 14, 30));
        // Saturday 09-26 (a weekend day): Sunday 09-27 is a working day.
        assert_eq!(due(&store, local(2026, 9, 26, 8, 0)), end_of_day_china(date(2026, 9, 27)));
        // Submitted on a holiday: the end of the first working day after it.
        assert_eq!(due(&store, local(2026, 10, 3, 9, 0)), end_of_day_china(date(2026, 10, 8)));
        // Sunday 09-27 is itself a working day: due Monday same time.
        assert_eq!(due(&store, local(2026, 9, 27, 10, 0)), local(2026, 9, 28, 10, 0));
        // Two working days from Wednesday 09-30: Friday 10-09.
        assert_eq!(block_on(add_working_days(&store, local(2026, 9, 30, 11, 0), 2)).unwrap(), local(2026, 10, 9, 11, 0));
    }

    #[test]
    fn the_local_date_counts_not_the_utc_date() {
        let store = setup();
        // Tuesday 23:30 in Beijing is Tuesday 15:30 UTC: due Wednesday 23:30.
        let t = local(2026, 3, 10, 23, 30);
        assert_eq!(CivilDate::from_timestamp_utc(t), date(2026, 3, 10));
        assert_eq!(due(&store, t), local(2026, 3, 11, 23, 30));
        // Friday 00:30 in Beijing is still Thursday 16:30 UTC: due Monday 00:30.
        let t = local(2026, 3, 13, 0, 30);
        assert_eq!(CivilDate::from_timestamp_utc(t), date(2026, 3, 12));
        assert_eq!(due(&store, t), local(2026, 3, 16, 0, 30));
        // Saturday 07:00 in Beijing is Friday 23:00 UTC: a weekend submission.
        let t = local(2026, 3, 14, 7, 0);
        assert_eq!(due(&store, t), end_of_day_china(date(2026, 3, 16)));
    }

    #[test]
    fn a_long_break_is_read_beyond_the_first_window() {
        let store = setup();
        for d in 0..45 {
            let day = add_days(date(2026, 1, 5), d);
            block_on(set_day(&store, day, Some(DayKind::Holiday), "closure")).unwrap();
        }
        // Friday 2026-01-02 -> the first working day after 45 days off.
        let expected = add_days(date(2026, 1, 5), 45);
        assert_eq!(Weekday::of(expected), Weekday::Thursday);
        let t = local(2026, 1, 2, 10, 0);
        assert_eq!(due(&store, t), local(expected.year(), expected.month(), expected.day(), 10, 0));
    }

    #[test]
    fn set_day_replaces_and_removes_and_calendar_lists_in_order() {
        let store = setup();
        national_day_2026(&store);
        block_on(set_day(&store, date(2026, 10, 10), Some(DayKind::Holiday), " changed ")).unwrap();
        let days = block_on(calendar(&store, date(2026, 9, 1), date(2026, 10, 31))).unwrap();
        assert_eq!(days.len(), 9);
        assert_eq!(days[0].day, date(2026, 9, 27));
        assert_eq!(days[8], CalendarDay { day: date(2026, 10, 10), kind: DayKind::Holiday, note: "changed".into() });
        assert_eq!(days[0].to_json()["weekday"], "sunday");
        block_on(set_day(&store, date(2026, 10, 10), None, "")).unwrap();
        assert_eq!(block_on(calendar(&store, date(2026, 10, 8), date(2026, 10, 31))).unwrap().len(), 0);
        assert!(!block_on(is_working(&store, date(2026, 10, 10))).unwrap(), "a Saturday again");
        assert!(!block_on(is_working(&store, date(2026, 10, 1))).unwrap());
        assert!(block_on(is_working(&store, date(2026, 9, 27))).unwrap());
    }
}
