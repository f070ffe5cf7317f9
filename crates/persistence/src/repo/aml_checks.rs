//! `aml_checks`: AML screenings of a KYC check (the first, then re-screenings), recorded once
//! and never changed.
//!
//! Must not: store a match flag apart from its entries: the flags written are the ones the
//! domain derives from the entries (and the database checks the same).

use crate::convert::{domain, json, text, to_json};
use crate::error::found;
use crate::repo::audit_logs;
use crate::schema::aml_checks;
use crate::{PersistenceError, Result};
use chrono::{DateTime, Utc};
use compliance_domain::{
    AmlScreening, AuditAction, AuditEvent, EntityId, ListEntryRef, ListName, RiskLevel, RiskScore,
    ScreeningProvider, SubjectKind, UserId, WatchlistVersion,
};
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use uuid::Uuid;

/// A row of `aml_checks`, as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = aml_checks, check_for_backend(Pg))]
#[allow(missing_docs)] // One field per column; docs/data-model.md describes each.
pub struct AmlCheckRow {
    pub id: Uuid,
    pub kyc_check_id: Uuid,
    pub risk_score: i16,
    pub risk_level: String,
    pub sanctions_match: bool,
    pub pep_match: bool,
    pub matched_entries: serde_json::Value,
    pub screening_provider: String,
    pub watchlist_version: String,
    pub screened_at: DateTime<Utc>,
    pub submitted_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new row of `aml_checks`.
#[derive(Insertable)]
#[diesel(table_name = aml_checks)]
pub(crate) struct NewAmlCheckRow<'a> {
    pub(crate) kyc_check_id: Uuid,
    pub(crate) risk_score: i16,
    pub(crate) risk_level: &'static str,
    pub(crate) sanctions_match: bool,
    pub(crate) pep_match: bool,
    pub(crate) matched_entries: serde_json::Value,
    pub(crate) screening_provider: &'a str,
    pub(crate) watchlist_version: &'a str,
    pub(crate) screened_at: DateTime<Utc>,
    pub(crate) submitted_by: Uuid,
}

impl<'a> NewAmlCheckRow<'a> {
    /// The row of a screening of a KYC check, with the match flags derived from its entries.
    pub(crate) fn new(
        kyc_check_id: Uuid,
        screening: &'a AmlScreening,
        screened_at: DateTime<Utc>,
        submitted_by: UserId,
    ) -> Self {
        Self {
            kyc_check_id,
            risk_score: screening.risk_score.into(),
            risk_level: screening.risk_level().into(),
            sanctions_match: screening.sanctions_match(),
            pep_match: screening.pep_match(),
            matched_entries: to_json(&screening.matches),
            screening_provider: screening.provider.as_str(),
            watchlist_version: screening.watchlist_version.as_str(),
            screened_at,
            submitted_by: submitted_by.as_uuid(),
        }
    }
}

/// A stored AML screening.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAmlCheck {
    /// The row's id.
    pub id: Uuid,
    /// The KYC check screened.
    pub kyc_check_id: Uuid,
    /// The screening.
    pub screening: AmlScreening,
    /// When screened.
    pub screened_at: DateTime<Utc>,
    /// Who submitted it.
    pub submitted_by: UserId,
}

const TABLE: &str = "aml_checks";

impl TryFrom<AmlCheckRow> for StoredAmlCheck {
    type Error = PersistenceError;
    fn try_from(row: AmlCheckRow) -> Result<Self> {
        let id = row.id;
        let screening = AmlScreening {
            risk_score: domain(TABLE, id, RiskScore::new(row.risk_score))?,
            matches: json(TABLE, id, "matched_entries", &row.matched_entries)?,
            provider: domain(TABLE, id, ScreeningProvider::parse(&row.screening_provider))?,
            watchlist_version: domain(TABLE, id, WatchlistVersion::parse(&row.watchlist_version))?,
        };
        // The stored level and flags must be the ones the domain derives.
        let level: RiskLevel = text(TABLE, id, &row.risk_level)?;
        if level != screening.risk_level()
            || row.sanctions_match != screening.sanctions_match()
            || row.pep_match != screening.pep_match()
        {
            return Err(PersistenceError::invalid(
                TABLE,
                id,
                "risk level or match flags disagree with the score and matched entries",
            ));
        }
        Ok(Self {
            id,
            kyc_check_id: row.kyc_check_id,
            screening,
            screened_at: row.screened_at,
            submitted_by: UserId::from_uuid(row.submitted_by),
        })
    }
}

