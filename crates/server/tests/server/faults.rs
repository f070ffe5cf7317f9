//! Faults: a backend terminated in the middle of a submission leaves nothing half-written, the
//! service retries on a fresh connection, and the pool goes on working; a backend terminated
//! while its connection idles in the pool costs the service one retry, not a failure, and reads
//! over HTTP read again rather than answer 503.

use crate::support::*;
use compliance_persistence::repo::audit_logs;
use std::time::{Duration, Instant};

/// The chains' advisory lock keys (0x6175646974000000 + chain), as the chain trigger takes them.
const CHAIN_LOCKS: i64 = 7_022_629_598_034_657_280;

#[test]
fn a_backend_terminated_mid_submission_writes_nothing_and_the_retry_succeeds() {
    let s = with_rules();
    let mut holder = s.db.conn();
    // Hold every chain's lock: a submission then waits at its first audit entry, with its KYC
    // check already written (uncommitted).
    exec(&mut holder, "BEGIN");
    for chain in 0..16 {
        exec(
            &mut holder,
            &format!("SELECT pg_advisory_xact_lock({})", CHAIN_LOCKS + chain),
        );
    }
    let case = scenario("ae-ind-clean-001");
    let submitting = {
        let (service, case, agent) = (s.service.clone(), case.clone(), s.users.agent.id);
        std::thread::spawn(move || service.submit(&case, agent))
    };
    let mut watcher = s.db.conn();
    let waiting = |conn: &mut compliance_persistence::diesel::PgConnection| {
        count(
            conn,
            "SELECT coalesce(max(pid), 0)::bigint AS n FROM pg_stat_activity
              WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'advisory'",
        )
    };
    let started = Instant::now();
    let mut victim = 0;
    while victim == 0 && started.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
        victim = waiting(&mut watcher);
    }
    assert_ne!(victim, 0, "the submission never waited on the chain");
    assert_eq!(
        count(
            &mut watcher,
            &format!("SELECT pg_terminate_backend({victim})::int::bigint AS n")
        ),
        1
    );
    // The service retries on a fresh connection, which waits again; let it through.
    let mut retried = 0;
    while retried == 0 && started.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
        retried = waiting(&mut watcher);
    }
    assert_ne!(retried, victim, "the retry runs on another backend");
    exec(&mut holder, "COMMIT");
    let submitted = submitting.join().unwrap().unwrap();
    assert!(!submitted.replayed);
    // Nothing of the terminated attempt remains: one KYC check, one screening, one case.
    for table in [
        "kyc_checks",
        "aml_checks",
        "compliance_checks",
        "case_submissions",
    ] {
        assert_eq!(
            count(&mut watcher, &format!("SELECT count(*) AS n FROM {table}")),
            1,
            "{table}"
        );
    }
    assert_eq!(
        audit_logs::verify_chain(&mut watcher).unwrap().first_break,
        None
    );
    // And the pool goes on: the next call succeeds.
    let again = s
        .service
        .submit(&scenario("us-ind-standard-002"), s.users.agent.id)
        .unwrap();
    assert_eq!(again.sequence, 1);
}

#[test]
fn a_backend_terminated_while_its_connection_idles_in_the_pool_costs_a_retry_not_a_failure() {
    let s = with_rules();
    let db = s.service.database();
    let backend = |conn: &mut compliance_persistence::diesel::PgConnection| {
        count(conn, "SELECT pg_backend_pid()::bigint AS n")
    };
    // A connection that has just answered goes back to the pool, which will hand it out again
    // without a ping.
    let victim = backend(&mut db.conn().unwrap());
    let mut watcher = s.db.conn();
    assert_eq!(
        count(
            &mut watcher,
            &format!("SELECT pg_terminate_backend({victim})::int::bigint AS n")
        ),
        1
    );
    let started = Instant::now();
    let gone = |conn: &mut compliance_persistence::diesel::PgConnection| {
        count(
            conn,
            &format!("SELECT count(*) AS n FROM pg_stat_activity WHERE pid = {victim}"),
        ) == 0
    };
    while !gone(&mut watcher) && started.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(gone(&mut watcher), "the backend never ended");
    // The first attempt meets the dead connection (a transient error); the retry takes a new one.
    let submitted = s
        .service
        .submit(&scenario("ae-ind-clean-001"), s.users.agent.id)
        .unwrap();
    assert_eq!(submitted.sequence, 1);
    assert_eq!(
        count(&mut watcher, "SELECT count(*) AS n FROM compliance_checks"),
        1
    );
    // The dead connection left the pool: what it hands out now is another backend.
    assert_ne!(backend(&mut db.conn().unwrap()), victim);
}

#[tokio::test]
async fn reads_over_http_survive_the_loss_of_every_pooled_connection() {
    let api = crate::api_client::Api::new();
    // The token check and the read leave their connections in the router's pool, where the
    // pool would hand them out again without a ping.
    let (status, _, _) = api.get("/api/v1/summary", &api.officer).await;
    assert_eq!(status, axum::http::StatusCode::OK);
    let mut watcher = api.s.db.conn();
    let others =
        "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()";
    let killed = count(
        &mut watcher,
        &format!("SELECT count(pg_terminate_backend(pid)) AS n {others}"),
    );
    assert!(killed >= 1, "no pooled connection to end");
    let started = Instant::now();
    while count(&mut watcher, &format!("SELECT count(*) AS n {others}")) > 0
        && started.elapsed() < Duration::from_secs(10)
    {
        std::thread::sleep(Duration::from_millis(20));
    }
    // The token check meets a dead connection first: it reads again on another, and so does
    // the read itself, instead of answering 503.
    for uri in ["/api/v1/summary", "/api/v1/queue"] {
        let (status, _, body) = api.get(uri, &api.officer).await;
        assert_eq!(status, axum::http::StatusCode::OK, "{uri}: {body}");
    }
}
