//! The benchmark side of issue 9: the seeder for the scale figures and the
//! query-plan check.

pub mod plans;
pub mod seed;
