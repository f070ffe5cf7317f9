//! `cargo xtask watchlist run | status | prove`: ongoing monitoring from the command line. `run`
//! screens the base against every list version whose job is waiting, in this process, with a
//! progress bar (what `watchlist import` does after an import unless `--detach`); `status`
//! prints each version's numbers; `prove` writes a proof that an entity was screened against a
//! version, which `compliance-proof check-screening` checks offline.
//!
//! Must not: print a subject or a name: ids, counts and commitments only.

use crate::exit;
use crate::proof_files::{database, fail, read_json, write_json};
use compliance_app::domain::EntityId;
use compliance_app::{Caller, Compliance, MonitorSettings, ScreeningJob};
use compliance_audit::SignedCheckpoint;
use compliance_audit::keys;
use compliance_audit::screening::check_screening_proof;
use compliance_ops::screening_proof;
use std::io::IsTerminal;
use std::path::Path;
use std::time::Instant;

/// Runs every waiting screening job to its end in this process, drawing a progress bar on
/// stderr; answers the jobs run.
pub(crate) fn run_jobs(
    compliance: &Compliance,
    duty_percent: u8,
) -> anyhow::Result<Vec<ScreeningJob>> {
    let monitor = compliance.in_process().monitor(MonitorSettings {
        duty_percent,
        ..MonitorSettings::default()
    });
    let mut done = Vec::new();
    loop {
        let total = monitor.entities_to_screen()?;
        let started = Instant::now();
        let terminal = std::io::stderr().is_terminal();
        let mut last_tenth = -1;
        let mut draw = |job: &ScreeningJob| {
            // Per mille done, in integers.
            let done = if total > 0 {
                (job.screened.saturating_mul(1000) / total).min(1000)
            } else {
                1000
            };
            let line = format!(
                "{} {:>3}% {}/{} entities, {} matched, {} flagged, {} s",
                bar(done),
                done / 10,
                job.screened,
                total,
                job.matched,
                job.delisted,
                started.elapsed().as_secs()
            );
            if terminal {
                eprint!("\r{} {line}", job.list);
            } else if done / 100 > last_tenth || job.state == "done" {
                last_tenth = done / 100;
                eprintln!("{} {line}", job.list);
            }
        };
        match monitor.run_next(&mut draw, &|| false)? {
            Some(job) => {
                if terminal {
                    eprintln!();
                }
                eprintln!("{}", summary(&job));
                done.push(job);
            }
            None => return Ok(done),
        }
    }
}

/// Screens every periodic review that has fallen due (what an idle monitor does), pass after
/// pass, and says how many.
pub(crate) fn run_reviews(compliance: &Compliance) -> anyhow::Result<()> {
    let settings = MonitorSettings::default();
    let monitor = compliance.in_process().monitor(settings);
    let (mut screened, mut rescreened, mut failed) = (0, 0, 0);
    loop {
        let pass = monitor.screen_due_reviews()?;
        screened += pass.screened;
        rescreened += pass.rescreened;
        failed += pass.failed;
        if pass.screened < usize::from(settings.reviews) {
            break;
        }
    }
    eprintln!(
        "periodic reviews due: {screened} screened, {rescreened} of them re-screened{}",
        if failed > 0 {
            format!(", {failed} could not be (see the log)")
        } else {
            String::new()
        }
    );
    Ok(())
}

/// A bar of 30 characters for `done` per mille.
fn bar(done: i64) -> String {
    let filled = usize::try_from(done.clamp(0, 1000) * 30 / 1000).unwrap_or(0);
    format!("[{}{}]", "#".repeat(filled), ".".repeat(30 - filled))
}

/// Milliseconds as seconds with one decimal (`12.4 s`).
fn seconds(ms: i64) -> String {
    let ms = ms.max(0);
    format!("{}.{} s", ms / 1000, ms % 1000 / 100)
}

/// One job in a line: `name: value` pairs.
fn summary(job: &ScreeningJob) -> String {
    let took = match (job.started_at, job.finished_at) {
        (Some(s), Some(f)) => seconds((f - s).num_milliseconds()),
        _ => "-".into(),
    };
    format!(
        "{} version {}: {}; added {}, removed {}; screened {}, matched {}, re-screened {}, escalated {}, rejected {}, flagged {}; counterparties {}, listed {}, transactions flagged {}; took {took} ({} working)",
        job.list,
        job.version_id,
        job.state,
        job.added,
        job.removed,
        job.screened,
        job.matched,
        job.rescreened,
        job.escalated,
        job.rejected,
        job.delisted,
        job.counterparties,
        job.counterparty_hits,
        job.transactions_flagged,
        seconds(job.busy_ms)
    )
}

/// `watchlist status`: each version's job, newest first, a line each (or JSON lines).
pub(crate) fn status(compliance: &Compliance, caller: &Caller, json: bool) -> anyhow::Result<()> {
    for job in compliance.screening_jobs(caller, 200)? {
        if json {
            crate::out(&format!("{}\n", serde_json::to_string(&job)?));
        } else {
            crate::out(&format!("{}\n", summary(&job)));
        }
    }
    Ok(())
}

/// `watchlist prove`: a proof that `entity` was screened against `version`, against the
/// checkpoint in `file`, checked here with the key the checkpoint names before it is written.
pub(crate) fn prove(entity: &str, version: uuid::Uuid, file: &Path, out: Option<&Path>) -> u8 {
    let entity = match EntityId::parse(entity) {
        Ok(entity) => entity,
        Err(e) => return fail(&e.to_string(), exit::USAGE),
    };
    let signed: SignedCheckpoint = match read_json(file, "a checkpoint") {
        Ok(signed) => signed,
        Err(code) => return code,
    };
    let (_, mut conn) = match database() {
        Ok(pair) => pair,
        Err(code) => return code,
    };
    let proof = match screening_proof::prove(&mut conn, &entity, version, &signed) {
        Ok(proof) => proof,
        Err(e) => return fail(&e.to_string(), exit::FAILED),
    };
    let checked =
        keys::verifying_key(&signed.public_key).and_then(|key| check_screening_proof(&proof, &key));
    if let Err(e) = checked {
        return fail(
            &format!(
                "{e}; the database no longer holds what was screened or signed, no proof written"
            ),
            exit::FAILED,
        );
    }
    let summary = format!(
        "entity {entity}: leaf {} of {} in job {} (outcome {}), its completion at chain {} position {} in the checkpoint of {}",
        proof.leaf_index,
        proof.tree_size,
        proof.leaf.job,
        proof.leaf.outcome,
        proof.completion.entry.chain,
        proof.completion.entry.position,
        signed.signed_at
    );
    write_json(
        serde_json::to_string_pretty(&proof).unwrap_or_default(),
        out,
        &summary,
    )
}
