//! An entity's cases over its life: a new application after a rejection, the periodic review
//! falling due, repeated submissions answered with the stored case, and the idempotency key.

use crate::support::*;
use compliance_app::{AppError, ListSize};
use compliance_domain::*;
use compliance_persistence::repo::reviews_due;
use std::sync::{Arc, Barrier};

fn key(text: &str) -> IdempotencyKey {
    IdempotencyKey::parse(text).unwrap()
}

/// The seed screening of `id` against a newer watchlist: a new submission of the same entity.
fn rescreened(id: &str, version: &str) -> Case {
    let mut case = scenario(id);
    case.aml.watchlist_version = WatchlistVersion::parse(version).unwrap();
    case
}

#[test]
fn after_a_rejection_a_new_application_opens_the_next_case_and_becomes_current() {
    let s = seeded();
    let (agent, officer) = (s.agent(), s.officer());
    let id = "ae-ind-flagged-003";
    let first = s.current(id);
    assert_eq!((first.status, first.sequence), (CheckStatus::Rejected, 1));
    // The same application again is the same case, not a second one.
    let repeat = s.compliance.submit(&agent, &scenario(id), None).unwrap();
    assert!(repeat.replayed);
    assert_eq!(repeat.case, first);

    let mut application = scenario(id);
    application.kyc.red_flags.clear();
    application.aml.matches.clear();
    application.aml.risk_score = RiskScore::new(12).unwrap();
    let next = s.compliance.submit(&agent, &application, None).unwrap();
    assert!(!next.replayed);
    assert_eq!(next.case.sequence, 2);
    assert_ne!(next.case.id, first.id);
    let current = s.current(id);
    assert_eq!(current.id, next.case.id);
    let history = s.compliance.history(&officer, &entity(id)).unwrap();
    let ids: Vec<_> = history.iter().map(|c| (c.id, c.sequence)).collect();
    assert_eq!(ids, [(first.id, 1), (next.case.id, 2)]);
    assert_eq!(history.last(), Some(&current));
    // Re-screening works on the current case; the rejected one stays as it was.
    let mut newer = application.aml.clone();
    newer.watchlist_version = WatchlistVersion::parse("ofac-2026-12-01").unwrap();
    let out = s.compliance.rescreen(&agent, &entity(id), &newer).unwrap();
    assert!(!out.replayed);
    assert_eq!(out.case.id, next.case.id);
    assert_eq!(
        s.compliance.case(&officer, first.id).unwrap(),
        first,
        "the old case is history"
    );
}

#[test]
fn a_different_submission_while_the_current_case_is_open_is_refused_here_and_in_the_database() {
    let s = seeded();
    let id = "ae-ind-clean-001";
    let open = s.current(id);
    let err = s
        .compliance
        .submit(&s.agent(), &rescreened(id, "ofac-2026-12-01"), None)
        .unwrap_err();
    assert!(
        matches!(&err, AppError::OpenCase { case, status: CheckStatus::Approved, .. } if *case == open.id),
        "{err}"
    );
    // The database refuses the same thing from a writer that skips the service.
    let mut conn = s.db.conn();
    let sql = format!(
        "WITH k AS (SELECT * FROM kyc_checks WHERE entity_id = '{id}') \
         INSERT INTO case_submissions (compliance_check_id, kyc_check_id, entity_id, sequence, submitted_by) \
         SELECT '{case}', k.id, k.entity_id, 2, k.submitted_by FROM k",
        case = open.id
    );
    let refused = try_exec(&mut conn, &sql).unwrap_err();
    assert!(refused.contains("case_submissions_open_case"), "{refused}");
}

#[test]
fn a_periodic_review_falls_due_by_risk_level_and_its_new_case_takes_it_off_the_list() {
    let s = seeded();
    let officer = s.officer();
    let id = "ae-ind-clean-001";
    let approved = s.current(id);
    let due = || {
        s.compliance
            .reviews_due(&officer, None, ListSize::default())
            .unwrap()
    };
    assert!(due().is_empty());
    // Approved four years ago (as a database restored from then would hold it).
    let mut conn = s.db.conn();
    behind_the_triggers(
        &mut conn,
        &format!(
            "UPDATE compliance_checks SET decided_at = decided_at - interval '4 years' WHERE id = '{}'",
            approved.id
        ),
    );
    let approved_at = s.compliance.case(&officer, approved.id).unwrap().decided_at;
    let listed = due();
    assert_eq!(listed.len(), 1, "{listed:?}");
    let rules = compliance_rules::RuleSet::in_force(
        &compliance_rules::default_rules(),
        Jurisdiction::Ae,
        chrono::Utc::now(),
    )
    .unwrap();
    assert_eq!(
        (listed[0].case_id, listed[0].rule.code.as_str()),
        (approved.id, "AE-PERIODIC-REVIEW")
    );
    assert_eq!(
        Some(listed[0].review_due_at),
        rules.next_review(approved.risk_level, approved_at)
    );
    // The periodic review is the entity's next case.
    let review = s
        .compliance
        .submit(&s.agent(), &rescreened(id, "ofac-2026-12-01"), None)
        .unwrap();
    assert_eq!(review.case.sequence, 2);
    assert!(due().is_empty());
}

