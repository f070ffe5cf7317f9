//! Round trips: what an operation of `Compliance` (the path the HTTP API takes) sends to the
//! server, recorded by Diesel's instrumentation on the calling thread: every statement (BEGIN
//! and COMMIT included, and the pool's check-out ping when the pool sends one) and on which
//! connection; and every connection opened to the test's database (r2d2 opens them on its own
//! threads, so those are counted by database). Not a timing: a count, so that a change that
//! adds a round trip to a write path fails here and is a decision, not an accident.
//!
//! Issue 17, defect 1: an operation's answer was read back after COMMIT on a second pooled
//! connection, so that a failure there told the client that a committed write had failed. Each
//! write here checks out one pooled connection (no connection opened, one top-level BEGIN, every
//! statement on the same connection) and the last statement it sends is its COMMIT.

use crate::support::*;
use compliance_app::records::ReviewStepTaken;
use compliance_domain::{IdempotencyKey, Verdict};
use compliance_persistence::diesel::connection::{
    Instrumentation, InstrumentationEvent, set_default_instrumentation,
};
use compliance_persistence::diesel::{RunQueryDsl, sql_query};
use std::cell::{Cell, RefCell};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, Once};

/// What a connection did, as its instrumentation saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Event {
    /// A statement was sent (its SQL, without the binds).
    Statement(String),
    /// A transaction (depth 1) or a savepoint (deeper) begins.
    Begin(u32),
    /// A transaction or savepoint is committed or released.
    Commit(u32),
    /// A transaction or savepoint is rolled back.
    Rollback(u32),
}

thread_local! {
    /// Whether this thread records now, and what it recorded: (connection, event).
    static RECORDING: Cell<bool> = const { Cell::new(false) };
    static EVENTS: RefCell<Vec<(u64, Event)>> = const { RefCell::new(Vec::new()) };
}

/// Every instrumentation made gets its own number: one per connection (the pool gives each
/// pooled connection a new one when it opens it, wrapped in its `Liveness`).
static INSTANCES: AtomicU64 = AtomicU64::new(0);

/// The databases connections were opened to, one entry per connection, on any thread.
static OPENED: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Connections opened to the database `name` so far.
fn opened(name: &str) -> usize {
    OPENED
        .lock()
        .unwrap()
        .iter()
        .filter(|db| db.as_str() == name)
        .count()
}

/// Records what its connection does, on the thread that uses it, while that thread records.
struct Recorder(u64);

impl Instrumentation for Recorder {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartEstablishConnection { url, .. } = event {
            // postgres://user@host:port/database?options: the database's name only.
            let database = url.rsplit('/').next().unwrap_or_default();
            let database = database.split('?').next().unwrap_or_default();
            OPENED.lock().unwrap().push(database.to_owned());
            return;
        }
        if !RECORDING.with(Cell::get) {
            return;
        }
        let event = match event {
            InstrumentationEvent::StartQuery { query, .. } => {
                let sql = query.to_string();
                let sql = sql.split(" -- binds:").next().unwrap_or_default();
                Event::Statement(sql.trim().to_owned())
            }
            InstrumentationEvent::BeginTransaction { depth, .. } => Event::Begin(depth.get()),
            InstrumentationEvent::CommitTransaction { depth, .. } => Event::Commit(depth.get()),
            InstrumentationEvent::RollbackTransaction { depth, .. } => Event::Rollback(depth.get()),
            _ => return,
        };
        EVENTS.with(|e| e.borrow_mut().push((self.0, event)));
    }
}

/// Installs the recorder for every connection made from now on (once per test binary; the
/// other tests' threads never record).
fn install() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        set_default_instrumentation(|| {
            Some(Box::new(Recorder(
                INSTANCES.fetch_add(1, Ordering::Relaxed),
            )))
        })
        .unwrap();
    });
}

/// What `f` sent from this thread, and how many connections to the test's database were
/// opened meanwhile.
struct Trace {
    events: Vec<(u64, Event)>,
    opened: usize,
}

