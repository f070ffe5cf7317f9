//! [`Compliance`]: the one entry point for a Rust service that links the crates, and what the
//! HTTP handlers call. Every operation, reads included, acts as an authenticated [`Caller`] and
//! checks the role table ([`compliance_domain::Role::may`]) first; the service underneath
//! checks again inside its transaction, and the database a third time. Answers are plain
//! records of domain values, built inside the transaction that wrote them.
//!
//! Must not: expose a persistence or Diesel type in a signature, hand out the service
//! underneath, or take the acting user from anywhere but an authenticated [`Caller`].

mod assignment;
mod caller;
mod dashboard;
mod detail;
mod entity;
mod events;
mod explanation;
mod monitoring;
mod outbox;
mod owners;
mod requests;
mod screening;
mod sessions;
mod vitals;
mod wallets;

pub use crate::service::replica::RoutedReads;
pub use caller::{Caller, Credential, InProcess};
pub use dashboard::{
    DashboardRecord, DecidedCountRecord, Decider, OpenCountRecord, QueueWaitRecord,
};
pub use detail::{
    AppliedRule, CaseDetail, ChainVerdict, KycRecord, MatchDisposition, NoteRecord, ScreeningRecord,
};
pub use entity::{
    CurrentCase, EntityOverview, EntityScreening, EntitySearch, FlaggedTransaction, NAME_MATCHES,
    NameMatch, SEARCH_CHARS, WalletFlags,
};
pub use events::ReplaySelection;
pub use explanation::{ExplainedFeature, ExplainedMatch, ScreeningExplanation};
pub use monitoring::{Monitor, MonitorSettings, ScreeningFlag, ScreeningJob};
pub use outbox::Outbox;
pub use screening::SubjectRecord;
pub use sessions::{OfficeSession, SESSION_PREFIX, SessionPolicy, SignedIn, csrf_token};
pub use vitals::{
    ChainHeadRecord, OutboxRecord, ReadReplicaRecord, ReplicationRecord, StandbyRecord,
    VitalsRecord,
};

use crate::convert::rule_record;
use crate::cursor::QueueCursor;
use crate::page::{AssigneeQuery, AuditQuery, ListSize, QueueQuery};
use crate::records;
use crate::records::{
    AuditPage, AwaitingInformation, CaseRecord, ClearedMatch, HighRiskRecord, QueueItem, QueuePage,
    ReplayRecord, RescreenOutcome, ReviewDueRecord, ReviewOutcome, RuleRecord, Submission,
    SummaryRecord,
};
use crate::service::ComplianceService;
use crate::service::overrides::Clearing;
use crate::{AppError, Config, ConfigError, Result};
use chrono::{DateTime, Utc};
use compliance_domain::input::CaseInput;
use compliance_domain::{
    AmlScreening, Case, CaseId, EntityId, IdempotencyKey, Jurisdiction, ListEntryRef, ListName,
    Permission, ReviewReason, UserId, Username, Verdict,
};
use compliance_persistence::Database;
use compliance_persistence::repo::{api_tokens, compliance_checks, compliance_rules, reports};
use compliance_persistence::repo::{information_requests, reviews_due, users};
use std::collections::BTreeMap;
use uuid::Uuid;

/// The decision layer for services: submit, read, review, clear matches, re-screen, the audit
/// history and the rules in force, each as an authenticated caller. Cheap to clone (a pool and
/// a cache).
#[derive(Clone)]
pub struct Compliance {
    service: ComplianceService,
    sign_ins: std::sync::Arc<sessions::SignInGate>,
    connections: u32,
}

impl Compliance {
    /// The entry point over the database `config` names. It does not connect: the pool
    /// connects on demand, so a service can start while the database is down.
    pub fn new(config: &Config) -> Self {
        Self {
            service: ComplianceService::new(
                Database::new(config.database.clone()),
                config.replica.as_ref().map(|r| {
                    crate::service::replica::Replica::new(Database::new(r.database.clone()), r.wait)
                }),
            ),
            sign_ins: std::sync::Arc::default(),
            connections: config.connections(),
        }
    }

    /// [`Compliance::new`] over the database the environment names ([`Config::from_env`]).
    pub fn from_env() -> Result<Self, ConfigError> {
        Config::from_env().map(|config| Self::new(&config))
    }

