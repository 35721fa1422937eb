//! The app through HTTP: the real components, the test host, SQLite.

mod platform;
mod registration_check;
mod site;
