//! The `periodic_review` rule kind: how many months after approval a case falls due for review,
//! by risk level ([`ReviewIntervals`]). The rule set answers with it
//! ([`crate::RuleSet::review_interval`], [`crate::RuleSet::next_review`], in `rule_set.rs`).
//!
//! Must not: fire in an evaluation (it is a policy, not a check), accept an interval that reviews
//! a riskier case later than a less risky one, or do date arithmetic other than PostgreSQL's
//! `timestamptz + make_interval(months => n)` in UTC (calendar months, the day clamped to the end
//! of a shorter month), so that the `reviews_due` view and this code agree.

use crate::error::{FieldError, Problem};
use crate::params::Object;
use compliance_domain::{RiskLevel, TextForm};
use serde_json::{Map, Value};

/// Every risk level, least risky first (the order the intervals must not increase in).
const LEVELS: [RiskLevel; 4] = [
    RiskLevel::Low,
    RiskLevel::Medium,
    RiskLevel::High,
    RiskLevel::Critical,
];

/// The position of a level in [`LEVELS`]. The match is exhaustive, so a new level in the domain
/// does not compile here until it has an interval (and a place in `LEVELS`, which a test checks).
fn index(level: RiskLevel) -> usize {
    match level {
        RiskLevel::Low => 0,
        RiskLevel::Medium => 1,
        RiskLevel::High => 2,
        RiskLevel::Critical => 3,
    }
}

/// The months between an approval and the case's next periodic review, one interval per risk
/// level.
///
/// Stored as `{"kind": "periodic_review", "months": {"LOW": 36, "MEDIUM": 24, "HIGH": 12,
/// "CRITICAL": 6}}`: every level present (its text form as the key), each 1 to 120 months, and
/// never more for a riskier level than for a less risky one.
///
/// ```
/// use compliance_domain::RiskLevel;
/// use compliance_rules::ReviewIntervals;
/// let intervals = ReviewIntervals::new(36, 24, 12, 6)?;
/// assert_eq!(intervals.months(RiskLevel::High), 12);
/// let err = ReviewIntervals::new(12, 24, 12, 6).unwrap_err();
/// assert_eq!(err.field, "months.MEDIUM");
/// # Ok::<(), compliance_rules::FieldError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReviewIntervals {
    months: [u32; 4],
}

impl ReviewIntervals {
    pub(crate) const KIND: &'static str = "periodic_review";
    /// The longest interval accepted, in months (ten years).
    pub const MAX_MONTHS: u32 = 120;
    const EXPECTED: &'static str = "an integer number of months from 1 to 120";
    const EXPECTED_ORDER: &'static str = "at most the interval of the less risky level before it (a riskier case is never reviewed later)";

    /// The intervals in months for LOW, MEDIUM, HIGH and CRITICAL: each 1 to 120, and none
    /// larger than the one before it. A refusal names the level, e.g. `months.HIGH`.
    pub fn new(low: u32, medium: u32, high: u32, critical: u32) -> Result<Self, FieldError> {
        let months = [low, medium, high, critical];
        for (level, &n) in LEVELS.iter().zip(&months) {
            if !(1..=Self::MAX_MONTHS).contains(&n) {
                return Err(FieldError::new(
                    field(*level),
                    Problem::OutOfRange {
                        expected: Self::EXPECTED,
                        got: n.to_string(),
                    },
                ));
            }
        }
        for (i, pair) in months.windows(2).enumerate() {
            let [safer, riskier] = pair else { continue };
            if riskier > safer {
                let (before, level) = (LEVELS[i], LEVELS[i + 1]);
                return Err(FieldError::new(
                    field(level),
                    Problem::OutOfRange {
                        expected: Self::EXPECTED_ORDER,
                        got: format!("{riskier}, more than {before}'s {safer}"),
                    },
                ));
            }
        }
        Ok(Self { months })
    }

    /// The months from approval to the next review of a case at `level`.
    pub fn months(self, level: RiskLevel) -> u32 {
        self.months[index(level)]
    }

    /// Reads the parameters (without `kind`).
    pub(crate) fn read(parameters: &Object<'_>) -> Result<Self, FieldError> {
        let path = parameters.path_of("months");
        let names = LEVELS.map(TextForm::as_str);
        let per_level = Object::read(parameters.field("months")?, path, &names, Self::KIND)?;
        let mut months = [0u32; 4];
        for (slot, name) in months.iter_mut().zip(names) {
            let n = per_level.integer(name, 1..=i64::from(Self::MAX_MONTHS), Self::EXPECTED)?;
            *slot = u32::try_from(n)
                .map_err(|_| FieldError::new(per_level.path_of(name), Problem::invalid(n)))?;
        }
        let [low, medium, high, critical] = months;
        Self::new(low, medium, high, critical).map_err(|e| e.under("parameters"))
    }

