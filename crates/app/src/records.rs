//! What [`crate::Compliance`] answers with: plain, serializable records of domain values,
//! converted from the persistence layer's types inside this crate, so that a caller (and the
//! HTTP layer's JSON) never sees a row type.
//!
//! Must not: carry personal data (names, e-mail addresses, document numbers, review texts):
//! records hold ids, codes, scores and the engine's sentences. A watched wallet's address and a
//! transaction's hash are the on-chain references its caller sent, shown to the roles that may
//! read wallets; never a transaction's amount or counterparty.

use chrono::{DateTime, Utc};
use compliance_domain::{
    AuditAction, CaseId, CheckStatus, EntityId, EntityType, Jurisdiction, RiskLevel, RiskScore,
    RuleCode, RuleRef, RuleVersion, Signals, Stage, SubjectKind, UserId, WatchlistMatch,
    WatchlistVersion,
};
use serde::Serialize;
use uuid::Uuid;

mod owners;
pub use owners::{CurrentCase, OwnerRecord, OwnershipRecord};

/// A case as a caller sees it: the decision, why, and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseRecord {
    /// The case's id.
    pub id: CaseId,
    /// The entity.
    pub entity_id: EntityId,
    /// Its legal form.
    pub entity_type: EntityType,
    /// Its jurisdiction.
    pub jurisdiction: Jurisdiction,
    /// The case's number among the entity's cases (1 for the first application).
    pub sequence: i32,
    /// The current status: the engine's, or a reviewer's.
    pub status: CheckStatus,
    /// What the engine decided on the current screening.
    pub engine_status: CheckStatus,
    /// True when the engine's verdict is stricter than the status and no reviewer has seen it.
    pub engine_stricter: bool,
    /// The current screening's risk score, 0-100.
    pub risk_score: RiskScore,
    /// Its level.
    pub risk_level: RiskLevel,
    /// The rules that fired, in evaluation order.
    pub reasons: Vec<ReasonRecord>,
    /// The signals the case carried (red flags, kinds of list match) that no rule in force
    /// weighed: for a reviewer to look at, since nothing decided on them. Absent for a decision
    /// recorded before the engine listed them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unweighed_signals: Option<Signals>,
    /// The version of the watchlists the current screening used.
    pub watchlist_version: WatchlistVersion,
    /// Every rule version the engine evaluated.
    pub rule_versions: Vec<RuleRef>,
    /// Who set the current status.
    pub decided_by: UserId,
    /// When.
    pub decided_at: DateTime<Utc>,
    /// Who proposed approving it (four eyes: someone else confirms), if anyone.
    pub approval_proposed_by: Option<UserId>,
    /// Who works it, if anyone (an assignment never changes who may decide it).
    pub assigned_to: Option<UserId>,
    /// The revision: quote it (the `ETag`) when reviewing.
    pub revision: i32,
    /// When the case was opened.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// A rule that fired, with the regulation it implements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReasonRecord {
    /// The rule's code.
    pub rule: RuleCode,
    /// Its version.
    pub version: RuleVersion,
    /// The regulation it implements.
    pub regulation: String,
    /// The part of onboarding it judges.
    pub stage: Stage,
    /// What it concluded.
    pub outcome: CheckStatus,
    /// Why, in one sentence.
    pub explanation: String,
}

/// A submission's answer: the case, and whether it was stored before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Submission {
    /// The case.
    pub case: CaseRecord,
    /// True when nothing new was written: a retry (same idempotency key, or the same inputs as
    /// the entity's current case) answered with the stored case.
    pub replayed: bool,
}

/// What a review did to the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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

/// What a review did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewOutcome {
    /// `decided` (the status changed) or `approval_proposed` (a second reviewer confirms).
    pub outcome: ReviewStepTaken,
    /// The case after the review.
    pub case: CaseRecord,
}

/// Where a false-positive disposition stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DispositionState {
    /// Proposed by one reviewer; a second, different one confirms.
    Proposed,
    /// Confirmed by a second reviewer: the entry no longer counts against the case.
    Confirmed,
}

