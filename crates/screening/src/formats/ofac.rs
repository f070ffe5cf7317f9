//! OFAC's SDN list as its CSV files: `sdn.csv` (one row per entry: ent_num, SDN_Name, SDN_Type,
//! Program, Title, Call_Sign, Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks),
//! `alt.csv` (ent_num, alt_num, alt_type, alt_name, alt_remarks) and `add.csv` (ent_num,
//! add_num, address, city/state/postal, country, add_remarks). No header; `-0- ` is empty; the
//! files end with a 0x1A byte; fields are ASCII or Windows-1252 (read as UTF-8, else Latin-1).
//!
//! Must not: reorder or rewrite names. `LAST, First` stays as OFAC writes it (the matcher
//! reorders tokens itself), and OFAC publishes no date in these files.

use super::{Format, FormatError, ListFile, Parsed, country, list_name, ofac_remarks, push_unique};
use crate::entry::{EntryKind, EntrySchema, ListEntry};
use compliance_domain::ListEntryRef;
use std::collections::BTreeMap;

/// The list name of every OFAC SDN import.
pub(crate) const LIST: &str = "OFAC-SDN";
const SDN: &str = "sdn.csv";
const ALT: &str = "alt.csv";
const ADD: &str = "add.csv";

/// Reads `sdn.csv` and, when given, `alt.csv` and `add.csv`.
pub(super) fn read(files: &[ListFile]) -> Result<Parsed, FormatError> {
    let named = |wanted: &str| files.iter().find(|f| f.name.eq_ignore_ascii_case(wanted));
    let unexpected = files.iter().any(|f| {
        ![SDN, ALT, ADD]
            .iter()
            .any(|n| f.name.eq_ignore_ascii_case(n))
    });
    let Some(sdn) = named(SDN).filter(|_| !unexpected) else {
        return Err(FormatError::Files {
            format: Format::OfacSdnCsv,
            expected: "sdn.csv, and optionally alt.csv and add.csv",
            got: super::file_names(files),
        });
    };
    let mut entries = BTreeMap::new();
    for (line, fields) in rows(sdn, 12)? {
        let (ent_num, entry) = sdn_entry(&sdn.name, line, &fields)?;
        if entries.insert(ent_num, entry).is_some() {
            return Err(FormatError::DuplicateEntry {
                file: sdn.name.clone(),
                id: format!("SDN-{ent_num}"),
            });
        }
    }
    if let Some(alt) = named(ALT) {
        for (line, fields) in rows(alt, 5)? {
            let entry = owner(&mut entries, alt, line, &fields)?;
            if let Some(name) = &fields[3] {
                push_unique(&mut entry.names, name);
            }
        }
    }
    if let Some(add) = named(ADD) {
        for (line, fields) in rows(add, 6)? {
            let entry = owner(&mut entries, add, line, &fields)?;
            if let Some(code) = fields[4].as_deref().and_then(country::alpha2) {
                push_unique(&mut entry.countries, code);
            }
        }
    }
    Ok(Parsed {
        list: list_name(LIST, &sdn.name)?,
        kind: EntryKind::Sanctions,
        published: None,
        entries: entries.into_values().collect(),
    })
}

/// One `sdn.csv` row as an entry, keyed by its ent_num.
fn sdn_entry(
    file: &str,
    line: u64,
    fields: &[Option<String>],
) -> Result<(u64, ListEntry), FormatError> {
    let ent_num = ent_num(file, line, fields)?;
    let id = ListEntryRef::parse(&format!("SDN-{ent_num}"))
        .map_err(|_| FormatError::record(file, line, "a short ent_num"))?;
    let name = fields[1]
        .as_deref()
        .ok_or_else(|| FormatError::record(file, line, "an SDN_Name in column 2"))?;
    let schema = match fields[2].as_deref().map(str::to_ascii_lowercase).as_deref() {
        None => EntrySchema::Organization,
        Some("individual") => EntrySchema::Person,
        Some("vessel") => EntrySchema::Vessel,
        Some("aircraft") => EntrySchema::Aircraft,
        Some(_) => {
            return Err(FormatError::record(
                file,
                line,
                "SDN_Type individual, vessel, aircraft or -0- in column 3",
            ));
        }
    };
    let remarks = ofac_remarks::parse_remarks(fields[11].as_deref().unwrap_or(""));
    let mut countries = remarks.countries;
    if let Some(flag) = fields[9].as_deref().and_then(country::alpha2) {
        push_unique(&mut countries, flag);
    }
    // Programmes are bracketed in OFAC's other files; the CSV drops the outer brackets, so
    // `SDGT] [IRGC` is two programmes.
    let mut programmes = Vec::new();
    for programme in fields[3].as_deref().unwrap_or("").split("] [") {
        push_unique(&mut programmes, programme.trim_matches(['[', ']', ' ']));
    }
    let entry = ListEntry {
        id,
        kind: EntryKind::Sanctions,
        schema,
        names: vec![name.trim().to_owned()],
        dates: remarks.dates,
        countries,
        identifiers: remarks.identifiers,
        wallets: remarks.wallets,
        programmes,
    };
    Ok((ent_num, entry))
}

