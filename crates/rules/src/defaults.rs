//! The default rule set: version 1 of every rule of AE, IN and US, in force from
//! 2026-01-01T00:00:00Z; the sanctions screening bands from 2026-12-07T00:00:00Z (a scored match
//! rejects from 0.95 and goes to a reviewer from 0.85); and the versions of issue 24 in force
//! from 2027-01-01T00:00:00Z (the accreditation tests as the regulations write them, the UAE's
//! investor classification and risk-based weighing), each with the regulation it implements.
//! One file per jurisdiction.
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
    CheckStatus, Currency, Jurisdiction, MatchScore, Money, RiskScore, RuleCode, RuleRef,
    RuleVersion, VerificationScore, WatchlistKind,
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

/// When the screening bands come into force: 2026-12-07T00:00:00Z, the day this project's own
/// scored screening replaces the providers' asserted matches. The sanctions rules' first
/// versions (`sanctions_match`: any recorded match rejects) end then; their second versions
/// (`screening_match`: a match scored 0.95 or more rejects) and the review bands (0.85 up to
/// 0.95 escalates) begin.
pub fn screening_effective_from() -> DateTime<Utc> {
    literal(
        "2026-12-07T00:00:00Z",
        Utc.with_ymd_and_hms(2026, 12, 7, 0, 0, 0)
            .single()
            .ok_or("not a single instant"),
    )
}

/// When the versions of issue 24 come into force: 2027-01-01T00:00:00Z. The accreditation
/// rules' first versions end then (`US-506C-ACCREDITATION` and `IN-ACCREDITED-INVESTOR` v1), their
/// second versions and the UAE's `AE-INVESTOR-CLASSIFICATION` and `AE-RISK-SIGNALS` v1 begin.
pub fn accreditation_effective_from() -> DateTime<Utc> {
    literal(
        "2027-01-01T00:00:00Z",
        Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0)
            .single()
            .ok_or("not a single instant"),
    )
}

/// Every version of every default rule of AE, IN and US: 29 rows (AE 10, IN 10, US 9). Version
/// 1 of the nineteen first rules is in force from [`default_effective_from`]; from
/// [`screening_effective_from`], version 2 of each sanctions rule (a band from 0.95 that
/// rejects) replaces version 1 (which ends there) and each jurisdiction's sanctions review band
/// (0.85 up to 0.95, escalated) begins; from [`accreditation_effective_from`], version 2 of the
/// two accreditation rules replaces version 1 and two AE rules begin. At any instant a
/// jurisdiction has one `periodic_review` policy in force. docs/rules.md explains each.
///
/// ```
/// use compliance_domain::Jurisdiction;
/// use compliance_rules::{
///     RuleSet, accreditation_effective_from, default_effective_from, default_rules,
///     screening_effective_from,
/// };
/// let rules = default_rules();
/// assert_eq!(rules.len(), 29);
/// let all = [Jurisdiction::Ae, Jurisdiction::In, Jurisdiction::Us];
/// let count = |j| rules.iter().filter(|r| r.jurisdiction() == j).count();
/// assert_eq!(all.map(count), [10, 10, 9]);
/// let in_force = |j, at| RuleSet::in_force(&rules, j, at).unwrap().rules().len();
/// let first = default_effective_from();
/// let (screening, later) = (screening_effective_from(), accreditation_effective_from());
/// assert_eq!(all.map(|j| in_force(j, first)), [6, 7, 6]);
/// assert_eq!(all.map(|j| in_force(j, screening)), [7, 8, 7]);
/// assert_eq!(all.map(|j| in_force(j, later)), [9, 8, 7]);
/// ```
pub fn default_rules() -> Vec<Rule> {
    let mut rules = uae::rules();
    rules.extend(india::rules());
    rules.extend(us::rules());
    rules
}

/// A default rule version before it is checked. Version 1 from [`default_effective_from`],
/// open-ended, unless [`Draft::ends`] or [`Draft::version`] says otherwise.
struct Draft {
    code: &'static str,
    regulation: &'static str,
    description: &'static str,
    kind: Result<RuleKind, FieldError>,
}

