//! The labelled set: true variants of each entry's names (the list's own scripts, spellings by
//! another romanisation, one-letter typos, reordered tokens, a missing middle name, an added
//! title, a legal form added or removed), each labelled with the list and entry it must find;
//! and hard negatives (a given name or surname alone, a shared surname with another given name,
//! common given names and surnames, an organisation's generic words alone, generic company
//! words) that must find nothing.
//!
//! The rules here were written before the set was screened, with one exception said in
//! `docs/screening.md`: a query that holds every word of another listed name, or whose words
//! another listed name all holds, is ambiguous, and a match on that other entry is counted as
//! right (`also`), not as a false positive; and such a query is no hard negative. Must not: use randomness: the same entries always give the same cases.

use compliance_domain::{ListEntryRef, ListName};
use serde::Serialize;

use crate::entry::{EntrySchema, ListEntry};
use crate::normalise::{is_generic, is_legal_form, is_particle, normalise};
use crate::query::{Query, normal_identifier, normal_wallet};

mod tables;

use tables::ROMANISATION;
pub use tables::{COMMON_NAMES, GENERIC_NAMES};

/// One labelled query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Case {
    /// What kind of variant or negative this is, e.g. `typo`, `surname_alone`.
    pub label: String,
    /// The query.
    pub query: Query,
    /// The list and entry it must find; `None` for a hard negative.
    pub expected: Option<(ListName, ListEntryRef)>,
    /// Entries on other lists that designate the same person or body (they share an
    /// identifier, a wallet, or a name written the same after normalisation): a match on one of
    /// them is right, though not required.
    pub also: Vec<(ListName, ListEntryRef)>,
}

fn latin(name: &str) -> bool {
    name.chars()
        .all(|c| c.is_ascii() || c.is_alphabetic() && (c as u32) < 0x0250)
}

/// The name as a subject's documents write it: OFAC's `LAST, First Middle` as
/// `First Middle LAST`.
fn natural_order(name: &str) -> String {
    match name.split_once(", ") {
        Some((last, first)) if !first.contains(',') => format!("{first} {last}"),
        _ => name.to_owned(),
    }
}

