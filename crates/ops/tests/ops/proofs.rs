//! Inclusion proofs of audit entries against signed checkpoints, on the real database: every
//! entry of a seeded log proves and its proof checks without the database; an altered entry,
//! place or path, a tampered checkpoint, an entry written after it and a chain rewritten by a
//! superuser do not; a version 1 checkpoint file still checks.

use crate::checkpoint::{more_entries, rewrite_chain};
use crate::support::*;
use compliance_audit::checkpoint::{FORMAT, FORMAT_V1, heads};
use compliance_audit::hex::hex;
use compliance_audit::keys::{SigningKey, VerifyingKey, generate_key, signing_key, verifying_key};
use compliance_audit::{AuditError, InclusionProof, SignedCheckpoint, check_proof, entry_hash};
use compliance_ops::checkpoint::{self, CheckMode, CheckpointError};
use compliance_persistence::diesel::PgConnection;

fn keys() -> (SigningKey, VerifyingKey) {
    let (secret, public) = generate_key().unwrap();
    (
        signing_key(&secret).unwrap(),
        verifying_key(&public).unwrap(),
    )
}

fn ids(conn: &mut PgConnection) -> Vec<i64> {
    #[derive(diesel::QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        id: i64,
    }
    compliance_persistence::diesel::RunQueryDsl::load::<Id>(
        compliance_persistence::diesel::sql_query("SELECT id FROM audit_logs ORDER BY id"),
        conn,
    )
    .unwrap()
    .into_iter()
    .map(|r| r.id)
    .collect()
}

/// The proof is refused with `ProofFails`.
fn refused(proof: &InclusionProof, public: &VerifyingKey, what: &str) {
    let err = check_proof(proof, public).unwrap_err();
    assert!(
        matches!(err, AuditError::ProofFails { .. }),
        "{what}: {err}"
    );
}

fn bad_signature(proof: &InclusionProof, public: &VerifyingKey, what: &str) {
    let err = check_proof(proof, public).unwrap_err();
    assert_eq!(err, AuditError::BadSignature, "{what}");
}

