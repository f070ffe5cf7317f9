//! The OpenAPI mirrors of screening's request bodies (issue 18): a subject
//! (`compliance_domain::input::SubjectInput`) with its names, countries, wallets and identifiers,
//! an ad hoc screening, a subject recorded, a watchlist import.
//!
//! Must not: be constructed or deserialized: these types only describe, as the rest of
//! `schemas` does. `tests/server/http_schemas.rs` holds the subject to its domain type.

#![allow(dead_code)] // Documentation only: the mirrors are never constructed.

use super::Jurisdiction;
use std::borrow::Cow;
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

text_enum_schemas! {
    /// What an identifier is.
    IdentifierKind => compliance_domain::IdentifierKind;
}

/// A screening subject: only `names` is required. Personal data: kept outside the hash chain,
/// readable by compliance officers and admins, erasable when the record-keeping period lapses.
/// Give `birth_date` or `birth_year`, not both (a rule across fields JSON Schema does not carry:
/// both is a 422 naming `birth_year`).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubjectInput {
    /// Names in any script, the primary first: each trimmed of surrounding white space, 1 to
    /// 200 characters, no control character.
    #[schema(min_items = 1, max_items = 20, value_type = Vec<SubjectName>)]
    names: Vec<String>,
    /// The date of birth or incorporation, 1900 to 2200.
    #[schema(format = Date, pattern = "^(19[0-9]{2}|2[01][0-9]{2}|2200)-[0-9]{2}-[0-9]{2}$")]
    birth_date: Option<String>,
    /// The year of birth or incorporation, when the date is not known.
    #[schema(minimum = 1800, maximum = 2100)]
    birth_year: Option<i64>,
    /// ISO 3166-1 alpha-2 codes, in capitals.
    #[serde(default)]
    #[schema(max_items = 10, value_type = Vec<CountryCode>)]
    countries: Vec<String>,
    /// Identifiers.
    #[serde(default)]
    #[schema(max_items = 10)]
    identifiers: Vec<IdentifierInput>,
    /// Wallet addresses: 1 to 128 printable ASCII characters, no spaces.
    #[serde(default)]
    #[schema(max_items = 20, value_type = Vec<WalletAddress>)]
    wallets: Vec<String>,
}

/// An identifier of a subject.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentifierInput {
    /// What it is.
    kind: IdentifierKind,
    /// The number as written: 1 to 64 ASCII letters, digits, spaces, `-`, `/` or `.`
    /// (surrounding spaces are trimmed).
    #[schema(
        min_length = 1,
        max_length = 64,
        pattern = "^ *[A-Za-z0-9./-][A-Za-z0-9 ./-]*$"
    )]
    value: String,
}

string_schema!(
    /// One of a subject's names, in any script: trimmed of surrounding white space, 1 to 200
    /// characters, no control character.
    SubjectName,
    1,
    200,
    concat!(
        r"^[^\x00-\x1f\x7f-\x9f]*",
        r"[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]",
        r"[^\x00-\x1f\x7f-\x9f]*$"
    )
);
string_schema!(
    /// An ISO 3166-1 alpha-2 country code, in capitals, e.g. `AE`.
    CountryCode,
    2,
    2,
    "^[A-Z]{2}$"
);
string_schema!(
    /// A wallet address: printable ASCII, no spaces.
    WalletAddress,
    1,
    128,
    "^[!-~]*$"
);

/// `POST /api/v1/screen`: a subject to screen ad hoc.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScreenInput {
    /// The subject.
    subject: SubjectInput,
    /// Judge the matches by this jurisdiction's bands (default: the strictest of the three).
    jurisdiction: Option<Jurisdiction>,
}

/// `PUT /api/v1/entities/{entity_id}/subject`: the entity's subject.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubjectBody {
    /// The subject.
    subject: SubjectInput,
}

/// `POST /api/v1/watchlists`: a list version's official files.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportInput {
    /// `ofac-sdn-csv`, `un-xml` or `ftm-jsonl`.
    #[schema(pattern = "^(ofac-sdn-csv|un-xml|ftm-jsonl)$")]
    format: String,
    /// The files: for OFAC `sdn.csv` and, when given, `alt.csv` and `add.csv`; otherwise one.
    #[schema(min_items = 1, max_items = 3)]
    files: Vec<ImportFile>,
    /// Why an admin imports a version whose entry count fell by more than 20% (audited).
    forced_reason: Option<String>,
}

/// One file of an import.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportFile {
    /// Its name, e.g. `sdn.csv` (OFAC's files are named so).
    #[schema(min_length = 1, max_length = 255)]
    name: String,
    /// Its bytes, base64 (standard alphabet, padded). Content that is not a list in the format
    /// is a 422 `unreadable-list` naming the file and line.
    #[schema(pattern = "^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$")]
    content_base64: String,
}