#[test]
fn the_database_and_the_rules_crate_agree_on_review_dates_at_month_ends() {
    let s = seeded();
    let mut conn = s.db.conn();
    let rules = compliance_rules::RuleSet::in_force(
        &compliance_rules::default_rules(),
        Jurisdiction::In,
        chrono::Utc::now(),
    )
    .unwrap();
    #[derive(diesel::QueryableByName)]
    struct Due {
        #[diesel(sql_type = diesel::sql_types::Timestamptz)]
        due: chrono::DateTime<chrono::Utc>,
    }
    // A session in another time zone must not move a date.
    exec(&mut conn, "SET TimeZone = 'Asia/Kolkata'");
    for approved in [
        "2024-01-31T23:30:00Z",
        "2024-02-29T00:00:00Z",
        "2023-08-31T12:00:00.123456Z",
        "2025-12-31T23:59:59Z",
    ] {
        let at: chrono::DateTime<chrono::Utc> = approved.parse().unwrap();
        for level in [
            RiskLevel::Low,
            RiskLevel::Medium,
            RiskLevel::High,
            RiskLevel::Critical,
        ] {
            let sql =
                format!("SELECT review_due_at('IN', '{level}', '{approved}'::timestamptz) AS due");
            let db: Due = compliance_persistence::diesel::RunQueryDsl::get_result(
                compliance_persistence::diesel::sql_query(sql),
                &mut conn,
            )
            .unwrap();
            assert_eq!(
                Some(db.due),
                rules.next_review(level, at),
                "{approved} {level}"
            );
        }
    }
    // Which rule sets the interval is the one in force now.
    let listed = reviews_due::list(&mut conn, Some(Jurisdiction::In), 10).unwrap();
    assert!(listed.is_empty());
}

#[test]
fn an_idempotency_key_gets_its_first_answer_and_never_a_second_case() {
    let s = with_rules();
    let agent = s.agent();
    let case = scenario("us-ind-standard-002");
    let first = s
        .compliance
        .submit(&agent, &case, Some(&key("order-7f3a/attempt")))
        .unwrap();
    assert!(!first.replayed);
    let again = s
        .compliance
        .submit(&agent, &case, Some(&key("order-7f3a/attempt")))
        .unwrap();
    assert!(again.replayed);
    assert_eq!(again.case, first.case);
    let mut other = case.clone();
    other.aml.risk_score = RiskScore::new(40).unwrap();
    let err = s
        .compliance
        .submit(&agent, &other, Some(&key("order-7f3a/attempt")))
        .unwrap_err();
    assert!(
        matches!(err, AppError::IdempotencyKeyReused { case } if case == first.case.id),
        "{err}"
    );
    assert_eq!(
        count(
            &mut s.db.conn(),
            "SELECT count(*) AS n FROM compliance_checks"
        ),
        1
    );
}

#[test]
fn concurrent_retries_of_one_submission_store_one_case() {
    let s = with_rules();
    let case = Arc::new(scenario("in-corp-pep-002"));
    let barrier = Arc::new(Barrier::new(4));
    let agent = s.agent();
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let (compliance, barrier, case) = (s.compliance.clone(), barrier.clone(), case.clone());
            std::thread::spawn(move || {
                barrier.wait();
                // Half with the key, half without: both are the same submission.
                if i % 2 == 0 {
                    compliance.submit(&agent, &case, Some(&key("retry-1")))
                } else {
                    compliance.submit(&agent, &case, None)
                }
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let ids: Vec<_> = results
        .iter()
        .map(|r| r.as_ref().map(|s| s.case.id).map_err(ToString::to_string))
        .collect();
    assert!(ids.iter().all(|r| r.is_ok()), "{ids:?}");
    assert!(ids.windows(2).all(|w| w[0] == w[1]), "{ids:?}");
    assert_eq!(
        results
            .iter()
            .filter(|r| !r.as_ref().unwrap().replayed)
            .count(),
        1
    );
    let mut conn = s.db.conn();
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM compliance_checks"),
        1
    );
    assert_eq!(count(&mut conn, "SELECT count(*) AS n FROM kyc_checks"), 1);
}

#[test]
fn a_due_review_with_unchanged_inputs_opens_the_next_case_rather_than_replaying_the_old_one() {
    let s = seeded();
    let id = "ae-ind-clean-001";
    let approved = s.current(id);
    behind_the_triggers(
        &mut s.db.conn(),
        &format!(
            "UPDATE compliance_checks SET decided_at = decided_at - interval '4 years' WHERE id = '{}'",
            approved.id
        ),
    );
    let review = s
        .compliance
        .submit(&s.agent(), &scenario(id), None)
        .unwrap();
    assert!(!review.replayed);
    assert_eq!(review.case.sequence, 2);
    assert!(
        s.compliance
            .reviews_due(&s.officer(), None, ListSize::default())
            .unwrap()
            .is_empty()
    );
}

#[test]
fn the_review_queue_index_rebuilds_with_the_empty_search_path_a_restore_runs_under() {
    // pg_restore evaluates index expressions with search_path = ''; an unqualified call in
    // queue_flag() made restoring a dump fail ("function status_rank(text) does not exist").
    let s = seeded();
    let mut conn = s.db.conn();
    exec(&mut conn, "SET search_path = ''");
    exec(
        &mut conn,
        "REINDEX INDEX public.idx_compliance_checks_queue",
    );
    exec(&mut conn, "SET search_path = DEFAULT");
    assert!(count(&mut conn, "SELECT count(*) AS n FROM pending_approvals") > 0);
}
