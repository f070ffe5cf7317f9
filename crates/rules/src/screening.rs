//! The `screening_match` rule kind: a band of match scores on one kind of list, with its
//! outcome, so that a scored screening (this project's own matcher) rejects only a strong match
//! and sends a weaker one to a reviewer; and [`ScreeningBands`], the bands a rule set puts in
//! force, for the screener to know which matches to record and how to label them. The rules of
//! a set reach this module as a [`Ladder`] (the lowest score of each band), so that it needs
//! neither the rule nor the rule set.
//!
//! Must not: do float arithmetic on a score (a [`MatchScore`] is basis points, read from its
//! JSON number by its own serde), name the listed person (explanations name lists, entry
//! references and scores only), or allocate when the rule does not fire.

use crate::error::{FieldError, Problem, echo};
use crate::params::{Object, wrong};
use compliance_domain::{
    AmlScreening, CheckStatus, MatchScore, TextForm, WatchlistKind, WatchlistMatch,
};
use serde_json::{Map, Value};
use std::fmt::Write;

/// Gives `outcome` when the screening matched an entry of a `list_kind` list with a score of at
/// least `min_score` (an unscored, asserted match counts as certain,
/// [`WatchlistMatch::certainty`]) and no stricter `screening_match` rule of the same list kind in
/// the set reaches that match: the rules of one list kind cut the scores into bands, and each
/// match is judged by the band it falls in (so a certain match is refused by the rejection band
/// and not also sent to review by the review band below it).
///
/// Stored as `{"kind": "screening_match", "list_kind": "sanctions", "min_score": 0.95,
/// "outcome": "REJECTED"}`: `list_kind` `sanctions`, `pep` or `adverse_media`; `min_score` a JSON
/// number above 0 and at most 1 with at most four decimals; `outcome` `PENDING`, `ESCALATED` or
/// `REJECTED`.
///
/// ```
/// use compliance_domain::{CheckStatus, MatchScore, WatchlistKind};
/// use compliance_rules::{RuleKind, ScreeningMatch};
/// let kind = RuleKind::from_parameters(&serde_json::json!(
///     {"kind": "screening_match", "list_kind": "sanctions", "min_score": 0.95, "outcome": "REJECTED"}))?;
/// let RuleKind::ScreeningMatch(band) = &kind else { unreachable!() };
/// assert_eq!(band.min_score(), MatchScore::from_basis_points(9500).unwrap());
/// assert_eq!((band.list_kind(), kind.outcome()), (WatchlistKind::Sanctions, CheckStatus::Rejected));
/// assert_eq!(kind.to_parameters()["min_score"], serde_json::json!(0.95));
/// # Ok::<(), compliance_rules::FieldError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ScreeningMatch {
    list_kind: WatchlistKind,
    min_score: MatchScore,
    outcome: CheckStatus,
}

