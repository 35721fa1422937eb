//! The answers the host gives itself, exactly as Spin's HTTP trigger gives
//! them (`crates/trigger-http/src/server.rs`): empty bodies, no content type,
//! no headers of their own.
//!
//! - no route matches the path, or an unknown `/.well-known/spin/...` path:
//!   `404` (Spin's `not_found`);
//! - the component failed (trap, an `error-code` instead of a response,
//!   instantiation failure, a request Spin would refuse to pass on): `500`
//!   (Spin's `internal_error(None)`); the cause goes to stderr.

use bytes::Bytes;
use http::StatusCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostError {
    NotFound,
    ComponentFailed,
}

impl HostError {
    pub fn status(&self) -> StatusCode {
        match self {
            HostError::NotFound => StatusCode::NOT_FOUND,
            HostError::ComponentFailed => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn response(&self) -> http::Response<Bytes> {
        let mut response = http::Response::new(Bytes::new());
        *response.status_mut() = self.status();
        response
    }
}
