//! Who may do what: every operation of `Compliance` checks the caller's role against the role
//! table before it touches the database (refused as `AppError::Forbidden`, the API's 403), and
//! a caller whose user is deactivated after it was obtained is refused by the service and the
//! database at its next write.

use crate::support::*;
use compliance_app::{AppError, AuditQuery, Caller, Compliance, Config, ListSize, QueueQuery};
use compliance_domain::input::CaseInput;
use compliance_domain::*;
use compliance_persistence::repo::users;
use std::time::Duration;

/// An operation of `Compliance` that acts as a caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Submit,
    SubmitInput,
    Case,
    CurrentCase,
    History,
    Queue,
    Review,
    ClearMatch,
    Rescreen,
    Audit,
    RulesInForce,
    HighRisk,
    Summary,
    ReviewsDue,
    Replay,
    EraseNotes,
    CaseDetail,
    Usernames,
}

const OPS: [Op; 18] = [
    Op::Submit,
    Op::SubmitInput,
    Op::Case,
    Op::CurrentCase,
    Op::History,
    Op::Queue,
    Op::Review,
    Op::ClearMatch,
    Op::Rescreen,
    Op::Audit,
    Op::RulesInForce,
    Op::HighRisk,
    Op::Summary,
    Op::ReviewsDue,
    Op::Replay,
    Op::EraseNotes,
    Op::CaseDetail,
    Op::Usernames,
];

/// The role table, written out (issue 17): the system agent submits, re-screens, reads cases
/// and the rules, and nothing else (not the queue, the reports, the audit trail or a case's
/// detail); an analyst reads (cases, their detail, the audit trail, the reports, the rules) and
/// reviews; a compliance officer and an admin do everything but submitting and re-screening.
fn allowed(role: Role, op: Op) -> bool {
    use Op::*;
    match role {
        Role::System => matches!(
            op,
            Submit | SubmitInput | Rescreen | Case | CurrentCase | History | RulesInForce
        ),
        Role::Analyst => !matches!(
            op,
            Submit | SubmitInput | Rescreen | ClearMatch | EraseNotes
        ),
        Role::ComplianceOfficer | Role::Admin => !matches!(op, Submit | SubmitInput | Rescreen),
    }
}

/// A valid case as it arrives from outside.
fn case_input() -> CaseInput {
    serde_json::from_value(serde_json::json!({
        "kyc": {"entity_id": "ae-ind-access-001", "entity_type": "individual", "jurisdiction": "AE",
                "verification_score": 95, "documents": ["passport", "proof_of_address"]},
        "aml": {"risk_score": 10, "provider": "refinitiv-world-check", "watchlist_version": "2026-11-24"}
    }))
    .unwrap()
}

/// Calls `op` as `caller`, with arguments that name a real case.
fn call(
    c: &Compliance,
    caller: &Caller,
    op: Op,
    case: CaseId,
    users: &[UserId],
) -> Result<(), AppError> {
    let id = entity("in-corp-pep-002");
    let (list, entry) = sdn();
    let why = reason("a reason");
    match op {
        Op::Submit => c
            .submit(caller, &scenario("in-corp-pep-002"), None)
            .map(drop),
        Op::SubmitInput => c.submit_input(caller, &case_input(), None).map(drop),
        Op::Case => c.case(caller, case).map(drop),
        Op::CurrentCase => c.current_case(caller, &id).map(drop),
        Op::History => c.history(caller, &id).map(drop),
        Op::Queue => c.queue(caller, &QueueQuery::default()).map(drop),
        Op::Review => c.review(caller, case, Verdict::Reject, &why, 1).map(drop),
        Op::ClearMatch => c
            .clear_match(caller, case, &list, &entry, &why, 1)
            .map(drop),
        Op::Rescreen => c.rescreen(caller, &id, &pep_and_sanctions()).map(drop),
        Op::Audit => c.audit(caller, &id, &AuditQuery::default()).map(drop),
        Op::RulesInForce => c
            .rules_in_force(caller, Jurisdiction::In, chrono::Utc::now())
            .map(drop),
        Op::HighRisk => c.high_risk(caller, None, ListSize::default()).map(drop),
        Op::Summary => c.summary(caller).map(drop),
        Op::ReviewsDue => c.reviews_due(caller, None, ListSize::default()).map(drop),
        Op::Replay => c.replay(caller, case).map(drop),
        Op::EraseNotes => c.erase_notes(caller, &id).map(drop),
        Op::CaseDetail => c.case_detail(caller, case).map(drop),
        Op::Usernames => c.usernames(caller, users).map(drop),
    }
}

/// An entry point over a database nobody listens at: any call that reaches for a connection
/// fails as unavailable, so a refusal as forbidden shows the role was checked first.
fn nowhere() -> Compliance {
    Compliance::new(
        &Config::from_url("postgres://postgres@127.0.0.1:1/nowhere")
            .unwrap()
            .pool_max(1)
            .connect_timeout(Duration::from_millis(50)),
    )
}

