//! The domain crate of the foreign-work account and access platform.
//!
//! Everything a flow decides lives here and is testable natively with
//! `cargo test -p shared`. Components in `functions/` are thin adapters:
//! they turn a Spin request into a [`web::Request`], call the flow's
//! handler with a [`store::Store`], a [`clock::Clock`] and a
//! [`random::Random`], and render the [`web::Response`].
//!
//! Layout follows one module per flow (like Ory Kratos' one folder per
//! self-service flow): `registration/` holds the flow's rules, its store
//! queries and its HTTP handler in framework-neutral types.

pub mod account;
pub mod appeal;
pub mod audit;
pub mod auth;
pub mod clock;
pub mod components;
pub mod context;
pub mod credentials;
pub mod digest;
pub mod error;
pub mod guidance;
pub mod i18n;
pub mod identity;
pub mod ids;
pub mod password;
pub mod password_reset;
pub mod random;
pub mod rate_limit;
pub mod registration;
pub mod review;
pub mod session;
pub mod settings;
pub mod site;
pub mod sms;
pub mod store;
#[cfg(any(test, feature = "test-support"))]
pub mod test_support;
pub mod upload;
pub mod validate;
pub mod web;
pub mod workday;

#[cfg(feature = "spin")]
pub mod spin;

pub use error::{AppError, AppResult};
