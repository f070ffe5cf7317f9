//! The bodies of notes and requests for information: a note's id and commitment (never its
//! text), and what a request asked of whom, until when, and how it ended.
//!
//! Must not: carry the words written with a note or a request (review notes, which the back
//! office shows to the people who review), or be built from anything but the library's records.

use crate::http::schemas as S;
use chrono::{DateTime, Utc};
use compliance_app::records as R;
use compliance_domain::{Addressee, CaseId, EntityId, RequestOutcome, RequestedItem, UserId};
use serde::Serialize;
use uuid::Uuid;

/// A note written on a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CaseNote {
    /// The note's id (what its `case_noted` audit entry names).
    pub id: Uuid,
    /// The case.
    #[schema(value_type = Uuid)]
    pub case_id: CaseId,
    /// Who wrote it.
    #[schema(value_type = Uuid)]
    pub author: UserId,
    /// When.
    pub written_at: DateTime<Utc>,
    /// SHA-256 over the note's salt and text, hex: what the audit chain keeps of it.
    pub commitment: String,
}

impl From<R::CaseNoteRecord> for CaseNote {
    fn from(record: R::CaseNoteRecord) -> Self {
        let R::CaseNoteRecord {
            id,
            case_id,
            author,
            written_at,
            commitment,
        } = record;
        Self {
            id,
            case_id,
            author,
            written_at,
            commitment,
        }
    }
}

/// A request for information on a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct InformationRequest {
    /// Its id.
    pub id: Uuid,
    /// The case.
    #[schema(value_type = Uuid)]
    pub case_id: CaseId,
    /// The entity.
    #[schema(value_type = String)]
    pub entity_id: EntityId,
    /// Of whom.
    #[schema(value_type = S::Addressee)]
    pub addressee: Addressee,
    /// What, once each.
    #[schema(value_type = Vec<S::RequestedItem>)]
    pub items: Vec<RequestedItem>,
    /// The review note holding the words sent with it (shown in the back office), if any.
    pub note_id: Option<Uuid>,
    /// Who asked.
    #[schema(value_type = Uuid)]
    pub requested_by: UserId,
    /// When.
    pub requested_at: DateTime<Utc>,
    /// Within how many days.
    pub respond_within_days: i16,
    /// Until when.
    pub respond_by: DateTime<Utc>,
    /// `answered` or `withdrawn`; `null` while the case waits on it.
    #[schema(value_type = Option<S::RequestOutcome>)]
    pub outcome: Option<RequestOutcome>,
    /// Who closed it.
    #[schema(value_type = Option<Uuid>)]
    pub closed_by: Option<UserId>,
    /// When.
    pub closed_at: Option<DateTime<Utc>>,
    /// The review note holding the closer's words, if any.
    pub closing_note_id: Option<Uuid>,
}

impl From<R::InformationRequestRecord> for InformationRequest {
    fn from(record: R::InformationRequestRecord) -> Self {
        let R::InformationRequestRecord {
            id,
            case_id,
            entity_id,
            addressee,
            items,
            note_id,
            requested_by,
            requested_at,
            respond_within_days,
            respond_by,
            outcome,
            closed_by,
            closed_at,
            closing_note_id,
        } = record;
        Self {
            id,
            case_id,
            entity_id,
            addressee,
            items,
            note_id,
            requested_by,
            requested_at,
            respond_within_days,
            respond_by,
            outcome,
            closed_by,
            closed_at,
            closing_note_id,
        }
    }
}

/// The request for information a queued case waits on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AwaitingInformation {
    /// The request.
    pub request_id: Uuid,
    /// When it was asked: the customer's clock runs from here.
    pub since: DateTime<Utc>,
    /// Until when they have to answer.
    pub respond_by: DateTime<Utc>,
}

impl From<R::AwaitingInformation> for AwaitingInformation {
    fn from(record: R::AwaitingInformation) -> Self {
        let R::AwaitingInformation {
            request_id,
            since,
            respond_by,
        } = record;
        Self {
            request_id,
            since,
            respond_by,
        }
    }
}
