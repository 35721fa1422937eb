//! `{{ name }}` templates, as used by Spin for component variables and
//! `allowed_outbound_hosts`.

use anyhow::{Result, bail};

/// A parsed template: literal text interleaved with variable references.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    Variable(String),
}

impl Template {
    pub fn parse(text: &str) -> Result<Self> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            if start > 0 {
                parts.push(Part::Literal(rest[..start].to_string()));
            }
            let after = &rest[start + 2..];
            let Some(end) = after.find("}}") else {
                bail!("unterminated '{{{{' in template {text:?}");
            };
            let name = after[..end].trim();
            validate_variable_name(name)?;
            parts.push(Part::Variable(name.to_string()));
            rest = &after[end + 2..];
        }
        if rest.contains("}}") {
            bail!("unmatched '}}}}' in template {text:?}");
        }
        if !rest.is_empty() {
            parts.push(Part::Literal(rest.to_string()));
        }
        Ok(Self { parts })
    }

    /// Names of the variables the template refers to.
    pub fn references(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Variable(name) => Some(name.as_str()),
            Part::Literal(_) => None,
        })
    }

    /// Renders the template; `lookup` returns `None` for an unknown variable.
    pub fn render(&self, mut lookup: impl FnMut(&str) -> Option<String>) -> Result<String> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Literal(text) => out.push_str(text),
                Part::Variable(name) => match lookup(name) {
                    Some(value) => out.push_str(&value),
                    None => bail!("no value for variable {name:?}"),
                },
            }
        }
        Ok(out)
    }
}

/// Spin's variable key rule and messages (`spin_expressions::Key::validate`):
/// lowercase ASCII letters, digits and single underscores, starting with a
/// letter and ending with a letter or digit. The error reads as Spin's:
/// `"Bad-Name": invalid character 'B'. Variable names may contain only …`.
pub fn validate_variable_name(name: &str) -> Result<()> {
    let reason = if name.is_empty() {
        Some("must not be empty".to_string())
    } else if let Some(invalid) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_'))
    {
        Some(format!(
            "invalid character {invalid:?}. Variable names may contain only lower-case letters, numbers, and underscores."
        ))
    } else if !name.as_bytes()[0].is_ascii_lowercase() {
        Some("must start with a lowercase ASCII letter".to_string())
    } else if !name.as_bytes()[name.len() - 1].is_ascii_alphanumeric() {
        Some("must end with a lowercase ASCII letter or digit".to_string())
    } else if name.contains("__") {
        Some("must not contain multiple consecutive underscores".to_string())
    } else {
        None
    };
    match reason {
        Some(reason) => bail!("{name:?}: {reason}"),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_renders() {
        let t = Template::parse("https://{{ host }}:{{port}}/x").unwrap();
        assert_eq!(t.references().collect::<Vec<_>>(), ["host", "port"]);
        let out = t
            .render(|n| {
                Some(if n == "host" {
                    "example.com".into()
                } else {
                    "8080".into()
                })
            })
            .unwrap();
        assert_eq!(out, "https://example.com:8080/x");
        assert_eq!(
            Template::parse("plain").unwrap().render(|_| None).unwrap(),
            "plain"
        );
    }

    #[test]
    fn rejects_bad_templates_and_names() {
        assert!(Template::parse("{{ host").is_err());
        assert!(Template::parse("host }}").is_err());
        assert!(Template::parse("{{ Host }}").is_err());
        assert!(validate_variable_name("api_token").is_ok());
        for (bad, message) in [
            ("", "\"\": must not be empty"),
            ("1abc", "\"1abc\": must start with a lowercase ASCII letter"),
            (
                "a-b",
                "\"a-b\": invalid character '-'. Variable names may contain only lower-case letters, numbers, and underscores.",
            ),
            (
                "a__b",
                "\"a__b\": must not contain multiple consecutive underscores",
            ),
            (
                "a_",
                "\"a_\": must end with a lowercase ASCII letter or digit",
            ),
        ] {
            assert_eq!(
                validate_variable_name(bad).unwrap_err().to_string(),
                message
            );
        }
    }
}
