//! Report pages through the real database: a page holds exactly the rows asked for, however
//! the query's `LIMIT` is rounded up for the plan cache, and the review queue's page runs on one
//! cached generic plan instead of being planned again on every call.

use crate::support::*;
use compliance_persistence::repo::reports::{self, QueueCursor, QueueFilter};
use compliance_persistence::testing::TestDatabase;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

#[derive(QueryableByName)]
struct PlanCounts {
    #[diesel(sql_type = Text)]
    statement: String,
    #[diesel(sql_type = BigInt)]
    generic_plans: i64,
    #[diesel(sql_type = BigInt)]
    custom_plans: i64,
}

/// The queue's prepared statements on this connection, with how often each was planned.
fn queue_statements(conn: &mut PgConnection) -> Vec<PlanCounts> {
    diesel::sql_query(
        "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements \
         WHERE statement LIKE '%pending_approvals%' ORDER BY statement",
    )
    .load(conn)
    .unwrap()
}

#[test]
fn a_page_holds_exactly_its_limit_and_resumes_where_it_stopped() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let u = users(&mut conn);
    let ids: Vec<_> = (0..4)
        .map(|i| {
            case(
                &mut conn,
                &u.system,
                &format!("in-page-{i:03}"),
                vec![pep_reason()],
            )
            .case
            .id
        })
        .collect();
    let filter = QueueFilter::default();
    let mut seen = Vec::new();
    let mut after: Option<QueueCursor> = None;
    loop {
        // Pages of 3: the query asks the database for 10 and must keep 3.
        let page = reports::pending_approvals_page(&mut conn, &filter, after.as_ref(), 3).unwrap();
        assert!(page.len() <= 3, "a page of 3 held {}", page.len());
        let Some(last) = page.last() else { break };
        after = Some(last.into());
        seen.extend(page.iter().map(|p| p.compliance_check_id));
    }
    assert_eq!(seen, ids, "every case once, oldest first");
    let high = reports::high_risk_entities(&mut conn, None, 2).unwrap();
    assert_eq!(high.len(), 2);
}

/// A database whose queue holds 600 escalations (`prefix-000`...), analysed.
fn queue_of_600(prefix: &str) -> (TestDatabase, PgConnection) {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let u = users(&mut conn);
    for i in 0..600 {
        case(
            &mut conn,
            &u.system,
            &format!("{prefix}-{i:03}"),
            vec![pep_reason()],
        );
    }
    raw(&mut conn, "ANALYZE").unwrap();
    (db, conn)
}

#[test]
fn the_queue_page_is_planned_once_and_kept_as_a_generic_plan() {
    // Enough cases that a generic plan costed for an unknown limit (a tenth of the rows) looks
    // worse than a plan for 10. With the limit bound, every run here was planned again (21
    // custom plans, no generic one); with 150 cases the bound limit got its generic plan too.
    let (_db, mut conn) = queue_of_600("in-plan");
    let filter = QueueFilter::default();
    let first = reports::pending_approvals_page(&mut conn, &filter, None, 10).unwrap();
    let after: QueueCursor = first.last().unwrap().into();
    // Limits 1 to 10, which all ask for 10, then 10 ten times more (the plan cache tries five
    // custom plans first): one statement for the first page and one for a page after a cursor.
    for limit in (1..=10).chain([10; 10]) {
        reports::pending_approvals_page(&mut conn, &filter, None, limit).unwrap();
        reports::pending_approvals_page(&mut conn, &filter, Some(&after), limit).unwrap();
    }
    let statements = queue_statements(&mut conn);
    assert_eq!(
        statements.len(),
        2,
        "one prepared statement per page shape: {:?}",
        statements.iter().map(|s| &s.statement).collect::<Vec<_>>()
    );
    for s in &statements {
        assert!(s.statement.contains("LIMIT 10"), "{}", s.statement);
        assert!(
            s.generic_plans > s.custom_plans,
            "planned again on most runs ({} custom, {} generic): {}",
            s.custom_plans,
            s.generic_plans,
            s.statement
        );
    }
}

/// A filtered page (a jurisdiction, a status), as the service reads it: inside a snapshot
/// whose statements keep generic plans (`reports::plan_generically`). Left to the plan cache,
/// the filtered statement was planned again on every run (its custom plans looked cheaper
/// than the generic one), and planning the view cost more than running it.
#[test]
fn filtered_queue_pages_read_as_the_service_reads_them_are_planned_once() {
    let (_db, mut conn) = queue_of_600("filtered-plan");
    let filters = [
        QueueFilter {
            jurisdiction: Some(compliance_domain::Jurisdiction::Us),
            ..QueueFilter::default()
        },
        QueueFilter {
            status: Some(compliance_domain::CheckStatus::Escalated),
            ..QueueFilter::default()
        },
        QueueFilter {
            jurisdiction: Some(compliance_domain::Jurisdiction::Ae),
            status: Some(compliance_domain::CheckStatus::Escalated),
            ..QueueFilter::default()
        },
    ];
    for _ in 0..12 {
        for filter in &filters {
            compliance_persistence::in_snapshot(&mut conn, |c| {
                reports::plan_generically(c)?;
                reports::pending_approvals_page(c, filter, None, 50)
            })
            .unwrap();
        }
    }
    let statements = queue_statements(&mut conn);
    assert_eq!(statements.len(), 3, "one prepared statement per filter");
    for s in &statements {
        assert_eq!(
            (s.custom_plans, s.generic_plans),
            (0, 12),
            "planned again: {}",
            s.statement
        );
    }
    // Outside such a snapshot the setting is gone (SET LOCAL): the connection goes back to the
    // pool as it came.
    #[derive(QueryableByName)]
    struct Mode {
        #[diesel(sql_type = Text)]
        plan_cache_mode: String,
    }
    let mode: Mode = diesel::sql_query("SHOW plan_cache_mode")
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(mode.plan_cache_mode, "auto");
}
