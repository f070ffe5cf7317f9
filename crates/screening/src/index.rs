//! The candidate index: every name of every entry, looked up by keys made from its informative
//! tokens (the token, its consonant skeleton, its first and last four letters, so that a
//! spelling variant or a one-letter typo still shares keys), so that a query scores a few
//! hundred names, never every name on the lists.
//!
//! Must not: let particles or generic words find candidates, or let one very common key flood
//! the candidates (keys are taken rarest first, within a budget).

use std::collections::HashMap;

use crate::normalise::{NormalName, is_generic, is_particle, normalise};
use crate::similarity::{Prepared, skeleton};

/// Keys with at most this many postings are always used.
const ALWAYS_USED: usize = 128;
/// Postings read per query, beyond the always-used keys.
const POSTINGS_BUDGET: usize = 2_048;
/// Names scored per query, those sharing the most keys first.
const MAX_CANDIDATES: usize = 128;

/// One indexed name: which entry it belongs to and the name prepared for scoring.
#[derive(Debug, Clone)]
pub(crate) struct IndexedName {
    pub(crate) entry: u32,
    pub(crate) original: String,
    pub(crate) normal: NormalName,
    pub(crate) prepared: Prepared,
}

/// Names and their keys.
#[derive(Debug, Clone, Default)]
pub(crate) struct Index {
    pub(crate) names: Vec<IndexedName>,
    postings: HashMap<String, Vec<u32>>,
}

/// The lookup keys of a normalised name; particles and generic words give none, except that a
/// name made of nothing else (a listed `Gulf Star General Trading LLC`) gets one key for the
/// whole name, so that only that same name, written the same, finds it.
pub(crate) fn keys(name: &NormalName) -> Vec<String> {
    let mut keys = Vec::new();
    if !name.tokens.is_empty() && name.tokens.iter().all(|t| is_particle(t) || is_generic(t)) {
        keys.push(format!("n:{}", name.tokens.join(" ")));
        return keys;
    }
    for token in &name.tokens {
        if is_particle(token) || is_generic(token) {
            continue;
        }
        keys.push(format!("t:{token}"));
        let skel = skeleton(token);
        if skel.len() >= 2 {
            keys.push(format!("s:{skel}"));
        }
        let chars: Vec<char> = token.chars().collect();
        if chars.len() >= 5 {
            keys.push(format!("p:{}", chars[..4].iter().collect::<String>()));
            keys.push(format!(
                "x:{}",
                chars[chars.len() - 4..].iter().collect::<String>()
            ));
        }
    }
    keys.sort();
    keys.dedup();
    keys
}

impl Index {
    /// Adds one name of entry `entry`.
    pub(crate) fn add(&mut self, entry: u32, original: &str) {
        let normal = normalise(original);
        let id = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        for key in keys(&normal) {
            self.postings.entry(key).or_default().push(id);
        }
        self.names.push(IndexedName {
            entry,
            original: original.to_owned(),
            prepared: Prepared::new(&normal),
            normal,
        });
    }

    /// The names worth scoring for a query name: those sharing the most keys with it, rarest
    /// keys first, at most [`MAX_CANDIDATES`], in a deterministic order.
    pub(crate) fn candidates(&self, query: &NormalName) -> Vec<u32> {
        let mut lists: Vec<&Vec<u32>> = keys(query)
            .iter()
            .filter_map(|k| self.postings.get(k))
            .collect();
        lists.sort_by_key(|p| p.len());
        let mut hits: Vec<u32> = Vec::new();
        for postings in lists {
            if postings.len() > ALWAYS_USED && hits.len() + postings.len() > POSTINGS_BUDGET {
                break;
            }
            hits.extend_from_slice(postings);
        }
        hits.sort_unstable();
        let mut counted: Vec<(u32, u32)> = Vec::new();
        for id in hits {
            match counted.last_mut() {
                Some((last, n)) if *last == id => *n += 1,
                _ => counted.push((id, 1)),
            }
        }
        // Most shared keys first, then lowest id: deterministic.
        counted.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        counted.truncate(MAX_CANDIDATES);
        counted.into_iter().map(|(id, _)| id).collect()
    }

    /// The number of distinct keys.
    #[cfg(test)]
    pub(crate) fn key_count(&self) -> usize {
        self.postings.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(names: &[&str]) -> Index {
        let mut index = Index::default();
        for (i, name) in names.iter().enumerate() {
            index.add(u32::try_from(i).unwrap_or(0), name);
        }
        index
    }

    #[test]
    fn variants_typos_and_scripts_find_their_name() {
        let idx = index(&[
            "Sergei Ivanov",
            "Usama bin Ladin",
            "Rosneft Trading",
            "Mary Smith",
        ]);
        assert_eq!(idx.candidates(&normalise("Ivanov Sergey")), [0]);
        assert_eq!(idx.candidates(&normalise("أسامة بن لادن")), [1]);
        assert_eq!(idx.candidates(&normalise("Tosneft")), [2]);
        assert!(idx.key_count() > 4);
    }

    #[test]
    fn generic_words_and_particles_find_nothing() {
        let idx = index(&[
            "Al Noor General Trading LLC",
            "Falcon International Holding Company",
        ]);
        assert!(
            idx.candidates(&normalise("General Trading Corp"))
                .is_empty()
        );
        assert!(
            idx.candidates(&normalise("International Holding"))
                .is_empty()
        );
        assert!(idx.candidates(&normalise("Al")).is_empty());
        assert!(idx.candidates(&normalise("General Trading")).is_empty());
    }

    #[test]
    fn a_name_of_generic_words_only_is_found_by_that_name_alone() {
        let idx = index(&["Gulf Star General Trading LLC", "Falcon General Trading"]);
        assert_eq!(idx.candidates(&normalise("GULF STAR GENERAL TRADING")), [0]);
        assert!(idx.candidates(&normalise("Gulf Star Trading")).is_empty());
    }
}
