//! Turns a value this crate writes as a literal (a default rule, a seed scenario) into its
//! checked domain type.
//!
//! Must not: be used on outside data. Outside data is parsed into `Result`s and refused; a failure
//! here is a typo in this crate's own source, which the golden tests exercise on every run.

use std::fmt::Display;

/// The value, or a panic naming the literal. Every literal goes through here on every test run
/// (`default_rules()` and `scenarios()` are built in full by the golden tests), so a bad one
/// fails the suite, never a caller.
pub(crate) fn literal<T, E: Display>(what: &str, parsed: Result<T, E>) -> T {
    match parsed {
        Ok(value) => value,
        Err(e) => panic!("the literal {what} of compliance-rules is invalid: {e}"),
    }
}
