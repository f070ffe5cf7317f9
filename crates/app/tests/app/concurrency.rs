//! Eight threads working the same few cases at once through `Compliance`, as the API's
//! clients do (issue 17, defect 10): each operation reads the case's page (`case_detail`, one
//! snapshot, at a revision) and sends what a client would send on what it read (a review its
//! role may make, a clearing step of an unconfirmed sanctions match, a re-screening, the
//! submission again, a new application after a rejection); when the case moved on under it,
//! the client reloads and decides again, at most `ATTEMPTS` times. An attempt at a revision
//! that is still current must go through, so an attempt fails only on a revision that moved on
//! (`StaleRevision`) or, when it quotes none, on the case's standing that moved on (rejected
//! meanwhile: `Final`; its next case opened meanwhile: `OpenCase`); anything else fails the
//! test. Every failed attempt is explained by another thread's change, and three quarters of
//! the operations at least go through (179 to 182 of 200 measured). Then: one lock order (no
//! deadlock surfaces), every success in the database and nothing else, every change with its
//! one audit entry, the chain intact.

use crate::support::*;
use compliance_app::{AppError, Caller, CaseDetail, Compliance};
use compliance_domain::*;
use compliance_persistence::repo::audit_logs;
use std::collections::BTreeMap;
use std::sync::{Arc, Barrier};

const THREADS: u64 = 8;
const OPERATIONS: u64 = 25;
/// How many times a client reloads and decides again when the case moved on under it.
const ATTEMPTS: usize = 3;
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

/// What an operation was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// The entity's seed submission again, while its first case is current (a retry).
    Submit,
    /// A new application (a newer watchlist), after the current case was rejected.
    SubmitNew,
    /// A re-screening (the seed screening, or against a newer watchlist).
    Rescreen,
    /// A re-screening onto a sanctions list (SDN-4242).
    RescreenHit,
    /// A review at the revision read: one the reviewer's role may make on the status read,
    /// never an approval over the engine's rejection or a confirmation of one's own proposal.
    Review,
    /// A step of the override of SDN-4242 at the revision read: proposed when nobody has,
    /// confirmed by someone else when proposed.
    ClearMatch,
}

/// One attempt: what was sent, and what came back.
type Attempt = (Kind, Result<Done, AppError>);

/// What a successful operation did to the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Done {
    /// A new case.
    Opened,
    /// The case's revision raised by one.
    Raised,
    /// Nothing: a retry answered with what is stored.
    Replayed,
}

fn sdn_4242() -> (ListName, ListEntryRef) {
    (
        ListName::parse("OFAC-SDN").unwrap(),
        ListEntryRef::parse("SDN-4242").unwrap(),
    )
}

fn sanctions(case: &Case) -> AmlScreening {
    let mut aml = case.aml.clone();
    let (list, entry) = sdn_4242();
    aml.matches.push(WatchlistMatch {
        kind: WatchlistKind::Sanctions,
        list,
        entry,
        score: None,
    });
    aml
}

/// `aml` against a newer watchlist (a version no other thread draws).
fn newer(aml: &AmlScreening, thread: u64, dice: &mut Dice) -> AmlScreening {
    let mut aml = aml.clone();
    aml.watchlist_version =
        WatchlistVersion::parse(&format!("v-{thread}-{}", dice.next(1_000_000))).unwrap();
    aml
}

/// The failures an operation of this kind may meet, sent on what its client read: the case
/// moved on since. A review or a clearing quotes the revision it read, so it is refused as
/// stale and as nothing else (at that revision the case is as read, and the step was valid
/// on it); a re-screening quotes none, and meets a case rejected meanwhile; a submission meets
/// a next case opened meanwhile. An opaque conflict, a domain refusal of a step that was valid
/// at the revision quoted, a guard refusing what the service let through, or a database still
/// busy after the service's retries is a defect.
fn expected(kind: Kind, e: &AppError) -> bool {
    match kind {
        Kind::Submit | Kind::SubmitNew => matches!(e, AppError::OpenCase { .. }),
        Kind::Rescreen | Kind::RescreenHit => matches!(e, AppError::Final { .. }),
        Kind::Review | Kind::ClearMatch => matches!(e, AppError::StaleRevision { .. }),
    }
}

