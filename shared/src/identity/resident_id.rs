//! 居民身份证 resident ID card number (GB 11643-1999).

use super::checksum::{Mod11Error, check_mod11_2, mod11_2_check};
use super::date::CivilDate;
use super::{mask, normalize_code, shown_char};
use crate::error::AppError;
use serde_json::json;
use std::fmt;

const FIELD: &str = "resident_id";

/// A valid resident ID number: 17 digits and a check character (digit or
/// `X`), digits 7-14 a real date of birth not after "today". Stored
/// uppercase (`X`), half-width.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResidentId {
    number: String,
    birth_date: CivilDate,
}

impl ResidentId {
    /// `today` is the date in China now ([`CivilDate::today_in_china`]).
    /// Accepts lowercase `x`, full-width input and surrounding spaces.
    pub fn parse(input: &str, today: CivilDate) -> Result<ResidentId, AppError> {
        let s = normalize_code(input);
        if s.is_empty() {
            return Err(err(
                "resident_id.empty",
                "请填写居民身份证号码。",
                "Please enter the resident ID card number.",
            ));
        }
        // The date is checked before the check character: a wrong date is
        // the more useful thing to hear about.
        let shape = check_mod11_2(&s);
        match shape {
            Err(Mod11Error::InvalidCharacter(c)) => return Err(invalid_character(c)),
            Err(Mod11Error::WrongLength(n)) => return Err(wrong_length(n)),
            Ok(()) | Err(Mod11Error::CheckMismatch) => {}
        }
        if !PROVINCES.contains(&&s[..2]) {
            return Err(err(
                "resident_id.invalid_region",
                &format!(
                    "身份证号码前 2 位应为大陆省级行政区划代码（如北京 11、上海 31），“{}”不是。港澳台居民居住证、外国人永久居留身份证不是居民身份证，请选择对应的证件类型。{}",
                    &s[..2],
                    format_zh()
                ),
                &format!(
                    "The first 2 digits are a mainland province code (such as 11 Beijing, 31 Shanghai); “{}” is not one. A HK/Macao/Taiwan residence permit or a permanent resident ID is not a resident ID card: choose that document type instead. {}",
                    &s[..2],
                    format_en()
                ),
            ));
        }
        let Some(birth_date) = CivilDate::from_yyyymmdd(&s[6..14]) else {
            return Err(err(
                "resident_id.invalid_birth_date",
                &format!(
                    "身份证号码第 7–14 位“{}”不是有效的出生日期（年月日）。{}",
                    &s[6..14],
                    format_zh()
                ),
                &format!(
                    "Digits 7-14, “{}”, are not a real date of birth (YYYYMMDD). {}",
                    &s[6..14],
                    format_en()
                ),
            ));
        };
        if birth_date > today {
            return Err(err(
                "resident_id.birth_date_in_future",
                &format!("身份证号码中的出生日期 {birth_date} 晚于今天，请核对。{}", format_zh()),
                &format!(
                    "The date of birth in this number, {birth_date}, is after today; please check it. {}",
                    format_en()
                ),
            ));
        }
        if shape.is_err() {
            return Err(err(
                "resident_id.check_mismatch",
                &format!(
                    "身份证号码的校验位不符：号码中有数字填写有误，请对照证件逐位核对。{}",
                    format_zh()
                ),
                &format!(
                    "The check character does not match: a digit is mistyped somewhere; compare the number with the card digit by digit. {}",
                    format_en()
                ),
            ));
        }
        Ok(ResidentId { number: s, birth_date })
    }