#[test]
fn every_operation_refuses_a_role_that_may_not_do_it_before_touching_the_database() {
    let s = seeded();
    let case = s.current("in-corp-pep-002").id;
    let ids = [s.users.officer.id, s.users.admin.id];
    let callers = [
        (Role::System, s.agent()),
        (Role::Analyst, s.analyst()),
        (Role::ComplianceOfficer, s.officer()),
        (Role::Admin, s.admin()),
    ];
    let nowhere = nowhere();
    let mut wrong = Vec::new();
    for (role, caller) in &callers {
        assert_eq!(caller.role(), *role);
        for op in OPS {
            let result = call(&nowhere, caller, op, case, &ids);
            let right = match (&result, allowed(*role, op)) {
                // Allowed: it went for the database, which is not there.
                (Err(AppError::Unavailable { .. }), true) => true,
                (Err(AppError::Forbidden { role: r, what }), false) => {
                    r == role && !what.is_empty()
                }
                _ => false,
            };
            if !right {
                wrong.push(format!(
                    "{role} {op:?} (allowed: {}): {result:?}",
                    allowed(*role, op)
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");

    // The refusals the API's clients meet most, on the real database: nothing written.
    let mut conn = s.db.conn();
    let audit = count(&mut conn, "SELECT count(*) AS n FROM audit_logs");
    let (agent, analyst) = (s.agent(), s.analyst());
    for (refused, what) in [
        (
            s.compliance.case_detail(&agent, case).map(drop),
            "the agent reading a case's detail",
        ),
        (
            s.compliance.queue(&agent, &QueueQuery::default()).map(drop),
            "the agent reading the queue",
        ),
        (
            s.compliance
                .audit(&agent, &entity("in-corp-pep-002"), &AuditQuery::default())
                .map(drop),
            "the agent reading the audit trail",
        ),
        (
            s.compliance
                .submit(&analyst, &scenario("ae-ind-clean-001"), None)
                .map(drop),
            "an analyst submitting",
        ),
        (
            s.compliance
                .rescreen(&analyst, &entity("ae-ind-clean-001"), &sanctions_hit())
                .map(drop),
            "an analyst re-screening",
        ),
    ] {
        assert!(
            matches!(refused, Err(AppError::Forbidden { .. })),
            "{what}: {refused:?}"
        );
    }
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM audit_logs"),
        audit
    );
}

#[test]
fn a_caller_whose_user_is_deactivated_afterwards_is_refused_at_its_next_write() {
    let s = seeded();
    let (agent, officer) = (s.agent(), s.officer());
    // A sanctions hit on the escalation, and the admin's proposal to clear it (a note to erase).
    let hit = sanctions_hit_on_the_escalation(&s);
    let (list, entry) = sdn();
    let proposed = s
        .compliance
        .clear_match(
            &s.admin(),
            hit.id,
            &list,
            &entry,
            &reason("not them"),
            hit.revision,
        )
        .unwrap();
    let mut conn = s.db.conn();
    for user in [&s.users.agent, &s.users.officer] {
        let after = users::set_active(&mut conn, user.id, false, s.users.admin.id).unwrap();
        assert!(!after.active);
    }
    let tables = |conn: &mut compliance_persistence::diesel::PgConnection| {
        [
            "audit_logs",
            "compliance_checks",
            "aml_checks",
            "review_notes WHERE body IS NOT NULL",
            "false_positives WHERE confirmed_by IS NOT NULL",
        ]
        .map(|t| count(conn, &format!("SELECT count(*) AS n FROM {t}")))
    };
    let before = tables(&mut conn);
    let admin = s.admin();
    let current_case = || {
        s.compliance
            .current_case(&admin, &entity("in-corp-pep-002"))
            .unwrap()
    };
    let current = current_case();
    assert_eq!(current.revision, proposed.revision);

    // The agent: no submission, no re-screening.
    let mut new = scenario("ae-ind-clean-001");
    new.kyc.entity_id = entity("ae-ind-after-001");
    let err = s.compliance.submit(&agent, &new, None).unwrap_err();
    assert!(matches!(err, AppError::NotTheAgent { .. }), "{err:?}");
    let err = s
        .compliance
        .rescreen(&agent, &entity("us-ind-standard-002"), &sanctions_hit())
        .unwrap_err();
    assert!(matches!(err, AppError::NotTheAgent { .. }), "{err:?}");
    // The officer: no review, no clearing, no erasure.
    let err = s
        .compliance
        .review(
            &officer,
            current.id,
            Verdict::Reject,
            &reason("refused"),
            current.revision,
        )
        .unwrap_err();
    assert!(matches!(err, AppError::NotAReviewer(_)), "{err:?}");
    let err = s
        .compliance
        .clear_match(
            &officer,
            current.id,
            &list,
            &entry,
            &reason("agreed"),
            current.revision,
        )
        .unwrap_err();
    assert!(matches!(err, AppError::NotAReviewer(_)), "{err:?}");
    let err = s
        .compliance
        .erase_notes(&officer, &entity("in-corp-pep-002"))
        .unwrap_err();
    assert!(
        matches!(&err, AppError::Refused { constraint, .. } if constraint == "review_notes_eraser"),
        "{err:?}"
    );
    assert_eq!(tables(&mut conn), before, "nothing was written");
    assert_eq!(current_case(), current);
    // Nor does a deactivated officer read the case's notes and evidence any more.
    let err = s.compliance.case_detail(&officer, current.id).unwrap_err();
    assert!(matches!(err, AppError::Unauthenticated(_)), "{err:?}");
    assert!(s.compliance.case_detail(&admin, current.id).is_ok());
    // And neither gets a new caller.
    assert!(matches!(
        s.compliance.in_process().user(&s.users.officer.username),
        Err(AppError::Unauthenticated(_))
    ));
    assert!(matches!(
        s.compliance.in_process().system_agent(),
        Err(AppError::Unauthenticated(_))
    ));
}
