//! Support for the benchmarks and for `cargo xtask bench`: a deterministic synthetic list of
//! any size (a small linear congruential generator over name syllables, no downloads, no rand
//! crate) and a p99 of single-query latencies.
//!
//! Must not: be used for screening. It reads the clock (to time queries) and nothing else.

use std::time::{Duration, Instant};

use compliance_domain::{ListEntryRef, ListName, MatchScore, WatchlistKind};

use crate::entry::{EntrySchema, ListEntry};
use crate::matcher::Screener;
use crate::query::Query;

const SYLLABLES: &[&str] = &[
    "ka", "ri", "mo", "sa", "le", "na", "vo", "ta", "mi", "ro", "dan", "hel", "zar", "bek", "lin",
    "gor", "sha", "fi", "tu", "ne", "ba", "kov", "ev", "ah", "mad", "ul", "din", "ser", "gei",
    "per",
];

/// A deterministic pseudo-random sequence (Knuth's MMIX constants).
#[derive(Debug, Clone)]
pub struct Lcg(u64);

impl Lcg {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next value below `bound` (which must be non-zero).
    pub fn below(&mut self, bound: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(self.0 >> 33).unwrap_or(0) % bound.max(1)
    }

    fn word(&mut self) -> String {
        let parts = 2 + self.below(2);
        let mut word: String = (0..parts)
            .map(|_| SYLLABLES[self.below(SYLLABLES.len())])
            .collect();
        if let Some(first) = word.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        word
    }
}

/// `entries` synthetic person entries of two or three names each, the same for the same seed.
pub fn synthetic_list(entries: usize, seed: u64) -> Vec<ListEntry> {
    let mut lcg = Lcg::new(seed);
    (0..entries)
        .map(|i| {
            let words = 2 + lcg.below(2);
            let name: Vec<String> = (0..words).map(|_| lcg.word()).collect();
            ListEntry {
                id: ListEntryRef::parse(&format!("SYN-{i}"))
                    .unwrap_or_else(|_| unreachable!("valid")),
                kind: WatchlistKind::Sanctions,
                schema: EntrySchema::Person,
                names: vec![name.join(" ")],
                dates: Vec::new(),
                countries: Vec::new(),
                identifiers: Vec::new(),
                wallets: Vec::new(),
                programmes: Vec::new(),
            }
        })
        .collect()
}

/// A screener over a synthetic list of `entries` entries.
pub fn synthetic_screener(entries: usize, seed: u64) -> Screener {
    let list = ListName::parse("SYNTHETIC").unwrap_or_else(|_| unreachable!("valid"));
    Screener::from_lists([(list, synthetic_list(entries, seed))])
}

/// `count` query names drawn from `list` the way [`query_p99`] draws them: every other one a
/// listed name with a letter changed, the rest two syllable words the list does not hold. The
/// same for the same list, so a reference can be timed on exactly the index's queries.
pub fn query_names(list: &[ListEntry], count: usize) -> Vec<String> {
    let mut lcg = Lcg::new(7);
    (0..count)
        .map(|k| {
            match list
                .get(lcg.below(list.len()))
                .and_then(|e| e.names.first())
            {
                Some(name) if k % 2 == 0 => name.replacen('a', "e", 1),
                _ => format!("{} {}", lcg.word(), lcg.word()),
            }
        })
        .collect()
}

/// The time each name takes to screen, one after the other on the calling thread, with floor
/// 0.5 (the query is built before the clock starts).
pub fn query_times(screener: &Screener, names: &[String]) -> Vec<Duration> {
    let floor = MatchScore::from_basis_points(5_000).unwrap_or(MatchScore::ZERO);
    names
        .iter()
        .map(|name| {
            let query = Query::name(name);
            let start = Instant::now();
            let matches = screener.screen(&query, floor);
            let took = start.elapsed();
            std::hint::black_box(matches);
            took
        })
        .collect()
}

/// The 99th percentile of `times` (zero when empty).
pub fn p99(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort_unstable();
    let at = (sorted.len() * 99 / 100).min(sorted.len().saturating_sub(1));
    sorted.get(at).copied().unwrap_or_default()
}

/// The 99th percentile of the time one query takes, over `queries` queries: names taken from
/// the list with a letter changed, and names the list does not hold, screened with floor 0.5.
pub fn query_p99(screener: &Screener, list: &[ListEntry], queries: usize) -> Duration {
    p99(&query_times(screener, &query_names(list, queries)))
}
