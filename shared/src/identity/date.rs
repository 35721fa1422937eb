//! A calendar date (proleptic Gregorian) without time zone: what a date of
//! birth in a document number is, and what "today" is when checking one.
//! The conversions are Howard Hinnant's `days_from_civil` / `civil_from_days`.

use crate::clock::{Clock, Timestamp};
use std::fmt;

/// A real calendar date: month 1-12, day within the month (leap years count).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CivilDate {
    year: i32,
    month: u8,
    day: u8,
}

/// China Standard Time, UTC+8, no daylight saving: the date printed on a
/// document and the date "today" for the user are both in it.
const CHINA_OFFSET_MILLIS: i64 = 8 * 3600 * 1000;
const MILLIS_PER_DAY: i64 = 86_400_000;

impl CivilDate {
    /// `None` unless year/month/day is a real date.
    pub fn new(year: i32, month: u8, day: u8) -> Option<CivilDate> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(CivilDate { year, month, day })
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u8 {
        self.month
    }

    pub fn day(self) -> u8 {
        self.day
    }

    /// Days since 1970-01-01 (negative before it).
    pub fn days_since_epoch(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` days after 1970-01-01.
    pub fn from_days_since_epoch(days: i64) -> CivilDate {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        CivilDate { year, month, day }
    }

    /// The UTC date of an instant.
    pub fn from_timestamp_utc(t: Timestamp) -> CivilDate {
        CivilDate::from_days_since_epoch(t.millis().div_euclid(MILLIS_PER_DAY))
    }

    /// The date in China (UTC+8) at an instant.
    pub fn from_timestamp_china(t: Timestamp) -> CivilDate {
        CivilDate::from_timestamp_utc(Timestamp(t.millis() + CHINA_OFFSET_MILLIS))
    }

    /// Today in China by the given clock: the "today" document checks use.
    pub fn today_in_china(clock: &dyn Clock) -> CivilDate {
        CivilDate::from_timestamp_china(clock.now())
    }

    /// Parses 8 ASCII digits `YYYYMMDD`; `None` when not a real date.
    pub fn from_yyyymmdd(digits: &str) -> Option<CivilDate> {
        if digits.len() != 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let year = digits[0..4].parse().ok()?;
        let month = digits[4..6].parse().ok()?;
        let day = digits[6..8].parse().ok()?;
        CivilDate::new(year, month, day)
    }
}

pub fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl fmt::Display for CivilDate {
    /// ISO 8601: `1990-03-07`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FixedClock;
    use proptest::prelude::*;

    #[test]
    fn knows_leap_years() {
        assert!(CivilDate::new(2000, 2, 29).is_some());
        assert!(CivilDate::new(2024, 2, 29).is_some());
        assert!(CivilDate::new(1900, 2, 29).is_none());
        assert!(CivilDate::new(2023, 2, 29).is_none());
        assert!(CivilDate::new(2023, 4, 31).is_none());
        assert!(CivilDate::new(2023, 13, 1).is_none());
        assert!(CivilDate::new(2023, 1, 0).is_none());
    }

    #[test]
    fn epoch_arithmetic() {
        assert_eq!(CivilDate::new(1970, 1, 1).unwrap().days_since_epoch(), 0);
        assert_eq!(CivilDate::new(2000, 3, 1).unwrap().days_since_epoch(), 11_017);
        assert_eq!(CivilDate::new(1969, 12, 31).unwrap().days_since_epoch(), -1);
        assert_eq!(CivilDate::from_days_since_epoch(19_723).to_string(), "2024-01-01");
    }

    #[test]
    fn today_in_china_is_eight_hours_ahead_of_utc() {
        // 2024-12-31T16:00:00Z is already 2025-01-01 in Beijing.
        let t = Timestamp(CivilDate::new(2024, 12, 31).unwrap().days_since_epoch() * MILLIS_PER_DAY + 16 * 3_600_000);
        assert_eq!(CivilDate::from_timestamp_utc(t).to_string(), "2024-12-31");
        assert_eq!(CivilDate::today_in_china(&FixedClock::at(t)).to_string(), "2025-01-01");
    }

    #[test]
    fn parses_yyyymmdd() {
        assert_eq!(CivilDate::from_yyyymmdd("19900307"), CivilDate::new(1990, 3, 7));
        assert_eq!(CivilDate::from_yyyymmdd("19900230"), None);
        assert_eq!(CivilDate::from_yyyymmdd("1990030"), None);
        assert_eq!(CivilDate::from_yyyymmdd("1990-3-7"), None);
        assert_eq!(CivilDate::from_yyyymmdd("１９９００３０７"), None);
    }

    proptest! {
        #[test]
        fn days_roundtrip(days in -1_000_000i64..1_000_000) {
            let d = CivilDate::from_days_since_epoch(days);
            prop_assert!(CivilDate::new(d.year(), d.month(), d.day()).is_some());
            prop_assert_eq!(d.days_since_epoch(), days);
            prop_assert!(CivilDate::from_days_since_epoch(days + 1) > d);
        }
    }
}
