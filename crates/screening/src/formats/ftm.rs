//! OpenSanctions' FollowTheMoney entities as JSON lines (`{"id", "schema", "properties",
//! "datasets", ...}` a line), one dataset per import: persons, organisations, companies, legal
//! entities, vessels and aircraft become entries; `CryptoWallet`, `Sanction`, `Passport` and
//! `Identification` entities add wallets, programmes and identifiers to their holder's entry.
//!
//! Must not: mix datasets in one list version, or put a `weakAlias` among the names (OpenSanctions
//! marks them as too short or generic to match on; yente and Watchman score them apart).

use super::{FormatError, ListFile, Parsed, country, date, list_name, push_unique};
use crate::entry::{EntryKind, EntrySchema, ListEntry, ListIdentifier};
use compliance_domain::ListEntryRef;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

/// One line: only the fields read here (serde ignores the rest, such as `first_seen`).
#[derive(Deserialize)]
struct Line {
    id: String,
    schema: String,
    #[serde(default)]
    properties: BTreeMap<String, Vec<serde_json::Value>>,
    #[serde(default)]
    datasets: Vec<String>,
}

impl Line {
    /// The texts of a property (FtM values are strings; nested entities are skipped).
    fn texts<'a>(&'a self, property: &str) -> impl Iterator<Item = &'a str> {
        self.properties
            .get(property)
            .into_iter()
            .flatten()
            .filter_map(serde_json::Value::as_str)
    }
}

/// Identifier properties: (FtM property, identifier kind).
const IDENTIFIERS: &[(&str, &str)] = &[
    ("passportNumber", "passport"),
    ("idNumber", "national_id"),
    ("registrationNumber", "registration_number"),
    ("taxNumber", "tax_id"),
    ("innCode", "tax_id"),
    ("imoNumber", "other"),
];

/// Reads one file of FollowTheMoney lines.
pub(super) fn read(file: &ListFile) -> Result<Parsed, FormatError> {
    let mut entries: BTreeMap<String, ListEntry> = BTreeMap::new();
    let mut attachments = Vec::new();
    let mut datasets: Option<BTreeSet<String>> = None;
    // A byte-order mark is not part of the first line's JSON.
    let bytes = file
        .bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(&file.bytes);
    for (index, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let line_number = u64::try_from(index).unwrap_or(u64::MAX).saturating_add(1);
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let line: Line = serde_json::from_slice(raw).map_err(|_| {
            FormatError::record(
                &file.name,
                line_number,
                "a JSON object with id, schema and properties",
            )
        })?;
        let own: BTreeSet<String> = line.datasets.iter().cloned().collect();
        let common = match datasets.take() {
            None => own,
            Some(common) => common.intersection(&own).cloned().collect(),
        };
        if common.is_empty() {
            return Err(FormatError::record(
                &file.name,
                line_number,
                "the dataset every line before names (one dataset per list version)",
            ));
        }
        datasets = Some(common);
        match schema(&line.schema) {
            Some(schema) => {
                let entry = entry(&file.name, line_number, &line, schema)?;
                if entries.insert(line.id.clone(), entry).is_some() {
                    return Err(FormatError::DuplicateEntry {
                        file: file.name.clone(),
                        id: line.id.chars().take(64).collect(),
                    });
                }
            }
            None => attachments.push(line),
        }
    }
    for line in &attachments {
        attach(&mut entries, line);
    }
    let datasets = datasets.unwrap_or_default();
    let [dataset] = Vec::from_iter(datasets)
        .try_into()
        .map_err(|_| FormatError::record(&file.name, 0, "one dataset shared by every line"))?;
    let list = list_name(&dataset.to_ascii_uppercase().replace('_', "-"), &file.name)?;
    let entries: Vec<ListEntry> = entries.into_values().collect();
    let kind = [
        EntryKind::Sanctions,
        EntryKind::Pep,
        EntryKind::AdverseMedia,
    ]
    .into_iter()
    .find(|k| entries.iter().any(|e| e.kind == *k))
    .unwrap_or(EntryKind::Sanctions);
    Ok(Parsed {
        list,
        kind,
        published: None,
        entries,
    })
}

