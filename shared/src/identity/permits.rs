//! Documents of residents of Hong Kong, Macao and Taiwan:
//! 港澳居民来往内地通行证, 台湾居民来往大陆通行证, 港澳台居民居住证.

use super::checksum::{Mod11Error, check_mod11_2, mod11_2_check};
use super::{mask, normalize_code, shown_char};
use crate::error::AppError;
use serde_json::json;
use std::fmt;

/// Hong Kong, Macao or Taiwan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Region {
    HongKong,
    Macao,
    Taiwan,
}

/// 港澳居民来往内地通行证: `H` (Hong Kong) or `M` (Macao) and 8 digits, or
/// 10 digits on older permits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HkMoPermit(String);

impl HkMoPermit {
    pub fn parse(input: &str) -> Result<HkMoPermit, AppError> {
        let s = normalize_code(input);
        let err = |code, zh: &str, en: &str| {
            AppError::new(
                code,
                400,
                format!("{zh}{}", hk_mo_format_zh()),
                format!("{en} {}", hk_mo_format_en()),
            )
            .with_field("hk_mo_permit")
        };
        if s.is_empty() {
            return Err(err(
                "hk_mo_permit.empty",
                "请填写港澳居民来往内地通行证号码。",
                "Please enter the Home Return Permit number.",
            ));
        }
        if !s.starts_with(['H', 'M']) {
            return Err(err(
                "hk_mo_permit.wrong_start",
                "港澳居民来往内地通行证号码以字母 H（香港）或 M（澳门）开头。",
                "A Home Return Permit number begins with H (Hong Kong) or M (Macao).",
            ));
        }
        if let Some(bad) = s.chars().skip(1).find(|c| !c.is_ascii_digit()) {
            let shown = shown_char(bad);
            return Err(err(
                "hk_mo_permit.invalid_character",
                &format!("首字母之后只能是数字，不能是“{shown}”。"),
                &format!("After the first letter only digits follow, not “{shown}”."),
            )
            .with_details(json!({ "character": bad.to_string() })));
        }
        let digits = s.len() - 1;
        if digits != 8 && digits != 10 {
            return Err(err(
                "hk_mo_permit.wrong_length",
                &format!("首字母之后应为 8 位数字（旧版 10 位），现在是 {digits} 位。"),
                &format!("The first letter is followed by 8 digits (10 on older permits); this one has {digits}."),
            )
            .with_details(json!({ "digits": digits })));
        }
        Ok(HkMoPermit(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn region(&self) -> Region {
        if self.0.starts_with('H') {
            Region::HongKong
        } else {
            Region::Macao
        }
    }

    pub fn masked(&self) -> String {
        mask(&self.0, 2, 3)
    }
}

pub(crate) fn hk_mo_format_zh() -> &'static str {
    "格式：字母 H 或 M 加 8 位数字（旧版为 10 位数字），如 H12345678。"
}

pub(crate) fn hk_mo_format_en() -> &'static str {
    "Format: H or M followed by 8 digits (10 on older permits), such as H12345678."
}

/// 台湾居民来往大陆通行证: 8 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TwPermit(String);

impl TwPermit {
    pub fn parse(input: &str) -> Result<TwPermit, AppError> {
        let s = normalize_code(input);
        let err = |code, zh: &str, en: &str| {
            AppError::new(
                code,
                400,
                format!("{zh}{}", tw_format_zh()),
                format!("{en} {}", tw_format_en()),
            )
            .with_field("tw_permit")
        };
        if s.is_empty() {
            return Err(err(
                "tw_permit.empty",
                "请填写台湾居民来往大陆通行证号码。",
                "Please enter the Mainland Travel Permit number.",
            ));
        }
        if let Some(bad) = s.chars().find(|c| !c.is_ascii_digit()) {
            let shown = shown_char(bad);
            return Err(err(
                "tw_permit.invalid_character",
                &format!("台湾居民来往大陆通行证号码只含数字，不能包含“{shown}”。"),
                &format!("A Mainland Travel Permit number has only digits, not “{shown}”."),
            )
            .with_details(json!({ "character": bad.to_string() })));
        }
        if s.len() != 8 {
            let n = s.len();
            return Err(err(
                "tw_permit.wrong_length",
                &format!("台湾居民来往大陆通行证号码为 8 位数字，现在是 {n} 位。"),
                &format!("A Mainland Travel Permit number has 8 digits; this one has {n}."),
            )
            .with_details(json!({ "length": n })));
        }
        Ok(TwPermit(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn masked(&self) -> String {
        mask(&self.0, 2, 2)
    }
}

pub(crate) fn tw_format_zh() -> &'static str {
    "格式：8 位数字，如 12345678。"
}

pub(crate) fn tw_format_en() -> &'static str {
    "Format: 8 digits, such as 12345678."
}

/// 港澳台居民居住证: 18 characters beginning 810000 (Hong Kong), 820000
/// (Macao) or 830000 (Taiwan), with the resident-ID check character.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HkMoTwResidencePermit(String);

const RESIDENCE_PREFIXES: [(&str, Region); 3] = [
    ("810000", Region::HongKong),
    ("820000", Region::Macao),
    ("830000", Region::Taiwan),
];

impl HkMoTwResidencePermit {
    pub fn parse(input: &str) -> Result<HkMoTwResidencePermit, AppError> {
        let s = normalize_code(input);
        let err = |code, zh: &str, en: &str| {
            AppError::new(
                code,
                400,
                format!("{zh}{}", residence_format_zh()),
                format!("{en} {}", residence_format_en()),
            )
            .with_field("hk_mo_tw_residence_permit")
        };
        if s.is_empty() {
            return Err(err(
                "hk_mo_tw_residence_permit.empty",
                "请填写港澳台居民居住证号码。",
                "Please enter the residence permit number.",
            ));
        }
        let shape = check_mod11_2(&s);
        match shape {
            Err(Mod11Error::InvalidCharacter(c)) => {
                let shown = shown_char(c);
                return Err(err(
                    "hk_mo_tw_residence_permit.invalid_character",
                    &format!("居住证号码不能包含“{shown}”。"),
                    &format!("A residence permit number cannot contain “{shown}”."),
                )
                .with_details(json!({ "character": c.to_string() })));
            }
            Err(Mod11Error::WrongLength(n)) => {
                return Err(err(
                    "hk_mo_tw_residence_permit.wrong_length",
                    &format!("港澳台居民居住证号码为 18 位，现在是 {n} 位。"),
                    &format!("A residence permit number has 18 characters; this one has {n}."),
                )
                .with_details(json!({ "length": n })));
            }
            _ => {}
        }
        if !RESIDENCE_PREFIXES.iter().any(|(p, _)| s.starts_with(p)) {
            return Err(err(
                "hk_mo_tw_residence_permit.wrong_prefix",
                "港澳台居民居住证号码以 810000（香港）、820000（澳门）或 830000（台湾）开头。",
                "A residence permit number begins with 810000 (Hong Kong), 820000 (Macao) or 830000 (Taiwan).",
            ));
        }
        if shape.is_err() {
            return Err(err(
                "hk_mo_tw_residence_permit.check_mismatch",
                "居住证号码的校验位不符：号码中有数字填写有误，请对照证件逐位核对。",
                "The check character does not match: a digit is mistyped somewhere; compare the number with the card digit by digit.",
            ));
        }
        Ok(HkMoTwResidencePermit(s))
    }

