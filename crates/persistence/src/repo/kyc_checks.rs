//! `kyc_checks`: one KYC result per entity, recorded once and never changed.
//!
//! Must not: put personal data in an error or audit entry: entries carry the entity id, the
//! status and the score, not documents' contents, amounts or the numbers the accreditation
//! facts hold (which stay in the row, as evidence).

use crate::convert::{domain, json, text, to_json};
use crate::error::found;
use crate::repo::audit_logs;
use crate::schema::kyc_checks;
use crate::{PersistenceError, Result};
use chrono::{DateTime, NaiveDate, Utc};
use compliance_domain::{
    AuditAction, AuditEvent, CheckStatus, ClientClassification, Currency, Decimal, EntityId,
    EntityType, InvestorProfile, Jurisdiction, KycCheck, Money, RedFlag, RegDFacts, SebiFacts,
    SubjectKind, UserId, VerificationScore,
};
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use uuid::Uuid;

/// A row of `kyc_checks`, as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = kyc_checks, check_for_backend(Pg))]
#[allow(missing_docs)] // One field per column; docs/data-model.md describes each.
pub struct KycCheckRow {
    pub id: Uuid,
    pub entity_id: String,
    pub entity_type: String,
    pub jurisdiction: String,
    pub status: String,
    pub verification_score: i16,
    pub documents: serde_json::Value,
    pub red_flags: serde_json::Value,
    pub net_worth: Option<Decimal>,
    pub net_worth_currency: Option<String>,
    pub annual_income: Option<Decimal>,
    pub annual_income_currency: Option<String>,
    pub total_assets: Option<Decimal>,
    pub total_assets_currency: Option<String>,
    pub accreditation_verified: bool,
    pub submitted_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub assessed_on: Option<NaiveDate>,
    pub accreditation: Option<serde_json::Value>,
}

/// The jurisdiction's own facts, as `kyc_checks.accreditation` holds them: an object with the
/// one block its jurisdiction has (`ck_kyc_checks_accreditation` refuses any other), or NULL.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredFacts {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reg_d: Option<RegDFacts>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sebi: Option<SebiFacts>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    classification: Option<ClientClassification>,
}

impl StoredFacts {
    /// The column's value for a profile: NULL without any of the jurisdictions' facts.
    fn column(investor: &InvestorProfile) -> Option<serde_json::Value> {
        investor.has_jurisdiction_facts().then(|| {
            to_json(&StoredFacts {
                reg_d: investor.reg_d.clone(),
                sebi: investor.sebi.clone(),
                classification: investor.classification.clone(),
            })
        })
    }
}

/// A new row of `kyc_checks`.
#[derive(Insertable)]
#[diesel(table_name = kyc_checks)]
pub(crate) struct NewKycCheckRow<'a> {
    pub(crate) entity_id: &'a str,
    pub(crate) entity_type: &'static str,
    pub(crate) jurisdiction: &'static str,
    pub(crate) status: &'static str,
    pub(crate) verification_score: i16,
    pub(crate) documents: serde_json::Value,
    pub(crate) red_flags: serde_json::Value,
    pub(crate) net_worth: Option<Decimal>,
    pub(crate) net_worth_currency: Option<&'static str>,
    pub(crate) annual_income: Option<Decimal>,
    pub(crate) annual_income_currency: Option<&'static str>,
    pub(crate) total_assets: Option<Decimal>,
    pub(crate) total_assets_currency: Option<&'static str>,
    pub(crate) accreditation_verified: bool,
    pub(crate) submitted_by: Uuid,
    pub(crate) assessed_on: Option<NaiveDate>,
    pub(crate) accreditation: Option<serde_json::Value>,
}