fn trace<T>(s: &Seeded, f: impl FnOnce() -> T) -> (T, Trace) {
    let before = opened(s.db.name());
    EVENTS.with(|e| e.borrow_mut().clear());
    RECORDING.with(|r| r.set(true));
    let out = f();
    RECORDING.with(|r| r.set(false));
    let events = EVENTS.with(|e| std::mem::take(&mut *e.borrow_mut()));
    let opened = opened(s.db.name()) - before;
    (out, Trace { events, opened })
}

impl Trace {
    /// The statements, in order.
    fn statements(&self) -> Vec<&str> {
        self.events
            .iter()
            .filter_map(|(_, e)| match e {
                Event::Statement(sql) => Some(sql.as_str()),
                _ => None,
            })
            .collect()
    }

    /// The connections the statements went to (each pooled connection has its own
    /// instrumentation), in order of first use.
    fn connections(&self) -> Vec<u64> {
        let mut used: Vec<u64> = Vec::new();
        for (connection, event) in &self.events {
            if matches!(event, Event::Statement(_)) && !used.contains(connection) {
                used.push(*connection);
            }
        }
        used
    }

    /// One check-out, one transaction, its COMMIT last: no connection opened (`opened`
    /// otherwise), every statement on one connection, one top-level BEGIN, sent first, and one
    /// top-level COMMIT, sent last (nothing read after it). Gives back how many statements.
    fn one_transaction(&self, what: &str, opened: usize) -> usize {
        assert_eq!(self.opened, opened, "{what}: connections opened\n{self}");
        assert_eq!(
            self.connections().len(),
            1,
            "{what}: one pooled connection\n{self}"
        );
        let begins = self
            .events
            .iter()
            .filter(|(_, e)| *e == Event::Begin(1))
            .count();
        let commits = self
            .events
            .iter()
            .filter(|(_, e)| *e == Event::Commit(1))
            .count();
        let rollbacks = self
            .events
            .iter()
            .filter(|(_, e)| matches!(e, Event::Rollback(_)))
            .count();
        assert_eq!(
            (begins, commits, rollbacks),
            (1, 1, 0),
            "{what}: one transaction, committed\n{self}"
        );
        let connection = self.connections()[0];
        let statements: Vec<&str> = self
            .events
            .iter()
            .filter(|(c, _)| *c == connection)
            .filter_map(|(_, e)| match e {
                Event::Statement(sql) => Some(sql.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(
            statements.first(),
            Some(&"BEGIN"),
            "{what}: BEGIN first\n{self}"
        );
        assert_eq!(
            self.statements().last(),
            Some(&"COMMIT"),
            "{what}: the last statement is COMMIT\n{self}"
        );
        statements.len()
    }
}

impl fmt::Display for Trace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "  connections opened: {}", self.opened)?;
        for (connection, event) in &self.events {
            let text = match event {
                Event::Statement(sql) => sql.chars().take(110).collect::<String>(),
                other => format!("{other:?}"),
            };
            writeln!(f, "  [{connection}] {text}")?;
        }
        Ok(())
    }
}

/// The seed's ae-ind-clean-001 as a new entity.
fn new_entity(id: &str) -> compliance_domain::Case {
    let mut case = scenario("ae-ind-clean-001");
    case.kyc.entity_id = entity(id);
    case
}

