//! [`Compliance`]: the one entry point for a Rust service that links the crates, and what the
//! HTTP handlers call. It wraps [`crate::ComplianceService`], checks what the caller's role may
//! do, and answers with plain records of domain values.
//!
//! Must not: expose a persistence or Diesel type in a signature, or take the acting user from
//! anywhere but an authenticated [`Caller`].

mod caller;
mod convert;
mod cursor;
mod detail;
pub mod records;
mod sessions;

pub use caller::Caller;
pub use cursor::QueueCursor;
pub use detail::{
    CaseDetail, ChainVerdict, KycRecord, MatchDisposition, NoteRecord, ScreeningRecord,
};
pub use sessions::{OfficeSession, SESSION_PREFIX, SessionPolicy, SignedIn, csrf_token};

use crate::{AppError, ComplianceService, Result, Reviewed};
use chrono::{DateTime, Utc};
use compliance_domain::{
    AmlScreening, Case, CheckStatus, EntityId, IdempotencyKey, Jurisdiction, ListEntryRef,
    ListName, ReviewReason, RiskLevel, Role, UserId, Verdict,
};
use compliance_persistence::Database;
use compliance_persistence::repo::compliance_checks::StoredComplianceCheck;
use compliance_persistence::repo::{api_tokens, audit_logs, compliance_rules, reports, users};
use convert::{case_record, rule_record};
use records::{
    AuditRecord, CaseRecord, ClearedMatch, HighRiskRecord, QueuePage, RescreenOutcome,
    ReviewDueRecord, ReviewOutcome, RuleRecord, Submission, SummaryRecord,
};
use uuid::Uuid;

/// Which page of the review queue to read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueQuery {
    /// Only this jurisdiction.
    pub jurisdiction: Option<Jurisdiction>,
    /// Only this status.
    pub status: Option<CheckStatus>,
    /// Only this risk level.
    pub risk_level: Option<RiskLevel>,
    /// Resume after this cursor (the previous page's `next`).
    pub after: Option<QueueCursor>,
    /// At most this many cases (1 to 1,000; 0 means 50).
    pub limit: u16,
}

/// The decision layer for services: submit, read, review, clear matches, re-screen, the audit
/// history and the rules in force. Cheap to clone (a pool and a cache).
#[derive(Clone)]
pub struct Compliance {
    service: ComplianceService,
}

impl Compliance {
    /// The entry point over a database pool.
    pub fn new(db: Database) -> Self {
        Self {
            service: ComplianceService::new(db),
        }
    }

    /// The health of the service's database: reachable, migrated, its pool. Needs no caller:
    /// the report names no host, database or user, and no driver's text.
    pub fn health(&self) -> crate::health::Health {
        crate::health::check(self.service.database())
    }

    /// The service underneath (its lower-level operations and the database).
    pub fn service(&self) -> &ComplianceService {
        &self.service
    }

    /// The caller a presented API token secret stands for: a live token (not revoked, not
    /// expired) of an active user. Anything else is [`AppError::Unauthenticated`], the same
    /// for every cause, and the secret appears in no error.
    pub fn authenticate(&self, secret: &str) -> Result<Caller> {
        let refused = || AppError::Unauthenticated("the API token is not valid");
        let hash = crate::tokens::hash_presented(secret).ok_or_else(refused)?;
        let found = AppError::retrying_read(|| {
            let mut conn = self.service.database().conn()?;
            Ok(api_tokens::authenticate(&mut conn, &hash, Utc::now())?)
        })?;
        match found {
            Some((_, user)) => Caller::from_user(&user),
            None => Err(refused()),
        }
    }

    /// The active system agent, as a caller: what a service that submits cases acts as when
    /// it links the crates and holds the database's credentials.
    pub fn system_agent(&self) -> Result<Caller> {
        let mut conn = self.service.database().conn()?;
        let agents = users::list(
            &mut conn,
            users::UserFilter {
                role: Some(Role::System),
                active: Some(true),
            },
        )?;
        match agents.first() {
            Some(agent) => Caller::from_user(agent),
            None => Err(AppError::Unauthenticated(
                "no active system agent: provision the database first (cargo xtask provision)",
            )),
        }
    }

    /// The active user `user` as a caller, for in-process code that holds the database's
    /// credentials (and so is trusted with any user); a network client authenticates with a
    /// token instead.
    pub fn trusted_caller(&self, user: UserId) -> Result<Caller> {
        let mut conn = self.service.database().conn()?;
        Caller::from_user(&users::find(&mut conn, user)?)
    }

    /// Submits a case as the system agent; with `key`, a retry gets the first answer back
    /// (`replayed`), never a second case.
    pub fn submit(
        &self,
        caller: &Caller,
        case: &Case,
        key: Option<&IdempotencyKey>,
    ) -> Result<Submission> {
        caller.require_system("submit cases")?;
        let submitted = self
            .service
            .submit_at(case, caller.user(), key, Utc::now())?;
        Ok(Submission {
            case: self.record(submitted.case, Some(submitted.sequence))?,
            replayed: submitted.replayed,
        })
    }

    /// The record of a stored case (the evidence it rests on is read on a pooled connection).
    fn record(&self, case: StoredComplianceCheck, sequence: Option<i32>) -> Result<CaseRecord> {
        let mut conn = self.service.database().conn()?;
        case_record(&mut conn, case, sequence)
    }

    /// The case with this id.
    pub fn case(&self, case_id: Uuid) -> Result<CaseRecord> {
        let case = self.service.case(case_id)?;
        self.record(case, None)
    }

    /// The entity's current case (its latest).
    pub fn current_case(&self, entity: &EntityId) -> Result<CaseRecord> {
        let case = self.service.current_case(entity)?;
        self.record(case, None)
    }

