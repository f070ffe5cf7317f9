//! A compliance decision: the status, the risk level, and the rules that fired with a sentence
//! each, so that a regulator can read why.
//!
//! Must not: let the status disagree with the reasons. [`Decision::new`] derives the status as
//! the strictest outcome among the reasons (APPROVED when none fired). Nor forget what no rule
//! weighed: the engine lists the signals the case carried that no rule in force weighed
//! ([`Decision::unweighed`]), so that a reviewer sees them.

use crate::{CheckStatus, RiskLevel, Signals};
use std::fmt;
use std::num::NonZeroU32;

/// Why a text is not a rule code, or a number not a rule version.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleRefError {
    /// A malformed rule code.
    #[error(
        "rule code {value:?} is malformed: use 3 to 64 upper-case letters, digits and single hyphens, starting with a letter (e.g. AE-SANCTIONS-REJECT)"
    )]
    Code {
        /// The rejected code, cut to 64 characters.
        value: String,
    },
    /// A version below 1.
    #[error("rule version must be 1 or more, got {value}")]
    Version {
        /// The rejected number.
        value: i64,
    },
}

/// The code of a rule, stable across its versions, e.g. `AE-SANCTIONS-REJECT`.
///
/// ```
/// use compliance_domain::RuleCode;
/// assert_eq!(RuleCode::parse("US-ACCREDITATION")?.as_str(), "US-ACCREDITATION");
/// assert!(RuleCode::parse("us-accreditation").is_err());
/// # Ok::<(), compliance_domain::RuleRefError>(())
/// ```
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct RuleCode(String);

impl RuleCode {
    /// Parses a code: 3 to 64 characters of `A-Z`, `0-9` and single hyphens, starting with a
    /// letter and not ending with a hyphen.
    pub fn parse(text: &str) -> Result<Self, RuleRefError> {
        let bytes = text.as_bytes();
        let well_formed = (3..=64).contains(&bytes.len())
            && bytes[0].is_ascii_uppercase()
            && bytes[bytes.len() - 1] != b'-'
            && bytes
                .iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'-')
            && !text.contains("--");
        if well_formed {
            Ok(Self(text.to_owned()))
        } else {
            Err(RuleRefError::Code {
                value: text.chars().take(64).collect(),
            })
        }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RuleCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for RuleCode {
    type Error = RuleRefError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<RuleCode> for String {
    fn from(code: RuleCode) -> Self {
        code.0
    }
}

/// The version of a rule: 1, 2, ... A published version never changes; a change is a new one.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "i64", into = "u32")]
pub struct RuleVersion(NonZeroU32);

impl RuleVersion {
    /// The first version of a rule.
    pub const FIRST: RuleVersion = RuleVersion(NonZeroU32::MIN);

    /// Builds a version; anything below 1 (or above `u32::MAX`) is refused.
    pub fn new(value: impl Into<i64>) -> Result<Self, RuleRefError> {
        let value = value.into();
        u32::try_from(value)
            .ok()
            .and_then(NonZeroU32::new)
            .map(Self)
            .ok_or(RuleRefError::Version { value })
    }

    /// The version number.
    pub fn get(self) -> u32 {
        self.0.get()
    }

    /// The version after this one, or `None` past `u32::MAX`.
    pub fn next(self) -> Option<Self> {
        self.0.checked_add(1).map(Self)
    }
}

impl TryFrom<i64> for RuleVersion {
    type Error = RuleRefError;
    fn try_from(value: i64) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<RuleVersion> for u32 {
    fn from(version: RuleVersion) -> Self {
        version.get()
    }
}

impl fmt::Display for RuleVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}", self.0)
    }
}

/// One version of one rule: what a decision records so that it can be replayed.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(deny_unknown_fields)]
pub struct RuleRef {
    /// The rule.
    pub code: RuleCode,
    /// Its version.
    pub version: RuleVersion,
}

impl fmt::Display for RuleRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code, self.version)
    }
}

