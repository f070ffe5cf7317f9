//! `cargo xtask watchlist import | list | screen | run | status | prove`: watchlist versions
//! from their official files, the versions imported, screening subjects against the current
//! versions (JSON out), and ongoing monitoring (`crate::monitoring`).
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
        /// Do not screen the base here: leave the version's job to compliance-api's monitor
        /// (`watchlist status` follows it).
        #[arg(long)]
        detach: bool,
    },
    /// The versions imported, newest first, as JSON lines.
    List,
    /// Screen the base against every list version whose job waits (or was left half done), in
    /// this process, with a progress bar; then every periodic review that has fallen due.
    Run {
        /// The share of the time the job may work, in percent, 5 to 100 (it pauses between
        /// batches so that live submissions keep their latency).
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u8).range(5..=100))]
        duty: u8,
    },
    /// Each list version's screening job, newest first: screened, matched, escalated,
    /// rejected, flagged, and how long it took.
    Status {
        /// JSON lines instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Write a proof that an entity was screened against a list version (by that version's
    /// job), against a signed checkpoint; `compliance-proof check-screening` checks it offline.
    Prove {
        /// The entity.
        #[arg(long)]
        entity: String,
        /// The list version (its id, as `watchlist list` prints it).
        #[arg(long)]
        version: uuid::Uuid,
        /// The signed checkpoint (`cargo xtask checkpoint sign`), signed after the job ended.
        #[arg(long)]
        checkpoint: PathBuf,
        /// Write the proof here instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
    },
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
    if let WatchlistAction::Prove {
        entity,
        version,
        checkpoint,
        out,
    } = &args.action
    {
        return crate::monitoring::prove(entity, *version, checkpoint, out.as_deref());
    }
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
            detach,
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
            if *detach {
                eprintln!(
                    "the base is screened against it by compliance-api's monitor (or: cargo xtask watchlist run); cargo xtask watchlist status shows the numbers"
                );
            } else {
                crate::monitoring::run_jobs(&compliance, 100)?;
            }
        }
        WatchlistAction::Run { duty } => {
            if crate::monitoring::run_jobs(&compliance, *duty)?.is_empty() {
                eprintln!("no screening job waits");
            }
            crate::monitoring::run_reviews(&compliance)?;
        }
        WatchlistAction::Status { json } => {
            let caller = caller(&compliance, "admin")?;
            crate::monitoring::status(&compliance, &caller, *json)?;
        }
        // `run` answers it with its own exit statuses, before `act`.
        WatchlistAction::Prove { .. } => {}
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
