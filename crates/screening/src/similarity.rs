//! Name similarity: Jaro-Winkler per token (and per consonant skeleton for names written in
//! Arabic or Devanagari), the best alignment of one name's tokens with the other's (so "Ivanov
//! Sergei" meets "Sergei Ivanov"), and coverage of both names by the aligned tokens.
//!
//! Must not: let a float out. This is the crate's one module with float arithmetic; every
//! result leaves it as basis points (0..=10000).

// Jaro-Winkler is defined over f64; this is similarity maths, never money, and every value is
// turned into integer basis points before it leaves the module.
#![allow(clippy::float_arithmetic)]

use crate::normalise::{NormalName, is_generic, is_particle};

/// Two tokens are aligned only when at least this alike.
const ALIGN_AT: f64 = 0.78;
/// Weight of a particle (`al`, `bin`) and of a generic company word (`trading`).
const PARTICLE_WEIGHT: f64 = 0.3;
const GENERIC_WEIGHT: f64 = 0.5;
/// The longer name's coverage counts this much, the shorter one's the rest.
const BEST_SIDE_WEIGHT: f64 = 0.7;
/// Applied when a single informative token meets a name that has several.
const SINGLE_TOKEN_FACTOR: f64 = 0.8;
/// A skeleton match counts a little less than a spelling match.
const SKELETON_FACTOR: f64 = 0.95;

/// A name's tokens prepared once for comparison.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    pub(crate) tokens: Vec<String>,
    pub(crate) skeletons: Vec<String>,
    pub(crate) vowels_unwritten: bool,
}

impl Prepared {
    pub(crate) fn new(name: &NormalName) -> Self {
        Self {
            skeletons: name.tokens.iter().map(|t| skeleton(t)).collect(),
            tokens: name.tokens.clone(),
            vowels_unwritten: name.vowels_unwritten,
        }
    }
}

/// A token's consonant skeleton: vowels, `y`, `w` and `h` after a consonant dropped, doubled
/// letters collapsed, `q` written `k` ("muhammad", "mohamed" and محمد all give `mhmd`).
pub(crate) fn skeleton(token: &str) -> String {
    let mut out = String::with_capacity(token.len());
    let mut prev = ' ';
    for c in token.chars() {
        let c = if c == 'q' { 'k' } else { c };
        let silent = matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y' | 'w');
        if !silent && c != prev {
            out.push(c);
        }
        prev = c;
    }
    out
}

/// How one name compared with another, in basis points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Comparison {
    /// The name similarity, 0..=10000.
    pub(crate) similarity: u16,
    /// Share of the query name's weight covered by aligned tokens.
    pub(crate) query_coverage: u16,
    /// Share of the list name's weight covered by aligned tokens.
    pub(crate) list_coverage: u16,
    /// Aligned tokens: (query token index, list token index, similarity in basis points).
    pub(crate) pairs: Vec<(usize, usize, u16)>,
    /// Every aligned token is a particle or a generic word.
    pub(crate) generic_only: bool,
    /// Only one informative token aligned while a name has several.
    pub(crate) single_token: bool,
}

fn weight(token: &str) -> f64 {
    if is_particle(token) {
        PARTICLE_WEIGHT
    } else if is_generic(token) {
        GENERIC_WEIGHT
    } else {
        1.0
    }
}

fn informative(token: &str) -> bool {
    !is_particle(token) && !is_generic(token)
}

fn token_similarity(q: &Prepared, i: usize, l: &Prepared, j: usize) -> f64 {
    let (a, b) = (&q.tokens[i], &l.tokens[j]);
    if a == b {
        return 1.0;
    }
    let mut best = strsim::jaro_winkler(a, b);
    if q.vowels_unwritten || l.vowels_unwritten {
        let (sa, sb) = (&q.skeletons[i], &l.skeletons[j]);
        if sa.len() >= 2 && sb.len() >= 2 {
            best = best.max(SKELETON_FACTOR * strsim::jaro_winkler(sa, sb));
        }
    }
    best
}

fn points(x: f64) -> u16 {
    (x.clamp(0.0, 1.0) * 10_000.0).round() as u16
}