/// What clearing a list match did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClearedMatch {
    /// The disposition's id.
    pub id: Uuid,
    /// `proposed` (a second reviewer confirms) or `confirmed`.
    pub disposition: DispositionState,
    /// The engine's verdict on the case once its confirmed false positives are taken out.
    pub verdict: CheckStatus,
    /// True when this step lifted the engine's rejection (approving is a review of its own).
    pub override_confirmed: bool,
    /// The case's revision after this step: quote it (the `ETag`) for the next one.
    pub revision: i32,
}

/// What a re-screening did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RescreenOutcome {
    /// The status before.
    pub before: CheckStatus,
    /// The engine's verdict once confirmed false positives are taken out.
    pub verdict: CheckStatus,
    /// The case after.
    pub case: CaseRecord,
    /// True when nothing new was written: the screening is the one the case already rests on
    /// (a retry), and this is the case as it stands.
    pub replayed: bool,
}

/// A case in the review queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueueItem {
    /// The case.
    pub case_id: CaseId,
    /// The entity.
    pub entity_id: EntityId,
    /// Its jurisdiction.
    pub jurisdiction: Jurisdiction,
    /// The case's status.
    pub status: CheckStatus,
    /// The engine's latest verdict.
    pub engine_status: CheckStatus,
    /// Flagged: the engine's verdict is stricter and unseen.
    pub engine_stricter: bool,
    /// The risk score.
    pub risk_score: RiskScore,
    /// Its level.
    pub risk_level: RiskLevel,
    /// A sanctions match.
    pub sanctions_match: bool,
    /// A PEP match.
    pub pep_match: bool,
    /// Who proposed approving it, if anyone.
    pub approval_proposed_by: Option<UserId>,
    /// The revision to quote when deciding it.
    pub revision: i32,
    /// When the case was opened.
    pub created_at: DateTime<Utc>,
    /// Who works it, if anyone.
    pub assigned_to: Option<UserId>,
    /// Since when it has had its status: its wait in that status is counted from here.
    pub status_since: DateTime<Utc>,
    /// When that wait reaches the service level for its jurisdiction and status; `None` when
    /// none applies (a flagged approved case).
    pub due_at: Option<DateTime<Utc>>,
    /// True when it is past its service level (as of the read).
    pub overdue: bool,
    /// The request for information it waits on, if one is open: since when, and until when
    /// the customer has to answer.
    pub awaiting_information: Option<AwaitingInformation>,
}

/// A case's open request for information, as the queue shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AwaitingInformation {
    /// The request.
    pub request_id: Uuid,
    /// When it was asked: the customer's clock runs from here.
    pub since: DateTime<Utc>,
    /// Until when they have to answer.
    pub respond_by: DateTime<Utc>,
}

/// Who works a case after a claim, an assignment or a release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssignmentRecord {
    /// The case.
    pub case_id: CaseId,
    /// What changed; `None` when the request changed nothing (a claim of one's own case, a
    /// release of an unassigned one), which is recorded nowhere.
    pub action: Option<compliance_domain::AssignmentAction>,
    /// Who works it now.
    pub assignee: Option<UserId>,
    /// When its assignment last changed.
    pub assigned_at: Option<DateTime<Utc>>,
    /// The case's revision now (a change raises it).
    pub revision: i32,
}

/// A note written on a case without a decision (its text is a review note: the case page shows
/// it to the people who review; this record carries none of it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseNoteRecord {
    /// The note's id (what its `case_noted` audit entry names).
    pub id: Uuid,
    /// The case.
    pub case_id: CaseId,
    /// Who wrote it.
    pub author: UserId,
    /// When.
    pub written_at: DateTime<Utc>,
    /// SHA-256 over the note's salt and text, hex: what the chain keeps.
    pub commitment: String,
}

/// A request for information on a case: of whom, what, until when, and how it ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InformationRequestRecord {
    /// Its id.
    pub id: Uuid,
    /// The case.
    pub case_id: CaseId,
    /// The entity.
    pub entity_id: EntityId,
    /// Of whom.
    pub addressee: compliance_domain::Addressee,
    /// What, once each.
    pub items: Vec<compliance_domain::RequestedItem>,
    /// The review note holding the words sent with it, if any.
    pub note_id: Option<Uuid>,
    /// Who asked.
    pub requested_by: UserId,
    /// When.
    pub requested_at: DateTime<Utc>,
    /// Within how many days.
    pub respond_within_days: i16,
    /// Until when.
    pub respond_by: DateTime<Utc>,
    /// `answered` or `withdrawn`; absent while the case waits on it.
    pub outcome: Option<compliance_domain::RequestOutcome>,
    /// Who closed it.
    pub closed_by: Option<UserId>,
    /// When.
    pub closed_at: Option<DateTime<Utc>>,
    /// The review note holding their words, if any.
    pub closing_note_id: Option<Uuid>,
}

