//! Notes and requests for information: a person who reviews writes a note on a case without
//! deciding it, or asks the customer for what the case waits on; a reviewer or the system agent
//! (relaying the onboarding service) records the answer; a reviewer withdraws a request no
//! longer needed.
//!
//! Must not: move a case. None of these changes its status, revision or assignment.

use super::{Caller, Compliance};
use crate::Result;
use crate::records::{CaseNoteRecord, InformationRequestRecord};
use compliance_domain::{CaseId, InformationAsk, Permission, RequestOutcome, ReviewReason};
use compliance_persistence::repo::information_requests;
use uuid::Uuid;

impl Compliance {
    /// The caller writes `text` on the case (outside the chain, which keeps its commitment;
    /// erasable as every review note is).
    pub fn note_case(
        &self,
        caller: &Caller,
        case: CaseId,
        text: &ReviewReason,
    ) -> Result<CaseNoteRecord> {
        caller.require(Permission::NoteCases, "write notes on cases")?;
        self.service.note_case(case, caller.user(), text)
    }

    /// The caller asks for information the case waits on: the entity's current case, PENDING
    /// or ESCALATED, with no request open. The outbox announces it to the onboarding service
    /// (`case.information_requested`).
    pub fn request_information(
        &self,
        caller: &Caller,
        case: CaseId,
        ask: &InformationAsk,
    ) -> Result<InformationRequestRecord> {
        caller.require(Permission::RequestInformation, "request information")?;
        self.service.request_information(case, caller.user(), ask)
    }

    /// The caller records that the customer answered request `id` (a person who reviews, or the
    /// system agent for the onboarding service), with their words if any.
    pub fn record_answer(
        &self,
        caller: &Caller,
        id: Uuid,
        words: Option<&ReviewReason>,
    ) -> Result<InformationRequestRecord> {
        caller.require(Permission::RecordAnswers, "record answers to requests")?;
        self.service
            .close_request(id, caller.user(), RequestOutcome::Answered, words)
    }

    /// The caller withdraws request `id`, no longer needed (a person who reviews).
    pub fn withdraw_request(
        &self,
        caller: &Caller,
        id: Uuid,
        words: Option<&ReviewReason>,
    ) -> Result<InformationRequestRecord> {
        caller.require(Permission::RequestInformation, "withdraw requests")?;
        self.service
            .close_request(id, caller.user(), RequestOutcome::Withdrawn, words)
    }

    /// Every request for information on the case, oldest first.
    pub fn information_requests(
        &self,
        caller: &Caller,
        case: CaseId,
    ) -> Result<Vec<InformationRequestRecord>> {
        caller.require(Permission::ReadCases, "read cases")?;
        self.service.read(|conn| {
            // A case that does not exist is a 404, not an empty list.
            compliance_persistence::repo::compliance_checks::find(conn, case.as_uuid())?;
            Ok(information_requests::for_case(conn, case.as_uuid())?
                .into_iter()
                .map(Into::into)
                .collect())
        })
    }
}
