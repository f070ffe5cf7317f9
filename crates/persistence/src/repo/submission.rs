//! A submission's database work in two statements: what it reads before the engine decides
//! ([`context`]: the submitter's standing, the rules' fingerprint, the entity's current case and
//! the submission made with the caller's idempotency key),
//! and everything it writes ([`record`]: the KYC check, the screening, the case, its submission
//! number and their three audit entries, in one statement of data-modifying CTEs).
//!
//! Must not: decide anything, or skip a guard. The statements write the same rows the
//! repositories of each table write, through the same constraints and triggers (the insert
//! guards, the composite keys, the chain trigger, which chains the three entries one after the
//! other); only the round trips are fewer. Both are prepared once per connection.

use crate::repo::aml_checks::{self, NewAmlCheckRow};
use crate::repo::audit_logs::AuditBatch;
use crate::repo::case_submissions::CaseSubmission;
use crate::repo::compliance_checks::{self, ComplianceCheckRow, NewCase, NewCaseRow};
use crate::repo::compliance_rules::RulesFingerprint;
use crate::repo::kyc_checks::{self, NewKycCheckRow};
use crate::{PersistenceError, Result};
use chrono::{DateTime, Utc};
use compliance_domain::{
    AmlScreening, CheckStatus, Decision, EntityId, Jurisdiction, KycCheck, RuleRef, UserId,
};
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{
    Bool, Date, Int2, Int4, Int8, Jsonb, Nullable, Numeric, Text, Timestamptz, Untyped,
    Uuid as SqlUuid,
};
use uuid::Uuid;

/// What a submission reads before the engine decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmitContext {
    /// True when the submitter is the active system agent.
    pub agent: bool,
    /// The fingerprint of the jurisdiction's rules.
    pub rules: RulesFingerprint,
    /// The entity's current case, if it has one.
    pub current: Option<CaseSubmission>,
    /// The submission made with the caller's idempotency key, if it sent one and it was used.
    pub by_key: Option<CaseSubmission>,
}

/// The context query: one row per submission found (the current one, the one with the key),
/// or one row without a submission.
struct ContextQuery<'a> {
    agent: Uuid,
    jurisdiction: &'static str,
    entity_id: &'a str,
    key: Option<&'a str>,
}

#[derive(QueryableByName)]
struct ContextRow {
    #[diesel(sql_type = Bool)]
    agent: bool,
    #[diesel(sql_type = Int8)]
    rules_changes: i64,
    #[diesel(sql_type = Nullable<Bool>)]
    is_current: Option<bool>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    compliance_check_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    kyc_check_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    entity_id: Option<String>,
    #[diesel(sql_type = Nullable<Int4>)]
    sequence: Option<i32>,
    #[diesel(sql_type = Nullable<Text>)]
    idempotency_key: Option<String>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    submitted_by: Option<Uuid>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    created_at: Option<DateTime<Utc>>,
}

impl ContextRow {
    fn submission(self) -> Option<CaseSubmission> {
        Some(CaseSubmission {
            compliance_check_id: self.compliance_check_id?,
            kyc_check_id: self.kyc_check_id?,
            entity_id: self.entity_id?,
            sequence: self.sequence?,
            idempotency_key: self.idempotency_key,
            submitted_by: self.submitted_by?,
            created_at: self.created_at?,
        })
    }
}

