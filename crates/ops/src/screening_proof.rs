//! Proofs of screening against the database: [`prove`] shows that an entity was screened
//! against a list version by that version's monitoring job (its leaf's path to the job's root)
//! and that the root is the one the job's completion entry recorded (that entry's inclusion
//! proof against a signed checkpoint). `compliance_audit::screening::check_screening_proof`
//! checks it without the database.
//!
//! Must not: hand out a proof that does not hold, or anything of the subject but its
//! commitment.

use crate::checkpoint::{self, CheckpointError};
use compliance_audit::SignedCheckpoint;
use compliance_audit::hex::hex;
use compliance_audit::screening::{self, ScreeningLeaf, ScreeningProof};
use compliance_domain::EntityId;
use compliance_persistence::PersistenceError;
use compliance_persistence::diesel::PgConnection;
use compliance_persistence::repo::screening_jobs as jobs;
use uuid::Uuid;

/// A proof that `entity` was screened against list version `version` by its job, against
/// `signed` (a checkpoint signed after the job's completion).
pub fn prove(
    conn: &mut PgConnection,
    entity: &EntityId,
    version: Uuid,
    signed: &SignedCheckpoint,
) -> Result<ScreeningProof, CheckpointError> {
    let job = jobs::for_version(conn, version)?;
    if job.state != "done" {
        return Err(CheckpointError::NotScreened(format!(
            "the screening job of list version {version} is {} ({} entities screened so far): prove once it is done",
            job.state, job.screened
        )));
    }
    let Some(member) = jobs::membership(conn, job.id, entity)? else {
        return Err(CheckpointError::NotScreened(format!(
            "entity {entity} is not among the {} entities job {} screened against version {version}: its subject was recorded after the job passed it (its screening at submission names the versions it used, an audited `aml_recorded` entry: prove that with cargo xtask checkpoint prove), or it had none",
            job.screened, job.id
        )));
    };
    let leaves = jobs::leaves(conn, job.id)?;
    let index = usize::try_from(member.index).unwrap_or(usize::MAX);
    let (path, root) = screening::prove_leaf(&leaves, index).ok_or_else(|| {
        CheckpointError::NotScreened(format!("job {} has no leaf {index}", job.id))
    })?;
    if job.root.as_deref() != Some(&root[..]) {
        return Err(PersistenceError::InvalidData {
            table: "screening_jobs",
            id: job.id.to_string(),
            reason: "its leaves no longer give the root it recorded".into(),
        }
        .into());
    }
    let entry = jobs::completion_entry(conn, job.id)?.ok_or_else(|| {
        CheckpointError::NotScreened(format!(
            "job {} is done but its completion is not in the audit log",
            job.id
        ))
    })?;
    let completion = checkpoint::prove(conn, entry, signed)?;
    Ok(ScreeningProof {
        format: screening::FORMAT.into(),
        leaf: ScreeningLeaf {
            job: job.id.to_string(),
            version: version.to_string(),
            entity: entity.to_string(),
            commitment: member.commitment,
            outcome: member.outcome,
            screened_at: member
                .screened_at
                .format("%Y-%m-%dT%H:%M:%S%.6fZ")
                .to_string(),
        },
        leaf_index: member.index,
        tree_size: leaves.len() as u64,
        audit_path: path.iter().map(|h| hex(h)).collect(),
        root: hex(&root),
        completion,
    })
}