    /// Completes 17 digits with the check character (tests and fixtures).
    pub fn with_check(first17: &str) -> Result<HkMoTwResidencePermit, AppError> {
        let s = normalize_code(first17);
        match mod11_2_check(&s) {
            Some(check) => HkMoTwResidencePermit::parse(&format!("{s}{check}")),
            None => HkMoTwResidencePermit::parse(&s),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn region(&self) -> Region {
        RESIDENCE_PREFIXES
            .iter()
            .find(|(p, _)| self.0.starts_with(p))
            .map_or(Region::Taiwan, |(_, r)| *r)
    }

    pub fn masked(&self) -> String {
        mask(&self.0, 3, 4)
    }
}

pub(crate) fn residence_format_zh() -> &'static str {
    "格式：18 位，以 810000、820000 或 830000 开头，前 17 位是数字，最后一位是数字或 X。"
}

pub(crate) fn residence_format_en() -> &'static str {
    "Format: 18 characters beginning with 810000, 820000 or 830000: 17 digits, then a digit or X."
}

impl fmt::Display for HkMoPermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for TwPermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for HkMoTwResidencePermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::tests::{full_width, hostile_inputs};
    use proptest::prelude::*;

    #[test]
    fn hk_mo_permit_rules() {
        let p = HkMoPermit::parse(" h12345678 ").unwrap();
        assert_eq!((p.as_str(), p.region()), ("H12345678", Region::HongKong));
        assert_eq!(HkMoPermit::parse("M1234567890").unwrap().region(), Region::Macao);
        assert_eq!(
            HkMoPermit::parse(&full_width("m12345678")).unwrap().as_str(),
            "M12345678"
        );
        let code = |s| HkMoPermit::parse(s).unwrap_err().code;
        assert_eq!(code(""), "hk_mo_permit.empty");
        assert_eq!(code("E12345678"), "hk_mo_permit.wrong_start");
        assert_eq!(code("12345678"), "hk_mo_permit.wrong_start");
        assert_eq!(code("H1234567"), "hk_mo_permit.wrong_length");
        assert_eq!(code("H123456789"), "hk_mo_permit.wrong_length");
        assert_eq!(code("H1234567A"), "hk_mo_permit.invalid_character");
        let e = HkMoPermit::parse("H1").unwrap_err();
        assert!(e.message.zh.contains("H 或 M 加 8 位数字") && e.message.en.contains("H or M followed by 8 digits"));
        assert_eq!(e.field.as_deref(), Some("hk_mo_permit"));
    }

