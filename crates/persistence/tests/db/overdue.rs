//! The review queue's overdue page through the real database: read in two steps (the page's
//! ids from `compliance_checks`, one index range per service level, then their rows from the
//! view), it holds exactly the view's overdue cases, in the queue's order, under every filter
//! and across pages resumed from their cursors; and its first step keeps one generic plan.

use crate::pages::mixed_queue;
use crate::support::*;
use compliance_domain::{CheckStatus, Jurisdiction, RiskLevel, UserId, Username};
use compliance_persistence::repo::reports::{self, AssigneeFilter, QueueCursor, QueueFilter};
use compliance_persistence::repo::users;
use compliance_persistence::testing::TestDatabase;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

/// Every page of `filter`, `limit` cases at a time, each resumed from the last one's cursor,
/// read as the service reads them (a snapshot on generic plans): the ids in the order read.
fn every_page(conn: &mut PgConnection, filter: &QueueFilter, limit: i64) -> Vec<String> {
    let mut ids = Vec::new();
    let mut after: Option<QueueCursor> = None;
    loop {
        let page = compliance_persistence::in_snapshot(conn, |c| {
            reports::plan_generically(c)?;
            reports::pending_approvals_page(c, filter, after.as_ref(), limit)
        })
        .unwrap();
        assert!(page.iter().all(|p| p.overdue), "a case on time: {filter:?}");
        ids.extend(page.iter().map(|p| p.compliance_check_id.to_string()));
        if page.len() < usize::try_from(limit).unwrap() {
            return ids;
        }
        after = page.last().map(QueueCursor::from);
    }
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = Text)]
    id: String,
}

