//! Screening as a provider: importing a watchlist version, screening a subject ad hoc, an
//! entity's subject (recorded, read, erased within the law).
//!
//! Must not: log a subject, a name or an identifier; write a subject into the chain (it keeps
//! the commitment only).

use super::ComplianceService;
use crate::watchlists::{self, Imported, ListVersion, Screened};
use crate::{AppError, Result};
use chrono::{DateTime, Utc};
use compliance_domain::{EntityId, Jurisdiction, MatchScore, Subject, UserId, WatchlistKind};
use compliance_persistence::PersistenceError;
use compliance_persistence::diesel::PgConnection;
use compliance_persistence::repo::compliance_checks;
use compliance_persistence::repo::screening_subjects::{self, StoredSubject};
use compliance_persistence::repo::watchlists as repo;
use compliance_rules::RuleSet;
use compliance_screening::Bands;
use compliance_screening::formats::{self, Format, ListFile};

/// The bands a screening is judged by: the sanctions bands of the rules in force (the review
/// band's floor also decides which matches of any list are recorded); without a
/// `screening_match` rule in force, the example bands (0.85 / 0.95), which the rules of the day
/// then weigh as they do any match.
pub(crate) fn bands(rules: &RuleSet) -> Bands {
    let example = Bands::example();
    match rules.screening_bands(WatchlistKind::Sanctions) {
        Some(bands) => Bands {
            review_at: bands.review_at(),
            reject_at: bands.reject_at().unwrap_or(MatchScore::ONE),
        },
        None => example,
    }
}

impl ComplianceService {
    /// Reads `files` in `format` and writes the list's new version, by an admin; refused when
    /// its entry count fell by more than the database's share unless `forced_reason` says why.
    pub(crate) fn import_watchlist(
        &self,
        by: UserId,
        format: Format,
        files: &[ListFile],
        forced_reason: Option<&str>,
    ) -> Result<Imported> {
        let parsed =
            formats::read(format, files).map_err(|e| AppError::UnreadableList(e.to_string()))?;
        let entries = parsed
            .entries
            .iter()
            .map(|e| {
                serde_json::to_value(e)
                    .map(|json| (e.id.to_string(), json))
                    .map_err(|e| AppError::Internal(e.to_string()))
            })
            .collect::<Result<Vec<_>>>()?;
        let imported = self.run(by, |conn| {
            Ok(repo::import(
                conn,
                &repo::NewVersion {
                    list: &parsed.list,
                    kind: parsed.kind,
                    format: format.as_str(),
                    source: &parsed.source,
                    content_hash: &parsed.content_hash,
                    entries: &entries,
                    forced_reason,
                    imported_by: by,
                },
            )?)
        })?;
        Ok(match imported {
            repo::Imported::New(v) => {
                tracing::info!(label = %v.label, entries = v.entry_count, "watchlist version imported");
                Imported::New(v.into())
            }
            repo::Imported::Existing(v) => Imported::Existing(v.into()),
        })
    }

    /// Every version of every list, newest first.
    pub(crate) fn watchlist_versions(&self) -> Result<Vec<ListVersion>> {
        self.read(|conn| Ok(repo::versions(conn)?.into_iter().map(Into::into).collect()))
    }

    /// Screens `subject` against the lists' current versions, judged by the bands of
    /// `jurisdiction`'s rules in force (the strictest of the three without one); writes nothing.
    pub(crate) fn screen(
        &self,
        subject: &Subject,
        jurisdiction: Option<Jurisdiction>,
    ) -> Result<Screened> {
        self.read(|conn| {
            let loaded = self.screeners.current(conn)?;
            let bands = self.bands_for(conn, jurisdiction, Utc::now())?;
            Ok(watchlists::screen(&loaded, subject, &bands))
        })
    }

    pub(crate) fn bands_for(
        &self,
        conn: &mut PgConnection,
        jurisdiction: Option<Jurisdiction>,
        at: DateTime<Utc>,
    ) -> Result<Bands> {
        let all = [Jurisdiction::Ae, Jurisdiction::In, Jurisdiction::Us];
        let chosen: &[Jurisdiction] = match &jurisdiction {
            Some(j) => std::slice::from_ref(j),
            None => &all,
        };
        let mut strictest: Option<Bands> = None;
        for j in chosen {
            let b = bands(&self.rules.in_force(conn, *j, at)?);
            strictest = Some(match strictest {
                None => b,
                Some(s) => Bands {
                    review_at: s.review_at.min(b.review_at),
                    reject_at: s.reject_at.min(b.reject_at),
                },
            });
        }
        Ok(strictest.unwrap_or_else(Bands::example))
    }

    /// The entity's current subject revision.
    pub(crate) fn subject(&self, entity: &EntityId) -> Result<StoredSubject> {
        self.read(|conn| {
            screening_subjects::current(conn, entity)?.ok_or_else(|| AppError::NotFound {
                what: "screening subject",
                key: entity.to_string(),
            })
        })
    }

    /// Records a new revision of the entity's subject (none when unchanged). A changed subject
    /// is screened here at once and the entity's current case re-screened with the result (the
    /// engine decides, as for any re-screening), unless it is final; one transaction, the case
    /// locked first.
    pub(crate) fn record_subject(
        &self,
        entity: &EntityId,
        subject: &Subject,
        by: UserId,
    ) -> Result<StoredSubject> {
        self.run(by, |conn| {
            let case = match compliance_checks::find_by_entity_id(conn, entity) {
                Ok(case) if !case.status.is_final() => {
                    Some(compliance_checks::lock(conn, case.id)?)
                }
                Ok(_) | Err(PersistenceError::NotFound { .. }) => None,
                Err(e) => return Err(e.into()),
            };
            let before = screening_subjects::current(conn, entity)?.map(|s| s.id);
            let stored = screening_subjects::record(conn, entity, subject, by)?;
            if let Some(case) = case
                && before != Some(stored.id)
            {
                let outcome = self.screen_and_rescreen(
                    conn,
                    entity,
                    subject,
                    stored.id,
                    Some(case.jurisdiction),
                    by,
                )?
                .outcome;
                tracing::info!(entity = %entity, case = %outcome.case.id, after = %outcome.case.status, "changed subject re-screened");
            }
            Ok(stored)
        })
    }

    /// Erases every revision of the entity's subject, and the explanations that name it, once
    /// the record-keeping period has lapsed; before, [`AppError::Retained`] names the rule and
    /// the date it lapses.
    pub(crate) fn erase_subject(&self, entity: &EntityId, by: UserId) -> Result<usize> {
        self.run(by, |conn| {
            let retention = screening_subjects::retained_until(conn, entity)?;
            if retention.until.is_none_or(|until| until > Utc::now()) {
                return Err(AppError::Retained {
                    entity: entity.clone(),
                    jurisdiction: retention.jurisdiction,
                    until: retention.until,
                });
            }
            let erased = screening_subjects::erase(conn, entity, by)?;
            tracing::info!(entity = %entity, revisions = erased.len(), "screening subject erased");
            Ok(erased.len())
        })
    }
}
