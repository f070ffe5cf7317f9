//! Reading cases back: a case, an entity's current case and history, the review queue, the
//! high-risk list, the summary, the periodic reviews due, an entity's audit entries; and erasing
//! an entity's review notes. Each read runs once more when its connection turned out dead.
//!
//! Must not: write, except [`ComplianceService::erase_notes`], which removes free text only and
//! leaves every chained audit hash as it was.

use super::ComplianceService;
use crate::convert::{Regulations, case_record};
use crate::records::{AuditPage, AuditRecord, CaseRecord};
use crate::{AuditQuery, Result};
use compliance_domain::{CaseId, EntityId, UserId};
use compliance_persistence::repo::{audit_logs, case_submissions, compliance_checks, review_notes};
use uuid::Uuid;

impl ComplianceService {
    /// The case with this id.
    pub(crate) fn case(&self, case_id: CaseId) -> Result<CaseRecord> {
        self.read(|conn| {
            let case = compliance_checks::find(conn, case_id.as_uuid())?;
            case_record(conn, Regulations::Cached(&self.rules), case, None, None)
        })
    }

    /// The entity's current case (its latest).
    pub(crate) fn current_case(&self, entity_id: &EntityId) -> Result<CaseRecord> {
        self.read(|conn| {
            let case = compliance_checks::find_by_entity_id(conn, entity_id)?;
            case_record(conn, Regulations::Cached(&self.rules), case, None, None)
        })
    }

    /// Every case of the entity, first to current (empty when it has none).
    pub(crate) fn history(&self, entity_id: &EntityId) -> Result<Vec<CaseRecord>> {
        self.read(|conn| {
            case_submissions::history(conn, entity_id)?
                .into_iter()
                .map(|submission| {
                    let case = compliance_checks::find(conn, submission.compliance_check_id)?;
                    case_record(
                        conn,
                        Regulations::Cached(&self.rules),
                        case,
                        None,
                        Some(submission.sequence),
                    )
                })
                .collect()
        })
    }

    /// A page of the entity's audit entries, for `reader` (from the standby for reads, when
    /// one is configured).
    pub(crate) fn audit(
        &self,
        entity_id: &EntityId,
        query: &AuditQuery,
        reader: UserId,
    ) -> Result<AuditPage> {
        let limit = i64::from(query.limit.get());
        self.read_replica(reader, |conn| {
            let entries = audit_logs::list(
                conn,
                &audit_logs::AuditFilter {
                    entity_id: Some(entity_id.clone()),
                    limit: Some(limit + 1),
                    newest_first: !query.oldest_first,
                    beyond: query.cursor,
                    ..Default::default()
                },
            )?;
            let more = entries.len() as i64 > limit;
            let items: Vec<AuditRecord> = entries
                .into_iter()
                .take(usize::from(query.limit.get()))
                .map(Into::into)
                .collect();
            let next = more.then(|| items.last().map(|e| e.id)).flatten();
            Ok(AuditPage { items, next })
        })
    }

    /// Erases the text of every review note about `entity_id` (an erasure request), by `by`, an
    /// active admin or compliance officer. The audit chain keeps each note's commitment, so
    /// `verify` still passes. Returns the erased notes' ids.
    pub(crate) fn erase_notes(&self, entity_id: &EntityId, by: UserId) -> Result<Vec<Uuid>> {
        self.run(by, |conn| {
            // The current case first (the lock order of every write), so that a review in
            // flight either wrote its note before this erasure or waits until it is done.
            if let Some(current) = case_submissions::current(conn, entity_id)? {
                compliance_checks::lock(conn, current.compliance_check_id)?;
            }
            Ok(review_notes::erase_for_entity(conn, entity_id, by)?)
        })
    }
}
