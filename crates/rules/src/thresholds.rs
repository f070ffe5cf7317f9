//! The rule kinds that compare one number with a threshold: `red_flags` (how many concerns KYC
//! raised), `risk_score` (the AML score) and `verification_score` (the KYC score).
//!
//! Must not: repeat the investor's own score in an explanation: only the rule's threshold.

use crate::error::{FieldError, Problem};
use crate::params::Object;
use compliance_domain::{CheckStatus, KycCheck, RiskScore, TextForm, VerificationScore};
use serde_json::{Map, Value};
use std::fmt::Write;

/// The number of red flag kinds the domain has: a limit above it could never be reached.
pub(crate) const RED_FLAG_KINDS: u8 = 7;

/// Rejects a case when KYC raised at least `min_count` red flags.
///
/// Stored as `{"kind": "red_flags", "min_count": 3}`; `min_count` is 1 to 7 (there are seven kinds
/// of red flag).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RedFlagLimit {
    min_count: u8,
}

impl RedFlagLimit {
    pub(crate) const KIND: &'static str = "red_flags";
    const EXPECTED: &'static str = "an integer from 1 to 7 (the number of red flag kinds)";

    /// A limit of `min_count` red flags, 1 to 7.
    pub fn new(min_count: u8) -> Result<Self, FieldError> {
        if (1..=RED_FLAG_KINDS).contains(&min_count) {
            Ok(Self { min_count })
        } else {
            Err(FieldError::new(
                "min_count",
                Problem::OutOfRange {
                    expected: Self::EXPECTED,
                    got: min_count.to_string(),
                },
            ))
        }
    }

    /// The number of red flags that rejects a case.
    pub fn min_count(self) -> u8 {
        self.min_count
    }

    pub(crate) fn read(parameters: &Object<'_>) -> Result<Self, FieldError> {
        let n = parameters.integer("min_count", 1..=i64::from(RED_FLAG_KINDS), Self::EXPECTED)?;
        u8::try_from(n)
            .map_err(|_| FieldError::new(parameters.path_of("min_count"), Problem::invalid(n)))
            .and_then(|n| Self::new(n).map_err(|e| e.under("parameters")))
    }

    pub(crate) fn write(self, parameters: &mut Map<String, Value>) {
        parameters.insert("min_count".into(), self.min_count.into());
    }

    pub(crate) fn assess(self, kyc: &KycCheck) -> Option<String> {
        let count = kyc.red_flags.len();
        if count < usize::from(self.min_count) {
            return None;
        }
        let mut out = String::with_capacity(160);
        let _ = write!(out, "KYC raised {count} red flags (");
        for (i, flag) in kyc.red_flags.iter().enumerate() {
            out.push_str(if i == 0 { "" } else { ", " });
            out.push_str(flag.as_str());
        }
        let _ = write!(
            out,
            "), at or above the limit of {}, so the case is rejected.",
            self.min_count
        );
        Some(out)
    }
}

/// The rule both score thresholds share: a score of 1 to 100 (0 would fire on every case, or on
/// none) and one of the outcomes the kind allows.
fn check_threshold(
    min_score: u8,
    outcome: CheckStatus,
    allowed: &[CheckStatus],
    expected_outcome: &'static str,
) -> Result<(), FieldError> {
    if min_score == 0 {
        return Err(FieldError::new(
            "min_score",
            Problem::OutOfRange {
                expected: EXPECTED_SCORE,
                got: "0".into(),
            },
        ));
    }
    if !allowed.contains(&outcome) {
        return Err(FieldError::new(
            "outcome",
            Problem::OutOfRange {
                expected: expected_outcome,
                got: outcome.to_string(),
            },
        ));
    }
    Ok(())
}

const EXPECTED_SCORE: &str = "an integer from 1 to 100";

/// Escalates or rejects a case whose AML risk score is at least `min_score`.
///
/// Stored as `{"kind": "risk_score", "min_score": 85, "outcome": "REJECTED"}`; `min_score` is 1 to
/// 100 and `outcome` is `ESCALATED` or `REJECTED`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RiskThreshold {
    min_score: RiskScore,
    outcome: CheckStatus,
}

impl RiskThreshold {
    pub(crate) const KIND: &'static str = "risk_score";
    const OUTCOMES: [CheckStatus; 2] = [CheckStatus::Escalated, CheckStatus::Rejected];
    const EXPECTED_OUTCOME: &'static str = "ESCALATED or REJECTED";

    /// A threshold of `min_score` (1 to 100) with its outcome (ESCALATED or REJECTED).
    pub fn new(min_score: RiskScore, outcome: CheckStatus) -> Result<Self, FieldError> {
        check_threshold(
            min_score.value(),
            outcome,
            &Self::OUTCOMES,
            Self::EXPECTED_OUTCOME,
        )?;
        Ok(Self { min_score, outcome })
    }

    /// The lowest score that fires the rule.
    pub fn min_score(self) -> RiskScore {
        self.min_score
    }

    /// ESCALATED or REJECTED.
    pub fn outcome(self) -> CheckStatus {
        self.outcome
    }

