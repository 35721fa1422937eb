//! The benchmark side of issue 9: the seeder for the scale figures, the
//! query-plan check, the load driver, the scans of the memory figures and
//! the table `cargo bench-all` prints (the binary, `src/main.rs`).

pub mod documents;
pub mod load;
pub mod plans;
pub mod report;
pub mod seed;
