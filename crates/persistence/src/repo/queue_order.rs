//! The review queue's order as SQL fragments that Diesel may cache as prepared statements: the
//! order of `idx_compliance_checks_queue` (every key ascending), and a keyset page's start as
//! one row comparison on it. `diesel::dsl::sql` would do the same, but a query holding a SQL
//! literal is never cached, so the server would plan the queue's query on every page (about
//! 5 ms of planning at a million cases, more than the page itself).
//!
//! Must not: take SQL text from outside: the text here is fixed, the values are bind parameters.

use chrono::{DateTime, Utc};
use diesel::expression::{AppearsOnTable, Expression, ValidGrouping, is_aggregate};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::result::QueryResult;
use diesel::sql_types::{Bool, SmallInt, Timestamptz};
use uuid::Uuid;

/// The queue's sort key, every part ascending: the riskiest first (`-risk_score`), flagged
/// before unflagged of the same score, the oldest, then by id.
const KEY: &str = "-risk_score, NOT engine_stricter, created_at, compliance_check_id";

/// `ORDER BY` the queue's key.
#[derive(Debug, Clone, Copy, QueryId)]
pub(super) struct QueueOrder;

/// The cases after a cursor in the queue's order: `(key) > (cursor's key)`.
#[derive(Debug, Clone, Copy, QueryId)]
pub(super) struct AfterInQueue {
    /// The cursor's risk score, negated as in the key.
    pub(super) negated_score: i16,
    /// Whether the cursor's case was not flagged.
    pub(super) unflagged: bool,
    /// When it was opened.
    pub(super) created_at: DateTime<Utc>,
    /// Its id.
    pub(super) id: Uuid,
}

impl Expression for QueueOrder {
    type SqlType = Bool;
}

impl Expression for AfterInQueue {
    type SqlType = Bool;
}

impl<QS> AppearsOnTable<QS> for QueueOrder {}
impl<QS> AppearsOnTable<QS> for AfterInQueue {}

impl ValidGrouping<()> for QueueOrder {
    type IsAggregate = is_aggregate::Never;
}

impl ValidGrouping<()> for AfterInQueue {
    type IsAggregate = is_aggregate::Never;
}

impl QueryFragment<Pg> for QueueOrder {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql(KEY);
        Ok(())
    }
}

impl QueryFragment<Pg> for AfterInQueue {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("(");
        out.push_sql(KEY);
        out.push_sql(") > (");
        out.push_bind_param::<SmallInt, _>(&self.negated_score)?;
        out.push_sql(", ");
        out.push_bind_param::<Bool, _>(&self.unflagged)?;
        out.push_sql(", ");
        out.push_bind_param::<Timestamptz, _>(&self.created_at)?;
        out.push_sql(", ");
        out.push_bind_param::<diesel::sql_types::Uuid, _>(&self.id)?;
        out.push_sql(")");
        Ok(())
    }
}
