//! The Remarks column of OFAC's `sdn.csv`: `;`-separated statements such as `DOB 12 Mar 1961`,
//! `nationality Iran`, `Passport A1234567 (Iran)`, `Digital Currency Address - XBT 1A1z...`,
//! read into dates, countries, identifiers and wallet addresses.
//!
//! Must not: panic on any text (it is free text, proptested), or guess: a statement it does not
//! recognise is skipped, a country it cannot map is left out.

use super::{country, date};
use crate::entry::{ListIdentifier, PartialDate};

/// What the remarks of one entry say, in the order they say it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Remarks {
    /// `DOB ...` and `Organization Established Date ...`.
    pub dates: Vec<PartialDate>,
    /// `nationality X`, `citizen X` and the countries of identity documents (alpha-2).
    pub countries: Vec<String>,
    /// `Passport`, `National ID No.`, `Registration Number`, `Tax ID No.`, ... with the
    /// country in parentheses when the table maps it.
    pub identifiers: Vec<ListIdentifier>,
    /// The address of each `Digital Currency Address - CUR address` (the currency code dropped:
    /// an address is matched by itself).
    pub wallets: Vec<String>,
}

/// Identifier statements: (prefix, identifier kind).
const IDENTIFIERS: &[(&str, &str)] = &[
    ("Passport ", "passport"),
    ("National ID No. ", "national_id"),
    ("Cedula No. ", "national_id"),
    ("Registration Number ", "registration_number"),
    ("Registration ID ", "registration_number"),
    ("Company Number ", "registration_number"),
    ("Tax ID No. ", "tax_id"),
    ("Identification Number ", "other"),
    ("IMO ", "other"),
];

/// Reads an entry's remarks; anything unrecognised is skipped.
pub(crate) fn parse_remarks(text: &str) -> Remarks {
    let mut remarks = Remarks::default();
    for statement in text.split(';') {
        let statement = statement.trim().trim_end_matches('.').trim();
        let statement = statement.strip_prefix("alt. ").unwrap_or(statement).trim();
        remarks.statement(statement);
    }
    remarks
}

impl Remarks {
    fn statement(&mut self, statement: &str) {
        if let Some(rest) = statement.strip_prefix("DOB ") {
            self.dates.extend(date::ofac(rest));
        } else if let Some(rest) = statement.strip_prefix("Organization Established Date ") {
            self.dates.extend(date::ofac(rest));
        } else if let Some(rest) = statement
            .strip_prefix("nationality ")
            .or_else(|| statement.strip_prefix("citizen "))
        {
            self.country(rest);
        } else if let Some(rest) = statement.strip_prefix("Digital Currency Address - ") {
            // `XBT 1A1zP1...`: the currency code, then the address.
            if let Some((_, address)) = rest.trim().split_once(' ') {
                let address = address.trim();
                if !address.is_empty() && !self.wallets.iter().any(|w| w == address) {
                    self.wallets.push(address.to_owned());
                }
            }
        } else if let Some((rest, kind)) = IDENTIFIERS
            .iter()
            .find_map(|(prefix, kind)| statement.strip_prefix(prefix).map(|rest| (rest, *kind)))
        {
            self.identifier(kind, rest);
        }
    }

    fn country(&mut self, name: &str) -> Option<String> {
        let code = country::alpha2(name)?.to_owned();
        if !self.countries.contains(&code) {
            self.countries.push(code.clone());
        }
        Some(code)
    }

    /// `A1234567 (Iran) issued 01 Jan 2010`: the value before the parenthesis, the country in it.
    fn identifier(&mut self, kind: &str, rest: &str) {
        let (value, country) = match rest.split_once(" (") {
            Some((value, tail)) => {
                let inside = tail.split_once(')').map_or(tail, |(inside, _)| inside);
                (value, self.country(inside))
            }
            None => (rest, None),
        };
        let value = value.trim();
        if value.is_empty() {
            return;
        }
        self.identifiers.push(ListIdentifier {
            kind: kind.to_owned(),
            value: value.to_owned(),
            country,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_the_statements_ofac_writes() {
        let remarks = parse_remarks(
            "DOB 12 Mar 1961; alt. DOB 1962; POB Tehran, Iran; nationality Iran; \
             Passport A1234567 (Iran) expires 2030; National ID No. 0012345678 (Iran); \
             Digital Currency Address - XBT 1BoatSLRHtKNngkdXEeobR76b53LETtpyT; \
             alt. Digital Currency Address - ETH 0x7F19720A857F834887FC9A7bC0a0fBe7Fc7f8102; \
             Gender Male; Additional Sanctions Information - Subject to Secondary Sanctions.",
        );
        assert_eq!(remarks.dates.len(), 2);
        assert_eq!(remarks.countries, vec!["IR".to_owned()]);
        assert_eq!(remarks.identifiers.len(), 2);
        assert_eq!(remarks.identifiers[0].value, "A1234567");
        assert_eq!(remarks.identifiers[0].kind, "passport");
        assert_eq!(remarks.identifiers[0].country.as_deref(), Some("IR"));
        assert_eq!(remarks.identifiers[1].kind, "national_id");
        assert_eq!(
            remarks.wallets,
            vec![
                "1BoatSLRHtKNngkdXEeobR76b53LETtpyT".to_owned(),
                "0x7F19720A857F834887FC9A7bC0a0fBe7Fc7f8102".to_owned()
            ]
        );
    }

    #[test]
    fn unknown_countries_and_statements_are_left_out() {
        let remarks = parse_remarks("nationality Atlantis; Passport X1 (Atlantis); Linked To: X");
        assert!(remarks.countries.is_empty());
        assert_eq!(remarks.identifiers[0].country, None);
        assert!(parse_remarks("-0- ").identifiers.is_empty());
    }

    proptest! {
        #[test]
        fn never_panics_on_any_text(text in ".{0,300}") {
            let _ = parse_remarks(&text);
        }

        #[test]
        fn never_panics_on_remark_shaped_text(
            parts in proptest::collection::vec(
                "(alt\\. )?(DOB|Passport|nationality|Digital Currency Address -|National ID No\\.) ?[ -~\\u{0600}-\\u{06ff}]{0,30}( \\()?",
                0..8,
            )
        ) {
            let _ = parse_remarks(&parts.join("; "));
        }
    }
}
