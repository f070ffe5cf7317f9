//! The review queue's overdue page, first step: the ids of the page's cases, read from
//! `compliance_checks` through `idx_compliance_checks_queue_waiting`, one index range per
//! service level in force, in a statement whose generic plan is good for any number of overdue
//! cases. `reports::pending_approvals_page` then reads the page's rows from the queue's view by
//! those ids.
//!
//! Why a statement of its own: filtered by `overdue` alone, the view is scanned in the queue's
//! order and reads every queued case when few are overdue; with the service levels' ranges as
//! values it must be planned on every read (1.9 to 6.7 ms of planning for 0.13 ms of running, on
//! 200,009 cases); as parameters of a generic plan the planner takes a third of each range for
//! overdue, scans the queue in order, and reads it all again (21.5 ms at p50 over HTTP at a
//! million cases). Here the overdue cases are gathered first, fenced (`MATERIALIZED`) so that
//! no plan can scan the queue in order instead, then sorted: a nested loop over the service
//! levels' rows, each an index range of `(jurisdiction, status, decided_at)`. Its cost grows
//! with the cases overdue, never with the queue: 0.05 ms with none overdue, 8 ms with 4,003
//! overdue (of 200,009 cases), where the view on custom plans took 83 to 109 ms
//! (docs/benchmarks.md).
//!
//! The statement's text is fixed and its values are bind parameters, so Diesel keeps it as a
//! prepared statement and PostgreSQL plans it once per connection.
//!
//! Must not: take SQL text from outside; decide membership of the queue differently from the
//! view `pending_approvals` (the page's second step reads the view, which has the last word:
//! a case the view leaves out is not shown; the persistence tests'
//! `overdue::the_overdue_page_is_the_views_overdue_cases` checks the two agree).

use diesel::RunQueryDsl;
use diesel::pg::{Pg, PgConnection};
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::result::QueryResult;
use diesel::sql_types::{BigInt, Bool, Nullable, SmallInt, Text, Timestamptz};
use uuid::Uuid;

/// The cases a service level has passed, with the queue's sort key, narrowed by the page's
/// filters. For PENDING and ESCALATED (the statuses a service level names) the view's
/// membership reduces to "not superseded by a later submission of the entity" (`SUPERSEDED`):
/// their status puts them in the queue, and only an APPROVED case can be an overridden
/// rejection. `now()` is the transaction's, as the view's.
const GATHER: &str = "WITH overdue AS MATERIALIZED ( \
SELECT cc.id, -cc.risk_score AS negated_score, \
NOT queue_flag(cc.engine_status, cc.status, cc.engine_decided_at, cc.created_at, cc.decided_at) AS unflagged, \
cc.created_at \
FROM service_levels sl \
JOIN compliance_checks cc ON cc.jurisdiction = sl.jurisdiction AND cc.status = sl.status \
AND cc.decided_at <= now() - make_interval(hours => sl.target_hours) \
WHERE sl.effective_from <= now() AND (sl.effective_to IS NULL OR sl.effective_to > now()) \
AND cc.status IN ('PENDING', 'ESCALATED')";

/// The queue's sort key over the gathered cases.
const KEY: &str = "negated_score, unflagged, created_at, id";

/// Whether the case `o.id` was superseded by a later submission of its entity (then it is not
/// in the queue). Asked of the gathered cases in the queue's order, after sorting them, so that
/// a page asks it about its own cases only: asked while gathering, it cost 30 of 35 ms with
/// 4,003 cases overdue.
const SUPERSEDED: &str = "EXISTS (SELECT 1 FROM case_submissions s JOIN case_submissions n \
ON n.entity_id = s.entity_id AND n.sequence > s.sequence WHERE s.compliance_check_id = o.id)";