impl QueryFragment<Pg> for ContextQuery<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("SELECT EXISTS (SELECT 1 FROM users u WHERE u.id = ");
        out.push_bind_param::<SqlUuid, _>(&self.agent)?;
        out.push_sql(
            " AND u.role = 'system' AND u.active) AS agent, \
             coalesce((SELECT st.changes FROM compliance_rules_state st WHERE st.jurisdiction = ",
        );
        out.push_bind_param::<Text, _>(&self.jurisdiction)?;
        out.push_sql(
            "), 0) AS rules_changes, s.is_current, s.compliance_check_id, s.kyc_check_id, \
             s.entity_id::text AS entity_id, s.sequence, s.idempotency_key::text AS idempotency_key, \
             s.submitted_by, s.created_at \
             FROM (SELECT 1) AS one LEFT JOIN LATERAL (\
             (SELECT true AS is_current, c.* FROM case_submissions c WHERE c.entity_id = ",
        );
        out.push_bind_param::<Text, _>(&self.entity_id)?;
        out.push_sql(
            " ORDER BY c.sequence DESC LIMIT 1) UNION ALL \
             SELECT false, k.* FROM case_submissions k WHERE k.idempotency_key = ",
        );
        out.push_bind_param::<Nullable<Text>, _>(&self.key)?;
        out.push_sql(") AS s ON true");
        Ok(())
    }
}

/// What a submission reads first, in one round trip: whether `submitted_by` is the active
/// system agent, the fingerprint of `jurisdiction`'s rules (as
/// [`compliance_rules::fingerprint`](crate::repo::compliance_rules::fingerprint) reads it), the
/// entity's current case (as [`case_submissions::current`](crate::repo::case_submissions::current))
/// and the submission made with `key` (as
/// [`case_submissions::by_idempotency_key`](crate::repo::case_submissions::by_idempotency_key)).
pub fn context(
    conn: &mut PgConnection,
    submitted_by: UserId,
    jurisdiction: Jurisdiction,
    entity_id: &EntityId,
    key: Option<&str>,
) -> Result<SubmitContext> {
    let rows: Vec<ContextRow> = ContextQuery {
        agent: submitted_by.as_uuid(),
        jurisdiction: jurisdiction.into(),
        entity_id: entity_id.as_str(),
        key,
    }
    .load(conn)?;
    let mut context = SubmitContext {
        agent: rows.first().is_some_and(|r| r.agent),
        rules: RulesFingerprint {
            changes: rows.first().map_or(0, |r| r.rules_changes),
        },
        current: None,
        by_key: None,
    };
    for row in rows {
        match row.is_current {
            Some(true) => context.current = row.submission(),
            Some(false) => context.by_key = row.submission(),
            None => {}
        }
    }
    Ok(context)
}

/// A new case to record: the inputs, the engine's decision on them and the case's number.
#[derive(Debug, Clone, Copy)]
pub struct NewRecord<'a> {
    /// The KYC result.
    pub kyc: &'a KycCheck,
    /// Its stage status, as the engine found it.
    pub kyc_status: CheckStatus,
    /// The first screening.
    pub screening: &'a AmlScreening,
    /// When screened.
    pub screened_at: DateTime<Utc>,
    /// The engine's decision.
    pub decision: &'a Decision,
    /// Every rule version evaluated.
    pub rule_versions: &'a [RuleRef],
    /// The case's number among the entity's (the current one's plus one, or 1).
    pub sequence: i32,
    /// The caller's idempotency key, if any.
    pub idempotency_key: Option<&'a str>,
    /// The system agent submitting it.
    pub submitted_by: UserId,
}

/// The rows [`record`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// The KYC check's id.
    pub kyc_check_id: Uuid,
    /// The screening's id.
    pub aml_check_id: Uuid,
    /// The case, as stored.
    pub case: compliance_checks::StoredComplianceCheck,
}

/// The write: ids drawn here, so that the audit entries can name them in the same statement.
struct RecordQuery<'a> {
    kyc_id: Uuid,
    aml_id: Uuid,
    case_id: Uuid,
    kyc: NewKycCheckRow<'a>,
    aml: NewAmlCheckRow<'a>,
    case: NewCaseRow,
    sequence: i32,
    idempotency_key: Option<&'a str>,
    audit: AuditBatch<'a>,
}

