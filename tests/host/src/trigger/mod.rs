//! Triggers: how events reach components.
//!
//! Each trigger type lives in its own module with its manifest declaration
//! (`[[trigger.<type>]]`) and its runtime. Only the HTTP trigger runs today; cron
//! declarations are parsed and kept so that a cron runtime can be added as a new
//! module next to `http` without changing the manifest or the component runtime.

pub mod cron;
pub mod http;
