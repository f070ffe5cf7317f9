//! The bodies of ongoing monitoring: a list version's screening job with its numbers, and the
//! entities a job flagged. Ids, codes and counts only.

use chrono::{DateTime, Utc};
use compliance_app as A;
use serde::Serialize;
use uuid::Uuid;

/// A list version's screening job: the whole base screened against what the version added or
/// changed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ScreeningJob {
    /// The job's id.
    pub id: Uuid,
    /// The list version it screens the base against.
    pub version_id: Uuid,
    /// Its list.
    pub list: String,
    /// The version its delta is taken against (none for a list's first version: all of it).
    pub previous_version_id: Option<Uuid>,
    /// `queued`, `running` or `done`.
    pub state: String,
    /// Entries the version added or changed (counted when the job starts).
    pub added: i32,
    /// Entries it removed.
    pub removed: i32,
    /// Batches recorded (each one transaction with the job's cursor).
    pub batches: i32,
    /// Entities screened.
    pub screened: i64,
    /// Entities with a new or stronger match.
    pub matched: i64,
    /// Their cases re-screened (a rejected case is not).
    pub rescreened: i64,
    /// Of them, now escalated or waiting flagged stricter.
    pub escalated: i64,
    /// Of them, now rejected.
    pub rejected: i64,
    /// Entities flagged for review: an entry their screening matched left the list.
    pub delisted: i64,
    /// The watched wallets' known counterparties screened against the version's added or
    /// changed wallet addresses, once the base is done.
    pub counterparties: i64,
    /// Those the version lists.
    pub counterparty_hits: i64,
    /// Transactions flagged ESCALATED for them.
    pub transactions_flagged: i64,
    /// Milliseconds spent screening and writing (the throttle's pauses left out).
    pub busy_ms: i64,
    /// The Merkle root of the entities screened (hex), once done; the audit chain records it.
    pub root: Option<String>,
    /// When the version was imported.
    pub created_at: DateTime<Utc>,
    /// When the job started.
    pub started_at: Option<DateTime<Utc>>,
    /// When it finished.
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<A::ScreeningJob> for ScreeningJob {
    fn from(j: A::ScreeningJob) -> Self {
        let A::ScreeningJob {
            id,
            version_id,
            list,
            previous_version_id,
            state,
            added,
            removed,
            batches,
            screened,
            matched,
            rescreened,
            escalated,
            rejected,
            delisted,
            counterparties,
            counterparty_hits,
            transactions_flagged,
            busy_ms,
            root,
            created_at,
            started_at,
            finished_at,
        } = j;
        Self {
            id,
            version_id,
            list,
            previous_version_id,
            state,
            added,
            removed,
            batches,
            screened,
            matched,
            rescreened,
            escalated,
            rejected,
            delisted,
            counterparties,
            counterparty_hits,
            transactions_flagged,
            busy_ms,
            root,
            created_at,
            started_at,
            finished_at,
        }
    }
}

/// An entity flagged for review by a job.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ScreeningFlag {
    /// The entity.
    pub entity_id: String,
    /// Its case.
    pub case_id: Uuid,
    /// The list.
    pub list: String,
    /// The entry the list no longer holds.
    pub entry: String,
    /// When.
    pub flagged_at: DateTime<Utc>,
    /// Who reviewed it (a compliance officer or admin); `null` while it waits for a review.
    #[schema(value_type = Option<Uuid>)]
    pub reviewed_by: Option<compliance_domain::UserId>,
    /// When it was reviewed.
    pub reviewed_at: Option<DateTime<Utc>>,
}

impl From<A::ScreeningFlag> for ScreeningFlag {
    fn from(f: A::ScreeningFlag) -> Self {
        let A::ScreeningFlag {
            entity_id,
            case_id,
            list,
            entry,
            flagged_at,
            reviewed,
        } = f;
        Self {
            entity_id,
            case_id,
            list,
            entry,
            flagged_at,
            reviewed_by: reviewed.map(|(by, _)| by),
            reviewed_at: reviewed.map(|(_, at)| at),
        }
    }
}
