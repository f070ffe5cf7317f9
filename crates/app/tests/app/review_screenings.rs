//! Ongoing monitoring (issue 19), periodic reviews: a review falling due starts the same
//! screening as a changed subject. Each due case's entity is screened against every list's
//! current version and its case re-screened through the engine, once per due date, each
//! screening recorded with its audit entry; the database refuses a record that is not the
//! system agent's, not due, or without its entry.

use crate::support::*;
use compliance_app::MonitorSettings;
use compliance_domain::*;

#[test]
fn a_review_falling_due_screens_the_entity_once_against_every_current_list() {
    let s = seeded();
    let agent = s.agent();
    // HADDAD is not listed yet: both are approved.
    import_ofac_without(&s, &["41003"]);
    let cases = [
        ("ae-ind-review-001", "Maria Garcia Lopez", 1980, "ES"),
        ("ae-ind-review-002", "Yusuf Karim HADDAD", 1970, "LB"),
        ("ae-ind-review-003", "Chen Wei Ming", 1975, "SG"),
    ]
    .map(|(entity, name, birth, country)| {
        let submitted = s
            .compliance
            .submit_input(&agent, &screened_case(entity, name, birth, country), None)
            .unwrap();
        assert_eq!(submitted.case.status, CheckStatus::Approved, "{entity}");
        submitted.case
    });
    // He is designated in the next version, whose job does not run here: only the reviews can
    // find him.
    import_ofac_without(&s, &[]);
    let monitor = s
        .compliance
        .in_process()
        .monitor(MonitorSettings::default());
    assert_eq!(
        monitor.screen_due_reviews().unwrap().screened,
        0,
        "nothing is due yet"
    );

    // The first two were approved four years ago: their reviews are due; the third's is not.
    let mut conn = s.db.conn();
    for case in &cases[..2] {
        behind_the_triggers(
            &mut conn,
            &format!(
                "UPDATE compliance_checks SET decided_at = decided_at - interval '4 years' WHERE id = '{}'",
                case.id
            ),
        );
    }
    let pass = monitor.screen_due_reviews().unwrap();
    // Both screened against the new versions: a new screening each (the versions changed);
    // his rejects his case, hers leaves it approved.
    assert_eq!((pass.screened, pass.rescreened, pass.failed), (2, 2, 0));
    assert_eq!(
        stored(&s, "ae-ind-review-002").status,
        CheckStatus::Rejected
    );
    assert_eq!(
        stored(&s, "ae-ind-review-001").status,
        CheckStatus::Approved
    );
    assert_eq!(
        stored(&s, "ae-ind-review-003").status,
        CheckStatus::Approved
    );
    // Each screening recorded, with the current versions and its audit entry.
    let recorded = |conn: &mut _, entity: &str, outcome: &str| {
        count(
            conn,
            &format!(
                "SELECT count(*) AS n FROM review_screenings r
                  JOIN audit_logs a ON a.action = 'review_screened' AND a.subject_id = r.compliance_check_id
                                   AND (a.details ->> 'review_due_at')::timestamptz = r.review_due_at
                 WHERE r.entity_id = '{entity}' AND r.outcome = '{outcome}'
                   AND r.version_ids @> (SELECT array_agg(v.id) FROM watchlist_versions v
                                          WHERE NOT EXISTS (SELECT 1 FROM watchlist_versions n
                                                             WHERE n.previous_version_id = v.id))"
            ),
        )
    };
    assert_eq!(recorded(&mut conn, "ae-ind-review-001", "rescreened"), 1);
    assert_eq!(recorded(&mut conn, "ae-ind-review-002", "rescreened"), 1);

    // Once per due date: a second pass finds nothing.
    assert_eq!(monitor.screen_due_reviews().unwrap().screened, 0);

    // Her next review falls due (approved a year earlier still): the same versions, the same
    // result: recorded `unchanged`, and no new screening row.
    let screenings =
        "SELECT count(*) AS n FROM aml_checks a JOIN kyc_checks k ON k.id = a.kyc_check_id
                       WHERE k.entity_id = 'ae-ind-review-001'";
    let before = count(&mut conn, screenings);
    behind_the_triggers(
        &mut conn,
        &format!(
            "UPDATE compliance_checks SET decided_at = decided_at - interval '1 year' WHERE id = '{}'",
            cases[0].id
        ),
    );
    let pass = monitor.screen_due_reviews().unwrap();
    assert_eq!((pass.screened, pass.rescreened), (1, 0));
    assert_eq!(recorded(&mut conn, "ae-ind-review-001", "unchanged"), 1);
    assert_eq!(count(&mut conn, screenings), before);

    // The database's own rules: a second record of the same review, a record by someone else
    // than the system agent, a record of a review not due, and a record without its audit
    // entry are all refused.
    let row = |who: &str, due: &str| {
        format!(
            "INSERT INTO review_screenings (compliance_check_id, review_due_at, entity_id, subject_id, version_ids, outcome, agent_id)
             SELECT r.compliance_check_id, {due}, r.entity_id, r.subject_id, r.version_ids, 'unchanged', {who}
               FROM review_screenings r WHERE r.entity_id = 'ae-ind-review-001'"
        )
    };
    let system = "r.agent_id";
    let officer = format!("'{}'", s.officer().user().as_uuid());
    for (sql, refused_by) in [
        (row(system, "r.review_due_at"), "review_screenings_pkey"),
        (
            row(&officer, "r.review_due_at - interval '1 day'"),
            "review_screenings_due_review",
        ),
        (
            row(system, "now() + interval '1 day'"),
            "review_screenings_due_review",
        ),
        (
            row(system, "r.review_due_at - interval '1 day'"),
            "review_screenings_audited",
        ),
    ] {
        let error = try_exec(&mut conn, &sql).expect_err(&sql);
        assert!(error.contains(refused_by), "{sql}: {error}");
    }
}