/// Records a screening of a KYC check (of entity `entity_id`, for the audit entry), with an
/// `aml_recorded` audit entry, in one transaction.
pub fn insert(
    conn: &mut PgConnection,
    kyc_check_id: Uuid,
    entity_id: &EntityId,
    screening: &AmlScreening,
    screened_at: DateTime<Utc>,
    submitted_by: UserId,
) -> Result<StoredAmlCheck> {
    crate::convert::atomic(conn, |conn| {
        let row = NewAmlCheckRow::new(kyc_check_id, screening, screened_at, submitted_by);
        let stored: StoredAmlCheck = diesel::insert_into(aml_checks::table)
            .values(&row)
            .returning(AmlCheckRow::as_returning())
            .get_result(conn)?
            .try_into()?;
        let event = recorded_event(stored.id, kyc_check_id, entity_id, screening, submitted_by)?;
        audit_logs::append(conn, &event)?;
        Ok(stored)
    })
}

/// The `aml_recorded` audit entry of the screening `id` of the KYC check `kyc_check_id`.
pub(crate) fn recorded_event(
    id: Uuid,
    kyc_check_id: Uuid,
    entity_id: &EntityId,
    screening: &AmlScreening,
    submitted_by: UserId,
) -> Result<AuditEvent> {
    let details = serde_json::json!({
        "kyc_check_id": kyc_check_id,
        "risk_score": screening.risk_score.value(),
        "risk_level": screening.risk_level(),
        "sanctions_match": screening.sanctions_match(),
        "pep_match": screening.pep_match(),
        "provider": screening.provider.as_str(),
        "watchlist_version": screening.watchlist_version.as_str(),
    });
    AuditEvent::new(
        submitted_by,
        AuditAction::AmlRecorded,
        SubjectKind::AmlCheck,
        id,
    )
    .map(|e| e.with_entity(entity_id.clone()))
    .and_then(|e| e.with_details(details))
    .map_err(|e| PersistenceError::invalid(TABLE, id, e))
}

/// The screening with this id.
pub fn find(conn: &mut PgConnection, id: Uuid) -> Result<StoredAmlCheck> {
    let row = aml_checks::table
        .find(id)
        .select(AmlCheckRow::as_select())
        .first(conn)
        .optional()?;
    found(row, "aml check", id)?.try_into()
}

/// The first screening recorded for a KYC check (the one its case was submitted with), by the
/// database's own order of writing.
pub fn first_for_kyc(
    conn: &mut PgConnection,
    kyc_check_id: Uuid,
) -> Result<Option<StoredAmlCheck>> {
    aml_checks::table
        .filter(aml_checks::kyc_check_id.eq(kyc_check_id))
        .order((aml_checks::created_at.asc(), aml_checks::id.asc()))
        .select(AmlCheckRow::as_select())
        .first(conn)
        .optional()?
        .map(TryInto::try_into)
        .transpose()
}

/// Every screening of a KYC check, newest first.
pub fn list_for_kyc(conn: &mut PgConnection, kyc_check_id: Uuid) -> Result<Vec<StoredAmlCheck>> {
    aml_checks::table
        .filter(aml_checks::kyc_check_id.eq(kyc_check_id))
        .order((
            aml_checks::screened_at.desc(),
            aml_checks::created_at.desc(),
        ))
        .select(AmlCheckRow::as_select())
        .load(conn)?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// The screenings that matched one entry of one list, newest first (served by the GIN index
/// on `matched_entries`): who is affected when that entry is listed or delisted.
pub fn matching_entry(
    conn: &mut PgConnection,
    list: &ListName,
    entry: &ListEntryRef,
    limit: i64,
) -> Result<Vec<StoredAmlCheck>> {
    let wanted = serde_json::json!([{ "list": list.as_str(), "entry": entry.as_str() }]);
    aml_checks::table
        .filter(aml_checks::matched_entries.contains(wanted))
        .order((aml_checks::screened_at.desc(), aml_checks::id.asc()))
        .limit(limit.clamp(1, 10_000))
        .select(AmlCheckRow::as_select())
        .load(conn)?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// Which screenings to list.
#[derive(Debug, Clone, Copy, Default)]
pub struct AmlFilter {
    /// Only this risk level.
    pub risk_level: Option<RiskLevel>,
    /// Only screenings with (or without) a sanctions or PEP match.
    pub matched: Option<bool>,
    /// At most this many (default 100, at most 10,000).
    pub limit: Option<i64>,
}

/// Screenings matching the filter, newest first.
pub fn list(conn: &mut PgConnection, filter: AmlFilter) -> Result<Vec<StoredAmlCheck>> {
    let mut query = aml_checks::table
        .select(AmlCheckRow::as_select())
        .into_boxed();
    if let Some(level) = filter.risk_level {
        query = query.filter(aml_checks::risk_level.eq(<&str>::from(level)));
    }
    match filter.matched {
        Some(true) => query = query.filter(aml_checks::sanctions_match.or(aml_checks::pep_match)),
        Some(false) => {
            query = query.filter(
                aml_checks::sanctions_match
                    .eq(false)
                    .and(aml_checks::pep_match.eq(false)),
            )
        }
        None => {}
    }
    query
        .order((aml_checks::screened_at.desc(), aml_checks::id.asc()))
        .limit(filter.limit.unwrap_or(100).clamp(1, 10_000))
        .load(conn)?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}
