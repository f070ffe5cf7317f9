//! `service_levels` (issue 23): the seeded defaults, one target in force per jurisdiction and
//! status, targets that are closed, never edited, deleted or closed in the past, and a new one
//! published by an officer (audited), never by anyone else or in the past.

use crate::support::*;
use compliance_domain::{CheckStatus, Jurisdiction};
use compliance_persistence::repo::service_levels;
use compliance_persistence::testing::TestDatabase;

#[test]
fn the_defaults_are_in_force_and_a_target_is_only_ever_closed_from_now_on() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let officer = user(
        &mut conn,
        "officer.one",
        compliance_domain::Role::ComplianceOfficer,
    );
    let analyst = user(&mut conn, "analyst", compliance_domain::Role::Analyst);
    let by = |u: &compliance_domain::User| format!("'{}'", u.id.as_uuid());
    let levels = service_levels::in_force(&mut conn, chrono::Utc::now()).unwrap();
    assert_eq!(levels.len(), 6, "{levels:?}");
    for level in &levels {
        let expected = match level.status {
            CheckStatus::Escalated => 48,
            _ => 168,
        };
        assert_eq!(level.target_hours, expected, "{level:?}");
    }
    assert!(levels.iter().any(|l| l.jurisdiction == Jurisdiction::In));
    let ae_pending = "jurisdiction = 'AE' AND status = 'PENDING'";
    // A second target in force at the same time; a status with no queue; a target of nothing;
    // a target with no publisher, an analyst's, or one starting in the past.
    let insert = |status: &str, hours: i32, from: &str, publisher: &str| {
        format!(
            "INSERT INTO service_levels (jurisdiction, status, target_hours, effective_from, published_by) \
             VALUES ('AE', '{status}', {hours}, {from}, {publisher})"
        )
    };
    let later = "now() + interval '1 year'";
    for (sql, constraint) in [
        (
            insert("PENDING", 24, later, &by(&officer)),
            "ex_service_levels_one_in_force",
        ),
        (
            insert("APPROVED", 24, later, &by(&officer)),
            "ck_service_levels_status",
        ),
        (
            insert("PENDING", 0, later, &by(&officer)),
            "ck_service_levels_target",
        ),
        (
            insert("PENDING", 24, later, "NULL"),
            "service_levels_published",
        ),
        (
            insert("PENDING", 24, later, &by(&analyst)),
            "service_levels_published",
        ),
        (
            insert("PENDING", 24, "now() - interval '1 day'", &by(&officer)),
            "service_levels_published",
        ),
    ] {
        refused(&mut conn, &sql, constraint);
    }
    for sql in [
        format!("UPDATE service_levels SET target_hours = 24 WHERE {ae_pending}"),
        format!(
            "UPDATE service_levels SET effective_to = now() - interval '1 day' WHERE {ae_pending}"
        ),
        format!("DELETE FROM service_levels WHERE {ae_pending}"),
    ] {
        refused(&mut conn, &sql, "service_levels_immutable");
    }
    refused(
        &mut conn,
        "TRUNCATE service_levels",
        "service_levels_append_only",
    );
    // The next target takes over: published from a day on, the current one closed then.
    // Microseconds: what PostgreSQL keeps.
    let from =
        chrono::SubsecRound::trunc_subsecs(chrono::Utc::now() + chrono::Duration::days(1), 6);
    let published = service_levels::publish(
        &mut conn,
        Jurisdiction::Ae,
        CheckStatus::Pending,
        72,
        Some(from),
        officer.id,
    )
    .unwrap();
    assert_eq!(published.effective_from, from);
    let now = service_levels::in_force(&mut conn, chrono::Utc::now()).unwrap();
    let ae_now = |levels: &[service_levels::ServiceLevel]| {
        levels
            .iter()
            .find(|l| l.jurisdiction == Jurisdiction::Ae && l.status == CheckStatus::Pending)
            .cloned()
            .unwrap()
    };
    assert_eq!(ae_now(&now).target_hours, 168);
    assert_eq!(ae_now(&now).effective_to, Some(from));
    let later = service_levels::in_force(&mut conn, from + chrono::Duration::hours(1)).unwrap();
    assert_eq!(ae_now(&later).target_hours, 72);
    // (Its `service_level_published` entry is required at commit: it committed.)
    // A start in the past starts now instead: never a rewrite of the meantime.
    let past = service_levels::publish(
        &mut conn,
        Jurisdiction::Us,
        CheckStatus::Escalated,
        24,
        Some(chrono::Utc::now() - chrono::Duration::days(3)),
        officer.id,
    )
    .unwrap();
    assert!(past.effective_from > chrono::Utc::now() - chrono::Duration::minutes(1));
}
