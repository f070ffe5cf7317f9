//! What [`crate::Compliance`] answers with: plain, serializable records of domain values,
//! converted from the persistence layer's types inside this crate, so that a caller (and the
//! HTTP layer's JSON) never sees a row type.
//!
//! Must not: carry personal data (names, e-mail addresses, document numbers, review texts):
//! records hold ids, codes, scores and the engine's sentences.

#[cfg(feature = "api")]
use crate::http::schemas as S;
use chrono::{DateTime, Utc};
use compliance_domain::{
    AuditAction, CheckStatus, EntityId, EntityType, Jurisdiction, RiskLevel, RiskScore, RuleCode,
    RuleRef, RuleVersion, Signals, Stage, SubjectKind, UserId, WatchlistMatch, WatchlistVersion,
};
use serde::Serialize;
use uuid::Uuid;

/// A case as a caller sees it: the decision, why, and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "api", derive(utoipa::ToSchema))]
pub struct CaseRecord {
    /// The case's id.
    pub id: Uuid,
    /// The entity.
    #[cfg_attr(feature = "api", schema(value_type = String, example = "ae-ind-clean-001"))]
    pub entity_id: EntityId,
    /// Its legal form.
    #[cfg_attr(feature = "api", schema(value_type = S::EntityType, example = "individual"))]
    pub entity_type: EntityType,
    /// Its jurisdiction.
    #[cfg_attr(feature = "api", schema(value_type = S::Jurisdiction, example = "AE"))]
    pub jurisdiction: Jurisdiction,
    /// The case's number among the entity's cases (1 for the first application).
    pub sequence: i32,
    /// The current status: the engine's, or a reviewer's.
    #[cfg_attr(feature = "api", schema(value_type = S::CheckStatus, example = "PENDING"))]
    pub status: CheckStatus,
    /// What the engine decided on the current screening.
    #[cfg_attr(feature = "api", schema(value_type = S::CheckStatus, example = "PENDING"))]
    pub engine_status: CheckStatus,
    /// True when the engine's verdict is stricter than the status and no reviewer has seen it.
    pub engine_stricter: bool,
    /// The current screening's risk score, 0-100.
    #[cfg_attr(feature = "api", schema(value_type = u8, minimum = 0, maximum = 100))]
    pub risk_score: RiskScore,
    /// Its level.
    #[cfg_attr(feature = "api", schema(value_type = S::RiskLevel, example = "MEDIUM"))]
    pub risk_level: RiskLevel,
    /// The rules that fired, in evaluation order.
    pub reasons: Vec<ReasonRecord>,
    /// The signals the case carried (red flags, kinds of list match) that no rule in force
    /// weighed: for a reviewer to look at, since nothing decided on them. Absent for a decision
    /// recorded before the engine listed them.
    #[cfg_attr(feature = "api", schema(value_type = Option<S::UnweighedSignals>))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unweighed_signals: Option<Signals>,
    /// The version of the watchlists the current screening used.
    #[cfg_attr(feature = "api", schema(value_type = String))]
    pub watchlist_version: WatchlistVersion,
    /// Every rule version the engine evaluated.
    #[cfg_attr(feature = "api", schema(value_type = Vec<S::RuleRef>))]
    pub rule_versions: Vec<RuleRef>,
    /// Who set the current status.
    #[cfg_attr(feature = "api", schema(value_type = uuid::Uuid))]
    pub decided_by: UserId,
    /// When.
    pub decided_at: DateTime<Utc>,
    /// Who proposed approving it (four eyes: someone else confirms), if anyone.
    #[cfg_attr(feature = "api", schema(value_type = Option<uuid::Uuid>))]
    pub approval_proposed_by: Option<UserId>,
    /// The revision: quote it (the `ETag`) when reviewing.
    pub revision: i32,
    /// When the case was opened.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// A rule that fired, with the regulation it implements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "api", derive(utoipa::ToSchema))]
pub struct ReasonRecord {
    /// The rule's code.
    #[cfg_attr(feature = "api", schema(value_type = String, example = "AE-SANCTIONS-REJECT"))]
    pub rule: RuleCode,
    /// Its version.
    #[cfg_attr(feature = "api", schema(value_type = u32, minimum = 1))]
    pub version: RuleVersion,
    /// The regulation it implements.
    pub regulation: String,
    /// The part of onboarding it judges.
    #[cfg_attr(feature = "api", schema(value_type = S::Stage, example = "aml"))]
    pub stage: Stage,
    /// What it concluded.
    #[cfg_attr(feature = "api", schema(value_type = S::CheckStatus))]
    pub outcome: CheckStatus,
    /// Why, in one sentence.
    pub explanation: String,
}

/// A submission's answer: the case, and whether it was stored before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "api", derive(utoipa::ToSchema))]
pub struct Submission {
    /// The case.
    pub case: CaseRecord,
    /// True when nothing new was written: a retry (same idempotency key, or the same inputs as
    /// the entity's current case) answered with the stored case.
    pub replayed: bool,
}

/// What a review did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "api", derive(utoipa::ToSchema))]
pub struct ReviewOutcome {
    /// `decided` (the status changed) or `approval_proposed` (a second reviewer confirms).
    #[cfg_attr(feature = "api", schema(schema_with = S::review_outcome))]
    pub outcome: &'static str,
    /// The case after the review.
    pub case: CaseRecord,
}

/// What clearing a list match did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "api", derive(utoipa::ToSchema))]
pub struct ClearedMatch {
    /// The disposition's id.
    pub id: Uuid,
    /// `proposed` (a second reviewer confirms) or `confirmed`.
    #[cfg_attr(feature = "api", schema(schema_with = S::disposition))]
    pub disposition: &'static str,
    /// The engine's verdict on the case once its confirmed false positives are taken out.
    #[cfg_attr(feature = "api", schema(value_type = S::CheckStatus))]
    pub verdict: CheckStatus,
    /// True when this step lifted the engine's rejection (approving is a review of its own).
    pub override_confirmed: bool,
}

/// What a re-screening did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "api", derive(utoipa::ToSchema))]
pub struct RescreenOutcome {
    /// The status before.
    #[cfg_attr(feature = "api", schema(value_type = S::CheckStatus))]
    pub before: CheckStatus,
    /// The engine's verdict once confirmed false positives are taken out.
    #[cfg_attr(feature = "api", schema(value_type = S::CheckStatus))]
    pub verdict: CheckStatus,
    /// The case after.
    pub case: CaseRecord,
}

/// A case in the review queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "api", derive(utoipa::ToSchema))]
pub struct QueueItem {
    /// The case.
    pub case_id: Uuid,
    /// The entity.
    #[cfg_attr(feature = "api", schema(value_type = String))]
    pub entity_id: EntityId,
    /// Its jurisdiction.
    #[cfg_attr(feature = "api", schema(value_type = S::Jurisdiction))]
    pub jurisdiction: Jurisdiction,
    /// The case's status.
    #[cfg_attr(feature = "api", schema(value_type = S::CheckStatus))]
    pub status: CheckStatus,
    /// The engine's latest verdict.
    #[cfg_attr(feature = "api", schema(value_type = S::CheckStatus))]
    pub engine_status: CheckStatus,
    /// Flagged: the engine's verdict is stricter and unseen.
    pub engine_stricter: bool,
    /// The risk score.
    #[cfg_attr(feature = "api", schema(value_type = u8, minimum = 0, maximum = 100))]
    pub risk_score: RiskScore,
    /// Its level.
    #[cfg_attr(feature = "api", schema(value_type = S::RiskLevel))]
    pub risk_level: RiskLevel,
    /// A sanctions match.
    pub sanctions_match: bool,
    /// A PEP match.
    pub pep_match: bool,
    /// Who proposed approving it, if anyone.
    #[cfg_attr(feature = "api", schema(value_type = Option<uuid::Uuid>))]
    pub approval_proposed_by: Option<UserId>,
    /// The revision to quote when deciding it.
    pub revision: i32,
    /// When the case was opened.
    pub created_at: DateTime<Utc>,
}

/// One page of the review queue, and where the next one starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "api", derive(utoipa::ToSchema))]
pub struct QueuePage {
    /// The cases, riskiest (flagged first), then oldest.
    pub items: Vec<QueueItem>,
    /// The cursor of the next page; absent on the last page.
    #[cfg_attr(feature = "api", schema(value_type = Option<String>))]
    pub next: Option<super::QueueCursor>,
}

/// An entity whose current case is high-risk or matched a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "api", derive(utoipa::ToSchema))]
pub struct HighRiskRecord {
    /// The case.
    pub case_id: Uuid,
    /// The entity.
    #[cfg_attr(feature = "api", schema(value_type = String))]
    pub entity_id: EntityId,
    /// Its jurisdiction.
    #[cfg_attr(feature = "api", schema(value_type = S::Jurisdiction))]
    pub jurisdiction: Jurisdiction,
    /// The case's status.
    #[cfg_attr(feature = "api", schema(value_type = S::CheckStatus))]
    pub status: CheckStatus,
    /// The risk score.
    #[cfg_attr(feature = "api", schema(value_type = u8, minimum = 0, maximum = 100))]
    pub risk_score: RiskScore,
    /// Its level.
    #[cfg_attr(feature = "api", schema(value_type = S::RiskLevel))]
    pub risk_level: RiskLevel,
    /// The entries matched (kind, list, entry).
    #[cfg_attr(feature = "api", schema(value_type = Vec<S::WatchlistMatch>))]
    pub matches: Vec<WatchlistMatch>,
    /// When screened.
    pub screened_at: DateTime<Utc>,
}

/// How many cases have a jurisdiction, status and risk level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "api", derive(utoipa::ToSchema))]
pub struct SummaryRecord {
    /// The jurisdiction.
    #[cfg_attr(feature = "api", schema(value_type = S::Jurisdiction))]
    pub jurisdiction: Jurisdiction,
    /// The status.
    #[cfg_attr(feature = "api", schema(value_type = S::CheckStatus))]
    pub status: CheckStatus,
    /// The risk level.
    #[cfg_attr(feature = "api", schema(value_type = S::RiskLevel))]
    pub risk_level: RiskLevel,
    /// The number of cases.
    pub cases: i64,
    /// The latest change among them.
    pub last_updated_at: Option<DateTime<Utc>>,
}

/// An approved case whose periodic review is due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "api", derive(utoipa::ToSchema))]
pub struct ReviewDueRecord {
    /// The case.
    pub case_id: Uuid,
    /// The entity.
    #[cfg_attr(feature = "api", schema(value_type = String))]
    pub entity_id: EntityId,
    /// Its jurisdiction.
    #[cfg_attr(feature = "api", schema(value_type = S::Jurisdiction))]
    pub jurisdiction: Jurisdiction,
    /// The risk level, which sets the interval.
    #[cfg_attr(feature = "api", schema(value_type = S::RiskLevel))]
    pub risk_level: RiskLevel,
    /// When approved.
    pub approved_at: DateTime<Utc>,
    /// When its review fell due.
    pub review_due_at: DateTime<Utc>,
    /// The periodic_review rule version that sets the interval.
    #[cfg_attr(feature = "api", schema(value_type = S::RuleRef))]
    pub rule: RuleRef,
    /// The case's revision.
    pub revision: i32,
}

/// One entry of the audit log, with its place in the hash chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "api", derive(utoipa::ToSchema))]
pub struct AuditRecord {
    /// Its position in the chain (the entry's id).
    pub position: i64,
    /// Who acted.
    #[cfg_attr(feature = "api", schema(value_type = uuid::Uuid))]
    pub actor: UserId,
    /// What happened.
    #[cfg_attr(feature = "api", schema(value_type = S::AuditAction, example = "decision_recorded"))]
    pub action: AuditAction,
    /// The kind of record concerned.
    #[cfg_attr(feature = "api", schema(value_type = S::SubjectKind, example = "compliance_check"))]
    pub subject_kind: SubjectKind,
    /// Its id.
    pub subject_id: Uuid,
    /// Status before, for a status change.
    #[cfg_attr(feature = "api", schema(value_type = Option<S::CheckStatus>))]
    pub old_status: Option<CheckStatus>,
    /// Status after, for a status change.
    #[cfg_attr(feature = "api", schema(value_type = Option<S::CheckStatus>))]
    pub new_status: Option<CheckStatus>,
    /// Ids, codes and commitments (never a reviewer's words).
    #[cfg_attr(feature = "api", schema(value_type = Object))]
    pub details: serde_json::Value,
    /// When.
    pub created_at: DateTime<Utc>,
    /// The entry's chained SHA-256, hex.
    pub hash: String,
}

/// A rule version in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "api", derive(utoipa::ToSchema))]
pub struct RuleRecord {
    /// The code.
    #[cfg_attr(feature = "api", schema(value_type = String))]
    pub code: RuleCode,
    /// The version.
    #[cfg_attr(feature = "api", schema(value_type = u32, minimum = 1))]
    pub version: RuleVersion,
    /// Its parameters, with its `kind`.
    #[cfg_attr(feature = "api", schema(value_type = Object))]
    pub parameters: serde_json::Value,
    /// In force from (inclusive).
    pub effective_from: DateTime<Utc>,
    /// In force until (exclusive); absent while open-ended.
    pub effective_to: Option<DateTime<Utc>>,
    /// The regulation it implements.
    pub regulation: String,
    /// What it does, in one sentence.
    pub description: String,
}
