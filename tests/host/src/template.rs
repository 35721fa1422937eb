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

/// Spin variable names: ASCII lowercase letters, digits and underscores, starting
/// with a letter, no double or trailing underscore.
pub fn validate_variable_name(name: &str) -> Result<()> {
    let starts_with_letter = name.chars().next().is_some_and(|c| c.is_ascii_lowercase());
    let charset = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !starts_with_letter || !charset || name.contains("__") || name.ends_with('_') {
        bail!(
            "invalid variable name {name:?}: must be lowercase letters, digits and single underscores, starting with a letter"
        );
    }
    Ok(())
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
        for bad in ["", "1abc", "a-b", "a__b", "a_", "Abc"] {
            assert!(validate_variable_name(bad).is_err(), "{bad}");
        }
    }
}
