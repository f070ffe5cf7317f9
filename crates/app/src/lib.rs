//! The compliance service: submission, manual review, re-screening, seeding and the health
//! endpoint, wiring `compliance-rules` to `compliance-persistence`. Will hold them (issue #5).
