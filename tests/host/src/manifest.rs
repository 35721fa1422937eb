//! The subset of the Spin manifest (version 2) that spin-test-host understands.
//!
//! Fields that Spin accepts but the host has no use for (`description`,
//! `[component.*.build]`, `executor`, …) are accepted and ignored; fields whose
//! meaning the host cannot honour (for example a `source` that is a URL) are
//! rejected with an error instead of being silently misread.

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::spin_id;
use crate::template::Template;

/// A parsed `spin.toml`.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// Directory containing the manifest; relative paths are resolved against it.
    pub dir: PathBuf,
    pub application: Application,
    pub variables: BTreeMap<String, VariableDecl>,
    pub triggers: Triggers,
    pub components: BTreeMap<String, ComponentDecl>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Application {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub trigger: Option<ApplicationTriggers>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ApplicationTriggers {
    #[serde(default)]
    pub http: Option<ApplicationHttp>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ApplicationHttp {
    /// Deprecated in Spin 2+, accepted only when it is `/`.
    #[serde(default)]
    pub base: Option<String>,
}

/// `[variables.<name>]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariableDecl {
    #[serde(default)]
    pub default: Option<String>,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub secret: bool,
    #[serde(default)]
    pub description: Option<String>,
}

/// All `[[trigger.<type>]]` tables. Each trigger type has its own module under
/// `crate::trigger`; the manifest only carries their declarations.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Triggers {
    #[serde(default)]
    pub http: Vec<crate::trigger::http::HttpTriggerDecl>,
    #[serde(default)]
    pub cron: Vec<crate::trigger::cron::CronTriggerDecl>,
}

/// `[component.<id>]`.
#[derive(Debug, Clone, Deserialize)]
pub struct ComponentDecl {
    pub source: ComponentSource,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub allowed_outbound_hosts: Vec<String>,
    #[serde(default, deserialize_with = "spin_id::labels")]
    pub sqlite_databases: Vec<String>,
    #[serde(default, deserialize_with = "spin_id::labels")]
    pub key_value_stores: Vec<String>,
    #[serde(default)]
    pub files: Vec<FileMount>,
    #[serde(default)]
    pub exclude_files: Vec<String>,
    #[serde(default)]
    pub environment: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "spin_id::variable_keys")]
    pub variables: BTreeMap<String, String>,
    /// `[component.<id>.build]`: used by `spin build`, ignored here.
    #[serde(default)]
    pub build: Option<toml::Value>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ComponentSource {
    Local(String),
    Remote(toml::Table),
}

/// An entry of `files`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum FileMount {
    /// A glob relative to the manifest directory; matches are mounted at the same
    /// relative path under `/`.
    Pattern(String),
    /// A directory mounted at `destination`.
    Placement { source: String, destination: String },
}

#[derive(Deserialize)]
struct RawManifest {
    spin_manifest_version: toml::Value,
    #[serde(default)]
    application: Application,
    #[serde(default, deserialize_with = "spin_id::variable_keys")]
    variables: BTreeMap<String, VariableDecl>,
    #[serde(default)]
    trigger: Triggers,
    #[serde(default, deserialize_with = "spin_id::component_keys")]
    component: BTreeMap<String, ComponentDecl>,
}

