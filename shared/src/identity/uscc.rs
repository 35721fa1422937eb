//! 统一社会信用代码 Unified Social Credit Code (GB 32100-2015).

#[cfg(test)]
use super::checksum::USCC_ALPHABET;
use super::checksum::{uscc_check, uscc_value};
use super::{normalize_code, shown_char};
use crate::error::AppError;
use serde_json::json;
use std::fmt;

pub const LEN: usize = 18;
const FIELD: &str = "uscc";
const NEVER: [char; 5] = ['I', 'O', 'Z', 'S', 'V'];

/// A valid USCC: 18 characters from `0-9 A-H J-N P-R T-U W-Y` whose 18th is
/// the GB 32100 check character. Stored uppercase, half-width.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uscc(String);

impl Uscc {
    /// Accepts lowercase, full-width and surrounding spaces.
    pub fn parse(input: &str) -> Result<Uscc, AppError> {
        let s = normalize_code(input);
        if s.is_empty() {
            return Err(err(
                "uscc.empty",
                "请填写统一社会信用代码。",
                "Please enter the Unified Social Credit Code.",
            ));
        }
        if let Some(bad) = s.chars().find(|c| NEVER.contains(c)) {
            return Err(err(
                "uscc.forbidden_letter",
                &format!("统一社会信用代码中不会出现字母“{bad}”（I、O、Z、S、V 都不使用），请核对是否把数字误写成了字母（如 0 写成 O、1 写成 I）。{}", format_zh()),
                &format!("A USCC never contains the letter “{bad}” (I, O, Z, S and V are never used); check for a digit typed as a letter (0 as O, 1 as I). {}", format_en()),
            )
            .with_details(json!({ "character": bad.to_string() })));
        }
        if let Some(bad) = s.chars().find(|c| uscc_value(*c).is_none()) {
            let shown = shown_char(bad);
            return Err(err(
                "uscc.invalid_character",
                &format!("统一社会信用代码不能包含“{shown}”。{}", format_zh()),
                &format!("A USCC cannot contain “{shown}”. {}", format_en()),
            )
            .with_details(json!({ "character": bad.to_string() })));
        }
        let count = s.chars().count();
        if count != LEN {
            return Err(err(
                "uscc.wrong_length",
                &format!("统一社会信用代码为 {LEN} 位，现在是 {count} 位。{}", format_zh()),
                &format!("A USCC has {LEN} characters; this one has {count}. {}", format_en()),
            )
            .with_details(json!({ "length": count, "expected_length": LEN })));
        }
        if uscc_check(&s[..17]).is_none_or(|c| !s.ends_with(c)) {
            return Err(err(
                "uscc.check_mismatch",
                &format!(
                    "统一社会信用代码的校验位不符：代码中有字符填写有误，请对照营业执照逐位核对。{}",
                    format_zh()
                ),
                &format!(
                    "The USCC check character does not match: a character is mistyped somewhere; compare it with the business licence character by character. {}",
                    format_en()
                ),
            ));
        }
        Ok(Uscc(s))
    }