#[test]
fn a_submission_is_begin_one_read_one_write_commit_on_the_connection_it_checked_out() {
    install();
    let s = with_rules();
    let agent = s.agent();
    let submit = |id: &str| {
        let submitted = s.compliance.submit(&agent, &new_entity(id), None).unwrap();
        assert_eq!((submitted.case.sequence, submitted.replayed), (1, false));
    };
    // The first loads the rules into the cache and prepares the statements on its connection.
    submit("round-trip-first");
    // Then: BEGIN, the reads (agent, rules fingerprint, current case: one statement), the
    // writes (three rows, the submission number, three audit entries: one statement), COMMIT.
    // No check-out ping: the connection answered a moment ago.
    let ((), second) = trace(&s, || submit("round-trip-second"));
    assert_eq!(second.one_transaction("a submission", 0), 4, "{second}");
    // A rule change costs the reload, once, in the same transaction.
    publish_next_version(&s, "AE-PEP-EDD", |_| {});
    let ((), reload) = trace(&s, || submit("round-trip-third"));
    assert!(reload.one_transaction("a submission reloading the rules", 0) > 4);
    let ((), fourth) = trace(&s, || submit("round-trip-fourth"));
    assert_eq!(fourth.one_transaction("a submission", 0), 4);
    // With an idempotency key (as the API sends it) the key's lookup is part of the read.
    let keyed = new_entity("round-trip-keyed");
    let key = IdempotencyKey::parse("round-trip-key-1").unwrap();
    let (first, with_key) = trace(&s, || {
        s.compliance.submit(&agent, &keyed, Some(&key)).unwrap()
    });
    assert!(!first.replayed);
    assert_eq!(with_key.one_transaction("a keyed submission", 0), 4);
    // Its repetition is answered from the stored case, read in the same transaction.
    let (again, repeated) = trace(&s, || {
        s.compliance.submit(&agent, &keyed, Some(&key)).unwrap()
    });
    assert!(again.replayed);
    assert_eq!(again.case, first.case);
    let replay = repeated.one_transaction("a repeated submission", 0);
    assert_eq!(replay, REPLAYED_SUBMISSION, "{repeated}");

    // On a new entry point (an empty pool, an empty cache): one connection opened, and still
    // one transaction whose COMMIT is the last statement.
    let cold = compliance_for(&s.db);
    let (submitted, cold_start) = trace(&s, || {
        cold.submit(&agent, &new_entity("round-trip-cold"), None)
            .unwrap()
    });
    assert!(!submitted.replayed);
    // BEGIN, the context, the rules loaded, the writes, COMMIT.
    assert_eq!(
        cold_start.one_transaction("a submission on a new pool", 1),
        5,
        "{cold_start}"
    );
}

/// The API's path, not only the service's (issue 17, defect 1): every request first turns its
/// bearer token into a `Caller` (`Compliance::authenticate`), then runs the operation. The token
/// check is one statement outside any transaction (the token and its user, joined), plus the
/// token's `last_used_at` at most once a minute; a submission then is its four.
#[test]
fn an_api_submission_is_the_token_check_then_the_submission() {
    install();
    let s = with_rules();
    let (_, secret) = compliance_ops::admin::create_token(
        &mut s.db.conn(),
        &s.users.agent.username,
        &compliance_domain::TokenName::parse("round-trips").unwrap(),
        chrono::Utc::now() + chrono::Duration::days(1),
        &s.users.admin.username,
    )
    .unwrap();
    let request = |id: &str| {
        let caller = s.compliance.authenticate(secret.expose()).unwrap();
        s.compliance.submit(&caller, &new_entity(id), None).unwrap();
    };
    // The first request records the token's use and warms the rules and the statements.
    request("api-round-trip-first");
    let ((), second) = trace(&s, || request("api-round-trip-second"));
    let statements = second.statements();
    assert!(
        statements[0].contains("api_tokens") && statements[0].contains("users"),
        "the token and its user in one statement, first\n{second}"
    );
    assert_eq!(statements[1], "BEGIN", "then the submission\n{second}");
    assert_eq!(statements.len(), 1 + 4, "{second}");
    assert_eq!(statements.last(), Some(&"COMMIT"), "{second}");
    assert_eq!(
        second.connections().len(),
        1,
        "one pooled connection\n{second}"
    );
}

/// A repeated keyed submission: BEGIN, the context (agent, fingerprint, current case, the key's
/// submission), the KYC check and the first screening compared, the case, the transaction's id
/// (so that its COMMIT waits for a synchronous standby: `commit_waits_for_standby`), then its
/// record: its KYC check and current screening, the rules fingerprint; COMMIT.
const REPLAYED_SUBMISSION: usize = 10;

