//! Flow 1: registration check and registration (FAQ 1, 2).
//!
//! - `check`: is a login name taken? The answer carries the FAQ's guidance.
//! - `persistence`: the flow's queries.

mod check;
mod persistence;

pub use check::{CHECK_LIMIT_SETTING, LoginNameCheck, check_limit, check_login_name};
pub use persistence::{create_account_record, login_name_registered};

/// Account kinds (DESIGN.md: legal-entity and natural-person accounts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountKind {
    LegalEntity,
    NaturalPerson,
}

impl AccountKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::LegalEntity => "legal_entity",
            AccountKind::NaturalPerson => "natural_person",
        }
    }
}
