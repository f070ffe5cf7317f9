//! Eight threads mixing submissions, reviews and re-screenings of the same few cases, for a
//! fixed number of operations: no error but typed ones, one lock order (no deadlock surfaces),
//! every change with its one audit entry, the chain intact.

use crate::support::*;
use compliance_app::AppError;
use compliance_domain::*;
use compliance_persistence::repo::audit_logs;
use std::sync::{Arc, Barrier};

const THREADS: u64 = 8;
const OPERATIONS: u64 = 25;
const ENTITIES: [&str; 4] = [
    "in-corp-pep-002",
    "ae-corp-pending-002",
    "us-fund-pending-003",
    "ae-ind-clean-001",
];

/// A small deterministic generator (xorshift64*), one per thread.
struct Dice(u64);

impl Dice {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % below
    }
}

fn sanctions(case: &Case) -> AmlScreening {
    let mut aml = case.aml.clone();
    aml.matches.push(WatchlistMatch {
        kind: WatchlistKind::Sanctions,
        list: ListName::parse("OFAC-SDN").unwrap(),
        entry: ListEntryRef::parse("SDN-4242").unwrap(),
    });
    aml
}

/// True for the errors a caller can act on: a lost race, a refusal by the domain's rules because
/// the case moved on. Anything else (an opaque database error, a guard refusing what the service
/// let through, or the database still busy after the service's retries) is a defect.
fn typed(e: &AppError) -> bool {
    e.is_conflict()
        || matches!(
            e,
            AppError::Review(_)
                | AppError::Disposition(_)
                | AppError::Final { .. }
                | AppError::OpenCase { .. }
        )
}

#[test]
fn eight_threads_on_a_few_cases_get_typed_errors_only_and_leave_every_case_consistent() {
    let s = seeded();
    let mut conn = s.db.conn();
    let deadlocks_before = deadlocks(&mut conn);
    let reviewers = [s.users.analyst.id, s.users.officer.id, s.users.admin.id];
    let barrier = Arc::new(Barrier::new(THREADS as usize));
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let (service, barrier) = (s.service.clone(), barrier.clone());
            let agent = s.users.agent.id;
            std::thread::spawn(move || {
                let mut dice = Dice(0x9e37_79b9_7f4a_7c15 ^ (t + 1));
                let mut outcomes = Vec::new();
                barrier.wait();
                for _ in 0..OPERATIONS {
                    let id = ENTITIES[dice.next(ENTITIES.len() as u64) as usize];
                    let case = scenario(id);
                    let entity = case.kyc.entity_id.clone();
                    let result = match dice.next(6) {
                        0 => service.submit(&case, agent).map(|_| "submit"),
                        // A different submission: a new case after a rejection, or OpenCase.
                        4 => {
                            let mut other = case.clone();
                            other.aml.watchlist_version =
                                WatchlistVersion::parse(&format!("v-{t}-{}", dice.next(1000)))
                                    .unwrap();
                            service.submit(&other, agent).map(|_| "submit-new")
                        }
                        // The override's steps, by either officer.
                        5 => match service.current_case(&entity) {
                            Ok(current) => service
                                .clear_match(
                                    current.id,
                                    &ListName::parse("OFAC-SDN").unwrap(),
                                    &ListEntryRef::parse("SDN-4242").unwrap(),
                                    reviewers[1 + dice.next(2) as usize],
                                    &ReviewReason::parse("not the listed party").unwrap(),
                                )
                                .map(|_| "clear-match"),
                            Err(e) => Err(e),
                        },
                        1 => service
                            .rescreen(&entity, &case.aml, agent)
                            .map(|_| "rescreen"),
                        2 => service
                            .rescreen(&entity, &sanctions(&case), agent)
                            .map(|_| "rescreen-hit"),
                        _ => {
                            let verdict = if dice.next(3) == 0 {
                                Verdict::Reject
                            } else {
                                Verdict::Approve
                            };
                            let reviewer = reviewers[dice.next(3) as usize];
                            match service.current_case(&entity) {
                                Ok(current) => service
                                    .review(
                                        current.id,
                                        reviewer,
                                        verdict,
                                        &ReviewReason::parse("reviewed under load").unwrap(),
                                        current.revision,
                                    )
                                    .map(|_| "review"),
                                Err(e) => Err(e),
                            }
                        }
                    };
                    outcomes.push(result);
                }
                outcomes
            })
        })
        .collect();
    let outcomes: Vec<_> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    assert_eq!(outcomes.len(), (THREADS * OPERATIONS) as usize);
    let defects: Vec<String> = outcomes
        .iter()
        .filter_map(|r| r.as_ref().err())
        .filter(|e| !typed(e))
        .map(|e| format!("{e:?}"))
        .collect();
    assert!(defects.is_empty(), "untyped errors: {defects:#?}");
    assert!(
        outcomes.iter().filter(|r| r.is_ok()).count() > 20,
        "the run made progress: {outcomes:?}"
    );

    // One lock order everywhere: the server detected no deadlock (the service would retry one,
    // hiding it from the caller but not from pg_stat_database). The pool's sessions report their
    // counts when they end.
    let Seeded { db, service, .. } = s;
    drop(service);
    let mut settled = deadlocks(&mut conn);
    for _ in 0..20 {
        std::thread::sleep(std::time::Duration::from_millis(100));
        settled = deadlocks(&mut conn);
    }
    assert_eq!(
        settled - deadlocks_before,
        0,
        "deadlocks detected by the server"
    );
    // Every revision has its one audit entry, every case its one decision.
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM compliance_checks cc WHERE cc.revision - 1 <> (
                 SELECT count(*) FROM audit_logs a WHERE a.subject_id = cc.id
                    AND a.action IN ('status_changed', 'approval_proposed', 'rescreened'))
               OR 1 <> (SELECT count(*) FROM audit_logs a WHERE a.subject_id = cc.id AND a.action = 'decision_recorded')"
        ),
        0
    );
    // Every entity in exactly one open case at most: all but its latest case are closed.
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM case_submissions s JOIN compliance_checks cc ON cc.id = s.compliance_check_id
              WHERE cc.status NOT IN ('APPROVED', 'REJECTED')
                AND EXISTS (SELECT 1 FROM case_submissions n WHERE n.entity_id = s.entity_id AND n.sequence > s.sequence)"
        ),
        0
    );
    // Nothing approved over an engine rejection without its override, nothing half written.
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM compliance_checks WHERE status = 'APPROVED' AND engine_status = 'REJECTED'
                AND NOT rejection_overridden(id, aml_check_id, jurisdiction, reasons)"
        ),
        0
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM kyc_checks k WHERE NOT EXISTS (SELECT 1 FROM case_submissions s WHERE s.kyc_check_id = k.id)"
        ),
        0
    );
    let chain = audit_logs::verify_chain(&mut conn).unwrap();
    assert_eq!(chain.first_break, None);
    drop(db);
}

fn deadlocks(conn: &mut compliance_persistence::diesel::PgConnection) -> i64 {
    count(
        conn,
        "SELECT coalesce(deadlocks, 0) AS n FROM pg_stat_database WHERE datname = current_database()",
    )
}
