//! `screening_jobs`, `screening_job_batches` and `screening_flags`: ongoing monitoring. Each
//! imported list version has one job (its import's trigger creates it); a worker claims it
//! under a lease, screens the base batch by batch after a committed cursor, and finishes it with
//! the Merkle root of the batches' leaves, recorded in the audit chain.
//!
//! Must not: write a batch without the lease (a worker that lost it stops), or a subject's
//! content anywhere (batches hold entity ids, commitments and outcome codes).

use crate::repo::audit_logs;
use crate::schema::{screening_flags, screening_job_batches, screening_jobs};
use crate::{PersistenceError, Result};
use chrono::{DateTime, Utc};
use compliance_domain::{AuditAction, AuditEvent, EntityId, ListName, SubjectKind, UserId};
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use diesel::sql_types::{Double, Integer, Jsonb, Nullable, Text};
use uuid::Uuid;

const TABLE: &str = "screening_jobs";

/// A row of `screening_jobs`, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = screening_jobs, check_for_backend(Pg))]
#[allow(missing_docs)] // One field per column; docs/data-model.md describes each.
pub struct JobRow {
    pub id: Uuid,
    pub version_id: Uuid,
    pub list_name: String,
    pub previous_version_id: Option<Uuid>,
    pub state: String,
    pub added: i32,
    pub removed: i32,
    pub cursor_entity: Option<String>,
    pub batches: i32,
    pub screened: i64,
    pub matched: i64,
    pub rescreened: i64,
    pub escalated: i64,
    pub rejected: i64,
    pub delisted: i64,
    pub counterparties: i64,
    pub counterparty_hits: i64,
    pub transactions_flagged: i64,
    pub busy_ms: i64,
    pub agent_id: Option<Uuid>,
    #[serde(skip)]
    pub lease_token: Option<Uuid>,
    pub lease_until: Option<DateTime<Utc>>,
    #[serde(skip)]
    pub root: Option<Vec<u8>>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl JobRow {
    /// The root, hex, once done.
    pub fn root_hex(&self) -> Option<String> {
        self.root.as_deref().map(compliance_audit::hex::hex)
    }
}

/// A job claimed by a worker: the row, and the token its batches must carry.
#[derive(Debug, Clone)]
pub struct Claimed {
    /// The job as it stands after the claim.
    pub job: JobRow,
    /// The lease's token.
    pub token: Uuid,
}

/// Claims the oldest job not done whose lease is free (never held, or expired), for `agent`,
/// for `lease_secs`: a queued job starts (its delta's size counted against its previous
/// version); a running one whose worker stopped is taken over at its cursor. `None` when no job
/// is free.
pub fn claim(conn: &mut PgConnection, agent: UserId, lease_secs: f64) -> Result<Option<Claimed>> {
    let token = Uuid::new_v4();
    let id: Option<Uuid> = screening_jobs::table
        .filter(screening_jobs::state.ne("done"))
        .filter(
            screening_jobs::lease_until
                .is_null()
                .or(screening_jobs::lease_until.lt(diesel::dsl::now)),
        )
        .order((screening_jobs::created_at, screening_jobs::id))
        .select(screening_jobs::id)
        .for_update()
        .skip_locked()
        .first(conn)
        .optional()?;
    let Some(id) = id else {
        return Ok(None);
    };
    diesel::sql_query(
        "UPDATE screening_jobs j
            SET state = 'running', agent_id = coalesce(j.agent_id, $2), lease_token = $3,
                lease_until = now() + make_interval(secs => $4),
                added = CASE WHEN j.state = 'queued' THEN
                    (SELECT count(*) FROM watchlist_entries n WHERE n.version_id = j.version_id
                        AND NOT EXISTS (SELECT 1 FROM watchlist_entries p
                                         WHERE p.version_id = j.previous_version_id
                                           AND p.entry_ref = n.entry_ref AND p.entry = n.entry))::INTEGER
                    ELSE j.added END,
                removed = CASE WHEN j.state = 'queued' THEN
                    (SELECT count(*) FROM watchlist_entries p WHERE p.version_id = j.previous_version_id
                        AND NOT EXISTS (SELECT 1 FROM watchlist_entries n
                                         WHERE n.version_id = j.version_id AND n.entry_ref = p.entry_ref))::INTEGER
                    ELSE j.removed END
          WHERE j.id = $1",
    )
    .bind::<diesel::sql_types::Uuid, _>(id)
    .bind::<diesel::sql_types::Uuid, _>(agent.as_uuid())
    .bind::<diesel::sql_types::Uuid, _>(token)
    .bind::<Double, _>(lease_secs)
    .execute(conn)?;
    Ok(Some(Claimed {
        job: find(conn, id)?,
        token,
    }))
}

/// The job with this id.
pub fn find(conn: &mut PgConnection, id: Uuid) -> Result<JobRow> {
    let row = screening_jobs::table
        .find(id)
        .select(JobRow::as_select())
        .first(conn)
        .optional()?;
    crate::error::found(row, "screening job", id)
}

/// The job of a list version.
pub fn for_version(conn: &mut PgConnection, version: Uuid) -> Result<JobRow> {
    let row = screening_jobs::table
        .filter(screening_jobs::version_id.eq(version))
        .select(JobRow::as_select())
        .first(conn)
        .optional()?;
    crate::error::found(row, "screening job of list version", version)
}

/// The newest `limit` jobs, newest first.
pub fn list(conn: &mut PgConnection, limit: i64) -> Result<Vec<JobRow>> {
    Ok(screening_jobs::table
        .order((screening_jobs::created_at.desc(), screening_jobs::id.desc()))
        .limit(limit)
        .select(JobRow::as_select())
        .load(conn)?)
}

/// The entries of `version` that `previous` did not hold as they are (added or changed), as
/// stored; all of them when there is no previous version.
pub fn delta(
    conn: &mut PgConnection,
    version: Uuid,
    previous: Option<Uuid>,
) -> Result<Vec<serde_json::Value>> {
    #[derive(QueryableByName)]
    struct Entry {
        #[diesel(sql_type = Jsonb)]
        entry: serde_json::Value,
    }
    let rows: Vec<Entry> = diesel::sql_query(
        "SELECT n.entry FROM watchlist_entries n
          WHERE n.version_id = $1
            AND NOT EXISTS (SELECT 1 FROM watchlist_entries p
                             WHERE p.version_id = $2 AND p.entry_ref = n.entry_ref AND p.entry = n.entry)
          ORDER BY n.entry_ref",
    )
    .bind::<diesel::sql_types::Uuid, _>(version)
    .bind::<Nullable<diesel::sql_types::Uuid>, _>(previous)
    .load(conn)?;
    Ok(rows.into_iter().map(|r| r.entry).collect())
}

/// The entry refs `previous` held and `version` does not.
pub fn removed(conn: &mut PgConnection, version: Uuid, previous: Uuid) -> Result<Vec<String>> {
    #[derive(QueryableByName)]
    struct Ref {
        #[diesel(sql_type = Text)]
        entry_ref: String,
    }
    let rows: Vec<Ref> = diesel::sql_query(
        "SELECT p.entry_ref FROM watchlist_entries p
          WHERE p.version_id = $2
            AND NOT EXISTS (SELECT 1 FROM watchlist_entries n WHERE n.version_id = $1 AND n.entry_ref = p.entry_ref)
          ORDER BY p.entry_ref",
    )
    .bind::<diesel::sql_types::Uuid, _>(version)
    .bind::<diesel::sql_types::Uuid, _>(previous)
    .load(conn)?;
    Ok(rows.into_iter().map(|r| r.entry_ref).collect())
}

/// One entity of a batch: its current subject revision and its commitment.
#[derive(Debug, Clone, QueryableByName)]
pub struct Member {
    /// The entity.
    #[diesel(sql_type = Text)]
    pub entity_id: String,
    /// Its current subject revision's id.
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub subject_id: Uuid,
    /// That revision, as stored.
    #[diesel(sql_type = Jsonb)]
    pub subject: serde_json::Value,
    /// The revision's commitment, hex (as a batch's members name it).
    #[diesel(sql_type = Text)]
    pub commitment: String,
}

/// The next `limit` entities after `cursor` (in entity order) whose current subject revision is
/// not erased: one statement that walks the subjects' unique index from the cursor and stops
/// after `limit` rows (an older revision is passed over by its newer one).
pub fn members_after(
    conn: &mut PgConnection,
    cursor: Option<&str>,
    limit: i32,
) -> Result<Vec<Member>> {
    Ok(diesel::sql_query(
        "SELECT s.entity_id, s.id AS subject_id, s.subject, encode(s.commitment, 'hex') AS commitment
           FROM screening_subjects s
          WHERE s.entity_id > $1
            AND s.subject IS NOT NULL
            -- The bound on n too: without it the anti-join reads the index from its start on
            -- every batch.
            AND NOT EXISTS (SELECT 1 FROM screening_subjects n
                             WHERE n.entity_id = s.entity_id AND n.revision > s.revision
                               AND n.entity_id > $1)
          ORDER BY s.entity_id
          LIMIT $2",
    )
    // Entity ids are at least three characters: the empty string is before every one.
    .bind::<Text, _>(cursor.unwrap_or(""))
    .bind::<Integer, _>(limit)
    .load(conn)?)
}

/// An entity's current case, as monitoring weighs it: its status, jurisdiction and the matches
/// of the screening it rests on.
#[derive(Debug, Clone, QueryableByName)]
pub struct CurrentCase {
    /// The entity.
    #[diesel(sql_type = Text)]
    pub entity_id: String,
    /// Its current case.
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub case_id: Uuid,
    /// Its status.
    #[diesel(sql_type = Text)]
    pub status: String,
    /// Its jurisdiction.
    #[diesel(sql_type = Text)]
    pub jurisdiction: String,
    /// The matches of the screening it rests on (`aml_checks.matched_entries`).
    #[diesel(sql_type = Jsonb)]
    pub matches: serde_json::Value,
}

/// The current cases of `entities` (those that have one).
pub fn current_cases(conn: &mut PgConnection, entities: &[String]) -> Result<Vec<CurrentCase>> {
    if entities.is_empty() {
        return Ok(Vec::new());
    }
    Ok(diesel::sql_query(
        "SELECT DISTINCT ON (cs.entity_id) cs.entity_id, cc.id AS case_id, cc.status, cc.jurisdiction,
                a.matched_entries AS matches
           FROM case_submissions cs
           JOIN compliance_checks cc ON cc.id = cs.compliance_check_id
           JOIN aml_checks a ON a.id = cc.aml_check_id
          WHERE cs.entity_id = ANY ($1)
          ORDER BY cs.entity_id, cs.sequence DESC",
    )
    .bind::<diesel::sql_types::Array<Text>, _>(entities)
    .load(conn)?)
}

/// The entities whose current case's screening matched one of `entries` of `list`: what a
/// version that removed them flags. One pass over the current cases' screenings, once per job.
pub fn matched_any(conn: &mut PgConnection, list: &str, entries: &[String]) -> Result<Vec<String>> {
    #[derive(QueryableByName)]
    struct Entity {
        #[diesel(sql_type = Text)]
        entity_id: String,
    }
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<Entity> = diesel::sql_query(
        "SELECT c.entity_id
           FROM (SELECT DISTINCT ON (cs.entity_id) cs.entity_id, cc.aml_check_id
                   FROM case_submissions cs JOIN compliance_checks cc ON cc.id = cs.compliance_check_id
                  ORDER BY cs.entity_id, cs.sequence DESC) c
           JOIN aml_checks a ON a.id = c.aml_check_id
          WHERE EXISTS (SELECT 1 FROM jsonb_array_elements(a.matched_entries) m
                         WHERE m ->> 'list' = $1 AND m ->> 'entry' = ANY ($2))
          ORDER BY c.entity_id",
    )
    .bind::<Text, _>(list)
    .bind::<diesel::sql_types::Array<Text>, _>(entries)
    .load(conn)?;
    Ok(rows.into_iter().map(|r| r.entity_id).collect())
}

/// How many entities have a current subject that is not erased: what a job screens.
pub fn subjects_count(conn: &mut PgConnection) -> Result<i64> {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let count: Count = diesel::sql_query(
        "SELECT count(*) AS n
           FROM (SELECT DISTINCT ON (entity_id) subject FROM screening_subjects
                  ORDER BY entity_id, revision DESC) s
          WHERE s.subject IS NOT NULL",
    )
    .get_result(conn)?;
    Ok(count.n)
}

/// What one batch adds to its job's counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Entities with a new or stronger match.
    pub matched: i64,
    /// Cases re-screened.
    pub rescreened: i64,
    /// Of them, now escalated or flagged stricter.
    pub escalated: i64,
    /// Of them, now rejected.
    pub rejected: i64,
    /// Entities flagged for a removed entry.
    pub delisted: i64,
}

