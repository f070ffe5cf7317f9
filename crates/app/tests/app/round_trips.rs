//! Round trips: how many statements a submission sends to the server, counted by Diesel's
//! instrumentation on the submitting thread (BEGIN and COMMIT included, and the pool's
//! check-out ping when the pool sends one). Not a timing: a count, so that a change that adds a round trip to the write path
//! fails here and is a decision, not an accident.

use crate::support::*;
use compliance_persistence::diesel::connection::{
    Instrumentation, InstrumentationEvent, set_default_instrumentation,
};
use compliance_persistence::diesel::{RunQueryDsl, sql_query};
use std::cell::Cell;
use std::sync::Once;

thread_local! {
    static STATEMENTS: Cell<u32> = const { Cell::new(0) };
}

/// Counts every statement started on the thread that runs it.
struct CountStatements;

impl Instrumentation for CountStatements {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { .. } = event {
            STATEMENTS.with(|n| n.set(n.get() + 1));
        }
    }
}

/// Installs the counter for every connection made from now on (once per test binary; the other
/// tests' threads count into their own thread-locals, which nobody reads).
fn count_statements() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        set_default_instrumentation(|| Some(Box::new(CountStatements))).unwrap();
    });
}

/// Statements `f` sends from this thread.
fn statements(f: impl FnOnce()) -> u32 {
    let before = STATEMENTS.with(Cell::get);
    f();
    STATEMENTS.with(Cell::get) - before
}

#[test]
fn a_new_entitys_submission_costs_four_statements_with_or_without_a_key() {
    count_statements();
    let s = with_rules();
    let submit = |id: &str| {
        let mut case = scenario("ae-ind-clean-001");
        case.kyc.entity_id = entity(id);
        let submitted = s.service.submit(&case, s.users.agent.id).unwrap();
        assert_eq!(submitted.sequence, 1);
    };
    // The first loads the rules into the cache and prepares the statements on its connection.
    submit("round-trip-first");
    // Then: BEGIN, the reads (agent, rules fingerprint, current case), the writes (three rows,
    // the submission number, three audit entries), COMMIT. No check-out ping: the connection
    // answered a moment ago.
    assert_eq!(statements(|| submit("round-trip-second")), 4);
    // A rule change costs the reload, once.
    publish_next_version(&s, "AE-PEP-EDD", |_| {});
    let reload = statements(|| submit("round-trip-third"));
    assert!(reload > 4, "{reload}");
    assert_eq!(statements(|| submit("round-trip-fourth")), 4);
    // With an idempotency key (as the API sends it) the key's lookup is part of the read; its
    // repetition is answered from the stored case.
    let mut keyed = scenario("ae-ind-clean-001");
    keyed.kyc.entity_id = entity("round-trip-keyed");
    let key = compliance_domain::IdempotencyKey::parse("round-trip-key-1").unwrap();
    let first = statements(|| {
        let submitted = s.service.submit_with_key(&keyed, s.users.agent.id, &key);
        assert!(!submitted.unwrap().replayed);
    });
    assert_eq!(first, 4);
    let again = s.service.submit_with_key(&keyed, s.users.agent.id, &key);
    assert!(again.unwrap().replayed);
}

#[test]
fn a_pooled_connection_whose_last_statement_failed_is_pinged_at_its_next_check_out() {
    count_statements();
    let s = with_rules();
    let db = s.service.database();
    let select_one = || {
        statements(|| {
            let mut conn = db.conn().unwrap();
            exec(&mut conn, "SELECT 1");
        })
    };
    // The first check-out opens the connection; from then on the pool hands it back (r2d2 gives
    // out the connection returned last).
    select_one();
    assert_eq!(
        select_one(),
        1,
        "a connection that has just answered: no ping"
    );
    {
        let mut conn = db.conn().unwrap();
        let failed = sql_query("SELECT 1 / 0").execute(&mut conn);
        assert!(failed.is_err());
    }
    assert_eq!(
        select_one(),
        2,
        "after a failed statement: the ping, then the statement"
    );
    assert_eq!(select_one(), 1, "and it answered: no ping again");
}
