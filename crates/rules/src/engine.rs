//! The engine: evaluates a case against a rule set and returns the domain's [`Decision`].
//!
//! Must not: panic, depend on anything but its two arguments, or allocate when no rule fires
//! (the status is then APPROVED with an empty, unallocated list of reasons).

use crate::RuleSet;
use crate::kind::Facts;
use compliance_domain::{Case, Decision, Jurisdiction, Reason, Signals};

/// Why a case was not evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EvaluateError {
    /// The case belongs to another jurisdiction than the rule set.
    #[error(
        "the case is onboarded in {case}, but the rule set is {rules}'s: decide it with the {case} rule set"
    )]
    JurisdictionMismatch {
        /// The case's jurisdiction.
        case: Jurisdiction,
        /// The rule set's jurisdiction.
        rules: Jurisdiction,
    },
}

/// Decides `case` with `rules`: every rule that fires gives a [`Reason`] (code, version, stage,
/// outcome and one sentence); the status is the strictest outcome, APPROVED when none fires; the
/// risk level is the AML score's; and the decision lists the signals the case carried (red
/// flags, kinds of watchlist match) that no rule of the set weighs
/// ([`Decision::unweighed`]), so that a reviewer sees what nothing decided on.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use compliance_domain::{CheckStatus, RiskLevel};
/// use compliance_rules::{RuleSet, default_rules, evaluate, scenarios::scenarios};
/// let rules = default_rules();
/// let at = Utc.with_ymd_and_hms(2026, 3, 3, 9, 0, 0).unwrap();
/// let flagged = scenarios().into_iter().find(|s| s.id == "ae-ind-flagged-003").unwrap();
/// let ae = RuleSet::in_force(&rules, flagged.case.kyc.jurisdiction, at)?;
/// let decision = evaluate(&flagged.case, &ae)?;
/// assert_eq!(decision.status(), CheckStatus::Rejected);
/// assert_eq!(decision.risk_level(), RiskLevel::Critical);
/// assert_eq!(decision.reasons()[0].rule.code.as_str(), "AE-AML-RISK-REJECT");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn evaluate(case: &Case, rules: &RuleSet) -> Result<Decision, EvaluateError> {
    if case.kyc.jurisdiction != rules.jurisdiction() {
        return Err(EvaluateError::JurisdictionMismatch {
            case: case.kyc.jurisdiction,
            rules: rules.jurisdiction(),
        });
    }
    let facts = Facts::of(case, rules.rules().iter().map(|r| r.kind()));
    // `Vec::new` does not allocate; only a rule that fires pushes (and allocates).
    let mut reasons = Vec::new();
    // What the case carried that a rule looks at: two bitmasks, no allocation.
    let mut weighed = Signals::NONE;
    for rule in rules.rules() {
        weighed = weighed.union(rule.kind().weighs());
        if let Some(explanation) = rule.kind().assess(&facts) {
            reasons.push(Reason {
                rule: rule.rule_ref().clone(),
                stage: rule.stage(),
                outcome: rule.outcome(),
                explanation,
            });
        }
    }
    let unweighed = Signals::of(case).without(weighed);
    Ok(Decision::new(case.aml.risk_level(), reasons).with_unweighed(unweighed))
}

impl RuleSet {
    /// Decides `case` with this rule set: see [`evaluate`].
    pub fn evaluate(&self, case: &Case) -> Result<Decision, EvaluateError> {
        evaluate(case, self)
    }
}