    #[test]
    fn tw_permit_rules() {
        assert_eq!(TwPermit::parse(&full_width(" 12345678 ")).unwrap().as_str(), "12345678");
        let code = |s| TwPermit::parse(s).unwrap_err().code;
        assert_eq!(code(""), "tw_permit.empty");
        assert_eq!(code("1234567"), "tw_permit.wrong_length");
        assert_eq!(code("T1234567"), "tw_permit.invalid_character");
        let e = TwPermit::parse("1").unwrap_err();
        assert!(e.message.zh.contains("8 位数字") && e.message.en.contains("8 digits"));
    }

    #[test]
    fn residence_permit_rules() {
        let hk = HkMoTwResidencePermit::with_check("81000019900101001").unwrap();
        assert_eq!(hk.region(), Region::HongKong);
        assert_eq!(
            HkMoTwResidencePermit::with_check("82000019900101001").unwrap().region(),
            Region::Macao
        );
        assert_eq!(
            HkMoTwResidencePermit::with_check("83000019900101001").unwrap().region(),
            Region::Taiwan
        );
        let code = |s: &str| HkMoTwResidencePermit::parse(s).unwrap_err().code;
        assert_eq!(code(""), "hk_mo_tw_residence_permit.empty");
        assert_eq!(code("11010519491231002X"), "hk_mo_tw_residence_permit.wrong_prefix");
        assert_eq!(code("8100001990010100"), "hk_mo_tw_residence_permit.wrong_length");
        assert_eq!(code("H12345678"), "hk_mo_tw_residence_permit.invalid_character");
        let last = if hk.as_str().ends_with('0') { '1' } else { '0' };
        assert_eq!(
            code(&format!("{}{last}", &hk.as_str()[..17])),
            "hk_mo_tw_residence_permit.check_mismatch"
        );
    }

    #[test]
    fn hostile_input_is_refused() {
        for s in hostile_inputs() {
            assert!(HkMoPermit::parse(&s).is_err());
            assert!(TwPermit::parse(&s).is_err());
            assert!(HkMoTwResidencePermit::parse(&s).is_err());
        }
    }

    fn first17() -> impl Strategy<Value = String> {
        ("8[123]0000", "[0-9]{11}").prop_map(|(a, b)| format!("{a}{b}"))
    }

    proptest! {
        #[test]
        fn a_generated_residence_permit_parses(s in first17()) {
            let p = HkMoTwResidencePermit::with_check(&s).unwrap();
            prop_assert_eq!(HkMoTwResidencePermit::parse(p.as_str()).unwrap(), p);
        }

        #[test]
        fn changing_any_one_character_is_caught(s in first17(), pos in 0usize..18, to in "[0-9X]") {
            let valid = HkMoTwResidencePermit::with_check(&s).unwrap().as_str().to_owned();
            let mut chars: Vec<char> = valid.chars().collect();
            let to = to.chars().next().unwrap();
            prop_assume!(chars[pos] != to);
            chars[pos] = to;
            let changed: String = chars.into_iter().collect();
            prop_assert!(HkMoTwResidencePermit::parse(&changed).is_err(), "{} accepted", changed);
        }

        #[test]
        fn lowercase_and_full_width_parse_to_the_same_value(s in first17()) {
            let p = HkMoTwResidencePermit::with_check(&s).unwrap();
            let lower = p.as_str().to_ascii_lowercase();
            prop_assert_eq!(&HkMoTwResidencePermit::parse(&lower).unwrap(), &p);
            prop_assert_eq!(&HkMoTwResidencePermit::parse(&full_width(&lower)).unwrap(), &p);
            let permit = format!("h{}", &s[..8]);
            prop_assert_eq!(HkMoPermit::parse(&full_width(&permit)).unwrap(), HkMoPermit::parse(&permit.to_ascii_uppercase()).unwrap());
        }

        #[test]
        fn never_panics(s in ".{0,40}") {
            let _ = HkMoPermit::parse(&s);
            let _ = TwPermit::parse(&s);
            let _ = HkMoTwResidencePermit::parse(&s);
            let _ = HkMoTwResidencePermit::with_check(&s);
        }
    }
}
