//! Signed checkpoints: a superuser who rewrites a chain consistently (every hash recomputed)
//! passes the chain's own check, and fails the checkpoint signed before; a changed checkpoint
//! file, or one checked with another key, does not verify.

use crate::support::*;
use compliance_app::AppError;
use compliance_app::checkpoint::{self, CheckpointError};
use compliance_persistence::repo::audit_logs;

#[test]
fn a_chain_rewritten_by_a_superuser_passes_its_own_check_and_fails_the_signed_checkpoint() {
    let s = seeded();
    let mut conn = s.db.conn();
    let (secret, public) = checkpoint::generate_key().unwrap();
    let key = checkpoint::signing_key(&secret).unwrap();
    let public = checkpoint::verifying_key(&public).unwrap();
    let signed = checkpoint::sign(&mut conn, &s.db.config().target(), &key).unwrap();
    assert!(
        checkpoint::check(&mut conn, &signed, &public)
            .unwrap()
            .holds()
    );

    // More entries since: the checkpoint still holds, and only they are read.
    more_entries(&s);
    let later = checkpoint::check(&mut conn, &signed, &public).unwrap();
    assert!(later.holds());
    assert!(later.report.entries < audit_logs::count(&mut conn).unwrap());

    // The owner rewrites the first chain that has entries: one entry changed, and every hash
    // from it on recomputed, so that the chain is consistent again.
    let head = checkpoint::heads(&signed).unwrap()[0].clone();
    rewrite_chain(&mut conn, head.chain);
    assert_eq!(
        audit_logs::verify_chain(&mut conn).unwrap().first_break,
        None,
        "the rewritten chain is consistent"
    );
    let caught = checkpoint::check(&mut conn, &signed, &public).unwrap();
    assert!(!caught.holds());
    let broken = caught.report.first_break.unwrap();
    assert_eq!(
        (broken.chain, broken.position, broken.kind.as_str()),
        (head.chain, head.position, "checkpoint")
    );

    // A file changed to match the rewrite does not verify; nor does a signature by another key.
    let mut edited = signed.clone();
    edited.heads[0] = format!(
        "{}.{}:{}",
        head.chain,
        head.position,
        audit_logs::verify_chain(&mut conn).unwrap().heads[0].hash
    );
    let err = checkpoint::check(&mut conn, &edited, &public).unwrap_err();
    assert!(
        matches!(err, AppError::Checkpoint(CheckpointError::BadSignature)),
        "{err}"
    );
    let (_, other) = checkpoint::generate_key().unwrap();
    let err = checkpoint::check(
        &mut conn,
        &signed,
        &checkpoint::verifying_key(&other).unwrap(),
    )
    .unwrap_err();
    assert!(
        matches!(err, AppError::Checkpoint(CheckpointError::BadSignature)),
        "{err}"
    );
    // And a broken log is not signed.
    let err = checkpoint::sign(&mut conn, "x", &key);
    assert!(
        err.is_ok(),
        "the rewritten log is consistent, so it signs: {err:?}"
    );
    behind_the_triggers(
        &mut conn,
        r#"UPDATE audit_logs SET details = '{"n": 1}' WHERE id = (SELECT max(id) FROM audit_logs)"#,
    );
    let err = checkpoint::sign(&mut conn, "x", &key).unwrap_err();
    assert!(
        matches!(err, AppError::Checkpoint(CheckpointError::Broken { .. })),
        "{err}"
    );
}

/// What a database owner can do: rewrite chain `chain` consistently, its first entry's details
/// forged and every hash from it on recomputed, so that the chain passes its own check.
pub fn rewrite_chain(conn: &mut compliance_persistence::diesel::PgConnection, chain: i16) {
    behind_the_triggers(
        conn,
        &format!(
            r#"DO $$
            DECLARE r RECORD; previous BYTEA := NULL; forged JSONB;
            BEGIN
              FOR r IN SELECT * FROM audit_logs WHERE chain = {chain} ORDER BY coalesce(chain_position, id) LOOP
                forged := CASE WHEN coalesce(r.chain_position, r.id) = 1 THEN '{{"forged": true}}'::jsonb ELSE r.details END;
                UPDATE audit_logs SET details = forged, prev_hash = previous,
                       hash = audit_log_hash_at(previous, chain, coalesce(chain_position, id), actor_id, action, subject_kind,
                                                subject_id, entity_id, old_status, new_status, forged, created_at)
                 WHERE id = r.id RETURNING hash INTO previous;
              END LOOP;
            END $$"#
        ),
    );
}

/// Writes more audit entries: an analyst approves the seed's pending corporate case.
pub fn more_entries(s: &Seeded) {
    let case = s
        .service
        .current_case(&entity("ae-corp-pending-002"))
        .unwrap();
    s.service
        .review(
            case.id,
            s.users.analyst.id,
            compliance_domain::Verdict::Approve,
            &compliance_domain::ReviewReason::parse("documents verified").unwrap(),
            case.revision,
        )
        .unwrap();
}