#[test]
fn every_entry_proves_and_an_altered_entry_place_path_or_checkpoint_does_not() {
    let s = seeded();
    let mut conn = s.db.conn();
    let (key, public) = keys();
    let signed = checkpoint::sign(&mut conn, &s.db.config().target(), &key).unwrap();
    assert_eq!(signed.format, FORMAT);
    assert_eq!(signed.trees.len(), signed.heads.len());
    let all = ids(&mut conn);
    assert!(all.len() > 20, "{}", all.len());
    let mut deepest: Option<InclusionProof> = None;
    for &id in &all {
        let proof = checkpoint::prove(&mut conn, id, &signed).unwrap();
        // The hash recomputed without the database is the one the database stored.
        assert_eq!(
            hex(&entry_hash(&proof.entry)),
            proof.entry.hash,
            "entry {id}"
        );
        // Through a file and back, as a regulator receives it.
        let text = serde_json::to_string(&proof).unwrap();
        let read: InclusionProof = serde_json::from_str(&text).unwrap();
        let proven = check_proof(&read, &public).unwrap();
        assert_eq!(proven.chain, proof.entry.chain, "entry {id}");
        assert_eq!(proven.position as u64, proof.leaf_index + 1);
        if deepest
            .as_ref()
            .is_none_or(|d| d.audit_path.len() < proof.audit_path.len())
        {
            deepest = Some(proof);
        }
    }
    let proof = deepest.unwrap();
    assert!(proof.audit_path.len() >= 2, "{proof:?}");

    // The row id is not hashed: a relabelled proof still holds, and what it proves names the
    // chain and position only, never the id the file claims.
    let mut relabelled = proof.clone();
    relabelled.entry.id += 1_000;
    assert_eq!(
        check_proof(&relabelled, &public).unwrap(),
        check_proof(&proof, &public).unwrap()
    );

    // The entry's details altered: its fields no longer give its hash.
    let mut p = proof.clone();
    p.entry.details = r#"{"forged": true}"#.into();
    refused(&p, &public, "details");
    let mut p = proof.clone();
    p.entry.created_at = p.entry.created_at.replace('.', ",");
    refused(&p, &public, "created_at");
    // Altered, with the hash recomputed to match: the path no longer leads to the signed root.
    let mut p = proof.clone();
    // A status other than the entry's own (which entry is deepest varies with the chains).
    let other = if p.entry.new_status.as_deref() == Some("APPROVED") {
        "REJECTED"
    } else {
        "APPROVED"
    };
    p.entry.new_status = Some(other.into());
    p.entry.hash = hex(&entry_hash(&p.entry));
    refused(&p, &public, "status with its hash");
    // Its place: another position, index, size, chain; a changed or missing path node.
    let mut p = proof.clone();
    p.entry.position += 1;
    p.leaf_index += 1;
    p.entry.hash = hex(&entry_hash(&p.entry));
    refused(&p, &public, "position");
    let mut p = proof.clone();
    p.leaf_index ^= 1;
    refused(&p, &public, "leaf index");
    let mut p = proof.clone();
    p.tree_size += 1;
    refused(&p, &public, "tree size");
    let mut p = proof.clone();
    p.chain = (p.chain + 1) % 16;
    refused(&p, &public, "chain");
    let mut p = proof.clone();
    p.audit_path[1] = "00".repeat(32);
    refused(&p, &public, "path node");
    let mut p = proof.clone();
    p.audit_path.pop();
    refused(&p, &public, "short path");

    // The checkpoint tampered with: a root, a size, the signature; or another key.
    let mut p = proof.clone();
    let chain = p.chain;
    let tree = p
        .checkpoint
        .trees
        .iter_mut()
        .find(|t| t.starts_with(&format!("{chain}.")))
        .unwrap();
    *tree = format!("{}:{}", tree.split(':').next().unwrap(), "ab".repeat(32));
    bad_signature(&p, &public, "root");
    let mut p = proof.clone();
    p.checkpoint.signature = format!("00{}", &p.checkpoint.signature[2..]);
    bad_signature(&p, &public, "signature");
    let mut p = proof.clone();
    p.checkpoint.trees.clear();
    bad_signature(&p, &public, "trees dropped");
    bad_signature(&proof, &keys().1, "another key");
    assert!(check_proof(&proof, &public).is_ok());

    // An entry written after the checkpoint, and one that does not exist.
    more_entries(&s);
    let newest = *ids(&mut conn).last().unwrap();
    assert!(newest > *all.last().unwrap());
    let err = checkpoint::prove(&mut conn, newest, &signed).unwrap_err();
    assert!(
        matches!(
            err,
            CheckpointError::AfterCheckpoint { id, .. } if id == newest
        ),
        "{err}"
    );
    assert!(err.to_string().contains("after the checkpoint"), "{err}");
    let err = checkpoint::prove(&mut conn, newest + 1000, &signed).unwrap_err();
    assert!(matches!(err, CheckpointError::NoSuchEntry { .. }), "{err}");
    // Older entries still prove against the old checkpoint, and against a new one.
    let again = checkpoint::prove(&mut conn, proof.entry.id, &signed).unwrap();
    assert_eq!(again, proof);
    let later = checkpoint::sign(&mut conn, "x", &key).unwrap();
    let p = checkpoint::prove(&mut conn, newest, &later).unwrap();
    assert!(check_proof(&p, &public).is_ok());
}