impl Manifest {
    /// Reads and validates the manifest at `path`.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read manifest {}", path.display()))?;
        let dir = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let dir = if dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            dir
        };
        // As Spin does, the application directory is absolute, so `files`
        // and sources resolve the same whether the manifest was named as
        // `spin.toml` or by a full path.
        let dir = dir
            .canonicalize()
            .with_context(|| format!("cannot resolve the directory of {}", path.display()))?;
        Self::parse(&text, dir).with_context(|| format!("invalid manifest {}", path.display()))
    }

    /// Parses manifest text; `dir` is the directory relative paths resolve against.
    pub fn parse(text: &str, dir: PathBuf) -> Result<Self> {
        let raw: RawManifest = toml::from_str(text)?;
        match &raw.spin_manifest_version {
            toml::Value::Integer(2) => {}
            toml::Value::String(s) if s == "2" => {}
            other => bail!(
                "spin_manifest_version must be 2 (got {other}); only manifest v2 is supported"
            ),
        }
        if let Some(base) = raw
            .application
            .trigger
            .as_ref()
            .and_then(|t| t.http.as_ref())
            .and_then(|h| h.base.as_deref())
            && !base.trim_end_matches('/').is_empty()
        {
            bail!("application.trigger.http.base = {base:?} is not supported (only \"/\")");
        }
        let manifest = Manifest {
            dir,
            application: raw.application,
            variables: raw.variables,
            triggers: raw.trigger,
            components: raw.component,
        };
        manifest.validate()?;
        crate::trigger::cron::check_expressions(&manifest.triggers.cron, text)?;
        Ok(manifest)
    }

    fn validate(&self) -> Result<()> {
        for (name, decl) in &self.variables {
            if decl.required && decl.default.is_some() {
                bail!("variable {name:?} is required and has a default; choose one");
            }
        }
        for (id, component) in &self.components {
            if let ComponentSource::Remote(_) = component.source {
                bail!("component {id:?}: only a local file `source` is supported");
            }
            for (name, value) in &component.variables {
                let template = Template::parse(value).with_context(|| {
                    format!("component {id:?}: variable {name:?} has an invalid template")
                })?;
                for reference in template.references() {
                    if !self.variables.contains_key(reference) {
                        bail!(
                            "component {id:?}: variable {name:?} refers to undefined application variable {reference:?}"
                        );
                    }
                }
            }
        }
        for trigger in &self.triggers.http {
            if !self.components.contains_key(&trigger.component) {
                bail!(
                    "HTTP trigger for route {} refers to undefined component {:?}",
                    trigger.route,
                    trigger.component
                );
            }
        }
        for trigger in &self.triggers.cron {
            if !self.components.contains_key(&trigger.component) {
                bail!(
                    "cron trigger {:?} refers to undefined component {:?}",
                    trigger.cron_expression,
                    trigger.component
                );
            }
        }
        Ok(())
    }

    /// Absolute (or manifest-relative) path of a component's Wasm file.
    pub fn component_source_path(&self, id: &str) -> Option<PathBuf> {
        match &self.components.get(id)?.source {
            ComponentSource::Local(path) => Some(self.dir.join(path)),
            ComponentSource::Remote(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"
spin_manifest_version = 2

[application]
name = "sample"
version = "0.1.0"

[variables]
greeting = { default = "hi" }
token = { required = true, secret = true }

[[trigger.http]]
route = "/api/..."
component = "api"

[[trigger.http]]
route = { private = true }
component = "api"

[[trigger.cron]]
component = "api"
cron_expression = "0 */5 * * * *"

[component.api]
source = "target/api.wasm"
sqlite_databases = ["default"]
files = ["static/**", { source = "assets", destination = "/assets" }]
allowed_outbound_hosts = ["https://example.com"]

[component.api.variables]
hello = "{{ greeting }}, {{token}}"

[component.api.build]
command = "cargo build"
"#;

    #[test]
    fn parses_sample() {
        let m = Manifest::parse(SAMPLE, PathBuf::from("/app")).unwrap();
        assert_eq!(m.application.name, "sample");
        assert_eq!(m.triggers.http.len(), 2);
        assert_eq!(m.triggers.cron.len(), 1);
        assert_eq!(m.triggers.cron[0].cron_expression, "0 */5 * * * *");
        let api = &m.components["api"];
        assert_eq!(api.files.len(), 2);
        assert!(
            matches!(&api.files[1], FileMount::Placement { destination, .. } if destination == "/assets")
        );
        assert_eq!(
            m.component_source_path("api").unwrap(),
            PathBuf::from("/app/target/api.wasm")
        );
        assert!(m.variables["token"].secret);
    }

    #[test]
    fn rejects_undefined_component_and_variable() {
        let bad = SAMPLE.replace(
            "component = \"api\"\n\n[[trigger.http]]",
            "component = \"nope\"\n\n[[trigger.http]]",
        );
        let err = Manifest::parse(&bad, PathBuf::from("/app")).unwrap_err();
        assert!(
            format!("{err:#}").contains("undefined component \"nope\""),
            "{err:#}"
        );

        let bad = SAMPLE.replace("{{ greeting }}", "{{ missing }}");
        let err = Manifest::parse(&bad, PathBuf::from("/app")).unwrap_err();
        assert!(
            format!("{err:#}").contains("undefined application variable \"missing\""),
            "{err:#}"
        );
    }

    #[test]
    fn rejects_manifest_v1() {
        let err = Manifest::parse("spin_manifest_version = 1\n", PathBuf::from(".")).unwrap_err();
        assert!(format!("{err:#}").contains("must be 2"));
    }

    #[test]
    fn rejects_names_spin_rejects_with_spins_messages() {
        let cases = [
            (
                SAMPLE.replace("greeting = {", "greeting_per_5_minutes = {").replace("{{ greeting }}", "{{ token }}"),
                "'_'-separated words must start with an ASCII letter; got '5'",
            ),
            (SAMPLE.replace("hello = \"", "HELLO = \""), "Lower-case identifiers must be all lowercase"),
            (SAMPLE.replace("[component.api]", "[component.my_api]").replace("[component.api.", "[component.my_api."), "words must be separated with '-', not '_'"),
            (SAMPLE.replacen("component = \"api\"", "component = \"2api\"", 1), "'-'-separated words must start with an ASCII letter; got '2'"),
            (SAMPLE.replace("sqlite_databases = [\"default\"]", "sqlite_databases = [\"b@d\"]"), "expected kebab-case or snake_case"),
        ];
        for (text, message) in cases {
            let err = format!("{:#}", Manifest::parse(&text, PathBuf::from("/app")).unwrap_err());
            assert!(err.contains(message), "expected {message:?} in {err}");
            assert!(err.contains("line "), "the error names the line: {err}");
        }
    }

    #[test]
    fn the_apps_manifest_passes_spins_name_rules() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spin.toml");
        Manifest::load(&path).unwrap();
    }
}
