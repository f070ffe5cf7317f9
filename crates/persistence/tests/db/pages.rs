//! Report pages through the real database: a page holds exactly the rows asked for, however
//! the query's `LIMIT` is rounded up for the plan cache, the review queue's page runs on one
//! cached generic plan instead of being planned again on every call, and a page of one
//! jurisdiction and one status is one ordered scan of the index on both.

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

/// Clones every case of the database `:clones` times, as new entities (`<entity>-<n>`), one
/// statement per table so that every guard, CHECK and foreign key runs on each row, as the
/// bench's loader does (`xtask/src/bench/mod.rs`), then analyses the database.
const CLONE_CASES: &str = "
CREATE TEMP TABLE clones AS
SELECT gen_random_uuid() AS kyc_id, gen_random_uuid() AS aml_id, gen_random_uuid() AS case_id,
       k.entity_id || '-' || g AS entity_id, c.kyc_check_id AS tk, c.aml_check_id AS ta, c.id AS tc
  FROM compliance_checks c JOIN kyc_checks k ON k.id = c.kyc_check_id, generate_series(1, :clones) g;
INSERT INTO kyc_checks (id, entity_id, entity_type, jurisdiction, status, verification_score, documents,
                        red_flags, net_worth, net_worth_currency, annual_income, annual_income_currency,
                        total_assets, total_assets_currency, accreditation_verified, submitted_by,
                        assessed_on, accreditation)
SELECT x.kyc_id, x.entity_id, k.entity_type, k.jurisdiction, k.status, k.verification_score, k.documents,
       k.red_flags, k.net_worth, k.net_worth_currency, k.annual_income, k.annual_income_currency,
       k.total_assets, k.total_assets_currency, k.accreditation_verified, k.submitted_by,
       k.assessed_on, k.accreditation
  FROM clones x JOIN kyc_checks k ON k.id = x.tk;
INSERT INTO aml_checks (id, kyc_check_id, risk_score, risk_level, sanctions_match, pep_match, matched_entries,
                        screening_provider, watchlist_version, screened_at, submitted_by)
SELECT x.aml_id, x.kyc_id, a.risk_score, a.risk_level, a.sanctions_match, a.pep_match, a.matched_entries,
       a.screening_provider, a.watchlist_version, a.screened_at, a.submitted_by
  FROM clones x JOIN aml_checks a ON a.id = x.ta;
INSERT INTO compliance_checks (id, kyc_check_id, aml_check_id, jurisdiction, status, engine_status, risk_score,
                               risk_level, rule_versions, reasons, decided_by, unweighed_signals)
SELECT x.case_id, x.kyc_id, x.aml_id, c.jurisdiction, c.status, c.engine_status, c.risk_score,
       c.risk_level, c.rule_versions, c.reasons, c.decided_by, c.unweighed_signals
  FROM clones x JOIN compliance_checks c ON c.id = x.tc;
INSERT INTO case_submissions (compliance_check_id, kyc_check_id, entity_id, sequence, submitted_by)
SELECT x.case_id, x.kyc_id, x.entity_id, 1, c.decided_by
  FROM clones x JOIN compliance_checks c ON c.id = x.tc;
DROP TABLE clones;
ANALYZE;
";

/// The clones of each case `mixed_queue` makes: 3,000 cases, 500 in each pair of jurisdiction
/// and status that has any, enough that the generic plan of a page of 50 reads the pair's index
/// in its order. On fewer the planner fetches the whole pair and sorts it, which it may: with
/// 100 and 200 cases a pair (9 and 19 clones) it sorted, with 300 (29) it read the index.
const MIXED_CLONES: u32 = 49;

/// A database whose queue holds 60 cases made through the repositories, a third in each
/// jurisdiction, PENDING or ESCALATED at scores from 40 to 89, none of them both US and
/// ESCALATED (the pair the bench's queue finds empty), and `MIXED_CLONES` clones of each;
/// analysed.
pub(crate) fn mixed_queue(db: &TestDatabase) -> PgConnection {
    use compliance_domain::{CheckStatus, InvestorProfile, Jurisdiction, Reason, Stage};
    use diesel::connection::SimpleConnection;
    let mut conn = db.conn();
    let u = users(&mut conn);
    let pending = Reason {
        outcome: CheckStatus::Pending,
        stage: Stage::Kyc,
        ..pep_reason()
    };
    for i in 0..60_i64 {
        let jurisdiction = [Jurisdiction::Ae, Jurisdiction::In, Jurisdiction::Us][(i % 3) as usize];
        let mut check = kyc(&format!("mixed-{i:03}"));
        check.jurisdiction = jurisdiction;
        if jurisdiction != Jurisdiction::In {
            // The SEBI facts are India's; another jurisdiction's case has none.
            check.investor = InvestorProfile::default();
        }
        let escalated = jurisdiction != Jurisdiction::Us && (i / 3) % 2 == 0;
        let reason = if escalated {
            pep_reason()
        } else {
            pending.clone()
        };
        case_of(
            &mut conn,
            &u.system,
            &check,
            40 + (i * 7) % 50,
            vec![reason],
        );
    }
    conn.batch_execute(&CLONE_CASES.replace(":clones", &MIXED_CLONES.to_string()))
        .unwrap();
    conn
}

