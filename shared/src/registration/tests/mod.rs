//! Native tests of the registration flow's rules: registration of both
//! kinds (`register`) and the legacy import (`legacy`).

mod legacy;
mod register;

use crate::clock::{FixedClock, Timestamp};
use crate::identity::Uscc;

/// 2027-01-15 08:00 UTC: a fixed "now" for every test here.
pub(super) fn clock() -> FixedClock {
    FixedClock::at(Timestamp(1_800_000_000_000))
}

/// A valid USCC, a different one for each `n`.
pub(super) fn uscc(n: u32) -> String {
    Uscc::with_check(&format!("91350100{n:08}X")).unwrap().as_str().to_owned()
}