/// A draft with its version and effective period.
struct Versioned {
    draft: Draft,
    version: u32,
    from: DateTime<Utc>,
    to: Option<DateTime<Utc>>,
}

impl Draft {
    /// Version 1, from [`default_effective_from`], open-ended.
    fn first(self) -> Versioned {
        Versioned {
            draft: self,
            version: 1,
            from: default_effective_from(),
            to: None,
        }
    }

    /// Version 1, ended at `to` by a later version.
    fn ends(self, to: DateTime<Utc>) -> Versioned {
        Versioned {
            to: Some(to),
            ..self.first()
        }
    }

    /// Version `version`, from `from`, open-ended.
    fn version(self, version: u32, from: DateTime<Utc>) -> Versioned {
        Versioned {
            draft: self,
            version,
            from,
            to: None,
        }
    }
}

fn build(jurisdiction: Jurisdiction, drafts: Vec<Versioned>) -> Vec<Rule> {
    drafts
        .into_iter()
        .map(|v| {
            let d = v.draft;
            let rule = RuleRef {
                code: literal(d.code, RuleCode::parse(d.code)),
                version: literal(d.code, RuleVersion::new(v.version)),
            };
            let period = literal(d.code, EffectivePeriod::new(v.from, v.to));
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

/// A `screening_match` band: from `min_score` (a decimal literal such as `"0.95"`) on lists of
/// `list_kind`, with its outcome.
fn screening(
    list_kind: WatchlistKind,
    min_score: &str,
    outcome: CheckStatus,
) -> Result<RuleKind, FieldError> {
    let score = literal(min_score, min_score.parse::<MatchScore>());
    crate::ScreeningMatch::new(list_kind, score, outcome).map(RuleKind::ScreeningMatch)
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
        let versions: BTreeSet<_> = rules.iter().map(|r| r.rule_ref().clone()).collect();
        assert_eq!(versions.len(), rules.len());
        let generations = [
            default_effective_from(),
            screening_effective_from(),
            accreditation_effective_from(),
        ];
        for rule in &rules {
            let prefix = format!("{}-", rule.jurisdiction());
            assert!(rule.code().as_str().starts_with(&prefix), "{}", rule.code());
            assert!(
                rule.regulation().starts_with(rule.jurisdiction().as_str()),
                "{}",
                rule.code()
            );
            assert!(rule.description().ends_with('.'), "{}", rule.code());
            // Three generations: the first from 2026-01-01, the screening bands from
            // 2026-12-07, issue 24's from 2027; a version either is open-ended or ends exactly
            // where the next version of its code begins.
            assert!(
                generations.contains(&rule.period().from()),
                "{}",
                rule.code()
            );
            if let Some(to) = rule.period().to() {
                assert!(generations[1..].contains(&to), "{}", rule.code());
                let next = rules.iter().find(|r| {
                    r.code() == rule.code() && Some(r.version()) == rule.version().next()
                });
                assert_eq!(next.map(|r| r.period().from()), Some(to), "{}", rule.code());
            }
        }
        // Every code's latest version is open-ended.
        for code in rules.iter().map(Rule::code) {
            let latest = rules
                .iter()
                .filter(|r| r.code() == code)
                .max_by_key(|r| r.version());
            assert_eq!(latest.and_then(|r| r.period().to()), None, "{code}");
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
            for at in [
                default_effective_from(),
                screening_effective_from(),
                accreditation_effective_from(),
            ] {
                let set = crate::RuleSet::in_force(&rules, jurisdiction, at).unwrap();
                let got = [Low, Medium, High, Critical].map(|l| set.review_interval(l));
                assert_eq!(got, months.map(Some), "{jurisdiction}");
                let code = format!("{jurisdiction}-PERIODIC-REVIEW");
                assert!(set.refs().iter().any(|r| r.code.as_str() == code), "{code}");
            }
        }
    }
}