/// The short name of an error, for the tally.
fn variant(e: &AppError) -> String {
    let debug = format!("{e:?}");
    let end = debug
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '('))
        .unwrap_or(debug.len());
    debug[..end].to_owned()
}

/// The callers of one thread.
#[derive(Clone, Copy)]
struct Callers {
    agent: Caller,
    /// Analyst, officer, admin.
    reviewers: [Caller; 3],
}

/// One attempt: reads the entity's current case as a reviewer's page shows it, then sends one
/// operation a client would send on what it read (the dice choose among what the case's
/// standing allows).
fn operate(
    compliance: &Compliance,
    callers: &Callers,
    dice: &mut Dice,
    thread: u64,
    id: &str,
) -> (Kind, Result<Done, AppError>) {
    let case = scenario(id);
    let entity = case.kyc.entity_id.clone();
    let [_, officer, admin] = callers.reviewers;
    let reader = callers.reviewers[dice.next(3) as usize];
    let current = compliance
        .current_case(&reader, &entity)
        .expect("reading the current case");
    // The page, read in one snapshot: what the operation is decided on, at its revision.
    let page: CaseDetail = compliance
        .case_detail(&reader, current.id)
        .expect("reading the case's page");
    let (case_id, revision, status) = (page.case.id, page.case.revision, page.case.status);
    let (list, entry) = sdn_4242();
    let why = |text| ReviewReason::parse(text).unwrap();
    let submitted = |r: Result<compliance_app::records::Submission, AppError>| {
        r.map(|s| {
            if s.replayed {
                Done::Replayed
            } else {
                Done::Opened
            }
        })
    };
    let rescreened = |r: Result<compliance_app::records::RescreenOutcome, AppError>| {
        r.map(|o| {
            if o.replayed {
                Done::Replayed
            } else {
                Done::Raised
            }
        })
    };
    if status == CheckStatus::Rejected {
        // A rejected entity comes back with a new application.
        let mut other = case.clone();
        other.aml = newer(&other.aml, thread, dice);
        return (
            Kind::SubmitNew,
            submitted(compliance.submit(&callers.agent, &other, None)),
        );
    }
    let engine_rejects = page.review_verdict == CheckStatus::Rejected;
    match dice.next(5) {
        0 if page.case.sequence == 1 => (
            Kind::Submit,
            submitted(compliance.submit(&callers.agent, &case, None)),
        ),
        0 | 1 => {
            let screening = if dice.next(2) == 0 {
                case.aml.clone()
            } else {
                newer(&case.aml, thread, dice)
            };
            (
                Kind::Rescreen,
                rescreened(compliance.rescreen(&callers.agent, &entity, &screening)),
            )
        }
        2 => (
            Kind::RescreenHit,
            rescreened(compliance.rescreen(&callers.agent, &entity, &sanctions(&case))),
        ),
        _ if engine_rejects => {
            // The sanctions entry blocks the case: clear it (four eyes), or reject the case.
            let disposition = page
                .dispositions
                .iter()
                .find(|d| d.list == list && d.entry == entry);
            let officers = [officer, admin];
            let (kind, by) = match disposition {
                Some(d) if d.confirmed_by.is_none() => (
                    Kind::ClearMatch,
                    *officers.iter().find(|c| c.user() != d.proposed_by).unwrap(),
                ),
                None if dice.next(4) != 0 => (Kind::ClearMatch, officers[dice.next(2) as usize]),
                _ => (Kind::Review, officers[dice.next(2) as usize]),
            };
            let result = if kind == Kind::ClearMatch {
                compliance
                    .clear_match(
                        &by,
                        case_id,
                        &list,
                        &entry,
                        &why("not the listed party"),
                        revision,
                    )
                    .map(|_| Done::Raised)
            } else {
                compliance
                    .review(
                        &by,
                        case_id,
                        Verdict::Reject,
                        &why("sanctions match confirmed"),
                        revision,
                    )
                    .map(|_| Done::Raised)
            };
            (kind, result)
        }
        _ => {
            // A review the reviewer's role may make on this status.
            let reject = dice.next(3) == 0;
            let (by, verdict) = match status {
                CheckStatus::Pending if reject => {
                    (callers.reviewers[dice.next(3) as usize], Verdict::Reject)
                }
                // The engine holds it for missing evidence: a waiver, proposed by any reviewer
                // and confirmed by an officer or admin who is someone else.
                CheckStatus::Pending if page.review_verdict == CheckStatus::Pending => {
                    let proposer = page.case.approval_proposed_by;
                    let eligible: Vec<Caller> = match proposer {
                        None => callers.reviewers.to_vec(),
                        Some(p) => [officer, admin]
                            .into_iter()
                            .filter(|c| c.user() != p)
                            .collect(),
                    };
                    (
                        eligible[dice.next(eligible.len() as u64) as usize],
                        Verdict::Waive,
                    )
                }
                CheckStatus::Pending => {
                    (callers.reviewers[dice.next(3) as usize], Verdict::Approve)
                }
                CheckStatus::Escalated if !reject => {
                    // Proposed by one officer, confirmed by another.
                    let proposer = page.case.approval_proposed_by;
                    let eligible: Vec<Caller> = [officer, admin]
                        .into_iter()
                        .filter(|c| Some(c.user()) != proposer)
                        .collect();
                    (
                        eligible[dice.next(eligible.len() as u64) as usize],
                        Verdict::Approve,
                    )
                }
                // An escalation rejected, or an approval revoked.
                _ => ([officer, admin][dice.next(2) as usize], Verdict::Reject),
            };
            let result = compliance
                .review(&by, case_id, verdict, &why("reviewed under load"), revision)
                .map(|_| Done::Raised);
            (Kind::Review, result)
        }
    }
}