    /// Every case of the entity, first to current (empty when it has none).
    pub fn history(&self, entity: &EntityId) -> Result<Vec<CaseRecord>> {
        let history = self.service.history(entity)?;
        let mut conn = self.service.database().conn()?;
        history
            .cases
            .into_iter()
            .map(|(submission, case)| case_record(&mut conn, case, Some(submission.sequence)))
            .collect()
    }

    /// One page of the review queue, riskiest (flagged first) then oldest, and the cursor of
    /// the next page.
    pub fn queue(&self, query: &QueueQuery) -> Result<QueuePage> {
        let limit = if query.limit == 0 {
            50
        } else {
            query.limit.min(1_000)
        };
        let filter = reports::QueueFilter {
            jurisdiction: query.jurisdiction,
            status: query.status,
            risk_level: query.risk_level,
        };
        let mut conn = self.service.database().conn()?;
        let after = query.after.map(|c| c.0);
        let page =
            reports::pending_approvals_page(&mut conn, &filter, after.as_ref(), i64::from(limit))?;
        let next = (page.len() == usize::from(limit))
            .then(|| page.last().map(|last| QueueCursor(last.into())))
            .flatten();
        Ok(QueuePage {
            items: page.into_iter().map(Into::into).collect(),
            next,
        })
    }

    /// A reviewer (a person) decides a case at the revision they saw; a stale revision is
    /// [`AppError::StaleRevision`] and nothing is written.
    pub fn review(
        &self,
        caller: &Caller,
        case_id: Uuid,
        verdict: Verdict,
        reason: &ReviewReason,
        expected_revision: i32,
    ) -> Result<ReviewOutcome> {
        caller.require_human("review cases")?;
        let reviewed = self
            .service
            .review(case_id, caller.user(), verdict, reason, expected_revision)
            .map_err(|e| match e {
                AppError::Persistence(p) if p.is_conflict() => AppError::StaleRevision {
                    case: case_id,
                    reason: format!(
                        "is no longer at revision {expected_revision}: read it again and decide on what it is now"
                    ),
                },
                other => other,
            })?;
        let outcome = match reviewed {
            Reviewed::Decided(_) => "decided",
            Reviewed::ApprovalProposed(_) => "approval_proposed",
        };
        let case = match reviewed {
            Reviewed::Decided(case) | Reviewed::ApprovalProposed(case) => case,
        };
        Ok(ReviewOutcome {
            outcome,
            case: self.record(case, None)?,
        })
    }

    /// An admin or compliance officer proposes, and a second one confirms, a matched list entry
    /// of the case's current screening as a false positive.
    pub fn clear_match(
        &self,
        caller: &Caller,
        case_id: Uuid,
        list: &ListName,
        entry: &ListEntryRef,
        reason: &ReviewReason,
    ) -> Result<ClearedMatch> {
        caller.require_match_clearer("clear list matches")?;
        let cleared = self
            .service
            .clear_match(case_id, list, entry, caller.user(), reason)?;
        Ok(ClearedMatch {
            id: cleared.false_positive.id,
            disposition: if cleared.false_positive.disposition.is_confirmed() {
                "confirmed"
            } else {
                "proposed"
            },
            verdict: cleared.verdict,
            override_confirmed: cleared.override_confirmed,
        })
    }

    /// The system agent re-screens the entity's current case with a new screening.
    pub fn rescreen(
        &self,
        caller: &Caller,
        entity: &EntityId,
        screening: &AmlScreening,
    ) -> Result<RescreenOutcome> {
        caller.require_system("re-screen entities")?;
        let done = self.service.rescreen(entity, screening, caller.user())?;
        Ok(RescreenOutcome {
            before: done.before,
            verdict: done.verdict,
            case: self.record(done.case, None)?,
        })
    }

    /// The entity's audit entries, oldest first (at most `limit`, 1 to 10,000), each with its
    /// chain position and hash.
    pub fn audit(&self, entity: &EntityId, limit: u16) -> Result<Vec<AuditRecord>> {
        let mut conn = self.service.database().conn()?;
        let entries = audit_logs::list(
            &mut conn,
            &audit_logs::AuditFilter {
                entity_id: Some(entity.clone()),
                limit: Some(i64::from(limit.max(1))),
                ..Default::default()
            },
        )?;
        Ok(entries.into_iter().map(Into::into).collect())
    }

    /// The rule versions in force in `jurisdiction` at `at`, by code.
    pub fn rules_in_force(
        &self,
        jurisdiction: Jurisdiction,
        at: DateTime<Utc>,
    ) -> Result<Vec<RuleRecord>> {
        let mut conn = self.service.database().conn()?;
        compliance_rules::in_force(&mut conn, jurisdiction, at)?
            .into_iter()
            .map(rule_record)
            .collect()
    }

    /// The high-risk entities (their current cases), riskiest first.
    pub fn high_risk(
        &self,
        jurisdiction: Option<Jurisdiction>,
        limit: u16,
    ) -> Result<Vec<HighRiskRecord>> {
        let rows = self
            .service
            .high_risk(jurisdiction, i64::from(limit.max(1)))?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// The case counts by jurisdiction, status and risk level.
    pub fn summary(&self) -> Result<Vec<SummaryRecord>> {
        Ok(self
            .service
            .summary()?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// The approved current cases whose periodic review is due, longest overdue first.
    pub fn reviews_due(
        &self,
        jurisdiction: Option<Jurisdiction>,
        limit: u16,
    ) -> Result<Vec<ReviewDueRecord>> {
        let rows = self
            .service
            .reviews_due(jurisdiction, i64::from(limit.max(1)))?;
        Ok(rows.into_iter().map(Into::into).collect())
    }
}