    /// The largest number of connections its pool opens (what `AsyncCompliance`, feature `tokio`,
    /// sizes its turns by).
    pub fn connections(&self) -> u32 {
        self.connections
    }

    /// The health of the service's database: reachable, migrated, its pool. Needs no caller:
    /// the report names no host, database or user, and no driver's text.
    pub fn health(&self) -> crate::health::Health {
        crate::health::check(self.service.database())
    }

    /// The caller a presented API token secret stands for: a live token (not revoked, not
    /// expired) of an active user. Anything else is [`AppError::Unauthenticated`], the same
    /// for every cause, and the secret appears in no error.
    pub fn authenticate(&self, secret: &str) -> Result<Caller> {
        let refused = || AppError::Unauthenticated("the API token is not valid");
        let hash = crate::tokens::hash_presented(secret).ok_or_else(refused)?;
        let found = self
            .service
            .read(|conn| Ok(api_tokens::authenticate(conn, &hash, Utc::now())?))?;
        match found {
            Some((_, user)) => Caller::from_user(&user, Credential::ApiToken),
            None => Err(refused()),
        }
    }

    /// Callers for code in this process that holds the database's credentials (see
    /// [`InProcess`]).
    pub fn in_process(&self) -> InProcess<'_> {
        InProcess { compliance: self }
    }

    /// Submits a case as the system agent; with `key`, a retry gets the first answer back
    /// (`replayed`), never a second case.
    pub fn submit(
        &self,
        caller: &Caller,
        case: &Case,
        key: Option<&IdempotencyKey>,
    ) -> Result<Submission> {
        caller.require(Permission::SubmitCases, "submit cases")?;
        self.service
            .submit_at(case.into(), caller.user(), key, Utc::now())
    }

    /// [`Compliance::submit`] of a case as it arrives from outside: checked field by field
    /// first; an invalid input is an [`AppError::Input`] naming every bad field, and nothing is
    /// written.
    pub fn submit_input(
        &self,
        caller: &Caller,
        input: &CaseInput,
        key: Option<&IdempotencyKey>,
    ) -> Result<Submission> {
        caller.require(Permission::SubmitCases, "submit cases")?;
        let request = input.parse_request()?;
        self.submit_request(caller, &request, key)
    }

    /// [`Compliance::submit`] of a checked request: with a provider's screening, as `submit`;
    /// with a subject and no screening, the subject is screened here against the lists' current
    /// versions (provider `compliance-db`, the versions' labels as its watchlist version, every
    /// match explained) in the submission's transaction. The subject is kept outside the chain.
    pub fn submit_request(
        &self,
        caller: &Caller,
        request: &compliance_domain::input::CaseRequest,
        key: Option<&IdempotencyKey>,
    ) -> Result<Submission> {
        caller.require(Permission::SubmitCases, "submit cases")?;
        // The one copy a request with a provider's screening needs, made once, outside the
        // transaction and its retries.
        let case;
        let submitted = match (&request.aml, &request.subject) {
            (Some(aml), subject) => {
                case = compliance_domain::Case {
                    kyc: request.kyc.clone(),
                    aml: aml.clone(),
                };
                crate::service::Submitted::Case(&case, subject.as_ref())
            }
            (None, Some(subject)) => crate::service::Submitted::ScreenHere(&request.kyc, subject),
            (None, None) => {
                return Err(AppError::Input(
                    compliance_domain::input::InputError::field(
                        "aml",
                        "required unless a subject is given for this service to screen",
                    ),
                ));
            }
        };
        self.service
            .submit_at(submitted, caller.user(), key, Utc::now())
    }

    /// [`Compliance::submit`] decided as of `at` instead of now: the rules in force then, and
    /// dated evidence (an assessment, a certificate) judged against that day. For tests of rules
    /// that take effect later (feature `testing`): a production build has no way to choose the
    /// instant its rules are read at.
    #[cfg(feature = "testing")]
    pub fn submit_at(
        &self,
        caller: &Caller,
        case: &Case,
        key: Option<&IdempotencyKey>,
        at: chrono::DateTime<Utc>,
    ) -> Result<Submission> {
        caller.require(Permission::SubmitCases, "submit cases")?;
        self.service.submit_at(case.into(), caller.user(), key, at)
    }

    /// The case with this id.
    pub fn case(&self, caller: &Caller, case: CaseId) -> Result<CaseRecord> {
        caller.require(Permission::ReadCases, "read cases")?;
        self.service.case(case)
    }

    /// The entity's current case (its latest).
    pub fn current_case(&self, caller: &Caller, entity: &EntityId) -> Result<CaseRecord> {
        caller.require(Permission::ReadCases, "read cases")?;
        self.service.current_case(entity)
    }

    /// Every case of the entity, first to current (empty when it has none).
    pub fn history(&self, caller: &Caller, entity: &EntityId) -> Result<Vec<CaseRecord>> {
        caller.require(Permission::ReadCases, "read cases")?;
        self.service.history(entity)
    }

    /// One page of the review queue, riskiest (flagged first) then oldest, and the cursor of
    /// the next page.
    pub fn queue(&self, caller: &Caller, query: &QueueQuery) -> Result<QueuePage> {
        caller.require(Permission::ReadReports, "read the review queue")?;
        let limit = query.limit.get();
        let filter = reports::QueueFilter {
            jurisdiction: query.jurisdiction,
            status: query.status,
            risk_level: query.risk_level,
            assignee: query.assignee.map(|a| match a {
                AssigneeQuery::Mine => reports::AssigneeFilter::User(caller.user()),
                AssigneeQuery::Unassigned => reports::AssigneeFilter::Unassigned,
                AssigneeQuery::User(user) => reports::AssigneeFilter::User(user),
            }),
            overdue: query.overdue,
        };
        let after = query.after.map(|c| c.0);
        // One snapshot, on generic plans: planning the queue's view cost more than running it,
        // and the plan cache planned a filtered page again on every call (docs/benchmarks.md).
        let (page, open) = self.service.read_replica_snapshot(caller.user(), |conn| {
            reports::plan_generically(conn)?;
            let page =
                reports::pending_approvals_page(conn, &filter, after.as_ref(), i64::from(limit))?;
            // The requests the page's cases wait on: one index probe per case of the page.
            let cases: Vec<_> = page.iter().map(|p| p.compliance_check_id).collect();
            Ok((page, information_requests::open_for_cases(conn, &cases)?))
        })?;
        let next = (page.len() == usize::from(limit))
            .then(|| page.last().map(|last| QueueCursor(last.into())))
            .flatten();
        let items = page
            .into_iter()
            .map(|p| {
                let mut item = QueueItem::from(p);
                item.awaiting_information = open
                    .iter()
                    .find(|r| r.case_id == item.case_id.as_uuid())
                    .map(|r| AwaitingInformation {
                        request_id: r.id,
                        since: r.requested_at,
                        respond_by: r.respond_by,
                    });
                item
            })
            .collect();
        Ok(QueuePage { items, next })
    }

    /// A reviewer (a person) decides a case at the revision they saw; a case that moved on is
    /// [`AppError::StaleRevision`] and nothing is written.
    pub fn review(
        &self,
        caller: &Caller,
        case: CaseId,
        verdict: Verdict,
        reason: &ReviewReason,
        expected_revision: i32,
    ) -> Result<ReviewOutcome> {
        caller.require(Permission::ReviewCases, "review cases")?;
        self.service
            .review(case, caller.user(), verdict, reason, expected_revision)
    }

    /// An admin or compliance officer proposes, and a second one confirms, a matched list entry
    /// of the case's current screening as a false positive, at the case's revision they saw
    /// (each step raises it).
    pub fn clear_match(
        &self,
        caller: &Caller,
        case: CaseId,
        list: &ListName,
        entry: &ListEntryRef,
        reason: &ReviewReason,
        expected_revision: i32,
    ) -> Result<ClearedMatch> {
        caller.require(Permission::ClearMatches, "clear list matches")?;
        let clearing = Clearing {
            case,
            list,
            entry,
            expected_revision,
        };
        self.service.clear_match(&clearing, caller.user(), reason)
    }

    /// The system agent re-screens the entity's current case with a new screening.
    pub fn rescreen(
        &self,
        caller: &Caller,
        entity: &EntityId,
        screening: &AmlScreening,
    ) -> Result<RescreenOutcome> {
        caller.require(Permission::RescreenEntities, "re-screen entities")?;
        self.service.rescreen(entity, screening, caller.user())
    }

    /// A page of the entity's audit entries, newest first unless asked otherwise, each with its
    /// chain, position and hash.
    pub fn audit(
        &self,
        caller: &Caller,
        entity: &EntityId,
        query: &AuditQuery,
    ) -> Result<AuditPage> {
        caller.require(Permission::ReadAudit, "read the audit trail")?;
        self.service.audit(entity, query, caller.user())
    }

    /// The rule versions in force in `jurisdiction` at `at`, by code.
    pub fn rules_in_force(
        &self,
        caller: &Caller,
        jurisdiction: Jurisdiction,
        at: DateTime<Utc>,
    ) -> Result<Vec<RuleRecord>> {
        caller.require(Permission::ReadRules, "read the rules")?;
        self.service.read(|conn| {
            compliance_rules::in_force(conn, jurisdiction, at)?
                .into_iter()
                .map(rule_record)
                .collect()
        })
    }

    /// The high-risk entities (their current cases), riskiest first.
    pub fn high_risk(
        &self,
        caller: &Caller,
        jurisdiction: Option<Jurisdiction>,
        limit: ListSize,
    ) -> Result<Vec<HighRiskRecord>> {
        caller.require(Permission::ReadReports, "read the reports")?;
        let rows = self.service.read_replica(caller.user(), |conn| {
            Ok(reports::high_risk_entities(
                conn,
                jurisdiction,
                i64::from(limit.get()),
            )?)
        })?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// The case counts by jurisdiction, status and risk level.
    pub fn summary(&self, caller: &Caller) -> Result<Vec<records::SummaryRecord>> {
        caller.require(Permission::ReadReports, "read the reports")?;
        let rows = self
            .service
            .read_replica(caller.user(), |conn| Ok(reports::compliance_summary(conn)?))?;
        Ok(rows.into_iter().map(SummaryRecord::from).collect())
    }

    /// The approved current cases whose periodic review is due, longest overdue first.
    pub fn reviews_due(
        &self,
        caller: &Caller,
        jurisdiction: Option<Jurisdiction>,
        limit: ListSize,
    ) -> Result<Vec<ReviewDueRecord>> {
        caller.require(Permission::ReadReports, "read the reports")?;
        let rows = self.service.read_replica(caller.user(), |conn| {
            Ok(reviews_due::list(
                conn,
                jurisdiction,
                i64::from(limit.get()),
            )?)
        })?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Replays the case's decision from its stored inputs with exactly the rule versions it
    /// recorded: what shows that a decision is reproducible.
    pub fn replay(&self, caller: &Caller, case: CaseId) -> Result<ReplayRecord> {
        caller.require(Permission::ReadCaseDetail, "replay decisions")?;
        self.service.read(|conn| {
            let stored = compliance_checks::find(conn, case.as_uuid())?;
            let replay = crate::service::replay(conn, self.service.rules(), &stored)?;
            Ok(ReplayRecord {
                case_id: case,
                stored_status: replay.stored.status(),
                replayed_status: replay.replayed.status(),
                matches: replay.matches(),
            })
        })
    }

    /// Erases the text of every review note about `entity` (an erasure request); the audit
    /// chain keeps each note's commitment, so `verify` still passes. Returns the erased notes'
    /// ids. Admins and compliance officers.
    pub fn erase_notes(&self, caller: &Caller, entity: &EntityId) -> Result<Vec<Uuid>> {
        caller.require(Permission::EraseNotes, "erase review notes")?;
        self.service.erase_notes(entity, caller.user())
    }

    /// The usernames of these users, by id (the back office names its users, not their ids).
    /// People who review only.
    pub fn usernames(&self, caller: &Caller, ids: &[UserId]) -> Result<BTreeMap<UserId, Username>> {
        caller.require(Permission::ReadCaseDetail, "see who reviewed")?;
        if ids.is_empty() {
            return Ok(BTreeMap::new());
        }
        self.service
            .read(|conn| Ok(users::usernames(conn, ids)?.into_iter().collect()))
    }
}
