//! Free text stays erasable: a reviewer's words go to review_notes, the audit chain holds their
//! commitment, and erasing an entity's notes leaves the chain and `verify` passing.

use crate::support::*;
use compliance_domain::*;
use compliance_ops::verify::{Outcome, VerifyOptions, verify};
use compliance_persistence::repo::audit_logs::{self, AuditFilter};
use compliance_persistence::repo::compliance_checks::{self, CaseNote};
use compliance_persistence::repo::review_notes;

const WORDS: &str = "spoke to Ms Example on 3 March; passport no. X1234567 seen";

#[test]
fn reasons_stay_out_of_the_chain_and_an_erasure_leaves_verify_passing() {
    let s = seeded();
    let id = "ae-corp-pending-002";
    let case = s.current(id);
    s.compliance
        .review(
            &s.analyst(),
            case.id,
            Verdict::Reject,
            &ReviewReason::parse(WORDS).unwrap(),
            case.revision,
        )
        .unwrap();
    let mut conn = s.db.conn();
    let decided = compliance_checks::find(&mut conn, case.id.as_uuid()).unwrap();
    let Some(CaseNote::Note(note)) = decided.review_reason.clone() else {
        panic!("{decided:?}")
    };
    let stored = review_notes::find(&mut conn, note).unwrap();
    assert_eq!(stored.text.as_ref().map(ReviewReason::as_str), Some(WORDS));
    // The chain: the note's id and commitment, never the words.
    let entries = audit_logs::list(
        &mut conn,
        &AuditFilter {
            entity_id: Some(entity(id)),
            ..Default::default()
        },
    )
    .unwrap();
    assert!(
        entries
            .iter()
            .all(|e| !e.details.to_string().contains("X1234567"))
    );
    let change = entries
        .iter()
        .find(|e| e.action == AuditAction::StatusChanged)
        .unwrap();
    assert_eq!(
        change.details["review_note_commitment"],
        stored.note.commitment
    );
    assert_eq!(
        count(
            &mut conn,
            &format!(
                "SELECT count(*) AS n FROM review_notes WHERE id = '{note}' AND commitment = review_note_commitment(salt, body)"
            )
        ),
        1,
        "the commitment is SHA-256 over the salt and the text"
    );

    // An analyst may not erase; an officer erases every note about the entity.
    assert!(matches!(
        s.compliance.erase_notes(&s.analyst(), &entity(id)),
        Err(compliance_app::AppError::Forbidden { .. })
    ));
    let erased = s.compliance.erase_notes(&s.officer(), &entity(id)).unwrap();
    assert_eq!(erased, [note]);
    let gone = review_notes::find(&mut conn, note).unwrap();
    assert_eq!(
        (gone.text, gone.note.commitment.clone()),
        (None, stored.note.commitment)
    );
    assert_eq!(
        count(
            &mut conn,
            &format!("SELECT count(*) AS n FROM review_notes WHERE id = '{note}' AND salt IS NULL")
        ),
        1
    );
    assert!(
        audit_logs::list(
            &mut conn,
            &AuditFilter {
                action: Some(AuditAction::NoteErased),
                ..Default::default()
            }
        )
        .unwrap()
        .iter()
        .any(|e| e.subject_id == note)
    );
    assert_eq!(
        audit_logs::verify_chain(&mut conn).unwrap().first_break,
        None
    );
    let report = verify(s.db.config(), &VerifyOptions::default()).unwrap();
    assert_eq!(report.count(Outcome::Fail), 0, "{:#?}", report.checks);
    // A second erasure finds nothing left.
    assert!(
        s.compliance
            .erase_notes(&s.officer(), &entity(id))
            .unwrap()
            .is_empty()
    );
}
