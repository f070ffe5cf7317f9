//! The compliance service: submitting a case, reviewing it, re-screening it, and the reports.
//!
//! Must not: write half a case. Each operation runs in one transaction: the KYC check, the
//! screening, the decision and their audit entries are all written, or none is.

use crate::rules_cache::RulesCache;
use crate::{AppError, Result};
use chrono::{DateTime, Utc};
use compliance_domain::{
    AmlScreening, Case, CheckStatus, Decision, EntityId, Jurisdiction, ReviewReason, ReviewStep,
    Reviewer, Stage, Trigger, UserId, Verdict, plan_review,
};
use compliance_persistence::Database;
use compliance_persistence::diesel::PgConnection;
use compliance_persistence::repo::compliance_checks::{
    self, NewCase, Reevaluation, StatusChange, StoredComplianceCheck,
};
use compliance_persistence::repo::{aml_checks, kyc_checks, reports, users};
use uuid::Uuid;

/// The service: a database and the rules cache.
#[derive(Clone)]
pub struct ComplianceService {
    db: Database,
    rules: RulesCache,
}

/// A submitted case: what was stored and what the engine decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    /// The KYC check's id.
    pub kyc_check_id: Uuid,
    /// The screening's id.
    pub aml_check_id: Uuid,
    /// The case, as stored.
    pub case: StoredComplianceCheck,
}

/// What a review did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reviewed {
    /// The status changed.
    Decided(StoredComplianceCheck),
    /// The first pair of eyes proposed approving an escalation; a second reviewer confirms.
    ApprovalProposed(StoredComplianceCheck),
}

impl Reviewed {
    /// The case after the review.
    pub fn case(&self) -> &StoredComplianceCheck {
        match self {
            Reviewed::Decided(case) | Reviewed::ApprovalProposed(case) => case,
        }
    }
}

/// What a re-screening did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rescreened {
    /// The status before.
    pub before: CheckStatus,
    /// What the engine decided on the new screening.
    pub engine_status: CheckStatus,
    /// The case after (its status changed only where the status table lets the engine change it).
    pub case: StoredComplianceCheck,
}

/// A decision replayed from its stored inputs and recorded rule versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replay {
    /// The case.
    pub case_id: Uuid,
    /// The stored engine decision.
    pub stored: Decision,
    /// What the engine gives now for the same inputs and rule versions.
    pub replayed: Decision,
}

impl Replay {
    /// True when status, risk level and reasons are the same.
    pub fn matches(&self) -> bool {
        self.stored == self.replayed
    }
}

impl ComplianceService {
    /// A service over `db`.
    pub fn new(db: Database) -> Self {
        Self {
            db,
            rules: RulesCache::new(),
        }
    }

    /// The database.
    pub fn database(&self) -> &Database {
        &self.db
    }

    /// The rules cache.
    pub fn rules(&self) -> &RulesCache {
        &self.rules
    }

    /// Submits a case (a KYC result and its first screening) by `submitted_by` (the system
    /// agent): decides it with the rules in force now, and writes the KYC check, the
    /// screening, the decision and their audit entries in one transaction.
    pub fn submit(&self, case: &Case, submitted_by: UserId) -> Result<Submitted> {
        self.submit_at(case, submitted_by, Utc::now())
    }

    /// Submits a case as it arrives from outside: checked field by field first; an invalid
    /// input is an [`AppError::Input`] naming every bad field, and nothing is written.
    pub fn submit_input(
        &self,
        input: &compliance_domain::input::CaseInput,
        submitted_by: UserId,
    ) -> Result<Submitted> {
        let case = input.parse()?;
        self.submit(&case, submitted_by)
    }

