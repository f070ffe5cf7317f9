//! The screener: lists loaded once into an index, then each query screened against it. Each
//! match says which subject name met which list name and how every feature moved the score.
//!
//! Must not: do I/O, depend on anything but its inputs (same lists and query, same matches in
//! the same order), or scan every entry (candidates come from the index, identifiers and
//! wallets from exact-value maps).

use std::collections::{BTreeMap, HashMap};

use compliance_domain::{ListEntryRef, ListName, MatchScore, WatchlistKind};
use serde::Serialize;

use crate::entry::{EntrySchema, ListEntry};
use crate::features::{self, Feature};
use crate::index::Index;
use crate::normalise::normalise;

mod explain;
use crate::query::{Query, normal_identifier, normal_wallet};
use crate::similarity::{Comparison, Prepared, compare};

/// One list entry the subject matched, explained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Match {
    /// The list, e.g. `OFAC-SDN`.
    pub list: ListName,
    /// The entry on that list.
    pub entry: ListEntryRef,
    /// Sanctions, PEP or adverse media.
    pub kind: WatchlistKind,
    /// Person, organisation, ...
    pub schema: EntrySchema,
    /// The score, 0 to 1: the sum of the features' contributions.
    pub score: MatchScore,
    /// The subject's name that met the list name (empty when only an identifier matched).
    pub subject_name: String,
    /// The list's name (primary or alias, as the list wrote it) that the subject name met.
    pub list_name: String,
    /// Every feature's contribution, in the order applied.
    pub features: Vec<Feature>,
}

#[derive(Debug, Clone)]
struct Stored {
    list: ListName,
    entry: ListEntry,
}

/// Screens subjects against one or more lists.
#[derive(Debug, Clone, Default)]
pub struct Screener {
    entries: Vec<Stored>,
    index: Index,
    identifiers: HashMap<String, Vec<u32>>,
    wallets: HashMap<String, Vec<u32>>,
}

impl Screener {
    /// An empty screener.
    pub fn new() -> Self {
        Self::default()
    }

    /// A screener over the given lists.
    pub fn from_lists(lists: impl IntoIterator<Item = (ListName, Vec<ListEntry>)>) -> Self {
        let mut screener = Self::new();
        for (list, entries) in lists {
            screener.add_list(list, entries);
        }
        screener
    }

    /// Adds every entry of one list: its names to the index, its identifiers and wallets to
    /// their exact-value maps.
    pub fn add_list(&mut self, list: ListName, entries: Vec<ListEntry>) {
        for entry in entries {
            let id = u32::try_from(self.entries.len()).unwrap_or(u32::MAX);
            for name in &entry.names {
                self.index.add(id, name);
            }
            for identifier in &entry.identifiers {
                let value = normal_identifier(&identifier.value);
                if !value.is_empty() {
                    self.identifiers.entry(value).or_default().push(id);
                }
            }
            for wallet in &entry.wallets {
                self.wallets
                    .entry(normal_wallet(wallet))
                    .or_default()
                    .push(id);
            }
            self.entries.push(Stored {
                list: list.clone(),
                entry,
            });
        }
    }

    /// The number of entries loaded.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no entry is loaded.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every match scoring at least `floor`, highest score first, then by list and entry.
    pub fn screen(&self, query: &Query, floor: MatchScore) -> Vec<Match> {
        // Best name comparison per entry: (similarity, subject name index, list name index).
        let mut best: BTreeMap<u32, (Comparison, usize, u32)> = BTreeMap::new();
        for (qi, name) in query.names.iter().enumerate() {
            let normal = normalise(name);
            let prepared = Prepared::new(&normal);
            for id in self.index.candidates(&normal) {
                let Some(indexed) = self.index.names.get(id as usize) else {
                    continue;
                };
                let comparison = compare(&prepared, &indexed.prepared);
                let better = best
                    .get(&indexed.entry)
                    .is_none_or(|(c, _, _)| comparison.similarity > c.similarity);
                if better {
                    best.insert(indexed.entry, (comparison, qi, id));
                }
            }
        }
        let mut exact: Vec<u32> = Vec::new();
        for q in &query.identifiers {
            exact.extend(
                self.identifiers
                    .get(&normal_identifier(&q.value))
                    .into_iter()
                    .flatten(),
            );
        }
        for w in &query.wallets {
            exact.extend(self.wallets.get(&normal_wallet(w)).into_iter().flatten());
        }
        // Only entries whose name could still reach the floor with every bonus are explained.
        let reach = i32::from(floor.basis_points())
            - features::BIRTH_DATE_AGREES
            - features::COUNTRY_AGREES;
        best.retain(|_, (c, _, _)| i32::from(c.similarity) >= reach);
        let mut entries: Vec<u32> = best.keys().copied().chain(exact).collect();
        entries.sort_unstable();
        entries.dedup();

        let mut matches: Vec<Match> = entries
            .into_iter()
            .filter_map(|id| self.explain(query, id, best.get(&id)))
            .filter(|m| m.score >= floor)
            .collect();
        matches.sort_by(|a, b| {
            b.score
                .cmp(&a.score)
                .then_with(|| a.list.cmp(&b.list))
                .then_with(|| a.entry.cmp(&b.entry))
        });
        matches
    }

