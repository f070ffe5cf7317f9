//! The bodies of an entity's audit trail: its entries, each with its chain, position and hash,
//! a page at a time.
//!
//! Must not: carry a reviewer's words (entries hold a note's id and commitment, never its text).

use crate::http::schemas as S;
use chrono::{DateTime, Utc};
use compliance_app::records as R;
use compliance_domain::{AuditAction, CheckStatus, SubjectKind, UserId};
use serde::Serialize;
use uuid::Uuid;

/// One entry of the audit log, with its place in the hash chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AuditRecord {
    /// The entry's id: it orders entries across chains (the chained hash does not cover it).
    pub id: i64,
    /// The chain it is on (0 to 15).
    #[schema(minimum = 0, maximum = 15)]
    pub chain: i16,
    /// Its position in that chain, from 1.
    #[schema(minimum = 1)]
    pub position: i64,
    /// Who acted.
    #[schema(value_type = uuid::Uuid)]
    pub actor: UserId,
    /// What happened.
    #[schema(value_type = S::AuditAction, example = "decision_recorded")]
    pub action: AuditAction,
    /// The kind of record concerned.
    #[schema(value_type = S::SubjectKind, example = "compliance_check")]
    pub subject_kind: SubjectKind,
    /// Its id.
    pub subject_id: Uuid,
    /// Status before, for a status change.
    #[schema(value_type = Option<S::CheckStatus>)]
    pub old_status: Option<CheckStatus>,
    /// Status after, for a status change.
    #[schema(value_type = Option<S::CheckStatus>)]
    pub new_status: Option<CheckStatus>,
    /// Ids, codes and commitments (never a reviewer's words).
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    /// When.
    pub created_at: DateTime<Utc>,
    /// The entry's chained SHA-256, hex.
    pub hash: String,
}

impl From<R::AuditRecord> for AuditRecord {
    fn from(record: R::AuditRecord) -> Self {
        let R::AuditRecord {
            id,
            chain,
            position,
            actor,
            action,
            subject_kind,
            subject_id,
            old_status,
            new_status,
            details,
            created_at,
            hash,
        } = record;
        Self {
            id,
            chain,
            position,
            actor,
            action,
            subject_kind,
            subject_id,
            old_status,
            new_status,
            details,
            created_at,
            hash,
        }
    }
}

/// A page of an entity's audit entries, and where the next one starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AuditPage {
    /// The entries, newest first unless `order=oldest` was asked.
    pub items: Vec<AuditRecord>,
    /// The cursor of the next page; absent on the last page.
    pub next: Option<i64>,
}

impl From<R::AuditPage> for AuditPage {
    fn from(page: R::AuditPage) -> Self {
        let R::AuditPage { items, next } = page;
        Self {
            items: items.into_iter().map(Into::into).collect(),
            next,
        }
    }
}
