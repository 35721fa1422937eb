//! 法人单位名称 organization name, as on the business licence.

use super::fold_full_width;
use crate::error::AppError;
use serde_json::json;
use std::fmt;

pub const MIN_LEN: usize = 2;
pub const MAX_LEN: usize = 100;
const FIELD: &str = "org_name";

/// A valid organization name: full-width ASCII folded, trimmed, inner runs
/// of white space collapsed to one space; 2-100 characters, no control or
/// invisible formatting characters and no `<` `>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OrgName(String);

impl OrgName {
    pub fn parse(input: &str) -> Result<OrgName, AppError> {
        let s = collapse_whitespace(&fold_full_width(input));
        if s.is_empty() {
            return Err(err(
                "org_name.empty",
                "请填写法人单位名称。",
                "Please enter the organization name.",
            ));
        }
        if let Some(bad) = s.chars().find(|c| is_refused(*c)) {
            let shown = if matches!(bad, '<' | '>') {
                format!("“{bad}”")
            } else {
                format!("U+{:04X}", bad as u32)
            };
            return Err(err(
                "org_name.invalid_character",
                &format!(
                    "单位名称不能包含 {shown}（尖括号、控制字符或不可见字符）。{}",
                    format_zh()
                ),
                &format!(
                    "An organization name cannot contain {shown} (angle brackets, control or invisible characters). {}",
                    format_en()
                ),
            )
            .with_details(json!({ "character": format!("U+{:04X}", bad as u32) })));
        }
        let count = s.chars().count();
        if count < MIN_LEN {
            return Err(err(
                "org_name.too_short",
                &format!("单位名称至少 {MIN_LEN} 个字，现在是 {count} 个。{}", format_zh()),
                &format!(
                    "An organization name has at least {MIN_LEN} characters; this one has {count}. {}",
                    format_en()
                ),
            ));
        }
        if count > MAX_LEN {
            return Err(err(
                "org_name.too_long",
                &format!("单位名称最多 {MAX_LEN} 个字，现在是 {count} 个。{}", format_zh()),
                &format!(
                    "An organization name has at most {MAX_LEN} characters; this one has {count}. {}",
                    format_en()
                ),
            ));
        }
        Ok(OrgName(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The uniqueness key: the normalized name with ASCII case folded, so
    /// `ABC 科技（北京）有限公司` and `abc 科技(北京)有限公司` are one name.
    pub fn key(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

/// Trims and collapses every run of white space (any width) to one space.
pub(crate) fn collapse_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Control characters, `<` `>`, and invisible formatting characters (zero
/// width, bidirectional overrides, BOM) that would make two equal-looking
/// names differ.
pub(crate) fn is_refused(c: char) -> bool {
    c.is_control()
        || matches!(c, '<' | '>')
        || matches!(c, '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
}

fn format_zh() -> String {
    format!("格式：与营业执照一致的单位全称，{MIN_LEN}–{MAX_LEN} 个字，不含尖括号 < >。")
}

fn format_en() -> String {
    format!("Format: the full name as on the business licence, {MIN_LEN}-{MAX_LEN} characters, without < or >.")
}

fn err(code: &'static str, zh: &str, en: &str) -> AppError {
    AppError::new(code, 400, zh, en).with_field(FIELD)
}

impl fmt::Display for OrgName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for OrgName {
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
        OrgName::parse(input).unwrap_err().code
    }

    #[test]
    fn normalizes_width_and_space() {
        let n = OrgName::parse("\u{3000} 北京ＡＢＣ  科技（北京）\t有限公司 ").unwrap();
        assert_eq!(n.as_str(), "北京ABC 科技(北京) 有限公司");
        assert_eq!(n.key(), "北京abc 科技(北京) 有限公司");
        assert_eq!(OrgName::parse("北京abc 科技(北京) 有限公司").unwrap().key(), n.key());
    }

    #[test]
    fn each_rule_has_its_own_code() {
        assert_eq!(code(""), "org_name.empty");
        assert_eq!(code(" \u{3000} "), "org_name.empty");
        assert_eq!(code("甲"), "org_name.too_short");
        assert!(OrgName::parse("甲乙").is_ok());
        assert!(OrgName::parse(&"字".repeat(100)).is_ok());
        assert_eq!(code(&"字".repeat(101)), "org_name.too_long");
        assert_eq!(code("<script>公司"), "org_name.invalid_character");
        assert_eq!(code("某某公司＜"), "org_name.invalid_character");
        assert_eq!(code("某某\u{200B}公司"), "org_name.invalid_character");
        assert_eq!(code("某某\u{0}公司"), "org_name.invalid_character");
        // Apostrophes and SQL punctuation are fine in a name: the store binds parameters.
        assert!(OrgName::parse("O'Brien & Sons; Ltd.").is_ok());
        let e = OrgName::parse("甲").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("org_name"));
        assert!(e.message.zh.contains("2–100") && e.message.en.contains("2-100"));
        for s in hostile_inputs() {
            let _ = OrgName::parse(&s);
        }
        assert_eq!(code(&"x".repeat(10_240)), "org_name.too_long");
    }

    proptest! {
        #[test]
        fn full_width_and_case_give_the_same_key(s in "[A-Za-z0-9()]{2,40}") {
            let a = OrgName::parse(&s).unwrap();
            let b = OrgName::parse(&full_width(&s.to_ascii_lowercase())).unwrap();
            prop_assert_eq!(a.key(), b.key());
        }

        #[test]
        fn never_panics(s in ".{0,200}") {
            if let Ok(n) = OrgName::parse(&s) {
                prop_assert_eq!(OrgName::parse(n.as_str()).unwrap(), n.clone());
            }
        }
    }
}
