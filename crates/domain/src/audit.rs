//! Audit events: who did what to which record, and the status before and after.
//!
//! Must not: carry personal data. Details hold ids, codes, scores and reasons a reviewer typed,
//! never names, addresses or document numbers. Events are appended, never changed: the
//! database refuses UPDATE and DELETE on `audit_logs` and chains each row's hash to the last.

use crate::{CheckStatus, EntityId, Transition, UserId};

crate::text_enum! {
    /// What happened.
    #[strum(serialize_all = "snake_case")]
    pub enum AuditAction as "audit action" {
        /// A user was created.
        UserCreated,
        /// A user's role or activation changed (written by the database's trigger on `users`,
        /// whoever made the change, the repository or raw SQL).
        UserUpdated,
        /// A rule version was published.
        RulePublished,
        /// A rule version was closed (its effective period ended) for the next one to take over.
        RuleClosed,
        /// A KYC check was recorded.
        KycRecorded,
        /// An AML screening was recorded.
        AmlRecorded,
        /// The engine decided a new case.
        DecisionRecorded,
        /// A case's status changed (by the engine on re-screening, or by a reviewer).
        StatusChanged,
        /// The first of two reviewers proposed approving an escalated case.
        ApprovalProposed,
        /// A re-screening re-evaluated an approved case without changing its status.
        Rescreened,
        /// A wallet was put under monitoring for an entity.
        WalletWatched,
        /// A watched wallet's monitoring was turned off or on again.
        WalletUpdated,
        /// A transaction seen on a watched wallet was recorded (PENDING, awaiting a decision).
        TransactionRecorded,
        /// A reviewer proposed clearing a matched list entry of a case as a false positive.
        FalsePositiveProposed,
        /// A second reviewer confirmed a proposed false positive.
        FalsePositiveConfirmed,
        /// The confirmed false positives now override the engine's rejection of a case.
        OverrideConfirmed,
        /// A review note's text was erased (the chain keeps its commitment).
        NoteErased,
        /// An API token was created for a user (its secret is never recorded).
        ApiTokenCreated,
        /// An API token was revoked.
        ApiTokenRevoked,
        /// A person's back-office password was set (the hash is never recorded).
        PasswordSet,
        /// A watchlist version was imported (its list, label, content hash and entry count).
        WatchlistImported,
        /// A screening subject revision was recorded (its commitment, never its content).
        SubjectRecorded,
        /// A screening subject revision was erased at the end of its record-keeping period.
        SubjectErased,
        /// An admin created an endpoint events are delivered to (its secret is never recorded).
        EndpointCreated,
        /// An admin changed an endpoint: what it receives, its activation, or its secret
        /// (rotated; never recorded).
        EndpointUpdated,
        /// An admin asked for deliveries to an endpoint to be sent again.
        EventsReplayed,
        /// A monitoring job screened the base against a list version: its Merkle root, size
        /// and counts.
        ScreeningJobCompleted,
        /// An entity's case was flagged for review: an entry its screening matched left the
        /// list (a removal never relaxes a case by itself).
        DelistingFlagged,
        /// A reviewer claimed a case in the review queue (details: the previous assignee).
        CaseClaimed,
        /// An admin or compliance officer assigned a case to a reviewer (details: the assignee
        /// and the previous one).
        CaseAssigned,
        /// A case was left unassigned (details: the previous assignee).
        CaseReleased,
        /// An entity's periodic review fell due and its subject was screened against every
        /// list's current version (the case re-screened when the screening changed it).
        ReviewScreened,
        /// A reviewer wrote a note on a case without deciding it (details: the case, the
        /// note's id and commitment; its text is a review note, outside the chain).
        CaseNoted,
        /// A reviewer asked for information a case waits on (details: the case, of whom, what,
        /// and until when).
        InformationRequested,
        /// A request for information was answered.
        InformationAnswered,
        /// A request for information was withdrawn.
        InformationWithdrawn,
        /// A compliance officer or admin published a service-level target (details: the
        /// jurisdiction, status, hours, start, and the target it replaces).
        ServiceLevelPublished,
        /// A compliance officer or admin reviewed a delisting flag on a case (details: the job,
        /// the entry, the note with their conclusion); the case is unchanged.
        DelistingReviewed,
        /// A beneficial owner of a corporate or a fund was recorded (details: the owner's
        /// entity id and the share of ownership, in percent).
        OwnerRecorded,
    }
}

crate::text_enum! {
    /// The kind of record an event is about (the table it lives in).
    #[strum(serialize_all = "snake_case")]
    pub enum SubjectKind as "audit subject" {
        /// A row of `users`.
        User,
        /// A row of `compliance_rules`.
        ComplianceRule,
        /// A row of `kyc_checks`.
        KycCheck,
        /// A row of `aml_checks`.
        AmlCheck,
        /// A row of `compliance_checks`.
        ComplianceCheck,
        /// A row of `blockchain_transactions`.
        BlockchainTransaction,
        /// A row of `blockchain_monitoring` (a watched wallet).
        BlockchainMonitoring,
        /// A row of `false_positives`.
        FalsePositive,
        /// A row of `review_notes`.
        ReviewNote,
        /// A row of `api_tokens`.
        ApiToken,
        /// A row of `watchlist_versions`.
        WatchlistVersion,
        /// A row of `screening_subjects`.
        ScreeningSubject,
        /// A row of `event_endpoints`.
        EventEndpoint,
        /// A row of `screening_jobs`.
        ScreeningJob,
        /// A row of `information_requests`.
        InformationRequest,
        /// A row of `service_levels`.
        ServiceLevel,
        /// A row of `beneficial_owners`.
        BeneficialOwner,
    }
}

