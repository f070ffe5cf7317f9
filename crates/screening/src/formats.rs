//! Official watchlist files read into [`ListEntry`] values: one small module per official format
//! (OFAC's SDN CSV files, the UN consolidated list XML, OpenSanctions' FollowTheMoney JSON lines),
//! and the content hash that makes an import evidence.
//!
//! Must not: read files, download, or touch a database. The caller reads the bytes and names
//! them; a parse is a pure function of those bytes. Error messages name the file, the line and
//! what was expected, never a whole record.

mod country;
mod date;
mod error;
mod ftm;
mod ofac;
mod ofac_remarks;
mod synthetic;
mod un;

#[cfg(test)]
mod tests;

use crate::entry::{EntryKind, ListEntry};
use compliance_domain::ListName;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

pub use error::{FormatError, UnknownFormat};
pub use synthetic::{synthetic_entries, write_ofac};

/// An official list format, named on the command line by its text form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// OFAC's SDN list as its legacy CSV files: `sdn.csv` (required), `alt.csv` and `add.csv`
    /// (optional, read when given). Text form `ofac-sdn-csv`.
    OfacSdnCsv,
    /// The UN Security Council consolidated list as XML, one file. Text form `un-xml`.
    UnConsolidatedXml,
    /// OpenSanctions' FollowTheMoney entities as JSON lines, one dataset per import, one file.
    /// Text form `ftm-jsonl`.
    FollowTheMoney,
}

impl Format {
    /// Every format, in the order the error message lists them.
    pub const ALL: [Format; 3] = [
        Format::OfacSdnCsv,
        Format::UnConsolidatedXml,
        Format::FollowTheMoney,
    ];

    /// The text form, e.g. `ofac-sdn-csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::OfacSdnCsv => "ofac-sdn-csv",
            Format::UnConsolidatedXml => "un-xml",
            Format::FollowTheMoney => "ftm-jsonl",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.as_str() == text)
            .ok_or_else(|| UnknownFormat {
                given: text.chars().take(32).collect(),
            })
    }
}

/// One file of a list as the caller read it: its file name (no directory) and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListFile {
    /// The file name, e.g. `sdn.csv`; OFAC's files are told apart by it (case-insensitively).
    pub name: String,
    /// The file's bytes, exactly as published.
    pub bytes: Vec<u8>,
}

impl ListFile {
    /// A named file.
    pub fn new(name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        Self {
            name: name.into(),
            bytes: bytes.into(),
        }
    }
}

/// One version of one list, parsed: what an import stores as evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedList {
    /// The list, e.g. `OFAC-SDN`, `UN-SC-CONSOLIDATED`, or for FollowTheMoney the dataset
    /// upper-cased with `-` for `_` (`ae_local_terrorists` is `AE-LOCAL-TERRORISTS`).
    pub list: ListName,
    /// The list's kind: sanctions for OFAC and the UN; for FollowTheMoney the strongest kind
    /// among its entries (sanctions, then PEP, then adverse media).
    pub kind: EntryKind,
    /// SHA-256 over the files, see [`content_hash`].
    pub content_hash: [u8; 32],
    /// The format and the file names, e.g. `ofac-sdn-csv: add.csv, alt.csv, sdn.csv`, with the
    /// list's own publication date when the format carries one.
    pub source: String,
    /// The list's own publication date or time as it gives it (the UN's `dateGenerated`);
    /// `None` when the format carries none (OFAC's CSV files, FollowTheMoney lines).
    pub published: Option<String>,
    /// The entries, sorted by id (as text); ids are unique.
    pub entries: Vec<ListEntry>,
}