    /// Completes 17 digits with their check character: mints valid numbers
    /// for tests and fixtures.
    pub fn with_check(first17: &str, today: CivilDate) -> Result<ResidentId, AppError> {
        let s = normalize_code(first17);
        match mod11_2_check(&s) {
            Some(check) => ResidentId::parse(&format!("{s}{check}"), today),
            None => Err(match ResidentId::parse(&s, today) {
                Err(e) if matches!(e.code, "resident_id.empty" | "resident_id.invalid_character") => e,
                _ => wrong_length(s.chars().count()),
            }),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.number
    }

    pub fn birth_date(&self) -> CivilDate {
        self.birth_date
    }

    /// `110***********002X`: for lists shown to other people.
    pub fn masked(&self) -> String {
        mask(&self.number, 3, 4)
    }
}

/// Province-level division codes (GB/T 2260) of mainland resident ID cards.
const PROVINCES: [&str; 31] = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43", "44",
    "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
];

fn invalid_character(c: char) -> AppError {
    let shown = shown_char(c);
    err(
        "resident_id.invalid_character",
        &format!("身份证号码不能包含“{shown}”。{}", format_zh()),
        &format!("A resident ID number cannot contain “{shown}”. {}", format_en()),
    )
    .with_details(json!({ "character": c.to_string() }))
}

fn wrong_length(count: usize) -> AppError {
    err(
        "resident_id.wrong_length",
        &format!("居民身份证号码为 18 位，现在是 {count} 位。{}", format_zh()),
        &format!(
            "A resident ID number has 18 characters; this one has {count}. {}",
            format_en()
        ),
    )
    .with_details(json!({ "length": count, "expected_length": 18 }))
}

pub(crate) fn format_zh() -> &'static str {
    "格式：18 位，前 17 位是数字，最后一位是数字或 X；第 7–14 位是出生日期。"
}

pub(crate) fn format_en() -> &'static str {
    "Format: 18 characters: 17 digits, then a digit or X; digits 7-14 are the date of birth (YYYYMMDD)."
}

fn err(code: &'static str, zh: &str, en: &str) -> AppError {
    AppError::new(code, 400, zh, en).with_field(FIELD)
}

impl fmt::Display for ResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.number)
    }
}

impl AsRef<str> for ResidentId {
    fn as_ref(&self) -> &str {
        &self.number
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::identity::tests::{full_width, hostile_inputs};
    use proptest::prelude::*;

    pub(crate) fn today() -> CivilDate {
        CivilDate::new(2025, 6, 1).unwrap()
    }

    fn code(input: &str) -> &'static str {
        ResidentId::parse(input, today()).unwrap_err().code
    }

    /// 17 digits: any region, a birth date 1900-01-01..=2025-06-01, any sequence.
    pub(crate) fn first17() -> impl Strategy<Value = String> {
        let first = CivilDate::new(1900, 1, 1).unwrap().days_since_epoch();
        let last = today().days_since_epoch();
        (
            proptest::sample::select(PROVINCES.to_vec()),
            "[0-9]{4}",
            first..=last,
            "[0-9]{3}",
        )
            .prop_map(|(p, region, day, seq)| {
                let d = CivilDate::from_days_since_epoch(day);
                format!("{p}{region}{:04}{:02}{:02}{seq}", d.year(), d.month(), d.day())
            })
    }

