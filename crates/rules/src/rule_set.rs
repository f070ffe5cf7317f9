//! The rules of ONE jurisdiction that a case is decided with: those in force at a time
//! ([`RuleSet::in_force`]), or exactly the versions a past decision recorded
//! ([`RuleSet::pinned`], for replay).
//!
//! Must not: hold two versions of one code, two `periodic_review` rules, mix jurisdictions, or
//! hold no rule that checks a case: any of these would make a decision or a review date
//! ambiguous, or approve a case with no rule looked at.

use crate::kind::ladder;
use crate::{ReviewIntervals, Rule, RuleKind, ScreeningBands};
use chrono::{DateTime, Months, Utc};
use compliance_domain::{Jurisdiction, RiskLevel, RuleCode, RuleRef, RuleVersion, WatchlistKind};

/// Why a rule set could not be formed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleSetError {
    /// Two versions of one code are both in force at the time asked for.
    #[error(
        "{jurisdiction} rule {code} has two versions in force at {at}: {first} and {second}; a new version must end where the previous one does"
    )]
    Overlap {
        /// The jurisdiction.
        jurisdiction: Jurisdiction,
        /// The rule code.
        code: RuleCode,
        /// The lower version.
        first: RuleVersion,
        /// The higher version.
        second: RuleVersion,
        /// The time asked for.
        at: DateTime<Utc>,
    },
    /// The same version of a rule appears twice with different contents.
    #[error(
        "{jurisdiction} rule {rule} appears twice with different contents; a published version never changes"
    )]
    Conflicting {
        /// The jurisdiction.
        jurisdiction: Jurisdiction,
        /// The rule version.
        rule: RuleRef,
    },
    /// Rule versions recorded by a decision are not among the rules given.
    #[error("{jurisdiction} rule set cannot be rebuilt: {} not found among the rules given", list(.missing))]
    Missing {
        /// The jurisdiction.
        jurisdiction: Jurisdiction,
        /// Every recorded version that was not found.
        missing: Vec<RuleRef>,
    },
    /// Two versions of one code were asked for together.
    #[error(
        "rule {code} is pinned twice, as {first} and {second}; a rule set holds one version of each rule"
    )]
    PinnedTwice {
        /// The rule code.
        code: RuleCode,
        /// The lower version.
        first: RuleVersion,
        /// The higher version.
        second: RuleVersion,
    },
    /// Two rules of kind `periodic_review` (two codes): the review date would depend on which
    /// one is read.
    #[error(
        "{jurisdiction} rules {first} and {second} are both of kind periodic_review and each {when}: a jurisdiction has one review policy at a time; end one where the other begins"
    )]
    TwoReviewPolicies {
        /// The jurisdiction.
        jurisdiction: Jurisdiction,
        /// The first code, in code order.
        first: RuleCode,
        /// The second code.
        second: RuleCode,
        /// `is in force at <time>` or `was pinned`.
        when: String,
    },
    /// No rule that checks a case (none at all, or only a `periodic_review` policy): deciding
    /// with it would approve every case unexamined.
    #[error(
        "no {jurisdiction} rule that checks a case {when}: refusing to decide with an empty rule set"
    )]
    Empty {
        /// The jurisdiction.
        jurisdiction: Jurisdiction,
        /// `is in force at <time>` or `was pinned`.
        when: String,
    },
}

fn list(refs: &[RuleRef]) -> String {
    let names: Vec<String> = refs.iter().map(ToString::to_string).collect();
    names.join(", ")
}

/// The rules of one jurisdiction, one version per code, in code order; at most one of them of
/// kind `periodic_review`, and at least one that checks a case.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use compliance_domain::Jurisdiction;
/// use compliance_rules::{RuleSet, default_rules};
/// let rules = default_rules();
/// let at = Utc.with_ymd_and_hms(2026, 3, 3, 9, 0, 0).unwrap();
/// let us = RuleSet::in_force(&rules, Jurisdiction::Us, at)?;
/// assert_eq!(us.jurisdiction(), Jurisdiction::Us);
/// // What a decision records, and how it is replayed later:
/// let recorded = us.refs();
/// let replay = RuleSet::pinned(&rules, Jurisdiction::Us, &recorded)?;
/// assert_eq!(replay, us);
/// # Ok::<(), compliance_rules::RuleSetError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSet {
    jurisdiction: Jurisdiction,
    rules: Vec<Rule>,
}

