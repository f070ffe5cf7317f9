//! `Compliance`'s screening operations: importing a watchlist version, the versions imported,
//! screening a subject ad hoc, and an entity's subject (recorded, read, erased within the law).
//!
//! Must not: skip the caller's permission, or return a subject to a role that may not read it.

use super::{Caller, Compliance};
use crate::Result;
use crate::watchlists::{Imported, ListVersion, Screened};
use chrono::{DateTime, Utc};
use compliance_domain::{EntityId, Jurisdiction, Permission, Subject};
use compliance_screening::formats::{Format, ListFile};
use serde::Serialize;
use uuid::Uuid;

/// An entity's current screening subject, for the roles that may read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubjectRecord {
    /// The revision's id.
    pub id: Uuid,
    /// The entity.
    pub entity_id: EntityId,
    /// Its revision, from 1.
    pub revision: i32,
    /// The subject; `None` once erased.
    pub subject: Option<Subject>,
    /// What the audit chain keeps of it: SHA-256 over a salt and the subject, hex.
    pub commitment: String,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
    /// When it was erased.
    pub erased_at: Option<DateTime<Utc>>,
}

impl Compliance {
    /// Imports a watchlist version from its official files (admins only). The same files again
    /// answer the existing version; a version whose entry count fell by more than 20% against
    /// the list's latest is refused unless `forced_reason` says why.
    pub fn import_watchlist(
        &self,
        caller: &Caller,
        format: Format,
        files: &[ListFile],
        forced_reason: Option<&str>,
    ) -> Result<Imported> {
        caller.require(Permission::ImportWatchlists, "import watchlists")?;
        self.service
            .import_watchlist(caller.user(), format, files, forced_reason)
    }

    /// Every watchlist version imported, newest first.
    pub fn watchlist_versions(&self, caller: &Caller) -> Result<Vec<ListVersion>> {
        caller.require(Permission::ReadWatchlists, "read watchlists")?;
        self.service.watchlist_versions()
    }

    /// Screens a subject against the lists' current versions and explains each match; writes
    /// nothing (a pre-check). The bands are `jurisdiction`'s rules in force, or the strictest of
    /// the three.
    pub fn screen(
        &self,
        caller: &Caller,
        subject: &Subject,
        jurisdiction: Option<Jurisdiction>,
    ) -> Result<Screened> {
        caller.require(Permission::ScreenSubjects, "screen subjects")?;
        self.service.screen(subject, jurisdiction)
    }

    /// Records the entity's screening subject (a new revision when it changed).
    pub fn record_subject(
        &self,
        caller: &Caller,
        entity: &EntityId,
        subject: &Subject,
    ) -> Result<SubjectRecord> {
        caller.require(Permission::SubmitCases, "record screening subjects")?;
        self.service
            .record_subject(entity, subject, caller.user())
            .map(record)
    }

    /// The entity's current screening subject (personal data: officers and admins).
    pub fn subject(&self, caller: &Caller, entity: &EntityId) -> Result<SubjectRecord> {
        caller.require(Permission::ReadSubjects, "read screening subjects")?;
        self.service.subject(entity).map(record)
    }

    /// Erases the entity's screening subject once its records need no longer be kept; before
    /// that, [`crate::AppError::Retained`] names the rule and the date. Returns the revisions
    /// erased.
    pub fn erase_subject(&self, caller: &Caller, entity: &EntityId) -> Result<usize> {
        caller.require(Permission::EraseSubjects, "erase screening subjects")?;
        self.service.erase_subject(entity, caller.user())
    }
}

fn record(s: compliance_persistence::repo::screening_subjects::StoredSubject) -> SubjectRecord {
    SubjectRecord {
        id: s.id,
        entity_id: s.entity_id,
        revision: s.revision,
        subject: s.subject,
        commitment: s.commitment,
        recorded_at: s.created_at,
        erased_at: s.erased_at,
    }
}
