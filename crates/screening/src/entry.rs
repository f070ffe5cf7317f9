//! One entry of a watchlist as every importer produces it and the matcher reads it: names in any
//! script (the primary name first), dates, countries, identifiers, wallet addresses and
//! programmes, exactly as the list gives them (the matcher normalises, the importer does not).
//!
//! Must not: do I/O, or drop what the list said: an importer keeps every name and alias.

use compliance_domain::{ListEntryRef, WatchlistKind};
use serde::{Deserialize, Serialize};

/// What kind of thing an entry designates (FollowTheMoney's schema, OFAC's `SDN_Type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntrySchema {
    /// A natural person.
    Person,
    /// A company, organisation or group.
    Organization,
    /// A ship.
    Vessel,
    /// An aircraft.
    Aircraft,
    /// The list does not say.
    Unknown,
}

/// The list a match was found on, by kind, for the rules (sanctions, PEP, adverse media).
pub type EntryKind = WatchlistKind;

/// A date as lists give them: a full date, a month, or only a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PartialDate {
    /// The year, e.g. 1961.
    pub year: i16,
    /// The month 1-12, when known.
    pub month: Option<u8>,
    /// The day 1-31, when known (only with a month).
    pub day: Option<u8>,
}

/// An identifier on a list entry: a passport, national id, registration number, tax id, ...
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ListIdentifier {
    /// The kind, lowercase snake_case as the subject's identifiers name them: `passport`,
    /// `national_id`, `registration_number`, `tax_id`, or `other`.
    pub kind: String,
    /// The value as the list gives it.
    pub value: String,
    /// The issuing country (ISO 3166-1 alpha-2, uppercase), when known.
    pub country: Option<String>,
}

/// One entry of one list version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListEntry {
    /// The entry's reference on its list, e.g. `SDN-36512` (OFAC's ent_num prefixed),
    /// `QDi.430` (the UN's reference number), or an OpenSanctions id.
    pub id: ListEntryRef,
    /// Sanctions, PEP or adverse media.
    pub kind: EntryKind,
    /// Person, organisation, vessel, ...
    pub schema: EntrySchema,
    /// The primary name first, then every alias, in the scripts the list gives.
    pub names: Vec<String>,
    /// Dates of birth (persons) or incorporation (organisations).
    pub dates: Vec<PartialDate>,
    /// Countries: nationality, citizenship, residence, jurisdiction (ISO 3166-1 alpha-2).
    pub countries: Vec<String>,
    /// Identifiers (passport numbers, registration numbers, ...).
    pub identifiers: Vec<ListIdentifier>,
    /// Digital currency addresses, as given (OFAC's remarks name them `Digital Currency Address - XBT ...`).
    pub wallets: Vec<String>,
    /// Sanctions programmes or reasons for listing, e.g. `SDGT`, `IRAN`.
    pub programmes: Vec<String>,
}
