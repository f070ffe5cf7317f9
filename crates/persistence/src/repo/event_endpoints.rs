//! `event_endpoints`: where events go (a webhook URL or a NATS server with a subject prefix),
//! which types each receives, its signing secret, and its circuit. Creating and changing one
//! write their audit entries in the same transaction.
//!
//! Must not: log, audit or return a signing secret: only the dispatcher's claim
//! ([`super::event_deliveries::claim`]) reads one back. An audit entry names the endpoint by id.

use crate::convert::text;
use crate::error::found;
use crate::repo::audit_logs;
use crate::schema::event_endpoints;
use crate::{PersistenceError, Result};
use chrono::{DateTime, Utc};
use compliance_domain::{
    AuditAction, AuditEvent, EndpointKind, EventType, SubjectKind, TextForm, UserId,
};
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use uuid::Uuid;

const TABLE: &str = "event_endpoints";

/// A row of `event_endpoints`, without its secrets.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = event_endpoints, check_for_backend(Pg))]
#[allow(missing_docs)] // One field per column; docs/data-model.md describes each.
pub struct EndpointRow {
    pub id: Uuid,
    pub kind: String,
    pub url: String,
    pub subject_prefix: Option<String>,
    pub event_types: Vec<Option<String>>,
    pub description: String,
    pub previous_secret_until: Option<DateTime<Utc>>,
    pub allow_private: bool,
    pub active: bool,
    pub consecutive_failures: i32,
    pub paused_until: Option<DateTime<Utc>>,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub updated_by: Uuid,
    pub updated_at: DateTime<Utc>,
    pub revision: i32,
}

/// An endpoint as stored, without its secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEndpoint {
    /// Its id.
    pub id: Uuid,
    /// Webhook or broker.
    pub kind: EndpointKind,
    /// Where it is reached.
    pub url: String,
    /// A broker's subject prefix.
    pub subject_prefix: Option<String>,
    /// The types it receives; empty for all.
    pub event_types: Vec<EventType>,
    /// What it is, in an admin's words.
    pub description: String,
    /// Until when the secret before the last rotation still signs beside the current one.
    pub previous_secret_until: Option<DateTime<Utc>>,
    /// Whether an admin allowed a private or link-local address.
    pub allow_private: bool,
    /// Whether it receives events.
    pub active: bool,
    /// Failed attempts in a row.
    pub consecutive_failures: i32,
    /// Until when the circuit holds its deliveries back.
    pub paused_until: Option<DateTime<Utc>>,
    /// Who created it, and when.
    pub created_by: UserId,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// Who changed it last, and when.
    pub updated_by: UserId,
    /// When changed last.
    pub updated_at: DateTime<Utc>,
    /// Raised by one with each change an admin makes.
    pub revision: i32,
}

impl TryFrom<EndpointRow> for StoredEndpoint {
    type Error = PersistenceError;
    fn try_from(row: EndpointRow) -> Result<Self> {
        let id = row.id;
        let event_types = row
            .event_types
            .iter()
            .map(|t| match t {
                Some(t) => text(TABLE, id, t),
                None => Err(PersistenceError::invalid(TABLE, id, "a NULL event type")),
            })
            .collect::<Result<_>>()?;
        Ok(Self {
            id,
            kind: text(TABLE, id, &row.kind)?,
            url: row.url,
            subject_prefix: row.subject_prefix,
            event_types,
            description: row.description,
            previous_secret_until: row.previous_secret_until,
            allow_private: row.allow_private,
            active: row.active,
            consecutive_failures: row.consecutive_failures,
            paused_until: row.paused_until,
            created_by: UserId::from_uuid(row.created_by),
            created_at: row.created_at,
            updated_by: UserId::from_uuid(row.updated_by),
            updated_at: row.updated_at,
            revision: row.revision,
        })
    }
}

/// A new endpoint. `secret` is a webhook's (`whsec_...`), `None` for a broker.
#[derive(Debug, Clone, Copy)]
pub struct NewEndpoint<'a> {
    /// Webhook or broker.
    pub kind: EndpointKind,
    /// Its URL (checked by the caller and again by the database).
    pub url: &'a str,
    /// A broker's subject prefix.
    pub subject_prefix: Option<&'a str>,
    /// The types it receives; empty for all.
    pub event_types: &'a [EventType],
    /// What it is.
    pub description: &'a str,
    /// The signing secret.
    pub secret: Option<&'a str>,
    /// Whether a private or link-local address is allowed.
    pub allow_private: bool,
}

/// A change an admin makes to an endpoint; `None` leaves a field as it is.
#[derive(Debug, Clone, Copy, Default)]
pub struct EndpointChange<'a> {
    /// Activate or deactivate it.
    pub active: Option<bool>,
    /// The types it receives.
    pub event_types: Option<&'a [EventType]>,
    /// What it is.
    pub description: Option<&'a str>,
    /// A new secret; the current one keeps signing beside it until the instant given.
    pub rotate: Option<(&'a str, DateTime<Utc>)>,
}

fn types_column(types: &[EventType]) -> Vec<String> {
    types.iter().map(|t| t.as_str().to_owned()).collect()
}

fn audit(
    conn: &mut PgConnection,
    action: AuditAction,
    by: UserId,
    stored: &StoredEndpoint,
    details: serde_json::Value,
) -> Result<()> {
    let event = AuditEvent::new(by, action, SubjectKind::EventEndpoint, stored.id)
        .and_then(|e| e.with_details(details))
        .map_err(|e| PersistenceError::invalid(TABLE, stored.id, e))?;
    audit_logs::append(conn, &event)?;
    Ok(())
}

