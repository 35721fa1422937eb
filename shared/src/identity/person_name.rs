//! 姓名: a person's name as on their document (a natural person's real
//! name, a legal representative's, an appeal's applicant's).

use super::fold_full_width;
use super::org_name::{collapse_whitespace, is_refused};
use crate::error::AppError;
use std::fmt;

/// A person's name as on their document: full width folded, trimmed, inner
/// white space collapsed; 2-100 characters without control characters or
/// `<` `>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PersonName(String);

impl PersonName {
    pub const MIN_LEN: usize = 2;
    pub const MAX_LEN: usize = 100;

    /// Errors carry the field `name`; callers re-field them.
    pub fn parse(input: &str) -> Result<PersonName, AppError> {
        let s = collapse_whitespace(&fold_full_width(input));
        let fmt_zh = "格式：与证件一致的姓名，2–100 个字，外文姓名按证件上的拼写填写。";
        let fmt_en = "Format: the name as on the document, 2-100 characters, spelled as printed on it.";
        let err = |code, zh: String, en: String| AppError::new(code, 400, zh, en).with_field("name");
        if s.is_empty() {
            return Err(err(
                "person_name.empty",
                format!("请填写姓名。{fmt_zh}"),
                format!("Please enter the name. {fmt_en}"),
            ));
        }
        if let Some(bad) = s.chars().find(|c| is_refused(*c)) {
            return Err(err(
                "person_name.invalid_character",
                format!(
                    "姓名不能包含 U+{:04X}（尖括号、控制字符或不可见字符）。{fmt_zh}",
                    bad as u32
                ),
                format!(
                    "A name cannot contain U+{:04X} (angle brackets, control or invisible characters). {fmt_en}",
                    bad as u32
                ),
            ));
        }
        let n = s.chars().count();
        if n < Self::MIN_LEN {
            return Err(err(
                "person_name.too_short",
                format!("姓名至少 2 个字，现在是 {n} 个。{fmt_zh}"),
                format!("A name has at least 2 characters; this one has {n}. {fmt_en}"),
            ));
        }
        if n > Self::MAX_LEN {
            return Err(err(
                "person_name.too_long",
                format!("姓名最多 100 个字，现在是 {n} 个。{fmt_zh}"),
                format!("A name has at most 100 characters; this one has {n}. {fmt_en}"),
            ));
        }
        Ok(PersonName(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::tests::{full_width, hostile_inputs};

    fn code(input: &str) -> &'static str {
        PersonName::parse(input).unwrap_err().code
    }

    #[test]
    fn folds_full_width_and_collapses_white_space() {
        assert_eq!(PersonName::parse(&full_width("John Smith")).unwrap().as_str(), "John Smith");
        assert_eq!(PersonName::parse("  王\u{3000}\u{3000}大明 \t").unwrap().as_str(), "王 大明");
        assert_eq!(PersonName::parse("李小红").unwrap().to_string(), "李小红");
    }

    #[test]
    fn every_error_names_the_field_name_and_the_format() {
        for (input, expected) in [
            ("", "person_name.empty"),
            ("\u{3000} ", "person_name.empty"),
            ("张", "person_name.too_short"),
            ("<b>张三</b>", "person_name.invalid_character"),
            ("张\u{0}三", "person_name.invalid_character"),
        ] {
            let e = PersonName::parse(input).unwrap_err();
            assert_eq!((e.code, e.status, e.field.as_deref()), (expected, 400, Some("name")), "{input:?}");
            assert!(e.message.zh.contains("2–100 个字") && e.message.en.contains("2-100 characters"), "{input:?}");
        }
    }

    #[test]
    fn two_to_a_hundred_characters() {
        assert!(PersonName::parse("王五").is_ok());
        assert!(PersonName::parse(&"名".repeat(PersonName::MAX_LEN)).is_ok());
        let e = PersonName::parse(&"名".repeat(PersonName::MAX_LEN + 1)).unwrap_err();
        assert_eq!(e.code, "person_name.too_long");
        assert!(e.message.en.contains("this one has 101"), "{}", e.message.en);
    }

    #[test]
    fn hostile_input_is_refused_without_panicking() {
        for input in hostile_inputs() {
            if let Ok(name) = PersonName::parse(&input) {
                assert!(!name.as_str().contains(['<', '>', '\u{0}']), "{input:?}");
                assert!(name.as_str().chars().count() <= PersonName::MAX_LEN);
            }
        }
        assert_eq!(code("<script>alert(1)</script>"), "person_name.invalid_character");
    }
}
