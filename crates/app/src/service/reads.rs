//! Reading cases back: an entity's current case and history, the review queue, the high-risk
//! list, the summary, the periodic reviews due; and erasing an entity's review notes.
//!
//! Must not: write, except [`ComplianceService::erase_notes`], which removes free text only and
//! leaves every chained audit hash as it was.

use super::ComplianceService;
use crate::Result;
use compliance_domain::{EntityId, Jurisdiction, UserId};
use compliance_persistence::repo::case_submissions::{self, CaseSubmission};
use compliance_persistence::repo::compliance_checks::{self, StoredComplianceCheck};
use compliance_persistence::repo::{reports, review_notes, reviews_due};
use uuid::Uuid;

/// Every case of an entity, first to current.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityHistory {
    /// The entity.
    pub entity_id: EntityId,
    /// Its cases, each with its submission (number, idempotency key, who submitted).
    pub cases: Vec<(CaseSubmission, StoredComplianceCheck)>,
}

impl EntityHistory {
    /// The entity's current case: its latest.
    pub fn current(&self) -> Option<&StoredComplianceCheck> {
        self.cases.last().map(|(_, case)| case)
    }
}

impl ComplianceService {
    /// The case with this id.
    pub fn case(&self, case_id: Uuid) -> Result<StoredComplianceCheck> {
        let mut conn = self.db.conn()?;
        Ok(compliance_checks::find(&mut conn, case_id)?)
    }

    /// The entity's current case (its latest).
    pub fn current_case(&self, entity_id: &EntityId) -> Result<StoredComplianceCheck> {
        let mut conn = self.db.conn()?;
        Ok(compliance_checks::find_by_entity_id(&mut conn, entity_id)?)
    }

    /// Every case of the entity, first to current (empty when it has none).
    pub fn history(&self, entity_id: &EntityId) -> Result<EntityHistory> {
        let mut conn = self.db.conn()?;
        let mut cases = Vec::new();
        for submission in case_submissions::history(&mut conn, entity_id)? {
            let case = compliance_checks::find(&mut conn, submission.compliance_check_id)?;
            cases.push((submission, case));
        }
        Ok(EntityHistory {
            entity_id: entity_id.clone(),
            cases,
        })
    }

    /// The review queue: PENDING and ESCALATED cases and those flagged with a stricter engine
    /// verdict no reviewer has seen, riskiest (flagged first) and oldest first.
    pub fn queue(
        &self,
        jurisdiction: Option<Jurisdiction>,
        limit: i64,
    ) -> Result<Vec<reports::PendingApproval>> {
        let mut conn = self.db.conn()?;
        Ok(reports::pending_approvals(
            &mut conn,
            jurisdiction,
            None,
            limit,
        )?)
    }

    /// The high-risk entities (their current cases).
    pub fn high_risk(
        &self,
        jurisdiction: Option<Jurisdiction>,
        limit: i64,
    ) -> Result<Vec<reports::HighRiskEntity>> {
        let mut conn = self.db.conn()?;
        Ok(reports::high_risk_entities(&mut conn, jurisdiction, limit)?)
    }

    /// The summary by jurisdiction, status and risk level.
    pub fn summary(&self) -> Result<Vec<reports::SummaryLine>> {
        let mut conn = self.db.conn()?;
        Ok(reports::compliance_summary(&mut conn)?)
    }

    /// The approved current cases whose periodic review has fallen due, longest overdue first.
    pub fn reviews_due(
        &self,
        jurisdiction: Option<Jurisdiction>,
        limit: i64,
    ) -> Result<Vec<reviews_due::ReviewDue>> {
        let mut conn = self.db.conn()?;
        Ok(reviews_due::list(&mut conn, jurisdiction, limit)?)
    }

    /// Erases the text of every review note about `entity_id` (an erasure request), by `by`, an
    /// active admin or compliance officer. The audit chain keeps each note's commitment, so
    /// `verify` still passes. Returns the erased notes' ids.
    pub fn erase_notes(&self, entity_id: &EntityId, by: UserId) -> Result<Vec<Uuid>> {
        self.run(|conn| {
            // The current case first (the lock order of every write), so that a review in
            // flight either wrote its note before this erasure or waits until it is done.
            if let Some(current) = case_submissions::current(conn, entity_id)? {
                compliance_checks::lock(conn, current.compliance_check_id)?;
            }
            Ok(review_notes::erase_for_entity(conn, entity_id, by)?)
        })
    }
}