/// Compares a query name with a list name. Symmetric: swapping the two swaps the coverages
/// and the pairs but not the similarity.
pub(crate) fn compare(q: &Prepared, l: &Prepared) -> Comparison {
    let mut all: Vec<(f64, usize, usize)> = Vec::with_capacity(q.tokens.len() * l.tokens.len());
    for i in 0..q.tokens.len() {
        for j in 0..l.tokens.len() {
            let s = token_similarity(q, i, l, j);
            if s >= ALIGN_AT {
                all.push((s, i, j));
            }
        }
    }
    // Greedy best-first alignment. Ties are broken by the two texts taken in sorted order, then
    // by positions, so that the result is deterministic and the same either way round.
    let key = |&(_, i, j): &(f64, usize, usize)| {
        let (a, b) = (q.tokens[i].as_str(), l.tokens[j].as_str());
        (a.min(b), a.max(b), i.min(j), i.max(j))
    };
    all.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| key(a).cmp(&key(b))));
    let (mut q_used, mut l_used) = (vec![false; q.tokens.len()], vec![false; l.tokens.len()]);
    let mut pairs = Vec::new();
    let (mut q_cov, mut l_cov) = (0.0, 0.0);
    for (s, i, j) in all {
        if q_used[i] || l_used[j] {
            continue;
        }
        q_used[i] = true;
        l_used[j] = true;
        q_cov += s * weight(&q.tokens[i]);
        l_cov += s * weight(&l.tokens[j]);
        pairs.push((i, j, points(s)));
    }
    let q_total: f64 = q.tokens.iter().map(|t| weight(t)).sum();
    let l_total: f64 = l.tokens.iter().map(|t| weight(t)).sum();
    let q_cov = if q_total > 0.0 { q_cov / q_total } else { 0.0 };
    let l_cov = if l_total > 0.0 { l_cov / l_total } else { 0.0 };
    let (hi, lo) = if q_cov >= l_cov {
        (q_cov, l_cov)
    } else {
        (l_cov, q_cov)
    };
    let mut similarity = BEST_SIDE_WEIGHT * hi + (1.0 - BEST_SIDE_WEIGHT) * lo;

    // A pair counts as informative when both its tokens are: the same either way round.
    let aligned_informative = pairs
        .iter()
        .filter(|p| informative(&q.tokens[p.0]) && informative(&l.tokens[p.1]))
        .count();
    let most_informative = q
        .tokens
        .iter()
        .filter(|t| informative(t))
        .count()
        .max(l.tokens.iter().filter(|t| informative(t)).count());
    let single_token = aligned_informative == 1 && most_informative >= 2;
    if single_token {
        similarity *= SINGLE_TOKEN_FACTOR;
    }
    Comparison {
        similarity: points(similarity),
        query_coverage: points(q_cov),
        list_coverage: points(l_cov),
        generic_only: !pairs.is_empty() && aligned_informative == 0,
        single_token,
        pairs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalise::normalise;
    use proptest::prelude::*;

    fn sim(a: &str, b: &str) -> u16 {
        compare(&Prepared::new(&normalise(a)), &Prepared::new(&normalise(b))).similarity
    }

    #[test]
    fn skeletons_meet_across_spellings_and_scripts() {
        assert_eq!(skeleton("muhammad"), "mhmd");
        assert_eq!(skeleton("mohamed"), "mhmd");
        assert_eq!(skeleton("ladn"), skeleton("laden"));
    }

    #[test]
    fn order_middle_names_and_scripts() {
        assert_eq!(sim("Ivanov Sergei", "Sergei Ivanov"), 10_000);
        assert!(sim("Vladimir Putin", "Vladimir Vladimirovich Putin") >= 8_500);
        assert!(sim("Usama bin Ladin", "أسامة بن لادن") >= 8_500);
        assert!(sim("Narendra Modi", "नरेंद्र मोदी") >= 9_500);
        assert!(sim("Yuri Shcherbakov", "Юрий Щербаков") >= 9_000);
    }

    #[test]
    fn a_shared_surname_alone_is_not_enough() {
        assert!(sim("Ivanov", "Sergei Ivanov") < 8_000);
        assert!(sim("Dmitri Ivanov", "Sergei Ivanov") < 7_000);
    }

    #[test]
    fn generic_words_alone_are_flagged() {
        let c = compare(
            &Prepared::new(&normalise("General Trading Corp")),
            &Prepared::new(&normalise("Al Noor General Trading LLC")),
        );
        assert!(c.generic_only);
    }

    proptest! {
        #[test]
        fn similarity_is_symmetric_and_bounded(a in "[a-z]{1,8}( [a-z]{1,8}){0,3}",
                                               b in "[a-z]{1,8}( [a-z]{1,8}){0,3}") {
            let (x, y) = (sim(&a, &b), sim(&b, &a));
            prop_assert!(x <= 10_000);
            prop_assert_eq!(x, y);
        }
    }
}
