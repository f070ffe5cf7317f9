//! The labelled set: true variants of each entry's names (spellings, one-letter typos,
//! reordered tokens, a missing middle name, an added title, a legal form added or removed),
//! each labelled with the entry it must find; and hard negatives (a given name or surname
//! alone, a shared surname with another given name, generic company words) that must find
//! nothing.
//!
//! Must not: use randomness: the same entries always give the same cases.

use compliance_domain::ListEntryRef;
use serde::Serialize;

use crate::entry::{EntrySchema, ListEntry};
use crate::normalise::is_legal_form;
use crate::query::Query;

/// One labelled query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Case {
    /// What kind of variant or negative this is, e.g. `typo`, `surname_alone`.
    pub label: String,
    /// The query.
    pub query: Query,
    /// The entry it must find; `None` for a hard negative.
    pub expected: Option<ListEntryRef>,
}

/// Generic company names that must match nothing above the review band.
pub const GENERIC_NAMES: &[&str] = &[
    "General Trading Corp",
    "International Holding",
    "Global Trading LLC",
    "Gulf Star General Trading",
    "National Petroleum Company",
    "United Investment Group",
    "First International Services Ltd",
    "Middle East Shipping Co",
];

fn latin(name: &str) -> bool {
    name.chars()
        .all(|c| c.is_ascii() || c.is_alphabetic() && (c as u32) < 0x0250)
}

fn typo(name: &str) -> String {
    // The middle letter of the longest word, moved one step on in the alphabet.
    let words: Vec<&str> = name.split(' ').collect();
    let longest = words
        .iter()
        .enumerate()
        .max_by_key(|(i, w)| (w.len(), usize::MAX - i))
        .map_or(0, |(i, _)| i);
    words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            if i != longest {
                return (*w).to_owned();
            }
            let mut chars: Vec<char> = w.chars().collect();
            let mid = chars.len() / 2;
            if let Some(c) = chars.get_mut(mid).filter(|c| c.is_ascii_lowercase()) {
                *c = if *c == 'z' {
                    'a'
                } else {
                    char::from(*c as u8 + 1)
                };
            }
            chars.into_iter().collect()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn case(label: &str, name: String, expected: Option<&ListEntryRef>) -> Case {
    Case {
        label: label.to_owned(),
        query: Query::name(&name),
        expected: expected.cloned(),
    }
}

/// Variants and negatives for `entries`; `spellings` adds hand-written spellings (entry id,
/// name), e.g. Latin forms of names the list writes in Arabic, Cyrillic or Devanagari.
pub fn generate(entries: &[ListEntry], spellings: &[(&str, &str)]) -> Vec<Case> {
    let mut cases = Vec::new();
    for entry in entries {
        let id = Some(&entry.id);
        let Some(primary) = entry.names.first() else {
            continue;
        };
        let words: Vec<&str> = primary.split(' ').collect();
        for name in entry.names.iter().filter(|n| !latin(n)) {
            // The list's original script, screened as written: the Latin name must find it too.
            cases.push(case("original_script", name.clone(), id));
        }
        cases.push(case("exact", primary.clone(), id));
        cases.push(case("typo", typo(primary), id));
        if entry.schema == EntrySchema::Person {
            if words.len() >= 2 {
                let mut reordered = words.clone();
                reordered.rotate_left(words.len() - 1);
                cases.push(case("reordered", reordered.join(" "), id));
            }
            if words.len() >= 3 {
                let without_middle = [words[0], words[words.len() - 1]].join(" ");
                cases.push(case("missing_middle", without_middle, id));
            }
            cases.push(case("honorific", format!("Dr. {primary}"), id));
        } else {
            let core: Vec<&str> = words
                .iter()
                .copied()
                .filter(|w| !is_legal_form(&w.to_ascii_lowercase().replace('.', "")))
                .collect();
            cases.push(case("legal_form_removed", core.join(" "), id));
            cases.push(case(
                "legal_form_added",
                format!("{} Limited", core.join(" ")),
                id,
            ));
        }
        // Hard negatives from this entry: its given name alone, its surname alone, its surname
        // with another given name.
        if entry.schema == EntrySchema::Person && words.len() >= 2 {
            cases.push(case("given_name_alone", words[0].to_owned(), None));
            cases.push(case(
                "surname_alone",
                words[words.len() - 1].to_owned(),
                None,
            ));
            cases.push(case(
                "shared_surname",
                format!("Laila {}", words[words.len() - 1]),
                None,
            ));
        }
    }
    for (id, name) in spellings {
        if let Some(entry) = entries.iter().find(|e| e.id.as_str() == *id) {
            cases.push(case("spelling", (*name).to_owned(), Some(&entry.id)));
        }
    }
    for name in GENERIC_NAMES {
        cases.push(case("generic", (*name).to_owned(), None));
    }
    cases
}