/// Records one batch of a job: its members (`[entity, commitment hex, outcome]`, in entity
/// order; the database computes the leaves), and moves the job's cursor and counts. The job
/// must still be leased with `token`: a worker that lost its lease gets
/// [`PersistenceError::Conflict`] and nothing is written (its transaction rolls back).
pub fn record_batch(
    conn: &mut PgConnection,
    job: Uuid,
    token: Uuid,
    members: &[(String, String, &'static str)],
    counts: Counts,
    lease_secs: f64,
) -> Result<JobRow> {
    let (Some(first), Some(last)) = (members.first(), members.last()) else {
        return Err(PersistenceError::InvalidData {
            table: "screening_job_batches",
            id: job.to_string(),
            reason: "a batch has at least one member".into(),
        });
    };
    let leased = screening_jobs::table
        .find(job)
        .filter(screening_jobs::lease_token.eq(token))
        .select(screening_jobs::batches)
        .for_update()
        .first::<i32>(conn)
        .optional()?
        .ok_or_else(|| lease_lost(job))?;
    let json: Vec<serde_json::Value> = members
        .iter()
        .map(|(e, c, o)| serde_json::json!([e, c, o]))
        .collect();
    diesel::insert_into(screening_job_batches::table)
        .values((
            screening_job_batches::job_id.eq(job),
            screening_job_batches::batch.eq(leased + 1),
            screening_job_batches::first_entity.eq(&first.0),
            screening_job_batches::last_entity.eq(&last.0),
            screening_job_batches::members.eq(serde_json::Value::Array(json)),
            // Written by the table's guard from the members.
            screening_job_batches::leaves.eq(Vec::<u8>::new()),
        ))
        .execute(conn)?;
    let size = i64::try_from(members.len()).unwrap_or(i64::MAX);
    use screening_jobs::dsl as j;
    Ok(diesel::update(j::screening_jobs.find(job))
        .set((
            j::batches.eq(leased + 1),
            j::cursor_entity.eq(&last.0),
            j::screened.eq(j::screened + size),
            j::matched.eq(j::matched + counts.matched),
            j::rescreened.eq(j::rescreened + counts.rescreened),
            j::escalated.eq(j::escalated + counts.escalated),
            j::rejected.eq(j::rejected + counts.rejected),
            j::delisted.eq(j::delisted + counts.delisted),
            j::lease_until.eq(
                diesel::dsl::sql::<Nullable<diesel::sql_types::Timestamptz>>(&format!(
                    "now() + make_interval(secs => {:.3})",
                    lease_secs.clamp(1.0, 86_400.0)
                )),
            ),
        ))
        .returning(JobRow::as_returning())
        .get_result(conn)?)
}

/// Adds the time a batch took (read, screen, write and record; its commit aside) to its job, in
/// the batch's transaction.
pub fn add_busy(conn: &mut PgConnection, job: Uuid, busy_ms: i64) -> Result<JobRow> {
    use screening_jobs::dsl as j;
    Ok(diesel::update(j::screening_jobs.find(job))
        .set(j::busy_ms.eq(j::busy_ms + busy_ms.max(0)))
        .returning(JobRow::as_returning())
        .get_result(conn)?)
}

fn lease_lost(job: Uuid) -> PersistenceError {
    PersistenceError::Conflict {
        what: "screening job",
        key: job.to_string(),
        reason: "the job's lease passed to another worker".into(),
    }
}

/// Flags `entity`'s case for review: its screening matched `entry`, which the job's version
/// removed from `list`. Audited (`delisting_flagged`, which announces an event), in the caller's
/// transaction.
pub fn flag(
    conn: &mut PgConnection,
    job: &JobRow,
    agent: UserId,
    entity: &EntityId,
    case: Uuid,
    list: &ListName,
    entry: &str,
) -> Result<()> {
    diesel::insert_into(screening_flags::table)
        .values((
            screening_flags::job_id.eq(job.id),
            screening_flags::entity_id.eq(entity.as_str()),
            screening_flags::compliance_check_id.eq(case),
            screening_flags::list_name.eq(list.as_str()),
            screening_flags::entry_ref.eq(entry),
        ))
        .execute(conn)?;
    let event = AuditEvent::new(
        agent,
        AuditAction::DelistingFlagged,
        SubjectKind::ComplianceCheck,
        case,
    )
    .map_err(|e| PersistenceError::invalid(TABLE, job.id, e))?
    .with_entity(entity.clone())
    .with_details(serde_json::json!({
        "job_id": job.id, "version_id": job.version_id, "list": list.as_str(), "entry": entry,
    }))
    .map_err(|e| PersistenceError::invalid(TABLE, job.id, e))?;
    audit_logs::append(conn, &event)?;
    Ok(())
}

/// A flag, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = screening_flags, check_for_backend(Pg))]
#[allow(missing_docs)] // One field per column; docs/data-model.md describes each.
pub struct FlagRow {
    pub job_id: Uuid,
    pub entity_id: String,
    pub compliance_check_id: Uuid,
    pub list_name: String,
    pub entry_ref: String,
    pub flagged_at: DateTime<Utc>,
}

/// A job's flags, in entity order.
pub fn flags(conn: &mut PgConnection, job: Uuid) -> Result<Vec<FlagRow>> {
    Ok(screening_flags::table
        .filter(screening_flags::job_id.eq(job))
        .order((screening_flags::entity_id, screening_flags::entry_ref))
        .select(FlagRow::as_select())
        .load(conn)?)
}

/// One flag of a job: the entity's, for this entry.
pub fn find_flag(
    conn: &mut PgConnection,
    job: Uuid,
    entity: &str,
    entry: &str,
) -> Result<Option<FlagRow>> {
    Ok(screening_flags::table
        .find((job, entity, entry))
        .select(FlagRow::as_select())
        .first(conn)
        .optional()?)
}

/// Every leaf of a job, in order (32 bytes each): what its root is computed over.
pub fn leaves(conn: &mut PgConnection, job: Uuid) -> Result<Vec<[u8; 32]>> {
    let batches: Vec<Vec<u8>> = screening_job_batches::table
        .filter(screening_job_batches::job_id.eq(job))
        .order(screening_job_batches::batch)
        .select(screening_job_batches::leaves)
        .load(conn)?;
    Ok(batches
        .iter()
        .flat_map(|b| b.chunks_exact(32))
        .filter_map(|c| <[u8; 32]>::try_from(c).ok())
        .collect())
}

/// Where an entity stands in a job: its leaf's index, its commitment, outcome and when its
/// batch was screened; `None` when the job did not screen it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    /// The leaf's index in the job's tree.
    pub index: u64,
    /// The commitment screened (hex).
    pub commitment: String,
    /// The outcome code.
    pub outcome: String,
    /// When the batch was screened.
    pub screened_at: DateTime<Utc>,
}

/// The entity's membership in the job, if it has one.
pub fn membership(
    conn: &mut PgConnection,
    job: Uuid,
    entity: &EntityId,
) -> Result<Option<Membership>> {
    #[derive(QueryableByName)]
    struct Found {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        index: i64,
        #[diesel(sql_type = Text)]
        commitment: String,
        #[diesel(sql_type = Text)]
        outcome: String,
        #[diesel(sql_type = diesel::sql_types::Timestamptz)]
        screened_at: DateTime<Utc>,
    }
    let found: Option<Found> = diesel::sql_query(
        "SELECT (SELECT coalesce(sum(jsonb_array_length(p.members)), 0) FROM screening_job_batches p
                  WHERE p.job_id = b.job_id AND p.batch < b.batch)::BIGINT + m.ord - 1 AS index,
                m.value ->> 1 AS commitment, m.value ->> 2 AS outcome, b.screened_at
           FROM screening_job_batches b,
                LATERAL jsonb_array_elements(b.members) WITH ORDINALITY AS m(value, ord)
          WHERE b.job_id = $1 AND b.batch = (SELECT min(batch) FROM screening_job_batches
                                              WHERE job_id = $1 AND last_entity >= $2)
            AND m.value ->> 0 = $2",
    )
    .bind::<diesel::sql_types::Uuid, _>(job)
    .bind::<Text, _>(entity.as_str())
    .get_result(conn)
    .optional()?;
    Ok(found.map(|f| Membership {
        index: u64::try_from(f.index).unwrap_or(0),
        commitment: f.commitment,
        outcome: f.outcome,
        screened_at: f.screened_at,
    }))
}

