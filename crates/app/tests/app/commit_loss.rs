//! A connection lost during COMMIT (a failover, a crash): the write may or may not have been
//! made. A submission, which finds its own case when run again, is retried and settles the
//! doubt; any other write answers `OutcomeUnknown` instead of running again (which could make
//! it twice) or claiming that nothing was written.
//!
//! The loss is made real: a deferred trigger ends its own session (`pg_terminate_backend`) at
//! COMMIT, the first N times (a sequence counts: it is not rolled back with the transaction).

use crate::support::*;
use compliance_app::AppError;

/// Ends the session at COMMIT of a transaction that inserted into `table`, `times` times.
fn cut_commits(s: &Seeded, table: &str, times: i64) {
    let mut conn = s.db.conn();
    exec(&mut conn, "CREATE SEQUENCE commit_cut");
    exec(
        &mut conn,
        &format!(
            "CREATE FUNCTION cut_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
               IF nextval('commit_cut') <= {times} THEN PERFORM pg_terminate_backend(pg_backend_pid()); END IF; \
               RETURN NULL; END $$"
        ),
    );
    exec(
        &mut conn,
        &format!(
            "CREATE CONSTRAINT TRIGGER cut_at_commit AFTER INSERT ON {table} \
             DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION cut_at_commit()"
        ),
    );
}

/// How many transactions reached the trigger.
fn cuts(s: &Seeded) -> i64 {
    count(
        &mut s.db.conn(),
        "SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS n FROM commit_cut",
    )
}

#[test]
fn a_submission_whose_commit_lost_its_connection_is_run_again_and_written_once() {
    let s = seeded();
    cut_commits(&s, "kyc_checks", 1);
    let mut case = scenario("ae-ind-clean-001");
    case.kyc.entity_id = entity("commit-cut-1");
    let key = compliance_domain::IdempotencyKey::parse("commit-cut-key-1").unwrap();
    let submitted = s.compliance.submit(&s.agent(), &case, Some(&key)).unwrap();
    assert_eq!(
        cuts(&s),
        2,
        "the first COMMIT was cut, the second went through"
    );
    assert!(
        !submitted.replayed,
        "the cut COMMIT had rolled back: the retry wrote it"
    );
    let n = count(
        &mut s.db.conn(),
        "SELECT count(*) AS n FROM kyc_checks WHERE entity_id = 'commit-cut-1'",
    );
    assert_eq!(n, 1);
    assert_eq!(s.current("commit-cut-1").id, submitted.case.id);
}

#[test]
fn any_other_write_whose_commit_lost_its_connection_is_outcome_unknown_and_not_run_again() {
    let s = seeded();
    cut_commits(&s, "review_notes", 1);
    let case = s.current("ae-corp-pending-002");
    let err = s
        .compliance
        .note_case(&s.analyst(), case.id, &reason("asked for the minutes"))
        .unwrap_err();
    assert!(matches!(err, AppError::OutcomeUnknown { .. }), "{err}");
    assert!(!err.is_retryable(), "running it again could write it twice");
    assert!(
        err.to_string().contains("may or may not have been written"),
        "{err}"
    );
    assert_eq!(cuts(&s), 1, "not run again");
    // Here it was not written (the session ended before the commit record): reading it back
    // is how the caller finds out, as the error says.
    let notes = s
        .compliance
        .case_detail(&s.officer(), case.id)
        .unwrap()
        .notes;
    assert!(notes.iter().all(|n| n.on_case != Some(case.id)));
    // The next write goes through: the pool replaced the lost connection.
    s.compliance
        .note_case(&s.analyst(), case.id, &reason("asked for the minutes"))
        .unwrap();
}