/// The view's overdue cases where `condition` holds, in the queue's order: the page's answer
/// read the plain way, a row filter on the whole view.
fn the_views(conn: &mut PgConnection, condition: &str) -> Vec<String> {
    diesel::sql_query(format!(
        "SELECT compliance_check_id::text AS id FROM pending_approvals WHERE overdue AND {condition} \
         ORDER BY -risk_score, NOT engine_stricter, created_at, compliance_check_id"
    ))
    .load::<Id>(conn)
    .unwrap()
    .into_iter()
    .map(|r| r.id)
    .collect()
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn count(conn: &mut PgConnection, sql: &str) -> i64 {
    diesel::sql_query(sql).get_result::<Count>(conn).unwrap().n
}

/// The mixed queue (3,060 cases, PENDING and ESCALATED in three jurisdictions), with, as a
/// database written days ago would hold them: a third of its cases in their status for ten
/// days (past both service levels, 48 and 168 hours), a third for three days (past the
/// escalations' only), a sixth assigned to the officer; and an entity whose ten-day-old
/// PENDING case was superseded by a later submission (out of the queue, so on no page). The
/// officer.
fn overdue_queue(db: &TestDatabase) -> (PgConnection, UserId) {
    let mut conn = mixed_queue(db);
    let system =
        users::find_by_username(&mut conn, &Username::parse("kyc-agent").unwrap()).unwrap();
    let officer =
        users::find_by_username(&mut conn, &Username::parse("officer.one").unwrap()).unwrap();
    // PENDING (documents missing), so that a new KYC result opens the entity's next case.
    let pending = compliance_domain::Reason {
        outcome: CheckStatus::Pending,
        stage: compliance_domain::Stage::Kyc,
        ..pep_reason()
    };
    let superseded = case(&mut conn, &system, "superseded-001", vec![pending]);
    let mut resubmitted = kyc("superseded-001");
    resubmitted.verification_score = compliance_domain::VerificationScore::new(91).unwrap();
    case_of(&mut conn, &system, &resubmitted, 68, vec![pep_reason()]);
    // A byte of the id picks the cases, so that each share mixes scores and jurisdictions.
    let share = "get_byte(uuid_send(id), 15) % 6";
    for sql in [
        format!(
            "UPDATE compliance_checks SET decided_at = decided_at - interval '10 days' \
             WHERE {share} IN (0, 1) OR id = '{}'",
            superseded.case.id
        ),
        format!(
            "UPDATE compliance_checks SET decided_at = decided_at - interval '3 days' WHERE {share} IN (2, 3)"
        ),
        format!(
            "UPDATE compliance_checks SET assigned_to = {OFFICER}, assigned_by = {OFFICER}, assigned_at = now() \
             WHERE get_byte(uuid_send(id), 14) % 6 = 0 AND status IN ('PENDING', 'ESCALATED')"
        ),
        "ANALYZE compliance_checks".to_owned(),
    ] {
        behind_the_triggers(&mut conn, &sql);
    }
    (conn, officer.id)
}

#[test]
fn the_overdue_page_is_the_views_overdue_cases() {
    let db = TestDatabase::new();
    let (mut conn, officer) = overdue_queue(&db);
    let all = QueueFilter {
        overdue: true,
        ..QueueFilter::default()
    };
    let cases = [
        (all, "true".to_owned()),
        (
            QueueFilter {
                jurisdiction: Some(Jurisdiction::Ae),
                ..all
            },
            "jurisdiction = 'AE'".to_owned(),
        ),
        (
            QueueFilter {
                status: Some(CheckStatus::Pending),
                ..all
            },
            "status = 'PENDING'".to_owned(),
        ),
        (
            QueueFilter {
                jurisdiction: Some(Jurisdiction::In),
                status: Some(CheckStatus::Escalated),
                ..all
            },
            "jurisdiction = 'IN' AND status = 'ESCALATED'".to_owned(),
        ),
        (
            QueueFilter {
                risk_level: Some(RiskLevel::High),
                ..all
            },
            "risk_level = 'HIGH'".to_owned(),
        ),
        (
            QueueFilter {
                assignee: Some(AssigneeFilter::Unassigned),
                ..all
            },
            "assigned_to IS NULL".to_owned(),
        ),
        (
            QueueFilter {
                assignee: Some(AssigneeFilter::User(officer)),
                ..all
            },
            format!("assigned_to = '{}'", officer.as_uuid()),
        ),
        (
            // Nothing: the mixed queue has no US escalation.
            QueueFilter {
                jurisdiction: Some(Jurisdiction::Us),
                status: Some(CheckStatus::Escalated),
                ..all
            },
            "jurisdiction = 'US' AND status = 'ESCALATED'".to_owned(),
        ),
    ];
    for (filter, condition) in &cases {
        let expected = the_views(&mut conn, condition);
        for limit in [7, 50] {
            assert_eq!(
                every_page(&mut conn, filter, limit),
                expected,
                "{condition}, pages of {limit}"
            );
        }
    }
    // The shares are what the comparison needs: overdue cases in every filter but the last, on
    // time ones beside them (the three-day PENDING cases), and the superseded case left out.
    let overdue = the_views(&mut conn, "true");
    assert!(overdue.len() > 1_000, "{}", overdue.len());
    assert!(!the_views(&mut conn, &format!("assigned_to = '{}'", officer.as_uuid())).is_empty());
    assert!(!the_views(&mut conn, "risk_level = 'HIGH'").is_empty());
    let on_time = count(
        &mut conn,
        "SELECT count(*) AS n FROM pending_approvals WHERE NOT overdue AND status = 'PENDING' \
         AND status_since < now() - interval '2 days'",
    );
    assert!(on_time > 100, "{on_time}");
    let superseded = count(
        &mut conn,
        "SELECT count(*) AS n FROM compliance_checks c JOIN case_submissions s ON s.compliance_check_id = c.id \
         WHERE s.entity_id = 'superseded-001' AND s.sequence = 1 AND c.decided_at < now() - interval '9 days'",
    );
    assert_eq!(superseded, 1, "the superseded case is ten days old");
    // The first step is one prepared statement; the second one per shape of page (its filters,
    // a cursor or none, the size asked). Each was planned once and kept: no custom plan,
    // however many pages were read.
    for (statement, shapes) in [
        ("WITH overdue AS MATERIALIZED%", 1..=1),
        ("%pending_approvals%= ANY%", 2..=32),
    ] {
        let plans: Vec<(i64, i64)> = diesel::sql_query(format!(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements \
             WHERE statement LIKE '{statement}'"
        ))
        .load::<PlanCounts>(&mut conn)
        .unwrap()
        .into_iter()
        .map(|p| (p.generic_plans, p.custom_plans))
        .collect();
        assert!(shapes.contains(&plans.len()), "{statement}: {plans:?}");
        assert!(plans.iter().all(|p| p.1 == 0), "planned again: {plans:?}");
        assert!(plans.iter().map(|p| p.0).sum::<i64>() > 100, "{plans:?}");
    }
}

#[derive(QueryableByName)]
struct PlanCounts {
    #[diesel(sql_type = BigInt)]
    generic_plans: i64,
    #[diesel(sql_type = BigInt)]
    custom_plans: i64,
}

/// With no service level in force nothing is overdue, whatever the cases' age.
#[test]
fn with_no_service_level_in_force_no_case_is_overdue() {
    let db = TestDatabase::new();
    let (mut conn, _) = overdue_queue(&db);
    behind_the_triggers(
        &mut conn,
        "UPDATE service_levels SET effective_to = now() - interval '1 second'",
    );
    let all = QueueFilter {
        overdue: true,
        ..QueueFilter::default()
    };
    assert_eq!(every_page(&mut conn, &all, 50), Vec::<String>::new());
    assert_eq!(the_views(&mut conn, "true"), Vec::<String>::new());
}