impl RuleSet {
    /// The rules of `jurisdiction` in force at `at`, taken from a pool that may hold every
    /// jurisdiction and every version.
    pub fn in_force(
        rules: &[Rule],
        jurisdiction: Jurisdiction,
        at: DateTime<Utc>,
    ) -> Result<Self, RuleSetError> {
        let chosen = rules
            .iter()
            .filter(|r| r.jurisdiction() == jurisdiction && r.is_in_force(at));
        Self::build(jurisdiction, chosen, || format!("is in force at {at}")).map_err(|e| match e {
            RuleSetError::PinnedTwice {
                code,
                first,
                second,
            } => RuleSetError::Overlap {
                jurisdiction,
                code,
                first,
                second,
                at,
            },
            other => other,
        })
    }

    /// Exactly the versions `refs` of `jurisdiction` (the ones a decision recorded), whatever
    /// their effective periods, so that a decision can be replayed after newer versions are
    /// published. Every missing version is named.
    pub fn pinned(
        rules: &[Rule],
        jurisdiction: Jurisdiction,
        refs: &[RuleRef],
    ) -> Result<Self, RuleSetError> {
        let missing: Vec<RuleRef> = refs
            .iter()
            .filter(|wanted| {
                !rules
                    .iter()
                    .any(|r| r.jurisdiction() == jurisdiction && r.rule_ref() == *wanted)
            })
            .cloned()
            .collect();
        if !missing.is_empty() {
            return Err(RuleSetError::Missing {
                jurisdiction,
                missing,
            });
        }
        let chosen = rules
            .iter()
            .filter(|r| r.jurisdiction() == jurisdiction && refs.contains(r.rule_ref()));
        Self::build(jurisdiction, chosen, || "was pinned".to_owned())
    }

    fn build<'a>(
        jurisdiction: Jurisdiction,
        chosen: impl Iterator<Item = &'a Rule>,
        when: impl FnOnce() -> String,
    ) -> Result<Self, RuleSetError> {
        let mut rules: Vec<Rule> = chosen.cloned().collect();
        rules.sort_by(|a, b| a.rule_ref().cmp(b.rule_ref()));
        // Identical copies of one version (a pool loaded twice, say) are one rule.
        rules.dedup();
        for pair in rules.windows(2) {
            let [a, b] = pair else { continue };
            if a.code() != b.code() {
                continue;
            }
            if a.version() == b.version() {
                return Err(RuleSetError::Conflicting {
                    jurisdiction,
                    rule: a.rule_ref().clone(),
                });
            }
            return Err(RuleSetError::PinnedTwice {
                code: a.code().clone(),
                first: a.version(),
                second: b.version(),
            });
        }
        let mut policies = rules
            .iter()
            .filter(|r| matches!(r.kind(), RuleKind::PeriodicReview(_)));
        if let (Some(first), Some(second)) = (policies.next(), policies.next()) {
            return Err(RuleSetError::TwoReviewPolicies {
                jurisdiction,
                first: first.code().clone(),
                second: second.code().clone(),
                when: when(),
            });
        }
        if rules
            .iter()
            .all(|r| matches!(r.kind(), RuleKind::PeriodicReview(_)))
        {
            return Err(RuleSetError::Empty {
                jurisdiction,
                when: when(),
            });
        }
        Ok(Self {
            jurisdiction,
            rules,
        })
    }

    /// The jurisdiction whose cases this set decides.
    pub fn jurisdiction(&self) -> Jurisdiction {
        self.jurisdiction
    }

    /// The rules, in code order (the order they are evaluated and their reasons listed in).
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The rule versions to record with a decision, in code order; [`RuleSet::pinned`] rebuilds
    /// this set from them.
    pub fn refs(&self) -> Vec<RuleRef> {
        self.rules.iter().map(|r| r.rule_ref().clone()).collect()
    }
}

