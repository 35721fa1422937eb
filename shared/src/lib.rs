//! The domain crate of the foreign-work account and access platform (what
//! it builds: `docs/design.md`; "Flow n" and "FAQ n" in comments are that
//! page's flows and FAQ sections).
//!
//! Everything a flow decides lives here and is testable natively with
//! `cargo test -p shared`. A component in `functions/` is a page of glue:
//! its `#[http_service]` hands the Spin request to `spin::serve` (feature
//! `spin`) with its [`components::Component`] and its [`web::Router`];
//! `serve` applies the rules every endpoint shares (body limit, routing,
//! the CSRF Origin rule, opening and migrating the store, the settings,
//! delivering committed SMS, rendering errors) and calls the component's
//! `dispatch` with a [`context::Context`] (store, clock, random source,
//! settings) and the parsed [`web::Request`]; `dispatch` parses the input,
//! calls the flow here and answers a [`web::Response`].
//!
//! Layout: one module per flow (like Ory Kratos' one folder per self-service
//! flow) holding the flow's rules: `registration`, `auth`, `password_reset`,
//! `appeal`, `review`, `verification`. What several flows share has its own module: one
//! owner per table (`account` holds every query on `accounts`), `sms`
//! (codes and the outbox), `upload`, `store` (the SQL store and its
//! [`store::Transaction`]), `identity` (identifiers that parse at the
//! edge), `settings` and `components` (every setting once, and which
//! component reads which).

pub mod account;
pub mod appeal;
pub mod audit;
pub mod auth;
pub mod clock;
pub mod components;
pub mod context;
pub mod credentials;
pub mod digest;
pub mod entry;
pub mod error;
pub mod grants;
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
pub mod schedule;
pub mod session;
pub mod settings;
pub mod site;
pub mod sms;
pub mod store;
#[cfg(any(test, feature = "test-support"))]
pub mod test_support;
pub mod upload;
pub mod validate;
pub mod verification;
pub mod web;
pub mod workday;

#[cfg(feature = "spin")]
pub mod spin;

pub use error::{AppError, AppResult};
