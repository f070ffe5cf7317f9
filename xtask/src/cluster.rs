//! `cargo xtask cluster up | down | status | url | drill | reads`: a pg_auto_failover cluster on this
//! machine (a monitor, a primary, a synchronous standby, optionally a read node;
//! `compliance_ops::cluster`), the compliance database provisioned through its primary, the
//! failover drill, and the write throughput with the reports on the primary or on a standby.
//!
//! Must not: print a password (the cluster uses trust authentication on 127.0.0.1 and its URLs
//! carry none), or stop a server it did not start.

use crate::exit;
use compliance_ops::cluster::drill::{self, DrillOptions};
use compliance_ops::cluster::reads::{self, ReadsOptions};
use compliance_ops::cluster::{self, DEFAULT_BASE_PORT, Layout};
use compliance_ops::provision::{ProvisionOptions, provision};
use compliance_persistence::DatabaseConfig;
use std::path::PathBuf;
use std::time::Duration;
use text::{drill_text, reads_text, states_text};

mod text;

pub(crate) use text::print_report;

/// Options of `cluster`.
#[derive(Debug, clap::Args)]
pub struct ClusterArgs {
    /// The cluster's directory (default: COMPLIANCE_CLUSTER_DIR, else target/compliance-cluster).
    #[arg(long, global = true)]
    pub dir: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub action: ClusterAction,
}

/// The cluster's tasks.
#[derive(Debug, clap::Subcommand)]
pub enum ClusterAction {
    /// Start the cluster (made on first use): the monitor on BASE_PORT, the primary and the
    /// synchronous standby on the next two ports (with --read-node, a read node on the next);
    /// provision DATABASE_NAME (default compliance_db) through the primary; print the URL the
    /// service uses.
    Up {
        /// The monitor's port; the nodes take the next ones.
        #[arg(long, default_value_t = DEFAULT_BASE_PORT)]
        base_port: u16,
        /// Also a third node for reports, node_r: cloned from the primary, outside the
        /// synchronous quorum (no commit waits for it) and never promoted. Added to a cluster
        /// made without one; a cluster that has one keeps it until `down --purge`.
        #[arg(long)]
        read_node: bool,
    },
    /// Stop the nodes and the monitor (their data stays; `up` starts them again).
    Down {
        /// Also remove the cluster's directory.
        #[arg(long)]
        purge: bool,
    },
    /// Each node's state as the monitor sees it, the URL and the URL for reports.
    Status,
    /// Print the URL the service uses (both nodes, target_session_attrs=read-write).
    Url {
        /// Print the URL for reports (DATABASE_READ_URL) instead: the read node, or without
        /// one both nodes with target_session_attrs=prefer-standby.
        #[arg(long)]
        read: bool,
    },
    /// Kill the primary's postmaster under write load (ROUNDS times, the primary of the
    /// moment each time), let pg_auto_failover promote the standby, keep writing, then count
    /// what was acknowledged and is present, verify the database and check a checkpoint signed
    /// before the first kill. Exits 1 when a submission was lost, verify failed or the
    /// checkpoint no longer holds.
    Drill {
        /// Writer threads (the library, through the cluster's URL).
        #[arg(long, default_value_t = 4)]
        writers: u32,
        /// Seconds of writing before each kill.
        #[arg(long, default_value_t = 5)]
        before: u64,
        /// Seconds of writing after each kill.
        #[arg(long, default_value_t = 15)]
        after: u64,
        /// Kills.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=20))]
        rounds: u32,
        /// What to kill: `node` (its pg_autoctl keeper and its postmaster, as if the machine
        /// died; the keeper is started again once the standby is promoted) or `postmaster`
        /// (alone: the keeper restarts it, and the monitor may or may not fail over).
        #[arg(long, value_enum, default_value_t = KillArg::Node)]
        kill: KillArg,
        /// `text` (one `name: value` line each) or `json`.
        #[arg(long, value_enum, default_value_t = DrillFormat::Text)]
        format: DrillFormat,
    },
    /// Bulk-load CASES cases into the cluster's database through the primary: clones of its
    /// approved cases (KYC check, screening, decision and their audit entries, every trigger
    /// run), for the entities bench-1 to bench-CASES; for a restore drill at scale. Refused
    /// when bench-1 exists already.
    Load {
        /// Cases to add.
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
        cases: u64,
    },
    /// Measure the primary's write throughput alone, under a report load read from the
    /// primary, and under the same load read from the standby (as DATABASE_READ_URL sends it:
    /// the read node if the cluster has one), in ROUNDS rounds of the three phases; prints which
    /// node served the reports, each phase and the two ratios (medians).
    Reads {
        /// Writer threads (the library, through the cluster's URL).
        #[arg(long, default_value_t = 4)]
        writers: u32,
        /// Reader threads (queue, summary, dashboard, high-risk list, reviews due).
        #[arg(long, default_value_t = 2)]
        readers: u32,
        /// Seconds per phase.
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=600))]
        seconds: u64,
        /// Rounds of the three phases.
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=20))]
        rounds: u32,
        /// Pin for the measurement (taskset), as separate machines would have CPUs of their
        /// own: without a read node, the primary's server on CPU 0 and the standby's on CPU 1;
        /// with one, the primary's and the standby's servers and the writer threads on CPU 0,
        /// the read node's server and the reader threads on CPU 1.
        #[arg(long)]
        pin: bool,
        /// `text` (one `name: value` line each) or `json`.
        #[arg(long, value_enum, default_value_t = DrillFormat::Text)]
        format: DrillFormat,
    },
}

