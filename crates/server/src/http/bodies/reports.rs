//! The bodies of the reports: the review queue's pages, the high-risk list, the summary, the
//! periodic reviews due, and the rules in force.
//!
//! Must not: carry personal data, or be built from anything but the library's records.

use crate::http::schemas as S;
use chrono::{DateTime, Utc};
use compliance_app::records as R;
use compliance_domain::{
    CaseId, CheckStatus, EntityId, Jurisdiction, RiskLevel, RiskScore, RuleCode, RuleRef,
    RuleVersion, UserId, WatchlistMatch,
};
use serde::Serialize;

/// A case in the review queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct QueueItem {
    /// The case.
    #[schema(value_type = uuid::Uuid)]
    pub case_id: CaseId,
    /// The entity.
    #[schema(value_type = String)]
    pub entity_id: EntityId,
    /// Its jurisdiction.
    #[schema(value_type = S::Jurisdiction)]
    pub jurisdiction: Jurisdiction,
    /// The case's status.
    #[schema(value_type = S::CheckStatus)]
    pub status: CheckStatus,
    /// The engine's latest verdict.
    #[schema(value_type = S::CheckStatus)]
    pub engine_status: CheckStatus,
    /// Flagged: the engine's verdict is stricter and unseen.
    pub engine_stricter: bool,
    /// The risk score.
    #[schema(value_type = u8, minimum = 0, maximum = 100)]
    pub risk_score: RiskScore,
    /// Its level.
    #[schema(value_type = S::RiskLevel)]
    pub risk_level: RiskLevel,
    /// A sanctions match.
    pub sanctions_match: bool,
    /// A PEP match.
    pub pep_match: bool,
    /// Who proposed approving it, if anyone.
    #[schema(value_type = Option<uuid::Uuid>)]
    pub approval_proposed_by: Option<UserId>,
    /// The revision to quote when deciding it.
    pub revision: i32,
    /// When the case was opened.
    pub created_at: DateTime<Utc>,
    /// Who works it, if anyone.
    #[schema(value_type = Option<uuid::Uuid>)]
    pub assigned_to: Option<UserId>,
    /// Since when it has had its status: its wait is counted from here.
    pub status_since: DateTime<Utc>,
    /// When that wait reaches the service level of its jurisdiction and status (absent when
    /// none applies).
    pub due_at: Option<DateTime<Utc>>,
    /// Past its service level.
    pub overdue: bool,
    /// The request for information it waits on (the customer's clock), if one is open.
    pub awaiting_information: Option<super::AwaitingInformation>,
}

/// One page of the review queue, and where the next one starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct QueuePage {
    /// The cases, riskiest (flagged first), then oldest.
    pub items: Vec<QueueItem>,
    /// The cursor of the next page; absent on the last page.
    #[schema(value_type = Option<String>)]
    pub next: Option<compliance_app::QueueCursor>,
}

/// An entity whose current case is high-risk or matched a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct HighRiskRecord {
    /// The case.
    #[schema(value_type = uuid::Uuid)]
    pub case_id: CaseId,
    /// The entity.
    #[schema(value_type = String)]
    pub entity_id: EntityId,
    /// Its jurisdiction.
    #[schema(value_type = S::Jurisdiction)]
    pub jurisdiction: Jurisdiction,
    /// The case's status.
    #[schema(value_type = S::CheckStatus)]
    pub status: CheckStatus,
    /// The risk score.
    #[schema(value_type = u8, minimum = 0, maximum = 100)]
    pub risk_score: RiskScore,
    /// Its level.
    #[schema(value_type = S::RiskLevel)]
    pub risk_level: RiskLevel,
    /// The entries matched (kind, list, entry).
    #[schema(value_type = Vec<S::WatchlistMatch>)]
    pub matches: Vec<WatchlistMatch>,
    /// When screened.
    pub screened_at: DateTime<Utc>,
}

/// How many cases have a jurisdiction, status and risk level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SummaryRecord {
    /// The jurisdiction.
    #[schema(value_type = S::Jurisdiction)]
    pub jurisdiction: Jurisdiction,
    /// The status.
    #[schema(value_type = S::CheckStatus)]
    pub status: CheckStatus,
    /// The risk level.
    #[schema(value_type = S::RiskLevel)]
    pub risk_level: RiskLevel,
    /// The number of cases.
    pub cases: i64,
    /// The latest change among them.
    pub last_updated_at: Option<DateTime<Utc>>,
}

