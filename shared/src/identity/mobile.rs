//! 手机号 mobile number: mainland China numbers, or any other in E.164.

use super::{fold_full_width, shown_char};
use crate::error::AppError;
use serde_json::json;
use std::fmt;

const FIELD: &str = "mobile";

/// A valid mobile number. Mainland numbers (`1[3-9]` + 9 digits) are kept as
/// the 11 digits; others as E.164 (`+` country code and number, 8-15 digits).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Mobile(String);

impl Mobile {
    /// Strips spaces, dashes, dots and parentheses, folds full width, and
    /// accepts a `+86`, `0086` or `86` prefix on mainland numbers and
    /// `+` or `00` before other country codes.
    pub fn parse(input: &str) -> Result<Mobile, AppError> {
        let folded = fold_full_width(input);
        let s: String = folded
            .chars()
            .filter(|c| !(c.is_whitespace() || matches!(c, '-' | '.' | '(' | ')')))
            .collect();
        if s.is_empty() {
            return Err(err("mobile.empty", "请填写手机号码。", "Please enter a mobile number."));
        }
        let (plus, digits) = match s.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, s.as_str()),
        };
        if let Some(bad) = digits.chars().find(|c| !c.is_ascii_digit()) {
            let shown = shown_char(bad);
            return Err(err(
                "mobile.invalid_character",
                &format!("手机号码不能包含“{shown}”。{}", format_zh()),
                &format!("A mobile number cannot contain “{shown}”. {}", format_en()),
            )
            .with_details(json!({ "character": bad.to_string() })));
        }
        // Mainland: no prefix, or 86 / +86 / 0086.
        let international = if plus {
            Some(digits)
        } else if let Some(rest) = digits.strip_prefix("00") {
            Some(rest)
        } else if digits.len() == 13 && digits.starts_with("861") {
            Some(digits)
        } else {
            None
        };
        match international {
            None => mainland(digits),
            Some(rest) if rest.starts_with("86") => mainland(&rest[2..]),
            Some(rest) => {
                let n = rest.len();
                if rest.starts_with('0') || !(8..=15).contains(&n) {
                    return Err(err(
                        "mobile.invalid_international",
                        &format!(
                            "国际号码应为 + 加国家代码和号码，共 8–15 位数字，国家代码不以 0 开头；现在是 {n} 位。{}",
                            format_zh()
                        ),
                        &format!(
                            "An international number is + then the country code and number, 8-15 digits in all, the country code not starting with 0; this one has {n}. {}",
                            format_en()
                        ),
                    ));
                }
                Ok(Mobile(format!("+{rest}")))
            }
        }
    }

    /// The stored form: 11 digits for mainland numbers, E.164 for others.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_mainland(&self) -> bool {
        !self.0.starts_with('+')
    }

    /// E.164 always (`+8613812345678`): what an SMS gateway takes.
    pub fn e164(&self) -> String {
        if self.is_mainland() {
            format!("+86{}", self.0)
        } else {
            self.0.clone()
        }
    }

    /// `138****1234` for mainland numbers; others keep the country code and
    /// the last 4 digits (`+44******1234`).
    pub fn masked(&self) -> String {
        if self.is_mainland() {
            return format!("{}****{}", &self.0[..3], &self.0[7..]);
        }
        let digits = &self.0[1..];
        let cc = country_code_len(digits);
        let hidden = digits.len() - cc - 4;
        format!(
            "+{}{}{}",
            &digits[..cc],
            "*".repeat(hidden),
            &digits[digits.len() - 4..]
        )
    }
}

fn mainland(digits: &str) -> Result<Mobile, AppError> {
    let b = digits.as_bytes();
    if b.len() != 11 || b[0] != b'1' || !(b'3'..=b'9').contains(&b[1]) {
        return Err(err(
            "mobile.invalid_mainland",
            &format!(
                "中国大陆手机号码为 11 位数字，以 13–19 开头；现在是 {} 位。{}",
                b.len(),
                format_zh()
            ),
            &format!(
                "A mainland China mobile number has 11 digits beginning 13-19; this one has {}. {}",
                b.len(),
                format_en()
            ),
        ));
    }
    Ok(Mobile(digits.to_owned()))
}

/// E.164 country codes are prefix-free: 1 and 7 are one digit, these are
/// two, and every other is three.
fn country_code_len(digits: &str) -> usize {
    const TWO: [&str; 44] = [
        "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46", "47", "48", "49",
        "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63", "64", "65", "66", "81", "82", "84",
        "86", "90", "91", "92", "93", "94", "95", "98",
    ];
    if digits.starts_with(['1', '7']) {
        1
    } else if TWO.iter().any(|p| digits.starts_with(p)) {
        2
    } else {
        3
    }
}

