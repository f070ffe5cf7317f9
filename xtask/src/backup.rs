//! `cargo xtask backup run | info | restore-drill`: pgBackRest backups of the cluster that
//! `cargo xtask cluster up` made (its WAL archived since it was made), and the restore drill
//! (`compliance_ops::cluster::restore`): a point-in-time restore into a scratch cluster,
//! checked end to end.
//!
//! Must not: touch a cluster it did not make, or print a password (the cluster has none).

use crate::exit;
use compliance_ops::cluster::backup::{self, Kind};
use compliance_ops::cluster::restore::{self, RestoreOptions, RestoreReport};
use std::path::PathBuf;

/// Options of `backup`.
#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    /// The cluster's directory (default: COMPLIANCE_CLUSTER_DIR, else target/compliance-cluster).
    #[arg(long, global = true)]
    pub dir: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub action: BackupAction,
}

/// The backup tasks.
#[derive(Debug, clap::Subcommand)]
pub enum BackupAction {
    /// Take a backup from the primary (pgBackRest; the first is full whatever --type says).
    Run {
        /// full, diff (since the last full) or incr (since the last backup).
        #[arg(long = "type", value_enum, default_value_t = KindArg::Incr)]
        kind: KindArg,
    },
    /// List the backups and the archived WAL (pgBackRest's info).
    Info {
        /// Print pgBackRest's JSON instead of its text.
        #[arg(long)]
        json: bool,
    },
    /// Submit cases, note the instant, submit more, then restore the latest backup to that
    /// instant into a scratch cluster: every case before it present, none after, verify and a
    /// checkpoint signed before it checking there. Exits 1 otherwise.
    RestoreDrill {
        /// Cases submitted before the instant, and as many after it.
        #[arg(long, default_value_t = 20)]
        cases: u32,
        /// Keep the scratch cluster's directory (stopped) afterwards.
        #[arg(long)]
        keep: bool,
        /// `text` (one `name: value` line each) or `json`.
        #[arg(long, value_enum, default_value_t = crate::cluster::DrillFormat::Text)]
        format: crate::cluster::DrillFormat,
    },
}

/// A backup's kind on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KindArg {
    /// Everything.
    Full,
    /// Since the last full backup.
    Diff,
    /// Since the last backup.
    Incr,
}

/// Runs `backup`; returns the exit status.
pub fn run(args: &BackupArgs) -> u8 {
    let layout = crate::cluster::layout_in(args.dir.clone());
    if !layout.exists() {
        eprintln!(
            "error: no cluster in {}: `cargo xtask cluster up` makes one (its WAL archived from the start)",
            layout.dir.display()
        );
        return exit::UNREACHABLE;
    }
    let result = match &args.action {
        BackupAction::Run { kind } => backup::backup(
            &layout,
            match kind {
                KindArg::Full => Kind::Full,
                KindArg::Diff => Kind::Diff,
                KindArg::Incr => Kind::Incr,
            },
        )
        .map(|info| crate::out(&info))
        .map_err(|e| e.to_string()),
        BackupAction::Info { json } => backup::info(&layout, *json)
            .map(|info| crate::out(&info))
            .map_err(|e| e.to_string()),
        BackupAction::RestoreDrill {
            cases,
            keep,
            format,
        } => {
            let options = RestoreOptions {
                cases: *cases,
                database: crate::cluster::database(),
                keep: *keep,
            };
            match restore::run(&layout, &options, |line| eprintln!("{line}")) {
                Ok(report) => {
                    crate::cluster::print_report(&report, *format, text);
                    if !report.passed() {
                        eprintln!("error: the restore drill failed: see above");
                        return exit::FAILED;
                    }
                    Ok(())
                }
                Err(e) => Err(e.to_string()),
            }
        }
    };
    match result {
        Ok(()) => exit::OK,
        Err(message) => {
            eprintln!("error: {message}");
            exit::UNREACHABLE
        }
    }
}

fn text(r: &RestoreReport) -> String {
    format!(
        "target: {}\nbackup: {}\nrestore seconds: {:.2}\nrecovery seconds: {:.2}\ncases before the target found: {} of {}\ncases after the target found: {} of {}\ncases in the restored database: {}\nverify on the restored database: {}\nsigned checkpoint still checks: {}\n",
        r.target,
        r.backup,
        r.restore_seconds,
        r.recovery_seconds,
        r.before_found,
        r.before_submitted,
        r.after_found,
        r.after_submitted,
        r.cases,
        r.verify,
        if r.checkpoint_holds { "yes" } else { "NO" }
    )
}
