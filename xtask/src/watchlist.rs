//! `cargo xtask watchlist import | list | screen`: watchlist versions from their official files,
//! the versions imported, and screening subjects against the current versions (JSON out).
//!
//! Must not: log a subject; the screening's JSON goes to stdout only, where the caller asked.

use crate::exit;
use compliance_app::domain::input::SubjectInput;
use compliance_app::domain::{Jurisdiction, Username};
use compliance_app::screening::formats::{Format, ListFile};
use compliance_app::watchlists::Imported;
use compliance_app::{Caller, Compliance, Config};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

/// Options of `watchlist`.
#[derive(Debug, clap::Args)]
pub struct WatchlistArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: WatchlistAction,
}

/// The watchlist tasks.
#[derive(Debug, clap::Subcommand)]
pub enum WatchlistAction {
    /// Import a list version from its official files: `ofac-sdn-csv` (PATH is sdn.csv or its
    /// folder; alt.csv and add.csv beside it are read too), `un-xml`, `ftm-jsonl`.
    Import {
        /// The format.
        #[arg(long)]
        format: Format,
        /// The file (or, for OFAC, the folder).
        path: PathBuf,
        /// Import even though the entry count fell by more than 20%, for this reason (audited).
        #[arg(long)]
        force_reason: Option<String>,
        /// The admin importing it (recorded in the audit).
        #[arg(long, default_value = "admin")]
        by: String,
    },
    /// The versions imported, newest first, as JSON lines.
    List,
    /// Screen a subject (or every JSON line of `--subjects`) against the current versions and
    /// print the matches as JSON: one line per subject, in order.
    Screen {
        /// A name to screen.
        #[arg(long, required_unless_present = "subjects")]
        name: Option<String>,
        /// Its date of birth or incorporation, YYYY-MM-DD.
        #[arg(long)]
        birth_date: Option<String>,
        /// Its country (ISO 3166-1 alpha-2), repeatable.
        #[arg(long)]
        country: Vec<String>,
        /// Subjects as JSON lines (`{"names": [...], ...}`), instead of `--name`.
        #[arg(long, conflicts_with = "name")]
        subjects: Option<PathBuf>,
        /// Judge the matches by this jurisdiction's bands (default: the strictest of the three).
        #[arg(long)]
        jurisdiction: Option<Jurisdiction>,
        /// Who screens (recorded nowhere: a screening writes nothing).
        #[arg(long, default_value = "kyc-agent")]
        by: String,
    },
}

/// Runs `watchlist`; returns the exit status.
pub fn run(args: &WatchlistArgs) -> u8 {
    match act(&args.action) {
        Ok(()) => exit::OK,
        Err(e) => exit::of(&e),
    }
}

/// The named user as an in-process caller (`--by`).
pub(crate) fn caller(compliance: &Compliance, username: &str) -> anyhow::Result<Caller> {
    let name = Username::parse(username)?;
    Ok(compliance.in_process().user(&name)?)
}

/// The files of a list: one file, or OFAC's sdn.csv with alt.csv and add.csv beside it.
fn files(format: Format, path: &Path) -> anyhow::Result<Vec<ListFile>> {
    let read = |p: &Path| -> anyhow::Result<ListFile> {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(ListFile::new(
            name,
            std::fs::read(p).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", p.display()))?,
        ))
    };
    if format != Format::OfacSdnCsv {
        return Ok(vec![read(path)?]);
    }
    let folder = if path.is_dir() {
        path.to_path_buf()
    } else {
        path.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let mut out = vec![read(&folder.join("sdn.csv"))?];
    for companion in ["alt.csv", "add.csv"] {
        let p = folder.join(companion);
        if p.exists() {
            out.push(read(&p)?);
        }
    }
    Ok(out)
}

#[allow(clippy::print_stdout)] // The command's output is JSON on stdout.
fn act(action: &WatchlistAction) -> anyhow::Result<()> {
    let compliance = Compliance::new(&Config::from_env()?);
    let mut out = std::io::stdout().lock();
    match action {
        WatchlistAction::Import {
            format,
            path,
            force_reason,
            by,
        } => {
            let caller = caller(&compliance, by)?;
            let files = files(*format, path)?;
            let imported =
                compliance.import_watchlist(&caller, *format, &files, force_reason.as_deref())?;
            let (what, v) = match &imported {
                Imported::New(v) => ("imported", v),
                Imported::Existing(v) => ("already imported", v),
            };
            eprintln!(
                "{what}: {} ({} entries, {})",
                v.label, v.entry_count, v.source
            );
            writeln!(out, "{}", serde_json::to_string(&imported)?)?;
        }
        WatchlistAction::List => {
            let caller = caller(&compliance, "admin")?;
            for version in compliance.watchlist_versions(&caller)? {
                writeln!(out, "{}", serde_json::to_string(&version)?)?;
            }
        }
        WatchlistAction::Screen {
            name,
            birth_date,
            country,
            subjects,
            jurisdiction,
            by,
        } => {
            let caller = caller(&compliance, by)?;
            let mut screen = |input: SubjectInput| -> anyhow::Result<()> {
                let subject = input.parse()?;
                let screened = compliance.screen(&caller, &subject, *jurisdiction)?;
                writeln!(out, "{}", serde_json::to_string(&screened)?)?;
                Ok(())
            };
            match (name, subjects) {
                (Some(name), _) => screen(SubjectInput {
                    names: vec![name.clone()],
                    birth_date: birth_date.clone(),
                    countries: country.clone(),
                    ..SubjectInput::default()
                })?,
                (None, Some(file)) => {
                    let reader = std::io::BufReader::new(std::fs::File::open(file)?);
                    for (i, line) in reader.lines().enumerate() {
                        let line = line?;
                        if line.trim().is_empty() {
                            continue;
                        }
                        let input: SubjectInput = serde_json::from_str(&line).map_err(|e| {
                            anyhow::anyhow!("{}:{}: not a subject: {e}", file.display(), i + 1)
                        })?;
                        screen(input)?;
                    }
                }
                (None, None) => anyhow::bail!("give --name or --subjects"),
            }
        }
    }
    Ok(())
}