impl<'a> NewKycCheckRow<'a> {
    /// The row of a KYC result with its stage status.
    pub(crate) fn new(check: &'a KycCheck, status: CheckStatus, submitted_by: UserId) -> Self {
        let investor = &check.investor;
        let amount = |m: &Option<Money>| m.map(|m| m.amount());
        let currency = |m: &Option<Money>| m.map(|m| m.currency().as_str());
        Self {
            entity_id: check.entity_id.as_str(),
            entity_type: check.entity_type.into(),
            jurisdiction: check.jurisdiction.into(),
            status: status.into(),
            verification_score: check.verification_score.into(),
            documents: to_json(&check.documents),
            red_flags: to_json(&check.red_flags),
            net_worth: amount(&investor.net_worth),
            net_worth_currency: currency(&investor.net_worth),
            annual_income: amount(&investor.annual_income),
            annual_income_currency: currency(&investor.annual_income),
            total_assets: amount(&investor.total_assets),
            total_assets_currency: currency(&investor.total_assets),
            accreditation_verified: investor.accreditation_verified,
            submitted_by: submitted_by.as_uuid(),
            assessed_on: investor.assessed_on,
            accreditation: StoredFacts::column(investor),
        }
    }
}

/// A stored KYC check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredKycCheck {
    /// The row's id.
    pub id: Uuid,
    /// The KYC result.
    pub check: KycCheck,
    /// The KYC stage's own status, as the engine found it.
    pub status: CheckStatus,
    /// Who submitted it.
    pub submitted_by: UserId,
    /// When recorded.
    pub created_at: DateTime<Utc>,
}

const TABLE: &str = "kyc_checks";

fn money(id: Uuid, amount: Option<Decimal>, currency: Option<&str>) -> Result<Option<Money>> {
    match (amount, currency) {
        (None, None) => Ok(None),
        (Some(amount), Some(currency)) => {
            let currency = domain(TABLE, id, Currency::parse(currency.trim()))?;
            domain(TABLE, id, Money::new(amount, currency)).map(Some)
        }
        _ => Err(PersistenceError::invalid(
            TABLE,
            id,
            "an amount without its currency, or the reverse",
        )),
    }
}

impl TryFrom<KycCheckRow> for StoredKycCheck {
    type Error = PersistenceError;
    fn try_from(row: KycCheckRow) -> Result<Self> {
        let id = row.id;
        let facts: StoredFacts = match &row.accreditation {
            None => StoredFacts::default(),
            Some(value) => json(TABLE, id, "accreditation", value)?,
        };
        let check = KycCheck {
            entity_id: domain(TABLE, id, EntityId::parse(&row.entity_id))?,
            entity_type: text::<EntityType>(TABLE, id, &row.entity_type)?,
            jurisdiction: text::<Jurisdiction>(TABLE, id, &row.jurisdiction)?,
            verification_score: domain(TABLE, id, VerificationScore::new(row.verification_score))?,
            documents: json(TABLE, id, "documents", &row.documents)?,
            red_flags: json(TABLE, id, "red_flags", &row.red_flags)?,
            investor: InvestorProfile {
                net_worth: money(id, row.net_worth, row.net_worth_currency.as_deref())?,
                annual_income: money(id, row.annual_income, row.annual_income_currency.as_deref())?,
                total_assets: money(id, row.total_assets, row.total_assets_currency.as_deref())?,
                accreditation_verified: row.accreditation_verified,
                assessed_on: row.assessed_on,
                reg_d: facts.reg_d,
                sebi: facts.sebi,
                classification: facts.classification,
            },
        };
        Ok(Self {
            id,
            check,
            status: text(TABLE, id, &row.status)?,
            submitted_by: UserId::from_uuid(row.submitted_by),
            created_at: row.created_at,
        })
    }
}

/// Records a KYC check with its stage status, and a `kyc_recorded` audit entry, in one
/// transaction. A second check for the same entity is a [`PersistenceError::Conflict`].
pub fn insert(
    conn: &mut PgConnection,
    check: &KycCheck,
    status: CheckStatus,
    submitted_by: UserId,
) -> Result<StoredKycCheck> {
    crate::convert::atomic(conn, |conn| {
        let row = NewKycCheckRow::new(check, status, submitted_by);
        let stored: StoredKycCheck = diesel::insert_into(kyc_checks::table)
            .values(&row)
            .returning(KycCheckRow::as_returning())
            .get_result(conn)
            .map_err(|e| match PersistenceError::from(e) {
                PersistenceError::Conflict { key, .. } if key == "uq_kyc_checks_entity_id" => {
                    PersistenceError::Conflict {
                        what: "kyc check",
                        key: check.entity_id.to_string(),
                        reason: "this entity already has a KYC check".into(),
                    }
                }
                other => other,
            })?
            .try_into()?;
        let event = recorded_event(stored.id, check, status, submitted_by)?;
        audit_logs::append(conn, &event)?;
        Ok(stored)
    })
}