#[test]
fn a_chain_rewritten_by_a_superuser_gives_proofs_the_old_checkpoint_refuses() {
    let s = seeded();
    let mut conn = s.db.conn();
    let (key, public) = keys();
    let signed = checkpoint::sign(&mut conn, &s.db.config().target(), &key).unwrap();
    let head = heads(&signed).unwrap().heads[0].clone();
    let other = heads(&signed).unwrap().heads[1].clone();
    let on_chain = |conn: &mut PgConnection, chain: i16, position: i64| {
        count(
            conn,
            &format!(
                "SELECT id AS n FROM audit_logs WHERE chain = {chain} AND coalesce(chain_position, id) = {position}"
            ),
        )
    };
    let first = on_chain(&mut conn, head.chain, 1);
    let last = on_chain(&mut conn, head.chain, head.position);
    let elsewhere = on_chain(&mut conn, other.chain, other.position);
    for id in [first, last, elsewhere] {
        let p = checkpoint::prove(&mut conn, id, &signed).unwrap();
        assert!(check_proof(&p, &public).is_ok());
    }

    rewrite_chain(&mut conn, head.chain);
    assert_eq!(
        compliance_persistence::repo::audit_logs::verify_chain(&mut conn)
            .unwrap()
            .first_break,
        None,
        "the rewritten chain is consistent"
    );
    // The forged entry and every later one of its chain: each proof is built from the
    // rewritten database and is internally consistent, and none leads to the signed root.
    for id in [first, last] {
        let p = checkpoint::prove(&mut conn, id, &signed).unwrap();
        assert_eq!(
            hex(&entry_hash(&p.entry)),
            p.entry.hash,
            "the forged entry's fields give its forged hash"
        );
        let err = check_proof(&p, &public).unwrap_err();
        assert!(
            matches!(err, AuditError::ProofFails { .. }),
            "entry {id}: {err}"
        );
        assert!(
            err.to_string().contains("does not lead to the root"),
            "{err}"
        );
    }
    // Another chain, untouched, still proves.
    let p = checkpoint::prove(&mut conn, elsewhere, &signed).unwrap();
    assert!(check_proof(&p, &public).is_ok());
}

/// Signs a version 1 checkpoint exactly as the first version did (its statement's layout
/// written out here, not taken from the code that reads it).
fn version_1(signed: &SignedCheckpoint, key: &SigningKey) -> SignedCheckpoint {
    use compliance_audit::keys::Signer;
    use sha2::Digest;
    let mut old = signed.clone();
    old.format = FORMAT_V1.into();
    old.trees.clear();
    let mut statement = format!(
        "compliance-db audit checkpoint v1\ndatabase: {}\nsigned_at: {}\nentries: {}\n",
        old.database,
        old.signed_at
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        old.entries
    );
    for head in &old.heads {
        statement.push_str(&format!("head: {head}\n"));
    }
    old.root = hex(&sha2::Sha256::digest(statement.as_bytes()));
    old.signature = hex(&key.sign(statement.as_bytes()).to_bytes());
    old
}

#[test]
fn a_version_1_checkpoint_still_checks_and_proves_nothing() {
    let s = seeded();
    let mut conn = s.db.conn();
    let (key, public) = keys();
    let signed = checkpoint::sign(&mut conn, &s.db.config().target(), &key).unwrap();
    let old = version_1(&signed, &key);
    let json = serde_json::to_string_pretty(&old).unwrap();
    assert!(!json.contains("trees"), "{json}");
    let old: SignedCheckpoint = serde_json::from_str(&json).unwrap();
    for mode in [CheckMode::Signed, CheckMode::ExtendsOnly] {
        assert!(
            checkpoint::check(&mut conn, &old, &public, mode)
                .unwrap()
                .holds()
        );
    }
    let mut changed = old.clone();
    changed.entries += 1;
    assert!(matches!(
        checkpoint::check(&mut conn, &changed, &public, CheckMode::Signed).unwrap_err(),
        CheckpointError::Audit(AuditError::BadSignature)
    ));
    // Trees added to a version 1 file are not what was signed.
    let mut grafted = old.clone();
    grafted.trees = signed.trees.clone();
    assert!(matches!(
        checkpoint::check(&mut conn, &grafted, &public, CheckMode::Signed).unwrap_err(),
        CheckpointError::Audit(AuditError::BadSignature)
    ));
    // A version 1 file signs heads only: a head changed under it fails its default check.
    let first = heads(&old).unwrap().heads[0].clone();
    rewrite_chain(&mut conn, first.chain);
    assert!(
        !checkpoint::check(&mut conn, &old, &public, CheckMode::Signed)
            .unwrap()
            .holds()
    );
    let id = *ids(&mut conn).first().unwrap();
    assert!(matches!(
        checkpoint::prove(&mut conn, id, &old).unwrap_err(),
        CheckpointError::Audit(AuditError::NoTrees)
    ));
    let mut proof = checkpoint::prove(&mut conn, id, &signed).unwrap();
    proof.checkpoint = old;
    assert_eq!(
        check_proof(&proof, &public).unwrap_err(),
        AuditError::NoTrees
    );
}
