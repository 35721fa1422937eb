//! 外国人永久居留身份证 foreign permanent resident ID card number.

use super::checksum::{Mod11Error, check_mod11_2, mod11_2_check};
use super::country::{Country, country};
use super::{mask, normalize_code, shown_char};
use crate::error::AppError;
use serde_json::json;
use std::fmt;

const FIELD: &str = "permanent_resident_id";

/// Which card design the number belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PermanentResidentIdVersion {
    /// 2023 design: 18 characters beginning with 9, resident-ID check.
    V2023,
    /// 2004/2017 design: ISO 3166-1 alpha-3 nationality + 12 digits.
    Old,
}

/// A valid foreign permanent resident ID number, uppercase, half-width.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PermanentResidentId {
    number: String,
    version: PermanentResidentIdVersion,
}

impl PermanentResidentId {
    /// Accepts lowercase, full-width input and surrounding spaces.
    pub fn parse(input: &str) -> Result<PermanentResidentId, AppError> {
        let s = normalize_code(input);
        if s.is_empty() {
            return Err(err(
                "permanent_resident_id.empty",
                "请填写外国人永久居留身份证号码。",
                "Please enter the foreign permanent resident ID card number.",
            ));
        }
        if s.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return parse_old(s);
        }
        match check_mod11_2(&s) {
            Err(Mod11Error::InvalidCharacter(c)) => return Err(invalid_character(c)),
            Err(Mod11Error::WrongLength(n)) => return Err(wrong_length(n)),
            _ if !s.starts_with('9') => {
                return Err(err(
                    "permanent_resident_id.wrong_start",
                    &format!(
                        "2023 版外国人永久居留身份证号码以 9 开头，这个号码以 {} 开头。{}",
                        &s[..1],
                        format_zh()
                    ),
                    &format!(
                        "A 2023 permanent resident ID number begins with 9; this one begins with {}. {}",
                        &s[..1],
                        format_en()
                    ),
                ));
            }
            Err(Mod11Error::CheckMismatch) => {
                return Err(err(
                    "permanent_resident_id.check_mismatch",
                    &format!(
                        "号码的校验位不符：号码中有数字填写有误，请对照证件逐位核对。{}",
                        format_zh()
                    ),
                    &format!(
                        "The check character does not match: a digit is mistyped somewhere; compare the number with the card digit by digit. {}",
                        format_en()
                    ),
                ));
            }
            Ok(()) => {}
        }
        Ok(PermanentResidentId {
            number: s,
            version: PermanentResidentIdVersion::V2023,
        })
    }

    /// Completes 17 digits (beginning with 9) with the check character.
    pub fn with_check(first17: &str) -> Result<PermanentResidentId, AppError> {
        let s = normalize_code(first17);
        match mod11_2_check(&s) {
            Some(check) => PermanentResidentId::parse(&format!("{s}{check}")),
            None => Err(wrong_length(s.chars().count())),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.number
    }

    pub fn version(&self) -> PermanentResidentIdVersion {
        self.version
    }

    /// The nationality the old design spells out; `None` for the 2023 design
    /// (which encodes it numerically).
    pub fn nationality(&self) -> Option<&'static Country> {
        match self.version {
            PermanentResidentIdVersion::Old => country(&self.number[..3]),
            PermanentResidentIdVersion::V2023 => None,
        }
    }

    pub fn masked(&self) -> String {
        mask(&self.number, 3, 4)
    }
}

fn parse_old(s: String) -> Result<PermanentResidentId, AppError> {
    let chars: Vec<char> = s.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        let ok = if i < 3 {
            c.is_ascii_uppercase()
        } else {
            c.is_ascii_digit()
        };
        if !ok {
            return Err(invalid_character(*c));
        }
    }
    if chars.len() != 15 {
        return Err(wrong_length(chars.len()));
    }
    if country(&s[..3]).is_none() {
        let code = &s[..3];
        return Err(err(
            "permanent_resident_id.unknown_nationality",
            &format!("旧版号码的前 3 位应为国籍的三位字母代码（ISO 3166-1，如 USA、DEU），“{code}”不是有效的国家或地区代码。{}", format_zh()),
            &format!("In the older design the first 3 letters are the nationality's ISO 3166-1 alpha-3 code (such as USA or DEU); “{code}” is not one. {}", format_en()),
        )
        .with_details(json!({ "nationality": code })));
    }
    Ok(PermanentResidentId {
        number: s,
        version: PermanentResidentIdVersion::Old,
    })
}

fn invalid_character(c: char) -> AppError {
    let shown = shown_char(c);
    err(
        "permanent_resident_id.invalid_character",
        &format!("外国人永久居留身份证号码在这个位置不能是“{shown}”。{}", format_zh()),
        &format!(
            "A permanent resident ID number cannot have “{shown}” there. {}",
            format_en()
        ),
    )
    .with_details(json!({ "character": c.to_string() }))
}

fn wrong_length(count: usize) -> AppError {
    err(
        "permanent_resident_id.wrong_length",
        &format!("外国人永久居留身份证号码为 18 位（2023 版）或 15 位（旧版），现在是 {count} 位。{}", format_zh()),
        &format!("A permanent resident ID number has 18 characters (2023 design) or 15 (older design); this one has {count}. {}", format_en()),
    )
    .with_details(json!({ "length": count }))
}