/// What a job's pass over the watched wallets' known counterparties found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counterparties {
    /// Distinct counterparties screened.
    pub screened: i64,
    /// Those the version's added or changed entries list.
    pub hits: i64,
    /// Transactions flagged for them.
    pub flagged: i64,
}

/// Finishes a job with the root of its leaves (RFC 9162, every batch's in order) and its pass
/// over the known counterparties, and records the completion in the audit chain with the
/// root, the size and the counts: what a checkpoint then signs. The lease must still be
/// `token`'s.
pub fn finish(
    conn: &mut PgConnection,
    job: Uuid,
    token: Uuid,
    agent: UserId,
    counterparties: Counterparties,
) -> Result<JobRow> {
    use screening_jobs::dsl as j;
    let root = compliance_audit::merkle::root(&leaves(conn, job)?);
    let done: JobRow = diesel::update(j::screening_jobs.find(job))
        .filter(j::lease_token.eq(token))
        .set((
            j::state.eq("done"),
            j::root.eq(root.to_vec()),
            j::counterparties.eq(counterparties.screened),
            j::counterparty_hits.eq(counterparties.hits),
            j::transactions_flagged.eq(counterparties.flagged),
        ))
        .returning(JobRow::as_returning())
        .get_result(conn)
        .optional()?
        .ok_or_else(|| lease_lost(job))?;
    let hex = compliance_audit::hex::hex(&root);
    let event = AuditEvent::new(
        agent,
        AuditAction::ScreeningJobCompleted,
        SubjectKind::ScreeningJob,
        job,
    )
    .map_err(|e| PersistenceError::invalid(TABLE, job, e))?
    .with_details(serde_json::json!({
        "root": hex, "size": done.screened, "version_id": done.version_id.to_string(),
        "list": done.list_name, "previous_version_id": done.previous_version_id,
        "added": done.added, "removed": done.removed, "matched": done.matched,
        "rescreened": done.rescreened, "escalated": done.escalated, "rejected": done.rejected,
        "delisted": done.delisted, "counterparties": done.counterparties,
        "counterparty_hits": done.counterparty_hits, "transactions_flagged": done.transactions_flagged,
    }))
    .map_err(|e| PersistenceError::invalid(TABLE, job, e))?;
    audit_logs::append(conn, &event)?;
    Ok(done)
}

/// The id of the audit entry that recorded the job's completion, once done.
pub fn completion_entry(conn: &mut PgConnection, job: Uuid) -> Result<Option<i64>> {
    use crate::schema::audit_logs;
    Ok(audit_logs::table
        .filter(audit_logs::action.eq("screening_job_completed"))
        .filter(audit_logs::subject_id.eq(job))
        .select(audit_logs::id)
        .first(conn)
        .optional()?)
}
