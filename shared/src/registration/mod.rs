//! Flow 1: registration check and registration (FAQ 1, 2).
//!
//! - `check`: is a login name taken? The answer carries the FAQ's guidance.
//! - `persistence`: the flow's queries.

mod check;
pub mod guidance;
pub mod legacy;
mod organization;
pub mod persistence;
mod register;

pub use check::{CHECK_LIMIT_SETTING, LoginNameCheck, check_limit, check_login_name};
pub use organization::{OrganizationCheck, check_organization};
pub use persistence::{create_account_record, login_name_registered};
pub use register::{LegalEntityForm, NaturalPersonForm, Registrar};

pub use crate::account::AccountKind;
