//! Notes and requests for information (issue 23, part 5) through `Compliance`: a note decides
//! nothing and is audited by its commitment; a request shows the case as waiting on the
//! customer until it is answered or withdrawn, reaches the outbox, and never moves the case;
//! and the database says each rule again.

use crate::support::*;
use compliance_app::records::CaseRecord;
use compliance_app::{AppError, QueueQuery};
use compliance_domain::*;

const PENDING: &str = "ae-corp-pending-002";
const APPROVED: &str = "ae-ind-clean-001";

fn ask(items: &[RequestedItem], message: Option<&str>) -> InformationAsk {
    InformationAsk::new(
        Addressee::Investor,
        items.iter().copied(),
        14,
        message.map(reason),
    )
    .unwrap()
}

/// The open request the queue shows for `case`, if the case is on the queue's first page.
fn awaiting(s: &Seeded, case: CaseId) -> Option<compliance_app::records::AwaitingInformation> {
    s.compliance
        .queue(&s.officer(), &QueueQuery::default())
        .unwrap()
        .items
        .into_iter()
        .find(|i| i.case_id == case)
        .expect("the case is on the queue")
        .awaiting_information
}

fn events(s: &Seeded, id: &str) -> Vec<compliance_app::events::EventRecord> {
    s.compliance
        .in_process()
        .outbox()
        .events_of(&entity(id), 0, 100)
        .unwrap()
}

#[test]
fn a_note_decides_nothing_and_the_chain_keeps_its_commitment() {
    let s = seeded();
    let case = s.current(PENDING);
    let note = s
        .compliance
        .note_case(
            &s.analyst(),
            case.id,
            &reason("asked the RM for the board minutes"),
        )
        .unwrap();
    assert_eq!((note.case_id, note.author), (case.id, s.users.analyst.id));
    let after = s.current(PENDING);
    assert_eq!(
        (after.status, after.revision, after.assigned_to),
        (case.status, case.revision, case.assigned_to)
    );
    let audit = s
        .compliance
        .audit(
            &s.officer(),
            &entity(PENDING),
            &compliance_app::AuditQuery::default(),
        )
        .unwrap();
    let entry = audit
        .items
        .iter()
        .find(|e| e.action == AuditAction::CaseNoted)
        .expect("a case_noted entry");
    assert_eq!(entry.actor, s.users.analyst.id);
    assert_eq!(entry.details["note_commitment"], note.commitment.as_str());
    assert_eq!(entry.details["compliance_check_id"], case.id.to_string());
    assert!(
        !entry.details.to_string().contains("board minutes"),
        "the chain keeps the commitment, never the text"
    );
    let detail = s.compliance.case_detail(&s.officer(), case.id).unwrap();
    let shown = detail.notes.iter().find(|n| n.id == note.id).unwrap();
    assert_eq!(shown.on_case, Some(case.id));
    assert_eq!(
        shown.text.as_ref().map(|t| t.as_str()),
        Some("asked the RM for the board minutes")
    );
    // The system agent writes no notes.
    let refused = s
        .compliance
        .note_case(&s.agent(), case.id, &reason("agent words"))
        .unwrap_err();
    assert!(matches!(refused, AppError::Forbidden { .. }), "{refused}");
    // No event: a note is internal.
    assert!(
        events(&s, PENDING)
            .iter()
            .all(|e| !e.event_type.to_string().contains("note"))
    );
}

