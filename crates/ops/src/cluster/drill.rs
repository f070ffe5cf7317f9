//! The failover drill: writers submit cases through the library (`Compliance`, over the
//! cluster's multi-host URL) while the primary's postmaster is killed; pg_auto_failover
//! promotes the standby; the writers keep going. Each submission carries an idempotency key
//! and is retried, with that key, while the error is retryable: the answer the writer keeps is
//! the one the database acknowledged. Then every acknowledged case is looked for on the new
//! primary, the whole database is verified there, and a checkpoint signed before the first kill
//! is checked against it.
//!
//! Must not: count a submission as acknowledged before the library returned its case, or report
//! a round whose cluster did not settle again (the error says so instead).

use super::{Kill, Layout, Result as ClusterResult, monitor};
use chrono::{DateTime, Utc};
use compliance_app::{AppError, Caller, Compliance};
use compliance_domain::{Case, EntityId, IdempotencyKey};
use compliance_persistence::DatabaseConfig;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

pub(super) mod timeline;

pub use timeline::Timeline;

/// How the drill runs.
#[derive(Debug, Clone)]
pub struct DrillOptions {
    /// Writer threads.
    pub writers: u32,
    /// Writing before each kill.
    pub before: Duration,
    /// Writing after each kill.
    pub after: Duration,
    /// Kills, each of the primary of the moment (the old primary rejoins between them).
    pub rounds: u32,
    /// What is killed: the node (its keeper with it) or the postmaster alone.
    pub kill: Kill,
    /// The database in the cluster.
    pub database: String,
    /// How long the cluster may take to have a primary and a synchronous standby again.
    pub settle_within: Duration,
}

/// One kill and what followed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Round {
    /// The node killed (the primary then).
    pub killed: String,
    /// The primary when the round ended.
    pub primary_after: String,
    /// Submissions the library acknowledged during the round.
    pub acknowledged: u64,
    /// Submissions that met a retryable error and were sent again with their key.
    pub retries: u64,
    /// Submissions refused with an error that is not retryable (none expected).
    pub failed: u64,
    /// The longest time with no acknowledged submission, in seconds.
    pub longest_gap_seconds: f64,
    /// What the monitor recorded, relative to the kill.
    pub timeline: Timeline,
}

/// The drill's result.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DrillReport {
    /// Each kill.
    pub rounds: Vec<Round>,
    /// Submissions acknowledged in all.
    pub acknowledged: u64,
    /// Of them, found on the primary at the end.
    pub present: u64,
    /// Acknowledged and not found: must be 0.
    pub lost: u64,
    /// The median over the rounds of the longest time without an acknowledged submission.
    pub median_gap_seconds: f64,
    /// `cargo xtask verify` on the primary at the end: its summary line.
    pub verify: String,
    /// True when no check failed.
    pub verify_passed: bool,
    /// The checkpoint signed before the first kill, checked at the end: every chain entry
    /// recomputed and every signed Merkle root rebuilt.
    pub checkpoint_holds: bool,
    /// The primary at the end.
    pub primary: String,
}

