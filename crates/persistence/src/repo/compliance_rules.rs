//! `compliance_rules`: rule versions as data. Publishing, closing, and finding the versions in
//! force at a moment or recorded by a decision; and the fingerprint a cache of them compares
//! (`compliance_rules_state`, the change counter the table's triggers raise).
//!
//! Must not: interpret `parameters`. That is the rules engine's job (`compliance-rules`, which
//! this crate does not depend on); rows are returned as stored, with their keys typed.

use crate::convert::{domain, text};
use crate::error::found;
use crate::repo::audit_logs;
use crate::schema::{compliance_rules, compliance_rules_state};
use crate::{PersistenceError, Result};
use chrono::{DateTime, Utc};
use compliance_domain::{
    AuditAction, AuditEvent, Jurisdiction, RuleCode, RuleRef, RuleVersion, SubjectKind, UserId,
};
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use uuid::Uuid;

/// A row of `compliance_rules`, as stored.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = compliance_rules, check_for_backend(Pg))]
pub struct RuleRow {
    /// The id.
    pub id: Uuid,
    /// `AE`, `IN` or `US`.
    pub jurisdiction: String,
    /// The rule's code.
    pub code: String,
    /// The version, from 1.
    pub version: i32,
    /// The parameters, with the rule's `kind`.
    pub parameters: serde_json::Value,
    /// In force from (inclusive).
    pub effective_from: DateTime<Utc>,
    /// In force until (exclusive); `None` while open-ended.
    pub effective_to: Option<DateTime<Utc>>,
    /// The regulation it implements.
    pub regulation: String,
    /// One sentence on what it does.
    pub description: String,
    /// Who published it.
    pub published_by: Uuid,
    /// When published.
    pub created_at: DateTime<Utc>,
    /// When last changed (closed).
    pub updated_at: DateTime<Utc>,
}

const TABLE: &str = "compliance_rules";

impl RuleRow {
    /// The jurisdiction, typed.
    pub fn jurisdiction(&self) -> Result<Jurisdiction> {
        text(TABLE, self.id, &self.jurisdiction)
    }

    /// The code and version, typed.
    pub fn rule_ref(&self) -> Result<RuleRef> {
        Ok(RuleRef {
            code: domain(TABLE, self.id, RuleCode::parse(&self.code))?,
            version: domain(TABLE, self.id, RuleVersion::new(self.version))?,
        })
    }
}

/// A rule version to publish.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRule {
    /// Where it applies.
    pub jurisdiction: Jurisdiction,
    /// Which rule and version.
    pub rule: RuleRef,
    /// Its parameters, with `kind`.
    pub parameters: serde_json::Value,
    /// In force from.
    pub effective_from: DateTime<Utc>,
    /// In force until, if known.
    pub effective_to: Option<DateTime<Utc>>,
    /// The regulation it implements.
    pub regulation: String,
    /// One sentence on what it does.
    pub description: String,
}

#[derive(Insertable)]
#[diesel(table_name = compliance_rules)]
struct NewRuleRow<'a> {
    jurisdiction: &'static str,
    code: &'a str,
    version: i32,
    parameters: &'a serde_json::Value,
    effective_from: DateTime<Utc>,
    effective_to: Option<DateTime<Utc>>,
    regulation: &'a str,
    description: &'a str,
    published_by: Uuid,
}

/// Inserts a rule version as given (its period must not overlap another version of the code),
/// with a `rule_published` audit entry.
pub fn insert(conn: &mut PgConnection, rule: &NewRule, published_by: UserId) -> Result<RuleRow> {
    crate::convert::atomic(conn, |conn| {
        let version = i32::try_from(rule.rule.version.get()).map_err(|_| {
            PersistenceError::invalid(TABLE, &rule.rule, "version does not fit an INTEGER")
        })?;
        let row = NewRuleRow {
            jurisdiction: rule.jurisdiction.into(),
            code: rule.rule.code.as_str(),
            version,
            parameters: &rule.parameters,
            effective_from: rule.effective_from,
            effective_to: rule.effective_to,
            regulation: &rule.regulation,
            description: &rule.description,
            published_by: published_by.as_uuid(),
        };
        let stored = diesel::insert_into(compliance_rules::table)
            .values(&row)
            .returning(RuleRow::as_returning())
            .get_result(conn)
            .map_err(|e| match PersistenceError::from(e) {
                PersistenceError::Conflict { key, .. } => PersistenceError::Conflict {
                    what: "compliance rule",
                    key: format!("{} {}", rule.jurisdiction, rule.rule),
                    reason: format!(
                        "this version exists, or another version of the rule is in force in the same period ({key})"
                    ),
                },
                other => other,
            })?;
        audit(conn, &stored, AuditAction::RulePublished, published_by)?;
        Ok(stored)
    })
}

/// Publishes a new version of a rule: closes the version in force at the new one's start (if
/// any), then inserts the new one, in one transaction. Closing happens at the new version's
/// start, so a version that starts in the past while another is open is refused, as
/// [`close`] refuses an end in the past.
pub fn publish(conn: &mut PgConnection, rule: &NewRule, published_by: UserId) -> Result<RuleRow> {
    crate::convert::atomic(conn, |conn| {
        if let Some(open) = open_at(conn, rule)? {
            close(conn, open.id, rule.effective_from, published_by)?;
        }
        insert(conn, rule, published_by)
    })
}

