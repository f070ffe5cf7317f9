//! `event_deliveries` and `delivery_attempts`: one delivery per endpoint and event, claimed by
//! dispatchers with `FOR UPDATE SKIP LOCKED`, and every attempt. Also the fan-out, which copies
//! committed events into deliveries behind the cursor in `event_fanout`.
//!
//! Must not: send anything (the dispatcher does), or let an entity's event be claimed while an
//! earlier one for the same endpoint is still on its way. A claim's secrets go to the
//! dispatcher only: never into a log, an error or an answer.

use crate::convert::text;
use crate::repo::audit_logs;
use crate::schema::{delivery_attempts, event_deliveries};
use crate::{PersistenceError, Result};
use chrono::{DateTime, Utc};
use compliance_domain::{
    AuditAction, AuditEvent, DeliveryState, EndpointKind, EventType, Jurisdiction, SubjectKind,
    UserId,
};
use diesel::connection::SimpleConnection;
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use diesel::sql_types::{
    Array, BigInt, Bool, Double, Integer, Jsonb, Nullable, SmallInt, Text, Timestamptz,
};
use uuid::Uuid;

const TABLE: &str = "event_deliveries";

/// Copies up to `limit` committed events, in the order of their transactions, into one
/// delivery per active endpoint that receives their type, and moves the cursor past them, in
/// one statement. Only transactions older than every one still running are passed, so an
/// event committed late is never skipped. Answers how many events it copied (0 also when
/// another dispatcher holds the cursor).
pub fn fan_out(conn: &mut PgConnection, limit: i64) -> Result<i64> {
    #[derive(QueryableByName)]
    struct Copied {
        #[diesel(sql_type = BigInt)]
        events: i64,
    }
    let copied: Copied = diesel::sql_query(
        "WITH cursor AS (
             SELECT txid, position FROM event_fanout FOR UPDATE SKIP LOCKED
         ), batch AS (
             SELECT e.id, e.txid, e.position, e.event_type, e.entity_id, e.entity_sequence, e.created_at
               FROM events e, cursor c
              WHERE (e.txid, e.position) > (c.txid, c.position)
                AND e.txid < pg_snapshot_xmin(pg_current_snapshot())
              ORDER BY e.txid, e.position
              LIMIT $1
         ), inserted AS (
             INSERT INTO event_deliveries (endpoint_id, event_id, entity_id, entity_sequence)
             SELECT p.id, b.id, b.entity_id, b.entity_sequence
               FROM batch b
               JOIN event_endpoints p
                 ON p.active AND p.created_at <= b.created_at
                AND (cardinality(p.event_types) = 0 OR b.event_type = ANY (p.event_types))
              ORDER BY b.txid, b.position, p.id
             ON CONFLICT (endpoint_id, event_id) DO NOTHING
         ), moved AS (
             UPDATE event_fanout f
                SET txid = last.txid, position = last.position
               FROM (SELECT txid, position FROM batch ORDER BY txid DESC, position DESC LIMIT 1) last
         )
         SELECT count(*) AS events FROM batch",
    )
    .bind::<BigInt, _>(limit)
    .get_result(conn)?;
    Ok(copied.events)
}

/// A delivery a dispatcher claimed: what to send, where, and with which secrets.
#[derive(Clone, QueryableByName)]
#[allow(missing_docs)] // The claim's columns, named as docs/events.md names them.
pub struct ClaimRow {
    #[diesel(sql_type = BigInt)]
    pub delivery_id: i64,
    #[diesel(sql_type = Integer)]
    pub attempt: i32,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub endpoint_id: Uuid,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Text)]
    pub url: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub subject_prefix: Option<String>,
    #[diesel(sql_type = Bool)]
    pub allow_private: bool,
    #[diesel(sql_type = Nullable<Text>)]
    pub secret: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub previous_secret: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub event_id: Uuid,
    #[diesel(sql_type = Text)]
    pub event_type: String,
    #[diesel(sql_type = Text)]
    pub jurisdiction: String,
    #[diesel(sql_type = BigInt)]
    pub entity_sequence: i64,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Jsonb)]
    pub data: serde_json::Value,
}

