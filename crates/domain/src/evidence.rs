//! References to evidence held elsewhere: a verifier's registration, an accreditation agency, a
//! certificate's number ([`EvidenceRef`]), and a FINRA CRD number ([`CrdNumber`]).
//!
//! Must not: show them. Such numbers identify a person or a document, so `Debug` redacts them,
//! they have no `Display`, and no error repeats them; only the code that stores them reads
//! them, through `as_str`.

use std::fmt;

/// Why a reference was refused. The message never repeats the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvidenceError {
    /// Empty, too long, or with a character outside what the kind allows.
    #[error("{kind} must be {expected}")]
    Malformed {
        /// Which reference, e.g. `CRD number`.
        kind: &'static str,
        /// What is accepted.
        expected: &'static str,
    },
}

macro_rules! redacted_token {
    ($(#[$meta:meta])* $name:ident, $kind:literal, $expected:literal, $valid:expr) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Parses the reference, refusing (without repeating it) one that is malformed.
            pub fn parse(text: &str) -> Result<Self, EvidenceError> {
                let valid: fn(&str) -> bool = $valid;
                if valid(text) {
                    Ok(Self(text.to_owned()))
                } else {
                    Err(EvidenceError::Malformed { kind: $kind, expected: $expected })
                }
            }

            /// The reference, for the code that stores it. Never put it in a message.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "(<redacted>)"))
            }
        }

        impl TryFrom<String> for $name {
            type Error = EvidenceError;
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

redacted_token!(
    /// A reference to evidence kept outside this database: a verifier's registration or file
    /// number, an accreditation agency's code, a certificate's number. 1 to 64 characters of
    /// `A-Z a-z 0-9 . _ : / -`, starting with a letter or digit.
    ///
    /// ```
    /// use compliance_domain::EvidenceRef;
    /// let r = EvidenceRef::parse("SEC-801-12345")?;
    /// assert_eq!(r.as_str(), "SEC-801-12345");
    /// assert_eq!(format!("{r:?}"), "EvidenceRef(<redacted>)");
    /// assert!(EvidenceRef::parse("two words").is_err());
    /// # Ok::<(), compliance_domain::EvidenceError>(())
    /// ```
    EvidenceRef,
    "an evidence reference",
    "1 to 64 characters of A-Z, a-z, 0-9 and . _ : / -, starting with a letter or a digit",
    |t| {
        (1..=64).contains(&t.len())
            && t.as_bytes()[0].is_ascii_alphanumeric()
            && t.bytes().all(|b| b.is_ascii_alphanumeric() || b"._:/-".contains(&b))
    }
);

redacted_token!(
    /// A FINRA Central Registration Depository number: 1 to 8 digits, the first not 0. It
    /// identifies a registered person, so it is treated as personal data.
    ///
    /// ```
    /// use compliance_domain::CrdNumber;
    /// assert!(CrdNumber::parse("2841705").is_ok());
    /// for bad in ["", "0123", "123456789", "12a4", " 1234"] {
    ///     assert!(CrdNumber::parse(bad).is_err(), "{bad}");
    /// }
    /// assert!(!CrdNumber::parse("12a4").unwrap_err().to_string().contains("12a4"));
    /// ```
    CrdNumber,
    "a CRD number",
    "1 to 8 digits, not starting with 0",
    |t| {
        (1..=8).contains(&t.len())
            && !t.starts_with('0')
            && t.bytes().all(|b| b.is_ascii_digit())
    }
);
