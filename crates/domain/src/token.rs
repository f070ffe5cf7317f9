//! Short reference strings: provider names, watchlist versions, list names and entry references.
//!
//! Must not: accept whitespace or control characters. These strings are identifiers that appear
//! in logs and reports; keeping them to printable ASCII without spaces keeps free text (and the
//! personal data free text tends to carry) out of them.

/// A text that is not a valid reference.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Empty, or longer than the type allows.
    #[error("{kind} must be 1 to {max} characters long, got {len}")]
    Length {
        /// Which reference, e.g. `screening provider`.
        kind: &'static str,
        /// The longest accepted.
        max: usize,
        /// The length given, in characters.
        len: usize,
    },
    /// A space, control character or non-ASCII character.
    #[error(
        "{kind} must be printable ASCII without spaces (letters, digits and punctuation such as - _ . : / +)"
    )]
    Charset {
        /// Which reference.
        kind: &'static str,
    },
}

macro_rules! ascii_token {
    ($(#[$meta:meta])* $name:ident, $kind:literal, $max:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The longest accepted value, in characters.
            pub const MAX_LEN: usize = $max;

            /// Parses a reference: 1 to `MAX_LEN` printable ASCII characters, no spaces.
            pub fn parse(text: &str) -> Result<Self, TokenError> {
                let len = text.chars().count();
                if len == 0 || len > Self::MAX_LEN {
                    return Err(TokenError::Length { kind: $kind, max: Self::MAX_LEN, len });
                }
                if !text.bytes().all(|b| b.is_ascii_graphic()) {
                    return Err(TokenError::Charset { kind: $kind });
                }
                Ok(Self(text.to_owned()))
            }

            /// The reference as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl TryFrom<String> for $name {
            type Error = TokenError;
            fn try_from(text: String) -> Result<Self, Self::Error> {
                Self::parse(&text)
            }
        }

        impl From<$name> for String {
            fn from(token: $name) -> String {
                token.0
            }
        }
    };
}

ascii_token!(
    /// Who screened: the AML provider, e.g. `refinitiv-world-check`.
    ScreeningProvider,
    "screening provider",
    64
);

ascii_token!(
    /// The version of the watchlists a screening ran against, e.g. `ofac-2026-11-20+un-2026-11-18`,
    /// so that the screening can be reproduced later.
    WatchlistVersion,
    "watchlist version",
    128
);

ascii_token!(
    /// The name of a watchlist, e.g. `OFAC-SDN`, `UN-SC-CONSOLIDATED`, `IN-MHA-UAPA`.
    ListName,
    "list name",
    64
);

ascii_token!(
    /// The reference of an entry on a watchlist, e.g. `SDN-36512`: never the listed person's name.
    ListEntryRef,
    "list entry reference",
    64
);

ascii_token!(
    /// A caller's key for one submission (HTTP's `Idempotency-Key`): a retried submission with
    /// the same key gets the first answer back, never a second case.
    IdempotencyKey,
    "idempotency key",
    128
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_references_and_refuses_free_text() {
        assert!(ListName::parse("OFAC-SDN").is_ok());
        assert!(WatchlistVersion::parse("ofac-2026-11-20+un-2026-11-18").is_ok());
        assert_eq!(
            ListEntryRef::parse("John Smith"),
            Err(TokenError::Charset {
                kind: "list entry reference"
            })
        );
        assert!(ScreeningProvider::parse("").is_err());
        assert!(ScreeningProvider::parse(&"x".repeat(65)).is_err());
        assert!(ScreeningProvider::parse("tab\there").is_err());
        assert!(ScreeningProvider::parse("ünïcode").is_err());
    }
}
