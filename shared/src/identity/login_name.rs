//! 登录名 login name: what an account logs in with; unique ignoring case.

use super::normalize_input;
use crate::error::AppError;
use serde_json::json;
use std::fmt;

pub const MIN_LEN: usize = 4;
/// The prefix of every migrated account's login name: `WP` + the old
/// system's login name (FAQ 1). Registration refuses it, in any case and
/// width, so no new account can take the name an old one is migrated to.
pub const LEGACY_PREFIX: &str = "WP";
pub const MAX_LEN: usize = 50;
const FIELD: &str = "login_name";

/// A valid login name: 4-50 characters from ASCII letters, digits and
/// `_ - . @`, starting with a letter or digit. Case is kept for display;
/// [`LoginName::key`] is the case-folded form that uniqueness uses.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LoginName(String);

impl LoginName {
    /// Accepts full-width characters and surrounding spaces (folded and
    /// trimmed); anything else outside the format is an error that says
    /// which rule failed.
    pub fn parse(input: &str) -> Result<LoginName, AppError> {
        let s = normalize_input(input);
        let count = s.chars().count();
        if count == 0 {
            return Err(err("login_name.empty", "请填写登录名。", "Please enter a login name."));
        }
        if let Some(bad) = s.chars().find(|c| !is_allowed(*c)) {
            let shown = if bad.is_whitespace() { "空格 / space".to_owned() } else { bad.to_string() };
            return Err(err(
                "login_name.invalid_character",
                &format!("登录名不能包含“{shown}”。{}", format_zh()),
                &format!("A login name cannot contain “{shown}”. {}", format_en()),
            )
            .with_details(json!({ "character": bad.to_string() })));
        }
        if count < MIN_LEN {
            return Err(err(
                "login_name.too_short",
                &format!("登录名至少 {MIN_LEN} 位，现在是 {count} 位。{}", format_zh()),
                &format!("A login name needs at least {MIN_LEN} characters; this one has {count}. {}", format_en()),
            ));
        }
        if count > MAX_LEN {
            return Err(err(
                "login_name.too_long",
                &format!("登录名最多 {MAX_LEN} 位，现在是 {count} 位。"),
                &format!("A login name has at most {MAX_LEN} characters; this one has {count}."),
            ));
        }
        if !s.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return Err(err(
                "login_name.invalid_start",
                &format!("登录名须以字母或数字开头。{}", format_zh()),
                &format!("A login name must start with a letter or digit. {}", format_en()),
            ));
        }
        Ok(LoginName(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The case-folded form: two names with the same key are the same name.
    pub fn key(&self) -> String {
        self.0.to_ascii_lowercase()
    }

    /// Whether the name starts with [`LEGACY_PREFIX`], ignoring case (full
    /// width was folded by [`LoginName::parse`]: `ｗｐ` is `wp`).
    pub fn has_legacy_prefix(&self) -> bool {
        self.0.get(..LEGACY_PREFIX.len()).is_some_and(|p| p.eq_ignore_ascii_case(LEGACY_PREFIX))
    }
}

fn is_allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '@')
}

fn format_zh() -> String {
    format!("格式：{MIN_LEN}–{MAX_LEN} 位字母、数字或 _ - . @，以字母或数字开头。")
}

fn format_en() -> String {
    format!("Format: {MIN_LEN}-{MAX_LEN} letters, digits or _ - . @, starting with a letter or digit.")
}

fn err(code: &'static str, zh: &str, en: &str) -> AppError {
    AppError::new(code, 400, zh, en).with_field(FIELD)
}

impl fmt::Display for LoginName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for LoginName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn code(input: &str) -> &'static str {
        LoginName::parse(input).unwrap_err().code
    }

    #[test]
    fn accepts_the_documented_format() {
        let fifty = "x".repeat(50);
        for ok in ["abcd", "WPzhangsan", "user.name@corp", "a_b-c.d", "1234", &fifty] {
            assert_eq!(LoginName::parse(ok).unwrap().as_str(), ok);
        }
    }

    #[test]
    fn folds_full_width_and_trims() {
        let n = LoginName::parse("  ＷＰｚｈａｎｇ\u{3000}").unwrap();
        assert_eq!(n.as_str(), "WPzhang");
        assert_eq!(n.key(), "wpzhang");
    }

    #[test]
    fn the_legacy_prefix_is_seen_in_any_case_and_width() {
        for wp in ["WPacme", "wpacme", "Wpacme", "wPacme", "ｗｐacme", "ＷＰ1234", " WP.x"] {
            assert!(LoginName::parse(wp).unwrap().has_legacy_prefix(), "{wp}");
        }
        for other in ["acme", "newp1", "w-pacme", "swpacme", "1wp2"] {
            assert!(!LoginName::parse(other).unwrap().has_legacy_prefix(), "{other}");
        }
    }

    #[test]
    fn key_ignores_case() {
        assert_eq!(LoginName::parse("WPAbc").unwrap().key(), LoginName::parse("wpaBC").unwrap().key());
    }

    #[test]
    fn each_rule_has_its_own_code_and_names_the_field() {
        assert_eq!(code(""), "login_name.empty");
        assert_eq!(code("   "), "login_name.empty");
        assert_eq!(code("abc"), "login_name.too_short");
        assert_eq!(code(&"x".repeat(51)), "login_name.too_long");
        assert_eq!(code(&"x".repeat(10_000)), "login_name.too_long");
        assert_eq!(code("_abc"), "login_name.invalid_start");
        assert_eq!(code("ab cd"), "login_name.invalid_character");
        assert_eq!(code("张三丰abc"), "login_name.invalid_character");
        assert_eq!(code("a'; DROP TABLE accounts;--"), "login_name.invalid_character");
        assert_eq!(code("<script>x"), "login_name.invalid_character");
        assert_eq!(LoginName::parse("abc").unwrap_err().field.as_deref(), Some("login_name"));
    }

    #[test]
    fn errors_name_the_expected_format_in_both_languages() {
        let e = LoginName::parse("ab").unwrap_err();
        assert!(e.message.zh.contains("4–50"), "{}", e.message.zh);
        assert!(e.message.en.contains("4-50"), "{}", e.message.en);
    }

    proptest! {
        #[test]
        fn any_valid_name_parses_to_itself(s in "[A-Za-z0-9][A-Za-z0-9_.@-]{3,49}") {
            let parsed = LoginName::parse(&s).unwrap();
            prop_assert_eq!(parsed.as_str(), s.as_str());
        }

        #[test]
        fn full_width_input_parses_to_the_half_width_value(s in "[A-Za-z0-9][A-Za-z0-9_.@-]{3,49}") {
            let wide: String = s.chars().map(|c| char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap()).collect();
            prop_assert_eq!(LoginName::parse(&wide).unwrap(), LoginName::parse(&s).unwrap());
        }

        #[test]
        fn never_panics(s in ".{0,80}") {
            let _ = LoginName::parse(&s);
        }
    }
}
