//! 普通护照 passport number (any country; the nationality is a separate field).

use super::{mask, normalize_code, shown_char};
use crate::error::AppError;
use serde_json::json;
use std::fmt;

pub const MIN_LEN: usize = 5;
pub const MAX_LEN: usize = 20;
const FIELD: &str = "passport";

/// A passport number: 5-20 ASCII letters and digits, uppercase, half-width.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Passport(String);

impl Passport {
    /// Accepts lowercase, full-width input and surrounding spaces.
    pub fn parse(input: &str) -> Result<Passport, AppError> {
        let s = normalize_code(input);
        if s.is_empty() {
            return Err(err(
                "passport.empty",
                "请填写护照号码。",
                "Please enter the passport number.",
            ));
        }
        if let Some(bad) = s.chars().find(|c| !c.is_ascii_alphanumeric()) {
            let shown = shown_char(bad);
            return Err(err(
                "passport.invalid_character",
                &format!("护照号码不能包含“{shown}”，请只填写证件上的字母和数字。{}", format_zh()),
                &format!(
                    "A passport number cannot contain “{shown}”; enter only the letters and digits printed on it. {}",
                    format_en()
                ),
            )
            .with_details(json!({ "character": bad.to_string() })));
        }
        let count = s.len();
        if !(MIN_LEN..=MAX_LEN).contains(&count) {
            return Err(err(
                "passport.wrong_length",
                &format!("护照号码为 {MIN_LEN}–{MAX_LEN} 位，现在是 {count} 位。{}", format_zh()),
                &format!(
                    "A passport number has {MIN_LEN}-{MAX_LEN} characters; this one has {count}. {}",
                    format_en()
                ),
            )
            .with_details(json!({ "length": count })));
        }
        Ok(Passport(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn masked(&self) -> String {
        mask(&self.0, 2, 3)
    }
}

pub(crate) fn format_zh() -> String {
    format!("格式：{MIN_LEN}–{MAX_LEN} 位字母或数字（如 E12345678）。")
}

pub(crate) fn format_en() -> String {
    format!("Format: {MIN_LEN}-{MAX_LEN} letters or digits (such as E12345678).")
}

fn err(code: &'static str, zh: &str, en: &str) -> AppError {
    AppError::new(code, 400, zh, en).with_field(FIELD)
}

impl fmt::Display for Passport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::tests::{full_width, hostile_inputs};
    use proptest::prelude::*;

    fn code(input: &str) -> &'static str {
        Passport::parse(input).unwrap_err().code
    }

    #[test]
    fn accepts_letters_and_digits_uppercased() {
        assert_eq!(Passport::parse(" e12345678 ").unwrap().as_str(), "E12345678");
        assert_eq!(Passport::parse(&full_width("c01x00t47")).unwrap().as_str(), "C01X00T47");
        assert_eq!(Passport::parse("12345").unwrap().as_str(), "12345");
        assert_eq!(Passport::parse("E12345678").unwrap().masked(), "E1****678");
    }

    #[test]
    fn each_rule_has_its_own_code() {
        assert_eq!(code(""), "passport.empty");
        assert_eq!(code("1234"), "passport.wrong_length");
        assert_eq!(code(&"A".repeat(21)), "passport.wrong_length");
        assert_eq!(code("E1234 5678"), "passport.invalid_character");
        assert_eq!(code("E-12345678"), "passport.invalid_character");
        assert_eq!(code("护照12345"), "passport.invalid_character");
        let e = Passport::parse("1234").unwrap_err();
        assert!(e.message.zh.contains("5–20") && e.message.en.contains("5-20"));
        assert_eq!(e.field.as_deref(), Some("passport"));
        for s in hostile_inputs() {
            assert!(Passport::parse(&s).is_err());
        }
    }

    proptest! {
        #[test]
        fn lowercase_and_full_width_parse_to_the_same_value(s in "[A-Z0-9]{5,20}") {
            let p = Passport::parse(&s).unwrap();
            prop_assert_eq!(&Passport::parse(&s.to_ascii_lowercase()).unwrap(), &p);
            prop_assert_eq!(&Passport::parse(&full_width(&s.to_ascii_lowercase())).unwrap(), &p);
        }

        #[test]
        fn never_panics(s in ".{0,40}") {
            let _ = Passport::parse(&s);
        }
    }
}
