//! Reads on the standby, measured (`cargo xtask cluster reads`): the primary's write throughput
//! alone, under a report load read from the primary, and under the same load read from the
//! standby (`DATABASE_READ_URL`), in rounds that run the three phases back to back, so that the
//! ratios compare figures of one minute, not of one machine's good and bad hours.
//!
//! Writers submit through the library over the cluster's read-write URL (as the drill's
//! writers do); readers, as the seed's compliance officer, read the queue (the first page and a
//! jurisdiction's), the summary, the dashboard, the high-risk list and the reviews due, in a
//! closed loop.
//!
//! Must not: count a submission before the library acknowledged it, or a phase's reads while
//! another phase runs.

// Rates and their ratios are reporting, not money.
#![allow(clippy::float_arithmetic)]

use super::drill::{DrillError, WriteCounts, template, write_until};
use super::{Layout, monitor};
use compliance_app::{Caller, Compliance, Config, ListSize, QueueQuery, RoutedReads};
use compliance_domain::{Jurisdiction, Username};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// How the measurement runs.
#[derive(Debug, Clone)]
pub struct ReadsOptions {
    /// Writer threads.
    pub writers: u32,
    /// Reader threads in the phases with a report load.
    pub readers: u32,
    /// Each phase's length.
    pub phase: Duration,
    /// Rounds of the three phases.
    pub rounds: u32,
    /// The database in the cluster.
    pub database: String,
    /// Give the primary's server the first CPU and the standby's the second (`taskset`), as two
    /// machines would have their own; undone at the end.
    pub pin: bool,
}

/// Where a phase's reports were read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reports {
    /// No report load.
    None,
    /// Read from the primary.
    OnPrimary,
    /// Read from the standby.
    OnStandby,
}

/// One phase's figures.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Phase {
    /// The round, from 1.
    pub round: u32,
    /// Where its reports were read.
    pub reports: Reports,
    /// Submissions acknowledged per second.
    pub submissions_per_second: f64,
    /// Report reads answered per second.
    pub reads_per_second: f64,
    /// With reports on the standby: where they were answered.
    pub routed: Option<RoutedReads>,
}

/// The measurement's result.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReadsReport {
    /// Every phase, in the order run.
    pub phases: Vec<Phase>,
    /// The median over the rounds of the write throughput with reports on the primary over the
    /// throughput without reports.
    pub on_primary_ratio: f64,
    /// The same with the reports on the standby (the target: at least 0.9).
    pub on_standby_ratio: f64,
}

/// Runs the rounds on the cluster at `layout` (its servers pinned first with `pin`); `say` hears
/// each phase.
pub fn run(
    layout: &Layout,
    options: &ReadsOptions,
    mut say: impl FnMut(&str),
) -> Result<ReadsReport, DrillError> {
    monitor::wait_all_settled(layout, Duration::from_secs(60))?;
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    if options.pin && cpus < 2 {
        return Err(DrillError::Other(format!(
            "--pin needs two CPUs, one for each server; this machine has {cpus}"
        )));
    }
    if options.pin {
        let primary = super::drill::primary_node(layout)?;
        for node in layout.nodes() {
            let cpu = if node.name == primary.name { "0" } else { "1" };
            pin(&node, cpu)?;
        }
        say("pinned the primary's server to CPU 0 and the standby's to CPU 1");
    }
    let measured = measure(layout, options, &mut say);
    if options.pin {
        let all = format!("0-{}", cpus.saturating_sub(1));
        for node in layout.nodes() {
            pin(&node, &all)?;
        }
    }
    measured
}

/// Sets the CPUs of the server of `node`: its postmaster and every process it started (the
/// backends it forks later inherit them).
fn pin(node: &super::Instance, cpus: &str) -> Result<(), DrillError> {
    let pid_file = std::fs::read_to_string(node.data.join("postmaster.pid"))
        .map_err(|e| DrillError::Other(format!("{} has no postmaster.pid: {e}", node.name)))?;
    let postmaster = pid_file
        .lines()
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned();
    let children = std::process::Command::new("pgrep")
        .args(["-P", &postmaster])
        .output()
        .map_err(|e| DrillError::Other(format!("pgrep: {e}")))?;
    let children = String::from_utf8_lossy(&children.stdout).into_owned();
    for pid in std::iter::once(postmaster.as_str()).chain(children.split_whitespace()) {
        let set = std::process::Command::new("taskset")
            .args(["-a", "-c", "-p", cpus, pid])
            .output()
            .map_err(|e| DrillError::Other(format!("taskset: {e}")))?;
        // A backend that ended meanwhile is no longer there to pin.
        if !set.status.success() && pid == postmaster {
            return Err(DrillError::Other(format!(
                "taskset could not pin {}'s postmaster: {}",
                node.name,
                String::from_utf8_lossy(&set.stderr).trim()
            )));
        }
    }
    Ok(())
}