impl std::fmt::Debug for ClaimRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClaimRow")
            .field("delivery_id", &self.delivery_id)
            .field("attempt", &self.attempt)
            .field("endpoint_id", &self.endpoint_id)
            .field("event_id", &self.event_id)
            .finish_non_exhaustive()
    }
}

/// A claimed delivery, typed.
#[derive(Clone)]
pub struct Claimed {
    /// The delivery (what [`complete`] names).
    pub delivery_id: i64,
    /// This attempt's number, from 1 (what [`complete`] checks, so a sender whose lease ran
    /// out cannot overwrite the next one's result).
    pub attempt: i32,
    /// The endpoint.
    pub endpoint_id: Uuid,
    /// Webhook or broker.
    pub kind: EndpointKind,
    /// Its URL.
    pub url: String,
    /// A broker's subject prefix.
    pub subject_prefix: Option<String>,
    /// Whether an admin allowed a private address for it.
    pub allow_private: bool,
    /// The secrets to sign with: the current one, then the one before a rotation while it
    /// still signs.
    pub secrets: Vec<String>,
    /// The event.
    pub event_id: Uuid,
    /// Its type.
    pub event_type: EventType,
    /// Its jurisdiction.
    pub jurisdiction: Jurisdiction,
    /// Its number among its entity's events.
    pub entity_sequence: i64,
    /// When the announced write happened.
    pub created_at: DateTime<Utc>,
    /// Its data.
    pub data: serde_json::Value,
}

impl std::fmt::Debug for Claimed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Claimed")
            .field("delivery_id", &self.delivery_id)
            .field("attempt", &self.attempt)
            .field("endpoint_id", &self.endpoint_id)
            .field("event_id", &self.event_id)
            .field("event_type", &self.event_type)
            .finish_non_exhaustive()
    }
}

impl TryFrom<ClaimRow> for Claimed {
    type Error = PersistenceError;
    fn try_from(row: ClaimRow) -> Result<Self> {
        let id = row.delivery_id;
        Ok(Self {
            delivery_id: id,
            attempt: row.attempt,
            endpoint_id: row.endpoint_id,
            kind: text(TABLE, id, &row.kind)?,
            url: row.url,
            subject_prefix: row.subject_prefix,
            allow_private: row.allow_private,
            secrets: row.secret.into_iter().chain(row.previous_secret).collect(),
            event_id: row.event_id,
            event_type: text(TABLE, id, &row.event_type)?,
            jurisdiction: text(TABLE, id, &row.jurisdiction)?,
            entity_sequence: row.entity_sequence,
            created_at: row.created_at,
            data: row.data,
        })
    }
}

/// The plan the claim is written for, whatever the statistics say: walk the open deliveries in
/// id order (`idx_event_deliveries_open`), test each with two index probes, stop at the limit.
/// The table is a queue: a backlog fanned out within autovacuum's minute has no statistics
/// yet (or those of an empty or drained table), the planner then believes a handful of rows
/// are open and sorts them all instead, and every claim tests every open delivery (at 100,000
/// queued, 210 to 300 ms a claim against 11 ms; docs/benchmarks.md, issue 20). Refusing the sort
/// leaves only the walk. Its disable cost would pass `jit_above_cost`, and compiling the
/// query costs 250 ms where running it costs 11 ms: no JIT either. `SET LOCAL`: the
/// settings end with the claim's transaction.
const CLAIM_PLANNER: &str = "SET LOCAL enable_sort = off; SET LOCAL jit = off";

/// Claims up to `limit` deliveries that are due (pending and past their next attempt, or
/// sending with a lapsed lease), of active endpoints whose circuit is closed, each the
/// earliest of its entity still on its way to its endpoint: marks them `sending` with a lease
/// of `lease_seconds` and counts the attempt. `SKIP LOCKED`: several dispatchers never claim
/// the same delivery. Inside a caller's transaction, end that transaction with the claim: the
/// planner settings the claim runs under (no sort, no JIT) last until it ends.
pub fn claim(conn: &mut PgConnection, limit: i64, lease_seconds: f64) -> Result<Vec<Claimed>> {
    crate::convert::atomic(conn, |conn| {
        conn.batch_execute(CLAIM_PLANNER)?;
        claim_due(conn, limit, lease_seconds)
    })
}

