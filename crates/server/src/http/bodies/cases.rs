//! The bodies of a case and of what was done to it: the case record with its reasons,
//! a submission's answer, a review's, a cleared match's, a re-screening's, an assignment's.
//!
//! Must not: carry personal data, or be built from anything but the library's records.

use crate::http::schemas as S;
use chrono::{DateTime, Utc};
use compliance_app::records as R;
use compliance_domain::{
    AssignmentAction, CaseId, CheckStatus, EntityId, EntityType, Jurisdiction, RiskLevel,
    RiskScore, RuleCode, RuleRef, RuleVersion, Signals, Stage, UserId, WatchlistVersion,
};
use serde::Serialize;
use uuid::Uuid;

/// What a review did to the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStepTaken {
    /// The status changed.
    Decided,
    /// The first pair of eyes proposed approving an escalation; a second reviewer confirms.
    ApprovalProposed,
    /// The first pair of eyes proposed waiving the evidence the engine holds the case for; a
    /// compliance officer or admin who is someone else confirms.
    WaiverProposed,
}

/// Where a false-positive disposition stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DispositionState {
    /// Proposed by one reviewer; a second, different one confirms.
    Proposed,
    /// Confirmed by a second reviewer: the entry no longer counts against the case.
    Confirmed,
}

/// A case as a caller sees it: the decision, why, and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CaseRecord {
    /// The case's id.
    #[schema(value_type = uuid::Uuid)]
    pub id: CaseId,
    /// The entity.
    #[schema(value_type = String, example = "ae-ind-clean-001")]
    pub entity_id: EntityId,
    /// Its legal form.
    #[schema(value_type = S::EntityType, example = "individual")]
    pub entity_type: EntityType,
    /// Its jurisdiction.
    #[schema(value_type = S::Jurisdiction, example = "AE")]
    pub jurisdiction: Jurisdiction,
    /// The case's number among the entity's cases (1 for the first application).
    pub sequence: i32,
    /// The current status: the engine's, or a reviewer's.
    #[schema(value_type = S::CheckStatus, example = "PENDING")]
    pub status: CheckStatus,
    /// What the engine decided on the current screening.
    #[schema(value_type = S::CheckStatus, example = "PENDING")]
    pub engine_status: CheckStatus,
    /// True when the engine's verdict is stricter than the status and no reviewer has seen it.
    pub engine_stricter: bool,
    /// The current screening's risk score, 0-100.
    #[schema(value_type = u8, minimum = 0, maximum = 100)]
    pub risk_score: RiskScore,
    /// Its level.
    #[schema(value_type = S::RiskLevel, example = "MEDIUM")]
    pub risk_level: RiskLevel,
    /// The rules that fired, in evaluation order.
    pub reasons: Vec<ReasonRecord>,
    /// The signals the case carried (red flags, kinds of list match) that no rule in force
    /// weighed: for a reviewer to look at, since nothing decided on them. Absent for a decision
    /// recorded before the engine listed them.
    #[schema(value_type = Option<S::UnweighedSignals>)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unweighed_signals: Option<Signals>,
    /// The version of the watchlists the current screening used.
    #[schema(value_type = String)]
    pub watchlist_version: WatchlistVersion,
    /// Every rule version the engine evaluated.
    #[schema(value_type = Vec<S::RuleRef>)]
    pub rule_versions: Vec<RuleRef>,
    /// Who set the current status.
    #[schema(value_type = uuid::Uuid)]
    pub decided_by: UserId,
    /// When.
    pub decided_at: DateTime<Utc>,
    /// Who proposed approving it (four eyes: someone else confirms), if anyone.
    #[schema(value_type = Option<uuid::Uuid>)]
    pub approval_proposed_by: Option<UserId>,
    /// Who works it, if anyone (an assignment never changes who may decide it).
    #[schema(value_type = Option<uuid::Uuid>)]
    pub assigned_to: Option<UserId>,
    /// The revision: quote it (the `ETag`) when reviewing.
    pub revision: i32,
    /// When the case was opened.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// A rule that fired, with the regulation it implements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ReasonRecord {
    /// The rule's code.
    #[schema(value_type = String, example = "AE-SANCTIONS-REJECT")]
    pub rule: RuleCode,
    /// Its version.
    #[schema(value_type = u32, minimum = 1)]
    pub version: RuleVersion,
    /// The regulation it implements.
    pub regulation: String,
    /// The part of onboarding it judges.
    #[schema(value_type = S::Stage, example = "aml")]
    pub stage: Stage,
    /// What it concluded.
    #[schema(value_type = S::CheckStatus)]
    pub outcome: CheckStatus,
    /// Why, in one sentence.
    pub explanation: String,
}

/// A submission's answer: the case, and whether it was stored before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Submission {
    /// The case.
    pub case: CaseRecord,
    /// True when nothing new was written: a retry (same idempotency key, or the same inputs as
    /// the entity's current case) answered with the stored case.
    pub replayed: bool,
}

/// What a review did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ReviewOutcome {
    /// `decided` (the status changed), `approval_proposed` or `waiver_proposed` (a second
    /// reviewer confirms).
    pub outcome: ReviewStepTaken,
    /// The case after the review.
    pub case: CaseRecord,
}

