//! Proofs of screening (issue 19): after a list version's job, an entity's proof, built against
//! a checkpoint signed after the job, holds offline with the signer's key (the database's
//! leaves and the offline leaf hash agree); a changed outcome, another key or a proof of
//! another job's root does not; an entity the job did not screen gets a reason, not a proof.

use crate::support::*;
use compliance_app::MonitorSettings;
use compliance_audit::keys::{generate_key, signing_key, verifying_key};
use compliance_audit::screening::check_screening_proof;
use compliance_domain::EntityId;
use compliance_ops::checkpoint::{self, CheckpointError};
use compliance_ops::screening_proof;
use std::time::Duration;

#[test]
fn an_entity_screened_by_a_job_has_a_proof_that_holds_offline_and_no_other_does() {
    let s = seeded();
    let monitor = s.compliance.in_process().monitor(MonitorSettings {
        batch: 2,
        lease: Duration::from_secs(5),
        duty_percent: 100,
        ..MonitorSettings::default()
    });
    let run = || while monitor.run_next(&mut |_| {}, &|| false).unwrap().is_some() {};
    let first = import_ofac_without(&s, &["41003"]);
    run();
    let agent = s.agent();
    for (entity, name, birth, country) in [
        ("ae-ind-proof-001", "Maria Garcia Lopez", 1980, "ES"),
        ("ae-ind-proof-002", "Yusuf Karim HADDAD", 1970, "LB"),
        ("ae-ind-proof-003", "Anna Schmidt", 1990, "DE"),
    ] {
        s.compliance
            .submit_input(&agent, &screened_case(entity, name, birth, country), None)
            .unwrap();
    }
    let second = import_ofac_without(&s, &[]);
    run();
    let mut conn = s.db.conn();
    let (secret, public) = generate_key().unwrap();
    let key = signing_key(&secret).unwrap();
    let public = verifying_key(&public).unwrap();
    let signed = checkpoint::sign(&mut conn, &s.db.config().target(), &key).unwrap();

    let haddad = EntityId::parse("ae-ind-proof-002").unwrap();
    let proof = screening_proof::prove(&mut conn, &haddad, second, &signed).unwrap();
    let proven = check_screening_proof(&proof, &public).unwrap();
    assert_eq!((proven.outcome.as_str(), proven.tree_size), ("match", 3));
    assert_eq!(proven.version, second.to_string());
    let clear = EntityId::parse("ae-ind-proof-003").unwrap();
    let other = screening_proof::prove(&mut conn, &clear, second, &signed).unwrap();
    assert_eq!(
        check_screening_proof(&other, &public).unwrap().outcome,
        "clear"
    );
    // The proof file says nothing of the subject but its commitment.
    let text = serde_json::to_string(&proof).unwrap();
    assert!(!text.to_lowercase().contains("haddad"));

    // A changed outcome, another key, another leaf's path: refused.
    let mut changed = proof.clone();
    changed.leaf.outcome = "clear".into();
    assert!(check_screening_proof(&changed, &public).is_err());
    let (_, stranger) = generate_key().unwrap();
    assert!(check_screening_proof(&proof, &verifying_key(&stranger).unwrap()).is_err());
    let mut swapped = proof.clone();
    swapped.audit_path = other.audit_path.clone();
    swapped.leaf_index = other.leaf_index;
    assert!(check_screening_proof(&swapped, &public).is_err());

    // The first version's job screened nobody (no subject then): a reason, not a proof.
    let err = screening_proof::prove(&mut conn, &haddad, first, &signed).unwrap_err();
    assert!(matches!(err, CheckpointError::NotScreened(_)), "{err}");
    // A job completed after the checkpoint cannot be proven against it.
    let third = import_ofac_without(&s, &["41005"]);
    run();
    let err = screening_proof::prove(&mut conn, &haddad, third, &signed).unwrap_err();
    assert!(
        matches!(err, CheckpointError::AfterCheckpoint { .. }),
        "{err}"
    );
}

#[test]
fn verify_recomputes_every_batchs_leaves_and_every_jobs_root() {
    use compliance_ops::verify::{Outcome, VerifyOptions, verify};
    let s = seeded();
    let monitor = s.compliance.in_process().monitor(MonitorSettings {
        batch: 1,
        duty_percent: 100,
        ..MonitorSettings::default()
    });
    import_ofac_without(&s, &["41003"]);
    for (entity, name) in [
        ("ae-ind-verify-001", "Maria Garcia Lopez"),
        ("ae-ind-verify-002", "Anna Schmidt"),
    ] {
        s.compliance
            .submit_input(&s.agent(), &screened_case(entity, name, 1980, "ES"), None)
            .unwrap();
    }
    import_ofac_without(&s, &[]);
    while monitor.run_next(&mut |_| {}, &|| false).unwrap().is_some() {}
    let check = || {
        let report = verify(s.db.config(), &VerifyOptions::default()).unwrap();
        report.checks.into_iter().find(|c| c.number == 21).unwrap()
    };
    let holds = check();
    assert_eq!(holds.outcome, Outcome::Pass, "{}", holds.detail);
    assert!(
        holds.detail.contains("2 done job(s), 4 leaves"),
        "{}",
        holds.detail
    );
    // A superuser rewrites one member's outcome around the guards: check 21 finds it.
    let mut conn = s.db.conn();
    behind_the_triggers(
        &mut conn,
        "UPDATE screening_job_batches SET members = jsonb_set(members, '{0,2}', '\"match\"')
          WHERE batch = 1 AND job_id = (SELECT id FROM screening_jobs ORDER BY created_at DESC LIMIT 1)",
    );
    let fails = check();
    assert_eq!(fails.outcome, Outcome::Fail, "{}", fails.detail);
    assert!(
        fails.detail.contains("1 screening batch(es)"),
        "{}",
        fails.detail
    );
}
