//! Flow 1: registration check and registration (FAQ 1, 2).
//!
//! - `check`: is a login name taken (or, starting with `WP`, reserved for
//!   migrated accounts)? The answer carries the FAQ's guidance.
//! - `organization`: is an organization name or USCC taken?
//! - `register`: registration of both account kinds after the SMS code.
//! - `codes`: SMS codes for registration, the development outbox view.
//! - `legacy`: the import of the old system's accounts.
//! - `guidance`: the flow's answers that lead somewhere.
//!
//! The flow's queries on accounts are the account module's
//! ([`crate::account`]); this module holds the flow's rules.

mod check;
mod codes;
pub mod guidance;
pub mod legacy;
mod organization;
mod register;
#[cfg(test)]
mod tests;

pub use check::{CHECK_LIMIT, LoginNameCheck, check_login_name};
pub use codes::{SMS_CODE_LIMIT, SendCodeForm, dev_outbox, send_code};
pub use organization::{OrganizationCheck, check_organization};
pub use register::{LegalEntityForm, NaturalPersonForm, Registrar};

pub use crate::account::AccountKind;