/// What clearing a list match did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ClearedMatch {
    /// The disposition's id.
    pub id: Uuid,
    /// `proposed` (a second reviewer confirms) or `confirmed`.
    pub disposition: DispositionState,
    /// The engine's verdict on the case once its confirmed false positives are taken out.
    #[schema(value_type = S::CheckStatus)]
    pub verdict: CheckStatus,
    /// True when this step lifted the engine's rejection (approving is a review of its own).
    pub override_confirmed: bool,
    /// The case's revision after this step (also the `ETag`): quote it for the next one.
    pub revision: i32,
}

/// Who works a case after a claim, an assignment or a release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Assignment {
    /// The case.
    #[schema(value_type = Uuid)]
    pub case_id: CaseId,
    /// What changed: `claimed`, `assigned` or `released`; `null` when the request changed
    /// nothing (a claim of one's own case, a release of an unassigned one).
    #[schema(value_type = Option<S::AssignmentAction>)]
    pub action: Option<AssignmentAction>,
    /// Who works the case now (`null`: nobody).
    #[schema(value_type = Option<Uuid>)]
    pub assignee: Option<UserId>,
    /// When its assignment last changed.
    pub assigned_at: Option<DateTime<Utc>>,
    /// The case's revision now (also the `ETag`): quote it for the next step.
    pub revision: i32,
}

impl From<R::AssignmentRecord> for Assignment {
    fn from(record: R::AssignmentRecord) -> Self {
        let R::AssignmentRecord {
            case_id,
            action,
            assignee,
            assigned_at,
            revision,
        } = record;
        Self {
            case_id,
            action,
            assignee,
            assigned_at,
            revision,
        }
    }
}

/// What a re-screening did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RescreenOutcome {
    /// The status before.
    #[schema(value_type = S::CheckStatus)]
    pub before: CheckStatus,
    /// The engine's verdict once confirmed false positives are taken out.
    #[schema(value_type = S::CheckStatus)]
    pub verdict: CheckStatus,
    /// The case after.
    pub case: CaseRecord,
    /// True when nothing new was written: the same screening, under the same rules, as the
    /// case already rests on (a retry).
    pub replayed: bool,
}

impl From<R::CaseRecord> for CaseRecord {
    fn from(record: R::CaseRecord) -> Self {
        let R::CaseRecord {
            id,
            entity_id,
            entity_type,
            jurisdiction,
            sequence,
            status,
            engine_status,
            engine_stricter,
            risk_score,
            risk_level,
            reasons,
            unweighed_signals,
            watchlist_version,
            rule_versions,
            decided_by,
            decided_at,
            approval_proposed_by,
            assigned_to,
            revision,
            created_at,
            updated_at,
        } = record;
        Self {
            id,
            entity_id,
            entity_type,
            jurisdiction,
            sequence,
            status,
            engine_status,
            engine_stricter,
            risk_score,
            risk_level,
            reasons: reasons.into_iter().map(Into::into).collect(),
            unweighed_signals,
            watchlist_version,
            rule_versions,
            decided_by,
            decided_at,
            approval_proposed_by,
            assigned_to,
            revision,
            created_at,
            updated_at,
        }
    }
}

impl From<R::ReasonRecord> for ReasonRecord {
    fn from(record: R::ReasonRecord) -> Self {
        let R::ReasonRecord {
            rule,
            version,
            regulation,
            stage,
            outcome,
            explanation,
        } = record;
        Self {
            rule,
            version,
            regulation,
            stage,
            outcome,
            explanation,
        }
    }
}

impl From<R::Submission> for Submission {
    fn from(record: R::Submission) -> Self {
        let R::Submission { case, replayed } = record;
        Self {
            case: case.into(),
            replayed,
        }
    }
}

impl From<R::ReviewOutcome> for ReviewOutcome {
    fn from(record: R::ReviewOutcome) -> Self {
        let R::ReviewOutcome { outcome, case } = record;
        Self {
            outcome: match outcome {
                R::ReviewStepTaken::Decided => ReviewStepTaken::Decided,
                R::ReviewStepTaken::ApprovalProposed => ReviewStepTaken::ApprovalProposed,
                R::ReviewStepTaken::WaiverProposed => ReviewStepTaken::WaiverProposed,
            },
            case: case.into(),
        }
    }
}

impl From<R::ClearedMatch> for ClearedMatch {
    fn from(record: R::ClearedMatch) -> Self {
        let R::ClearedMatch {
            id,
            disposition,
            verdict,
            override_confirmed,
            revision,
        } = record;
        Self {
            id,
            disposition: match disposition {
                R::DispositionState::Proposed => DispositionState::Proposed,
                R::DispositionState::Confirmed => DispositionState::Confirmed,
            },
            verdict,
            override_confirmed,
            revision,
        }
    }
}

impl From<R::RescreenOutcome> for RescreenOutcome {
    fn from(record: R::RescreenOutcome) -> Self {
        let R::RescreenOutcome {
            before,
            verdict,
            case,
            replayed,
        } = record;
        Self {
            before,
            verdict,
            case: case.into(),
            replayed,
        }
    }
}
