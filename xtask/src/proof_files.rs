//! What the proof commands share (`checkpoint sign | prove | check-proof`, `watchlist prove`):
//! reading a JSON file, writing one (or stdout), the database connection, and failing with an
//! exit status.
//!
//! Must not: print a key or a secret: only what the caller asked to be written.

use crate::exit;
use compliance_persistence::{DatabaseConfig, connect};

/// Writes `json` to `out` (then prints `summary` and where), or to stdout.
pub(crate) fn write_json(json: String, out: Option<&std::path::Path>, summary: &str) -> u8 {
    let json = json + "\n";
    match out {
        Some(path) => {
            if let Err(e) = std::fs::write(path, json) {
                return fail(
                    &format!("cannot write {}: {e}", path.display()),
                    exit::USAGE,
                );
            }
            crate::out(&format!("{summary}; written to {}\n", path.display()));
        }
        None => crate::out(&json),
    }
    exit::OK
}

/// Reads a JSON file of type `T` (`what` names it in the error).
pub(crate) fn read_json<T: serde::de::DeserializeOwned>(
    file: &std::path::Path,
    what: &str,
) -> Result<T, u8> {
    std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))
        .and_then(|text| {
            serde_json::from_str(&text)
                .map_err(|e| format!("{} is not {what}: {e}", file.display()))
        })
        .map_err(|e| fail(&e, exit::USAGE))
}

pub(crate) fn database()
-> Result<(DatabaseConfig, compliance_persistence::diesel::PgConnection), u8> {
    let config = DatabaseConfig::from_env().map_err(|e| fail(&e.to_string(), exit::UNREACHABLE))?;
    let conn = connect(&config).map_err(|e| fail(&e.to_string(), exit::UNREACHABLE))?;
    Ok((config, conn))
}

pub(crate) fn fail(message: &str, code: u8) -> u8 {
    eprintln!("error: {message}");
    code
}