/// The version of `rule`'s code in force at its start and after it, locked, if any.
fn open_at(conn: &mut PgConnection, rule: &NewRule) -> Result<Option<RuleRow>> {
    Ok(compliance_rules::table
        .filter(compliance_rules::jurisdiction.eq(<&str>::from(rule.jurisdiction)))
        .filter(compliance_rules::code.eq(rule.rule.code.as_str()))
        .filter(compliance_rules::effective_from.lt(rule.effective_from))
        .filter(
            compliance_rules::effective_to
                .is_null()
                .or(compliance_rules::effective_to.gt(rule.effective_from)),
        )
        .select(RuleRow::as_select())
        .for_update()
        .first(conn)
        .optional()?)
}

/// Publishes a version that is meant to start at `rule.effective_from`, but never in the past of
/// this database: when that instant has passed by the database's clock, the version starts now
/// instead (the transaction's `now()`, the instant `compliance_rules_guard()` judges a closing
/// by). A default version provisioned onto a database that has been deciding cases meanwhile
/// would otherwise close the version it replaces in the past (refused: it would rewrite which
/// rules decided the cases of the meantime), or start a rule that was not in force when those
/// cases were decided. Returns the row, with the start it got.
pub fn publish_from_now_at_earliest(
    conn: &mut PgConnection,
    rule: &NewRule,
    published_by: UserId,
) -> Result<RuleRow> {
    crate::convert::atomic(conn, |conn| {
        let now: DateTime<Utc> =
            diesel::select(diesel::dsl::sql::<diesel::sql_types::Timestamptz>("now()"))
                .get_result(conn)?;
        let mut rule = rule.clone();
        if rule.effective_from < now {
            rule.effective_from = now;
            if rule.effective_to.is_some_and(|to| to <= now) {
                return Err(PersistenceError::Refused {
                    constraint: CLOSED_IN_PAST.to_owned(),
                    message: format!(
                        "compliance rule {} {} ended before now and cannot be published from now",
                        rule.jurisdiction, rule.rule
                    ),
                });
            }
        }
        // Closed at the start chosen by the database's clock: `compliance_rules_guard()` judges
        // it against the same `now()`, so the close is never in the past, whatever this
        // process's clock says (which `close` would compare with).
        if let Some(open) = open_at(conn, &rule)? {
            set_end(conn, open.id, rule.effective_from, published_by)?;
        }
        insert(conn, &rule, published_by)
    })
}

/// The guard that refuses an end in the past (here, and in `compliance_rules_guard()`).
pub const CLOSED_IN_PAST: &str = "compliance_rules_closed_in_past";

/// Closes a version: it stops being in force at `effective_to`. A version can only be closed
/// earlier, never reopened (the database refuses it), and never in the past: an end before now
/// would change which rules were in force for cases already decided. That is a
/// [`PersistenceError::Refused`] by [`CLOSED_IN_PAST`], here against this process's clock and in
/// the database against its own, and nothing is written.
pub fn close(
    conn: &mut PgConnection,
    id: Uuid,
    effective_to: DateTime<Utc>,
    actor: UserId,
) -> Result<RuleRow> {
    let now = Utc::now();
    if effective_to < now {
        return Err(PersistenceError::Refused {
            constraint: CLOSED_IN_PAST.to_owned(),
            message: format!(
                "compliance rule {id} cannot be closed at {}, which is in the past: close it at or after now ({})",
                effective_to.to_rfc3339(),
                now.to_rfc3339()
            ),
        });
    }
    set_end(conn, id, effective_to, actor)
}

/// Sets a version's end, with its `rule_closed` audit entry; the database's guard refuses an
/// end in the past or a reopening.
fn set_end(
    conn: &mut PgConnection,
    id: Uuid,
    effective_to: DateTime<Utc>,
    actor: UserId,
) -> Result<RuleRow> {
    crate::convert::atomic(conn, |conn| {
        let row = diesel::update(compliance_rules::table.find(id))
            .set(compliance_rules::effective_to.eq(effective_to))
            .returning(RuleRow::as_returning())
            .get_result(conn)
            .optional()?;
        let row = found(row, "compliance rule", id)?;
        audit(conn, &row, AuditAction::RuleClosed, actor)?;
        Ok(row)
    })
}

fn audit(conn: &mut PgConnection, row: &RuleRow, action: AuditAction, actor: UserId) -> Result<()> {
    let details = serde_json::json!({
        "jurisdiction": row.jurisdiction,
        "code": row.code,
        "version": row.version,
        "effective_from": row.effective_from,
        "effective_to": row.effective_to,
    });
    let event = AuditEvent::new(actor, action, SubjectKind::ComplianceRule, row.id)
        .and_then(|e| e.with_details(details))
        .map_err(|e| PersistenceError::invalid(TABLE, row.id, e))?;
    audit_logs::append(conn, &event)?;
    Ok(())
}