/// What the drill kills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KillArg {
    /// The keeper and the postmaster.
    Node,
    /// The postmaster alone.
    Postmaster,
}

/// How the drill prints its figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DrillFormat {
    /// One `name: value` line each.
    Text,
    /// The same as JSON.
    Json,
}

fn layout(args: &ClusterArgs) -> Layout {
    layout_in(args.dir.clone())
}

/// The cluster in `dir` (default: `Layout::default_dir`), on the ports and with the nodes it
/// was made with.
pub fn layout_in(dir: Option<PathBuf>) -> Layout {
    let dir = dir.unwrap_or_else(Layout::default_dir);
    match Layout::recorded(&dir) {
        Some(recorded) => Layout { dir, ..recorded },
        None => Layout::new(dir, DEFAULT_BASE_PORT),
    }
}

/// DATABASE_NAME, default compliance_db.
pub fn database() -> String {
    std::env::var("DATABASE_NAME")
        .ok()
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| compliance_persistence::defaults::NAME.to_owned())
}

/// Runs `cluster`; returns the exit status.
pub fn run(args: &ClusterArgs) -> u8 {
    let mut layout = layout(args);
    let say = |line: &str| eprintln!("{line}");
    let result = match &args.action {
        ClusterAction::Up {
            base_port,
            read_node,
        } => {
            if !layout.exists() {
                layout.base_port = *base_port;
            }
            layout.read_node |= *read_node;
            up(&layout)
        }
        ClusterAction::Down { purge } => cluster::down(&layout, *purge)
            .map(|stopped| {
                say(&if stopped.is_empty() {
                    "nothing of the cluster was running".to_owned()
                } else {
                    format!("stopped {}", stopped.join(", "))
                });
                if *purge {
                    say(&format!("removed {}", layout.dir.display()));
                }
            })
            .map_err(|e| (e.to_string(), exit::UNREACHABLE)),
        ClusterAction::Status
        | ClusterAction::Drill { .. }
        | ClusterAction::Load { .. }
        | ClusterAction::Reads { .. }
            if !layout.exists() =>
        {
            Err((
            format!(
                "no cluster in {}: `cargo xtask cluster up` makes one",
                layout.dir.display()
            ),
            exit::UNREACHABLE,
        ))
        }
        ClusterAction::Status => cluster::status(&layout)
            .map(|states| {
                crate::out(&states_text(&states));
                crate::out(&urls_text(&layout));
            })
            .map_err(|_| {
                (
                    format!(
                        "the cluster in {} is not running (its monitor at 127.0.0.1:{} does not answer): `cargo xtask cluster up` starts it",
                        layout.dir.display(),
                        layout.monitor().port
                    ),
                    exit::UNREACHABLE,
                )
            }),
        ClusterAction::Url { read } => {
            let url = if *read {
                layout.read_url(&database())
            } else {
                layout.url(&database())
            };
            crate::out(&format!("{url}\n"));
            Ok(())
        }
        ClusterAction::Drill {
            writers,
            before,
            after,
            rounds,
            kill,
            format,
        } => run_drill(
            &layout,
            &DrillOptions {
                writers: *writers,
                before: Duration::from_secs(*before),
                after: Duration::from_secs(*after),
                rounds: *rounds,
                kill: match kill {
                    KillArg::Node => cluster::Kill::Node,
                    KillArg::Postmaster => cluster::Kill::Postmaster,
                },
                database: database(),
                settle_within: Duration::from_secs(120),
            },
            *format,
        ),
        ClusterAction::Load { cases } => load(&layout, *cases),
        ClusterAction::Reads {
            writers,
            readers,
            seconds,
            rounds,
            pin,
            format,
        } => run_reads(
            &layout,
            &ReadsOptions {
                writers: *writers,
                readers: *readers,
                phase: Duration::from_secs(*seconds),
                rounds: *rounds,
                database: database(),
                pin: *pin,
            },
            *format,
        ),
    };
    match result {
        Ok(()) => exit::OK,
        Err((message, code)) => {
            eprintln!("error: {message}");
            code
        }
    }
}

