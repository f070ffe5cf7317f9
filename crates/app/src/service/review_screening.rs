//! Ongoing monitoring's periodic reviews: a case whose periodic review has fallen due gets the
//! same screening as a changed subject (its entity's current subject against every list's
//! current version, its case re-screened through [`ComplianceService::rescreen_in`]: the
//! engine decides, four eyes and the override as ever), once per due date, recorded with its
//! audit entry whether or not it changed the case.
//!
//! Must not: log a subject or a name (ids only); take a case's lock after the audit chain's.

use super::ComplianceService;
use super::monitoring::{entity_id, subject};
use crate::Result;
use crate::records::ReviewPass;
use compliance_domain::{Jurisdiction, UserId};
use compliance_persistence::diesel::PgConnection;
use compliance_persistence::repo::compliance_checks;
use compliance_persistence::repo::review_screenings::{self as reviews, DueReview, ReviewOutcome};

impl ComplianceService {
    /// Screens up to `limit` due reviews, the longest due first, each in a transaction of its
    /// own that lets this process's live writes go first; one another monitor screened
    /// meanwhile is skipped, and one that fails is counted and left for the next pass.
    pub(crate) fn screen_due_reviews(&self, agent: UserId, limit: i64) -> Result<ReviewPass> {
        let due = self.read(|conn| Ok(reviews::due(conn, limit)?))?;
        let mut pass = ReviewPass::default();
        for review in &due {
            match self.run_background(|conn| self.screen_review(conn, review, agent)) {
                Ok(Some(outcome)) => {
                    pass.screened += 1;
                    if outcome == ReviewOutcome::Rescreened {
                        pass.rescreened += 1;
                    }
                }
                Ok(None) => {}
                // One case that cannot be screened (nothing was written for it) must not hold
                // up the others: it is tried again on the next pass.
                Err(e) => {
                    pass.failed += 1;
                    tracing::warn!(case = %review.case_id, "due review not screened: {e}");
                }
            }
        }
        if pass.screened + pass.failed > 0 {
            tracing::info!(
                screened = pass.screened,
                rescreened = pass.rescreened,
                failed = pass.failed,
                "due reviews screened"
            );
        }
        Ok(pass)
    }

    /// One due review: the case locked, still due and not screened (else `None`), the subject
    /// screened and the case re-screened with the result, the screening recorded.
    fn screen_review(
        &self,
        conn: &mut PgConnection,
        review: &DueReview,
        agent: UserId,
    ) -> Result<Option<ReviewOutcome>> {
        compliance_checks::lock(conn, review.case_id)?;
        if !reviews::still_due(conn, review.case_id, review.review_due_at)? {
            return Ok(None);
        }
        let entity = entity_id(&review.member)?;
        let screened = self.screen_and_rescreen(
            conn,
            &entity,
            &subject(&review.member)?,
            review.member.subject_id,
            review.jurisdiction.parse::<Jurisdiction>().ok(),
            agent,
        )?;
        let outcome = if screened.outcome.replayed {
            ReviewOutcome::Unchanged
        } else {
            ReviewOutcome::Rescreened
        };
        reviews::record(conn, review, &entity, &screened.versions, outcome, agent)?;
        tracing::info!(entity = %entity, case = %review.case_id, outcome = outcome.as_str(), after = %screened.outcome.case.status, "due review screened");
        Ok(Some(outcome))
    }
}