fn claim_due(conn: &mut PgConnection, limit: i64, lease_seconds: f64) -> Result<Vec<Claimed>> {
    let rows: Vec<ClaimRow> = diesel::sql_query(
        "WITH due AS (
             SELECT d.id
               FROM event_deliveries d
               JOIN event_endpoints p ON p.id = d.endpoint_id
              WHERE d.state IN ('pending', 'sending')
                AND ((d.state = 'pending' AND d.next_attempt_at <= now())
                     OR (d.state = 'sending' AND d.lease_until < now()))
                AND p.active AND (p.paused_until IS NULL OR p.paused_until <= now())
                AND NOT EXISTS (SELECT 1 FROM event_deliveries b
                                 WHERE b.endpoint_id = d.endpoint_id AND b.entity_id = d.entity_id
                                   AND b.entity_sequence < d.entity_sequence
                                   AND b.state IN ('pending', 'sending'))
                AND NOT EXISTS (SELECT 1 FROM events e, event_fanout f
                                 WHERE e.entity_id = d.entity_id AND e.entity_sequence < d.entity_sequence
                                   AND (e.txid, e.position) > (f.txid, f.position))
              ORDER BY d.id
              LIMIT $1
                FOR UPDATE OF d SKIP LOCKED
         ), claimed AS (
             UPDATE event_deliveries d
                SET state = 'sending', attempts = d.attempts + 1,
                    lease_until = now() + make_interval(secs => $2)
               FROM due WHERE d.id = due.id
             RETURNING d.id, d.endpoint_id, d.event_id, d.attempts
         )
         SELECT c.id AS delivery_id, c.attempts AS attempt, p.id AS endpoint_id, p.kind, p.url,
                p.subject_prefix, p.allow_private, p.secret,
                CASE WHEN p.previous_secret_until > now() THEN p.previous_secret END AS previous_secret,
                e.id AS event_id, e.event_type, e.jurisdiction, e.entity_sequence, e.created_at, e.data
           FROM claimed c
           JOIN event_endpoints p ON p.id = c.endpoint_id
           JOIN events e ON e.id = c.event_id
          ORDER BY c.id",
    )
    .bind::<BigInt, _>(limit)
    .bind::<Double, _>(lease_seconds)
    .load(conn)?;
    rows.into_iter().map(TryInto::try_into).collect()
}

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptResult {
    /// The delivery.
    pub delivery_id: i64,
    /// The attempt's number, as claimed.
    pub attempt: i32,
    /// When it started.
    pub attempted_at: DateTime<Utc>,
    /// Whether the endpoint acknowledged it.
    pub delivered: bool,
    /// The HTTP status, when an answer came.
    pub status_code: Option<i16>,
    /// How long it took.
    pub latency_ms: i32,
    /// A short reason for a failure (no body, secret or URL query).
    pub error: Option<String>,
    /// When to try again after a failure; `None` gives up (the delivery is `failed`).
    pub retry_at: Option<DateTime<Utc>>,
}

/// When an endpoint's circuit opens, and for how long.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Circuit {
    /// Failed attempts in a row that open it.
    pub failures_to_open: i32,
    /// How long it first stays open, in seconds; doubled for each further such run of failures.
    pub open_seconds: f64,
    /// The longest it stays open, in seconds.
    pub max_open_seconds: f64,
}

