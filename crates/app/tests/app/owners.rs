//! Beneficial owners (issue 23, item 3) through `Compliance`: who may record one, the typed
//! refusals (nothing written on any of them), the audit entry in the chain (and `verify` still
//! passing), and the entity overview's owners with their current cases, both ways.

use crate::support::*;
use compliance_app::AppError;
use compliance_app::records::CurrentCase;
use compliance_domain::*;
use compliance_ops::verify::{Outcome, VerifyOptions, verify};

const CORP: &str = "ae-corp-pending-002";
const PERSON: &str = "ae-ind-clean-001";

fn share(text: &str) -> OwnershipShare {
    OwnershipShare::parse(text).unwrap()
}

/// Rows of `beneficial_owners`, and audit entries, in all: what a refusal must leave as it was.
fn written(s: &Seeded) -> (i64, i64) {
    let mut conn = s.db.conn();
    (
        count(&mut conn, "SELECT count(*) AS n FROM beneficial_owners"),
        count(&mut conn, "SELECT count(*) AS n FROM audit_logs"),
    )
}

fn brief(case: &compliance_app::records::CaseRecord) -> CurrentCase {
    CurrentCase {
        id: case.id,
        status: case.status,
        risk_level: case.risk_level,
    }
}

#[test]
fn the_agent_and_officers_record_owners_audited_in_the_chain_and_the_overview_shows_them() {
    let s = seeded();
    let (corp, person) = (entity(CORP), entity(PERSON));
    let recorded = s
        .compliance
        .record_owner(&s.agent(), &corp, &person, share("40"))
        .unwrap();
    assert_eq!(
        (
            &recorded.entity_id,
            &recorded.owner_id,
            recorded.share,
            recorded.recorded_by
        ),
        (&corp, &person, share("40"), s.users.agent.id)
    );
    assert_eq!(recorded.owner_case, Some(brief(&s.current(PERSON))));
    assert_eq!(recorded.entity_case, Some(brief(&s.current(CORP))));
    // An owner with no case yet; an admin records one too.
    let newcomer = entity("ae-ind-newcomer-009");
    let second = s
        .compliance
        .record_owner(&s.officer(), &corp, &newcomer, share("12.5"))
        .unwrap();
    assert_eq!(second.owner_case, None);
    s.compliance
        .record_owner(
            &s.admin(),
            &corp,
            &entity("ae-ind-third-010"),
            share("0.25"),
        )
        .unwrap();
    // An analyst may not, and nothing is written.
    let before = written(&s);
    let err = s
        .compliance
        .record_owner(
            &s.analyst(),
            &corp,
            &entity("ae-ind-fourth-011"),
            share("1"),
        )
        .unwrap_err();
    assert!(
        matches!(
            err,
            AppError::Forbidden {
                role: Role::Analyst,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(written(&s), before);

    // Each record has its audit entry, by its recorder, in the chain.
    let audit = s
        .compliance
        .audit(&s.officer(), &corp, &compliance_app::AuditQuery::default())
        .unwrap();
    let owners: Vec<_> = audit
        .items
        .iter()
        .filter(|e| e.action == AuditAction::OwnerRecorded)
        .map(|e| {
            (
                e.actor,
                e.subject_kind,
                e.details["owner"].as_str().unwrap().to_owned(),
                e.details["share"].clone(),
            )
        })
        .collect();
    assert_eq!(owners.len(), 3, "{owners:?}");
    assert!(owners.contains(&(
        s.users.agent.id,
        SubjectKind::BeneficialOwner,
        PERSON.to_owned(),
        serde_json::json!("40")
    )));
    assert!(owners.contains(&(
        s.users.officer.id,
        SubjectKind::BeneficialOwner,
        newcomer.to_string(),
        serde_json::json!("12.5")
    )));
    let report = verify(s.db.config(), &VerifyOptions::default()).unwrap();
    assert_eq!(report.count(Outcome::Fail), 0, "{:#?}", report.checks);

    // The corporate's page: its owners in the order recorded, each with its current case.
    let overview = s
        .compliance
        .entity_overview(&s.officer(), &corp, &compliance_app::AuditQuery::default())
        .unwrap();
    let listed: Vec<_> = overview
        .owners
        .iter()
        .map(|o| {
            (
                o.owner_id.as_str(),
                o.share.to_string(),
                o.owner_case.map(|c| c.status),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            (PERSON, "40".to_owned(), Some(s.current(PERSON).status)),
            ("ae-ind-newcomer-009", "12.5".to_owned(), None),
            ("ae-ind-third-010", "0.25".to_owned(), None),
        ]
    );
    assert!(overview.owns.is_empty());
    assert!(overview.usernames.contains_key(&s.users.agent.id));
    // The individual's: what it owns, with that entity's current case.
    let theirs = s
        .compliance
        .entity_overview(
            &s.officer(),
            &person,
            &compliance_app::AuditQuery::default(),
        )
        .unwrap();
    assert!(theirs.owners.is_empty());
    assert_eq!(theirs.owns.len(), 1);
    assert_eq!(
        (&theirs.owns[0].entity_id, theirs.owns[0].entity_case),
        (&corp, Some(brief(&s.current(CORP))))
    );
    // Every role that reads cases reads the same through `ownership`.
    let read = s.compliance.ownership(&s.agent(), &person).unwrap();
    assert_eq!(read.owns, theirs.owns);
}

#[test]
fn each_refusal_is_typed_and_writes_nothing() {
    let s = seeded();
    let corp = entity(CORP);
    s.compliance
        .record_owner(&s.officer(), &corp, &entity(PERSON), share("60"))
        .unwrap();
    let before = written(&s);
    let refuse = |by: &compliance_app::Caller, entity_id: &str, owner: &str, text: &str| {
        let err = s
            .compliance
            .record_owner(by, &entity(entity_id), &entity(owner), share(text))
            .unwrap_err();
        assert_eq!(written(&s), before, "{err}");
        err
    };
    let e = refuse(&s.agent(), "ae-corp-unknown-404", PERSON, "10");
    assert!(
        matches!(e, AppError::NotFound { what: "entity", .. }),
        "{e}"
    );
    let e = refuse(&s.agent(), CORP, CORP, "10");
    assert!(
        matches!(e, AppError::Ownership(OwnershipError::OwnsItself(_))),
        "{e}"
    );
    let e = refuse(&s.agent(), PERSON, "ae-ind-someone-012", "10");
    assert!(
        matches!(
            e,
            AppError::Ownership(OwnershipError::NotALegalPerson { .. })
        ),
        "{e}"
    );
    let e = refuse(&s.officer(), CORP, "us-corp-accredited-001", "10");
    assert!(
        matches!(
            e,
            AppError::Ownership(OwnershipError::OwnerNotAPerson {
                owner_type: EntityType::Corporate,
                ..
            })
        ),
        "{e}"
    );
    let e = refuse(&s.officer(), CORP, "ae-ind-someone-012", "40.01");
    assert!(
        matches!(&e, AppError::Ownership(OwnershipError::OverHundred { recorded, .. }) if recorded.to_string() == "60"),
        "{e}"
    );
    let e = refuse(&s.admin(), CORP, PERSON, "1");
    assert!(
        matches!(
            e,
            AppError::Conflict {
                what: "beneficial owner",
                ..
            }
        ),
        "{e}"
    );
    // The 40 percent left is exactly what can still be recorded.
    s.compliance
        .record_owner(
            &s.agent(),
            &corp,
            &entity("ae-ind-someone-012"),
            share("40"),
        )
        .unwrap();
}
