//! Triggers: how events reach components.
//!
//! Each trigger type lives in its own module with its manifest declaration
//! (`[[trigger.<type>]]`) and its runtime: `http` and `cron`.

pub mod cron;
pub mod http;