    pub(crate) fn read(parameters: &Object<'_>) -> Result<Self, FieldError> {
        let score = parameters.integer("min_score", 1..=100, EXPECTED_SCORE)?;
        let score = RiskScore::new(score)
            .map_err(|e| FieldError::new(parameters.path_of("min_score"), Problem::invalid(e)))?;
        let outcome = parameters.status("outcome", &Self::OUTCOMES, Self::EXPECTED_OUTCOME)?;
        Self::new(score, outcome).map_err(|e| e.under("parameters"))
    }

    pub(crate) fn write(self, parameters: &mut Map<String, Value>) {
        parameters.insert("min_score".into(), self.min_score.value().into());
        parameters.insert("outcome".into(), self.outcome.as_str().into());
    }

    pub(crate) fn assess(self, score: RiskScore) -> Option<String> {
        if score < self.min_score {
            return None;
        }
        let consequence = if self.outcome == CheckStatus::Rejected {
            "the case is rejected"
        } else {
            "enhanced due diligence and a reviewer's decision are required"
        };
        Some(format!(
            "The AML risk score is at or above the threshold of {}, so {consequence}.",
            self.min_score
        ))
    }
}

/// Keeps a case pending, or escalates it, when the KYC verification score is below `min_score`.
///
/// Stored as `{"kind": "verification_score", "min_score": 80, "outcome": "PENDING"}`; `min_score`
/// is 1 to 100 and `outcome` is `PENDING` or `ESCALATED`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VerificationMinimum {
    min_score: VerificationScore,
    outcome: CheckStatus,
}

impl VerificationMinimum {
    pub(crate) const KIND: &'static str = "verification_score";
    const OUTCOMES: [CheckStatus; 2] = [CheckStatus::Pending, CheckStatus::Escalated];
    const EXPECTED_OUTCOME: &'static str = "PENDING or ESCALATED";

    /// A minimum of `min_score` (1 to 100) with its outcome (PENDING or ESCALATED).
    pub fn new(min_score: VerificationScore, outcome: CheckStatus) -> Result<Self, FieldError> {
        check_threshold(
            min_score.value(),
            outcome,
            &Self::OUTCOMES,
            Self::EXPECTED_OUTCOME,
        )?;
        Ok(Self { min_score, outcome })
    }

    /// The lowest score that passes.
    pub fn min_score(self) -> VerificationScore {
        self.min_score
    }

    /// PENDING or ESCALATED.
    pub fn outcome(self) -> CheckStatus {
        self.outcome
    }

    pub(crate) fn read(parameters: &Object<'_>) -> Result<Self, FieldError> {
        let score = parameters.integer("min_score", 1..=100, EXPECTED_SCORE)?;
        let score = VerificationScore::new(score)
            .map_err(|e| FieldError::new(parameters.path_of("min_score"), Problem::invalid(e)))?;
        let outcome = parameters.status("outcome", &Self::OUTCOMES, Self::EXPECTED_OUTCOME)?;
        Self::new(score, outcome).map_err(|e| e.under("parameters"))
    }

    pub(crate) fn write(self, parameters: &mut Map<String, Value>) {
        parameters.insert("min_score".into(), self.min_score.value().into());
        parameters.insert("outcome".into(), self.outcome.as_str().into());
    }

    pub(crate) fn assess(self, score: VerificationScore) -> Option<String> {
        if score >= self.min_score {
            return None;
        }
        let consequence = if self.outcome == CheckStatus::Escalated {
            "a reviewer must verify the identity by hand"
        } else {
            "the case stays pending until the identity is verified again"
        };
        Some(format!(
            "The identity verification score is below the minimum of {}, so {consequence}.",
            self.min_score
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn red_flag_kinds_matches_the_domain() {
        let names = "?"
            .parse::<compliance_domain::RedFlag>()
            .unwrap_err()
            .expected;
        assert_eq!(names.len(), usize::from(RED_FLAG_KINDS));
    }

    #[test]
    fn limits_and_outcomes() {
        assert!(RedFlagLimit::new(0).is_err());
        assert!(RedFlagLimit::new(8).is_err());
        let risk = |s: u8, o| RiskThreshold::new(RiskScore::new(s).unwrap(), o);
        assert!(risk(0, CheckStatus::Rejected).is_err());
        assert!(risk(50, CheckStatus::Pending).is_err());
        assert!(risk(50, CheckStatus::Approved).is_err());
        let t = risk(85, CheckStatus::Rejected).unwrap();
        assert!(t.assess(RiskScore::new(84).unwrap()).is_none());
        assert!(t.assess(RiskScore::new(85).unwrap()).is_some());
        let v = |s: u8, o| VerificationMinimum::new(VerificationScore::new(s).unwrap(), o);
        assert!(v(80, CheckStatus::Rejected).is_err());
        let m = v(80, CheckStatus::Pending).unwrap();
        assert!(m.assess(VerificationScore::new(80).unwrap()).is_none());
        let why = m.assess(VerificationScore::new(79).unwrap()).unwrap();
        assert!(why.contains("80/100") && !why.contains("79"), "{why}");
    }
}
