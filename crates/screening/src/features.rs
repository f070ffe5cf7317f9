//! The parts of a match score, each with a name, a signed contribution in basis points and a
//! detail, as nomenklatura and yente explain theirs: name similarity first, then the cap on
//! generic words, then date of birth, country, identifier and wallet agreement or conflict.
//!
//! Must not: do float arithmetic, or let the running score leave 0..=10000 (each contribution
//! is the change it made to the clamped total, so the contributions add up to the score).

use serde::{Deserialize, Serialize};

use crate::entry::{ListEntry, PartialDate};
use crate::query::{Query, normal_identifier, normal_wallet};

/// Added when dates of birth agree on the full date, or on the year when only years are known.
pub const BIRTH_DATE_AGREES: i32 = 300;
/// Added when only the years agree and one side knows more.
pub const BIRTH_YEAR_AGREES: i32 = 150;
/// Subtracted when the years differ by more than one.
pub const BIRTH_DATE_CONFLICTS: i32 = -1_500;
/// Added when a country is shared.
pub const COUNTRY_AGREES: i32 = 200;
/// Subtracted when both sides name countries and none is shared.
pub const COUNTRY_CONFLICTS: i32 = -500;
/// Subtracted when an identifier of the same kind and country differs.
pub const IDENTIFIER_CONFLICTS: i32 = -1_000;
/// A match on generic words only is capped here (below any sensible review band).
pub const GENERIC_ONLY_CAP: i32 = 5_000;

/// What a feature measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeatureName {
    /// The best name similarity (token alignment and coverage).
    NameSimilarity,
    /// The cap applied when only generic words or particles matched.
    GenericOnly,
    /// Date of birth or incorporation.
    BirthDate,
    /// Countries.
    Country,
    /// An identifier (passport, registration number, ...).
    Identifier,
    /// A digital currency address.
    Wallet,
}

/// One part of a match's score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feature {
    /// What was measured.
    pub name: FeatureName,
    /// Its change to the score, in basis points (10000 = 1.0); negative lowers.
    pub contribution: i32,
    /// What was compared, in words.
    pub detail: String,
}

/// Adds features to a running score, keeping it within 0..=10000.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    pub(crate) total: i32,
    pub(crate) features: Vec<Feature>,
}

impl Tally {
    pub(crate) fn add(&mut self, name: FeatureName, change: i32, detail: String) {
        let next = (self.total + change).clamp(0, 10_000);
        self.features.push(Feature {
            name,
            contribution: next - self.total,
            detail,
        });
        self.total = next;
    }

    /// Sets the score to `value` when it is lower than the running total.
    pub(crate) fn cap(&mut self, name: FeatureName, value: i32, detail: String) {
        if self.total > value {
            self.add(name, value - self.total, detail);
        }
    }
}

fn date_text(d: &PartialDate) -> String {
    match (d.month, d.day) {
        (Some(m), Some(day)) => format!("{:04}-{m:02}-{day:02}", d.year),
        (Some(m), None) => format!("{:04}-{m:02}", d.year),
        _ => format!("{:04}", d.year),
    }
}

/// Date of birth: the best of the entry's dates against the subject's.
pub(crate) fn birth_date(tally: &mut Tally, query: &Query, entry: &ListEntry) {
    let Some(birth) = query.birth else { return };
    if entry.dates.is_empty() {
        return;
    }
    let rank = |d: &PartialDate| {
        let same = |a: Option<u8>, b: Option<u8>| a.is_none() || b.is_none() || a == b;
        if d.year == birth.year && same(d.month, birth.month) && same(d.day, birth.day) {
            let full = d.month.is_some() == birth.month.is_some()
                && d.day.is_some() == birth.day.is_some();
            if full {
                BIRTH_DATE_AGREES
            } else {
                BIRTH_YEAR_AGREES
            }
        } else if (i32::from(d.year) - i32::from(birth.year)).abs() <= 1 {
            0
        } else {
            BIRTH_DATE_CONFLICTS
        }
    };
    let Some(best) = entry
        .dates
        .iter()
        .max_by_key(|d| (rank(d), std::cmp::Reverse(**d)))
    else {
        return;
    };
    let change = rank(best);
    let verdict = match change {
        c if c > 0 => "agrees",
        0 => "is within a year",
        _ => "conflicts",
    };
    let detail = format!(
        "subject {} {verdict} with list {}",
        date_text(&birth),
        date_text(best)
    );
    tally.add(FeatureName::BirthDate, change, detail);
}

/// Countries: any shared raises, none shared (both known) lowers.
pub(crate) fn country(tally: &mut Tally, query: &Query, entry: &ListEntry) {
    if query.countries.is_empty() || entry.countries.is_empty() {
        return;
    }
    let shared: Vec<&String> = query
        .countries
        .iter()
        .filter(|c| entry.countries.iter().any(|e| e.eq_ignore_ascii_case(c)))
        .collect();
    match shared.first() {
        Some(c) => tally.add(
            FeatureName::Country,
            COUNTRY_AGREES,
            format!("both name {c}"),
        ),
        None => tally.add(
            FeatureName::Country,
            COUNTRY_CONFLICTS,
            format!(
                "subject {} against list {}",
                query.countries.join(","),
                entry.countries.join(",")
            ),
        ),
    }
}

/// Identifiers: an exact match makes the score 1; a different value of the same kind and
/// issuing country lowers it.
pub(crate) fn identifier(tally: &mut Tally, query: &Query, entry: &ListEntry) -> bool {
    let mut conflict = None;
    for q in &query.identifiers {
        let value = normal_identifier(&q.value);
        for e in &entry.identifiers {
            let kinds_meet = q.kind == e.kind || q.kind == "other" || e.kind == "other";
            if kinds_meet && !value.is_empty() && value == normal_identifier(&e.value) {
                tally.add(
                    FeatureName::Identifier,
                    10_000,
                    format!("{} {} matches exactly", e.kind, e.value),
                );
                return true;
            }
            if q.kind == e.kind && e.country.is_some() {
                conflict.get_or_insert_with(|| e.kind.clone());
            }
        }
    }
    if let Some(kind) = conflict {
        tally.add(
            FeatureName::Identifier,
            IDENTIFIER_CONFLICTS,
            format!("{kind} differs"),
        );
    }
    false
}

/// Wallets: an exact match (in normal form) makes the score 1.
pub(crate) fn wallet(tally: &mut Tally, query: &Query, entry: &ListEntry) -> bool {
    for q in &query.wallets {
        let value = normal_wallet(q);
        if let Some(e) = entry.wallets.iter().find(|e| normal_wallet(e) == value) {
            tally.add(
                FeatureName::Wallet,
                10_000,
                format!("wallet {e} matches exactly"),
            );
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contributions_add_up_to_a_bounded_total() {
        let mut tally = Tally::default();
        tally.add(FeatureName::NameSimilarity, 9_800, String::new());
        tally.add(FeatureName::BirthDate, 300, String::new());
        tally.add(FeatureName::Country, -500, String::new());
        assert_eq!(tally.total, 9_500);
        assert_eq!(
            tally.features.iter().map(|f| f.contribution).sum::<i32>(),
            9_500
        );
        tally.cap(FeatureName::GenericOnly, 5_000, String::new());
        assert_eq!(tally.total, 5_000);
    }
}
