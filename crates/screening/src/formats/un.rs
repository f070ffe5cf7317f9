//! The UN Security Council consolidated list XML (`CONSOLIDATED_LIST` with `INDIVIDUALS` and
//! `ENTITIES`), streamed with quick-xml: each `INDIVIDUAL` or `ENTITY` is gathered as its leaf
//! fields and its groups (`INDIVIDUAL_ALIAS`, `NATIONALITY`, ...), then turned into an entry.
//!
//! Must not: build a DOM, or keep a "Low" quality alias among the names (the UN marks those as
//! weak; OpenSanctions calls them weak aliases and yente scores them apart, so do we).

use super::{FormatError, ListFile, Parsed, country, date, list_name, push_unique};
use crate::entry::{EntryKind, EntrySchema, ListEntry, ListIdentifier};
use compliance_domain::ListEntryRef;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event;

/// The list name of every UN import.
pub(crate) const LIST: &str = "UN-SC-CONSOLIDATED";

/// One `INDIVIDUAL` or `ENTITY`: its direct leaves and its groups, each as (tag, text) pairs.
#[derive(Default)]
struct Record {
    line: u64,
    person: bool,
    leaves: Vec<(String, String)>,
    groups: Vec<(String, Vec<(String, String)>)>,
}

/// Reads one consolidated list file.
pub(super) fn read(file: &ListFile) -> Result<Parsed, FormatError> {
    let text = std::str::from_utf8(&file.bytes).map_err(|e| {
        FormatError::record(&file.name, line_of(&file.bytes, e.valid_up_to()), "UTF-8")
    })?;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack: Vec<String> = Vec::new();
    let mut published = None;
    let mut record: Option<Record> = None;
    let mut buffer = String::new();
    let mut entries = Vec::new();
    loop {
        let at = reader.buffer_position();
        let event = reader.read_event().map_err(|_| {
            let position = usize::try_from(reader.error_position()).unwrap_or(usize::MAX);
            FormatError::record(
                &file.name,
                line_of(&file.bytes, position),
                "well-formed XML",
            )
        })?;
        let at = usize::try_from(at).unwrap_or(usize::MAX);
        match event {
            Event::Start(start) => {
                let tag = start.name().as_ref().to_owned();
                if stack.is_empty() {
                    if tag != "CONSOLIDATED_LIST" {
                        let line = line_of(&file.bytes, at);
                        return Err(FormatError::record(&file.name, line, "<CONSOLIDATED_LIST>"));
                    }
                    published = start
                        .try_get_attribute("dateGenerated")
                        .ok()
                        .flatten()
                        .and_then(|a| {
                            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .ok()
                                .map(|v| v.into_owned())
                        });
                }
                if stack.len() == 2 && (tag == "INDIVIDUAL" || tag == "ENTITY") {
                    record = Some(Record {
                        line: line_of(&file.bytes, at),
                        person: tag == "INDIVIDUAL",
                        ..Record::default()
                    });
                }
                if let (3, Some(record)) = (stack.len(), record.as_mut()) {
                    record.groups.push((tag.clone(), Vec::new()));
                }
                stack.push(tag);
                buffer.clear();
            }
            Event::Text(text) => buffer.push_str(&text.xml10_content()),
            Event::CData(data) => buffer.push_str(&data.xml10_content()),
            Event::GeneralRef(reference) => match reference.resolve_char_ref() {
                Ok(Some(c)) => buffer.push(c),
                _ => {
                    let name = reference.xml10_content();
                    buffer.push_str(resolve_predefined_entity(&name).unwrap_or(""));
                }
            },
            Event::End(_) => {
                let Some(tag) = stack.pop() else { continue };
                let value = std::mem::take(&mut buffer).trim().to_owned();
                match (stack.len(), record.as_mut()) {
                    (2, Some(_)) => {
                        if let Some(done) = record.take() {
                            entries.push(entry(&file.name, done)?);
                        }
                    }
                    (3, Some(r)) => {
                        // A leaf directly under the record: it was opened as a group; make it a leaf.
                        if let Some((name, children)) = r.groups.pop() {
                            if children.is_empty() && name == tag {
                                r.leaves.push((tag, value));
                            } else {
                                r.groups.push((name, children));
                            }
                        }
                    }
                    (4, Some(r)) => {
                        if let Some((_, children)) = r.groups.last_mut() {
                            children.push((tag, value));
                        }
                    }
                    _ => {}
                }
            }
            Event::Empty(_) => {}
            Event::Eof => break,
            _ => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(FormatError::record(
            &file.name,
            line_of(&file.bytes, file.bytes.len()),
            format!(
                "</{}> before the end of the file",
                open.chars().take(40).collect::<String>()
            ),
        ));
    }
    Ok(Parsed {
        list: list_name(LIST, &file.name)?,
        kind: EntryKind::Sanctions,
        published,
        entries,
    })
}

fn entry(file: &str, record: Record) -> Result<ListEntry, FormatError> {
    let leaf = |tag: &str| {
        record
            .leaves
            .iter()
            .find(|(t, v)| t == tag && !v.is_empty())
            .map(|(_, v)| v.as_str())
    };
    let reference = leaf("REFERENCE_NUMBER")
        .ok_or_else(|| FormatError::record(file, record.line, "a <REFERENCE_NUMBER>"))?;
    let id = ListEntryRef::parse(reference)
        .map_err(|_| FormatError::record(file, record.line, "a reference number in ASCII"))?;
    let full_name: Vec<&str> = ["FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"]
        .into_iter()
        .filter_map(leaf)
        .collect();
    let mut names = Vec::new();
    push_unique(&mut names, &full_name.join(" "));
    if names.is_empty() {
        return Err(FormatError::record(file, record.line, "a <FIRST_NAME>"));
    }
    if let Some(original) = leaf("NAME_ORIGINAL_SCRIPT") {
        push_unique(&mut names, original);
    }
    let mut entry = ListEntry {
        id,
        kind: EntryKind::Sanctions,
        schema: if record.person {
            EntrySchema::Person
        } else {
            EntrySchema::Organization
        },
        names,
        dates: Vec::new(),
        countries: Vec::new(),
        identifiers: Vec::new(),
        wallets: Vec::new(),
        programmes: Vec::new(),
    };
    if let Some(programme) = leaf("UN_LIST_TYPE") {
        push_unique(&mut entry.programmes, programme);
    }
    for (group, children) in &record.groups {
        let child = |tag: &str| {
            children
                .iter()
                .find(|(t, v)| t == tag && !v.is_empty())
                .map(|(_, v)| v.as_str())
        };
        match group.as_str() {
            "INDIVIDUAL_ALIAS" | "ENTITY_ALIAS"
                if child("QUALITY").is_none_or(|q| !q.eq_ignore_ascii_case("low")) =>
            {
                push_unique(&mut entry.names, child("ALIAS_NAME").unwrap_or(""));
            }
            "NATIONALITY" => {
                for (_, value) in children {
                    add_country(&mut entry.countries, value);
                }
            }
            "INDIVIDUAL_ADDRESS" | "ENTITY_ADDRESS" => {
                add_country(&mut entry.countries, child("COUNTRY").unwrap_or(""));
            }
            "INDIVIDUAL_DATE_OF_BIRTH" => {
                if let Some(d) = child("DATE").and_then(date::iso) {
                    entry.dates.push(d);
                } else if let Some(d) = child("YEAR").and_then(date::iso) {
                    entry.dates.push(d);
                } else if let (Some(from), Some(to)) = (
                    child("FROM_YEAR").and_then(date::iso),
                    child("TO_YEAR").and_then(date::iso),
                ) {
                    entry.dates.extend(date::year_range(from.year, to.year));
                }
            }
            "INDIVIDUAL_DOCUMENT" => document(&mut entry, child),
            _ => {}
        }
    }
    Ok(entry)
}

fn document<'a>(entry: &mut ListEntry, child: impl Fn(&str) -> Option<&'a str>) {
    let Some(number) = child("NUMBER") else {
        return;
    };
    let kind = match child("TYPE_OF_DOCUMENT")
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some(t) if t.contains("passport") => "passport",
        Some(t) if t.contains("national identification") || t.contains("national id") => {
            "national_id"
        }
        _ => "other",
    };
    let country = child("ISSUING_COUNTRY")
        .or_else(|| child("COUNTRY_OF_ISSUE"))
        .and_then(country::alpha2);
    if let Some(code) = country {
        push_unique(&mut entry.countries, code);
    }
    entry.identifiers.push(ListIdentifier {
        kind: kind.to_owned(),
        value: number.to_owned(),
        country: country.map(str::to_owned),
    });
}

fn add_country(countries: &mut Vec<String>, name: &str) {
    if let Some(code) = country::alpha2(name) {
        push_unique(countries, code);
    }
}

/// The 1-based line of byte `offset`.
fn line_of(bytes: &[u8], offset: usize) -> u64 {
    let end = offset.min(bytes.len());
    let breaks = bytes[..end].iter().filter(|&&b| b == b'\n').count();
    u64::try_from(breaks).unwrap_or(u64::MAX).saturating_add(1)
}
