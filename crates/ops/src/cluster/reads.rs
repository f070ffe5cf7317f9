//! Reads on the standby, measured (`cargo xtask cluster reads`): the primary's write throughput
//! alone, under a report load read from the primary, and under the same load read from the
//! standby (`DATABASE_READ_URL`: the read node when the cluster has one, else whichever of the
//! pair is the standby), in rounds that run the three phases back to back, so that the ratios
//! compare figures of one minute, not of one machine's good and bad hours. With `pin`, servers
//! and threads run on the CPUs [`pin::PinPlan`] gives them.
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

pub mod pin;

use super::drill::{DrillError, WriteCounts, primary_node, template, write_until};
use super::{Layout, monitor};
use compliance_app::{Caller, Compliance, Config, ListSize, QueueQuery, RoutedReads};
use compliance_domain::{Jurisdiction, Username};
use pin::PinPlan;
use std::sync::OnceLock;
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
    /// Pin servers and threads to CPUs as [`PinPlan::new`] says (`taskset`), as separate
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
    /// The node that served the reports "on the standby".
    pub standby: String,
    /// True when that node is the synchronous standby (no read node): every commit waits for it.
    pub standby_synchronous: bool,
    /// Where servers and threads ran, with `pin`.
    pub pinned: Option<PinPlan>,
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
    let primary = primary_node(layout)?;
    let [a, b] = layout.nodes();
    let standby = if primary.name == a.name { b } else { a };
    let read_node = layout.read_node();
    let reports = read_node.as_ref().unwrap_or(&standby).name;
    say(&format!(
        "reports on the standby are read from {reports} ({})",
        if read_node.is_some() {
            "the read node: outside the synchronous quorum"
        } else {
            "the synchronous standby: every commit waits for it"
        }
    ));
    let plan = options.pin.then(|| {
        PinPlan::new(
            primary.name,
            standby.name,
            read_node.as_ref().map(|n| n.name),
        )
    });
    let measured = (|| {
        if let Some(plan) = &plan {
            pin::pin_servers(layout, plan)?;
            say(&format!("pinned: {}", plan.describe()));
        }
        measure(layout, options, plan.as_ref(), &mut say)
    })();
    if plan.is_some() {
        pin::unpin_servers(layout, cpus)?;
    }
    let phases = measured?;
    Ok(ReadsReport {
        standby: reports.to_owned(),
        standby_synchronous: read_node.is_none(),
        pinned: plan,
        on_primary_ratio: median_ratio(&phases, Reports::OnPrimary),
        on_standby_ratio: median_ratio(&phases, Reports::OnStandby),
        phases,
    })
}

/// The rounds of three phases, their threads on the CPUs of `plan`.
fn measure(
    layout: &Layout,
    options: &ReadsOptions,
    plan: Option<&PinPlan>,
    say: &mut impl FnMut(&str),
) -> Result<Vec<Phase>, DrillError> {
    let pool = options.writers + options.readers + 2;
    let config = Config::from_url(&layout.url(&options.database))
        .map_err(|e| DrillError::Other(e.to_string()))?
        .pool_max(pool);
    let plain = Compliance::new(&config);
    let routed = Compliance::new(
        &config
            .replica_url(&layout.read_url(&options.database))
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
            let (submitted, read) = one_phase(&plain, &agent, reader, &prefix, options, plan)?;
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
    Ok(phases)
}

/// The median over the rounds of the write throughput with `reports` over the throughput
/// without reports.
fn median_ratio(phases: &[Phase], reports: Reports) -> f64 {
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
}

/// Writers (and readers, when given) for one phase, each thread on its CPU of `plan`; the
/// submissions acknowledged and the reads answered.
fn one_phase(
    writers: &Compliance,
    agent: &Caller,
    readers: Option<(&Compliance, Caller)>,
    prefix: &str,
    options: &ReadsOptions,
    plan: Option<&PinPlan>,
) -> Result<(u64, u64), DrillError> {
    let template = template()?;
    let stop = AtomicBool::new(false);
    let counts = WriteCounts::default();
    let reads = AtomicU64::new(0);
    let read_errors = AtomicU64::new(0);
    let pin_failed = OnceLock::new();
    let (writers_cpu, readers_cpu) = plan.map_or((None, None), |p| (p.writers, p.readers));
    let submitted = std::thread::scope(|scope| {
        let writing: Vec<_> = (0..options.writers)
            .map(|w| {
                let (template, stop, counts, pin_failed) = (&template, &stop, &counts, &pin_failed);
                let prefix = format!("{prefix}-{w}");
                scope.spawn(move || {
                    if !pinned(writers_cpu, pin_failed) {
                        return 0;
                    }
                    write_until(writers, agent, template, &prefix, stop, counts).len() as u64
                })
            })
            .collect();
        if let Some((compliance, officer)) = &readers {
            for _ in 0..options.readers {
                let (stop, reads, read_errors, pin_failed) =
                    (&stop, &reads, &read_errors, &pin_failed);
                scope.spawn(move || {
                    if !pinned(readers_cpu, pin_failed) {
                        return;
                    }
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
    if let Some(why) = pin_failed.get() {
        return Err(DrillError::Other(why.clone()));
    }
    let failed = counts.failed.load(Ordering::Relaxed) + read_errors.load(Ordering::Relaxed);
    if failed > 0 {
        return Err(DrillError::Other(format!(
            "{failed} submissions or reads failed with an error that is not retryable"
        )));
    }
    Ok((submitted, reads.load(Ordering::Relaxed)))
}

/// Pins the calling thread to `cpu` (if any); false, with the first failure kept in `failed`,
/// when it could not.
fn pinned(cpu: Option<usize>, failed: &OnceLock<String>) -> bool {
    match cpu.map(pin::pin_this_thread) {
        Some(Err(why)) => {
            let _ = failed.set(why);
            false
        }
        _ => true,
    }
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
