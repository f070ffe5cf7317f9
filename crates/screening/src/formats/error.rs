//! Why a list file could not be read: which file, which line, what was expected.
//!
//! Must not: carry a whole record or a listed person's name. Messages end up in logs; they say
//! where to look, and the file itself says what is there.

use super::Format;

/// A format name that is none of the accepted text forms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown list format `{given}`; expected one of: ofac-sdn-csv, un-xml, ftm-jsonl")]
pub struct UnknownFormat {
    /// The text given (at most 32 characters of it).
    pub given: String,
}

/// A list file that is not what its format says it should be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    /// The set of files does not fit the format (a missing `sdn.csv`, an unknown name, two
    /// files where one is expected).
    #[error("{format} expects {expected}; got {got}")]
    Files {
        /// The format read.
        format: Format,
        /// What the format expects.
        expected: &'static str,
        /// The file names given.
        got: String,
    },
    /// A record that does not parse.
    #[error("{file}:{line}: expected {expected}")]
    Record {
        /// The file name.
        file: String,
        /// The 1-based line where the record starts (0 when the file has no lines to point at).
        line: u64,
        /// What was expected there, e.g. `12 columns, found 5`.
        expected: String,
    },
    /// Two entries with the same id.
    #[error("{file}: entry id {id} appears more than once")]
    DuplicateEntry {
        /// The file name.
        file: String,
        /// The repeated id (a list reference, never a name).
        id: String,
    },
    /// A list without a single entry: an import of it would clear every match.
    #[error("{file}: the list has no entries")]
    Empty {
        /// The file name.
        file: String,
    },
}

impl FormatError {
    /// A record error at `line` of `file`.
    pub(crate) fn record(file: &str, line: u64, expected: impl Into<String>) -> Self {
        FormatError::Record {
            file: file.to_owned(),
            line,
            expected: expected.into(),
        }
    }
}
