//! A note on a case and a request for information, each in one transaction: the case read
//! (locked for a request, so that two asks at once meet in order), the actor read again as an
//! active user, the domain's rule, then the write and its audit entry (`repo::review_notes`,
//! `repo::information_requests`).
//!
//! Must not: change the case. A note and a request move nothing; the case's status, revision and
//! assignment stay as they were.

use super::ComplianceService;
use super::review::require_current;
use crate::records::{CaseNoteRecord, InformationRequestRecord};
use crate::{AppError, Result};
use compliance_domain::{
    CaseId, InformationAsk, RequestOutcome, ReviewReason, Reviewer, UserId, plan_closing,
    plan_request,
};
use compliance_persistence::repo::{
    compliance_checks, information_requests, kyc_checks, review_notes, users,
};
use uuid::Uuid;

impl ComplianceService {
    /// Writes `text` on case `case_id` as `author`, an active person who reviews.
    pub(crate) fn note_case(
        &self,
        case_id: CaseId,
        author: UserId,
        text: &ReviewReason,
    ) -> Result<CaseNoteRecord> {
        self.run(author, |conn| {
            let author = Reviewer::try_from(&users::find(conn, author)?)?;
            let case = compliance_checks::find(conn, case_id.as_uuid())?;
            let kyc = kyc_checks::find(conn, case.kyc_check_id)?;
            let note =
                review_notes::note_case(conn, &kyc.check.entity_id, case.id, author.id(), text)?;
            tracing::info!(case = %case.id, note = %note.note.id, actor = %author.id(), "case noted");
            Ok(CaseNoteRecord {
                id: note.note.id,
                case_id,
                author: note.author,
                written_at: note.created_at,
                commitment: note.note.commitment,
            })
        })
    }

    /// Asks `ask` on case `case_id` as `actor`, an active person who reviews: the entity's
    /// current case, waiting for a review, with no request open.
    pub(crate) fn request_information(
        &self,
        case_id: CaseId,
        actor: UserId,
        ask: &InformationAsk,
    ) -> Result<InformationRequestRecord> {
        self.run(actor, |conn| {
            let actor = Reviewer::try_from(&users::find(conn, actor)?)?;
            let case = compliance_checks::lock(conn, case_id.as_uuid())?;
            let kyc = kyc_checks::find(conn, case.kyc_check_id)?;
            let entity = &kyc.check.entity_id;
            require_current(conn, &case, entity)?;
            plan_request(case.status)?;
            if let Some(open) = information_requests::open_for_cases(conn, &[case.id])?.first() {
                return Err(AppError::Conflict {
                    what: "case",
                    key: case.id.to_string(),
                    reason: format!(
                        "information request {} is still open: record its answer or withdraw it before asking again",
                        open.id
                    ),
                });
            }
            let stored = information_requests::ask(conn, entity, case.id, actor.id(), ask)?;
            tracing::info!(case = %case.id, request = %stored.id, actor = %actor.id(), "information requested");
            Ok(stored.into())
        })
    }

    /// Closes request `id` as `outcome`, as `actor`: a person who reviews, or the system agent
    /// recording an answer.
    pub(crate) fn close_request(
        &self,
        id: Uuid,
        actor: UserId,
        outcome: RequestOutcome,
        words: Option<&ReviewReason>,
    ) -> Result<InformationRequestRecord> {
        self.run(actor, |conn| {
            let user = users::find(conn, actor)?;
            if !user.active {
                return Err(AppError::Unauthenticated("the user is inactive"));
            }
            let request = information_requests::lock(conn, id)?;
            plan_closing(
                user.role,
                request.closed.as_ref().map(|c| c.outcome),
                outcome,
            )?;
            let closed = information_requests::close(conn, &request, actor, outcome, words)?;
            tracing::info!(request = %id, case = %closed.case_id, actor = %actor, outcome = %outcome, "information request closed");
            Ok(closed.into())
        })
    }
}
