//! Name normalisation, the first step of screening: Unicode compatibility decomposition, marks
//! stripped, Arabic, Devanagari and Cyrillic written in Latin, case folded, punctuation to
//! spaces, then honorifics and legal-form words set aside (kept, not matched).
//!
//! Must not: drop a word silently (what is set aside is kept in [`NormalName::set_aside`]), or
//! depend on anything but the text (no list statistics: those belong to the index).

use serde::Serialize;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::translit;

/// Titles and honorifics set aside when they open a name ("Sheikh" inside "Khalid Sheikh
/// Mohammed" is part of the name, so only leading ones are set aside).
const HONORIFICS: &[&str] = &[
    "mr", "mrs", "ms", "miss", "mme", "dr", "prof", "sir", "lord", "sheikh", "shaikh", "shaykh",
    "sheik", "haji", "hajji", "hadji", "alhaji", "mullah", "maulana", "imam", "sayyid", "syed",
    "shri", "sri", "smt", "gen", "col", "capt", "maj", "lt",
];

/// Legal-form words, set aside wherever they stand: they say what kind of company a name is,
/// not which one.
const LEGAL_FORMS: &[&str] = &[
    "llc",
    "ltd",
    "limited",
    "pvt",
    "private",
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "co",
    "company",
    "fze",
    "fzco",
    "fzc",
    "fz",
    "fzllc",
    "dmcc",
    "plc",
    "llp",
    "lp",
    "gmbh",
    "ag",
    "kg",
    "sa",
    "sarl",
    "sas",
    "srl",
    "spa",
    "bv",
    "nv",
    "jsc",
    "ojsc",
    "pjsc",
    "cjsc",
    "ooo",
    "oao",
    "zao",
    "pao",
    "ao",
    "wll",
    "spc",
    "pte",
    "sdn",
    "bhd",
    "pty",
    "ltda",
    "est",
];

/// Name particles: kept as tokens (they are part of the name, and "al" is not a title), but
/// weighted low by the scorer and never used alone to find candidates.
pub const PARTICLES: &[&str] = &[
    "al", "el", "ul", "bin", "ibn", "bint", "ben", "bn", "de", "del", "der", "da", "di", "du",
    "van", "von", "la", "le", "dos", "das", "y",
];

/// Words so common in company names that a match on them alone says nothing; the index never
/// looks candidates up by them, and the scorer caps a match made of them only.
pub const GENERIC: &[&str] = &[
    "trading",
    "trade",
    "general",
    "international",
    "intl",
    "holding",
    "holdings",
    "group",
    "industries",
    "industry",
    "industrial",
    "enterprise",
    "enterprises",
    "services",
    "service",
    "investment",
    "investments",
    "global",
    "import",
    "export",
    "commercial",
    "development",
    "management",
    "resources",
    "partners",
    "solutions",
    "technologies",
    "technology",
    "bank",
    "finance",
    "financial",
    "capital",
    "shipping",
    "logistics",
    "petroleum",
    "oil",
    "gas",
    "energy",
    "construction",
    "consulting",
    "national",
    "united",
    "middle",
    "east",
    "gulf",
    "star",
    "new",
    "first",
    "world",
    "the",
    "and",
    "of",
    "for",
];

/// A name ready for matching: lowercase ASCII tokens in their original order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NormalName {
    /// The tokens that are matched, in order.
    pub tokens: Vec<String>,
    /// Honorifics and legal-form words found in the name, kept for the explanation.
    pub set_aside: Vec<String>,
    /// True when the name was written in a script that leaves vowels unwritten or uncertain
    /// (Arabic, Devanagari): the scorer then also compares consonant skeletons.
    pub vowels_unwritten: bool,
}

/// True for a name particle such as `al` or `bin`.
pub fn is_particle(token: &str) -> bool {
    PARTICLES.contains(&token)
}

/// True for a legal-form word such as `llc` or `fze`.
pub fn is_legal_form(token: &str) -> bool {
    LEGAL_FORMS.contains(&token)
}

/// True for a generic company word such as `trading`.
pub fn is_generic(token: &str) -> bool {
    GENERIC.contains(&token)
}

