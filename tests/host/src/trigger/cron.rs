//! `[[trigger.cron]]` declarations.
//!
//! The host parses and validates these (the referenced component must exist)
//! but does not run them yet; `Host::cron_triggers` exposes them.

use serde::Deserialize;

/// One `[[trigger.cron]]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CronTriggerDecl {
    #[serde(deserialize_with = "crate::spin_id::component_ref")]
    pub component: String,
    pub cron_expression: String,
}
