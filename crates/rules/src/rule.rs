//! A validated rule version: jurisdiction, code and version, effective period, the regulation it
//! implements, a one-sentence description, and what it checks.
//!
//! Must not: exist in an invalid state. Every field is private and checked by [`Rule::new`] (and,
//! for stored rows, by `TryFrom<StoredRule>`); a published version is never changed, a change is
//! a new version.

use crate::error::{FieldError, Problem, RowRef, RuleError, echo};
use crate::{EffectivePeriod, RuleKind};
use chrono::{DateTime, Utc};
use compliance_domain::{CheckStatus, Jurisdiction, RuleCode, RuleRef, RuleVersion, Stage};

/// One version of one rule of one jurisdiction.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use compliance_domain::{Jurisdiction, RuleCode, RuleRef, RuleVersion, Stage};
/// use compliance_rules::{EffectivePeriod, Rule, RuleKind};
/// let rule = Rule::new(
///     Jurisdiction::Us,
///     RuleRef { code: RuleCode::parse("US-OFAC-SDN-REJECT")?, version: RuleVersion::FIRST },
///     EffectivePeriod::starting(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap())?,
///     "US 31 CFR chapter V (OFAC)",
///     "A match on a sanctions list rejects the case.",
///     RuleKind::SanctionsMatch,
/// )?;
/// assert_eq!(rule.stage(), Stage::Aml);
/// assert!(rule.is_in_force(Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rule {
    jurisdiction: Jurisdiction,
    rule: RuleRef,
    period: EffectivePeriod,
    regulation: String,
    description: String,
    kind: RuleKind,
}

/// Checks a free-text column: not blank, no surrounding spaces, one line, at most
/// [`Rule::MAX_TEXT`] characters.
fn text(field: &str, value: &str) -> Result<String, FieldError> {
    let len = value.chars().count();
    let problem = if value.trim().is_empty() {
        Some("a non-blank text")
    } else if value.trim() != value {
        Some("a text without leading or trailing spaces")
    } else if value.chars().any(char::is_control) {
        Some("one line of text without control characters")
    } else if len > Rule::MAX_TEXT {
        Some("a text of at most 500 characters")
    } else {
        None
    };
    match problem {
        None => Ok(value.to_owned()),
        Some(expected) => Err(FieldError::new(
            field,
            Problem::OutOfRange {
                expected,
                got: format!("{} ({len} characters)", echo(value)),
            },
        )),
    }
}

impl Rule {
    /// The longest regulation or description accepted, in characters.
    pub const MAX_TEXT: usize = 500;

    /// Builds a rule version. The version must fit the `INTEGER` column (at most `i32::MAX`).
    pub fn new(
        jurisdiction: Jurisdiction,
        rule: RuleRef,
        period: EffectivePeriod,
        regulation: &str,
        description: &str,
        kind: RuleKind,
    ) -> Result<Self, RuleError> {
        let row = RowRef {
            jurisdiction: jurisdiction.to_string(),
            code: rule.code.to_string(),
            version: i64::from(rule.version.get()),
        };
        let at_row = |e| RuleError::at(&row, e);
        if i32::try_from(rule.version.get()).is_err() {
            return Err(at_row(FieldError::new(
                "version",
                Problem::OutOfRange {
                    expected: "a version from 1 to 2147483647",
                    got: rule.version.get().to_string(),
                },
            )));
        }
        let regulation = text("regulation", regulation).map_err(at_row)?;
        let description = text("description", description).map_err(at_row)?;
        Ok(Self {
            jurisdiction,
            rule,
            period,
            regulation,
            description,
            kind,
        })
    }

    /// The jurisdiction whose rule set this version belongs to.
    pub fn jurisdiction(&self) -> Jurisdiction {
        self.jurisdiction
    }

    /// The code and version, as a decision records them.
    pub fn rule_ref(&self) -> &RuleRef {
        &self.rule
    }

    /// The code, stable across versions.
    pub fn code(&self) -> &RuleCode {
        &self.rule.code
    }

    /// The version.
    pub fn version(&self) -> RuleVersion {
        self.rule.version
    }

    /// When this version is in force.
    pub fn period(&self) -> EffectivePeriod {
        self.period
    }

    /// True when this version is in force at `at`.
    pub fn is_in_force(&self, at: DateTime<Utc>) -> bool {
        self.period.contains(at)
    }

    /// The regulatory source it implements, e.g. `US 17 CFR 230.506(c); 17 CFR 230.501(a)`.
    pub fn regulation(&self) -> &str {
        &self.regulation
    }

    /// What it does, in one sentence.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// What it checks, with its parameters.
    pub fn kind(&self) -> &RuleKind {
        &self.kind
    }

    /// The part of onboarding it judges.
    pub fn stage(&self) -> Stage {
        self.kind.stage()
    }

    /// The status it gives when it fires.
    pub fn outcome(&self) -> CheckStatus {
        self.kind.outcome()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_text_is_one_clean_line() {
        assert!(text("d", "A sanctions match rejects.").is_ok());
        for bad in ["", "   ", " padded", "two\nlines", &"x".repeat(501)] {
            let err = text("d", bad).unwrap_err();
            assert_eq!(err.field, "d");
            assert!(err.to_string().len() < 200, "{err}");
        }
    }
}
