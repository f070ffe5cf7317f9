//! Beneficial owners (`beneficial_owners`): the repository records an owner with its audit
//! entry and reads the relation both ways; the database refuses every bad row on its own, around
//! the repository (raw SQL), and never changes or removes one.

use crate::support::*;
use compliance_domain::*;
use compliance_persistence::diesel::PgConnection;
use compliance_persistence::repo::audit_logs::{self, AuditFilter};
use compliance_persistence::repo::beneficial_owners;
use compliance_persistence::testing::TestDatabase;

const CORP: &str = "in-corp-owned-001";
const PERSON: &str = "in-ind-owner-002";

/// An individual's KYC check (no investor facts: a body corporate's would not do).
fn individual(entity: &str) -> KycCheck {
    KycCheck {
        entity_type: EntityType::Individual,
        documents: [DocumentKind::Passport, DocumentKind::ProofOfAddress].into(),
        investor: InvestorProfile::default(),
        ..kyc(entity)
    }
}

/// Users, a corporate's case and an individual's.
fn fixture() -> (TestDatabase, PgConnection, Users) {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let u = users(&mut conn);
    case(&mut conn, &u.system, CORP, vec![]);
    case_of(&mut conn, &u.system, &individual(PERSON), 10, vec![]);
    (db, conn, u)
}

fn id(s: &str) -> EntityId {
    EntityId::parse(s).unwrap()
}

fn insert(entity: &str, owner: &str, share: &str, by: &str) -> String {
    format!(
        "INSERT INTO beneficial_owners (entity_id, owner_id, share, recorded_by) VALUES ('{entity}', '{owner}', {share}, {by})"
    )
}

