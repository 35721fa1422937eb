//! The app through HTTP: the real components, the test host, SQLite.

mod auth;
mod concurrency;
mod entry;
mod console;
mod platform;
mod password_reset;
mod recovery;
mod registration;
mod registration_check;
mod reviewers;
mod schedule;
mod site;
mod grants;
mod verification;
