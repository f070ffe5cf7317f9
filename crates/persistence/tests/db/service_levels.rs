//! `service_levels` (issue 23): the seeded defaults, one target in force per jurisdiction and
//! status, and targets that are closed, never edited, deleted or closed in the past.

use crate::support::*;
use compliance_domain::{CheckStatus, Jurisdiction};
use compliance_persistence::repo::service_levels;
use compliance_persistence::testing::TestDatabase;

#[test]
fn the_defaults_are_in_force_and_a_target_is_only_ever_closed_from_now_on() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
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
    // A second target in force at the same time; a status with no queue; a target of nothing.
    refused(
        &mut conn,
        "INSERT INTO service_levels (jurisdiction, status, target_hours, effective_from) \
         VALUES ('AE', 'PENDING', 24, now())",
        "ex_service_levels_one_in_force",
    );
    refused(
        &mut conn,
        "INSERT INTO service_levels (jurisdiction, status, target_hours, effective_from) \
         VALUES ('AE', 'APPROVED', 24, now())",
        "ck_service_levels_status",
    );
    refused(
        &mut conn,
        "INSERT INTO service_levels (jurisdiction, status, target_hours, effective_from) \
         VALUES ('US', 'PENDING', 0, now() + interval '1 year')",
        "ck_service_levels_target",
    );
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
    // The next target takes over: the current one closed from a moment on, the next from then.
    raw(
        &mut conn,
        &format!(
            "UPDATE service_levels SET effective_to = now() + interval '1 day' WHERE {ae_pending}"
        ),
    )
    .unwrap();
    raw(
        &mut conn,
        "INSERT INTO service_levels (jurisdiction, status, target_hours, effective_from) \
         VALUES ('AE', 'PENDING', 72, now() + interval '1 day')",
    )
    .unwrap();
    let later = service_levels::in_force(&mut conn, chrono::Utc::now() + chrono::Duration::days(2))
        .unwrap();
    let ae = later
        .iter()
        .find(|l| l.jurisdiction == Jurisdiction::Ae && l.status == CheckStatus::Pending)
        .unwrap();
    assert_eq!(ae.target_hours, 72);
}