impl ParsedList {
    /// The content hash as 64 lowercase hexadecimal digits, as reports and the database show it.
    pub fn content_hash_hex(&self) -> String {
        self.content_hash
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// Reads one list version from its files in `format`.
///
/// OFAC expects `sdn.csv` and, when present beside it, `alt.csv` and `add.csv`; the UN and
/// FollowTheMoney formats expect exactly one file. An unexpected or repeated file name, a
/// malformed record, a duplicate entry id and a list without entries are errors.
///
/// ```
/// use compliance_screening::formats::{Format, ListFile, read};
/// let row = "36,\"EXAMPLE AIRLINES\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n\x1a";
/// let list = read(Format::OfacSdnCsv, &[ListFile::new("sdn.csv", row)])?;
/// assert_eq!(list.list.as_str(), "OFAC-SDN");
/// assert_eq!(list.entries[0].id.as_str(), "SDN-36");
/// assert_eq!(list.entries[0].programmes, ["CUBA"]);
/// # Ok::<(), compliance_screening::formats::FormatError>(())
/// ```
pub fn read(format: Format, files: &[ListFile]) -> Result<ParsedList, FormatError> {
    let mut seen = BTreeSet::new();
    for file in files {
        if !seen.insert(file.name.to_ascii_lowercase()) {
            return Err(FormatError::Files {
                format,
                expected: "each file name once",
                got: file_names(files),
            });
        }
    }
    let parsed = match format {
        Format::OfacSdnCsv => ofac::read(files)?,
        Format::UnConsolidatedXml | Format::FollowTheMoney => {
            let [file] = files else {
                return Err(FormatError::Files {
                    format,
                    expected: "exactly one file",
                    got: file_names(files),
                });
            };
            if format == Format::FollowTheMoney {
                ftm::read(file)?
            } else {
                un::read(file)?
            }
        }
    };
    let mut entries = parsed.entries;
    let primary = files.first().map_or("", |f| f.name.as_str());
    if entries.is_empty() {
        return Err(FormatError::Empty {
            file: primary.to_owned(),
        });
    }
    entries.sort_by(|a, b| a.id.cmp(&b.id));
    if let Some(pair) = entries.windows(2).find(|w| w[0].id == w[1].id) {
        return Err(FormatError::DuplicateEntry {
            file: primary.to_owned(),
            id: pair[0].id.to_string(),
        });
    }
    let mut names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    names.sort_unstable();
    let mut source = format!("{format}: {}", names.join(", "));
    if let Some(published) = &parsed.published {
        source.push_str(&format!(" (published {published})"));
    }
    Ok(ParsedList {
        list: parsed.list,
        kind: parsed.kind,
        content_hash: content_hash(files),
        source,
        published: parsed.published,
        entries,
    })
}

/// SHA-256 over the files in a canonical order: sorted by name (bytewise), then bytes; for each
/// file its name's length (u64, big-endian), the name, its length (u64, big-endian) and its bytes.
/// The lengths make the encoding unambiguous, so two different sets of files cannot produce the
/// same input to the hash; the sort makes it independent of the order the files were passed in.
pub fn content_hash(files: &[ListFile]) -> [u8; 32] {
    let mut sorted: Vec<&ListFile> = files.iter().collect();
    sorted.sort_by(|a, b| (a.name.as_bytes(), &a.bytes).cmp(&(b.name.as_bytes(), &b.bytes)));
    let mut hasher = Sha256::new();
    for file in sorted {
        hasher.update((file.name.len() as u64).to_be_bytes());
        hasher.update(file.name.as_bytes());
        hasher.update((file.bytes.len() as u64).to_be_bytes());
        hasher.update(&file.bytes);
    }
    hasher.finalize().into()
}

/// What a format module hands back before the shared checks (sorting, duplicates, emptiness).
struct Parsed {
    list: ListName,
    kind: EntryKind,
    published: Option<String>,
    entries: Vec<ListEntry>,
}

fn file_names(files: &[ListFile]) -> String {
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    if names.is_empty() {
        "no files".to_owned()
    } else {
        names.join(", ")
    }
}

/// Pushes `value` unless it is empty or already present (lists repeat a name as an alias).
fn push_unique(values: &mut Vec<String>, value: &str) {
    let value = value.trim();
    if !value.is_empty() && !values.iter().any(|v| v == value) {
        values.push(value.to_owned());
    }
}

/// A list name: OFAC's and the UN's constants, or a FollowTheMoney dataset's name, which may
/// be too long or not ASCII (then the file as a whole is refused, hence line 0).
fn list_name(name: &str, file: &str) -> Result<ListName, FormatError> {
    ListName::parse(name)
        .map_err(|_| FormatError::record(file, 0, "a list name of 1-64 printable ASCII characters"))
}
