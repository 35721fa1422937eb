//! The names Spin's manifest validates, with Spin's rules and messages.
//!
//! Spin (`crates/serde/src/id.rs`, used by `crates/manifest/src/schema/v2.rs`)
//! keys variables by `LowerSnakeId`, components by `KebabId`, and accepts a
//! store or database label when it is a `KebabId` or a `SnakeId`. An id is one
//! or more words joined by the delimiter; each word starts with an ASCII
//! letter, holds only ASCII letters and digits, and is all lowercase or all
//! uppercase (`LowerSnakeId`: all lowercase). The messages below are Spin's,
//! so a name this host refuses reads as `spin up` would print it.
//!
//! The manifest's raw tables deserialize through these types, so a bad name
//! fails at TOML parse time with the line and column, as in Spin.

use serde::Deserialize;
use std::fmt;

/// Checks `id` against Spin's id rule for `delim`; `lower` demands lowercase.
pub fn check(id: &str, delim: char, lower: bool) -> Result<(), String> {
    if id.is_empty() {
        return Err("empty".into());
    }
    let wrong = match delim {
        '_' => Some('-'),
        '-' => Some('_'),
        _ => None,
    };
    if let Some(wrong) = wrong
        && id.contains(wrong)
    {
        return Err(format!("words must be separated with {delim:?}, not {wrong:?}"));
    }
    for word in id.split(delim) {
        let mut chars = word.chars();
        let Some(first) = chars.next() else {
            return Err(format!("{delim:?}-separated words must not be empty"));
        };
        if !first.is_ascii_alphabetic() {
            return Err(format!("{delim:?}-separated words must start with an ASCII letter; got {first:?}"));
        }
        let upper = first.is_ascii_uppercase();
        for ch in chars {
            if ch.is_ascii_digit() {
                continue;
            }
            if !ch.is_ascii_alphanumeric() {
                return Err(format!("{delim:?}-separated words may only contain alphanumeric ASCII; got {ch:?}"));
            }
            if ch.is_ascii_uppercase() != upper {
                return Err(format!("{delim:?}-separated words must be all lowercase or all UPPERCASE; got {word:?}"));
            }
        }
        if lower && upper {
            return Err(format!("Lower-case identifiers must be all lowercase; got {id:?}"));
        }
    }
    Ok(())
}

/// A variable name (`[variables]` keys, component variable keys, template
/// references): Spin's `LowerSnakeId`.
pub fn check_variable_name(name: &str) -> Result<(), String> {
    check(name, '_', true)
}

/// A component id: Spin's `KebabId`.
pub fn check_component_id(id: &str) -> Result<(), String> {
    check(id, '-', false)
}

/// A key-value store or SQLite database label: a `KebabId` or a `SnakeId`.
pub fn check_label(label: &str) -> Result<(), String> {
    if check(label, '-', false).is_ok() || check(label, '_', false).is_ok() {
        Ok(())
    } else {
        Err("expected kebab-case or snake_case".into())
    }
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $check:path) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                $check(&s)?;
                Ok(Self(s))
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::try_from(s).map_err(serde::de::Error::custom)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_type!(
    /// Spin's `LowerSnakeId`: variable names.
    VariableName,
    check_variable_name
);
id_type!(
    /// Spin's `KebabId`: component ids and the components triggers name.
    ComponentId,
    check_component_id
);

/// `deserialize_with` for a map keyed by variable names (kept as `String`).
pub fn variable_keys<'de, D, V>(d: D) -> Result<std::collections::BTreeMap<String, V>, D::Error>
where
    D: serde::Deserializer<'de>,
    V: Deserialize<'de>,
{
    let map = std::collections::BTreeMap::<VariableName, V>::deserialize(d)?;
    Ok(map.into_iter().map(|(k, v)| (k.into_string(), v)).collect())
}

/// `deserialize_with` for a map keyed by component ids (kept as `String`).
pub fn component_keys<'de, D, V>(d: D) -> Result<std::collections::BTreeMap<String, V>, D::Error>
where
    D: serde::Deserializer<'de>,
    V: Deserialize<'de>,
{
    let map = std::collections::BTreeMap::<ComponentId, V>::deserialize(d)?;
    Ok(map.into_iter().map(|(k, v)| (k.into_string(), v)).collect())
}

/// `deserialize_with` for a component reference (kept as `String`).
pub fn component_ref<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    ComponentId::deserialize(d).map(ComponentId::into_string)
}

/// `deserialize_with` for a list of store or database labels, with Spin's
/// message for the list as a whole.
pub fn labels<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let list = Vec::<String>::deserialize(d)?;
    match list.iter().find(|l| check_label(l).is_err()) {
        Some(_) => Err(serde::de::Error::custom("expected kebab-case or snake_case")),
        None => Ok(list),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variable_names_follow_lower_snake_id() {
        for ok in ["a", "api_token", "login_limit_per_client_per_five_minutes", "v2_x9"] {
            assert!(check_variable_name(ok).is_ok(), "{ok}");
        }
        let cases = [
            ("login_limit_per_client_per_5_minutes", "'_'-separated words must start with an ASCII letter; got '5'"),
            ("", "empty"),
            ("a-b", "words must be separated with '_', not '-'"),
            ("a__b", "'_'-separated words must not be empty"),
            ("a_", "'_'-separated words must not be empty"),
            ("_a", "'_'-separated words must not be empty"),
            ("a.b", "'_'-separated words may only contain alphanumeric ASCII; got '.'"),
            ("aB", "'_'-separated words must be all lowercase or all UPPERCASE; got \"aB\""),
            ("API", "Lower-case identifiers must be all lowercase; got \"API\""),
            ("1abc", "'_'-separated words must start with an ASCII letter; got '1'"),
        ];
        for (name, message) in cases {
            assert_eq!(check_variable_name(name).unwrap_err(), message, "{name}");
        }
    }

    #[test]
    fn component_ids_follow_kebab_id() {
        for ok in ["auth", "password-reset", "static-site", "HTTP-handler", "v2"] {
            assert!(check_component_id(ok).is_ok(), "{ok}");
        }
        assert_eq!(check_component_id("password_reset").unwrap_err(), "words must be separated with '-', not '_'");
        assert_eq!(check_component_id("a--b").unwrap_err(), "'-'-separated words must not be empty");
        assert_eq!(check_component_id("3d").unwrap_err(), "'-'-separated words must start with an ASCII letter; got '3'");
    }

    #[test]
    fn labels_are_kebab_or_snake() {
        for ok in ["default", "snake_case", "kebab-case"] {
            assert!(check_label(ok).is_ok(), "{ok}");
        }
        for bad in ["b@dlabel", "camelCase", "mixed-and_bad", ""] {
            assert_eq!(check_label(bad).unwrap_err(), "expected kebab-case or snake_case", "{bad}");
        }
    }

    #[test]
    fn a_bad_key_fails_at_parse_time_with_its_line() {
        #[derive(Deserialize)]
        struct T {
            #[allow(dead_code)]
            variables: std::collections::BTreeMap<VariableName, toml::Value>,
        }
        let err = toml::from_str::<T>("[variables]\nok = 1\nlogin_per_5_minutes = 2\n").err().unwrap().to_string();
        assert!(err.contains("line 3"), "{err}");
        assert!(err.contains("'_'-separated words must start with an ASCII letter; got '5'"), "{err}");
    }
}