/// Why an audit event is malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditError {
    /// `status_changed` built without its transition.
    #[error("a status_changed event records a transition: build it with AuditEvent::status_change")]
    MissingTransition,
    /// Details that are not a JSON object.
    #[error("audit details must be a JSON object")]
    DetailsNotAnObject,
}

/// One thing that happened, as the audit log records it. A status change always carries an
/// allowed [`Transition`]; no other event carries one.
///
/// ```
/// use compliance_domain::*;
/// let actor = UserId::from_uuid(uuid::Uuid::from_u128(1));
/// let case = uuid::Uuid::from_u128(9);
/// let transition = CheckStatus::Approved.transition_to(CheckStatus::Rejected, Trigger::Engine)?;
/// let event = AuditEvent::status_change(actor, SubjectKind::ComplianceCheck, case, transition)
///     .with_entity(EntityId::parse("ae-ind-clean-001")?)
///     .with_details(serde_json::json!({"reason": "re-screening: sanctions match"}))?;
/// assert_eq!(event.old_status(), Some(CheckStatus::Approved));
/// assert_eq!(event.new_status(), Some(CheckStatus::Rejected));
/// assert!(AuditEvent::new(actor, AuditAction::StatusChanged, SubjectKind::ComplianceCheck, case).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditEvent {
    actor: UserId,
    action: AuditAction,
    subject_kind: SubjectKind,
    subject_id: uuid::Uuid,
    entity_id: Option<EntityId>,
    transition: Option<Transition>,
    details: serde_json::Map<String, serde_json::Value>,
}

impl AuditEvent {
    /// An event that changes no status; `status_changed` is refused here (use
    /// [`AuditEvent::status_change`]).
    pub fn new(
        actor: UserId,
        action: AuditAction,
        subject_kind: SubjectKind,
        subject_id: uuid::Uuid,
    ) -> Result<Self, AuditError> {
        if action == AuditAction::StatusChanged {
            return Err(AuditError::MissingTransition);
        }
        Ok(Self::build(actor, action, subject_kind, subject_id, None))
    }

    /// A `status_changed` event for an allowed transition.
    pub fn status_change(
        actor: UserId,
        subject_kind: SubjectKind,
        subject_id: uuid::Uuid,
        transition: Transition,
    ) -> Self {
        Self::build(
            actor,
            AuditAction::StatusChanged,
            subject_kind,
            subject_id,
            Some(transition),
        )
    }

    fn build(
        actor: UserId,
        action: AuditAction,
        subject_kind: SubjectKind,
        subject_id: uuid::Uuid,
        transition: Option<Transition>,
    ) -> Self {
        Self {
            actor,
            action,
            subject_kind,
            subject_id,
            entity_id: None,
            transition,
            details: serde_json::Map::new(),
        }
    }

    /// Names the onboarded entity the event concerns.
    pub fn with_entity(mut self, entity_id: EntityId) -> Self {
        self.entity_id = Some(entity_id);
        self
    }

    /// Sets the details, which must be a JSON object.
    pub fn with_details(mut self, details: serde_json::Value) -> Result<Self, AuditError> {
        match details {
            serde_json::Value::Object(map) => {
                self.details = map;
                Ok(self)
            }
            _ => Err(AuditError::DetailsNotAnObject),
        }
    }

    /// Who acted.
    pub fn actor(&self) -> UserId {
        self.actor
    }

    /// What happened.
    pub fn action(&self) -> AuditAction {
        self.action
    }

    /// The kind of record concerned.
    pub fn subject_kind(&self) -> SubjectKind {
        self.subject_kind
    }

    /// The id of the record concerned.
    pub fn subject_id(&self) -> uuid::Uuid {
        self.subject_id
    }

    /// The onboarded entity concerned, if any.
    pub fn entity_id(&self) -> Option<&EntityId> {
        self.entity_id.as_ref()
    }

    /// The status change recorded, if any.
    pub fn transition(&self) -> Option<Transition> {
        self.transition
    }

    /// The status before, for a status change.
    pub fn old_status(&self) -> Option<CheckStatus> {
        self.transition.map(|t| t.from)
    }

    /// The status after, for a status change.
    pub fn new_status(&self) -> Option<CheckStatus> {
        self.transition.map(|t| t.to)
    }

    /// The details object.
    pub fn details(&self) -> &serde_json::Map<String, serde_json::Value> {
        &self.details
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Trigger;

    #[test]
    fn status_changes_carry_their_transition_and_only_they_do() {
        let (actor, id) = (UserId::from_uuid(uuid::Uuid::nil()), uuid::Uuid::nil());
        let t = CheckStatus::Pending
            .transition_to(CheckStatus::Approved, Trigger::Reviewer)
            .unwrap();
        assert_eq!(
            AuditEvent::new(
                actor,
                AuditAction::StatusChanged,
                SubjectKind::ComplianceCheck,
                id
            ),
            Err(AuditError::MissingTransition)
        );
        let change = AuditEvent::status_change(actor, SubjectKind::ComplianceCheck, id, t);
        assert_eq!(change.action(), AuditAction::StatusChanged);
        assert_eq!(
            (change.old_status(), change.new_status()),
            (Some(CheckStatus::Pending), Some(CheckStatus::Approved))
        );
        let kyc =
            AuditEvent::new(actor, AuditAction::KycRecorded, SubjectKind::KycCheck, id).unwrap();
        assert_eq!(kyc.transition(), None);
    }

    #[test]
    fn details_must_be_an_object() {
        let event = AuditEvent::new(
            UserId::from_uuid(uuid::Uuid::nil()),
            AuditAction::KycRecorded,
            SubjectKind::KycCheck,
            uuid::Uuid::nil(),
        )
        .unwrap();
        assert_eq!(
            event.with_details(serde_json::json!([1])),
            Err(AuditError::DetailsNotAnObject)
        );
    }
}