#[test]
fn a_request_waits_on_the_customer_until_answered_and_the_outbox_carries_it() {
    let s = seeded();
    let case = s.current(PENDING);
    assert_eq!(awaiting(&s, case.id), None);
    let asked = s
        .compliance
        .request_information(
            &s.analyst(),
            case.id,
            &ask(
                &[RequestedItem::SourceOfFunds, RequestedItem::ProofOfAddress],
                Some("the bank letter must be under three months old"),
            ),
        )
        .unwrap();
    assert_eq!(
        asked.items,
        [RequestedItem::ProofOfAddress, RequestedItem::SourceOfFunds]
    );
    assert_eq!(asked.outcome, None);
    assert_eq!(
        (asked.respond_by - asked.requested_at).num_days(),
        14,
        "the database sets the answer-by time from its own clock"
    );
    // The case did not move; the queue shows it waiting on the customer.
    let after = s.current(PENDING);
    assert_eq!((after.status, after.revision), (case.status, case.revision));
    let waiting = awaiting(&s, case.id).expect("waiting on the customer");
    assert_eq!(
        (waiting.request_id, waiting.since, waiting.respond_by),
        (asked.id, asked.requested_at, asked.respond_by)
    );
    // One open request per case.
    let second = s
        .compliance
        .request_information(
            &s.officer(),
            case.id,
            &ask(&[RequestedItem::TaxResidency], None),
        )
        .unwrap_err();
    assert!(
        matches!(&second, AppError::Conflict { reason, .. } if reason.contains(&asked.id.to_string())),
        "{second}"
    );
    // The onboarding service hears of it: what, of whom, until when; never the message.
    let announced = events(&s, PENDING)
        .into_iter()
        .find(|e| e.event_type == EventType::CaseInformationRequested)
        .expect("case.information_requested");
    assert_eq!(announced.data["request_id"], asked.id.to_string());
    assert_eq!(announced.data["case_id"], case.id.to_string());
    assert_eq!(announced.data["addressee"], "investor");
    assert_eq!(
        announced.data["items"],
        serde_json::json!(["proof_of_address", "source_of_funds"])
    );
    assert_eq!(announced.data["status"], case.status.to_string());
    assert!(announced.data["respond_by"].is_string());
    assert!(!announced.data.to_string().contains("bank letter"));

    // The onboarding service (the system agent) records the answer.
    let answered = s
        .compliance
        .record_answer(&s.agent(), asked.id, Some(&reason("uploaded: 2 documents")))
        .unwrap();
    assert_eq!(answered.outcome, Some(RequestOutcome::Answered));
    assert_eq!(answered.closed_by, Some(s.users.agent.id));
    assert!(answered.closing_note_id.is_some());
    assert_eq!(awaiting(&s, case.id), None);
    assert!(
        events(&s, PENDING)
            .iter()
            .any(|e| e.event_type == EventType::CaseInformationAnswered
                && e.data["request_id"] == asked.id.to_string())
    );
    // Closed once.
    let again = s
        .compliance
        .withdraw_request(&s.analyst(), asked.id, None)
        .unwrap_err();
    assert!(
        matches!(
            again,
            AppError::Request(RequestError::Closed {
                outcome: RequestOutcome::Answered
            })
        ),
        "{again}"
    );
    // A new request may follow, and a reviewer withdraws it.
    let next = s
        .compliance
        .request_information(
            &s.officer(),
            case.id,
            &ask(&[RequestedItem::TaxResidency], None),
        )
        .unwrap();
    let withdrawn = s
        .compliance
        .withdraw_request(&s.analyst(), next.id, None)
        .unwrap();
    assert_eq!(withdrawn.outcome, Some(RequestOutcome::Withdrawn));
    let all = s
        .compliance
        .information_requests(&s.agent(), case.id)
        .unwrap();
    assert_eq!(
        all.iter().map(|r| r.outcome).collect::<Vec<_>>(),
        [
            Some(RequestOutcome::Answered),
            Some(RequestOutcome::Withdrawn)
        ]
    );
    assert_eq!(s.current(PENDING).revision, case.revision);
}

#[test]
fn only_a_case_waiting_for_review_is_asked_about_and_only_people_withdraw() {
    let s = seeded();
    let approved = s.current(APPROVED);
    let refused = s
        .compliance
        .request_information(
            &s.officer(),
            approved.id,
            &ask(&[RequestedItem::IdentityDocument], None),
        )
        .unwrap_err();
    assert!(
        matches!(
            refused,
            AppError::Request(RequestError::NotWaiting {
                status: CheckStatus::Approved
            })
        ),
        "{refused}"
    );
    let case = s.current(PENDING);
    let by_agent = s
        .compliance
        .request_information(
            &s.agent(),
            case.id,
            &ask(&[RequestedItem::IdentityDocument], None),
        )
        .unwrap_err();
    assert!(matches!(by_agent, AppError::Forbidden { .. }), "{by_agent}");
    let asked = s
        .compliance
        .request_information(
            &s.analyst(),
            case.id,
            &ask(&[RequestedItem::IdentityDocument], None),
        )
        .unwrap();
    let withdraw = s
        .compliance
        .withdraw_request(&s.agent(), asked.id, None)
        .unwrap_err();
    assert!(matches!(withdraw, AppError::Forbidden { .. }), "{withdraw}");
    let unknown = s
        .compliance
        .record_answer(&s.analyst(), uuid::Uuid::new_v4(), None)
        .unwrap_err();
    assert!(matches!(unknown, AppError::NotFound { .. }), "{unknown}");
    assert!(matches!(
        s.compliance
            .information_requests(&s.analyst(), CaseId::from_uuid(uuid::Uuid::new_v4()))
            .unwrap_err(),
        AppError::NotFound { .. }
    ));
}

