//! The audit log: every state change, append-only (the table refuses
//! updates and deletes). Never holds a password or a code.

use crate::clock::Clock;
use crate::ids::{AccountId, ReviewerId};
use crate::store::{Store, StoreError};
use serde_json::Value;

/// Who did it: an account, a reviewer, the system, or an anonymous client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    Account(AccountId),
    /// A back-office reviewer.
    Reviewer(ReviewerId),
    Client(String),
    System,
}

impl Actor {
    fn as_string(&self) -> String {
        match self {
            Actor::Account(id) => id.audit_subject(),
            Actor::Reviewer(id) => id.audit_subject(),
            Actor::Client(ip) => format!("client:{ip}"),
            Actor::System => "system".to_owned(),
        }
    }
}

pub async fn record<S: Store>(
    store: &S,
    clock: &dyn Clock,
    actor: &Actor,
    action: &str,
    subject: Option<&str>,
    detail: Value,
) -> Result<(), StoreError> {
    store
        .execute(
            "INSERT INTO audit_log (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
            &[
                clock.now().millis().into(),
                actor.as_string().into(),
                action.into(),
                subject.map(str::to_owned).into(),
                detail.to_string().into(),
            ],
        )
        .await
        .map(drop)
}
