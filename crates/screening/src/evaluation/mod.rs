//! Evaluation of the matcher on a labelled set: recall of true variants and precision of the
//! matches at each band, and the number of matches made of generic words only above review.
//! Figures are ratios kept as [`MatchScore`] (0 to 1, four decimals), so no float is involved.
//!
//! Must not: tune anything. It measures; the test beside it holds the targets.

pub mod fixtures;
mod generate;
pub mod sample;

pub use fixtures::fixtures_report;
pub use generate::{COMMON_NAMES, Case, GENERIC_NAMES, generate, generate_lists};

use compliance_domain::MatchScore;
use serde::Serialize;

use crate::bands::Bands;
use crate::features::{Feature, FeatureName};
use crate::matcher::Screener;
use crate::normalise::{is_generic, is_particle, normalise};

/// Figures at one threshold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BandFigures {
    /// `review` or `reject`.
    pub band: String,
    /// The threshold.
    pub threshold: MatchScore,
    /// True variants whose expected entry scored at or above the threshold, over all variants.
    pub recall: MatchScore,
    /// Matches at or above the threshold that were the expected entry, over all such matches.
    pub precision: MatchScore,
    /// Matches of the expected entry at or above the threshold.
    pub true_positives: usize,
    /// Other matches at or above the threshold (hard negatives, or the wrong entry).
    pub false_positives: usize,
    /// True variants whose entry was not found at the threshold, as `label: query`.
    pub missed: Vec<String>,
    /// Wrong matches, as `label: query -> entry (score)`.
    pub wrong: Vec<String>,
}

/// An evaluation's figures, ready for JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// True variants in the set.
    pub variants: usize,
    /// Hard negatives in the set.
    pub negatives: usize,
    /// Review band, then reject band.
    pub bands: Vec<BandFigures>,
    /// Matches at or above review whose subject name has no informative word (only generic
    /// words, particles or legal forms), not carried by an identifier or wallet, other than a
    /// listed name of generic words met word for word.
    pub generic_only_above_review: usize,
}

fn ratio(part: usize, whole: usize) -> MatchScore {
    if whole == 0 {
        return MatchScore::ONE;
    }
    let points = part.saturating_mul(10_000) / whole;
    MatchScore::from_basis_points(u16::try_from(points).unwrap_or(10_000))
        .unwrap_or(MatchScore::ONE)
}

fn exact_value(feature: &Feature) -> bool {
    matches!(feature.name, FeatureName::Identifier | FeatureName::Wallet)
}

/// Screens every case and counts.
pub fn evaluate(screener: &Screener, cases: &[Case], bands: &Bands) -> Report {
    let results: Vec<_> = cases
        .iter()
        .map(|c| (c, screener.screen(&c.query, bands.review_at)))
        .collect();
    let mut figures = Vec::new();
    for (band, threshold) in [("review", bands.review_at), ("reject", bands.reject_at)] {
        let mut f = BandFigures {
            band: band.to_owned(),
            threshold,
            recall: MatchScore::ZERO,
            precision: MatchScore::ZERO,
            true_positives: 0,
            false_positives: 0,
            missed: Vec::new(),
            wrong: Vec::new(),
        };
        let mut found = 0;
        for (case, matches) in &results {
            let query = case.query.names.join(" / ");
            let above = matches.iter().filter(|m| m.score >= threshold);
            let mut hit = false;
            for m in above {
                let found = (m.list.clone(), m.entry.clone());
                if case.expected.as_ref() == Some(&found) {
                    hit = true;
                    f.true_positives += 1;
                } else if case.also.contains(&found) {
                    // The same designee on another list: right, neither required nor counted.
                } else {
                    f.false_positives += 1;
                    f.wrong.push(format!(
                        "{}: {query} -> {} {} ({})",
                        case.label, m.entry, m.list_name, m.score
                    ));
                }
            }
            if case.expected.is_some() {
                if hit {
                    found += 1;
                } else {
                    f.missed.push(format!("{}: {query}", case.label));
                }
            }
        }
        let variants = cases.iter().filter(|c| c.expected.is_some()).count();
        f.recall = ratio(found, variants);
        f.precision = ratio(f.true_positives, f.true_positives + f.false_positives);
        figures.push(f);
    }
    let generic_only_above_review = results
        .iter()
        .flat_map(|(_, matches)| matches)
        .filter(|m| m.score >= bands.review_at)
        .filter(|m| {
            !m.features
                .iter()
                .any(|f| exact_value(f) && f.contribution > 0)
        })
        .filter(|m| {
            let subject = normalise(&m.subject_name).tokens;
            // A listed name of generic words met word for word is that name, not a generic match.
            subject.iter().all(|t| is_generic(t) || is_particle(t))
                && subject != normalise(&m.list_name).tokens
        })
        .count();
    Report {
        variants: cases.iter().filter(|c| c.expected.is_some()).count(),
        negatives: cases.iter().filter(|c| c.expected.is_none()).count(),
        bands: figures,
        generic_only_above_review,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_list_meets_the_targets() {
        let entries = sample::entries();
        let cases = generate(&sample::list_name(), &entries, &sample::spellings());
        let screener = Screener::from_lists([(sample::list_name(), entries)]);
        let report = evaluate(&screener, &cases, &Bands::example());
        let json = serde_json::to_string_pretty(&report).unwrap_or_default();
        // The figures on stderr, for the report (`cargo test -- --nocapture`).
        eprintln!("{json}");
        let review = &report.bands[0];
        assert!(review.recall.basis_points() >= 9_800, "{json}");
        assert!(review.precision.basis_points() >= 9_500, "{json}");
        assert_eq!(report.generic_only_above_review, 0, "{json}");
        assert!(report.variants >= 150 && report.negatives >= 60, "{json}");
    }
}