    /// [`ComplianceService::submit`] with the rules in force at `at` (and screened at `at`).
    pub fn submit_at(
        &self,
        case: &Case,
        submitted_by: UserId,
        at: DateTime<Utc>,
    ) -> Result<Submitted> {
        let mut conn = self.db.conn()?;
        conn_transaction(&mut conn, |conn| {
            let rule_set = self.rules.in_force(conn, case.kyc.jurisdiction, at)?;
            let decision = rule_set.evaluate(case)?;
            let kyc = kyc_checks::insert(
                conn,
                &case.kyc,
                decision.stage_status(Stage::Kyc),
                submitted_by,
            )?;
            let aml = aml_checks::insert(
                conn,
                kyc.id,
                &case.kyc.entity_id,
                &case.aml,
                at,
                submitted_by,
            )?;
            let stored = compliance_checks::insert(
                conn,
                &NewCase {
                    kyc_check_id: kyc.id,
                    aml_check_id: aml.id,
                    entity_id: &case.kyc.entity_id,
                    jurisdiction: case.kyc.jurisdiction,
                    risk_score: case.aml.risk_score,
                    decision: &decision,
                    rule_versions: &rule_set.refs(),
                    decided_by: submitted_by,
                },
            )?;
            tracing::info!(case = %stored.id, entity = %case.kyc.entity_id, status = %stored.status, "case decided");
            Ok(Submitted {
                kyc_check_id: kyc.id,
                aml_check_id: aml.id,
                case: stored,
            })
        })
    }

    /// A reviewer decides a case in the review queue (or revokes an approval), following the
    /// domain's status table and the four-eyes rule. `expected_revision` is the revision the
    /// reviewer saw (from the queue); if the case moved on since, nothing is written and the
    /// answer is a conflict. `None` uses the revision read now.
    pub fn review(
        &self,
        case_id: Uuid,
        reviewer: UserId,
        verdict: Verdict,
        reason: &ReviewReason,
        expected_revision: Option<i32>,
    ) -> Result<Reviewed> {
        let mut conn = self.db.conn()?;
        conn_transaction(&mut conn, |conn| {
            let case = compliance_checks::find(conn, case_id)?;
            let revision = expected_revision.unwrap_or(case.revision);
            let user = users::find(conn, reviewer)?;
            let reviewer = Reviewer::try_from(&user)?;
            let entity = entity_of(conn, &case)?;
            let step = plan_review(
                case.status,
                case.approval.as_ref().map(|a| a.by),
                &reviewer,
                verdict,
            )?;
            let outcome = match step {
                ReviewStep::ProposeApproval => {
                    Reviewed::ApprovalProposed(compliance_checks::propose_approval(
                        conn,
                        case.id,
                        revision,
                        &entity,
                        reviewer.id(),
                        reason,
                    )?)
                }
                ReviewStep::Decide(transition) => {
                    Reviewed::Decided(compliance_checks::change_status(
                        conn,
                        case.id,
                        revision,
                        &entity,
                        &StatusChange {
                            transition,
                            decided_by: reviewer.id(),
                            review_reason: Some(reason.clone()),
                        },
                    )?)
                }
            };
            tracing::info!(case = %case.id, reviewer = %reviewer.id(), status = %outcome.case().status, "case reviewed");
            Ok(outcome)
        })
    }

    /// Re-screens an entity with a new AML result: records the screening, re-evaluates the
    /// case with the rules in force now, and changes its status where the status table lets
    /// the engine (an approval becomes an escalation or a rejection; an escalation stays for
    /// its reviewers). One transaction.
    pub fn rescreen(
        &self,
        entity_id: &EntityId,
        screening: &AmlScreening,
        submitted_by: UserId,
    ) -> Result<Rescreened> {
        let mut conn = self.db.conn()?;
        conn_transaction(&mut conn, |conn| {
            let kyc = kyc_checks::find_by_entity_id(conn, entity_id)?;
            let case = compliance_checks::find_by_kyc_check(conn, kyc.id)?;
            if case.status.is_final() {
                return Err(AppError::Final {
                    case: case.id,
                    status: case.status,
                    what: "a rejected case is not re-screened; open a new case",
                });
            }
            let now = Utc::now();
            let rule_set = self.rules.in_force(conn, kyc.check.jurisdiction, now)?;
            let decision = rule_set.evaluate(&Case {
                kyc: kyc.check.clone(),
                aml: screening.clone(),
            })?;
            let aml = aml_checks::insert(conn, kyc.id, entity_id, screening, now, submitted_by)?;
            // The engine moves the status only along the table; otherwise the case keeps its
            // status and the new engine decision is recorded beside it for its reviewers.
            let transition = (decision.status() != case.status)
                .then(|| {
                    case.status
                        .transition_to(decision.status(), Trigger::Engine)
                        .ok()
                })
                .flatten();
            let updated = compliance_checks::record_reevaluation(
                conn,
                case.id,
                case.revision,
                entity_id,
                &Reevaluation {
                    aml_check_id: aml.id,
                    risk_score: screening.risk_score,
                    decision: &decision,
                    rule_versions: &rule_set.refs(),
                    transition,
                    decided_by: submitted_by,
                },
            )?;
            tracing::info!(case = %case.id, before = %case.status, after = %updated.status, "case re-screened");
            Ok(Rescreened {
                before: case.status,
                engine_status: decision.status(),
                case: updated,
            })
        })
    }

