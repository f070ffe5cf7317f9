//! What is screened: a subject's names, date of birth, countries, identifiers and wallet
//! addresses, as plain values; and the normal forms identifiers and wallets are compared in.
//!
//! Must not: validate the subject (that is the caller's boundary) or drop a name.

use serde::{Deserialize, Serialize};

use crate::entry::PartialDate;

/// An identifier of the subject: a kind as [`crate::ListIdentifier`] names them, and a value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct QueryIdentifier {
    /// `passport`, `national_id`, `registration_number`, `tax_id` or `other`.
    pub kind: String,
    /// The value as given.
    pub value: String,
}

/// A subject to screen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Query {
    /// Every name of the subject, in any script.
    pub names: Vec<String>,
    /// Date of birth or incorporation, when known.
    pub birth: Option<PartialDate>,
    /// Countries (ISO 3166-1 alpha-2): nationality, residence, jurisdiction.
    pub countries: Vec<String>,
    /// Identifiers: passports, registration numbers, ...
    pub identifiers: Vec<QueryIdentifier>,
    /// Digital currency addresses.
    pub wallets: Vec<String>,
}

impl Query {
    /// A query with one name and nothing else.
    pub fn name(name: &str) -> Self {
        Self {
            names: vec![name.to_owned()],
            ..Self::default()
        }
    }
}

/// An identifier's value as compared: ASCII letters uppercased, spaces, dashes, dots and
/// slashes removed (`"ab-123 456"` is `AB123456`).
pub fn normal_identifier(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '.' | '/'))
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// A wallet address as compared: spaces removed; `0x` hex addresses (Ethereum and the like)
/// and bech32 addresses (`bc1...`) lowercased, as their case carries no meaning; anything else
/// (base58: Bitcoin legacy, Tron, Solana) kept exactly, as case is part of the address.
pub fn normal_wallet(value: &str) -> String {
    let trimmed: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    let lower = trimmed.to_ascii_lowercase();
    if lower.starts_with("0x") || lower.starts_with("bc1") || lower.starts_with("ltc1") {
        lower
    } else {
        trimmed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_and_wallets_compare_in_their_normal_form() {
        assert_eq!(normal_identifier(" ab-123 456/7"), "AB1234567");
        assert_eq!(normal_wallet("0xAbC123"), normal_wallet("0xabc123"));
        assert_ne!(
            normal_wallet("1BoatSLRHtKNngkdXEeobR76b53LETtpyT"),
            "1boatslrhtknngkdxeeobr76b53lettpyt"
        );
        assert_eq!(normal_wallet("BC1QXY2"), "bc1qxy2");
    }
}
