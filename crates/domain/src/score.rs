//! Scores on a 0-100 scale: the AML risk score and the KYC verification score.
//!
//! Must not: let a value outside 0..=100 exist. Both types share one definition so that their
//! rules cannot drift apart; they stay distinct types because a high risk and a high
//! verification mean opposite things.

/// A number that is not a valid 0-100 score.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} must be between 0 and 100, got {value}")]
pub struct ScoreError {
    /// Which score, e.g. `risk score`.
    pub kind: &'static str,
    /// The rejected number.
    pub value: i64,
}

macro_rules! bounded_score {
    ($(#[$meta:meta])* $name:ident, $kind:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "i64", into = "u8")]
        pub struct $name(u8);

        impl $name {
            /// The lowest score.
            pub const MIN: Self = Self(0);
            /// The highest score.
            pub const MAX: Self = Self(100);

            /// Builds a score; any integer outside 0..=100 is a [`ScoreError`].
            pub fn new(value: impl Into<i64>) -> Result<Self, ScoreError> {
                let value: i64 = value.into();
                u8::try_from(value)
                    .ok()
                    .filter(|v| *v <= 100)
                    .map(Self)
                    .ok_or(ScoreError { kind: $kind, value })
            }

            /// The score, 0 to 100.
            pub fn value(self) -> u8 {
                self.0
            }
        }

        impl TryFrom<i64> for $name {
            type Error = ScoreError;
            fn try_from(value: i64) -> Result<Self, Self::Error> {
                Self::new(value)
            }
        }

        impl TryFrom<i32> for $name {
            type Error = ScoreError;
            fn try_from(value: i32) -> Result<Self, Self::Error> {
                Self::new(value)
            }
        }

        impl TryFrom<i16> for $name {
            type Error = ScoreError;
            fn try_from(value: i16) -> Result<Self, Self::Error> {
                Self::new(value)
            }
        }

        impl From<$name> for u8 {
            fn from(score: $name) -> u8 {
                score.0
            }
        }

        impl From<$name> for i16 {
            fn from(score: $name) -> i16 {
                i16::from(score.0)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}/100", self.0)
            }
        }
    };
}

bounded_score!(
    /// An AML risk score from 0 (no risk found) to 100 (certain risk). Its [`RiskLevel`](crate::RiskLevel)
    /// is derived from it, never stored apart from it.
    ///
    /// ```
    /// use compliance_domain::{RiskLevel, RiskScore};
    /// let score = RiskScore::new(68)?;
    /// assert_eq!(score.value(), 68);
    /// assert_eq!(score.level(), RiskLevel::High);
    /// assert_eq!(score.to_string(), "68/100");
    /// assert!(RiskScore::new(101).is_err());
    /// assert!(RiskScore::new(-1).is_err());
    /// # Ok::<(), compliance_domain::ScoreError>(())
    /// ```
    RiskScore,
    "risk score"
);

bounded_score!(
    /// How well an identity was verified, from 0 (not at all) to 100 (fully), as reported by the
    /// KYC provider.
    ///
    /// ```
    /// use compliance_domain::VerificationScore;
    /// assert_eq!(VerificationScore::new(95)?.value(), 95);
    /// assert!(VerificationScore::new(250).is_err());
    /// # Ok::<(), compliance_domain::ScoreError>(())
    /// ```
    VerificationScore,
    "verification score"
);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn bounds() {
        assert_eq!(RiskScore::new(0).unwrap(), RiskScore::MIN);
        assert_eq!(RiskScore::new(100).unwrap(), RiskScore::MAX);
        assert_eq!(
            RiskScore::new(101),
            Err(ScoreError {
                kind: "risk score",
                value: 101
            })
        );
        assert_eq!(
            VerificationScore::new(-5).unwrap_err().to_string(),
            "verification score must be between 0 and 100, got -5"
        );
    }

    #[test]
    fn serde_goes_through_the_constructor() {
        assert!(serde_json::from_str::<RiskScore>("101").is_err());
        assert!(serde_json::from_str::<RiskScore>("-1").is_err());
        assert!(serde_json::from_str::<RiskScore>("\"50\"").is_err());
        assert_eq!(serde_json::from_str::<RiskScore>("50").unwrap().value(), 50);
        assert_eq!(
            serde_json::to_string(&RiskScore::new(7).unwrap()).unwrap(),
            "7"
        );
    }

    proptest! {
        #[test]
        fn risk_score_accepts_exactly_0_to_100(value in any::<i64>()) {
            prop_assert_eq!(RiskScore::new(value).is_ok(), (0..=100).contains(&value));
            prop_assert_eq!(VerificationScore::new(value).is_ok(), (0..=100).contains(&value));
        }

        #[test]
        fn value_round_trips(value in 0i64..=100) {
            prop_assert_eq!(i64::from(RiskScore::new(value).unwrap().value()), value);
        }
    }
}