    /// Completes 17 characters with their check character: mints valid codes
    /// for tests and fixtures. Errors as [`Uscc::parse`] for the 17.
    pub fn with_check(first17: &str) -> Result<Uscc, AppError> {
        let s = normalize_code(first17);
        if let Some(check) = uscc_check(&s) {
            return Uscc::parse(&format!("{s}{check}"));
        }
        match Uscc::parse(&s) {
            Err(e)
                if matches!(
                    e.code,
                    "uscc.empty" | "uscc.forbidden_letter" | "uscc.invalid_character"
                ) =>
            {
                Err(e)
            }
            _ => {
                let count = s.chars().count();
                Err(err(
                    "uscc.wrong_length",
                    &format!("需要统一社会信用代码的前 17 位，现在是 {count} 位。{}", format_zh()),
                    &format!(
                        "This needs the first 17 characters of a USCC; there are {count}. {}",
                        format_en()
                    ),
                ))
            }
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 6-digit administrative division code (positions 3-8).
    pub fn division_code(&self) -> &str {
        &self.0[2..8]
    }
}

pub(crate) fn format_zh() -> String {
    "格式：18 位，由数字和大写字母组成（不使用 I、O、Z、S、V），最后一位是校验位。".to_owned()
}

pub(crate) fn format_en() -> String {
    "Format: 18 digits and capital letters (never I, O, Z, S or V); the last one is a check character.".to_owned()
}

fn err(code: &'static str, zh: &str, en: &str) -> AppError {
    AppError::new(code, 400, zh, en).with_field(FIELD)
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Uscc {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::identity::tests::{full_width, hostile_inputs};
    use proptest::prelude::*;

    fn code(input: &str) -> &'static str {
        Uscc::parse(input).unwrap_err().code
    }

    /// A strategy for 17 characters of the USCC alphabet.
    pub(crate) fn first17() -> impl Strategy<Value = String> {
        proptest::collection::vec(0usize..31, 17)
            .prop_map(|v| v.into_iter().map(|i| char::from(USCC_ALPHABET[i])).collect())
    }

    #[test]
    fn accepts_real_format_codes() {
        // 91350100M000100Y43 is a published sample; the others were computed
        // independently of this code (a Python one-liner of the standard).
        for ok in [
            "91350100M000100Y43",
            "91110000600037341L",
            "91440300MA5DC7Q3XN",
            "12100000400010398P",
            "31110000MD0187955Q",
        ] {
            assert_eq!(Uscc::parse(ok).unwrap().as_str(), ok);
        }
        assert_eq!(Uscc::parse("91350100M000100Y43").unwrap().division_code(), "350100");
    }

    #[test]
    fn with_check_mints_valid_codes() {
        assert_eq!(
            Uscc::with_check("91350100M000100Y4").unwrap().as_str(),
            "91350100M000100Y43"
        );
        assert_eq!(
            Uscc::with_check("91310115ma1k3yj67").unwrap().as_str(),
            "91310115MA1K3YJ675"
        );
        assert_eq!(Uscc::with_check("9131").unwrap_err().code, "uscc.wrong_length");
        assert_eq!(
            Uscc::with_check("91310115MA1K3YJ6I").unwrap_err().code,
            "uscc.forbidden_letter"
        );
    }

    #[test]
    fn accepts_lowercase_full_width_and_spaces() {
        let want = Uscc::parse("91350100M000100Y43").unwrap();
        assert_eq!(Uscc::parse("  91350100m000100y43 ").unwrap(), want);
        assert_eq!(Uscc::parse(&full_width("91350100m000100y43")).unwrap(), want);
        assert_eq!(Uscc::parse("\u{3000}91350100M000100Y43\u{3000}").unwrap(), want);
    }

    #[test]
    fn each_rule_has_its_own_code() {
        assert_eq!(code(""), "uscc.empty");
        assert_eq!(code("  "), "uscc.empty");
        assert_eq!(code("91350100M000100Y4"), "uscc.wrong_length");
        assert_eq!(code("91350100M000100Y433"), "uscc.wrong_length");
        assert_eq!(code("91350100MO00100Y43"), "uscc.forbidden_letter");
        assert_eq!(code("9135O100M000100Y43"), "uscc.forbidden_letter");
        assert_eq!(code("91350100M000100Y4-"), "uscc.invalid_character");
        assert_eq!(code("91350100M000 100Y43"), "uscc.invalid_character");
        assert_eq!(code("91350100M000100Y44"), "uscc.check_mismatch");
        assert_eq!(Uscc::parse("x").unwrap_err().field.as_deref(), Some("uscc"));
    }

    #[test]
    fn messages_name_the_format_the_letter_and_never_the_right_check() {
        let e = Uscc::parse("91350100M000100Y4").unwrap_err();
        assert!(
            e.message.zh.contains("18 位") && e.message.zh.contains("17 位"),
            "{}",
            e.message.zh
        );
        assert!(e.message.en.contains("18 digits"), "{}", e.message.en);
        let e = Uscc::parse("91350100MO00100Y43").unwrap_err();
        assert!(
            e.message.zh.contains("“O”") && e.message.zh.contains("I、O、Z、S、V"),
            "{}",
            e.message.zh
        );
        assert!(e.message.en.contains("“O”"), "{}", e.message.en);
        let e = Uscc::parse("91350100M000100Y44").unwrap_err();
        assert!(e.message.zh.contains("有误") && e.message.en.contains("mistyped"));
        assert!(
            !e.message.zh.contains('3') && !e.message.en.contains(" 3"),
            "must not reveal the check: {e}"
        );
        assert!(e.details.is_none());
    }

    #[test]
    fn hostile_input_is_refused_without_echoing_it() {
        for s in hostile_inputs() {
            let e = Uscc::parse(&s).unwrap_err();
            assert!(e.message.zh.len() < 600 && e.message.en.len() < 600, "{}", e.code);
        }
    }

    proptest! {
        #[test]
        fn a_generated_code_parses(s in first17()) {
            let minted = Uscc::with_check(&s).unwrap();
            prop_assert_eq!(Uscc::parse(minted.as_str()).unwrap(), minted.clone());
            prop_assert!(minted.as_str().starts_with(&s));
        }

        #[test]
        fn changing_any_one_character_is_caught(s in first17(), pos in 0usize..18, to in 0usize..31) {
            let valid = Uscc::with_check(&s).unwrap().as_str().to_owned();
            let mut chars: Vec<char> = valid.chars().collect();
            let replacement = char::from(USCC_ALPHABET[to]);
            prop_assume!(chars[pos] != replacement);
            chars[pos] = replacement;
            let changed: String = chars.into_iter().collect();
            prop_assert_eq!(Uscc::parse(&changed).unwrap_err().code, "uscc.check_mismatch");
        }

        #[test]
        fn lowercase_and_full_width_parse_to_the_same_value(s in first17()) {
            let valid = Uscc::with_check(&s).unwrap();
            let lower = valid.as_str().to_ascii_lowercase();
            prop_assert_eq!(&Uscc::parse(&lower).unwrap(), &valid);
            prop_assert_eq!(&Uscc::parse(&full_width(&lower)).unwrap(), &valid);
            prop_assert_eq!(&Uscc::parse(&format!(" {} ", full_width(valid.as_str()))).unwrap(), &valid);
        }

        #[test]
        fn never_panics(s in ".{0,40}") {
            let _ = Uscc::parse(&s);
            let _ = Uscc::with_check(&s);
        }
    }
}
