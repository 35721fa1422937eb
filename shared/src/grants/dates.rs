//! A grant's effective and expiry dates (授权有效期), as the forms write
//! them: `YYYY-MM-DD` days in China time, both optional. `effective_from`
//! is the first day in force (from 00:00 China time); `expires_at` the
//! last (in force through 23:59:59.999 China time; stored as the exclusive
//! instant, the next day's 00:00).

use crate::clock::Timestamp;
use crate::error::{AppError, AppResult};
use crate::identity::CivilDate;
use crate::workday::{parse_date, start_of_day_china};
use serde_json::{Value, json};

/// A grant's period, as instants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Period {
    pub effective_from: Option<Timestamp>,
    pub expires_at: Option<Timestamp>,
}

fn bad_format(field: &'static str, given: &str) -> AppError {
    AppError::new(
        "grants.date_invalid",
        400,
        format!("日期格式应为 YYYY-MM-DD（例如 2026-12-31），收到的是“{given}”。"),
        format!("Dates are written YYYY-MM-DD (for example 2026-12-31); got “{given}”."),
    )
    .with_field(field)
}

fn day(field: &'static str, value: Option<&str>) -> AppResult<Option<CivilDate>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => parse_date(v).map(Some).ok_or_else(|| bad_format(field, v)),
    }
}

/// The form's two dates; every mistake at once. An expiry before the
/// effective date is refused; so is an expiry already past, unless it is
/// `unchanged_expiry` (the grant's own, kept as it is).
pub fn parse(
    effective_from: Option<&str>,
    expires_at: Option<&str>,
    now: Timestamp,
    unchanged_expiry: Option<Timestamp>,
) -> AppResult<Period> {
    let from = day("effective_from", effective_from);
    let last = day("expires_at", expires_at);
    let (from, last) = match (from, last) {
        (Ok(f), Ok(l)) => (f, l),
        (f, l) => return Err(AppError::combine([f.err(), l.err()].into_iter().flatten().collect()).expect("an error")),
    };
    if let (Some(f), Some(l)) = (from, last)
        && l < f
    {
        return Err(AppError::new(
            "grants.expiry_before_effective",
            400,
            format!("到期日期（{l}）不能早于生效日期（{f}）。"),
            format!("The expiry date ({l}) cannot be before the effective date ({f})."),
        )
        .with_field("expires_at"));
    }
    let period = Period { effective_from: from.map(start_of_day_china), expires_at: last.map(end_instant) };
    if let Some(until) = period.expires_at
        && until <= now
        && Some(until) != unchanged_expiry
    {
        return Err(AppError::new(
            "grants.expiry_in_past",
            400,
            format!("到期日期（{}）已经过去：授权到期日期须为今天或以后。", last.expect("set")),
            format!("The expiry date ({}) has passed: a grant's expiry date is today or later.", last.expect("set")),
        )
        .with_field("expires_at"));
    }
    Ok(period)
}

/// The exclusive instant a grant whose last day is `day` ends.
fn end_instant(day: CivilDate) -> Timestamp {
    start_of_day_china(CivilDate::from_days_since_epoch(day.days_since_epoch() + 1))
}

/// The first day in force, as the forms write it.
pub fn effective_day(t: Option<Timestamp>) -> Option<CivilDate> {
    t.map(CivilDate::from_timestamp_china)
}

/// The last day in force, as the forms write it.
pub fn last_day(t: Option<Timestamp>) -> Option<CivilDate> {
    t.map(|t| CivilDate::from_timestamp_china(Timestamp(t.millis() - 1)))
}

/// Both dates for the API and the audit log.
pub fn to_json(p: Period) -> Value {
    json!({
        "effective_from": effective_day(p.effective_from).map(|d| d.to_string()),
        "expires_at": last_day(p.expires_at).map(|d| d.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-05-28, 10:00 China time.
    fn now() -> Timestamp {
        Timestamp(start_of_day_china(CivilDate::new(2026, 5, 28).unwrap()).millis() + 10 * 3600 * 1000)
    }

    #[test]
    fn dates_are_days_in_china_time_with_the_expiry_inclusive() {
        let p = parse(Some("2026-06-01"), Some(" 2026-06-30 "), now(), None).unwrap();
        assert_eq!(p.effective_from, Some(start_of_day_china(CivilDate::new(2026, 6, 1).unwrap())));
        assert_eq!(p.expires_at, Some(start_of_day_china(CivilDate::new(2026, 7, 1).unwrap())));
        assert_eq!(to_json(p), json!({ "effective_from": "2026-06-01", "expires_at": "2026-06-30" }));
        assert_eq!(parse(None, Some(""), now(), None).unwrap(), Period::default());
        let one_day = parse(Some("2026-06-01"), Some("2026-06-01"), now(), None).unwrap();
        assert!(one_day.effective_from < one_day.expires_at);
    }

    #[test]
    fn wrong_formats_an_expiry_before_the_effective_date_and_a_past_expiry_are_refused() {
        let e = parse(Some("2026/06/01"), Some("30.06.2026"), now(), None).unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), ("grants.date_invalid", Some("effective_from")));
        assert_eq!(e.details.unwrap()["errors"][1]["field"], "expires_at");
        assert_eq!(parse(None, Some("2026-02-30"), now(), None).unwrap_err().code, "grants.date_invalid");
        let e = parse(Some("2026-07-01"), Some("2026-06-30"), now(), None).unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), ("grants.expiry_before_effective", Some("expires_at")));
        let e = parse(None, Some("2026-05-27"), now(), None).unwrap_err();
        assert_eq!(e.code, "grants.expiry_in_past");
        assert!(parse(None, Some("2026-05-28"), now(), None).is_ok(), "today is the last day in force");
        let kept = end_instant(CivilDate::new(2026, 5, 27).unwrap());
        assert!(parse(None, Some("2026-05-27"), now(), Some(kept)).is_ok(), "an expired grant's own expiry may stay");
    }
}