pub(crate) fn format_zh() -> &'static str {
    "格式：2023 版为 18 位，以 9 开头，前 17 位是数字，最后一位是数字或 X；旧版为 15 位，3 位国籍字母代码（如 USA）加 12 位数字。"
}

pub(crate) fn format_en() -> &'static str {
    "Format: 2023 design, 18 characters beginning with 9: 17 digits, then a digit or X; older design, 15 characters: the 3-letter nationality code (such as USA) and 12 digits."
}

fn err(code: &'static str, zh: &str, en: &str) -> AppError {
    AppError::new(code, 400, zh, en).with_field(FIELD)
}

impl fmt::Display for PermanentResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.number)
    }
}

impl AsRef<str> for PermanentResidentId {
    fn as_ref(&self) -> &str {
        &self.number
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::tests::{full_width, hostile_inputs};
    use proptest::prelude::*;

    fn code(input: &str) -> &'static str {
        PermanentResidentId::parse(input).unwrap_err().code
    }

    fn first17() -> impl Strategy<Value = String> {
        "9[0-9]{16}"
    }

    #[test]
    fn accepts_both_designs() {
        let new = PermanentResidentId::with_check("93110084019900101").unwrap();
        assert_eq!(new.version(), PermanentResidentIdVersion::V2023);
        assert_eq!(new.nationality(), None);
        assert_eq!(PermanentResidentId::parse(new.as_str()).unwrap(), new);
        let old = PermanentResidentId::parse(" usa110090010150 ").unwrap();
        assert_eq!(old.as_str(), "USA110090010150");
        assert_eq!(old.version(), PermanentResidentIdVersion::Old);
        assert_eq!(old.nationality().unwrap().code, "USA");
        assert_eq!(
            PermanentResidentId::parse(&full_width("deu110090010150"))
                .unwrap()
                .as_str(),
            "DEU110090010150"
        );
    }

    #[test]
    fn each_rule_has_its_own_code() {
        assert_eq!(code(""), "permanent_resident_id.empty");
        assert_eq!(code("11010519491231002X"), "permanent_resident_id.wrong_start");
        assert_eq!(code("9311008401990010"), "permanent_resident_id.wrong_length");
        assert_eq!(code("E12345678"), "permanent_resident_id.invalid_character");
        assert_eq!(code("USA11009001015"), "permanent_resident_id.wrong_length");
        assert_eq!(code("US1110090010150"), "permanent_resident_id.invalid_character");
        assert_eq!(code("XXX110090010150"), "permanent_resident_id.unknown_nationality");
        let valid = PermanentResidentId::with_check("93110084019900101")
            .unwrap()
            .as_str()
            .to_owned();
        let last = if valid.ends_with('0') { '1' } else { '0' };
        assert_eq!(
            code(&format!("{}{last}", &valid[..17])),
            "permanent_resident_id.check_mismatch"
        );
        assert_eq!(
            PermanentResidentId::parse("1").unwrap_err().field.as_deref(),
            Some("permanent_resident_id")
        );
    }

    #[test]
    fn messages_name_both_formats() {
        let e = PermanentResidentId::parse("E12345678").unwrap_err();
        assert!(
            e.message.zh.contains("以 9 开头") && e.message.zh.contains("15 位"),
            "{}",
            e.message.zh
        );
        assert!(
            e.message.en.contains("beginning with 9") && e.message.en.contains("12 digits"),
            "{}",
            e.message.en
        );
    }

    #[test]
    fn hostile_input_is_refused() {
        for s in hostile_inputs() {
            assert!(PermanentResidentId::parse(&s).is_err());
        }
    }

    proptest! {
        #[test]
        fn a_generated_number_parses(s in first17()) {
            let id = PermanentResidentId::with_check(&s).unwrap();
            prop_assert_eq!(PermanentResidentId::parse(id.as_str()).unwrap(), id);
        }

        #[test]
        fn changing_any_one_character_is_caught(s in first17(), pos in 0usize..18, to in "[0-9X]") {
            let valid = PermanentResidentId::with_check(&s).unwrap().as_str().to_owned();
            let mut chars: Vec<char> = valid.chars().collect();
            let to = to.chars().next().unwrap();
            prop_assume!(chars[pos] != to);
            chars[pos] = to;
            let changed: String = chars.into_iter().collect();
            prop_assert!(PermanentResidentId::parse(&changed).is_err(), "{} accepted", changed);
        }

        #[test]
        fn lowercase_and_full_width_parse_to_the_same_value(s in first17()) {
            let id = PermanentResidentId::with_check(&s).unwrap();
            let lower = id.as_str().to_ascii_lowercase();
            prop_assert_eq!(&PermanentResidentId::parse(&lower).unwrap(), &id);
            prop_assert_eq!(&PermanentResidentId::parse(&full_width(&lower)).unwrap(), &id);
        }

        #[test]
        fn never_panics(s in ".{0,40}") {
            let _ = PermanentResidentId::parse(&s);
            let _ = PermanentResidentId::with_check(&s);
        }
    }
}
