//! An AML screening: the risk score, the watchlist entries matched, and what was screened
//! against, so that the screening can be reproduced.
//!
//! Must not: keep a "sanctions match" or "PEP match" flag apart from the entries that justify it.
//! Both are derived from the matched entries, so a match always names its list entry.

use crate::{
    ListEntryRef, ListName, MatchScore, RiskLevel, RiskScore, ScreeningProvider, WatchlistVersion,
};

crate::text_enum! {
    /// What kind of list a match was found on.
    #[strum(serialize_all = "snake_case")]
    pub enum WatchlistKind as "watchlist kind" {
        /// A sanctions list (OFAC SDN, UN Security Council, UAE local terrorist list, EU).
        Sanctions,
        /// A list of politically exposed persons.
        Pep,
        /// Adverse media about financial crime.
        AdverseMedia,
    }
}

/// One list entry that the screened entity matched.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WatchlistMatch {
    /// The kind of list.
    pub kind: WatchlistKind,
    /// The list, e.g. `OFAC-SDN`.
    pub list: ListName,
    /// The entry on that list, e.g. `SDN-36512`.
    pub entry: ListEntryRef,
    /// How strongly the screened names matched the entry, when the screener scored it (this
    /// project's own screening does; an outside provider's asserted match has none and counts
    /// as certain). The rules' bands compare it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<MatchScore>,
}

impl WatchlistMatch {
    /// The match's score, an unscored (asserted) match counting as certain.
    pub fn certainty(&self) -> MatchScore {
        self.score.unwrap_or(MatchScore::ONE)
    }
}

/// A well-formed AML screening result.
///
/// ```
/// use compliance_domain::*;
/// let screening = AmlScreening {
///     risk_score: RiskScore::new(95)?,
///     matches: vec![WatchlistMatch {
///         kind: WatchlistKind::Sanctions,
///         list: ListName::parse("OFAC-SDN")?,
///         entry: ListEntryRef::parse("SDN-36512")?,
///         score: None,
///     }],
///     provider: ScreeningProvider::parse("refinitiv-world-check")?,
///     watchlist_version: WatchlistVersion::parse("ofac-2026-11-20")?,
/// };
/// assert!(screening.sanctions_match());
/// assert!(!screening.pep_match());
/// assert_eq!(screening.risk_level(), RiskLevel::Critical);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmlScreening {
    /// The provider's risk score.
    pub risk_score: RiskScore,
    /// Every list entry matched; empty when the screening is clear.
    pub matches: Vec<WatchlistMatch>,
    /// Who screened.
    pub provider: ScreeningProvider,
    /// The version of the lists screened against.
    pub watchlist_version: WatchlistVersion,
}

impl AmlScreening {
    /// The risk level derived from the score.
    pub fn risk_level(&self) -> RiskLevel {
        self.risk_score.level()
    }

    /// True when the screening matched this entry of this list.
    pub fn matched(&self, list: &ListName, entry: &ListEntryRef) -> bool {
        self.matches
            .iter()
            .any(|m| m.list == *list && m.entry == *entry)
    }

    /// True when any entry is on a sanctions list.
    pub fn sanctions_match(&self) -> bool {
        self.has_match(WatchlistKind::Sanctions)
    }

    /// True when any entry is on a PEP list.
    pub fn pep_match(&self) -> bool {
        self.has_match(WatchlistKind::Pep)
    }

    /// True when any entry is of this kind.
    pub fn has_match(&self, kind: WatchlistKind) -> bool {
        self.matches.iter().any(|m| m.kind == kind)
    }

    /// The entries of one kind.
    pub fn matches_of(&self, kind: WatchlistKind) -> impl Iterator<Item = &WatchlistMatch> {
        self.matches.iter().filter(move |m| m.kind == kind)
    }
}
