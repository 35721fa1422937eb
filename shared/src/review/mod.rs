//! Flow 8: back-office review (后台审核).
//!
//! - [`queue`]: one queue for every kind of review (appeals now;
//!   verification uploads, first-entry onboarding and legacy-data requests
//!   later): submit, list, claim, decide once; due one working day after
//!   submission ([`crate::workday`]).
//! - [`reviewer`]: reviewer accounts (never self-registered; the first from
//!   secret settings), login with throttling, reviewer sessions.
//! - [`session`]: opaque-token sessions generic over their table and cookie.

pub mod queue;
pub mod reviewer;

pub use queue::{Decision, Filter, ReviewItem, ReviewKind, ReviewState, claim, decide, get, list, release, submit};
pub use reviewer::{Reviewer, ReviewerSession, bootstrap, current, login, logout};

use crate::audit::Actor;

/// The audit actor for a reviewer's own action.
pub(crate) fn reviewer_actor(reviewer_id: i64) -> Actor {
    Actor::Reviewer(reviewer_id)
}
