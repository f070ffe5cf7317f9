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
        let (compliance, case, agent) = (s.compliance.clone(), case.clone(), s.agent());
        std::thread::spawn(move || compliance.submit(&agent, &case, None))
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
        .compliance
        .submit(&s.agent(), &scenario("us-ind-standard-002"), None)
        .unwrap();
    assert!(!again.replayed);
    assert_eq!(again.case.sequence, 1);
}

#[test]
fn a_backend_terminated_while_its_connection_idles_in_the_pool_costs_a_retry_not_a_failure() {
    let s = with_rules();
    let mut watcher = s.db.conn();
    // Client backends only: an autovacuum worker on this database is none of the pool's.
    let others = "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'";
    let backends = |conn: &mut compliance_persistence::diesel::PgConnection| -> Vec<i64> {
        #[derive(compliance_persistence::diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = compliance_persistence::diesel::sql_types::BigInt)]
            pid: i64,
        }
        compliance_persistence::diesel::RunQueryDsl::load::<Row>(
            compliance_persistence::diesel::sql_query(format!(
                "SELECT pid::bigint AS pid {others} ORDER BY pid"
            )),
            conn,
        )
        .unwrap()
        .into_iter()
        .map(|r| r.pid)
        .collect()
    };
    // The fixtures' own connections have closed; wait until their backends are gone too.
    let started = Instant::now();
    while !backends(&mut watcher).is_empty() && started.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    // A call that has just answered leaves its connection in the pool, which will hand it out
    // again without a ping: the pool's are now the only other backends on this database.
    let agent = s.agent();
    let victims = backends(&mut watcher);
    assert!(!victims.is_empty(), "no pooled connection to end");
    assert!(
        count(
            &mut watcher,
            &format!("SELECT count(pg_terminate_backend(pid)) AS n {others}")
        ) >= 1
    );
    while !backends(&mut watcher).is_empty() && started.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        backends(&mut watcher),
        Vec::<i64>::new(),
        "the backends never ended"
    );
    // The first attempt meets the dead connection (a transient error); the retry takes a new one.
    let submitted = s
        .compliance
        .submit(&agent, &scenario("ae-ind-clean-001"), None)
        .unwrap();
    assert!(!submitted.replayed);
    assert_eq!(submitted.case.sequence, 1);
    assert_eq!(
        count(&mut watcher, "SELECT count(*) AS n FROM compliance_checks"),
        1
    );
    // The dead connections left the pool: what it holds now is another backend.
    let now = backends(&mut watcher);
    assert!(
        !now.is_empty() && now.iter().all(|pid| !victims.contains(pid)),
        "{now:?} after {victims:?}"
    );
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