impl From<compliance_persistence::repo::information_requests::StoredRequest>
    for InformationRequestRecord
{
    fn from(r: compliance_persistence::repo::information_requests::StoredRequest) -> Self {
        let closed = r.closed.as_ref();
        Self {
            id: r.id,
            case_id: CaseId::from_uuid(r.case_id),
            entity_id: r.entity_id,
            addressee: r.addressee,
            items: r.items,
            note_id: r.note_id,
            requested_by: r.requested_by,
            requested_at: r.requested_at,
            respond_within_days: r.respond_within_days,
            respond_by: r.respond_by,
            outcome: closed.map(|c| c.outcome),
            closed_by: closed.map(|c| c.by),
            closed_at: closed.map(|c| c.at),
            closing_note_id: closed.and_then(|c| c.note_id),
        }
    }
}

/// One page of the review queue, and where the next one starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueuePage {
    /// The cases, riskiest (flagged first), then oldest.
    pub items: Vec<QueueItem>,
    /// The cursor of the next page; absent on the last page.
    pub next: Option<crate::cursor::QueueCursor>,
}

/// An entity whose current case is high-risk or matched a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HighRiskRecord {
    /// The case.
    pub case_id: CaseId,
    /// The entity.
    pub entity_id: EntityId,
    /// Its jurisdiction.
    pub jurisdiction: Jurisdiction,
    /// The case's status.
    pub status: CheckStatus,
    /// The risk score.
    pub risk_score: RiskScore,
    /// Its level.
    pub risk_level: RiskLevel,
    /// The entries matched (kind, list, entry).
    pub matches: Vec<WatchlistMatch>,
    /// When screened.
    pub screened_at: DateTime<Utc>,
}

/// How many cases have a jurisdiction, status and risk level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SummaryRecord {
    /// The jurisdiction.
    pub jurisdiction: Jurisdiction,
    /// The status.
    pub status: CheckStatus,
    /// The risk level.
    pub risk_level: RiskLevel,
    /// The number of cases.
    pub cases: i64,
    /// The latest change among them.
    pub last_updated_at: Option<DateTime<Utc>>,
}

/// An approved case whose periodic review is due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewDueRecord {
    /// The case.
    pub case_id: CaseId,
    /// The entity.
    pub entity_id: EntityId,
    /// Its jurisdiction.
    pub jurisdiction: Jurisdiction,
    /// The risk level, which sets the interval.
    pub risk_level: RiskLevel,
    /// When approved.
    pub approved_at: DateTime<Utc>,
    /// When its review fell due.
    pub review_due_at: DateTime<Utc>,
    /// The periodic_review rule version that sets the interval.
    pub rule: RuleRef,
    /// The case's revision.
    pub revision: i32,
}

/// One entry of the audit log, with its place in the hash chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRecord {
    /// The entry's id: it orders entries across chains (the chained hash does not cover it).
    pub id: i64,
    /// The chain it is on (one of sixteen).
    pub chain: i16,
    /// Its position in that chain, from 1.
    pub position: i64,
    /// Who acted.
    pub actor: UserId,
    /// What happened.
    pub action: AuditAction,
    /// The kind of record concerned.
    pub subject_kind: SubjectKind,
    /// Its id.
    pub subject_id: Uuid,
    /// Status before, for a status change.
    pub old_status: Option<CheckStatus>,
    /// Status after, for a status change.
    pub new_status: Option<CheckStatus>,
    /// Ids, codes and commitments (never a reviewer's words).
    pub details: serde_json::Value,
    /// When.
    pub created_at: DateTime<Utc>,
    /// The entry's chained SHA-256, hex.
    pub hash: String,
}

