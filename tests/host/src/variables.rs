//! Application variables and `spin:variables/variables@3.0.0`.

use anyhow::{Context, Result, bail};
use std::collections::{BTreeMap, HashMap};

use crate::bindings::spin::variables::variables as wit;
use crate::manifest::Manifest;
use crate::state::{SpinHost, StoreState};
use crate::template::{Template, validate_variable_name};
use wasmtime::component::Accessor;

/// Looks up an environment variable by name.
pub type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Resolved application variable values.
#[derive(Clone, Default)]
pub struct AppVariables {
    values: BTreeMap<String, String>,
    secret: Vec<String>,
}

impl std::fmt::Debug for AppVariables {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in &self.values {
            if self.is_secret(name) {
                map.entry(name, &"<secret>");
            } else {
                map.entry(name, value);
            }
        }
        map.finish()
    }
}

impl AppVariables {
    /// Resolves every application variable: explicit `overrides` first, then
    /// `SPIN_VARIABLE_<NAME>` from `env` (when given), then the default.
    pub fn resolve(
        manifest: &Manifest,
        overrides: &HashMap<String, String>,
        env: Option<EnvLookup<'_>>,
    ) -> Result<Self> {
        for name in overrides.keys() {
            if !manifest.variables.contains_key(name) {
                bail!("variable {name:?} was given a value but is not declared in [variables]");
            }
        }
        let mut values = BTreeMap::new();
        let mut missing = Vec::new();
        for (name, decl) in &manifest.variables {
            let value = overrides
                .get(name)
                .cloned()
                .or_else(|| {
                    env.and_then(|env| env(&format!("SPIN_VARIABLE_{}", name.to_ascii_uppercase())))
                })
                .or_else(|| decl.default.clone());
            match value {
                Some(value) => {
                    values.insert(name.clone(), value);
                }
                None if decl.required => missing.push(name.clone()),
                None => {}
            }
        }
        if !missing.is_empty() {
            bail!(
                "required variable(s) {} have no value: set them with --variable NAME=VALUE or SPIN_VARIABLE_<NAME>",
                missing.join(", ")
            );
        }
        let secret = manifest
            .variables
            .iter()
            .filter(|(_, d)| d.secret)
            .map(|(n, _)| n.clone())
            .collect();
        Ok(Self { values, secret })
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    pub fn is_secret(&self, name: &str) -> bool {
        self.secret.iter().any(|s| s == name)
    }

    /// Renders a `{{ name }}` template against the application variables.
    pub fn render(&self, template: &str) -> Result<String> {
        Template::parse(template)?.render(|name| self.get(name).map(str::to_string))
    }

    /// Whether a rendered template would contain a secret (used to keep secrets out of logs).
    pub fn template_uses_secret(&self, template: &str) -> bool {
        Template::parse(template)
            .map(|t| t.references().any(|r| self.is_secret(r)))
            .unwrap_or(false)
    }
}

/// The variables one component sees through `spin:variables`.
#[derive(Clone, Default)]
pub struct ComponentVariables {
    component: String,
    values: HashMap<String, String>,
}

impl std::fmt::Debug for ComponentVariables {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Values may be derived from secrets: never print them.
        f.debug_set().entries(self.values.keys()).finish()
    }
}

impl ComponentVariables {
    pub fn resolve(
        component: &str,
        templates: &BTreeMap<String, String>,
        app: &AppVariables,
    ) -> Result<Self> {
        let mut values = HashMap::new();
        for (name, template) in templates {
            let value = app
                .render(template)
                .with_context(|| format!("component variable {name:?}"))?;
            values.insert(name.clone(), value);
        }
        Ok(Self {
            component: component.to_string(),
            values,
        })
    }

    /// Spin's lookup semantics and messages: malformed name -> `invalid-name`,
    /// unknown -> `undefined` ("no variable for \"component\".\"name\"").
    pub fn lookup(&self, name: &str) -> Result<String, wit::Error> {
        if let Err(err) = validate_variable_name(name) {
            return Err(wit::Error::InvalidName(err.to_string()));
        }
        self.values.get(name).cloned().ok_or_else(|| {
            wit::Error::Undefined(format!("no variable for {:?}.{name:?}", self.component))
        })
    }
}

impl wit::Host for StoreState {
    fn convert_error(&mut self, err: wit::Error) -> anyhow::Result<wit::Error> {
        Ok(err)
    }
}

impl<T> wit::HostWithStore<T> for SpinHost {
    async fn get(accessor: &Accessor<T, Self>, name: String) -> Result<String, wit::Error> {
        accessor.with(|mut access| access.get().component.variables.lookup(&name))
    }
}