/// Creates an endpoint as the admin `by`, with its `endpoint_created` audit entry (kind, types,
/// whether private addresses are allowed; never the URL's path or the secret), in one
/// transaction.
pub fn create(
    conn: &mut PgConnection,
    new: &NewEndpoint<'_>,
    by: UserId,
) -> Result<StoredEndpoint> {
    crate::convert::atomic(conn, |conn| {
        let stored: StoredEndpoint = diesel::insert_into(event_endpoints::table)
            .values((
                event_endpoints::kind.eq(new.kind.as_str()),
                event_endpoints::url.eq(new.url),
                event_endpoints::subject_prefix.eq(new.subject_prefix),
                event_endpoints::event_types.eq(types_column(new.event_types)),
                event_endpoints::description.eq(new.description),
                event_endpoints::secret.eq(new.secret),
                event_endpoints::allow_private.eq(new.allow_private),
                event_endpoints::created_by.eq(by.as_uuid()),
                event_endpoints::updated_by.eq(by.as_uuid()),
            ))
            .returning(EndpointRow::as_returning())
            .get_result(conn)?
            .try_into()?;
        let details = serde_json::json!({
            "kind": stored.kind,
            "event_types": stored.event_types,
            "allow_private": stored.allow_private,
        });
        audit(conn, AuditAction::EndpointCreated, by, &stored, details)?;
        Ok(stored)
    })
}

/// Changes the endpoint `id`, still at `expected_revision`, as the admin `by`, with its
/// `endpoint_updated` audit entry (what changed; a rotation as `secret_rotated`), in one
/// transaction. A moved revision is [`PersistenceError::Stale`]; a change that changes nothing
/// writes nothing and answers the endpoint as it is, at its revision.
pub fn update(
    conn: &mut PgConnection,
    id: Uuid,
    expected_revision: i32,
    change: &EndpointChange<'_>,
    by: UserId,
) -> Result<StoredEndpoint> {
    crate::convert::atomic(conn, |conn| {
        let current = find_for_update(conn, id)?;
        if current.revision != expected_revision {
            return Err(PersistenceError::Stale {
                what: "event endpoint",
                key: id.to_string(),
                reason: format!(
                    "is at revision {}, not {expected_revision}: read it again",
                    current.revision
                ),
            });
        }
        // A change that changes nothing writes nothing: the guard refuses a revision raised
        // over unchanged columns, and an unchanged endpoint has nothing to audit.
        let unchanged = change.rotate.is_none()
            && change.active.is_none_or(|a| a == current.active)
            && change
                .event_types
                .is_none_or(|t| t == current.event_types.as_slice())
            && change.description.is_none_or(|d| d == current.description);
        if unchanged {
            return Ok(current);
        }
        let target = event_endpoints::table.find(id);
        let base = (
            event_endpoints::updated_by.eq(by.as_uuid()),
            event_endpoints::revision.eq(event_endpoints::revision + 1),
            event_endpoints::active.eq(change.active.unwrap_or(current.active)),
            event_endpoints::event_types.eq(types_column(
                change.event_types.unwrap_or(&current.event_types),
            )),
            event_endpoints::description.eq(change.description.unwrap_or(&current.description)),
        );
        let row: EndpointRow = match change.rotate {
            Some((secret, until)) => diesel::update(target)
                .set((
                    base,
                    event_endpoints::previous_secret.eq(event_endpoints::secret),
                    event_endpoints::previous_secret_until.eq(Some(until)),
                    event_endpoints::secret.eq(Some(secret)),
                ))
                .returning(EndpointRow::as_returning())
                .get_result(conn)?,
            None => diesel::update(target)
                .set(base)
                .returning(EndpointRow::as_returning())
                .get_result(conn)?,
        };
        let stored: StoredEndpoint = row.try_into()?;
        let mut details = serde_json::json!({ "revision": stored.revision });
        if stored.active != current.active {
            details["active"] = stored.active.into();
        }
        if stored.event_types != current.event_types {
            details["event_types"] = serde_json::json!(stored.event_types);
        }
        if change.rotate.is_some() {
            details["secret_rotated"] = true.into();
        }
        audit(conn, AuditAction::EndpointUpdated, by, &stored, details)?;
        Ok(stored)
    })
}

fn find_for_update(conn: &mut PgConnection, id: Uuid) -> Result<StoredEndpoint> {
    let row = event_endpoints::table
        .find(id)
        .select(EndpointRow::as_select())
        .for_update()
        .first(conn)
        .optional()?;
    found(row, "event endpoint", id)?.try_into()
}

/// The endpoint with this id.
pub fn find(conn: &mut PgConnection, id: Uuid) -> Result<StoredEndpoint> {
    let row = event_endpoints::table
        .find(id)
        .select(EndpointRow::as_select())
        .first(conn)
        .optional()?;
    found(row, "event endpoint", id)?.try_into()
}

/// Every endpoint, oldest first.
pub fn list(conn: &mut PgConnection) -> Result<Vec<StoredEndpoint>> {
    event_endpoints::table
        .select(EndpointRow::as_select())
        .order((event_endpoints::created_at, event_endpoints::id))
        .load(conn)?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}
