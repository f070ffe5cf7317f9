//! `LIMIT` written into a page query's text, from a fixed set of sizes, so that PostgreSQL can
//! keep one generic plan for the page. Diesel's `.limit(n)` sends `n` as a bind parameter; the
//! planner then costs the generic plan for an unknown limit (a tenth of the rows), finds it
//! worse than a plan made for `LIMIT 50`, and plans the query again on every execution. For the
//! review queue that planning took 3 to 5 ms at a million cases, more than running the page.
//!
//! A query wrapped here is cached by its SQL text, one prepared statement per size in
//! [`SIZES`], so a client choosing odd limits cannot grow a connection's statement cache: the
//! query asks for the smallest size at least the limit, and [`Paged::load_page`] keeps `limit`
//! rows of it.
//!
//! Must not: write anything into the SQL but a size from [`SIZES`].

use diesel::RunQueryDsl;
use diesel::pg::{Pg, PgConnection};
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::query_dsl::methods::LoadQuery;
use diesel::result::QueryResult;

/// The sizes a page is asked for, ascending; the last is the largest page any report serves.
const SIZES: [i64; 9] = [10, 25, 50, 100, 250, 500, 1_000, 2_500, 10_000];

/// The size asked of the database for a page of `limit` rows (1 to 10,000).
fn asked(limit: i64) -> i64 {
    let limit = limit.clamp(1, SIZES[SIZES.len() - 1]);
    SIZES
        .into_iter()
        .find(|&size| size >= limit)
        .unwrap_or(limit)
}

/// A query with `LIMIT <size>` appended as text, the size `asked(limit)`.
#[derive(Debug, Clone)]
pub(super) struct Paged<Q> {
    query: Q,
    /// The rows the caller keeps (1 to 10,000).
    limit: i64,
}

/// Pages a query (one with its `ORDER BY`, without a `LIMIT`).
pub(super) fn paged<Q>(query: Q, limit: i64) -> Paged<Q> {
    Paged {
        query,
        limit: limit.clamp(1, SIZES[SIZES.len() - 1]),
    }
}

impl<Q> Paged<Q> {
    /// Runs the page and keeps its first `limit` rows.
    pub(super) fn load_page<'q, U>(self, conn: &mut PgConnection) -> QueryResult<Vec<U>>
    where
        Self: LoadQuery<'q, PgConnection, U>,
    {
        let limit = usize::try_from(self.limit).unwrap_or(usize::MAX);
        let mut rows = self.load(conn)?;
        rows.truncate(limit);
        Ok(rows)
    }
}

impl<Q: Query> Query for Paged<Q> {
    type SqlType = Q::SqlType;
}

impl<Q> RunQueryDsl<PgConnection> for Paged<Q> {}

/// No static id: the statement cache must key a page by its text, which holds the size.
impl<Q> QueryId for Paged<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for Paged<Q> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.query.walk_ast(out.reborrow())?;
        out.push_sql(" LIMIT ");
        out.push_sql(&asked(self.limit).to_string());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{SIZES, asked};

    #[test]
    fn a_page_asks_for_the_smallest_size_that_holds_it() {
        assert_eq!(asked(1), 10);
        assert_eq!(asked(25), 25);
        assert_eq!(asked(26), 50);
        assert_eq!(asked(50), 50);
        assert_eq!(asked(1_001), 2_500);
        assert_eq!(asked(10_000), 10_000);
        // Out of range: clamped, so the text holds a size from the set and nothing else.
        assert_eq!(asked(0), 10);
        assert_eq!(asked(-5), 10);
        assert_eq!(asked(1_000_000), 10_000);
        assert!(SIZES.windows(2).all(|w| w[0] < w[1]));
    }
}