/// Records the attempts of a claim, in one statement: each delivery delivered, back to
/// pending with its next attempt, or failed for good; each attempt in `delivery_attempts`; and
/// each endpoint's circuit (any success closes it, failures in a row open it). A result whose
/// lease another dispatcher took over (its attempt number moved on) changes nothing. Answers
/// how many deliveries it recorded.
pub fn complete(
    conn: &mut PgConnection,
    results: &[AttemptResult],
    circuit: Circuit,
) -> Result<usize> {
    #[derive(QueryableByName)]
    struct Recorded {
        #[diesel(sql_type = BigInt)]
        recorded: i64,
    }
    let ids: Vec<i64> = results.iter().map(|r| r.delivery_id).collect();
    let attempts: Vec<i32> = results.iter().map(|r| r.attempt).collect();
    let at: Vec<DateTime<Utc>> = results.iter().map(|r| r.attempted_at).collect();
    let delivered: Vec<bool> = results.iter().map(|r| r.delivered).collect();
    let status: Vec<Option<i16>> = results.iter().map(|r| r.status_code).collect();
    let latency: Vec<i32> = results.iter().map(|r| r.latency_ms).collect();
    let errors: Vec<Option<String>> = results.iter().map(|r| r.error.clone()).collect();
    let retry: Vec<Option<DateTime<Utc>>> = results.iter().map(|r| r.retry_at).collect();
    let recorded: Recorded = diesel::sql_query(
        "WITH r AS (
             SELECT * FROM unnest($1::bigint[], $2::integer[], $3::timestamptz[], $4::boolean[],
                                  $5::smallint[], $6::integer[], $7::text[], $8::timestamptz[])
                    AS r(id, attempt, attempted_at, delivered, status_code, latency_ms, error, retry_at)
         ), done AS (
             UPDATE event_deliveries d
                SET state = CASE WHEN r.delivered THEN 'delivered'
                                 WHEN r.retry_at IS NULL THEN 'failed' ELSE 'pending' END,
                    delivered_at = CASE WHEN r.delivered THEN r.attempted_at END,
                    next_attempt_at = coalesce(r.retry_at, d.next_attempt_at),
                    lease_until = NULL
               FROM r
              WHERE d.id = r.id AND d.state = 'sending' AND d.attempts = r.attempt
             RETURNING d.id, d.endpoint_id, r.delivered
         ), logged AS (
             INSERT INTO delivery_attempts (delivery_id, attempt, attempted_at, delivered, status_code, latency_ms, error)
             SELECT r.id, r.attempt, r.attempted_at, r.delivered, r.status_code, r.latency_ms, r.error
               FROM r JOIN done ON done.id = r.id
         ), circuit AS (
             SELECT endpoint_id, bool_or(delivered) AS any_delivered,
                    count(*) FILTER (WHERE NOT delivered) AS failures
               FROM done GROUP BY endpoint_id
         ), locked AS (
             -- Only an endpoint whose circuit changes is written (a healthy one is not: no
             -- lock for concurrent dispatchers to queue on), and those in the order of their
             -- ids, so that two dispatchers never wait on each other in a cycle.
             SELECT p.id, c.any_delivered, c.failures
               FROM event_endpoints p JOIN circuit c ON c.endpoint_id = p.id
              WHERE NOT c.any_delivered OR p.consecutive_failures <> 0 OR p.paused_until IS NOT NULL
              ORDER BY p.id
                FOR UPDATE OF p
         ), breaker AS (
             UPDATE event_endpoints p
                SET consecutive_failures = CASE WHEN l.any_delivered THEN 0
                                                ELSE p.consecutive_failures + l.failures END,
                    paused_until = CASE
                        WHEN l.any_delivered THEN NULL
                        WHEN p.consecutive_failures + l.failures >= $9 THEN now() + make_interval(secs => least($11,
                             $10 * power(2, (p.consecutive_failures + l.failures) / $9 - 1)))
                        ELSE p.paused_until END
               FROM locked l WHERE p.id = l.id
         )
         SELECT count(*) AS recorded FROM done",
    )
    .bind::<Array<BigInt>, _>(ids)
    .bind::<Array<Integer>, _>(attempts)
    .bind::<Array<Timestamptz>, _>(at)
    .bind::<Array<Bool>, _>(delivered)
    .bind::<Array<Nullable<SmallInt>>, _>(status)
    .bind::<Array<Integer>, _>(latency)
    .bind::<Array<Nullable<Text>>, _>(errors)
    .bind::<Array<Nullable<Timestamptz>>, _>(retry)
    .bind::<Integer, _>(circuit.failures_to_open)
    .bind::<Double, _>(circuit.open_seconds)
    .bind::<Double, _>(circuit.max_open_seconds)
    .get_result(conn)?;
    Ok(usize::try_from(recorded.recorded).unwrap_or(0))
}

/// Which deliveries a replay sends again: one event, or every event of a time range (those the
/// endpoint never had a delivery for included, as when it was inactive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replay {
    /// One event.
    Event(Uuid),
    /// The events written in `[from, to)`.
    Range {
        /// From (inclusive).
        from: DateTime<Utc>,
        /// To (exclusive).
        to: DateTime<Utc>,
    },
}