#[test]
fn an_owner_is_recorded_with_its_audit_entry_and_read_both_ways() {
    let (_db, mut conn, u) = fixture();
    let share = OwnershipShare::parse("40.5").unwrap();
    let stored =
        beneficial_owners::record(&mut conn, &id(CORP), &id(PERSON), share, u.system.id).unwrap();
    assert_eq!(
        (
            stored.entity_id.as_str(),
            stored.owner_id.as_str(),
            stored.share,
            stored.recorded_by
        ),
        (CORP, PERSON, share, u.system.id)
    );
    let entries = audit_logs::list(
        &mut conn,
        &AuditFilter {
            subject_id: Some(stored.id),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(entries.len(), 1, "{entries:?}");
    let e = &entries[0];
    assert_eq!(
        (
            e.action,
            e.subject_kind,
            e.actor,
            e.entity_id.as_ref().map(EntityId::as_str)
        ),
        (
            AuditAction::OwnerRecorded,
            SubjectKind::BeneficialOwner,
            u.system.id,
            Some(CORP)
        )
    );
    assert_eq!(e.details["owner"], PERSON);
    assert_eq!(e.details["share"], "40.5");
    assert_eq!(
        beneficial_owners::owners_of(&mut conn, &id(CORP)).unwrap(),
        std::slice::from_ref(&stored)
    );
    assert_eq!(
        beneficial_owners::owned_by(&mut conn, &id(PERSON)).unwrap(),
        [stored]
    );
    assert!(
        beneficial_owners::owners_of(&mut conn, &id(PERSON))
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        beneficial_owners::recorded_share(&mut conn, &id(CORP))
            .unwrap()
            .to_string(),
        "40.5"
    );
    assert_eq!(
        beneficial_owners::current_type(&mut conn, &id(PERSON)).unwrap(),
        Some(EntityType::Individual)
    );
    assert_eq!(
        beneficial_owners::current_type(&mut conn, &id("in-nobody-1")).unwrap(),
        None
    );
    // The pair again is a conflict on its unique constraint, and writes nothing.
    let before = audit_logs::count(&mut conn).unwrap();
    let again = beneficial_owners::record(&mut conn, &id(CORP), &id(PERSON), share, u.officer.id)
        .unwrap_err();
    assert!(again.is_conflict(), "{again}");
    assert!(
        again.to_string().contains("uq_beneficial_owners_pair"),
        "{again}"
    );
    assert_eq!(audit_logs::count(&mut conn).unwrap(), before);
}

#[test]
fn the_database_refuses_each_bad_owner_row_around_the_service() {
    let (_db, mut conn, u) = fixture();
    case_of(
        &mut conn,
        &u.system,
        &individual("in-ind-other-003"),
        10,
        vec![],
    );
    let fund = KycCheck {
        entity_type: EntityType::Fund,
        investor: InvestorProfile::default(),
        ..kyc("in-fund-holding-004")
    };
    case_of(&mut conn, &u.system, &fund, 20, vec![]);
    // A recorded 60 percent, through the repository, for the total below.
    beneficial_owners::record(
        &mut conn,
        &id(CORP),
        &id(PERSON),
        OwnershipShare::parse("60").unwrap(),
        u.officer.id,
    )
    .unwrap();
    let other = "in-ind-other-003";
    for (sql, constraint) in [
        // Itself as its owner.
        (
            insert(CORP, CORP, "10", SYSTEM),
            "ck_beneficial_owners_not_itself",
        ),
        // Shares out of range, or finer than hundredths (refused, not rounded).
        (
            insert(CORP, other, "0", SYSTEM),
            "ck_beneficial_owners_share",
        ),
        (
            insert(CORP, other, "-5", SYSTEM),
            "ck_beneficial_owners_share",
        ),
        (
            insert(CORP, other, "100.01", SYSTEM),
            "ck_beneficial_owners_share",
        ),
        (
            insert(CORP, other, "12.345", SYSTEM),
            "ck_beneficial_owners_share",
        ),
        // The entity's shares over 100 in all: 60 + 40.01.
        (
            insert(CORP, other, "40.01", SYSTEM),
            "beneficial_owners_total",
        ),
        // An individual as the entity owned; an entity with no case.
        (
            insert(PERSON, other, "10", SYSTEM),
            "beneficial_owners_owned_kind",
        ),
        (
            insert("in-corp-nocase-9", other, "10", SYSTEM),
            "beneficial_owners_owned_kind",
        ),
        // A fund as an owner (a beneficial owner is a person).
        (
            insert(CORP, "in-fund-holding-004", "10", SYSTEM),
            "beneficial_owners_owner_kind",
        ),
        // An analyst records no owner.
        (
            insert(CORP, other, "10", ANALYST),
            "beneficial_owners_recorder",
        ),
        // The same pair twice.
        (
            insert(CORP, PERSON, "1", OFFICER),
            "uq_beneficial_owners_pair",
        ),
        // A good row without its audit entry (checked at commit).
        (
            insert(CORP, other, "40", SYSTEM),
            "beneficial_owners_audited",
        ),
        // Malformed ids.
        (
            insert(CORP, "Not An Id", "10", SYSTEM),
            "ck_beneficial_owners_owner_id",
        ),
        // Evidence: never changed, removed or emptied.
        (
            "UPDATE beneficial_owners SET share = 1".to_owned(),
            "beneficial_owners_append_only",
        ),
        (
            "DELETE FROM beneficial_owners".to_owned(),
            "beneficial_owners_append_only",
        ),
        (
            "TRUNCATE beneficial_owners".to_owned(),
            "beneficial_owners_append_only",
        ),
    ] {
        refused(&mut conn, &sql, constraint);
    }
    // A fund's owner is fine; the 40 percent left is exactly fillable.
    assert_eq!(
        text(
            &mut conn,
            "SELECT count(*)::text AS value FROM beneficial_owners"
        ),
        "1"
    );
    beneficial_owners::record(
        &mut conn,
        &id("in-fund-holding-004"),
        &id(other),
        OwnershipShare::parse("100").unwrap(),
        u.system.id,
    )
    .unwrap();
    beneficial_owners::record(
        &mut conn,
        &id(CORP),
        &id(other),
        OwnershipShare::parse("40").unwrap(),
        u.system.id,
    )
    .unwrap();
    assert_eq!(
        beneficial_owners::recorded_share(&mut conn, &id(CORP)).unwrap(),
        Decimal::ONE_HUNDRED
    );
}