/// The entry an `alt.csv` or `add.csv` row belongs to.
fn owner<'e>(
    entries: &'e mut BTreeMap<u64, ListEntry>,
    file: &ListFile,
    line: u64,
    fields: &[Option<String>],
) -> Result<&'e mut ListEntry, FormatError> {
    let ent_num = ent_num(&file.name, line, fields)?;
    entries
        .get_mut(&ent_num)
        .ok_or_else(|| FormatError::record(&file.name, line, "an ent_num that sdn.csv lists"))
}

fn ent_num(file: &str, line: u64, fields: &[Option<String>]) -> Result<u64, FormatError> {
    fields[0]
        .as_deref()
        .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| FormatError::record(file, line, "a numeric ent_num in column 1"))
}

/// One CSV row: its line and its fields.
type Row = (u64, Vec<Option<String>>);

/// The rows of one file as (line, fields), each field `None` when empty or `-0-`.
fn rows(file: &ListFile, columns: usize) -> Result<Vec<Row>, FormatError> {
    // OFAC ends each file with an MS-DOS end-of-file byte (0x1A), after the last line break.
    let end = file
        .bytes
        .iter()
        .rposition(|b| !matches!(b, 0x1A | b'\r' | b'\n' | b' '))
        .map_or(0, |i| i + 1);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(&file.bytes[..end]);
    let mut rows = Vec::new();
    let mut record = csv::ByteRecord::new();
    // csv counts a CRLF's line feed into the next record, so lines are counted here, from the
    // byte offsets, incrementally (a 20,000-row file is not rescanned per row).
    let mut lines = Lines {
        bytes: &file.bytes[..end],
        upto: 0,
        line: 1,
    };
    loop {
        let before = reader.position().byte();
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(error) => {
                let byte = error.position().map_or(before, csv::Position::byte);
                let line = lines.at(byte);
                return Err(FormatError::record(&file.name, line, "well-formed CSV"));
            }
        }
        let line = lines.at(record.position().map_or(before, csv::Position::byte));
        if record.len() != columns {
            return Err(FormatError::record(
                &file.name,
                line,
                format!("{columns} columns, found {}", record.len()),
            ));
        }
        rows.push((line, record.iter().map(field).collect()));
    }
    Ok(rows)
}

/// The 1-based line of byte offsets, read in increasing order.
struct Lines<'a> {
    bytes: &'a [u8],
    upto: usize,
    line: u64,
}

impl Lines<'_> {
    /// The line of the record starting at `byte` (a line feed there still ends the line before).
    fn at(&mut self, byte: u64) -> u64 {
        let byte = usize::try_from(byte).unwrap_or(usize::MAX);
        let stop = byte.saturating_add(1).min(self.bytes.len()).max(self.upto);
        let breaks = self.bytes[self.upto..stop]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.line = self
            .line
            .saturating_add(u64::try_from(breaks).unwrap_or(u64::MAX));
        self.upto = stop;
        self.line
    }
}

/// A field as text: UTF-8 when it is, else Latin-1 (OFAC's files are Windows-1252 in practice);
/// `None` when empty or OFAC's `-0-` placeholder.
fn field(bytes: &[u8]) -> Option<String> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
    };
    let text = text.trim();
    (!text.is_empty() && text != "-0-").then(|| text.to_owned())
}