/// Puts the deliveries of `replay` to the endpoint back to pending, now, as the admin `by`
/// (creating those the endpoint never had, for the types it receives), with an
/// `events_replayed` audit entry, in one transaction. A delivery on its way is left alone.
/// Answers how many deliveries will be sent again.
pub fn replay(conn: &mut PgConnection, endpoint: Uuid, replay: Replay, by: UserId) -> Result<i64> {
    #[derive(QueryableByName)]
    struct Replayed {
        #[diesel(sql_type = BigInt)]
        replayed: i64,
    }
    crate::convert::atomic(conn, |conn| {
        let (event, from, to) = match replay {
            Replay::Event(id) => (Some(id), None, None),
            Replay::Range { from, to } => (None, Some(from), Some(to)),
        };
        let replayed: Replayed = diesel::sql_query(
            "WITH wanted AS (
                 SELECT e.id, e.entity_id, e.entity_sequence
                   FROM events e, event_endpoints p
                  WHERE p.id = $1
                    AND (cardinality(p.event_types) = 0 OR e.event_type = ANY (p.event_types))
                    AND CASE WHEN $2::uuid IS NOT NULL THEN e.id = $2
                             ELSE e.created_at >= $3 AND e.created_at < $4 END
             ), upserted AS (
                 INSERT INTO event_deliveries AS d (endpoint_id, event_id, entity_id, entity_sequence,
                                                    replayed_by, replayed_at)
                 SELECT $1, w.id, w.entity_id, w.entity_sequence, $5, now() FROM wanted w
                 ON CONFLICT (endpoint_id, event_id) DO UPDATE
                    SET state = 'pending', next_attempt_at = now(), delivered_at = NULL,
                        replayed_by = EXCLUDED.replayed_by, replayed_at = EXCLUDED.replayed_at
                  WHERE d.state IN ('delivered', 'failed')
                 RETURNING 1
             )
             SELECT count(*) AS replayed FROM upserted",
        )
        .bind::<diesel::sql_types::Uuid, _>(endpoint)
        .bind::<Nullable<diesel::sql_types::Uuid>, _>(event)
        .bind::<Nullable<Timestamptz>, _>(from)
        .bind::<Nullable<Timestamptz>, _>(to)
        .bind::<diesel::sql_types::Uuid, _>(by.as_uuid())
        .get_result(conn)?;
        let mut details = serde_json::json!({ "deliveries": replayed.replayed });
        match replay {
            Replay::Event(id) => details["event_id"] = serde_json::json!(id),
            Replay::Range { from, to } => {
                details["from"] = serde_json::json!(from);
                details["to"] = serde_json::json!(to);
            }
        }
        let audit = AuditEvent::new(
            by,
            AuditAction::EventsReplayed,
            SubjectKind::EventEndpoint,
            endpoint,
        )
        .and_then(|e| e.with_details(details))
        .map_err(|e| PersistenceError::invalid("event_endpoints", endpoint, e))?;
        audit_logs::append(conn, &audit)?;
        Ok(replayed.replayed)
    })
}

/// A row of `event_deliveries`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = event_deliveries, check_for_backend(Pg))]
#[allow(missing_docs)] // One field per column; docs/data-model.md describes each.
pub struct DeliveryRow {
    pub id: i64,
    pub endpoint_id: Uuid,
    pub event_id: Uuid,
    pub entity_id: String,
    pub entity_sequence: i64,
    pub state: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub replayed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// A delivery, as the back office and the API show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDelivery {
    /// Its id.
    pub id: i64,
    /// The endpoint.
    pub endpoint_id: Uuid,
    /// The event.
    pub event_id: Uuid,
    /// The event's entity.
    pub entity_id: String,
    /// The event's number among the entity's.
    pub entity_sequence: i64,
    /// Where it stands.
    pub state: DeliveryState,
    /// Attempts made.
    pub attempts: i32,
    /// When the next attempt is due (while pending).
    pub next_attempt_at: DateTime<Utc>,
    /// When delivered.
    pub delivered_at: Option<DateTime<Utc>>,
    /// When last replayed.
    pub replayed_at: Option<DateTime<Utc>>,
    /// When fanned out.
    pub created_at: DateTime<Utc>,
}