#[test]
fn the_database_says_each_rule_again() {
    let s = seeded();
    let case = s.current(PENDING);
    let approved = s.current(APPROVED);
    let mut conn = s.db.conn();
    let uuid = |c: &compliance_app::Caller| format!("'{}'", c.user().as_uuid());
    let (analyst, agent) = (uuid(&s.analyst()), uuid(&s.agent()));
    let insert = |case: &CaseRecord, by: &str, items: &str| {
        format!(
            "INSERT INTO information_requests (compliance_check_id, entity_id, addressee, items, requested_by, respond_within_days, respond_by)
             VALUES ('{}', '{}', 'investor', {items}, {by}, 14, now())",
            case.id, case.entity_id
        )
    };
    let one = "ARRAY['proof_of_address']";
    for (sql, refused_by) in [
        (insert(&case, &agent, one), "information_requests_asked"),
        (insert(&approved, &analyst, one), "information_requests_asked"),
        (
            insert(&case, &analyst, "ARRAY['passport']"),
            "ck_information_requests_items",
        ),
        (
            insert(&case, &analyst, "ARRAY[]::TEXT[]"),
            "ck_information_requests_items",
        ),
        // Asked as the rules allow, but with no audit entry: refused at commit.
        (insert(&case, &analyst, one), "information_requests_audited"),
        (
            format!(
                "INSERT INTO review_notes (entity_id, author_id, body, commitment, compliance_check_id)
                 VALUES ('{}', {agent}, 'agent words', '\\x00', '{}')",
                case.entity_id, case.id
            ),
            "review_notes_case_note",
        ),
        (
            format!(
                "INSERT INTO review_notes (entity_id, author_id, body, commitment, compliance_check_id)
                 VALUES ('{}', {analyst}, 'unaudited words', '\\x00', '{}')",
                case.entity_id, case.id
            ),
            "review_notes_case_audited",
        ),
        (
            format!(
                "INSERT INTO review_notes (entity_id, author_id, body, commitment, compliance_check_id)
                 VALUES ('{}', {analyst}, 'another entity''s case', '\\x00', '{}')",
                approved.entity_id, case.id
            ),
            "review_notes_case_note",
        ),
    ] {
        let error = try_exec(&mut conn, &sql).expect_err(&sql);
        assert!(error.contains(refused_by), "{sql}: {error}");
    }

    // A request made through the service: what was asked is fixed, it closes once, as the
    // rules say, and it is never deleted.
    let asked = s
        .compliance
        .request_information(
            &s.analyst(),
            case.id,
            &ask(&[RequestedItem::SourceOfWealth], None),
        )
        .unwrap();
    let id = asked.id;
    for (sql, refused_by) in [
        (
            format!("UPDATE information_requests SET items = ARRAY['other'] WHERE id = '{id}'"),
            "information_requests_closed_once",
        ),
        (
            format!(
                "UPDATE information_requests SET outcome = 'withdrawn', closed_by = {agent}, closed_at = now() WHERE id = '{id}'"
            ),
            "information_requests_closer",
        ),
        (
            format!(
                "UPDATE information_requests SET outcome = 'answered', closed_by = {analyst}, closed_at = now() WHERE id = '{id}'"
            ),
            "information_requests_audited",
        ),
        (
            format!("DELETE FROM information_requests WHERE id = '{id}'"),
            "information_requests_kept",
        ),
        (insert(&case, &analyst, one), "uq_information_requests_open"),
    ] {
        let error = try_exec(&mut conn, &sql).expect_err(&sql);
        assert!(error.contains(refused_by), "{sql}: {error}");
    }
    s.compliance
        .withdraw_request(&s.officer(), id, None)
        .unwrap();
    let reopen = format!(
        "UPDATE information_requests SET outcome = NULL, closed_by = NULL, closed_at = NULL WHERE id = '{id}'"
    );
    let error = try_exec(&mut conn, &reopen).expect_err(&reopen);
    assert!(
        error.contains("information_requests_closed_once"),
        "{error}"
    );
}