/// The version with this id.
pub fn find(conn: &mut PgConnection, id: Uuid) -> Result<RuleRow> {
    let row = compliance_rules::table
        .find(id)
        .select(RuleRow::as_select())
        .first(conn)
        .optional()?;
    found(row, "compliance rule", id)
}

/// One version of one rule (the natural key).
pub fn find_version(
    conn: &mut PgConnection,
    jurisdiction: Jurisdiction,
    rule: &RuleRef,
) -> Result<RuleRow> {
    let key = || format!("{jurisdiction} {rule}");
    // A version beyond INTEGER cannot be stored, so it is simply not there.
    let version = i32::try_from(rule.version.get())
        .map_err(|_| PersistenceError::not_found("compliance rule", key()))?;
    let row = compliance_rules::table
        .filter(compliance_rules::jurisdiction.eq(<&str>::from(jurisdiction)))
        .filter(compliance_rules::code.eq(rule.code.as_str()))
        .filter(compliance_rules::version.eq(version))
        .select(RuleRow::as_select())
        .first(conn)
        .optional()?;
    found(row, "compliance rule", key())
}

/// Which rule versions to list.
#[derive(Debug, Clone, Default)]
pub struct RuleFilter {
    /// Only this jurisdiction.
    pub jurisdiction: Option<Jurisdiction>,
    /// Only this code.
    pub code: Option<RuleCode>,
}

/// Versions matching the filter, by jurisdiction, code and version.
pub fn list(conn: &mut PgConnection, filter: &RuleFilter) -> Result<Vec<RuleRow>> {
    let mut query = compliance_rules::table
        .select(RuleRow::as_select())
        .into_boxed();
    if let Some(jurisdiction) = filter.jurisdiction {
        query = query.filter(compliance_rules::jurisdiction.eq(<&str>::from(jurisdiction)));
    }
    if let Some(code) = &filter.code {
        query = query.filter(compliance_rules::code.eq(code.as_str().to_owned()));
    }
    Ok(query
        .order((
            compliance_rules::jurisdiction,
            compliance_rules::code,
            compliance_rules::version,
        ))
        .load(conn)?)
}

/// The versions of one jurisdiction in force at `at`, by code.
pub fn in_force(
    conn: &mut PgConnection,
    jurisdiction: Jurisdiction,
    at: DateTime<Utc>,
) -> Result<Vec<RuleRow>> {
    Ok(compliance_rules::table
        .filter(compliance_rules::jurisdiction.eq(<&str>::from(jurisdiction)))
        .filter(compliance_rules::effective_from.le(at))
        .filter(
            compliance_rules::effective_to
                .is_null()
                .or(compliance_rules::effective_to.gt(at)),
        )
        .order(compliance_rules::code)
        .select(RuleRow::as_select())
        .load(conn)?)
}

/// The versions a decision recorded, for replay; a missing one is [`PersistenceError::NotFound`].
pub fn versions(
    conn: &mut PgConnection,
    jurisdiction: Jurisdiction,
    refs: &[RuleRef],
) -> Result<Vec<RuleRow>> {
    let rows: Vec<RuleRow> = compliance_rules::table
        .filter(compliance_rules::jurisdiction.eq(<&str>::from(jurisdiction)))
        .filter(compliance_rules::code.eq_any(refs.iter().map(|r| r.code.as_str())))
        .select(RuleRow::as_select())
        .load(conn)?;
    refs.iter()
        .map(|wanted| {
            rows.iter()
                .find(|row| {
                    row.code == wanted.code.as_str()
                        && u32::try_from(row.version).ok() == Some(wanted.version.get())
                })
                .cloned()
                .ok_or_else(|| {
                    PersistenceError::not_found(
                        "compliance rule",
                        format!("{jurisdiction} {wanted}"),
                    )
                })
        })
        .collect()
}

/// A cheap fingerprint of a jurisdiction's rules: a cache of rule sets is stale when it changes.
///
/// It is the jurisdiction's row of `compliance_rules_state`, whose counter a statement trigger
/// raises with every INSERT or UPDATE of that jurisdiction's rules, and which never goes back
/// (its guard refuses it). Unlike a count and the latest `updated_at` (the transaction's start
/// time, which a transaction that began earlier but commits later writes too), it cannot stay
/// the same across a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RulesFingerprint {
    /// Statements that changed the jurisdiction's rules since the counter was created.
    pub changes: i64,
}

/// The fingerprint of one jurisdiction's rules now: one primary-key read.
pub fn fingerprint(
    conn: &mut PgConnection,
    jurisdiction: Jurisdiction,
) -> Result<RulesFingerprint> {
    let changes = compliance_rules_state::table
        .find(<&str>::from(jurisdiction))
        .select(compliance_rules_state::changes)
        .first::<i64>(conn)
        .optional()?;
    // No row: nothing was ever recorded for it (the migration creates one per jurisdiction, and
    // the trigger inserts a missing one at 1), so 0 cannot repeat a value seen earlier.
    Ok(RulesFingerprint {
        changes: changes.unwrap_or(0),
    })
}
