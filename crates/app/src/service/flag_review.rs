//! A delisting flag reviewed, in one transaction: the reviewer read again as an active person,
//! the flag found (and not reviewed before), then the review with its note and audit entry
//! (`repo::flag_reviews`).
//!
//! Must not: change the case: a review says the flag was looked at, and what was concluded.

use super::ComplianceService;
use crate::{AppError, Result};
use compliance_domain::{EntityId, ReviewReason, Reviewer, UserId};
use compliance_persistence::repo::flag_reviews::{self, FlagKey, FlagReviewRow};
use compliance_persistence::repo::{screening_jobs, users};
use uuid::Uuid;

impl ComplianceService {
    /// Records `reviewer`'s review of the flag on `entity` for `entry` raised by `job`.
    pub(crate) fn review_flag(
        &self,
        job: Uuid,
        entity: &EntityId,
        entry: &str,
        reviewer: UserId,
        conclusion: &ReviewReason,
    ) -> Result<FlagReviewRow> {
        self.run(reviewer, |conn| {
            let reviewer = Reviewer::try_from(&users::find(conn, reviewer)?)?;
            let key = FlagKey { job, entity, entry };
            // One flag and its review by their keys, not the job's every flag.
            let flag = screening_jobs::find_flag(conn, job, entity.as_str(), entry)?.ok_or_else(|| {
                AppError::NotFound {
                    what: "delisting flag",
                    key: format!("{job}/{entity}/{entry}"),
                }
            })?;
            if let Some(done) = flag_reviews::find(conn, key)? {
                return Err(AppError::Conflict {
                    what: "delisting flag",
                    key: format!("{job}/{entity}/{entry}"),
                    reason: format!("it was reviewed already, at {}", done.reviewed_at),
                });
            }
            let review = flag_reviews::review(
                conn,
                key,
                flag.compliance_check_id,
                reviewer.id(),
                conclusion,
            )?;
            tracing::info!(job = %job, case = %flag.compliance_check_id, actor = %reviewer.id(), "delisting flag reviewed");
            Ok(review)
        })
    }
}
