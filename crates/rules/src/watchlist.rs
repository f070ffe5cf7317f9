//! The rule kinds that act on watchlist matches: `sanctions_match` (reject) and `pep_match`
//! (escalate for enhanced due diligence). Neither takes parameters.
//!
//! Must not: name the listed person. Explanations name the list and the entry reference only.

use compliance_domain::{AmlScreening, WatchlistKind};
use std::fmt::Write;

/// `None` when the screening matched no entry of `kind`; otherwise the matches, as
/// `OFAC-SDN entry SDN-36512, UN-SC-CONSOLIDATED entry UN-7731`.
fn entries(aml: &AmlScreening, kind: WatchlistKind) -> Option<String> {
    let mut matches = aml.matches_of(kind).peekable();
    matches.peek()?;
    let mut out = String::new();
    for (i, m) in matches.enumerate() {
        let separator = if i == 0 { "" } else { ", " };
        // Writing to a String cannot fail.
        let _ = write!(out, "{separator}{} entry {}", m.list, m.entry);
    }
    Some(out)
}

/// Why a sanctions match rejects the case, or `None` without one.
pub(crate) fn sanctions(aml: &AmlScreening) -> Option<String> {
    entries(aml, WatchlistKind::Sanctions).map(|entries| {
        format!("The screening matched a sanctions list ({entries}), so onboarding is refused.")
    })
}

/// Why a PEP match escalates the case, or `None` without one.
pub(crate) fn pep(aml: &AmlScreening) -> Option<String> {
    entries(aml, WatchlistKind::Pep).map(|entries| {
        format!(
            "The screening matched a politically exposed person list ({entries}), so enhanced due diligence and a reviewer's decision are required."
        )
    })
}