fn typo(name: &str) -> String {
    // The middle letter of the longest word, moved one step on in the alphabet (case kept).
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
            if let Some(c) = chars.get_mut(mid).filter(|c| c.is_ascii_alphabetic()) {
                *c = match *c {
                    'z' => 'a',
                    'Z' => 'A',
                    other => char::from(other as u8 + 1),
                };
            }
            chars.into_iter().collect()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn romanised(name: &str) -> Option<String> {
    let lower = name.to_lowercase();
    let mut out = lower.clone();
    for (from, to) in ROMANISATION {
        out = out.replace(from, to);
    }
    (out != lower).then_some(out)
}

fn case(label: &str, name: String, expected: Option<(&ListName, &ListEntryRef)>) -> Case {
    Case {
        label: label.to_owned(),
        query: Query::name(&name),
        expected: expected.map(|(l, e)| (l.clone(), e.clone())),
        also: Vec::new(),
    }
}

fn informative(token: &str) -> bool {
    !is_particle(token) && !is_generic(token) && !is_legal_form(token)
}

/// Variants and per-entry negatives of one list's entries.
fn entry_cases(list: &ListName, entries: &[ListEntry], cases: &mut Vec<Case>) {
    for entry in entries {
        let id = Some((list, &entry.id));
        let Some(first) = entry.names.first() else {
            continue;
        };
        let primary = natural_order(first);
        let words: Vec<&str> = primary.split(' ').filter(|w| !w.is_empty()).collect();
        for name in entry.names.iter().filter(|n| !latin(n)) {
            // The list's original script, screened as written: it must find the entry too.
            cases.push(case("original_script", name.clone(), id));
        }
        cases.push(case("exact", primary.clone(), id));
        cases.push(case("typo", typo(&primary), id));
        if let Some(spelling) = romanised(&primary) {
            cases.push(case("romanisation", spelling, id));
        }
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
        } else if entry.schema == EntrySchema::Organization {
            let core: Vec<&str> = words
                .iter()
                .copied()
                .filter(|w| !is_legal_form(&w.to_lowercase().replace('.', "")))
                .collect();
            if core.len() < words.len() {
                cases.push(case("legal_form_removed", core.join(" "), id));
            }
            cases.push(case(
                "legal_form_added",
                format!("{} Limited", core.join(" ")),
                id,
            ));
            // Hard negative: the organisation's generic words alone, when it has some.
            let generic: Vec<&str> = words
                .iter()
                .copied()
                .filter(|w| {
                    let t = normalise(w).tokens.concat();
                    !t.is_empty() && !informative(&t)
                })
                .collect();
            if generic
                .iter()
                .any(|w| is_generic(&normalise(w).tokens.concat()))
            {
                cases.push(case("generic_words_alone", generic.join(" "), None));
            }
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
}

/// Variants and negatives for one list's `entries`; `spellings` adds hand-written spellings
/// (entry id, name), e.g. Latin forms of names the list writes in Arabic, Cyrillic or
/// Devanagari.
pub fn generate(list: &ListName, entries: &[ListEntry], spellings: &[(&str, &str)]) -> Vec<Case> {
    let mut cases = Vec::new();
    entry_cases(list, entries, &mut cases);
    for (id, name) in spellings {
        if let Some(entry) = entries.iter().find(|e| e.id.as_str() == *id) {
            cases.push(case(
                "spelling",
                (*name).to_owned(),
                Some((list, &entry.id)),
            ));
        }
    }
    finish(&[(list.clone(), entries.to_vec())], cases)
}

/// Variants and negatives for several lists at once: entries on different lists that
/// designate the same person or body are each other's `also`.
pub fn generate_lists(lists: &[(ListName, Vec<ListEntry>)]) -> Vec<Case> {
    let mut cases = Vec::new();
    for (list, entries) in lists {
        entry_cases(list, entries, &mut cases);
    }
    finish(lists, cases)
}

/// Sorted informative tokens of a name: two names written the same up to order and case.
fn name_key(name: &str) -> Vec<String> {
    let mut tokens: Vec<String> = normalise(name)
        .tokens
        .into_iter()
        .filter(|t| !is_particle(t))
        .collect();
    tokens.sort();
    tokens
}

/// One name holds every word of the other (at least two words): the shorter is what a subject
/// missing a name, or a list leaving one out, would give; the query cannot tell them apart.
fn contains(a: &[String], b: &[String]) -> bool {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    small.len() >= 2 && small.iter().all(|t| large.contains(t))
}

fn same_designee(a: &ListEntry, b: &ListEntry) -> bool {
    let ids = |e: &ListEntry| -> Vec<String> {
        e.identifiers
            .iter()
            .map(|i| normal_identifier(&i.value))
            .chain(e.wallets.iter().map(|w| normal_wallet(w)))
            .filter(|v| !v.is_empty())
            .collect()
    };
    let names = |e: &ListEntry| -> Vec<Vec<String>> {
        e.names
            .iter()
            .map(|n| name_key(n))
            .filter(|k| k.len() >= 2)
            .collect()
    };
    let (ia, ib) = (ids(a), ids(b));
    let (na, nb) = (names(a), names(b));
    ia.iter().any(|v| ib.contains(v)) || na.iter().any(|k| nb.contains(k))
}

/// Adds the shared negatives, links the same designee across lists, and drops a "negative"
/// that some list holds as a name (it is then no negative).
fn finish(lists: &[(ListName, Vec<ListEntry>)], mut cases: Vec<Case>) -> Vec<Case> {
    for name in GENERIC_NAMES {
        cases.push(case("generic", (*name).to_owned(), None));
    }
    for name in COMMON_NAMES {
        cases.push(case("common_name", (*name).to_owned(), None));
    }
    let all: Vec<(&ListName, &ListEntry)> = lists
        .iter()
        .flat_map(|(l, es)| es.iter().map(move |e| (l, e)))
        .collect();
    let listed: Vec<Vec<String>> = all
        .iter()
        .flat_map(|(_, e)| e.names.iter().map(|n| name_key(n)))
        .collect();
    // A negative that some list holds as a name, or that holds a listed name or is held in
    // one, is no negative.
    cases.retain(|c| {
        c.expected.is_some()
            || c.query.names.iter().all(|n| {
                let key = name_key(n);
                !listed.iter().any(|l| *l == key || contains(l, &key))
            })
    });
    for c in &mut cases {
        let Some((list, id)) = &c.expected else {
            continue;
        };
        let Some((_, entry)) = all.iter().find(|(l, e)| *l == list && &e.id == id) else {
            continue;
        };
        let query: Vec<Vec<String>> = c.query.names.iter().map(|n| name_key(n)).collect();
        c.also = all
            .iter()
            .filter(|(l, e)| !(*l == list && &e.id == id))
            .filter(|(_, e)| {
                same_designee(entry, e)
                    || e.names
                        .iter()
                        .any(|n| query.iter().any(|q| contains(q, &name_key(n))))
            })
            .map(|(l, e)| ((*l).clone(), e.id.clone()))
            .collect();
    }
    cases
}