    /// Replays a stored decision: the engine on the stored KYC check, the screening the
    /// decision rests on, and exactly the rule versions it recorded.
    pub fn replay(&self, conn: &mut PgConnection, case: &StoredComplianceCheck) -> Result<Replay> {
        replay(conn, &self.rules, case)
    }

    /// The review queue, riskiest and oldest first.
    pub fn queue(
        &self,
        jurisdiction: Option<Jurisdiction>,
        limit: i64,
    ) -> Result<Vec<reports::PendingApproval>> {
        let mut conn = self.db.conn()?;
        Ok(reports::pending_approvals(
            &mut conn,
            jurisdiction,
            None,
            limit,
        )?)
    }

    /// The high-risk entities.
    pub fn high_risk(
        &self,
        jurisdiction: Option<Jurisdiction>,
        limit: i64,
    ) -> Result<Vec<reports::HighRiskEntity>> {
        let mut conn = self.db.conn()?;
        Ok(reports::high_risk_entities(&mut conn, jurisdiction, limit)?)
    }

    /// The summary by jurisdiction, status and risk level.
    pub fn summary(&self) -> Result<Vec<reports::SummaryLine>> {
        let mut conn = self.db.conn()?;
        Ok(reports::compliance_summary(&mut conn)?)
    }
}

/// Replays a stored decision with the rule versions it recorded (see
/// [`ComplianceService::replay`]).
pub fn replay(
    conn: &mut PgConnection,
    rules: &RulesCache,
    case: &StoredComplianceCheck,
) -> Result<Replay> {
    let kyc = kyc_checks::find(conn, case.kyc_check_id)?;
    let aml = aml_checks::find(conn, case.aml_check_id)?;
    let rule_set = rules.pinned(conn, case.jurisdiction, &case.rule_versions)?;
    let replayed = rule_set.evaluate(&Case {
        kyc: kyc.check,
        aml: aml.screening,
    })?;
    Ok(Replay {
        case_id: case.id,
        stored: case.decision.clone(),
        replayed,
    })
}

fn entity_of(conn: &mut PgConnection, case: &StoredComplianceCheck) -> Result<EntityId> {
    Ok(kyc_checks::find(conn, case.kyc_check_id)?.check.entity_id)
}

/// One transaction on `conn`: committed when `f` succeeds, rolled back when it fails.
fn conn_transaction<T>(
    conn: &mut PgConnection,
    f: impl FnOnce(&mut PgConnection) -> Result<T>,
) -> Result<T> {
    use compliance_persistence::diesel::Connection;
    conn.transaction::<T, TransactionError, _>(|conn| f(conn).map_err(TransactionError::App))
        .map_err(|e| match e {
            TransactionError::App(e) => e,
            TransactionError::Diesel(e) => AppError::Persistence(e.into()),
        })
}

/// Diesel's transaction needs an error it can build from its own; this carries ours through.
enum TransactionError {
    App(AppError),
    Diesel(compliance_persistence::diesel::result::Error),
}

impl From<compliance_persistence::diesel::result::Error> for TransactionError {
    fn from(e: compliance_persistence::diesel::result::Error) -> Self {
        TransactionError::Diesel(e)
    }
}