/// Normalises one name.
///
/// ```
/// use compliance_screening::normalise;
/// let name = normalise("Sheikh Abdul-Rahman Al Noor Trading L.L.C.");
/// assert_eq!(name.tokens, ["abdulrahman", "al", "noor", "trading"]);
/// assert_eq!(name.set_aside, ["llc", "sheikh"]);
/// ```
pub fn normalise(name: &str) -> NormalName {
    // Scripts are transliterated from composed text (NFKD would split Й into И and a breve),
    // then compatibility forms are decomposed and Latin marks stripped.
    let composed: String = name.nfc().collect();
    let vowels_unwritten = composed.chars().any(translit::vowels_unwritten);
    let latin = translit::to_latin(&composed);
    let ascii: String = latin.nfkd().filter(|c| !is_combining_mark(*c)).collect();
    let ascii = deunicode::deunicode(&ascii);
    let tokens = merge_compounds(split_words(&ascii));

    let (legal, mut rest): (Vec<String>, Vec<String>) = tokens
        .iter()
        .cloned()
        .partition(|t| LEGAL_FORMS.contains(&t.as_str()));
    let leading = rest
        .iter()
        .take_while(|t| HONORIFICS.contains(&t.as_str()))
        .count();
    let honorifics: Vec<String> = rest.drain(..leading).collect();
    if rest.is_empty() {
        // A name made only of set-aside words keeps them: there is nothing else to match.
        return NormalName {
            tokens,
            set_aside: Vec::new(),
            vowels_unwritten,
        };
    }
    let mut set_aside = legal;
    set_aside.extend(honorifics);
    NormalName {
        tokens: rest,
        set_aside,
        vowels_unwritten,
    }
}

/// Lowercase words: letters and digits kept, apostrophes dropped ("O'Brien" is "obrien"), a
/// period between single letters dropped ("L.L.C." is "llc"), every other character a space.
fn split_words(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().map(|c| c.to_ascii_lowercase()).collect();
    let run_len = |from: usize, step: isize| {
        let mut n = 0;
        let mut k = from as isize;
        while k >= 0 && (k as usize) < chars.len() && chars[k as usize].is_ascii_alphanumeric() {
            n += 1;
            k += step;
        }
        n
    };
    let mut cleaned = String::with_capacity(chars.len());
    for (i, &c) in chars.iter().enumerate() {
        match c {
            c if c.is_ascii_alphanumeric() => cleaned.push(c),
            '\'' | '`' | '\u{2019}' => {}
            '.' if i > 0 && run_len(i - 1, -1) == 1 && run_len(i + 1, 1) == 1 => {}
            _ => cleaned.push(' '),
        }
    }
    cleaned.split_whitespace().map(str::to_owned).collect()
}

/// Arabic compound names written apart or together ("Abd al-Rahman", "Abdul Rahman",
/// "Abdelrahman") become one token, `abdulrahman`; "Abd Allah" becomes `abdullah`.
fn merge_compounds(tokens: Vec<String>) -> Vec<String> {
    // Longest first: a token takes the first prefix it starts with.
    const ABD: &[&str] = &["abdoul", "abdul", "abdel", "abdal", "abdur", "abdu", "abd"];
    let mut out: Vec<String> = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let token = &tokens[i];
        if ABD.contains(&token.as_str()) {
            let mut next = i + 1;
            if tokens
                .get(next)
                .is_some_and(|t| matches!(t.as_str(), "al" | "el" | "ul" | "ar"))
            {
                next += 1;
            }
            if let Some(rest) = tokens.get(next) {
                out.push(abd_compound(rest));
                i = next + 1;
                continue;
            }
        }
        let joined = ABD
            .iter()
            .find_map(|p| token.strip_prefix(p))
            .filter(|rest| rest.len() >= 3)
            .map(abd_compound);
        out.push(joined.unwrap_or_else(|| token.clone()));
        i += 1;
    }
    out
}

fn abd_compound(rest: &str) -> String {
    if matches!(rest, "allah" | "ullah" | "llah" | "lah" | "ulla" | "alla") {
        return "abdullah".to_owned();
    }
    format!("abdul{rest}")
}

#[cfg(test)]
mod tests;
