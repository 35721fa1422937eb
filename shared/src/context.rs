//! What a handler gets besides the request: the store, the clock, the
//! random source and the component's settings (Spin variables).

use crate::clock::Clock;
use crate::random::Random;
use std::collections::BTreeMap;

pub struct Context<S> {
    pub store: S,
    pub clock: Box<dyn Clock>,
    pub random: Box<dyn Random>,
    pub settings: Settings,
}

/// Settings read from the component's variables. Missing or unparsable
/// values fall back to the documented default.
#[derive(Debug, Clone, Default)]
pub struct Settings(pub BTreeMap<String, String>);

impl Settings {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str).filter(|v| !v.is_empty())
    }

    pub fn u32_or(&self, name: &str, default: u32) -> u32 {
        self.get(name).and_then(|v| v.trim().parse().ok()).unwrap_or(default)
    }

    pub fn with(mut self, name: &str, value: &str) -> Settings {
        self.0.insert(name.to_owned(), value.to_owned());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_fall_back_to_the_default() {
        let s = Settings::default().with("a", "12").with("b", "x").with("c", "");
        assert_eq!(s.u32_or("a", 1), 12);
        assert_eq!(s.u32_or("b", 1), 1);
        assert_eq!(s.u32_or("c", 1), 1);
        assert_eq!(s.u32_or("missing", 7), 7);
    }
}
