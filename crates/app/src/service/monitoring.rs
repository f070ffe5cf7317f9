//! Ongoing monitoring: one batch of a list version's screening job. The base's entities (each
//! with a subject) are screened, in entity order after the job's cursor, against the entries
//! the version added or changed; an entity with a new or stronger match has its current case
//! re-screened against every list through [`ComplianceService::rescreen_in`] (the engine
//! decides; a stricter verdict waits, flagged); an entity whose screening matched an entry the
//! version removed is flagged for review. The batch's members, its flags, its re-screenings
//! and the job's cursor are one transaction: a restart repeats no batch and skips none.
//!
//! Must not: log a subject or a name (entity ids and counts only), relax a case because an
//! entry left a list, or take a case's lock after the audit chain's (every case the batch
//! re-screens or flags is locked first, in id order).

use super::ComplianceService;
use super::rescreen::Explained;
use crate::watchlists;
use crate::{AppError, Result};
use chrono::Utc;
use compliance_domain::input::SubjectInput;
use compliance_domain::{
    CheckStatus, EntityId, Jurisdiction, ListName, MatchScore, TextForm, UserId,
};
use compliance_persistence::PersistenceError;
use compliance_persistence::diesel::PgConnection;
use compliance_persistence::repo::screening_jobs::{
    self as jobs, Claimed, Counts, CurrentCase, JobRow, Member,
};
use compliance_screening::{Bands, ListEntry, Screener};
use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// What a job screens with, built once per claim: a screener over the entries the version
/// added or changed, the refs it removed, and the lowest review band in force (a candidate is
/// anything at or above it; the engine then judges by the case's own jurisdiction).
pub(crate) struct Plan {
    list: ListName,
    screener: Screener,
    removed: BTreeSet<String>,
    /// The entities whose current case matched a removed entry (read once per claim).
    removed_matched: BTreeSet<String>,
    bands: Bands,
}

/// One entity's outcome in a batch, as its leaf names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Nothing the version added or changed matched.
    Clear,
    /// Matched, but nothing new or stronger than its screening holds.
    Known,
    /// A new or stronger match: its case is re-screened.
    Match,
    /// An entry its screening matched left the list: flagged for review.
    Delisted,
}

impl Outcome {
    fn code(self) -> &'static str {
        match self {
            Outcome::Clear => "clear",
            Outcome::Known => "known",
            Outcome::Match => "match",
            Outcome::Delisted => "delisted",
        }
    }
}

/// The matches a case's screening recorded: list and entry, with the score in basis points (an
/// outside provider's unscored match counts as certain).
fn recorded(case: Option<&CurrentCase>) -> HashMap<(String, String), u16> {
    let mut found = HashMap::new();
    for m in case
        .and_then(|c| c.matches.as_array())
        .into_iter()
        .flatten()
    {
        let (Some(list), Some(entry)) = (m["list"].as_str(), m["entry"].as_str()) else {
            continue;
        };
        let score = serde_json::from_value::<MatchScore>(m["score"].clone())
            .map_or(10_000, MatchScore::basis_points);
        found.insert((list.to_owned(), entry.to_owned()), score);
    }
    found
}

/// One member weighed: its outcome, its current case (when it mattered), and the removed
/// entries its case's screening matched.
struct Weighed {
    outcome: Outcome,
    case: Option<CurrentCase>,
    delisted: Vec<String>,
}

/// Whether the case may be re-screened: it is not final (a rejected case is never re-screened;
/// a new application opens the next).
fn writable(case: &CurrentCase) -> bool {
    case.status != CheckStatus::Rejected.as_str()
}