    /// Writes the parameters (without `kind`).
    pub(crate) fn write(self, parameters: &mut Map<String, Value>) {
        let months: Map<String, Value> = LEVELS
            .iter()
            .map(|level| (level.as_str().to_owned(), self.months(*level).into()))
            .collect();
        parameters.insert("months".into(), Value::Object(months));
    }
}

/// The path of one level's interval, e.g. `months.HIGH`.
fn field(level: RiskLevel) -> String {
    format!("months.{level}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{EffectivePeriod, Rule, RuleKind, RuleSet, default_effective_from};
    use chrono::TimeZone;
    use chrono::Utc;
    use compliance_domain::{Jurisdiction, RuleCode, RuleRef, RuleVersion};

    #[test]
    fn levels_match_the_domain_in_order_of_risk() {
        let names = "?".parse::<RiskLevel>().unwrap_err().expected;
        assert_eq!(LEVELS.map(TextForm::as_str), names);
        assert!(LEVELS.windows(2).all(|w| w[0] < w[1]));
        for level in LEVELS {
            assert_eq!(LEVELS[index(level)], level);
        }
    }

    #[test]
    fn intervals_are_bounded_and_never_longer_for_more_risk() {
        assert!(ReviewIntervals::new(120, 120, 120, 120).is_ok());
        assert!(ReviewIntervals::new(1, 1, 1, 1).is_ok());
        assert_eq!(
            ReviewIntervals::new(0, 1, 1, 1).unwrap_err().field,
            "months.LOW"
        );
        assert_eq!(
            ReviewIntervals::new(120, 121, 1, 1).unwrap_err().field,
            "months.MEDIUM"
        );
        let err = ReviewIntervals::new(36, 24, 12, 13).unwrap_err();
        assert_eq!(err.field, "months.CRITICAL");
        assert_eq!(
            err.to_string(),
            "months.CRITICAL must be at most the interval of the less risky level before it \
             (a riskier case is never reviewed later), got 13, more than HIGH's 12"
        );
    }

    /// A US set with one check and the review policy `intervals`.
    fn set_with(intervals: ReviewIntervals) -> RuleSet {
        let rule = |code: &str, kind| {
            let rule = RuleRef {
                code: RuleCode::parse(code).unwrap(),
                version: RuleVersion::FIRST,
            };
            let period = EffectivePeriod::starting(default_effective_from()).unwrap();
            Rule::new(Jurisdiction::Us, rule, period, "US test", "A test.", kind).unwrap()
        };
        let rules = [
            rule("US-SANCTIONS", RuleKind::SanctionsMatch),
            rule("US-REVIEW", RuleKind::PeriodicReview(intervals)),
        ];
        RuleSet::in_force(&rules, Jurisdiction::Us, default_effective_from()).unwrap()
    }

    /// Each `(approved_at, months, expected)` was computed by PostgreSQL 15 with
    /// `SET TimeZone = 'UTC'; SELECT approved_at + make_interval(months => n)`.
    #[test]
    fn next_review_agrees_with_postgresql_at_month_ends() {
        let at = |y, m, d, h, min, s, micros| {
            Utc.with_ymd_and_hms(y, m, d, h, min, s).unwrap()
                + chrono::Duration::microseconds(micros)
        };
        let cases = [
            // Leap year: Jan 31 + 1 month is Feb 29; the microseconds are kept.
            (
                at(2024, 1, 31, 10, 15, 30, 123_456),
                1,
                at(2024, 2, 29, 10, 15, 30, 123_456),
            ),
            // Common year: Feb 28, even at the last microsecond of the day.
            (
                at(2023, 1, 31, 23, 59, 59, 999_999),
                1,
                at(2023, 2, 28, 23, 59, 59, 999_999),
            ),
            (at(2024, 2, 29, 0, 0, 0, 0), 12, at(2025, 2, 28, 0, 0, 0, 0)),
            (at(2024, 2, 29, 0, 0, 0, 0), 48, at(2028, 2, 29, 0, 0, 0, 0)),
            (
                at(2024, 2, 29, 0, 0, 0, 0),
                120,
                at(2034, 2, 28, 0, 0, 0, 0),
            ),
            (
                at(2025, 8, 31, 12, 0, 0, 0),
                6,
                at(2026, 2, 28, 12, 0, 0, 0),
            ),
            (at(2024, 3, 31, 0, 0, 0, 0), 1, at(2024, 4, 30, 0, 0, 0, 0)),
            (
                at(2025, 12, 31, 23, 0, 0, 0),
                2,
                at(2026, 2, 28, 23, 0, 0, 0),
            ),
            (at(2026, 1, 30, 0, 0, 0, 0), 1, at(2026, 2, 28, 0, 0, 0, 0)),
        ];
        for (approved, months, expected) in cases {
            let set = set_with(ReviewIntervals::new(120, 120, months, 1).unwrap());
            assert_eq!(set.review_interval(RiskLevel::High), Some(months));
            assert_eq!(
                set.next_review(RiskLevel::High, approved),
                Some(expected),
                "{approved} + {months} months"
            );
        }
    }
}