#[test]
fn a_review_a_clearing_and_a_re_screening_end_with_their_commit_on_the_connection_they_checked_out()
{
    install();
    let s = seeded();
    let (agent, analyst, officer, admin) = (s.agent(), s.analyst(), s.officer(), s.admin());
    // Warm: the cache holds each jurisdiction's rules, the connection its statements.
    for id in [
        "ae-corp-pending-002",
        "us-fund-pending-003",
        "in-corp-pep-002",
        "us-ind-standard-002",
        "ae-ind-clean-001",
    ] {
        s.current(id);
    }
    let review = |id: &str| {
        let case = s.current(id);
        trace(&s, || {
            s.compliance
                .review(
                    &analyst,
                    case.id,
                    Verdict::Reject,
                    &reason("documents never arrived"),
                    case.revision,
                )
                .unwrap()
        })
    };
    review("ae-corp-pending-002");
    let (reviewed, traced) = review("us-fund-pending-003");
    assert_eq!(reviewed.outcome, ReviewStepTaken::Decided);
    let n = traced.one_transaction("a review", 0);
    assert_eq!(n, REVIEW, "{traced}");

    // The override: a sanctions hit on the escalation, proposed and confirmed.
    let hit = sanctions_hit_on_the_escalation(&s);
    let (list, entry) = sdn();
    let (proposed, traced) = trace(&s, || {
        s.compliance
            .clear_match(
                &officer,
                hit.id,
                &list,
                &entry,
                &reason("not them"),
                hit.revision,
            )
            .unwrap()
    });
    let n = traced.one_transaction("a proposed false positive", 0);
    assert_eq!(n, PROPOSAL, "{traced}");
    let (confirmed, traced) = trace(&s, || {
        s.compliance
            .clear_match(
                &admin,
                hit.id,
                &list,
                &entry,
                &reason("agreed"),
                proposed.revision,
            )
            .unwrap()
    });
    assert!(confirmed.override_confirmed);
    let n = traced.one_transaction("a confirmed false positive", 0);
    assert_eq!(n, CONFIRMATION, "{traced}");

    // A re-screening that writes, and its repetition, which writes nothing.
    let id = entity("us-ind-standard-002");
    let mut lower = scenario("us-ind-standard-002").aml;
    lower.risk_score = compliance_domain::RiskScore::new(5).unwrap();
    let (out, traced) = trace(&s, || s.compliance.rescreen(&agent, &id, &lower).unwrap());
    assert!(!out.replayed);
    let n = traced.one_transaction("a re-screening", 0);
    assert_eq!(n, RESCREEN, "{traced}");
    let (again, traced) = trace(&s, || s.compliance.rescreen(&agent, &id, &lower).unwrap());
    assert!(again.replayed);
    let n = traced.one_transaction("a repeated re-screening", 0);
    assert_eq!(n, RESCREEN_REPLAYED, "{traced}");
}

/// A review deciding a pending case: BEGIN; the case locked; the reviewer; its KYC check; the
/// entity's current case (this one is not history; its number, for the record); its
/// screening; its dispositions (the engine's verdict); the note; the status change and its
/// audit entry; the record's rules fingerprint; COMMIT.
const REVIEW: usize = 12;
/// A false positive proposed: BEGIN; the case locked; the reviewer; its KYC check; the
/// entity's current case (this one is not history); its screening; its dispositions (the
/// entry's), again (the verdict before); the note; the revision raised; the disposition and its
/// audit entry; the dispositions (the verdict after); COMMIT.
const PROPOSAL: usize = 14;
/// The confirmation that lifts the engine's rejection: as the proposal (the disposition
/// confirmed instead of inserted), then the rules fingerprint (the verdict re-run without the
/// cleared entry), the confirmed dispositions and the `override_confirmed` audit entry; COMMIT.
const CONFIRMATION: usize = 17;
/// A re-screening that writes: BEGIN; the agent; the current case, locked, current still;
/// its KYC check; its screening; the rules fingerprint; its dispositions (the new verdict),
/// again (the previous one); the screening and its audit entry; the re-evaluation and its
/// audit entry; the record's case number; COMMIT.
const RESCREEN: usize = 16;
/// The same re-screening again: the reads up to the verdict (BEGIN, agent, current case,
/// locked, current still, KYC check, screening, fingerprint, dispositions), the record's case
/// number and rules fingerprint, COMMIT; nothing written.
const RESCREEN_REPLAYED: usize = 12;

#[test]
fn a_pooled_connection_whose_last_statement_failed_is_pinged_at_its_next_check_out() {
    install();
    let s = with_rules();
    let db = s.db.database();
    let select_one = || {
        trace(&s, || {
            let mut conn = db.conn().unwrap();
            exec(&mut conn, "SELECT 1");
        })
        .1
        .statements()
        .len()
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