/// The entry schema of an FtM schema that becomes an entry; `None` for the rest.
fn schema(name: &str) -> Option<EntrySchema> {
    match name {
        "Person" => Some(EntrySchema::Person),
        // FtM's LegalEntity is a body whose kind the source does not say: an organisation here.
        "Organization" | "Company" | "LegalEntity" => Some(EntrySchema::Organization),
        "Vessel" => Some(EntrySchema::Vessel),
        "Airplane" => Some(EntrySchema::Aircraft),
        _ => None,
    }
}

/// The kind an entity's topics give: `sanction` (and `sanction.linked`) before `role.pep` /
/// `role.rca` before crime and financial-crime topics; an entity with none of them is a
/// sanctions entry, since the datasets imported here are official lists.
fn kind(line: &Line) -> EntryKind {
    let topics: Vec<&str> = line.texts("topics").collect();
    if topics
        .iter()
        .any(|t| *t == "sanction" || *t == "sanction.linked")
    {
        EntryKind::Sanctions
    } else if topics.iter().any(|t| *t == "role.pep" || *t == "role.rca") {
        EntryKind::Pep
    } else if topics
        .iter()
        .any(|t| t.starts_with("crime") || t.starts_with("fin"))
    {
        EntryKind::AdverseMedia
    } else {
        EntryKind::Sanctions
    }
}

fn entry(
    file: &str,
    line_number: u64,
    line: &Line,
    schema: EntrySchema,
) -> Result<ListEntry, FormatError> {
    let id = ListEntryRef::parse(&line.id).map_err(|_| {
        FormatError::record(
            file,
            line_number,
            "an id of 1-64 printable ASCII characters",
        )
    })?;
    let mut entry = ListEntry {
        id,
        kind: kind(line),
        schema,
        names: Vec::new(),
        dates: Vec::new(),
        countries: Vec::new(),
        identifiers: Vec::new(),
        wallets: Vec::new(),
        programmes: Vec::new(),
    };
    for property in ["name", "alias", "previousName"] {
        line.texts(property)
            .for_each(|n| push_unique(&mut entry.names, n));
    }
    if entry.names.is_empty() {
        return Err(FormatError::record(file, line_number, "a name property"));
    }
    for property in ["birthDate", "incorporationDate", "buildDate"] {
        entry
            .dates
            .extend(line.texts(property).filter_map(date::iso));
    }
    for property in [
        "nationality",
        "citizenship",
        "country",
        "jurisdiction",
        "flag",
    ] {
        for code in line.texts(property).filter_map(country::ftm_code) {
            push_unique(&mut entry.countries, &code);
        }
    }
    for (property, kind) in IDENTIFIERS {
        for value in line.texts(property) {
            entry.identifiers.push(ListIdentifier {
                kind: (*kind).to_owned(),
                value: value.trim().to_owned(),
                country: None,
            });
        }
    }
    for property in ["program", "programId"] {
        line.texts(property)
            .for_each(|p| push_unique(&mut entry.programmes, p));
    }
    Ok(entry)
}

/// Adds a wallet, sanction or identity document to the entry it belongs to; one whose holder is
/// not in the file is skipped (it cannot be matched to anyone).
fn attach(entries: &mut BTreeMap<String, ListEntry>, line: &Line) {
    let holder_property = match line.schema.as_str() {
        "CryptoWallet" => "holder",
        "Sanction" => "entity",
        "Passport" | "Identification" => "holder",
        _ => return,
    };
    for holder in line.texts(holder_property) {
        let Some(entry) = entries.get_mut(holder) else {
            continue;
        };
        match line.schema.as_str() {
            "CryptoWallet" => line
                .texts("publicKey")
                .for_each(|k| push_unique(&mut entry.wallets, k)),
            "Sanction" => line
                .texts("program")
                .chain(line.texts("programId"))
                .for_each(|p| push_unique(&mut entry.programmes, p)),
            _ => {
                let kind = if line.schema == "Passport" {
                    "passport"
                } else {
                    "other"
                };
                let country = line.texts("country").find_map(country::ftm_code);
                if let Some(code) = &country {
                    push_unique(&mut entry.countries, code);
                }
                for number in line.texts("number") {
                    entry.identifiers.push(ListIdentifier {
                        kind: kind.to_owned(),
                        value: number.trim().to_owned(),
                        country: country.clone(),
                    });
                }
            }
        }
    }
}
