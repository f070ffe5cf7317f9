//! The decision API's response bodies: the wire form of what `compliance_app::Compliance`
//! answers with, each with its OpenAPI schema. The library's records may grow; what a client
//! receives changes only here. Each body is built from its record by destructuring every field
//! (`From`), so a field added to a record is a compile error here until the API decides to
//! show it.
//!
//! Must not: carry personal data, or be built from anything but the library's records.

use super::schemas as S;
use chrono::{DateTime, Utc};
use compliance_app::records as R;
use compliance_domain::{
    AuditAction, CheckStatus, EntityId, EntityType, Jurisdiction, RiskLevel, RiskScore, RuleCode,
    RuleRef, RuleVersion, Stage, SubjectKind, UserId, WatchlistMatch, WatchlistVersion,
};
use serde::Serialize;
use uuid::Uuid;

/// A case as a caller sees it: the decision, why, and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CaseRecord {
    /// The case's id.
    pub id: Uuid,
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
    /// `decided` (the status changed) or `approval_proposed` (a second reviewer confirms).
    #[schema(schema_with = S::review_outcome)]
    pub outcome: &'static str,
    /// The case after the review.
    pub case: CaseRecord,
}

/// What clearing a list match did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ClearedMatch {
    /// The disposition's id.
    pub id: Uuid,
    /// `proposed` (a second reviewer confirms) or `confirmed`.
    #[schema(schema_with = S::disposition)]
    pub disposition: &'static str,
    /// The engine's verdict on the case once its confirmed false positives are taken out.
    #[schema(value_type = S::CheckStatus)]
    pub verdict: CheckStatus,
    /// True when this step lifted the engine's rejection (approving is a review of its own).
    pub override_confirmed: bool,
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
}

/// A case in the review queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct QueueItem {
    /// The case.
    pub case_id: Uuid,
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
    pub case_id: Uuid,
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
    pub case_id: Uuid,
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

/// One entry of the audit log, with its place in the hash chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AuditRecord {
    /// Its position in the chain (the entry's id).
    pub position: i64,
    /// Who acted.
    #[schema(value_type = uuid::Uuid)]
    pub actor: UserId,
    /// What happened.
    #[schema(value_type = S::AuditAction, example = "decision_recorded")]
    pub action: AuditAction,
    /// The kind of record concerned.
    #[schema(value_type = S::SubjectKind, example = "compliance_check")]
    pub subject_kind: SubjectKind,
    /// Its id.
    pub subject_id: Uuid,
    /// Status before, for a status change.
    #[schema(value_type = Option<S::CheckStatus>)]
    pub old_status: Option<CheckStatus>,
    /// Status after, for a status change.
    #[schema(value_type = Option<S::CheckStatus>)]
    pub new_status: Option<CheckStatus>,
    /// Ids, codes and commitments (never a reviewer's words).
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    /// When.
    pub created_at: DateTime<Utc>,
    /// The entry's chained SHA-256, hex.
    pub hash: String,
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
            watchlist_version,
            rule_versions,
            decided_by,
            decided_at,
            approval_proposed_by,
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
            watchlist_version,
            rule_versions,
            decided_by,
            decided_at,
            approval_proposed_by,
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
            outcome,
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
        } = record;
        Self {
            id,
            disposition,
            verdict,
            override_confirmed,
        }
    }
}

impl From<R::RescreenOutcome> for RescreenOutcome {
    fn from(record: R::RescreenOutcome) -> Self {
        let R::RescreenOutcome {
            before,
            verdict,
            case,
        } = record;
        Self {
            before,
            verdict,
            case: case.into(),
        }
    }
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

impl From<R::AuditRecord> for AuditRecord {
    fn from(record: R::AuditRecord) -> Self {
        let R::AuditRecord {
            position,
            actor,
            action,
            subject_kind,
            subject_id,
            old_status,
            new_status,
            details,
            created_at,
            hash,
        } = record;
        Self {
            position,
            actor,
            action,
            subject_kind,
            subject_id,
            old_status,
            new_status,
            details,
            created_at,
            hash,
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

/// Whether the service can do its work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HealthStatus {
    /// Everything is as it should be.
    Ok,
    /// The database is unreachable, busy, or behind on migrations.
    Degraded,
}

/// What the service's database answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DatabaseState {
    /// A connection answered `SELECT 1`.
    Connected,
    /// Every pooled connection stayed in use for the connect timeout.
    Busy,
    /// No connection could be opened, or it did not answer.
    Unreachable,
}

/// What went wrong, as a category (never the driver's text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HealthProblem {
    /// No connection could be opened.
    Unreachable,
    /// Every pooled connection stayed in use for the connect timeout.
    PoolExhausted,
    /// A connection was opened but `SELECT 1` failed.
    QueryFailed,
    /// Migrations are pending.
    MigrationsPending,
    /// The role may not read the migrations table.
    PermissionDenied,
    /// The migrations could not be read for another reason.
    MigrationsUnreadable,
}

/// The migrations the database has and lacks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MigrationHealth {
    /// How many are applied.
    pub applied: usize,
    /// How many are pending.
    pub pending: usize,
    /// The latest applied version.
    pub latest: Option<String>,
}

/// The connection pool's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PoolFigures {
    /// Largest number of connections.
    pub max: u32,
    /// Connections open now.
    pub open: u32,
    /// Open connections not in use.
    pub idle: u32,
}

/// The health report: public, so it names no host, database or user (the log does).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok`, or `degraded` when the database is unreachable, busy or behind on migrations.
    pub status: HealthStatus,
    /// What the database answered.
    pub database: DatabaseState,
    /// Round trip of `SELECT 1`, in microseconds, when connected.
    pub latency_us: Option<u64>,
    /// The migrations, when connected.
    pub migrations: Option<MigrationHealth>,
    /// The pool.
    pub pool: PoolFigures,
    /// What failed, when something did.
    pub error: Option<HealthProblem>,
    /// What to do about it, in our own words.
    pub hint: Option<String>,
    /// This build's version.
    pub version: &'static str,
}

impl From<compliance_app::health::Health> for Health {
    fn from(health: compliance_app::health::Health) -> Self {
        use compliance_app::health as H;
        let H::Health {
            status,
            database,
            latency_us,
            migrations,
            pool,
            error,
            hint,
            version,
        } = health;
        Self {
            status: match status {
                H::HealthStatus::Ok => HealthStatus::Ok,
                H::HealthStatus::Degraded => HealthStatus::Degraded,
            },
            database: match database {
                H::DatabaseState::Connected => DatabaseState::Connected,
                H::DatabaseState::Busy => DatabaseState::Busy,
                H::DatabaseState::Unreachable => DatabaseState::Unreachable,
            },
            latency_us,
            migrations: migrations.map(|m| {
                let H::MigrationHealth {
                    applied,
                    pending,
                    latest,
                } = m;
                MigrationHealth {
                    applied,
                    pending,
                    latest,
                }
            }),
            pool: PoolFigures {
                max: pool.max,
                open: pool.open,
                idle: pool.idle,
            },
            error: error.map(|p| match p {
                H::Problem::Unreachable => HealthProblem::Unreachable,
                H::Problem::PoolExhausted => HealthProblem::PoolExhausted,
                H::Problem::QueryFailed => HealthProblem::QueryFailed,
                H::Problem::MigrationsPending => HealthProblem::MigrationsPending,
                H::Problem::PermissionDenied => HealthProblem::PermissionDenied,
                H::Problem::MigrationsUnreadable => HealthProblem::MigrationsUnreadable,
            }),
            hint,
            version,
        }
    }
}