/// The rounds of three phases, and the median ratios.
fn measure(
    layout: &Layout,
    options: &ReadsOptions,
    say: &mut impl FnMut(&str),
) -> Result<ReadsReport, DrillError> {
    let url = layout.url(&options.database);
    let pool = options.writers + options.readers + 2;
    let config = Config::from_url(&url)
        .map_err(|e| DrillError::Other(e.to_string()))?
        .pool_max(pool);
    // The read node when the cluster has one, else whichever of the pair is the standby.
    let standby_url = layout.read_url(&options.database);
    let plain = Compliance::new(&config);
    let routed = Compliance::new(
        &config
            .replica_url(&standby_url)
            .map_err(|e| DrillError::Other(e.to_string()))?,
    );
    let agent = plain.in_process().system_agent()?;
    let officer =
        Username::parse("compliance.officer").map_err(|e| DrillError::Other(e.to_string()))?;
    let run_id = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    let mut phases = Vec::new();
    for round in 1..=options.rounds {
        for reports in [Reports::None, Reports::OnPrimary, Reports::OnStandby] {
            let readers = match reports {
                Reports::None => None,
                Reports::OnPrimary => Some(&plain),
                Reports::OnStandby => Some(&routed),
            };
            let reader = match readers {
                Some(c) => Some((c, c.in_process().user(&officer)?)),
                None => None,
            };
            let before = routed.read_replica_vitals().map(|v| v.routed);
            let phase_name = match reports {
                Reports::None => "alone",
                Reports::OnPrimary => "primary",
                Reports::OnStandby => "standby",
            };
            let prefix = format!("reads-{run_id}-{round}-{phase_name}");
            let (submitted, read) = one_phase(&plain, &agent, reader, &prefix, options)?;
            let seconds = options.phase.as_secs_f64();
            let routed_now = (reports == Reports::OnStandby)
                .then(|| routed.read_replica_vitals().map(|v| v.routed))
                .flatten()
                .zip(before)
                .map(|(now, before)| RoutedReads {
                    replica: now.replica - before.replica,
                    behind: now.behind - before.behind,
                    unavailable: now.unavailable - before.unavailable,
                    failed: now.failed - before.failed,
                });
            let phase = Phase {
                round,
                reports,
                submissions_per_second: submitted as f64 / seconds,
                reads_per_second: read as f64 / seconds,
                routed: routed_now,
            };
            say(&format!(
                "round {round}, reports {reports:?}: {:.1} submissions/s, {:.1} reads/s",
                phase.submissions_per_second, phase.reads_per_second
            ));
            phases.push(phase);
        }
    }
    let ratio = |reports| {
        let mut ratios: Vec<f64> = phases
            .chunks(3)
            .filter_map(|round| {
                let alone = round.iter().find(|p| p.reports == Reports::None)?;
                let with = round.iter().find(|p| p.reports == reports)?;
                (alone.submissions_per_second > 0.0)
                    .then(|| with.submissions_per_second / alone.submissions_per_second)
            })
            .collect();
        ratios.sort_by(f64::total_cmp);
        // The median; of an even number, the lower of the middle two.
        ratios
            .get(ratios.len().saturating_sub(1) / 2)
            .copied()
            .unwrap_or(0.0)
    };
    Ok(ReadsReport {
        on_primary_ratio: ratio(Reports::OnPrimary),
        on_standby_ratio: ratio(Reports::OnStandby),
        phases,
    })
}

/// Writers (and readers, when given) for one phase; the submissions acknowledged and the reads
/// answered.
fn one_phase(
    writers: &Compliance,
    agent: &Caller,
    readers: Option<(&Compliance, Caller)>,
    prefix: &str,
    options: &ReadsOptions,
) -> Result<(u64, u64), DrillError> {
    let template = template()?;
    let stop = AtomicBool::new(false);
    let counts = WriteCounts::default();
    let reads = AtomicU64::new(0);
    let read_errors = AtomicU64::new(0);
    let submitted = std::thread::scope(|scope| {
        let writing: Vec<_> = (0..options.writers)
            .map(|w| {
                let (template, stop, counts) = (&template, &stop, &counts);
                let prefix = format!("{prefix}-{w}");
                scope.spawn(move || {
                    write_until(writers, agent, template, &prefix, stop, counts).len() as u64
                })
            })
            .collect();
        if let Some((compliance, officer)) = &readers {
            for _ in 0..options.readers {
                let (stop, reads, read_errors) = (&stop, &reads, &read_errors);
                scope.spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        let answered = report_reads(compliance, officer);
                        reads.fetch_add(answered.0, Ordering::Relaxed);
                        read_errors.fetch_add(answered.1, Ordering::Relaxed);
                    }
                });
            }
        }
        std::thread::sleep(options.phase);
        stop.store(true, Ordering::Relaxed);
        writing
            .into_iter()
            .map(|w| w.join().unwrap_or(0))
            .sum::<u64>()
    });
    let failed = counts.failed.load(Ordering::Relaxed) + read_errors.load(Ordering::Relaxed);
    if failed > 0 {
        return Err(DrillError::Other(format!(
            "{failed} submissions or reads failed with an error that is not retryable"
        )));
    }
    Ok((submitted, reads.load(Ordering::Relaxed)))
}

/// One pass of the report load: (reads answered, reads failed).
fn report_reads(c: &Compliance, officer: &Caller) -> (u64, u64) {
    let us = QueueQuery {
        jurisdiction: Some(Jurisdiction::Us),
        ..QueueQuery::default()
    };
    let results = [
        c.queue(officer, &QueueQuery::default()).is_ok(),
        c.queue(officer, &us).is_ok(),
        c.summary(officer).is_ok(),
        c.dashboard(officer).is_ok(),
        c.high_risk(officer, None, ListSize::default()).is_ok(),
        c.reviews_due(officer, None, ListSize::default()).is_ok(),
    ];
    let ok = results.iter().filter(|r| **r).count() as u64;
    (ok, results.len() as u64 - ok)
}