    /// The entries that list this one wallet address (compared in [`normal_wallet`]'s form),
    /// each as a match of score 1 explained by its `wallet` feature, by list and entry; empty
    /// when no entry lists it. An exact-map lookup: no name is compared, nothing is scanned.
    pub fn wallet_matches(&self, address: &str) -> Vec<Match> {
        let Some(ids) = self.wallets.get(&normal_wallet(address)) else {
            return Vec::new();
        };
        let query = Query {
            wallets: vec![address.to_owned()],
            ..Query::default()
        };
        let mut matches: Vec<Match> = ids
            .iter()
            .filter_map(|&id| self.explain(&query, id, None))
            .collect();
        matches.sort_by(|a, b| a.list.cmp(&b.list).then_with(|| a.entry.cmp(&b.entry)));
        matches.dedup_by(|a, b| a.list == b.list && a.entry == b.entry);
        matches
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::sample;
    use crate::features::FeatureName;
    use proptest::prelude::*;

    fn screener() -> Screener {
        Screener::from_lists([(sample::list_name(), sample::entries())])
    }

    #[test]
    fn identifiers_and_wallets_match_exactly_whatever_the_name() {
        let s = screener();
        let mut q = Query::name("Someone Else");
        q.identifiers.push(crate::QueryIdentifier {
            kind: "passport".into(),
            value: "751234567".into(),
        });
        q.wallets
            .push("0x7f367cc41522ce07553e823bf3be79a889debe1b".into());
        let found = s.screen(&q, MatchScore::ONE);
        let ids: Vec<&str> = found.iter().map(|m| m.entry.as_str()).collect();
        assert_eq!(ids, ["S-11", "S-30"]);
    }

    #[test]
    fn a_bare_wallet_address_finds_the_entries_listing_it_in_its_normal_form() {
        let s = screener();
        let found = s.wallet_matches("0x7F367CC41522CE07553E823BF3BE79A889DEBE1B");
        let ids: Vec<&str> = found.iter().map(|m| m.entry.as_str()).collect();
        assert_eq!(ids, ["S-30"]);
        assert!(found.iter().all(|m| m.score == MatchScore::ONE
            && m.features.iter().any(|f| f.name == FeatureName::Wallet)));
        // Not listed, and a near miss of a case-sensitive (base58) address, find nothing.
        assert!(
            s.wallet_matches("0x0000000000000000000000000000000000000000")
                .is_empty()
        );
        assert!(s.wallet_matches("").is_empty());
    }

    #[test]
    fn a_conflicting_birth_date_lowers_and_contributions_add_up() {
        let s = screener();
        let mut q = Query::name("Dmitry Volkov");
        q.birth = Some(crate::PartialDate {
            year: 1990,
            month: None,
            day: None,
        });
        let found = s.screen(&q, MatchScore::ZERO);
        let m = found.iter().find(|m| m.entry.as_str() == "S-11");
        let Some(m) = m else {
            panic!("S-11 not found: {found:?}")
        };
        assert!(
            m.features
                .iter()
                .any(|f| f.name == FeatureName::BirthDate && f.contribution < 0)
        );
        let sum: i32 = m.features.iter().map(|f| f.contribution).sum();
        assert_eq!(sum, i32::from(m.score.basis_points()));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn every_listed_name_finds_its_entry_first(k in 0usize..40, n in 0usize..2) {
            let entries = sample::entries();
            let entry = &entries[k];
            let name = &entry.names[n.min(entry.names.len() - 1)];
            let s = screener();
            let found = s.screen(&Query::name(name), MatchScore::ZERO);
            prop_assert!(found.first().is_some_and(|m| m.score == MatchScore::ONE));
            prop_assert!(found.iter().any(|m| m.entry == entry.id && m.score == MatchScore::ONE));
        }

        #[test]
        fn screening_is_deterministic_and_bounded(name in "[A-Za-z]{2,9}( [A-Za-z]{2,9}){0,3}") {
            let s = screener();
            let q = Query::name(&name);
            let first = s.screen(&q, MatchScore::ZERO);
            prop_assert_eq!(&first, &s.screen(&q, MatchScore::ZERO));
            for m in &first {
                prop_assert!(m.score <= MatchScore::ONE);
                let sum: i32 = m.features.iter().map(|f| f.contribution).sum();
                prop_assert_eq!(sum, i32::from(m.score.basis_points()));
            }
        }
    }
}
