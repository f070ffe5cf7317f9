//! The default rule set: version 1 of every rule of AE, IN and US, in force from
//! 2026-01-01T00:00:00Z, each with the regulation it implements. One file per jurisdiction.
//!
//! Must not: be the only source of rules at run time. These are the seed rows of the
//! `compliance_rules` table (written with [`Rule::to_stored`]); services read the table.

mod india;
mod uae;
mod us;

use crate::literal::literal;
use crate::{EffectivePeriod, FieldError, Rule, RuleKind};
use chrono::{DateTime, TimeZone, Utc};
use compliance_domain::{
    CheckStatus, Currency, Jurisdiction, Money, RiskScore, RuleCode, RuleRef, RuleVersion,
    VerificationScore,
};

/// When every default rule comes into force: 2026-01-01T00:00:00Z.
pub fn default_effective_from() -> DateTime<Utc> {
    literal(
        "2026-01-01T00:00:00Z",
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
            .single()
            .ok_or("not a single instant"),
    )
}

/// Version 1 of every default rule of AE, IN and US (19 rules: AE 6, IN 7, US 6, each
/// jurisdiction's including its one `periodic_review` policy), in force from
/// [`default_effective_from`], open-ended. docs/rules.md explains each.
///
/// ```
/// use compliance_domain::Jurisdiction;
/// use compliance_rules::default_rules;
/// let rules = default_rules();
/// assert_eq!(rules.len(), 19);
/// let count = |j| rules.iter().filter(|r| r.jurisdiction() == j).count();
/// assert_eq!(
///     [Jurisdiction::Ae, Jurisdiction::In, Jurisdiction::Us].map(count),
///     [6, 7, 6]
/// );
/// ```
pub fn default_rules() -> Vec<Rule> {
    let mut rules = uae::rules();
    rules.extend(india::rules());
    rules.extend(us::rules());
    rules
}

/// A default rule before it is checked.
struct Draft {
    code: &'static str,
    regulation: &'static str,
    description: &'static str,
    kind: Result<RuleKind, FieldError>,
}

fn build(jurisdiction: Jurisdiction, drafts: Vec<Draft>) -> Vec<Rule> {
    let period = literal(
        "the default effective period",
        EffectivePeriod::starting(default_effective_from()),
    );
    drafts
        .into_iter()
        .map(|d| {
            let rule = RuleRef {
                code: literal(d.code, RuleCode::parse(d.code)),
                version: RuleVersion::FIRST,
            };
            let kind = literal(d.code, d.kind);
            literal(
                d.code,
                Rule::new(
                    jurisdiction,
                    rule,
                    period,
                    d.regulation,
                    d.description,
                    kind,
                ),
            )
        })
        .collect()
}

fn money(amount: &str, currency: Currency) -> Money {
    literal(amount, Money::parse(amount, currency.as_str()))
}

fn risk(min_score: u8, outcome: CheckStatus) -> Result<RuleKind, FieldError> {
    let score = literal("a risk score", RiskScore::new(min_score));
    crate::RiskThreshold::new(score, outcome).map(RuleKind::RiskScore)
}

/// A `periodic_review` policy: months to the next review at LOW, MEDIUM, HIGH and CRITICAL risk.
fn review(low: u32, medium: u32, high: u32, critical: u32) -> Result<RuleKind, FieldError> {
    crate::ReviewIntervals::new(low, medium, high, critical).map(RuleKind::PeriodicReview)
}

fn verification(min_score: u8, outcome: CheckStatus) -> Result<RuleKind, FieldError> {
    let score = literal("a verification score", VerificationScore::new(min_score));
    crate::VerificationMinimum::new(score, outcome).map(RuleKind::VerificationScore)
}

#[cfg(test)]
mod tests {
    use super::*;
    use compliance_domain::TextForm;
    use std::collections::BTreeSet;

    #[test]
    fn every_default_rule_is_distinct_and_explained() {
        let rules = default_rules();
        let codes: BTreeSet<_> = rules.iter().map(|r| r.code().clone()).collect();
        assert_eq!(codes.len(), rules.len());
        for rule in &rules {
            let prefix = format!("{}-", rule.jurisdiction());
            assert!(rule.code().as_str().starts_with(&prefix), "{}", rule.code());
            assert!(
                rule.regulation().starts_with(rule.jurisdiction().as_str()),
                "{}",
                rule.code()
            );
            assert!(rule.description().ends_with('.'), "{}", rule.code());
            assert_eq!(rule.period().from(), default_effective_from());
            assert_eq!(rule.period().to(), None);
        }
    }

    #[test]
    fn every_jurisdiction_has_its_review_policy_in_force() {
        use compliance_domain::RiskLevel::*;
        let rules = default_rules();
        let expected = [
            (Jurisdiction::Ae, [36, 24, 12, 6]),
            (Jurisdiction::In, [120, 96, 24, 12]),
            (Jurisdiction::Us, [36, 24, 12, 6]),
        ];
        for (jurisdiction, months) in expected {
            let set =
                crate::RuleSet::in_force(&rules, jurisdiction, default_effective_from()).unwrap();
            let got = [Low, Medium, High, Critical].map(|l| set.review_interval(l));
            assert_eq!(got, months.map(Some), "{jurisdiction}");
            let code = format!("{jurisdiction}-PERIODIC-REVIEW");
            assert!(set.refs().iter().any(|r| r.code.as_str() == code), "{code}");
        }
    }
}