impl TryFrom<DeliveryRow> for StoredDelivery {
    type Error = PersistenceError;
    fn try_from(row: DeliveryRow) -> Result<Self> {
        Ok(Self {
            id: row.id,
            endpoint_id: row.endpoint_id,
            event_id: row.event_id,
            entity_id: row.entity_id,
            entity_sequence: row.entity_sequence,
            state: text(TABLE, row.id, &row.state)?,
            attempts: row.attempts,
            next_attempt_at: row.next_attempt_at,
            delivered_at: row.delivered_at,
            replayed_at: row.replayed_at,
            created_at: row.created_at,
        })
    }
}

/// The endpoint's deliveries, newest first, in `state` if given, at most `limit`.
pub fn for_endpoint(
    conn: &mut PgConnection,
    endpoint: Uuid,
    state: Option<DeliveryState>,
    limit: i64,
) -> Result<Vec<StoredDelivery>> {
    let mut query = event_deliveries::table
        .filter(event_deliveries::endpoint_id.eq(endpoint))
        .into_boxed();
    if let Some(state) = state {
        query = query.filter(event_deliveries::state.eq(<&str>::from(state)));
    }
    query
        .order(event_deliveries::id.desc())
        .limit(limit)
        .select(DeliveryRow::as_select())
        .load(conn)?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// The delivery with this id.
pub fn find(conn: &mut PgConnection, id: i64) -> Result<StoredDelivery> {
    let row = event_deliveries::table
        .find(id)
        .select(DeliveryRow::as_select())
        .first(conn)
        .optional()?;
    crate::error::found(row, "event delivery", id)?.try_into()
}

/// A row of `delivery_attempts`.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = delivery_attempts, check_for_backend(Pg))]
#[allow(missing_docs)] // One field per column; docs/data-model.md describes each.
pub struct AttemptRow {
    pub id: i64,
    pub delivery_id: i64,
    pub attempt: i32,
    pub attempted_at: DateTime<Utc>,
    pub delivered: bool,
    pub status_code: Option<i16>,
    pub latency_ms: i32,
    pub error: Option<String>,
}

/// The attempts of a delivery, in order.
pub fn attempts(conn: &mut PgConnection, delivery: i64) -> Result<Vec<AttemptRow>> {
    Ok(delivery_attempts::table
        .filter(delivery_attempts::delivery_id.eq(delivery))
        .order(delivery_attempts::attempt)
        .select(AttemptRow::as_select())
        .load(conn)?)
}

/// An endpoint's deliveries counted by state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    /// Waiting.
    pub pending: i64,
    /// On their way.
    pub sending: i64,
    /// Acknowledged.
    pub delivered: i64,
    /// Given up.
    pub failed: i64,
}

/// Each endpoint's deliveries counted by state, or only `endpoint`'s.
pub fn counts(conn: &mut PgConnection, endpoint: Option<Uuid>) -> Result<Vec<(Uuid, Counts)>> {
    let by_state = (
        event_deliveries::endpoint_id,
        event_deliveries::state,
        diesel::dsl::count_star(),
    );
    let grouped = (event_deliveries::endpoint_id, event_deliveries::state);
    // One endpoint's rows through its index; all of them only for the list of endpoints.
    let rows: Vec<(Uuid, String, i64)> = match endpoint {
        Some(endpoint) => event_deliveries::table
            .filter(event_deliveries::endpoint_id.eq(endpoint))
            .group_by(grouped)
            .select(by_state)
            .load(conn)?,
        None => event_deliveries::table
            .group_by(grouped)
            .select(by_state)
            .load(conn)?,
    };
    let mut out: Vec<(Uuid, Counts)> = Vec::new();
    for (endpoint, state, n) in rows {
        let i = match out.iter().position(|(e, _)| *e == endpoint) {
            Some(i) => i,
            None => {
                out.push((endpoint, Counts::default()));
                out.len() - 1
            }
        };
        let counts = &mut out[i].1;
        match text::<DeliveryState>(TABLE, endpoint, &state)? {
            DeliveryState::Pending => counts.pending = n,
            DeliveryState::Sending => counts.sending = n,
            DeliveryState::Delivered => counts.delivered = n,
            DeliveryState::Failed => counts.failed = n,
        }
    }
    Ok(out)
}