/// The periodic review, from the set's `periodic_review` rule ([`ReviewIntervals`]).
impl RuleSet {
    /// The intervals of the set's `periodic_review` rule; a set holds at most one.
    fn review_intervals(&self) -> Option<ReviewIntervals> {
        self.rules().iter().find_map(|rule| match rule.kind() {
            RuleKind::PeriodicReview(intervals) => Some(*intervals),
            _ => None,
        })
    }

    /// The months from approval to the next periodic review of a case at `level`, from the set's
    /// `periodic_review` rule; `None` when the set has none.
    pub fn review_interval(&self, level: RiskLevel) -> Option<u32> {
        self.review_intervals().map(|i| i.months(level))
    }

    /// When a case at `level` approved at `approved_at` falls due for periodic review:
    /// `approved_at` plus [`RuleSet::review_interval`] calendar months, the day clamped to the end
    /// of a shorter month (Jan 31 + 1 month = Feb 28, or Feb 29 in a leap year), the time of day
    /// kept. This is PostgreSQL's `timestamptz + make_interval(months => n)` with the session in
    /// UTC. `None` when the set has no `periodic_review` rule, or when the date would fall beyond
    /// the range of `DateTime<Utc>` (some 260,000 years from now).
    ///
    /// The date grows strictly with the interval. It does not always grow with `approved_at`:
    /// approvals on Apr 28 at 07:42 and Apr 29 at 00:00 both clamp to Feb 28 after 58 months, and
    /// keep their times of day, so the later one falls due some hours earlier (never a day).
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use compliance_domain::{Jurisdiction, RiskLevel};
    /// use compliance_rules::{RuleSet, default_rules};
    /// let approved = Utc.with_ymd_and_hms(2026, 8, 31, 9, 30, 0).unwrap();
    /// let ae = RuleSet::in_force(&default_rules(), Jurisdiction::Ae, approved)?;
    /// assert_eq!(ae.review_interval(RiskLevel::Critical), Some(6));
    /// assert_eq!(
    ///     ae.next_review(RiskLevel::Critical, approved),
    ///     Some(Utc.with_ymd_and_hms(2027, 2, 28, 9, 30, 0).unwrap())
    /// );
    /// # Ok::<(), compliance_rules::RuleSetError>(())
    /// ```
    pub fn next_review(
        &self,
        level: RiskLevel,
        approved_at: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let months = self.review_interval(level)?;
        approved_at.checked_add_months(Months::new(months))
    }
}

/// The screening bands, from the set's `screening_match` rules ([`crate::ScreeningMatch`]).
impl RuleSet {
    /// The bands of the set's `screening_match` rules of `list_kind`; `None` when the set has
    /// none. [`ScreeningBands::review_at`] is the lowest `min_score` among them (the screener
    /// records no match below it), [`ScreeningBands::reject_at`] the lowest among those that
    /// reject. A `sanctions_match` or `pep_match` rule has no band (it acts on every recorded
    /// match of its kind, whatever the score), so it is not counted here.
    ///
    /// ```
    /// use compliance_domain::{Jurisdiction, MatchScore, WatchlistKind};
    /// use compliance_rules::{RuleSet, default_rules, screening_effective_from};
    /// let us = RuleSet::in_force(&default_rules(), Jurisdiction::Us, screening_effective_from())?;
    /// let bands = us.screening_bands(WatchlistKind::Sanctions).unwrap();
    /// assert_eq!(bands.review_at(), MatchScore::from_basis_points(8500).unwrap());
    /// assert_eq!(bands.reject_at(), MatchScore::from_basis_points(9500));
    /// assert_eq!(us.screening_bands(WatchlistKind::Pep), None);
    /// # Ok::<(), compliance_rules::RuleSetError>(())
    /// ```
    pub fn screening_bands(&self, list_kind: WatchlistKind) -> Option<ScreeningBands> {
        ladder(self.rules.iter().map(Rule::kind)).bands(list_kind)
    }
}