impl ScreeningMatch {
    pub(crate) const KIND: &'static str = "screening_match";
    pub(crate) const KEYS: [&'static str; 4] = ["kind", "list_kind", "min_score", "outcome"];
    const OUTCOMES: [CheckStatus; 3] = [
        CheckStatus::Pending,
        CheckStatus::Escalated,
        CheckStatus::Rejected,
    ];
    const EXPECTED_OUTCOME: &'static str = "PENDING, ESCALATED or REJECTED";
    const EXPECTED_SCORE: &'static str =
        "a JSON number above 0 and at most 1 with at most four decimals, e.g. 0.95";

    /// A band from `min_score` (above 0: a band from 0 would act on every recorded match, which
    /// is what `sanctions_match` and `pep_match` do) on lists of `list_kind`, with its outcome
    /// (PENDING, ESCALATED or REJECTED).
    pub fn new(
        list_kind: WatchlistKind,
        min_score: MatchScore,
        outcome: CheckStatus,
    ) -> Result<Self, FieldError> {
        if min_score == MatchScore::ZERO {
            return Err(FieldError::new(
                "min_score",
                Problem::OutOfRange {
                    expected: Self::EXPECTED_SCORE,
                    got: "0".into(),
                },
            ));
        }
        if !Self::OUTCOMES.contains(&outcome) {
            return Err(FieldError::new(
                "outcome",
                Problem::OutOfRange {
                    expected: Self::EXPECTED_OUTCOME,
                    got: outcome.to_string(),
                },
            ));
        }
        Ok(Self {
            list_kind,
            min_score,
            outcome,
        })
    }

    /// The kind of list whose matches the rule judges.
    pub fn list_kind(self) -> WatchlistKind {
        self.list_kind
    }

    /// The lowest score the rule acts on.
    pub fn min_score(self) -> MatchScore {
        self.min_score
    }

    /// PENDING, ESCALATED or REJECTED.
    pub fn outcome(self) -> CheckStatus {
        self.outcome
    }

    pub(crate) fn read(parameters: &Object<'_>) -> Result<Self, FieldError> {
        let path = parameters.path_of("list_kind");
        let list_kind = parameters.str("list_kind")?;
        let list_kind = WatchlistKind::parse_text(list_kind)
            .map_err(|e| FieldError::new(&path, Problem::invalid(e)))?;
        let path = parameters.path_of("min_score");
        let value = parameters.field("min_score")?;
        let Value::Number(number) = value else {
            return Err(wrong(&path, Self::EXPECTED_SCORE, value));
        };
        // Through the score's own serde: the number's decimal text, never a float computation.
        let min_score = serde_json::from_value::<MatchScore>(Value::Number(number.clone()))
            .map_err(|_| {
                FieldError::new(
                    &path,
                    Problem::OutOfRange {
                        expected: Self::EXPECTED_SCORE,
                        got: echo(&number.to_string()),
                    },
                )
            })?;
        let outcome = parameters.status("outcome", &Self::OUTCOMES, Self::EXPECTED_OUTCOME)?;
        Self::new(list_kind, min_score, outcome).map_err(|e| e.under("parameters"))
    }

    pub(crate) fn write(self, parameters: &mut Map<String, Value>) {
        parameters.insert("list_kind".into(), self.list_kind.as_str().into());
        // A score always serializes (its decimal text is a JSON number); null is unreachable.
        let score = serde_json::to_value(self.min_score).unwrap_or(Value::Null);
        parameters.insert("min_score".into(), score);
        parameters.insert("outcome".into(), self.outcome.as_str().into());
    }

    /// True when the match falls in this rule's band: of its list kind, at or above its
    /// `min_score`, below the top of its band.
    fn judges(self, m: &WatchlistMatch, ceiling: Option<MatchScore>) -> bool {
        let certainty = m.certainty();
        m.kind == self.list_kind
            && certainty >= self.min_score
            && ceiling.is_none_or(|top| certainty < top)
    }

    /// Why the rule fires on this screening, judged on the `ladder` of the set it belongs to
    /// (for the top of its band), or `None`. Allocates only when it fires.
    pub(crate) fn assess(self, aml: &AmlScreening, ladder: &Ladder) -> Option<String> {
        let ceiling = ladder.ceiling(self);
        if !aml.matches.iter().any(|m| self.judges(m, ceiling)) {
            return None;
        }
        let mut out = String::with_capacity(200);
        let list = match self.list_kind {
            WatchlistKind::Sanctions => "a sanctions list",
            WatchlistKind::Pep => "a politically exposed person list",
            WatchlistKind::AdverseMedia => "an adverse media list",
        };
        let _ = write!(out, "The screening matched {list} (");
        for (i, m) in aml
            .matches
            .iter()
            .filter(|m| self.judges(m, ceiling))
            .enumerate()
        {
            out.push_str(if i == 0 { "" } else { ", " });
            let _ = write!(out, "{} entry {}", m.list, m.entry);
            match m.score {
                Some(score) => {
                    let _ = write!(out, " at {score}");
                }
                None => out.push_str(" asserted by the provider"),
            }
        }
        let _ = match ceiling {
            Some(top) => write!(out, ") at or above {} and below {top}", self.min_score),
            None => write!(out, ") at or above {}", self.min_score),
        };
        out.push_str(match self.outcome {
            CheckStatus::Rejected => ", so onboarding is refused.",
            CheckStatus::Escalated => ", so a reviewer must decide whether it is the same person.",
            _ => ", so the case stays pending until a reviewer has looked at the match.",
        });
        Some(out)
    }
}

/// The lowest `min_score` of a set's `screening_match` rules, by list kind and outcome: what
/// the bands of one rule set are, without allocating.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Ladder {
    /// By list kind (sanctions, PEP, adverse media), then by outcome (PENDING, ESCALATED,
    /// REJECTED).
    lowest: [[Option<MatchScore>; 3]; 3],
}

/// A list kind's row of a [`Ladder`].
fn row(list_kind: WatchlistKind) -> usize {
    match list_kind {
        WatchlistKind::Sanctions => 0,
        WatchlistKind::Pep => 1,
        WatchlistKind::AdverseMedia => 2,
    }
}

/// An outcome's column of a [`Ladder`] (a band's outcome is never APPROVED).
fn column(outcome: CheckStatus) -> usize {
    match outcome {
        CheckStatus::Rejected => 2,
        CheckStatus::Escalated => 1,
        _ => 0,
    }
}

impl Ladder {
    /// Adds one rule's band.
    pub(crate) fn add(&mut self, band: ScreeningMatch) {
        let slot = &mut self.lowest[row(band.list_kind)][column(band.outcome)];
        *slot = Some(slot.map_or(band.min_score, |s| s.min(band.min_score)));
    }