/// The `kyc_recorded` audit entry of the check `id`.
pub(crate) fn recorded_event(
    id: Uuid,
    check: &KycCheck,
    status: CheckStatus,
    submitted_by: UserId,
) -> Result<AuditEvent> {
    let details = serde_json::json!({
        "jurisdiction": check.jurisdiction,
        "entity_type": check.entity_type,
        "status": status,
        "verification_score": check.verification_score.value(),
        "documents": check.documents.len(),
        "red_flags": check.red_flags,
    });
    AuditEvent::new(
        submitted_by,
        AuditAction::KycRecorded,
        SubjectKind::KycCheck,
        id,
    )
    .map(|e| e.with_entity(check.entity_id.clone()))
    .and_then(|e| e.with_details(details))
    .map_err(|e| PersistenceError::invalid(TABLE, id, e))
}

/// The check with this id.
pub fn find(conn: &mut PgConnection, id: Uuid) -> Result<StoredKycCheck> {
    let row = kyc_checks::table
        .find(id)
        .select(KycCheckRow::as_select())
        .first(conn)
        .optional()?;
    found(row, "kyc check", id)?.try_into()
}

/// The entity's latest check (an entity has a new one with each new case).
pub fn find_by_entity_id(conn: &mut PgConnection, entity_id: &EntityId) -> Result<StoredKycCheck> {
    let row = kyc_checks::table
        .filter(kyc_checks::entity_id.eq(entity_id.as_str()))
        .order((kyc_checks::created_at.desc(), kyc_checks::id.desc()))
        .select(KycCheckRow::as_select())
        .first(conn)
        .optional()?;
    found(row, "kyc check", entity_id)?.try_into()
}

/// The checks that raised a red flag, oldest first (served by the GIN index on `red_flags`).
pub fn with_red_flag(
    conn: &mut PgConnection,
    flag: RedFlag,
    limit: i64,
) -> Result<Vec<StoredKycCheck>> {
    kyc_checks::table
        .filter(kyc_checks::red_flags.contains(serde_json::json!([flag])))
        .order((kyc_checks::created_at.asc(), kyc_checks::id.asc()))
        .limit(limit.clamp(1, 10_000))
        .select(KycCheckRow::as_select())
        .load(conn)?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// Which checks to list; every field narrows the list.
#[derive(Debug, Clone, Copy, Default)]
pub struct KycFilter {
    /// Only this jurisdiction.
    pub jurisdiction: Option<Jurisdiction>,
    /// Only this stage status.
    pub status: Option<CheckStatus>,
    /// Only this entity type.
    pub entity_type: Option<EntityType>,
    /// At most this many (default 100, at most 10,000).
    pub limit: Option<i64>,
}

/// Checks matching the filter, oldest first.
pub fn list(conn: &mut PgConnection, filter: KycFilter) -> Result<Vec<StoredKycCheck>> {
    let mut query = kyc_checks::table
        .select(KycCheckRow::as_select())
        .into_boxed();
    if let Some(jurisdiction) = filter.jurisdiction {
        query = query.filter(kyc_checks::jurisdiction.eq(<&str>::from(jurisdiction)));
    }
    if let Some(status) = filter.status {
        query = query.filter(kyc_checks::status.eq(<&str>::from(status)));
    }
    if let Some(entity_type) = filter.entity_type {
        query = query.filter(kyc_checks::entity_type.eq(<&str>::from(entity_type)));
    }
    query
        .order((kyc_checks::created_at.asc(), kyc_checks::id.asc()))
        .limit(filter.limit.unwrap_or(100).clamp(1, 10_000))
        .load(conn)?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}