impl QueryFragment<Pg> for RecordQuery<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        let (k, a, c) = (&self.kyc, &self.aml, &self.case);
        // Every value once, named; the inserts below read them from `p`.
        out.push_sql("WITH p AS (SELECT ");
        macro_rules! bind {
            ($ty:ty, $value:expr, $name:literal) => {
                out.push_bind_param::<$ty, _>($value)?;
                out.push_sql(concat!(" AS ", $name, ", "));
            };
        }
        bind!(SqlUuid, &self.kyc_id, "kyc_id");
        bind!(SqlUuid, &self.aml_id, "aml_id");
        bind!(SqlUuid, &self.case_id, "case_id");
        bind!(Text, &k.entity_id, "entity_id");
        bind!(Text, &k.entity_type, "entity_type");
        bind!(Text, &k.jurisdiction, "jurisdiction");
        bind!(Text, &k.status, "kyc_status");
        bind!(Int2, &k.verification_score, "verification_score");
        bind!(Jsonb, &k.documents, "documents");
        bind!(Jsonb, &k.red_flags, "red_flags");
        bind!(Nullable<Numeric>, &k.net_worth, "net_worth");
        bind!(Nullable<Text>, &k.net_worth_currency, "net_worth_currency");
        bind!(Nullable<Numeric>, &k.annual_income, "annual_income");
        bind!(
            Nullable<Text>,
            &k.annual_income_currency,
            "annual_income_currency"
        );
        bind!(Nullable<Numeric>, &k.total_assets, "total_assets");
        bind!(
            Nullable<Text>,
            &k.total_assets_currency,
            "total_assets_currency"
        );
        bind!(Bool, &k.accreditation_verified, "accreditation_verified");
        bind!(Nullable<Date>, &k.assessed_on, "assessed_on");
        bind!(Nullable<Jsonb>, &k.accreditation, "accreditation");
        bind!(SqlUuid, &k.submitted_by, "submitted_by");
        bind!(Int2, &a.risk_score, "risk_score");
        bind!(Text, &a.risk_level, "aml_risk_level");
        bind!(Bool, &a.sanctions_match, "sanctions_match");
        bind!(Bool, &a.pep_match, "pep_match");
        bind!(Jsonb, &a.matched_entries, "matched_entries");
        bind!(Text, &a.screening_provider, "screening_provider");
        bind!(Text, &a.watchlist_version, "watchlist_version");
        bind!(Timestamptz, &a.screened_at, "screened_at");
        bind!(Text, &c.status, "case_status");
        bind!(Text, &c.risk_level, "case_risk_level");
        bind!(Jsonb, &c.rule_versions, "rule_versions");
        bind!(Jsonb, &c.reasons, "reasons");
        bind!(Nullable<Jsonb>, &c.unweighed_signals, "unweighed_signals");
        bind!(Nullable<Text>, &self.idempotency_key, "idempotency_key");
        out.push_bind_param::<Int4, _>(&self.sequence)?;
        // Each insert reads the row of the one before it, so they run in this order: the case's
        // insert guard sees its screening (`sanctions_reason_missing`).
        out.push_sql(
            " AS sequence), \
             kyc AS (INSERT INTO kyc_checks (id, entity_id, entity_type, jurisdiction, status, \
               verification_score, documents, red_flags, net_worth, net_worth_currency, annual_income, \
               annual_income_currency, total_assets, total_assets_currency, accreditation_verified, assessed_on, \
               accreditation, submitted_by) \
             SELECT kyc_id, entity_id, entity_type, jurisdiction, kyc_status, verification_score, documents, \
               red_flags, net_worth, net_worth_currency, annual_income, annual_income_currency, total_assets, \
               total_assets_currency, accreditation_verified, assessed_on, accreditation, submitted_by FROM p RETURNING id), \
             aml AS (INSERT INTO aml_checks (id, kyc_check_id, risk_score, risk_level, sanctions_match, \
               pep_match, matched_entries, screening_provider, watchlist_version, screened_at, submitted_by) \
             SELECT p.aml_id, kyc.id, p.risk_score, p.aml_risk_level, p.sanctions_match, p.pep_match, \
               p.matched_entries, p.screening_provider, p.watchlist_version, p.screened_at, p.submitted_by \
             FROM p, kyc RETURNING id), \
             cc AS (INSERT INTO compliance_checks (id, kyc_check_id, aml_check_id, jurisdiction, status, \
               engine_status, risk_score, risk_level, rule_versions, reasons, unweighed_signals, decided_by) \
             SELECT p.case_id, kyc.id, aml.id, p.jurisdiction, p.case_status, p.case_status, p.risk_score, \
               p.case_risk_level, p.rule_versions, p.reasons, p.unweighed_signals, p.submitted_by \
             FROM p, kyc, aml RETURNING *), \
             sub AS (INSERT INTO case_submissions (compliance_check_id, kyc_check_id, entity_id, sequence, \
               idempotency_key, submitted_by) \
             SELECT cc.id, cc.kyc_check_id, p.entity_id, p.sequence, p.idempotency_key, p.submitted_by \
             FROM p, cc RETURNING 1), \
             audit AS (",
        );
        self.audit.walk_ast(out.reborrow())?;
        out.push_sql(" RETURNING 1) SELECT cc.* FROM cc");
        Ok(())
    }
}