    /// The top of `band`'s band: the lowest `min_score` of the set's bands of its list kind with
    /// a stricter outcome. `None` when there is none.
    fn ceiling(&self, band: ScreeningMatch) -> Option<MatchScore> {
        self.lowest[row(band.list_kind)][column(band.outcome) + 1..]
            .iter()
            .flatten()
            .min()
            .copied()
    }

    /// The bands of `list_kind`, or `None` when the set has no band of that kind.
    pub(crate) fn bands(&self, list_kind: WatchlistKind) -> Option<ScreeningBands> {
        let lowest = &self.lowest[row(list_kind)];
        let review_at = lowest.iter().flatten().min().copied()?;
        Some(ScreeningBands {
            review_at,
            reject_at: lowest[column(CheckStatus::Rejected)],
        })
    }
}

/// The score bands a rule set puts in force for one kind of list, from its `screening_match`
/// rules ([`crate::RuleSet::screening_bands`]): the score from which a match is acted on at all (the
/// screener records no match below it), and the score from which a match is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ScreeningBands {
    review_at: MatchScore,
    reject_at: Option<MatchScore>,
}

impl ScreeningBands {
    /// The lowest `min_score` of the set's `screening_match` rules of the list kind: below it, no
    /// rule acts on a match, so the screener need not record one.
    pub fn review_at(self) -> MatchScore {
        self.review_at
    }

    /// The lowest `min_score` of those rules whose outcome is REJECTED: from it on, a match is
    /// refused. `None` when no band of the list kind rejects.
    pub fn reject_at(self) -> Option<MatchScore> {
        self.reject_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use compliance_domain::{
        ListEntryRef, ListName, RiskScore, ScreeningProvider, WatchlistVersion,
    };

    fn score(points: u16) -> MatchScore {
        MatchScore::from_basis_points(points).unwrap()
    }

    fn screening(matches: &[(WatchlistKind, Option<u16>)]) -> AmlScreening {
        AmlScreening {
            risk_score: RiskScore::new(10).unwrap(),
            matches: matches
                .iter()
                .enumerate()
                .map(|(i, (kind, points))| WatchlistMatch {
                    kind: *kind,
                    list: ListName::parse("OFAC-SDN").unwrap(),
                    entry: ListEntryRef::parse(&format!("SDN-{i}")).unwrap(),
                    score: points.map(score),
                })
                .collect(),
            provider: ScreeningProvider::parse("compliance-db").unwrap(),
            watchlist_version: WatchlistVersion::parse("ofac-2026-12-01").unwrap(),
        }
    }

    #[test]
    fn a_band_needs_a_score_above_zero_and_a_check_outcome() {
        let s = WatchlistKind::Sanctions;
        assert!(ScreeningMatch::new(s, MatchScore::ZERO, CheckStatus::Rejected).is_err());
        assert!(ScreeningMatch::new(s, score(1), CheckStatus::Approved).is_err());
        assert!(ScreeningMatch::new(s, MatchScore::ONE, CheckStatus::Pending).is_ok());
    }

    #[test]
    fn alone_a_band_judges_every_match_at_or_above_it() {
        let rule = ScreeningMatch::new(
            WatchlistKind::Sanctions,
            score(8500),
            CheckStatus::Escalated,
        )
        .unwrap();
        let fires =
            |m: &[(WatchlistKind, Option<u16>)]| rule.assess(&screening(m), &Ladder::default());
        assert!(fires(&[(WatchlistKind::Sanctions, Some(8499))]).is_none());
        assert!(fires(&[(WatchlistKind::Pep, None)]).is_none());
        let why = fires(&[
            (WatchlistKind::Sanctions, Some(8500)),
            (WatchlistKind::Sanctions, Some(1000)),
            (WatchlistKind::Sanctions, None),
        ])
        .unwrap();
        assert_eq!(
            why,
            "The screening matched a sanctions list (OFAC-SDN entry SDN-0 at 0.85, OFAC-SDN entry \
             SDN-2 asserted by the provider) at or above 0.85, so a reviewer must decide whether \
             it is the same person."
        );
    }

    #[test]
    fn a_ladder_tops_each_band_with_the_next_stricter_one() {
        let s = WatchlistKind::Sanctions;
        let band = |p, o| ScreeningMatch::new(s, score(p), o).unwrap();
        let mut ladder = Ladder::default();
        assert_eq!(ladder.bands(s), None);
        let (review, reject) = (
            band(8500, CheckStatus::Escalated),
            band(9500, CheckStatus::Rejected),
        );
        ladder.add(reject);
        ladder.add(review);
        ladder.add(band(9000, CheckStatus::Escalated));
        assert_eq!(ladder.ceiling(review), Some(score(9500)));
        assert_eq!(ladder.ceiling(reject), None);
        let bands = ladder.bands(s).unwrap();
        assert_eq!(
            (bands.review_at(), bands.reject_at()),
            (score(8500), Some(score(9500)))
        );
        assert_eq!(ladder.bands(WatchlistKind::Pep), None);
    }
}
