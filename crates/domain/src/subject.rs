//! A screening subject: what screening needs about an entity (its names in any script, its
//! date or year of birth or incorporation, its countries, identifiers and wallet addresses).
//!
//! Must not: print itself. A subject is personal data: `Debug` shows counts, never a name or a
//! number; errors name the field, never the value. It lives outside the hash chain (the chain
//! keeps a salted commitment), so that it can be erased when the law allows.

use crate::NaiveDate;
use serde::Serialize;
use std::fmt;

/// A subject's field that is not valid, with what was expected (never the value).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SubjectError(&'static str);

crate::text_enum! {
    /// What an identifier is.
    #[strum(serialize_all = "snake_case")]
    pub enum IdentifierKind as "identifier kind" {
        /// A passport number.
        Passport,
        /// A national identity number.
        NationalId,
        /// A company registration number.
        RegistrationNumber,
        /// A tax number.
        TaxId,
        /// Another identifier.
        Other,
    }
}

/// One identifier of a subject: a passport, a registration number, ...
#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Identifier {
    kind: IdentifierKind,
    value: String,
}

impl Identifier {
    /// An identifier: trimmed, 1 to 64 ASCII letters, digits, spaces, `-`, `/` or `.` (as
    /// passports and registers write them).
    pub fn new(kind: IdentifierKind, value: &str) -> Result<Self, SubjectError> {
        let value = value.trim_matches(' ');
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '/' | '.');
        if value.is_empty() || value.len() > 64 || !value.chars().all(allowed) {
            return Err(SubjectError(
                "an identifier is 1 to 64 ASCII letters, digits, spaces, '-', '/' or '.'",
            ));
        }
        Ok(Self {
            kind,
            value: value.to_owned(),
        })
    }
    /// Its kind.
    pub fn kind(&self) -> IdentifierKind {
        self.kind
    }
    /// Its value, as given.
    pub fn value(&self) -> &str {
        &self.value
    }
}

/// A screening subject. Only `names` is required.
///
/// ```
/// use compliance_domain::input::SubjectInput;
/// let input: SubjectInput = serde_json::from_value(serde_json::json!({
///     "names": ["Sergei Ivanov", "Сергей Иванов"], "birth_year": 1961, "countries": ["RU"],
///     "identifiers": [{"kind": "passport", "value": "75 1234567"}], "wallets": []}))?;
/// let subject = input.parse().unwrap();
/// assert_eq!(subject.names().len(), 2);
/// assert_eq!(subject.birth_year(), Some(1961));
/// assert_eq!(format!("{subject:?}"), "Subject { names: 2, birth: true, countries: 1, identifiers: 1, wallets: 0 }");
/// # Ok::<(), serde_json::Error>(())
/// ```
///
/// It serializes to the shape [`crate::input::SubjectInput`] reads, and is read back only
/// through it, so a stored subject is checked like a submitted one.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct Subject {
    names: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    birth_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    birth_year: Option<i16>,
    #[serde(default)]
    countries: Vec<String>,
    #[serde(default)]
    identifiers: Vec<Identifier>,
    #[serde(default)]
    wallets: Vec<String>,
}

/// The limits of a subject, as its input checks them.
pub(crate) mod limits {
    pub(crate) const NAMES: u64 = 20;
    pub(crate) const NAME_CHARS: usize = 200;
    pub(crate) const COUNTRIES: u64 = 10;
    pub(crate) const IDENTIFIERS: u64 = 10;
    pub(crate) const WALLETS: u64 = 20;
    pub(crate) const YEARS: std::ops::RangeInclusive<i64> = 1800..=2100;
}

/// A name: trimmed, 1 to 200 characters, no control character.
pub(crate) fn check_name(name: &str) -> Result<&str, SubjectError> {
    let name = name.trim();
    if name.is_empty()
        || name.chars().count() > limits::NAME_CHARS
        || name.chars().any(char::is_control)
    {
        return Err(SubjectError(
            "a name is 1 to 200 characters, without control characters",
        ));
    }
    Ok(name)
}

/// An ISO 3166-1 alpha-2 country code, uppercase.
pub(crate) fn check_country(code: &str) -> Result<&str, SubjectError> {
    if code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(code)
    } else {
        Err(SubjectError(
            "a country is an ISO 3166-1 alpha-2 code in capitals, e.g. AE",
        ))
    }
}

/// A wallet address: 1 to 128 printable ASCII characters without spaces.
pub(crate) fn check_wallet(address: &str) -> Result<&str, SubjectError> {
    if !address.is_empty() && address.len() <= 128 && address.bytes().all(|b| b.is_ascii_graphic())
    {
        Ok(address)
    } else {
        Err(SubjectError(
            "a wallet address is 1 to 128 printable characters without spaces",
        ))
    }
}

impl Subject {
    /// A subject from checked parts (the input module checks each field and the limits).
    pub(crate) fn from_checked(
        names: Vec<String>,
        birth_date: Option<NaiveDate>,
        birth_year: Option<i16>,
        countries: Vec<String>,
        identifiers: Vec<Identifier>,
        wallets: Vec<String>,
    ) -> Self {
        Self {
            names,
            birth_date,
            birth_year,
            countries,
            identifiers,
            wallets,
        }
    }

    /// The names, the primary first.
    pub fn names(&self) -> &[String] {
        &self.names
    }
    /// The date of birth or incorporation, when known.
    pub fn birth_date(&self) -> Option<NaiveDate> {
        self.birth_date
    }
    /// The year of birth or incorporation: the date's year, or the year alone.
    pub fn birth_year(&self) -> Option<i16> {
        use chrono::Datelike;
        self.birth_date
            .and_then(|d| i16::try_from(d.year()).ok())
            .or(self.birth_year)
    }
    /// Nationalities or countries (ISO 3166-1 alpha-2).
    pub fn countries(&self) -> &[String] {
        &self.countries
    }
    /// Identifiers.
    pub fn identifiers(&self) -> &[Identifier] {
        &self.identifiers
    }
    /// Wallet addresses.
    pub fn wallets(&self) -> &[String] {
        &self.wallets
    }
}

impl fmt::Debug for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subject")
            .field("names", &self.names.len())
            .field("birth", &self.birth_year().is_some())
            .field("countries", &self.countries.len())
            .field("identifiers", &self.identifiers.len())
            .field("wallets", &self.wallets.len())
            .finish()
    }
}

impl fmt::Debug for Identifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Identifier({})", self.kind)
    }
}