/// A page of an entity's audit entries, and where the next one starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditPage {
    /// The entries, in the order asked for (newest first by default).
    pub items: Vec<AuditRecord>,
    /// The id to pass as the cursor for the next page; absent on the last page.
    pub next: Option<i64>,
}

/// A decision replayed from its stored inputs and the rule versions it recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReplayRecord {
    /// The case.
    pub case_id: CaseId,
    /// The engine's decision as stored: its status.
    pub stored_status: CheckStatus,
    /// What the engine gives now for the same inputs and rule versions.
    pub replayed_status: CheckStatus,
    /// True when status, risk level and every reason are the same, and the unweighed signals
    /// where the stored decision lists them.
    pub matches: bool,
}

/// A rule version in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleRecord {
    /// The code.
    pub code: RuleCode,
    /// The version.
    pub version: RuleVersion,
    /// Its parameters, with its `kind`.
    pub parameters: serde_json::Value,
    /// In force from (inclusive).
    pub effective_from: DateTime<Utc>,
    /// In force until (exclusive); absent while open-ended.
    pub effective_to: Option<DateTime<Utc>>,
    /// The regulation it implements.
    pub regulation: String,
    /// What it does, in one sentence.
    pub description: String,
    /// Its parameters in words, one line each, amounts grouped for their currency (what the
    /// back office shows instead of the JSON).
    pub in_words: Vec<String>,
}

/// A wallet watched for an entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WalletRecord {
    /// The watch's id: where its transactions are recorded.
    pub id: Uuid,
    /// The entity whose wallet it is.
    pub entity_id: EntityId,
    /// The network.
    pub chain: compliance_domain::blockchain::Chain,
    /// The address.
    pub address: compliance_domain::blockchain::OnChainRef,
    /// What is watched on it.
    pub watch: Vec<compliance_domain::blockchain::WatchKind>,
    /// Whether monitoring is on.
    pub active: bool,
}

/// A wallet transaction as stored (never its amount or counterparty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TransactionRecord {
    /// Its id.
    pub id: Uuid,
    /// The watched wallet it was seen on.
    pub wallet_id: Uuid,
    /// Its hash.
    pub tx_hash: compliance_domain::blockchain::OnChainRef,
    /// Which way funds moved.
    pub direction: compliance_domain::blockchain::Direction,
    /// Its compliance status: ESCALATED when a list names its counterparty.
    pub status: CheckStatus,
    /// Its revision.
    pub revision: i32,
    /// True when this call recorded it; false when it was stored before (the answer is then
    /// what is stored).
    pub recorded: bool,
    /// True when an entry of the lists' current versions names its counterparty.
    pub counterparty_listed: bool,
}

/// What recording a batch of transactions did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordedTransactions {
    /// Each transaction, in the order sent.
    pub transactions: Vec<TransactionRecord>,
    /// How many this call recorded (the rest were stored before).
    pub recorded: usize,
    /// How many of those were recorded ESCALATED: a list names their counterparty.
    pub flagged: usize,
    /// The entity's current case re-screened with the listed entries as matches, when a new
    /// transaction's counterparty is listed; `None` when none is, or when the case is final (a
    /// rejected case is not re-screened).
    pub rescreened: Option<RescreenOutcome>,
}

/// What a pass over the known counterparties did: a new list version's entries screened
/// against every counterparty of the active wallets' transactions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CounterpartyPass {
    /// Distinct counterparties of the active wallets' transactions screened.
    pub counterparties: usize,
    /// Those an entry of the lists screened against names.
    pub hits: usize,
    /// Transactions flagged ESCALATED (those already ESCALATED or REJECTED stay as they are).
    pub flagged: usize,
    /// Entities whose current case a re-screening changed (a final case, or one already
    /// resting on the same screening, is not counted).
    pub rescreened: usize,
}

/// What one pass of ongoing monitoring over the periodic reviews that fell due did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ReviewPass {
    /// Reviews screened: each entity's current subject against every list's current version,
    /// recorded with its audit entry.
    pub screened: usize,
    /// Of which the screening changed the case, which was re-screened.
    pub rescreened: usize,
    /// Reviews that could not be screened (nothing written for them; tried again next pass).
    pub failed: usize,
}
