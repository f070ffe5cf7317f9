//! Watchlists as this crate shows them: the versions imported, an import's outcome, an ad hoc
//! screening's answer; and the screener over the lists' current versions, built once per set of
//! versions and shared by every screening until a new version is imported.
//!
//! Must not: log a subject or a match's names (personal data); logs carry version labels,
//! counts and entity ids only.

use crate::Result;
use chrono::{DateTime, Utc};
use compliance_domain::{
    AmlScreening, ListName, MatchScore, RiskScore, ScreeningProvider, Subject, UserId,
    WatchlistKind, WatchlistMatch, WatchlistVersion,
};
use compliance_persistence::PersistenceError;
use compliance_persistence::diesel::PgConnection;
use compliance_persistence::repo::watchlists::{self, StoredVersion};
use compliance_screening::{Band, Bands, ListEntry, Match, Query, QueryIdentifier, Screener};
use serde::Serialize;
use std::sync::{Arc, Mutex};
use uuid::Uuid;

/// This project as a screening provider, as its screenings name it.
pub const PROVIDER: &str = "compliance-db";

/// One imported version of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListVersion {
    /// Its id.
    pub id: Uuid,
    /// The list, e.g. `OFAC-SDN`.
    pub list: ListName,
    /// Sanctions, PEP or adverse media.
    pub kind: WatchlistKind,
    /// How screenings name it: `LIST@` and the content hash's first twelve hex digits.
    pub label: String,
    /// The official format it was read from.
    pub format: String,
    /// What was read.
    pub source: String,
    /// SHA-256 of the files, hex.
    pub content_hash: String,
    /// Its entries.
    pub entry_count: i32,
    /// The version it superseded.
    pub previous: Option<Uuid>,
    /// An admin's reason for passing the entry-count guard.
    pub forced_reason: Option<String>,
    /// Who imported it.
    pub imported_by: UserId,
    /// When.
    pub imported_at: DateTime<Utc>,
}

