//! `soak`, listed with the other scenarios: unlike them it starts and owns the servers it
//! runs against (it must kill them), so its machinery lives in `crate::soak` and this is
//! its entry point.

pub use crate::soak::report::SoakReport;
pub use crate::soak::{SoakConfig, run};
