//! Risk levels and how they follow from a risk score.
//!
//! Must not: let a level be chosen apart from its score. The bands are written here once; the
//! database's CHECK constraint repeats them and a test compares the two.

use crate::RiskScore;
use std::ops::RangeInclusive;

crate::text_enum! {
    /// How risky an entity is, derived from its [`RiskScore`]:
    ///
    /// | level | scores |
    /// |---|---|
    /// | `LOW` | 0-30 |
    /// | `MEDIUM` | 31-60 |
    /// | `HIGH` | 61-84 |
    /// | `CRITICAL` | 85-100 |
    ///
    /// The seed material wrote "LOW 0-30, MEDIUM 30-60, CRITICAL 85-100": 30 belonged to two bands and
    /// 61-84 to none. Here 30 is LOW and 61-84 is HIGH.
    ///
    /// `Ord` follows severity: `Low < Medium < High < Critical`.
    ///
    /// ```
    /// use compliance_domain::{RiskLevel, RiskScore};
    /// assert_eq!(RiskLevel::from_score(RiskScore::new(30)?), RiskLevel::Low);
    /// assert_eq!(RiskLevel::from_score(RiskScore::new(31)?), RiskLevel::Medium);
    /// assert_eq!(RiskLevel::from_score(RiskScore::new(84)?), RiskLevel::High);
    /// assert_eq!(RiskLevel::from_score(RiskScore::new(85)?), RiskLevel::Critical);
    /// assert_eq!(RiskLevel::High.scores(), 61..=84);
    /// # Ok::<(), compliance_domain::ScoreError>(())
    /// ```
    #[strum(serialize_all = "UPPERCASE")]
    pub enum RiskLevel as "risk level" {
        /// Scores 0-30.
        Low,
        /// Scores 31-60.
        Medium,
        /// Scores 61-84.
        High,
        /// Scores 85-100.
        Critical,
    }
}

impl RiskLevel {
    /// The level a score falls in.
    pub fn from_score(score: RiskScore) -> Self {
        match score.value() {
            0..=30 => RiskLevel::Low,
            31..=60 => RiskLevel::Medium,
            61..=84 => RiskLevel::High,
            _ => RiskLevel::Critical,
        }
    }

    /// The scores that give this level.
    pub fn scores(self) -> RangeInclusive<u8> {
        match self {
            RiskLevel::Low => 0..=30,
            RiskLevel::Medium => 31..=60,
            RiskLevel::High => 61..=84,
            RiskLevel::Critical => 85..=100,
        }
    }

    /// True for the levels reported as high risk (`HIGH` and `CRITICAL`).
    pub fn is_high(self) -> bool {
        self >= RiskLevel::High
    }
}

impl RiskScore {
    /// The risk level this score falls in.
    pub fn level(self) -> RiskLevel {
        RiskLevel::from_score(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use strum::VariantArray;

    #[test]
    fn bands_cover_0_to_100_without_overlap() {
        let mut covered = [0u8; 101];
        for level in RiskLevel::VARIANTS {
            for score in level.scores() {
                covered[usize::from(score)] += 1;
            }
        }
        assert!(covered.iter().all(|n| *n == 1), "{covered:?}");
    }

    #[test]
    fn band_edges() {
        let level = |s: i64| RiskScore::new(s).unwrap().level();
        assert_eq!(
            [0, 30, 31, 60, 61, 84, 85, 100].map(level),
            [
                RiskLevel::Low,
                RiskLevel::Low,
                RiskLevel::Medium,
                RiskLevel::Medium,
                RiskLevel::High,
                RiskLevel::High,
                RiskLevel::Critical,
                RiskLevel::Critical
            ]
        );
        assert!(!RiskLevel::Medium.is_high());
        assert!(RiskLevel::High.is_high() && RiskLevel::Critical.is_high());
    }

    proptest! {
        #[test]
        fn level_is_monotone_in_the_score(a in 0u8..=100, b in 0u8..=100) {
            let (lo, hi) = (a.min(b), a.max(b));
            prop_assert!(RiskScore::new(lo).unwrap().level() <= RiskScore::new(hi).unwrap().level());
        }

        #[test]
        fn score_lies_in_its_levels_band(s in 0u8..=100) {
            prop_assert!(RiskScore::new(s).unwrap().level().scores().contains(&s));
        }
    }
}