crate::text_enum! {
    /// Which part of onboarding a rule judges.
    #[strum(serialize_all = "UPPERCASE")]
    pub enum Stage as "stage" {
        /// Identity, documents, red flags and investor accreditation.
        Kyc,
        /// Sanctions, PEP and the screening's risk score.
        Aml,
    }
}

/// A rule that fired: which one, what it concluded, and a sentence that explains why.
///
/// Explanations name lists, entries, documents and thresholds; never a person's name or a
/// document number.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    /// The rule and version.
    pub rule: RuleRef,
    /// The part of onboarding it judges.
    pub stage: Stage,
    /// What it concluded.
    pub outcome: CheckStatus,
    /// Why, in one sentence.
    pub explanation: String,
}

/// The outcome of evaluating a case: a status no more lenient than any reason, and why.
///
/// ```
/// use compliance_domain::*;
/// let pep = Reason {
///     rule: RuleRef { code: RuleCode::parse("IN-PEP-EDD")?, version: RuleVersion::FIRST },
///     stage: Stage::Aml,
///     outcome: CheckStatus::Escalated,
///     explanation: "PEP match on list IN-PEP entry PEP-1: enhanced due diligence".into(),
/// };
/// let decision = Decision::new(RiskScore::new(68)?.level(), vec![pep]);
/// assert_eq!(decision.status(), CheckStatus::Escalated);
/// assert_eq!(decision.stage_status(Stage::Kyc), CheckStatus::Approved);
/// assert_eq!(Decision::new(RiskLevel::Low, vec![]).status(), CheckStatus::Approved);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Decision {
    status: CheckStatus,
    risk_level: RiskLevel,
    reasons: Vec<Reason>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unweighed: Option<Signals>,
}

impl Decision {
    /// A decision from the reasons that fired; the status is the strictest outcome among them,
    /// or APPROVED when none fired.
    pub fn new(risk_level: RiskLevel, reasons: Vec<Reason>) -> Self {
        let status = strictest(reasons.iter());
        Self {
            status,
            risk_level,
            reasons,
            unweighed: None,
        }
    }

    /// The same decision, listing `signals` as received but weighed by no rule in force. The
    /// engine always lists them (an empty set when every signal was weighed); a decision
    /// recorded before it did has none ([`Decision::unweighed`] is `None`).
    pub fn with_unweighed(self, signals: Signals) -> Self {
        Self {
            unweighed: Some(signals),
            ..self
        }
    }

    /// The signals the case carried (red flags, kinds of watchlist match) that no rule in force
    /// weighed: what a reviewer must look at, since nothing decided on them. `None` for a
    /// decision recorded before the engine listed them.
    pub fn unweighed(&self) -> Option<Signals> {
        self.unweighed
    }

    /// True when `self`, a decision the engine just made, is the `recorded` one made from the
    /// same inputs and rule versions: the same status, risk level and reasons, and the same
    /// unweighed signals where the recorded decision lists them (one recorded before the engine
    /// listed them is compared on the rest).
    ///
    /// ```
    /// use compliance_domain::{Decision, RiskLevel, Signals, RedFlag};
    /// let recorded_long_ago = Decision::new(RiskLevel::Low, vec![]);
    /// let now = Decision::new(RiskLevel::Low, vec![])
    ///     .with_unweighed(Signals::NONE.with_red_flag(RedFlag::UnusualActivity));
    /// assert!(now.reproduces(&recorded_long_ago));
    /// assert!(now.reproduces(&now));
    /// assert!(!now.reproduces(&recorded_long_ago.clone().with_unweighed(Signals::NONE)));
    /// ```
    pub fn reproduces(&self, recorded: &Decision) -> bool {
        self.status == recorded.status
            && self.risk_level == recorded.risk_level
            && self.reasons == recorded.reasons
            && recorded.unweighed.is_none_or(|u| Some(u) == self.unweighed)
    }

    /// The status.
    pub fn status(&self) -> CheckStatus {
        self.status
    }

    /// The risk level (derived from the AML risk score).
    pub fn risk_level(&self) -> RiskLevel {
        self.risk_level
    }

    /// The rules that fired, in evaluation order.
    pub fn reasons(&self) -> &[Reason] {
        &self.reasons
    }

