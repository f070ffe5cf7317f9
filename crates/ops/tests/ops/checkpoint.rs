//! Signed checkpoints: a superuser who rewrites a chain consistently (every hash recomputed)
//! passes the chain's own check, and fails the checkpoint signed before; an entry changed under
//! a checkpoint fails its default check; a changed checkpoint file, or one checked with another
//! key, does not verify.

use crate::support::*;
use compliance_audit::AuditError;
use compliance_audit::checkpoint::heads;
use compliance_audit::keys::{generate_key, signing_key, verifying_key};
use compliance_ops::checkpoint::{self, CheckMode, CheckpointError};
use compliance_persistence::repo::audit_logs;

#[test]
fn a_chain_rewritten_by_a_superuser_passes_its_own_check_and_fails_the_signed_checkpoint() {
    let s = seeded();
    let mut conn = s.db.conn();
    let (secret, public) = generate_key().unwrap();
    let key = signing_key(&secret).unwrap();
    let public = verifying_key(&public).unwrap();
    let signed = checkpoint::sign(&mut conn, &s.db.config().target(), &key).unwrap();
    for mode in [CheckMode::Signed, CheckMode::ExtendsOnly] {
        assert!(
            checkpoint::check(&mut conn, &signed, &public, mode)
                .unwrap()
                .holds()
        );
    }

    // More entries since: the checkpoint still holds; extends-only reads only them.
    more_entries(&s);
    let all = audit_logs::count(&mut conn).unwrap();
    let later = checkpoint::check(&mut conn, &signed, &public, CheckMode::ExtendsOnly).unwrap();
    assert!(later.holds());
    assert!(later.report.entries < all);
    let full = checkpoint::check(&mut conn, &signed, &public, CheckMode::Signed).unwrap();
    assert!(full.holds());
    assert_eq!(full.report.entries, all);

    // The owner rewrites the first chain that has entries: one entry changed, and every hash
    // from it on recomputed, so that the chain is consistent again.
    let head = heads(&signed).unwrap().heads[0].clone();
    rewrite_chain(&mut conn, head.chain);
    assert_eq!(
        audit_logs::verify_chain(&mut conn).unwrap().first_break,
        None,
        "the rewritten chain is consistent"
    );
    let caught = checkpoint::check(&mut conn, &signed, &public, CheckMode::ExtendsOnly).unwrap();
    assert!(!caught.holds());
    let broken = caught.report.first_break.unwrap();
    assert_eq!(
        (broken.chain, broken.position, broken.kind.as_str()),
        (head.chain, head.position, "checkpoint")
    );
    let caught = checkpoint::check(&mut conn, &signed, &public, CheckMode::Signed).unwrap();
    assert!(!caught.holds());
    assert_eq!(caught.report.first_break, None);
    assert_eq!(
        caught
            .trees_differ
            .iter()
            .map(|t| (t.chain, t.size, t.present))
            .collect::<Vec<_>>(),
        [(head.chain, head.position, head.position)]
    );

    // A file changed to match the rewrite does not verify; nor does a signature by another key.
    let mut edited = signed.clone();
    edited.heads[0] = format!(
        "{}.{}:{}",
        head.chain,
        head.position,
        audit_logs::verify_chain(&mut conn).unwrap().heads[0].hash
    );
    let err = checkpoint::check(&mut conn, &edited, &public, CheckMode::Signed).unwrap_err();
    assert!(
        matches!(err, CheckpointError::Audit(AuditError::BadSignature)),
        "{err}"
    );
    let (_, other) = generate_key().unwrap();
    let err = checkpoint::check(
        &mut conn,
        &signed,
        &verifying_key(&other).unwrap(),
        CheckMode::Signed,
    )
    .unwrap_err();
    assert!(
        matches!(err, CheckpointError::Audit(AuditError::BadSignature)),
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
    assert!(matches!(err, CheckpointError::Broken { .. }), "{err}");
}

/// Issue 17, defect 12: an entry the checkpoint covers, changed by a superuser without
/// recomputing any hash, fails the default check (it recomputes what was signed); only the
/// cheaper extends-only check, which reads what came after the heads, still passes it.
#[test]
fn an_entry_altered_under_a_checkpoint_fails_the_default_check() {
    let s = seeded();
    let mut conn = s.db.conn();
    let (secret, public) = generate_key().unwrap();
    let key = signing_key(&secret).unwrap();
    let public = verifying_key(&public).unwrap();
    let signed = checkpoint::sign(&mut conn, &s.db.config().target(), &key).unwrap();
    // The first entry of a chain that has more: not a head, which the cheap check would read.
    let altered = behind_the_triggers_returning(
        &mut conn,
        r#"UPDATE audit_logs SET details = details || '{"edited": true}'
            WHERE id = (SELECT min(id) FROM audit_logs
                         WHERE chain IN (SELECT chain FROM audit_logs GROUP BY chain HAVING count(*) > 1))
        RETURNING id AS n"#,
    );

    let outcome = checkpoint::check(&mut conn, &signed, &public, CheckMode::Signed).unwrap();
    assert!(!outcome.holds());
    let broken = outcome.report.first_break.unwrap();
    assert_eq!((broken.id, broken.kind.as_str()), (altered, "altered"));

    let cheap = checkpoint::check(&mut conn, &signed, &public, CheckMode::ExtendsOnly).unwrap();
    assert!(
        cheap.holds(),
        "extends-only reads nothing before the heads: that is why it is not the default"
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

/// Writes more audit entries: an analyst rejects the seed's pending corporate case.
pub fn more_entries(s: &Seeded) {
    let case = s.current("ae-corp-pending-002");
    s.compliance
        .review(
            &s.analyst(),
            case.id,
            compliance_domain::Verdict::Reject,
            &reason("documents never arrived"),
            case.revision,
        )
        .unwrap();
}