impl From<StoredVersion> for ListVersion {
    fn from(v: StoredVersion) -> Self {
        Self {
            id: v.id,
            list: v.list,
            kind: v.kind,
            label: v.label,
            format: v.format,
            source: v.source,
            content_hash: v.content_hash,
            entry_count: v.entry_count,
            previous: v.previous,
            forced_reason: v.forced_reason,
            imported_by: v.imported_by,
            imported_at: v.imported_at,
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", content = "version", rename_all = "snake_case")]
pub enum Imported {
    /// A new version, superseding the list's latest.
    New(ListVersion),
    /// The same files were imported before: that version.
    Existing(ListVersion),
}

/// One match, explained, with its band under the bands in force.
#[derive(Debug, Clone, Serialize)]
pub struct BandedMatch {
    /// Reject, review, or below the review band.
    pub band: Band,
    /// The match and its features.
    #[serde(flatten)]
    pub explained: Match,
}

/// The answer of a screening: the list versions used, the bands, every match at or above the
/// review band.
#[derive(Debug, Clone, Serialize)]
pub struct Screened {
    /// The labels of the list versions screened against.
    pub versions: Vec<String>,
    /// The bands the matches are judged by.
    pub review_at: MatchScore,
    /// From here a sanctions match rejects.
    pub reject_at: MatchScore,
    /// The matches, strongest first.
    pub matches: Vec<BandedMatch>,
}

/// The screener over a set of list versions.
pub(crate) struct Loaded {
    pub(crate) versions: Vec<StoredVersion>,
    pub(crate) screener: Screener,
}

/// The screener over the lists' current versions, rebuilt when a version changes.
#[derive(Clone, Default)]
pub(crate) struct ScreenerCache {
    loaded: Arc<Mutex<Option<Arc<Loaded>>>>,
}

impl ScreenerCache {
    /// The screener over the current versions (one query to learn them; their entries are
    /// read only when the set changed since the last call).
    pub(crate) fn current(&self, conn: &mut PgConnection) -> Result<Arc<Loaded>> {
        let versions = watchlists::current_versions(conn)?;
        let ids: Vec<Uuid> = versions.iter().map(|v| v.id).collect();
        if let Some(loaded) = self.loaded.lock().map_err(poisoned)?.as_ref()
            && loaded.versions.iter().map(|v| v.id).eq(ids.iter().copied())
        {
            return Ok(loaded.clone());
        }
        let mut screener = Screener::new();
        for version in &versions {
            screener.add_list(version.list.clone(), entries(conn, version.id)?);
        }
        tracing::info!(versions = ?versions.iter().map(|v| &v.label).collect::<Vec<_>>(), "screener built");
        let loaded = Arc::new(Loaded { versions, screener });
        *self.loaded.lock().map_err(poisoned)? = Some(loaded.clone());
        Ok(loaded)
    }
}

/// The entries of one list version, as the matcher reads them.
pub(crate) fn entries(conn: &mut PgConnection, version: Uuid) -> Result<Vec<ListEntry>> {
    Ok(watchlists::entries(conn, version)?
        .into_iter()
        .map(|json| {
            serde_json::from_value::<ListEntry>(json).map_err(|e| PersistenceError::InvalidData {
                table: "watchlist_entries",
                id: version.to_string(),
                reason: e.to_string(),
            })
        })
        .collect::<std::result::Result<Vec<_>, _>>()?)
}

fn poisoned<T>(_: T) -> crate::AppError {
    crate::AppError::Internal("the screener cache was poisoned by a panic".into())
}

/// The matcher's query for a subject.
pub(crate) fn query(subject: &Subject) -> Query {
    Query {
        names: subject.names().to_vec(),
        birth: subject.birth_year().map(|year| {
            use chrono::Datelike;
            let date = subject.birth_date();
            compliance_screening::PartialDate {
                year,
                month: date.and_then(|d| u8::try_from(d.month()).ok()),
                day: date.and_then(|d| u8::try_from(d.day()).ok()),
            }
        }),
        countries: subject.countries().to_vec(),
        identifiers: subject
            .identifiers()
            .iter()
            .map(|i| QueryIdentifier {
                kind: i.kind().to_string(),
                value: i.value().to_owned(),
            })
            .collect(),
        wallets: subject.wallets().to_vec(),
    }
}

/// Screens `subject` against the loaded lists, judged by `bands`.
pub(crate) fn screen(loaded: &Loaded, subject: &Subject, bands: &Bands) -> Screened {
    let matches = loaded
        .screener
        .screen(&query(subject), bands.review_at)
        .into_iter()
        .map(|m| BandedMatch {
            band: bands.band(m.score),
            explained: m,
        })
        .collect();
    Screened {
        versions: loaded.versions.iter().map(|v| v.label.clone()).collect(),
        review_at: bands.review_at,
        reject_at: bands.reject_at,
        matches,
    }
}

/// The screening this project records for a case: every match at or above the review band,
/// scored; its risk score from the strongest match's band (none: 0; review band: 60, high risk
/// that a rule escalates; reject band: 100); and, as its watchlist version, the labels of the
/// versions used (or their digest, when they do not fit in 128 characters).
pub(crate) fn screening(screened: &Screened) -> Result<AmlScreening> {
    let matches: Vec<WatchlistMatch> = screened
        .matches
        .iter()
        .map(|m| WatchlistMatch {
            kind: m.explained.kind,
            list: m.explained.list.clone(),
            entry: m.explained.entry.clone(),
            score: Some(m.explained.score),
        })
        .collect();
    let risk = match screened
        .matches
        .iter()
        .map(|m| m.band)
        .min_by_key(|b| match b {
            Band::Reject => 0,
            Band::Review => 1,
            Band::Below => 2,
        }) {
        Some(Band::Reject) => 100,
        Some(Band::Review) => 60,
        _ => 0,
    };
    let joined = screened.versions.join("+");
    let label = if joined.is_empty() {
        "no-lists".to_owned()
    } else if joined.len() <= WatchlistVersion::MAX_LEN {
        joined
    } else {
        digest_label(&joined)
    };
    let internal = |e: &dyn std::fmt::Display| crate::AppError::Internal(e.to_string());
    Ok(AmlScreening {
        risk_score: RiskScore::new(risk).map_err(|e| internal(&e))?,
        matches,
        provider: ScreeningProvider::parse(PROVIDER).map_err(|e| internal(&e))?,
        watchlist_version: WatchlistVersion::parse(&label).map_err(|e| internal(&e))?,
    })
}

/// A short, stable name for a set of labels too long to list: FNV-1a, only a name (the
/// screening's `aml_check_watchlist_versions` rows name every version as a foreign key).
fn digest_label(joined: &str) -> String {
    let hash = joined.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("lists@{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn screened(versions: Vec<String>) -> Screened {
        Screened {
            versions,
            review_at: MatchScore::from_basis_points(8_500).unwrap_or(MatchScore::ZERO),
            reject_at: MatchScore::from_basis_points(9_500).unwrap_or(MatchScore::ONE),
            matches: Vec::new(),
        }
    }

    #[test]
    fn a_clear_screening_names_its_versions_and_scores_no_risk() {
        let labels = vec![
            "OFAC-SDN@97f2524ed4f7".to_owned(),
            "UN-SC@8872ad2a6560".to_owned(),
        ];
        let aml = screening(&screened(labels)).unwrap();
        assert_eq!(aml.risk_score.value(), 0);
        assert!(aml.matches.is_empty());
        assert_eq!(aml.provider.as_str(), PROVIDER);
        assert_eq!(
            aml.watchlist_version.as_str(),
            "OFAC-SDN@97f2524ed4f7+UN-SC@8872ad2a6560"
        );
    }

    #[test]
    fn labels_too_long_to_list_get_a_stable_digest_that_fits() {
        let many: Vec<String> = (0..9)
            .map(|i| format!("LIST-NUMBER-{i}@0123456789ab"))
            .collect();
        let aml = screening(&screened(many.clone())).unwrap();
        let label = aml.watchlist_version.as_str().to_owned();
        assert!(label.starts_with("lists@") && label.len() <= WatchlistVersion::MAX_LEN);
        assert_eq!(
            screening(&screened(many))
                .unwrap()
                .watchlist_version
                .as_str(),
            label
        );
        let other: Vec<String> = (1..10)
            .map(|i| format!("LIST-NUMBER-{i}@0123456789ab"))
            .collect();
        assert_ne!(
            screening(&screened(other))
                .unwrap()
                .watchlist_version
                .as_str(),
            label
        );
    }
}