/// An approved case whose periodic review is due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ReviewDueRecord {
    /// The case.
    #[schema(value_type = uuid::Uuid)]
    pub case_id: CaseId,
    /// The entity.
    #[schema(value_type = String)]
    pub entity_id: EntityId,
    /// Its jurisdiction.
    #[schema(value_type = S::Jurisdiction)]
    pub jurisdiction: Jurisdiction,
    /// The risk level, which sets the interval.
    #[schema(value_type = S::RiskLevel)]
    pub risk_level: RiskLevel,
    /// When approved.
    pub approved_at: DateTime<Utc>,
    /// When its review fell due.
    pub review_due_at: DateTime<Utc>,
    /// The periodic_review rule version that sets the interval.
    #[schema(value_type = S::RuleRef)]
    pub rule: RuleRef,
    /// The case's revision.
    pub revision: i32,
}

/// A rule version in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RuleRecord {
    /// The code.
    #[schema(value_type = String)]
    pub code: RuleCode,
    /// The version.
    #[schema(value_type = u32, minimum = 1)]
    pub version: RuleVersion,
    /// Its parameters, with its `kind`.
    #[schema(value_type = Object)]
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

impl From<R::QueueItem> for QueueItem {
    fn from(record: R::QueueItem) -> Self {
        let R::QueueItem {
            case_id,
            entity_id,
            jurisdiction,
            status,
            engine_status,
            engine_stricter,
            risk_score,
            risk_level,
            sanctions_match,
            pep_match,
            approval_proposed_by,
            revision,
            created_at,
            assigned_to,
            status_since,
            due_at,
            overdue,
            awaiting_information,
        } = record;
        Self {
            case_id,
            entity_id,
            jurisdiction,
            status,
            engine_status,
            engine_stricter,
            risk_score,
            risk_level,
            sanctions_match,
            pep_match,
            approval_proposed_by,
            revision,
            created_at,
            assigned_to,
            status_since,
            due_at,
            overdue,
            awaiting_information: awaiting_information.map(Into::into),
        }
    }
}

impl From<R::QueuePage> for QueuePage {
    fn from(record: R::QueuePage) -> Self {
        let R::QueuePage { items, next } = record;
        Self {
            items: items.into_iter().map(Into::into).collect(),
            next,
        }
    }
}

impl From<R::HighRiskRecord> for HighRiskRecord {
    fn from(record: R::HighRiskRecord) -> Self {
        let R::HighRiskRecord {
            case_id,
            entity_id,
            jurisdiction,
            status,
            risk_score,
            risk_level,
            matches,
            screened_at,
        } = record;
        Self {
            case_id,
            entity_id,
            jurisdiction,
            status,
            risk_score,
            risk_level,
            matches,
            screened_at,
        }
    }
}

impl From<R::SummaryRecord> for SummaryRecord {
    fn from(record: R::SummaryRecord) -> Self {
        let R::SummaryRecord {
            jurisdiction,
            status,
            risk_level,
            cases,
            last_updated_at,
        } = record;
        Self {
            jurisdiction,
            status,
            risk_level,
            cases,
            last_updated_at,
        }
    }
}

impl From<R::ReviewDueRecord> for ReviewDueRecord {
    fn from(record: R::ReviewDueRecord) -> Self {
        let R::ReviewDueRecord {
            case_id,
            entity_id,
            jurisdiction,
            risk_level,
            approved_at,
            review_due_at,
            rule,
            revision,
        } = record;
        Self {
            case_id,
            entity_id,
            jurisdiction,
            risk_level,
            approved_at,
            review_due_at,
            rule,
            revision,
        }
    }
}

impl From<R::RuleRecord> for RuleRecord {
    fn from(record: R::RuleRecord) -> Self {
        let R::RuleRecord {
            code,
            version,
            parameters,
            effective_from,
            effective_to,
            regulation,
            description,
            // The back office's reading; the API gives the parameters themselves.
            in_words: _,
        } = record;
        Self {
            code,
            version,
            parameters,
            effective_from,
            effective_to,
            regulation,
            description,
        }
    }
}
