//! How strongly a screened name matched a list entry: a number from 0 to 1 with at most four
//! decimals, kept as basis points (an integer 0..=10000) so that comparing it with a band is
//! exact and no float arithmetic is done on it.
//!
//! Must not: let a value outside 0..=1, or with more than four decimals, exist. Its text form
//! (and its JSON number) is the decimal, e.g. `0.9512`.

use std::fmt;
use std::str::FromStr;

/// A text that is not a match score.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a match score is a number from 0 to 1 with at most four decimals, e.g. 0.95, got {0:?}")]
pub struct MatchScoreError(String);

/// A match score, 0 to 1 in steps of 0.0001.
///
/// ```
/// use compliance_domain::MatchScore;
/// let score: MatchScore = "0.95".parse()?;
/// assert_eq!(score.basis_points(), 9500);
/// assert_eq!(score.to_string(), "0.95");
/// assert_eq!(serde_json::to_string(&score).unwrap(), "0.95");
/// assert!("1.5".parse::<MatchScore>().is_err());
/// assert!("0.12345".parse::<MatchScore>().is_err());
/// # Ok::<(), compliance_domain::MatchScoreError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MatchScore(u16);

impl MatchScore {
    /// No likeness at all.
    pub const ZERO: Self = Self(0);
    /// An exact match.
    pub const ONE: Self = Self(10_000);

    /// From basis points (0..=10000).
    pub fn from_basis_points(points: u16) -> Option<Self> {
        (points <= 10_000).then_some(Self(points))
    }

    /// The score in basis points, 0..=10000.
    pub fn basis_points(self) -> u16 {
        self.0
    }
}

impl fmt::Display for MatchScore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, fraction) = (self.0 / 10_000, self.0 % 10_000);
        if fraction == 0 {
            return write!(f, "{whole}");
        }
        let digits = format!("{fraction:04}");
        write!(f, "{whole}.{}", digits.trim_end_matches('0'))
    }
}

impl FromStr for MatchScore {
    type Err = MatchScoreError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let err = || MatchScoreError(text.chars().take(24).collect());
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !digits(whole) || !digits(fraction) || fraction.len() > 4 {
            return Err(err());
        }
        if text.contains('.') && fraction.is_empty() {
            return Err(err());
        }
        let whole: u16 = match whole.trim_start_matches('0') {
            "" => 0,
            "1" => 1,
            _ => return Err(err()),
        };
        let padded = format!("{fraction:0<4}");
        let fraction: u16 = padded.parse().map_err(|_| err())?;
        Self::from_basis_points(whole * 10_000 + fraction).ok_or_else(err)
    }
}

impl serde::Serialize for MatchScore {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // The decimal text read back as a JSON number: no float arithmetic here.
        let number: serde_json::Number = self
            .to_string()
            .parse()
            .map_err(serde::ser::Error::custom)?;
        number.serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for MatchScore {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let number = serde_json::Number::deserialize(deserializer)?;
        number.to_string().parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn text_and_json_round_trip(points in 0u16..=10_000) {
            let score = MatchScore::from_basis_points(points).unwrap();
            prop_assert_eq!(score.to_string().parse::<MatchScore>().unwrap(), score);
            let json = serde_json::to_string(&score).unwrap();
            prop_assert_eq!(serde_json::from_str::<MatchScore>(&json).unwrap(), score);
        }
    }

    #[test]
    fn refuses_what_is_not_a_score() {
        for text in [
            "", ".5", "1.", "-0.5", "1.0001", "2", "0.5x", "1e-2", " 0.5",
        ] {
            assert!(text.parse::<MatchScore>().is_err(), "{text}");
        }
        assert_eq!("1.0000".parse::<MatchScore>().unwrap(), MatchScore::ONE);
        assert_eq!("00.5".parse::<MatchScore>().unwrap().basis_points(), 5000);
        // A JSON number is read as the number it is, whatever its notation.
        assert_eq!(
            serde_json::from_str::<MatchScore>("1e-2")
                .unwrap()
                .basis_points(),
            100
        );
        assert!(serde_json::from_str::<MatchScore>("0.00001").is_err());
    }
}