    /// Consumes the decision, giving back its reasons.
    pub fn into_reasons(self) -> Vec<Reason> {
        self.reasons
    }

    /// The strictest outcome among the reasons of one stage (APPROVED when none fired): for
    /// `Stage::Kyc` this is the status of the KYC check itself.
    pub fn stage_status(&self, stage: Stage) -> CheckStatus {
        strictest(self.reasons.iter().filter(|r| r.stage == stage))
    }
}

fn strictest<'a>(reasons: impl Iterator<Item = &'a Reason>) -> CheckStatus {
    reasons
        .map(|r| r.outcome)
        .max()
        .unwrap_or(CheckStatus::Approved)
}

impl<'de> serde::Deserialize<'de> for Decision {
    /// Reads `{"status", "risk_level", "reasons"}` and refuses a status that is not the one the
    /// reasons give.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Repr {
            status: CheckStatus,
            risk_level: RiskLevel,
            reasons: Vec<Reason>,
            #[serde(default)]
            unweighed: Option<Signals>,
        }
        let repr = Repr::deserialize(deserializer)?;
        let mut decision = Decision::new(repr.risk_level, repr.reasons);
        decision.unweighed = repr.unweighed;
        if decision.status != repr.status {
            return Err(serde::de::Error::custom(format_args!(
                "decision status {} disagrees with its reasons, which give {}",
                repr.status, decision.status
            )));
        }
        Ok(decision)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rule_codes() {
        for ok in ["AE-SANCTIONS-REJECT", "US-506C", "ABC"] {
            assert!(RuleCode::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["AB", "1AB", "AB-", "A--B", "Ab-C", "A B", ""] {
            assert!(RuleCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rule_versions() {
        assert_eq!(RuleVersion::new(0), Err(RuleRefError::Version { value: 0 }));
        assert!(RuleVersion::new(-3).is_err());
        assert!(RuleVersion::new(i64::from(u32::MAX) + 1).is_err());
        assert_eq!(RuleVersion::new(2).unwrap().to_string(), "v2");
        assert_eq!(RuleVersion::FIRST.next().unwrap().get(), 2);
        assert!(serde_json::from_str::<RuleVersion>("0").is_err());
    }

    fn reason(outcome: CheckStatus, stage: Stage) -> Reason {
        Reason {
            rule: RuleRef {
                code: RuleCode::parse("XX-TEST").unwrap(),
                version: RuleVersion::FIRST,
            },
            stage,
            outcome,
            explanation: "test".into(),
        }
    }

    #[test]
    fn serde_refuses_a_status_that_disagrees_with_its_reasons() {
        let decision = Decision::new(
            RiskLevel::High,
            vec![reason(CheckStatus::Escalated, Stage::Aml)],
        );
        let mut json = serde_json::to_value(&decision).unwrap();
        assert_eq!(
            serde_json::from_value::<Decision>(json.clone()).unwrap(),
            decision
        );
        json["status"] = "APPROVED".into();
        let err = serde_json::from_value::<Decision>(json).unwrap_err();
        assert!(err.to_string().contains("disagrees"), "{err}");
    }

    proptest! {
        #[test]
        fn status_is_the_strictest_outcome(outcomes in prop::collection::vec(
            (prop::sample::select(&[CheckStatus::Approved, CheckStatus::Pending, CheckStatus::Escalated, CheckStatus::Rejected][..]),
             prop::sample::select(&[Stage::Kyc, Stage::Aml][..])), 0..8)) {
            let reasons: Vec<_> = outcomes.iter().map(|(o, s)| reason(*o, *s)).collect();
            let decision = Decision::new(RiskLevel::Low, reasons);
            for (outcome, stage) in &outcomes {
                prop_assert!(decision.status() >= *outcome);
                prop_assert!(decision.stage_status(*stage) >= *outcome);
                prop_assert!(decision.status() >= decision.stage_status(*stage));
            }
            prop_assert_eq!(decision.status() == CheckStatus::Approved,
                outcomes.iter().all(|(o, _)| *o == CheckStatus::Approved));
        }
    }
}