#[test]
fn eight_threads_on_a_few_cases_meet_only_expected_refusals_and_leave_every_case_consistent() {
    let s = seeded();
    let mut conn = s.db.conn();
    let deadlocks_before = deadlocks(&mut conn);
    let cases_before = count(&mut conn, "SELECT count(*) AS n FROM compliance_checks");
    let revisions_before = count(
        &mut conn,
        "SELECT coalesce(sum(revision - 1), 0)::bigint AS n FROM compliance_checks",
    );
    let callers = Callers {
        agent: s.agent(),
        reviewers: [s.analyst(), s.officer(), s.admin()],
    };
    let barrier = Arc::new(Barrier::new(THREADS as usize));
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let (compliance, barrier) = (s.compliance.clone(), barrier.clone());
            std::thread::spawn(move || {
                let mut dice = Dice(0x9e37_79b9_7f4a_7c15 ^ (t + 1));
                barrier.wait();
                (0..OPERATIONS)
                    .map(|_| {
                        // An operation: as a client does, reload and decide again when the
                        // case moved on since it was read, a few times at most.
                        let id = ENTITIES[dice.next(ENTITIES.len() as u64) as usize];
                        let mut attempts = Vec::new();
                        for _ in 0..ATTEMPTS {
                            let (kind, result) = operate(&compliance, &callers, &mut dice, t, id);
                            let moved_on = matches!(&result, Err(e) if expected(kind, e));
                            attempts.push((kind, result));
                            if !moved_on {
                                break;
                            }
                        }
                        attempts
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let operations: Vec<Vec<Attempt>> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    assert_eq!(operations.len(), (THREADS * OPERATIONS) as usize);
    let attempts: Vec<&Attempt> = operations.iter().flatten().collect();

    // The tally of every attempt, by kind: successes, and each failure by its variant.
    let mut tally: BTreeMap<(Kind, String), usize> = BTreeMap::new();
    for (kind, result) in &attempts {
        let key = match result {
            Ok(done) => format!("ok {done:?}"),
            Err(e) => variant(e),
        };
        *tally.entry((*kind, key)).or_default() += 1;
    }
    let unexpected: Vec<String> = attempts
        .iter()
        .filter_map(|(kind, r)| r.as_ref().err().map(|e| (kind, e)))
        .filter(|(kind, e)| !expected(**kind, e))
        .map(|(kind, e)| format!("{kind:?}: {e:?}"))
        .collect();
    assert!(
        unexpected.is_empty(),
        "unexpected errors: {unexpected:#?}\ntally: {tally:#?}"
    );
    // Each attempt was valid on the case as its client read it, so it fails only when another
    // thread's operation changed that case (or opened its next one) between the read and the
    // write. A thread reads again before each attempt, so one change fails at most one attempt
    // of each other thread: failed attempts <= (THREADS - 1) x changes.
    let changes = attempts
        .iter()
        .filter(|(_, r)| matches!(r, Ok(Done::Raised | Done::Opened)))
        .count();
    let failed = attempts.iter().filter(|(_, r)| r.is_err()).count();
    let summary = format!(
        "{} operations, {} attempts, {failed} failed, {changes} changes; tally: {tally:#?}",
        operations.len(),
        attempts.len()
    );
    assert!(
        failed <= (THREADS as usize - 1) * changes,
        "more failed attempts than the changes explain: {summary}"
    );
    // And the operations go through: one whose every attempt met a case moved on is a client
    // outpaced `ATTEMPTS` times in a row, which eight threads on four cases make rare. At
    // least three quarters succeed; fewer means operations fail that should not.
    let succeeded = operations
        .iter()
        .filter(|attempts| matches!(attempts.last(), Some((_, Ok(_)))))
        .count();
    assert!(
        succeeded * 4 >= operations.len() * 3,
        "only {succeeded} of {} operations succeeded: {summary}",
        operations.len()
    );

    // Every success the callers were told about is in the database, and nothing else: each
    // new case one row, each review, clearing step and re-screening that wrote one revision.
    let done = |what: Done| {
        attempts
            .iter()
            .filter(|(_, r)| matches!(r, Ok(d) if *d == what))
            .count() as i64
    };
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM compliance_checks") - cases_before,
        done(Done::Opened),
        "cases opened; tally: {tally:#?}"
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT coalesce(sum(revision - 1), 0)::bigint AS n FROM compliance_checks"
        ) - revisions_before,
        done(Done::Raised),
        "revisions raised; tally: {tally:#?}"
    );

    // One lock order everywhere: the server detected no deadlock (the service would retry one,
    // hiding it from the caller but not from pg_stat_database). The pool's sessions report their
    // counts when they end.
    let Seeded { db, compliance, .. } = s;
    drop(compliance);
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
    // Every revision has its one audit entry (a status change, an approval proposed, a
    // re-screening on the case; a false positive proposed or confirmed naming it), every case
    // its one decision.
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM compliance_checks cc WHERE cc.revision - 1 <> (
                 SELECT count(*) FROM audit_logs a WHERE a.subject_id = cc.id
                    AND a.action IN ('status_changed', 'approval_proposed', 'rescreened'))
               + (SELECT count(*) FROM audit_logs a
                   WHERE a.action IN ('false_positive_proposed', 'false_positive_confirmed')
                     AND a.details ->> 'compliance_check_id' = cc.id::text)
               OR 1 <> (SELECT count(*) FROM audit_logs a WHERE a.subject_id = cc.id AND a.action = 'decision_recorded')"
        ),
        0
    );
    // Every entity in exactly one open case at most: all but its latest case are closed, or a
    // case the engine held PENDING that new evidence superseded (history, decided by nobody).
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM case_submissions s JOIN compliance_checks cc ON cc.id = s.compliance_check_id
              WHERE cc.status NOT IN ('APPROVED', 'REJECTED')
                AND NOT (cc.status = 'PENDING' AND cc.engine_status = 'PENDING')
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
