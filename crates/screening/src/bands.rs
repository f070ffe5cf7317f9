//! Bands: where a match score sends a case (reject, review, or below both). The thresholds are
//! rule parameters set elsewhere; [`Bands::example`] holds the values the evaluation targets.
//!
//! Must not: do float arithmetic (scores are basis points) or decide a case: rules do.

use compliance_domain::MatchScore;
use serde::{Deserialize, Serialize};

/// Which band a score falls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    /// At or above `reject_at`.
    Reject,
    /// At or above `review_at`, below `reject_at`.
    Review,
    /// Below `review_at`.
    Below,
}

/// Two thresholds: review from `review_at`, reject from `reject_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Bands {
    /// Scores at or above this go to review.
    pub review_at: MatchScore,
    /// Scores at or above this are rejected.
    pub reject_at: MatchScore,
}

impl Bands {
    /// Review from 0.85, reject from 0.95: the values the evaluation's targets are set at.
    /// (A function, not a const: `MatchScore::from_basis_points` is not `const`.)
    pub fn example() -> Self {
        Self {
            review_at: MatchScore::from_basis_points(8_500).unwrap_or(MatchScore::ZERO),
            reject_at: MatchScore::from_basis_points(9_500).unwrap_or(MatchScore::ONE),
        }
    }

    /// The band of `score`.
    pub fn band(&self, score: MatchScore) -> Band {
        if score >= self.reject_at {
            Band::Reject
        } else if score >= self.review_at {
            Band::Review
        } else {
            Band::Below
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_start_at_their_threshold() {
        let at = |bp| {
            Bands::example().band(MatchScore::from_basis_points(bp).unwrap_or(MatchScore::ZERO))
        };
        assert_eq!(at(8_499), Band::Below);
        assert_eq!(at(8_500), Band::Review);
        assert_eq!(at(9_499), Band::Review);
        assert_eq!(at(9_500), Band::Reject);
        assert_eq!(
            serde_json::to_string(&Band::Reject).unwrap_or_default(),
            "\"reject\""
        );
    }
}
