//! A screening's explanation as the case page shows it: under each matched entry, the subject's
//! name beside the list's, the score and band, then each feature's part of the score in words
//! and as a signed decimal.
//!
//! Must not: show a subject's name or a feature's detail the service did not give (it gives
//! them only to the roles that may read subjects), or do float arithmetic.

use super::views::{ExplainedView, FeatureView};
use compliance_app::ScreeningRecord;
use compliance_app::screening::{Band, FeatureName};
use compliance_domain::{ListEntryRef, ListName};

/// What the page says in place of what this person may not see.
pub(super) const HIDDEN: &str = "shown to compliance officers";

/// The list versions a screening of this service ran against, in words.
pub(super) fn screened_against(s: &ScreeningRecord) -> Option<String> {
    s.explanation.as_ref().map(|e| {
        if e.versions.is_empty() {
            "no list versions".to_owned()
        } else {
            e.versions.join(", ")
        }
    })
}

/// "erased on 2031-01-02" when the subject screened was erased.
pub(super) fn erased(s: &ScreeningRecord) -> Option<String> {
    s.explanation
        .as_ref()
        .and_then(|e| e.erased_at)
        .map(|at| format!("erased on {}", at.format("%Y-%m-%d")))
}

/// True when the screening has explained matches whose subject's names are withheld.
pub(super) fn subject_hidden(s: &ScreeningRecord) -> bool {
    s.explanation
        .as_ref()
        .is_some_and(|e| !e.shows_subject && !e.matches.is_empty())
}

/// The explanation of the matched entry `list`/`entry`, if the screening has one.
pub(super) fn explained(
    s: &ScreeningRecord,
    list: &ListName,
    entry: &ListEntryRef,
) -> Option<ExplainedView> {
    let m = s
        .explanation
        .as_ref()?
        .matches
        .iter()
        .find(|m| m.list == *list && m.entry == *entry)?;
    Some(ExplainedView {
        subject_name: match &m.subject_name {
            None => format!("({HIDDEN})"),
            Some(n) if n.is_empty() => "(no name: an identifier or wallet matched)".to_owned(),
            Some(n) => n.clone(),
        },
        list_name: if m.list_name.is_empty() {
            "(no name)".to_owned()
        } else {
            m.list_name.clone()
        },
        score: m.score.to_string(),
        band: band(m.band).to_owned(),
        features: m
            .features
            .iter()
            .map(|f| FeatureView {
                name: feature(f.name).to_owned(),
                contribution: signed(f.contribution),
                detail: f.detail.clone().unwrap_or_else(|| format!("({HIDDEN})")),
            })
            .collect(),
    })
}

fn band(band: Band) -> &'static str {
    match band {
        Band::Reject => "reject",
        Band::Review => "review",
        Band::Below => "below review",
    }
}

fn feature(name: FeatureName) -> &'static str {
    match name {
        FeatureName::NameSimilarity => "Name similarity",
        FeatureName::GenericOnly => "Generic words only (capped)",
        FeatureName::BirthDate => "Date of birth",
        FeatureName::Country => "Country",
        FeatureName::Identifier => "Identifier",
        FeatureName::Wallet => "Wallet address",
    }
}

/// Basis points as a signed decimal of the score: 300 is "+0.03", -1500 "-0.15", 9234
/// "+0.9234", 0 "0.00" (at least two decimals, at most four).
pub(super) fn signed(points: i32) -> String {
    let sign = match points {
        0 => "",
        p if p > 0 => "+",
        _ => "-",
    };
    let magnitude = points.unsigned_abs();
    let mut fraction = format!("{:04}", magnitude % 10_000);
    while fraction.len() > 2 && fraction.ends_with('0') {
        fraction.pop();
    }
    format!("{sign}{}.{fraction}", magnitude / 10_000)
}

#[cfg(test)]
mod tests {
    use super::signed;

    #[test]
    fn contributions_are_signed_decimals_of_the_score() {
        for (points, text) in [
            (300, "+0.03"),
            (-1_500, "-0.15"),
            (9_234, "+0.9234"),
            (150, "+0.015"),
            (10_000, "+1.00"),
            (-10_000, "-1.00"),
            (0, "0.00"),
            (i32::MIN, "-214748.3648"),
        ] {
            assert_eq!(signed(points), text);
        }
    }
}