#[derive(QueryableByName)]
struct PlanLine {
    #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
    line: String,
}

/// A page filtered by jurisdiction and status, read as the service reads it (a snapshot on
/// generic plans, pages of 25 resumed from their cursors), holds exactly the cases of that pair
/// in the unfiltered queue, in the queue's order; and it is one scan of the index that leads
/// with both columns, in its order (no sort): the pair nothing matches reads an index probe's
/// few buffers, where through the jurisdiction's or the status's index it read every queued
/// case of the one and filtered on the other.
#[test]
fn a_page_of_a_jurisdiction_and_a_status_is_one_ordered_scan_of_their_index() {
    use compliance_domain::{CheckStatus, Jurisdiction};
    use compliance_persistence::PersistenceError;
    let db = TestDatabase::new();
    let mut conn = mixed_queue(&db);
    let queue =
        reports::pending_approvals_page(&mut conn, &QueueFilter::default(), None, 10_000).unwrap();
    assert_eq!(
        queue.len(),
        60 * (1 + MIXED_CLONES as usize),
        "every case is in the queue"
    );
    for jurisdiction in [Jurisdiction::Ae, Jurisdiction::In, Jurisdiction::Us] {
        for status in [CheckStatus::Pending, CheckStatus::Escalated] {
            let filter = QueueFilter {
                jurisdiction: Some(jurisdiction),
                status: Some(status),
                ..QueueFilter::default()
            };
            let mut read = Vec::new();
            let mut after: Option<QueueCursor> = None;
            loop {
                let page = compliance_persistence::in_snapshot(&mut conn, |c| {
                    reports::plan_generically(c)?;
                    reports::pending_approvals_page(c, &filter, after.as_ref(), 25)
                })
                .unwrap();
                let Some(last) = page.last() else { break };
                after = Some(last.into());
                read.extend(page);
            }
            let expected: Vec<_> = queue
                .iter()
                .filter(|c| c.jurisdiction == jurisdiction && c.status == status)
                .cloned()
                .collect();
            assert_eq!(
                expected.is_empty(),
                (jurisdiction, status) == (Jurisdiction::Us, CheckStatus::Escalated),
                "the fixture's pairs: {jurisdiction:?} {status:?}"
            );
            assert_eq!(read, expected, "{jurisdiction:?} {status:?}");
        }
    }

    // The statement the service prepares for the pair, on a connection that prepared nothing
    // else, explained on its generic plan with the pair nothing matches.
    let mut fresh = db.conn();
    let filter = QueueFilter {
        jurisdiction: Some(Jurisdiction::Us),
        status: Some(CheckStatus::Escalated),
        ..QueueFilter::default()
    };
    let plan: Vec<String> = compliance_persistence::in_snapshot(&mut fresh, |c| {
        reports::plan_generically(c)?;
        assert!(reports::pending_approvals_page(c, &filter, None, 50)?.is_empty());
        #[derive(QueryableByName)]
        struct Prepared {
            #[diesel(sql_type = Text)]
            name: String,
        }
        let prepared: Vec<Prepared> = diesel::sql_query(
            "SELECT name FROM pg_prepared_statements WHERE statement LIKE '%pending_approvals%'",
        )
        .load(c)?;
        assert_eq!(prepared.len(), 1, "one page statement prepared");
        let lines: Vec<PlanLine> = diesel::sql_query(format!(
            "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF) EXECUTE {}('US', 'ESCALATED')",
            prepared[0].name
        ))
        .load(c)?;
        Ok::<_, PersistenceError>(lines.into_iter().map(|l| l.line).collect())
    })
    .unwrap();
    let index =
        "Index Scan using idx_compliance_checks_queue_jurisdiction_status on compliance_checks";
    let at = plan
        .iter()
        .position(|l| l.contains(index))
        .unwrap_or_else(|| panic!("not a scan of the pair's index: {plan:#?}"));
    assert!(
        plan[at + 1].contains("Index Cond: ((jurisdiction = $1) AND (status = $2))"),
        "both columns an index condition, on the generic plan: {plan:#?}"
    );
    assert!(
        !plan.iter().any(|l| l.contains("Sort")),
        "the order is the index's: {plan:#?}"
    );
    // The whole page's buffers (its first node's): an index probe, 2 here; through the
    // jurisdiction's index it was one per queued US case.
    let buffers: u32 = plan
        .iter()
        .find_map(|l| l.trim().strip_prefix("Buffers: shared "))
        .map(|counts| {
            counts
                .split_whitespace()
                .filter_map(|c| c.split_once('=').and_then(|(_, n)| n.parse::<u32>().ok()))
                .sum()
        })
        .unwrap_or_else(|| panic!("no buffers: {plan:#?}"));
    assert!(
        buffers <= 4,
        "{buffers} buffers for an empty page: {plan:#?}"
    );
}