/// Records a new case in one statement: the KYC check (with `kyc_recorded`), the screening
/// (`aml_recorded`), the decision (`decision_recorded`) and its submission number, checked by
/// the same constraints and guards as the repositories' own inserts. A number already taken (a
/// concurrent submission for the same entity) or a key already used is
/// [`PersistenceError::Transient`], as in [`case_submissions::insert`](crate::repo::case_submissions::insert).
pub fn record(conn: &mut PgConnection, new: &NewRecord<'_>) -> Result<Recorded> {
    let (kyc_id, aml_id, case_id) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    let entity = &new.kyc.entity_id;
    let case = NewCase {
        kyc_check_id: kyc_id,
        aml_check_id: aml_id,
        entity_id: entity,
        jurisdiction: new.kyc.jurisdiction,
        risk_score: new.screening.risk_score,
        decision: new.decision,
        rule_versions: new.rule_versions,
        decided_by: new.submitted_by,
    };
    let events = [
        kyc_checks::recorded_event(kyc_id, new.kyc, new.kyc_status, new.submitted_by)?,
        aml_checks::recorded_event(aml_id, kyc_id, entity, new.screening, new.submitted_by)?,
        compliance_checks::recorded_event(case_id, &case, new.decision.status())?,
    ];
    let row: ComplianceCheckRow = RecordQuery {
        kyc_id,
        aml_id,
        case_id,
        kyc: NewKycCheckRow::new(new.kyc, new.kyc_status, new.submitted_by),
        aml: NewAmlCheckRow::new(kyc_id, new.screening, new.screened_at, new.submitted_by),
        case: NewCaseRow::new(&case),
        sequence: new.sequence,
        idempotency_key: new.idempotency_key,
        audit: AuditBatch::new(&events),
    }
    .get_result(conn)
    .map_err(|e| match PersistenceError::from(e) {
        PersistenceError::Conflict { key, .. } if key.starts_with("uq_case_submissions") => {
            crate::repo::case_submissions::race(&key, entity, new.sequence)
        }
        other => other,
    })?;
    Ok(Recorded {
        kyc_check_id: kyc_id,
        aml_check_id: aml_id,
        case: row.try_into()?,
    })
}

/// Both queries are plain SQL with binds: prepared once per connection, cached by their text.
macro_rules! prepared {
    ($($query:ident),*) => {$(
        impl QueryId for $query<'_> {
            type QueryId = ();
            const HAS_STATIC_QUERY_ID: bool = false;
        }
        impl Query for $query<'_> {
            type SqlType = Untyped;
        }
        impl RunQueryDsl<PgConnection> for $query<'_> {}
    )*};
}
prepared!(ContextQuery, RecordQuery);