    #[test]
    fn accepts_the_standard_examples() {
        let id = ResidentId::parse("11010519491231002X", today()).unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id.birth_date(), CivilDate::new(1949, 12, 31).unwrap());
        assert_eq!(id.masked(), "110***********002X");
        assert_eq!(
            ResidentId::parse("440524188001010014", today())
                .unwrap()
                .birth_date()
                .year(),
            1880
        );
    }

    #[test]
    fn accepts_lowercase_x_full_width_and_spaces() {
        let want = ResidentId::parse("11010519491231002X", today()).unwrap();
        assert_eq!(ResidentId::parse(" 11010519491231002x ", today()).unwrap(), want);
        assert_eq!(
            ResidentId::parse(&full_width("11010519491231002x"), today()).unwrap(),
            want
        );
    }

    #[test]
    fn leap_days_and_the_future() {
        // Born on a leap day: valid in 2000, not in 1900 or 2023.
        assert!(ResidentId::with_check("11010520000229001", today()).is_ok());
        assert_eq!(
            ResidentId::with_check("11010519000229001", today()).unwrap_err().code,
            "resident_id.invalid_birth_date"
        );
        assert_eq!(
            ResidentId::with_check("11010520230229001", today()).unwrap_err().code,
            "resident_id.invalid_birth_date"
        );
        // Born today is fine; tomorrow is not.
        assert!(ResidentId::with_check("11010520250601001", today()).is_ok());
        assert_eq!(
            ResidentId::with_check("11010520250602001", today()).unwrap_err().code,
            "resident_id.birth_date_in_future"
        );
    }

    #[test]
    fn each_rule_has_its_own_code() {
        assert_eq!(code(""), "resident_id.empty");
        assert_eq!(code("11010519491231002"), "resident_id.wrong_length");
        assert_eq!(code("11010519491231002XX"), "resident_id.invalid_character");
        assert_eq!(code("110105194912310021"), "resident_id.check_mismatch");
        assert_eq!(code("1101051949123100-X"), "resident_id.invalid_character");
        assert_eq!(code("X10105194912310021"), "resident_id.invalid_character");
        assert_eq!(code("110105194913310021"), "resident_id.invalid_birth_date");
        assert_eq!(code("E12345678"), "resident_id.invalid_character");
        assert_eq!(code("810000199001010010"), "resident_id.invalid_region");
        assert_eq!(code("931100840199001010"), "resident_id.invalid_region");
        assert_eq!(
            ResidentId::parse("1", today()).unwrap_err().field.as_deref(),
            Some("resident_id")
        );
    }

    #[test]
    fn messages_name_the_format() {
        let e = ResidentId::parse("1101051949", today()).unwrap_err();
        assert!(
            e.message.zh.contains("18 位") && e.message.zh.contains("出生日期"),
            "{}",
            e.message.zh
        );
        assert!(e.message.en.contains("17 digits"), "{}", e.message.en);
        let e = ResidentId::parse("110105194913310021", today()).unwrap_err();
        assert!(e.message.zh.contains("19491331"), "{}", e.message.zh);
    }

    #[test]
    fn hostile_input_is_refused() {
        for s in hostile_inputs() {
            assert!(ResidentId::parse(&s, today()).is_err());
        }
    }

    proptest! {
        #[test]
        fn a_generated_number_parses(s in first17()) {
            let id = ResidentId::with_check(&s, today()).unwrap();
            prop_assert_eq!(ResidentId::parse(id.as_str(), today()).unwrap(), id.clone());
            prop_assert_eq!(CivilDate::from_yyyymmdd(&s[6..14]).unwrap(), id.birth_date());
        }

        #[test]
        fn changing_any_one_character_is_caught(s in first17(), pos in 0usize..18, to in "[0-9X]") {
            let valid = ResidentId::with_check(&s, today()).unwrap().as_str().to_owned();
            let mut chars: Vec<char> = valid.chars().collect();
            let to = to.chars().next().unwrap();
            prop_assume!(chars[pos] != to);
            chars[pos] = to;
            let changed: String = chars.into_iter().collect();
            prop_assert!(ResidentId::parse(&changed, today()).is_err(), "{} accepted", changed);
        }

        #[test]
        fn lowercase_and_full_width_parse_to_the_same_value(s in first17()) {
            let id = ResidentId::with_check(&s, today()).unwrap();
            let lower = id.as_str().to_ascii_lowercase();
            prop_assert_eq!(&ResidentId::parse(&lower, today()).unwrap(), &id);
            prop_assert_eq!(&ResidentId::parse(&full_width(&lower), today()).unwrap(), &id);
        }

        #[test]
        fn never_panics(s in ".{0,40}") {
            let _ = ResidentId::parse(&s, today());
            let _ = ResidentId::with_check(&s, today());
        }
    }
}