fn format_zh() -> &'static str {
    "格式：中国大陆手机号为 11 位数字（如 13812345678，可带 +86）；其他国家或地区请填 + 加国家代码和号码（如 +447911123456）。"
}

fn format_en() -> &'static str {
    "Format: a mainland China mobile is 11 digits (such as 13812345678, +86 optional); elsewhere, + then the country code and number (such as +447911123456)."
}

fn err(code: &'static str, zh: &str, en: &str) -> AppError {
    AppError::new(code, 400, zh, en).with_field(FIELD)
}

impl fmt::Display for Mobile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Mobile {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::tests::{full_width, hostile_inputs};
    use proptest::prelude::*;

    fn code(input: &str) -> &'static str {
        Mobile::parse(input).unwrap_err().code
    }

    #[test]
    fn mainland_numbers_with_any_prefix_are_the_same() {
        for s in [
            "13812341234",
            "+86 138 1234 1234",
            "0086-138-1234-1234",
            "8613812341234",
            " 138-1234-1234 ",
            "+86 (138) 1234 1234",
        ] {
            let m = Mobile::parse(s).unwrap();
            assert_eq!(m.as_str(), "13812341234", "{s}");
            assert!(m.is_mainland());
        }
        assert_eq!(
            Mobile::parse(&full_width("+86 13812341234")).unwrap().as_str(),
            "13812341234"
        );
        let m = Mobile::parse("19912341234").unwrap();
        assert_eq!(m.e164(), "+8619912341234");
        assert_eq!(m.masked(), "199****1234");
    }

    #[test]
    fn other_countries_are_e164() {
        let m = Mobile::parse("+44 7911 123456").unwrap();
        assert_eq!(m.as_str(), "+447911123456");
        assert!(!m.is_mainland());
        assert_eq!(m.e164(), "+447911123456");
        assert_eq!(m.masked(), "+44******3456");
        assert_eq!(Mobile::parse("001 202 555 0123").unwrap().masked(), "+1******0123");
        assert_eq!(Mobile::parse("+852 9123 4567").unwrap().masked(), "+852****4567");
        assert_eq!(Mobile::parse("+7 912 345 6789").unwrap().as_str(), "+79123456789");
    }

    #[test]
    fn each_rule_has_its_own_code() {
        assert_eq!(code(""), "mobile.empty");
        assert_eq!(code(" - "), "mobile.empty");
        assert_eq!(code("1381234123"), "mobile.invalid_mainland");
        assert_eq!(code("12812341234"), "mobile.invalid_mainland");
        assert_eq!(code("+86 12812341234"), "mobile.invalid_mainland");
        assert_eq!(code("+86 1381234123"), "mobile.invalid_mainland");
        assert_eq!(code("138a2341234"), "mobile.invalid_character");
        assert_eq!(code("++8613812341234"), "mobile.invalid_character");
        assert_eq!(code("+44 12"), "mobile.invalid_international");
        assert_eq!(code("+0 123456789"), "mobile.invalid_international");
        assert_eq!(code("+1234567890123456"), "mobile.invalid_international");
        let e = Mobile::parse("123").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("mobile"));
        assert!(e.message.zh.contains("11 位数字") && e.message.en.contains("11 digits"));
        for s in hostile_inputs() {
            assert!(Mobile::parse(&s).is_err());
        }
    }

    proptest! {
        #[test]
        fn mainland_numbers_parse_in_every_spelling(n in "1[3-9][0-9]{9}") {
            let m = Mobile::parse(&n).unwrap();
            prop_assert_eq!(m.as_str(), n.as_str());
            prop_assert_eq!(&Mobile::parse(&format!("+86{n}")).unwrap(), &m);
            prop_assert_eq!(&Mobile::parse(&full_width(&format!("+86 {n}"))).unwrap(), &m);
            prop_assert_eq!(m.masked().len(), 11);
        }

        #[test]
        fn international_masks_keep_the_last_four(n in "[1-9][0-9]{7,14}") {
            if let Ok(m) = Mobile::parse(&format!("+{n}")) {
                let masked = m.masked();
                prop_assert!(masked.ends_with(&n[n.len() - 4..]));
                prop_assert!(masked.contains('*') || n.starts_with("86"));
            }
        }

        #[test]
        fn never_panics(s in ".{0,40}") {
            if let Ok(m) = Mobile::parse(&s) {
                let _ = m.masked();
            }
        }
    }
}