fn up(layout: &Layout) -> Result<(), (String, u8)> {
    let say = |line: &str| eprintln!("{line}");
    let started = cluster::up(layout, say).map_err(|e| (e.to_string(), exit::UNREACHABLE))?;
    say(&format!(
        "cluster {} in {:.1} s ({})",
        if started.created {
            "made and started"
        } else {
            "started"
        },
        started.seconds,
        layout.dir.display()
    ));
    crate::out(&states_text(&started.nodes));
    let url = layout.url(&database());
    let config = DatabaseConfig::from_url(&url).map_err(|e| (e.to_string(), exit::UNREACHABLE))?;
    let report = provision(&config, ProvisionOptions::default(), |_| {})
        .map_err(|e| (e.to_string(), exit::FAILED))?;
    say(&format!(
        "{} provisioned through the primary: {}",
        report.target,
        report.verify.summary()
    ));
    crate::out(&urls_text(layout));
    say(&format!("export DATABASE_URL='{url}'"));
    if layout.read_node {
        say(&format!(
            "export DATABASE_READ_URL='{}'",
            layout.read_url(&database())
        ));
    }
    Ok(())
}

/// The service's URL, and the one for reports.
fn urls_text(layout: &Layout) -> String {
    let database = database();
    format!(
        "url: {}\nread url: {}\n",
        layout.url(&database),
        layout.read_url(&database)
    )
}

fn run_drill(
    layout: &Layout,
    options: &DrillOptions,
    format: DrillFormat,
) -> Result<(), (String, u8)> {
    let report = drill::run(layout, options, |line| eprintln!("{line}"))
        .map_err(|e| (e.to_string(), exit::UNREACHABLE))?;
    print_report(&report, format, drill_text);
    let failed = report.lost > 0 || !report.verify_passed || !report.checkpoint_holds;
    if failed {
        return Err((
            "the drill failed: see lost, verify and checkpoint above".into(),
            exit::FAILED,
        ));
    }
    Ok(())
}

fn load(layout: &Layout, cases: u64) -> Result<(), (String, u8)> {
    let config = DatabaseConfig::from_url(&layout.url(&database()))
        .map_err(|e| (e.to_string(), exit::UNREACHABLE))?;
    let first = compliance_app::domain::EntityId::parse("bench-1")
        .map_err(|e| (e.to_string(), exit::FAILED))?;
    let loaded = compliance_persistence::connect(&config)
        .and_then(|mut conn| {
            compliance_persistence::repo::case_submissions::history(&mut conn, &first)
        })
        .map_err(|e| (e.to_string(), exit::UNREACHABLE))?;
    if !loaded.is_empty() {
        return Err((
            format!(
                "{} holds bench-1 already: the cases were loaded before",
                config.target()
            ),
            exit::FAILED,
        ));
    }
    let started = std::time::Instant::now();
    crate::psql::clone_cases(&config, cases).map_err(|e| (e.to_string(), exit::FAILED))?;
    crate::out(&format!(
        "loaded {cases} cases into {} in {} s\n",
        config.target(),
        started.elapsed().as_secs()
    ));
    Ok(())
}

fn run_reads(
    layout: &Layout,
    options: &ReadsOptions,
    format: DrillFormat,
) -> Result<(), (String, u8)> {
    let report = reads::run(layout, options, |line| eprintln!("{line}"))
        .map_err(|e| (e.to_string(), exit::UNREACHABLE))?;
    print_report(&report, format, reads_text);
    Ok(())
}