impl ComplianceService {
    /// The plan of a claimed job: its delta's screener, its removed refs, the bands.
    pub(crate) fn monitoring_plan(&self, job: &JobRow) -> Result<Plan> {
        self.read(|conn| {
            let list =
                ListName::parse(&job.list_name).map_err(|e| PersistenceError::InvalidData {
                    table: "screening_jobs",
                    id: job.id.to_string(),
                    reason: e.to_string(),
                })?;
            let entries = jobs::delta(conn, job.version_id, job.previous_version_id)?
                .into_iter()
                .map(|json| {
                    serde_json::from_value::<ListEntry>(json).map_err(|e| {
                        AppError::from(PersistenceError::InvalidData {
                            table: "watchlist_entries",
                            id: job.version_id.to_string(),
                            reason: e.to_string(),
                        })
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            let mut screener = Screener::new();
            screener.add_list(list.clone(), entries);
            let removed = match job.previous_version_id {
                Some(previous) => jobs::removed(conn, job.version_id, previous)?
                    .into_iter()
                    .collect(),
                None => BTreeSet::new(),
            };
            let bands = self.bands_for(conn, None, Utc::now())?;
            let refs: Vec<String> = removed.iter().cloned().collect();
            let removed_matched = jobs::matched_any(conn, list.as_str(), &refs)?
                .into_iter()
                .collect();
            Ok(Plan {
                list,
                screener,
                removed,
                removed_matched,
                bands,
            })
        })
    }

    /// Screens the next `size` entities of a claimed job and records the batch, or finishes the
    /// job (its root into the audit chain) when none is left. One transaction; a lost lease is
    /// a [`AppError`] conflict and nothing is written.
    pub(crate) fn monitoring_batch(
        &self,
        claimed: &Claimed,
        plan: &Plan,
        agent: UserId,
        size: i32,
        lease: Duration,
    ) -> Result<JobRow> {
        self.run_background(|conn| {
            let started = Instant::now();
            let job = jobs::find(conn, claimed.job.id)?;
            let members = jobs::members_after(conn, job.cursor_entity.as_deref(), size)?;
            if members.is_empty() {
                // The base is done: the watched wallets' known counterparties against the
                // version's added or changed wallet addresses, then the root.
                let pass = self.screen_known_counterparties(conn, &plan.screener, agent)?;
                let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
                let counterparties = jobs::Counterparties {
                    screened: count(pass.counterparties),
                    hits: count(pass.hits),
                    flagged: count(pass.flagged),
                };
                // The pass is work too (a done job never changes: counted before it is done).
                let took = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
                jobs::add_busy(conn, job.id, took)?;
                let done = jobs::finish(conn, job.id, claimed.token, agent, counterparties)?;
                tracing::info!(job = %done.id, screened = done.screened, matched = done.matched, delisted = done.delisted, "screening job done");
                return Ok(done);
            }
            let read = started.elapsed();
            let weighed = self.weigh(conn, plan, &members)?;
            let screened = started.elapsed();
            let mut counts = Counts::default();
            // Every case this batch writes to, locked first, in id order.
            let mut cases: Vec<Uuid> = weighed
                .iter()
                .filter_map(|w| {
                    let case = w.case.as_ref()?;
                    let rescreens = w.outcome == Outcome::Match && writable(case);
                    (rescreens || !w.delisted.is_empty()).then_some(case.case_id)
                })
                .collect();
            cases.sort_unstable();
            for case in &cases {
                compliance_persistence::repo::compliance_checks::lock(conn, *case)?;
            }
            for (member, w) in members.iter().zip(&weighed) {
                let entity = entity_id(member)?;
                if w.outcome == Outcome::Match {
                    counts.matched += 1;
                    if let Some(case) = w.case.as_ref().filter(|c| writable(c)) {
                        let status = self.rescreen_member(conn, member, case, &entity, agent)?;
                        counts.rescreened += 1;
                        match status {
                            CheckStatus::Rejected => counts.rejected += 1,
                            CheckStatus::Escalated => counts.escalated += 1,
                            _ => {}
                        }
                    }
                }
                // A rejected case is flagged too: its rejection may rest on the entry removed.
                if let (false, Some(case)) = (w.delisted.is_empty(), w.case.as_ref()) {
                    for entry in &w.delisted {
                        jobs::flag(conn, &job, agent, &entity, case.case_id, &plan.list, entry)?;
                    }
                    counts.delisted += 1;
                }
            }
            let leaves: Vec<(String, String, &'static str)> = members
                .iter()
                .zip(&weighed)
                .map(|(m, w)| (m.entity_id.clone(), m.commitment.clone(), w.outcome.code()))
                .collect();
            let written = started.elapsed();
            jobs::record_batch(
                conn,
                job.id,
                claimed.token,
                &leaves,
                counts,
                lease.as_secs_f64(),
            )?;
            let took = started.elapsed();
            let recorded = jobs::add_busy(
                conn,
                job.id,
                i64::try_from(took.as_millis()).unwrap_or(i64::MAX),
            )?;
            tracing::debug!(job = %job.id, members = members.len(), read_ms = read.as_millis(), screen_ms = (screened - read).as_millis(), write_ms = (written - screened).as_millis(), record_ms = (took - written).as_millis(), "screening batch");
            Ok(recorded)
        })
    }

    /// Each member's outcome against the delta: screened first; then the current cases of the
    /// members with a match or a removed entry to weigh (one statement), each new or stronger
    /// match against what the case's screening recorded.
    fn weigh(
        &self,
        conn: &mut PgConnection,
        plan: &Plan,
        members: &[Member],
    ) -> Result<Vec<Weighed>> {
        let mut found = Vec::with_capacity(members.len());
        for member in members {
            let subject = subject(member)?;
            found.push(
                plan.screener
                    .screen(&watchlists::query(&subject), plan.bands.review_at),
            );
        }
        let wanted: Vec<String> = members
            .iter()
            .zip(&found)
            .filter(|(m, f)| !f.is_empty() || plan.removed_matched.contains(&m.entity_id))
            .map(|(m, _)| m.entity_id.clone())
            .collect();
        let mut cases: HashMap<String, CurrentCase> = jobs::current_cases(conn, &wanted)?
            .into_iter()
            .map(|c| (c.entity_id.clone(), c))
            .collect();
        Ok(members
            .iter()
            .zip(found)
            .map(|(member, found)| {
                let case = cases.remove(&member.entity_id);
                let recorded = recorded(case.as_ref());
                let delisted: Vec<String> = recorded
                    .keys()
                    .filter(|(list, entry)| {
                        list == plan.list.as_str() && plan.removed.contains(entry)
                    })
                    .map(|(_, entry)| entry.clone())
                    .collect();
                let stronger = found.iter().any(|m| {
                    recorded
                        .get(&(m.list.as_str().to_owned(), m.entry.as_str().to_owned()))
                        .is_none_or(|before| m.score.basis_points() > *before)
                });
                let outcome = if stronger {
                    Outcome::Match
                } else if !delisted.is_empty() {
                    Outcome::Delisted
                } else if !found.is_empty() {
                    Outcome::Known
                } else {
                    Outcome::Clear
                };
                Weighed {
                    outcome,
                    case,
                    delisted,
                }
            })
            .collect())
    }

    /// Re-screens a member's case here (see [`ComplianceService::screen_and_rescreen`]);
    /// answers the case's status after (flagged stricter counts as escalated).
    fn rescreen_member(
        &self,
        conn: &mut PgConnection,
        member: &Member,
        case: &CurrentCase,
        entity: &EntityId,
        agent: UserId,
    ) -> Result<CheckStatus> {
        let jurisdiction = case.jurisdiction.parse::<Jurisdiction>().ok();
        let outcome = self
            .screen_and_rescreen(
                conn,
                entity,
                &subject(member)?,
                member.subject_id,
                jurisdiction,
                agent,
            )?
            .outcome;
        tracing::info!(entity = %entity, case = %outcome.case.id, before = %outcome.before, after = %outcome.case.status, "monitoring re-screened a case");
        Ok(if outcome.case.engine_stricter {
            CheckStatus::Escalated
        } else {
            outcome.case.status
        })
    }

    /// Screens `subject` (revision `subject_id`) against every list's current version, judged
    /// by `jurisdiction`'s bands, and re-screens the entity's current case with the result
    /// through [`ComplianceService::rescreen_in`], the screening's versions and explanation
    /// recorded beside it; in the caller's transaction, which must hold the case's lock before
    /// anything that writes the audit chain.
    pub(crate) fn screen_and_rescreen(
        &self,
        conn: &mut PgConnection,
        entity: &EntityId,
        subject: &compliance_domain::Subject,
        subject_id: Uuid,
        jurisdiction: Option<Jurisdiction>,
        agent: UserId,
    ) -> Result<ScreenedHere> {
        let loaded = self.screeners.current(conn)?;
        let bands = self.bands_for(conn, jurisdiction, Utc::now())?;
        let screened = watchlists::screen(&loaded, subject, &bands);
        let screening = watchlists::screening(&screened)?;
        let versions: Vec<Uuid> = loaded.versions.iter().map(|v| v.id).collect();
        let explanation = serde_json::to_value(&screened.matches)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let explained = Explained {
            versions: &versions,
            subject_id,
            explanation,
        };
        let outcome = self.rescreen_in(conn, entity, &screening, Some(&explained), agent)?;
        Ok(ScreenedHere { outcome, versions })
    }
}

/// A subject screened here and its case re-screened with the result: the outcome, and the list
/// versions it was screened against.
pub(crate) struct ScreenedHere {
    pub(crate) outcome: crate::records::RescreenOutcome,
    pub(crate) versions: Vec<Uuid>,
}

/// The member's entity id, as an [`EntityId`].
pub(super) fn entity_id(member: &Member) -> Result<EntityId> {
    EntityId::parse(&member.entity_id).map_err(|e| {
        PersistenceError::InvalidData {
            table: "screening_subjects",
            id: member.subject_id.to_string(),
            reason: e.to_string(),
        }
        .into()
    })
}

/// The member's stored subject revision, parsed.
pub(super) fn subject(member: &Member) -> Result<compliance_domain::Subject> {
    let invalid = |reason: String| {
        AppError::from(PersistenceError::InvalidData {
            table: "screening_subjects",
            id: member.subject_id.to_string(),
            reason,
        })
    };
    serde_json::from_value::<SubjectInput>(member.subject.clone())
        .map_err(|e| invalid(e.to_string()))?
        .parse()
        .map_err(|e| invalid(e.to_string()))
}