/// Why the drill could not run to its end.
#[derive(Debug, thiserror::Error)]
pub enum DrillError {
    /// The cluster (pg_autoctl, the monitor, a kill, a settle).
    #[error(transparent)]
    Cluster(#[from] super::ClusterError),
    /// The library.
    #[error(transparent)]
    App(#[from] AppError),
    /// Anything else, in words.
    #[error("{0}")]
    Other(String),
}

/// Runs the drill; `say` hears each step.
pub fn run(
    layout: &Layout,
    options: &DrillOptions,
    mut say: impl FnMut(&str),
) -> Result<DrillReport, DrillError> {
    monitor::wait_all_settled(layout, options.settle_within)?;
    let mut config = DatabaseConfig::from_url(&layout.url(&options.database))
        .map_err(|e| DrillError::Other(e.to_string()))?;
    config.pool_max = options.writers + 2;
    config.connect_timeout = Duration::from_secs(2);
    let compliance = crate::compliance_over(&config)?;
    let agent = compliance.in_process().system_agent()?;
    let (checkpoint, public_key) = sign_now(&config, &options.database)?;
    say("signed a checkpoint of every audit chain");
    let run_id = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    let mut rounds = Vec::new();
    let mut acked_ids = Vec::new();
    for round in 0..options.rounds {
        let primary = primary_node(layout)?;
        say(&format!(
            "round {}: {} writers, killing {} ({}) after {} s",
            round + 1,
            options.writers,
            primary.name,
            match options.kill {
                Kill::Node => "its keeper and its postmaster",
                Kill::Postmaster => "its postmaster",
            },
            options.before.as_secs()
        ));
        let (result, ids) = one_round(
            layout,
            options,
            &compliance,
            &agent,
            &run_id,
            round,
            &primary,
        )?;
        acked_ids.extend(ids);
        say(&format!(
            "round {}: {} acknowledged, longest gap {:.2} s; waiting for a primary and a synchronous standby",
            round + 1,
            result.acknowledged,
            result.longest_gap_seconds
        ));
        rounds.push(result);
    }
    let present = timeline::present(&config, &acked_ids)?;
    let report = crate::verify::verify(&config, &crate::verify::VerifyOptions::default())
        .map_err(|e| DrillError::Other(e.to_string()))?;
    let holds = check_now(&config, &checkpoint, &public_key)?;
    let mut gaps: Vec<f64> = rounds.iter().map(|r| r.longest_gap_seconds).collect();
    gaps.sort_by(f64::total_cmp);
    let acknowledged = acked_ids.len() as u64;
    Ok(DrillReport {
        acknowledged,
        present,
        lost: acknowledged.saturating_sub(present),
        median_gap_seconds: gaps.get(gaps.len() / 2).copied().unwrap_or(0.0),
        verify: report.summary(),
        verify_passed: report.outcome != crate::verify::Outcome::Fail,
        checkpoint_holds: holds,
        primary: primary_node(layout)?.name.to_owned(),
        rounds,
    })
}

/// The node that is primary now (settled).
pub(super) fn primary_node(layout: &Layout) -> ClusterResult<super::Instance> {
    let states = monitor::wait_all_settled(layout, Duration::from_secs(5))?;
    let name = states
        .iter()
        .find(|n| n.settled_as("primary"))
        .map(|n| n.name.clone())
        .unwrap_or_default();
    layout
        .nodes()
        .into_iter()
        .find(|n| n.name == name)
        .ok_or_else(|| super::ClusterError::Timeout("no settled primary".into()))
}

/// Writers for `before + after`, the kill between; returns the round and the acknowledged ids.
fn one_round(
    layout: &Layout,
    options: &DrillOptions,
    compliance: &Compliance,
    agent: &Caller,
    run_id: &str,
    round: u32,
    primary: &super::Instance,
) -> Result<(Round, Vec<uuid::Uuid>), DrillError> {
    let template = template()?;
    let stop = Arc::new(AtomicBool::new(false));
    let counts = Arc::new(WriteCounts::default());
    let started = Utc::now();
    let writers: Vec<_> = (0..options.writers)
        .map(|w| {
            let (compliance, agent, template) = (compliance.clone(), *agent, template.clone());
            let (stop, counts) = (stop.clone(), counts.clone());
            let prefix = format!("drill-{run_id}-{round}-{w}");
            std::thread::spawn(move || {
                write_until(&compliance, &agent, &template, &prefix, &stop, &counts)
            })
        })
        .collect();
    std::thread::sleep(options.before);
    let last_event = monitor::events_after(layout, 0)?.last().map_or(0, |e| e.id);
    let killed_at = Utc::now();
    super::kill(layout, primary, options.kill)?;
    let deadline = std::time::Instant::now() + options.after;
    if options.kill == Kill::Node {
        // The machine comes back once the standby has taken over (or at the round's end).
        while std::time::Instant::now() < deadline && !promoted(layout, primary.name) {
            std::thread::sleep(Duration::from_millis(100));
        }
        super::restart(layout, primary)?;
    }
    std::thread::sleep(deadline.saturating_duration_since(std::time::Instant::now()));
    stop.store(true, Ordering::Relaxed);
    let mut acks = Vec::new();
    for w in writers {
        acks.extend(
            w.join()
                .map_err(|_| DrillError::Other("a writer thread panicked".into()))?,
        );
    }
    // The round ends when the cluster has a primary and a synchronous standby again.
    monitor::wait_all_settled(layout, options.settle_within)?;
    let events = monitor::events_after(layout, last_event)?;
    let mut times: Vec<DateTime<Utc>> = acks.iter().map(|(t, _)| *t).collect();
    times.sort();
    let timeline = Timeline::from_events(primary.name, killed_at, &events, &times);
    let longest_gap_seconds = timeline::longest_gap(started, &times, Utc::now());
    let ids = acks.into_iter().map(|(_, id)| id).collect::<Vec<_>>();
    Ok((
        Round {
            killed: primary.name.to_owned(),
            primary_after: primary_node(layout)?.name.to_owned(),
            acknowledged: ids.len() as u64,
            retries: counts.retries.load(Ordering::Relaxed),
            failed: counts.failed.load(Ordering::Relaxed),
            longest_gap_seconds,
            timeline,
        },
        ids,
    ))
}

/// What writers counted besides their acknowledgements.
#[derive(Debug, Default)]
pub(super) struct WriteCounts {
    /// Submissions sent again with their key after a retryable error.
    pub retries: AtomicU64,
    /// Submissions refused with an error that is not retryable (none expected).
    pub failed: AtomicU64,
}

/// Submits `template` for new entities `{prefix}-0`, `{prefix}-1`, ... until `stop`, each with
/// its idempotency key and sent again with it while the error is retryable (a lost COMMIT
/// included); returns each acknowledgement: when, and the case.
pub(super) fn write_until(
    compliance: &Compliance,
    agent: &Caller,
    template: &Case,
    prefix: &str,
    stop: &AtomicBool,
    counts: &WriteCounts,
) -> Vec<(DateTime<Utc>, uuid::Uuid)> {
    let mut acks = Vec::new();
    let mut n = 0u64;
    while !stop.load(Ordering::Relaxed) {
        let name = format!("{prefix}-{n}");
        let mut case = template.clone();
        let (Ok(entity), Ok(key)) = (EntityId::parse(&name), IdempotencyKey::parse(&name)) else {
            counts.failed.fetch_add(1, Ordering::Relaxed);
            break;
        };
        case.kyc.entity_id = entity;
        // The same submission, with the same key, until it is acknowledged.
        loop {
            match compliance.submit(agent, &case, Some(&key)) {
                Ok(s) => {
                    acks.push((Utc::now(), s.case.id.as_uuid()));
                    break;
                }
                // A submission with its key may be sent again whatever happened to the first:
                // a lost COMMIT included.
                Err(e) if e.is_retryable() || matches!(e, AppError::OutcomeUnknown { .. }) => {
                    counts.retries.fetch_add(1, Ordering::Relaxed);
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(_) => {
                    counts.failed.fetch_add(1, Ordering::Relaxed);
                    break;
                }
            }
        }
        n += 1;
    }
    acks
}

/// True when a node other than `killed` reports itself primary (`wait_primary` or `primary`).
fn promoted(layout: &Layout, killed: &str) -> bool {
    super::status(layout).is_ok_and(|nodes| {
        nodes
            .iter()
            .any(|n| n.name != killed && matches!(n.reported.as_str(), "wait_primary" | "primary"))
    })
}

/// The seed's clean individual in the UAE: approved by the engine, a full write each time.
pub(super) fn template() -> Result<Case, DrillError> {
    compliance_rules::scenarios::scenarios()
        .into_iter()
        .find(|s| s.id == "ae-ind-clean-001")
        .map(|s| s.case)
        .ok_or_else(|| DrillError::Other("the seed scenario ae-ind-clean-001 is missing".into()))
}

/// A checkpoint of the log now, signed with a key made for the drill.
pub(super) fn sign_now(
    config: &DatabaseConfig,
    database: &str,
) -> Result<(compliance_audit::SignedCheckpoint, String), DrillError> {
    let (secret, public) =
        compliance_audit::keys::generate_key().map_err(|e| DrillError::Other(e.to_string()))?;
    let key = compliance_audit::keys::signing_key(&secret)
        .map_err(|e| DrillError::Other(e.to_string()))?;
    let mut conn = compliance_persistence::connect(config).map_err(AppError::from)?;
    let signed = crate::checkpoint::sign(&mut conn, database, &key)
        .map_err(|e| DrillError::Other(e.to_string()))?;
    Ok((signed, public))
}

/// True when the checkpoint still holds on the primary now.
pub(super) fn check_now(
    config: &DatabaseConfig,
    checkpoint: &compliance_audit::SignedCheckpoint,
    public: &str,
) -> Result<bool, DrillError> {
    let key = compliance_audit::keys::verifying_key(public)
        .map_err(|e| DrillError::Other(e.to_string()))?;
    let mut conn = compliance_persistence::connect(config).map_err(AppError::from)?;
    let outcome = crate::checkpoint::check(
        &mut conn,
        checkpoint,
        &key,
        crate::checkpoint::CheckMode::Signed,
    )
    .map_err(|e| DrillError::Other(e.to_string()))?;
    Ok(outcome.holds())
}