/// The ids of at most `limit` overdue cases after a cursor, in the queue's order, narrowed by
/// the page's filters (`reports::pending_approvals_page` fills it in from its `QueueFilter`:
/// this module knows nothing of the reports').
#[derive(Debug, Clone, Copy)]
pub(super) struct OverdueIds {
    /// Only this jurisdiction (its text), this status, this risk level.
    pub(super) jurisdiction: Option<&'static str>,
    pub(super) status: Option<&'static str>,
    pub(super) risk_level: Option<&'static str>,
    /// Only the cases nobody works.
    pub(super) unassigned: bool,
    /// Only the cases this user works.
    pub(super) assignee: Option<Uuid>,
    /// The cursor's key as the statement compares it (`None` for the first page): the score
    /// negated, whether unflagged, when opened, the id.
    pub(super) after_score: Option<i16>,
    pub(super) after_unflagged: Option<bool>,
    pub(super) after_created_at: Option<chrono::DateTime<chrono::Utc>>,
    pub(super) after_id: Option<Uuid>,
    /// At most this many.
    pub(super) limit: i64,
}

impl QueryId for OverdueIds {
    type QueryId = Self;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl Query for OverdueIds {
    type SqlType = diesel::sql_types::Uuid;
}

impl RunQueryDsl<PgConnection> for OverdueIds {}

impl QueryFragment<Pg> for OverdueIds {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql(GATHER);
        // Each optional filter as `(value IS NULL OR column = value)`: one text for every
        // combination, so one prepared statement; a row filter on the gathered cases.
        unless_null::<Text, _>(&mut out, &self.jurisdiction, "text", "sl.jurisdiction")?;
        unless_null::<Text, _>(&mut out, &self.status, "text", "sl.status")?;
        unless_null::<Text, _>(&mut out, &self.risk_level, "text", "cc.risk_level")?;
        unless_null::<diesel::sql_types::Uuid, _>(
            &mut out,
            &self.assignee,
            "uuid",
            "cc.assigned_to",
        )?;
        out.push_sql(" AND (NOT ");
        out.push_bind_param::<Bool, _>(&self.unassigned)?;
        out.push_sql(" OR cc.assigned_to IS NULL)");
        out.push_sql(") SELECT id FROM (SELECT * FROM overdue WHERE (");
        out.push_bind_param::<Nullable<diesel::sql_types::Uuid>, _>(&self.after_id)?;
        out.push_sql("::uuid IS NULL OR (negated_score, unflagged, created_at, id) > (");
        out.push_bind_param::<Nullable<SmallInt>, _>(&self.after_score)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Bool>, _>(&self.after_unflagged)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Timestamptz>, _>(&self.after_created_at)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<diesel::sql_types::Uuid>, _>(&self.after_id)?;
        // Sorted in a subquery, so that the outer `ORDER BY` (the same key) needs no second
        // sort and the `LIMIT` stops asking `SUPERSEDED` once the page is full.
        out.push_sql(")) ORDER BY ");
        out.push_sql(KEY);
        out.push_sql(") o WHERE NOT ");
        out.push_sql(SUPERSEDED);
        out.push_sql(" ORDER BY ");
        out.push_sql(KEY);
        out.push_sql(" LIMIT ");
        out.push_bind_param::<BigInt, _>(&self.limit)?;
        Ok(())
    }
}

/// ` AND (value::cast IS NULL OR column = value)`, `value` bound twice.
fn unless_null<'b, ST, T>(
    out: &mut AstPass<'_, 'b, Pg>,
    value: &'b Option<T>,
    cast: &'static str,
    column: &'static str,
) -> QueryResult<()>
where
    ST: diesel::sql_types::SqlType + diesel::sql_types::SingleValue,
    Pg: diesel::sql_types::HasSqlType<ST>,
    Option<T>: diesel::serialize::ToSql<Nullable<ST>, Pg>,
{
    out.push_sql(" AND (");
    out.push_bind_param::<Nullable<ST>, _>(value)?;
    out.push_sql("::");
    out.push_sql(cast);
    out.push_sql(" IS NULL OR ");
    out.push_sql(column);
    out.push_sql(" = ");
    out.push_bind_param::<Nullable<ST>, _>(value)?;
    out.push_sql(")");
    Ok(())
}

/// The ids `query` asks for, in the queue's order.
pub(super) fn page_ids(conn: &mut PgConnection, query: OverdueIds) -> crate::Result<Vec<Uuid>> {
    Ok(query.load::<Uuid>(conn)?)
}
