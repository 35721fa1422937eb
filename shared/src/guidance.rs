//! Guidance: the next step we offer the user, in both languages, with the
//! links that lead there (the FAQ's "go to reset", "file an appeal"...).

use crate::i18n::{Lang, Text};
use serde_json::{Value, json};

#[derive(Debug, Clone, PartialEq)]
pub struct Guidance {
    pub code: &'static str,
    pub message: Text,
    pub actions: Vec<Action>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    pub href: String,
    pub label: Text,
}

impl Guidance {
    pub fn new(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Guidance { code, message: Text::new(zh, en), actions: Vec::new() }
    }

    pub fn action(mut self, href: impl Into<String>, zh: &str, en: &str) -> Self {
        self.actions.push(Action { href: href.into(), label: Text::new(zh, en) });
        self
    }

    pub fn to_json(&self, lang: Lang) -> Value {
        json!({
            "code": self.code,
            "message": self.message.get(lang),
            "message_zh": self.message.zh,
            "message_en": self.message.en,
            "actions": self.actions.iter().map(|a| json!({
                "href": a.href,
                "label": a.label.get(lang),
                "label_zh": a.label.zh,
                "label_en": a.label.en,
            })).collect::<Vec<_>>(),
        })
    }
}

/// Percent-encodes a query-string value (everything but unreserved bytes).
pub fn encode_query_value(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            b => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_both_languages_and_actions() {
        let g = Guidance::new("x.y", "中", "en").action("/a?b=1", "去", "go");
        let v = g.to_json(Lang::En);
        assert_eq!(v["message"], "en");
        assert_eq!(v["actions"][0]["label"], "go");
        assert_eq!(v["actions"][0]["label_zh"], "去");
    }

    #[test]
    fn encodes_query_values() {
        assert_eq!(encode_query_value("WP a&b=中"), "WP%20a%26b%3D%E4%B8%AD");
    }
}
