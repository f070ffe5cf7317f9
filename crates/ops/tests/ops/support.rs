//! The shared fixtures (`compliance_ops::testing`), as this test binary's `support`.

pub use compliance_ops::testing::*;
