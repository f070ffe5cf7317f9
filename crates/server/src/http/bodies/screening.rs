//! The bodies of screening: the watchlist versions imported, an import's outcome, a screening's
//! explained matches, an entity's subject.
//!
//! Personal data: a screening's `subject_name` and a subject record carry the subject, and go
//! only to callers whose role may screen or read subjects (the library checks); nothing here is
//! logged.

use crate::http::schemas as S;
use chrono::{DateTime, Utc};
use compliance_app::watchlists as W;
use compliance_domain::{EntityId, ListName, MatchScore, UserId, WatchlistKind};
use serde::Serialize;
use uuid::Uuid;

/// One imported version of a list: evidence, never changed, only superseded.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ListVersion {
    /// Its id.
    pub id: Uuid,
    /// The list, e.g. `OFAC-SDN`.
    #[schema(value_type = String)]
    pub list: ListName,
    /// Sanctions, PEP or adverse media.
    #[schema(value_type = S::WatchlistKind)]
    pub kind: WatchlistKind,
    /// How screenings name it: `LIST@` and the content hash's first twelve hex digits.
    pub label: String,
    /// The official format it was read from: `ofac-sdn-csv`, `un-xml` or `ftm-jsonl`.
    pub format: String,
    /// What was read: the format, the files, the list's publication date if it has one.
    pub source: String,
    /// SHA-256 of the files, hex.
    pub content_hash: String,
    /// How many entries it holds.
    pub entry_count: i32,
    /// The version it superseded.
    pub previous: Option<Uuid>,
    /// An admin's reason for passing the entry-count guard.
    pub forced_reason: Option<String>,
    /// Who imported it.
    #[schema(value_type = Uuid)]
    pub imported_by: UserId,
    /// When.
    pub imported_at: DateTime<Utc>,
}

impl From<W::ListVersion> for ListVersion {
    fn from(v: W::ListVersion) -> Self {
        let W::ListVersion {
            id,
            list,
            kind,
            label,
            format,
            source,
            content_hash,
            entry_count,
            previous,
            forced_reason,
            imported_by,
            imported_at,
        } = v;
        Self {
            id,
            list,
            kind,
            label,
            format,
            source,
            content_hash,
            entry_count,
            previous,
            forced_reason,
            imported_by,
            imported_at,
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportOutcome {
    /// `new`: a new version, superseding the list's latest; `existing`: the same files were
    /// imported before, and this is that version.
    #[schema(pattern = "^(new|existing)$")]
    pub outcome: &'static str,
    /// The version.
    pub version: ListVersion,
}

impl From<W::Imported> for ImportOutcome {
    fn from(imported: W::Imported) -> Self {
        match imported {
            W::Imported::New(v) => Self {
                outcome: "new",
                version: v.into(),
            },
            W::Imported::Existing(v) => Self {
                outcome: "existing",
                version: v.into(),
            },
        }
    }
}

/// One feature of a match and what it added to (or took from) the score.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MatchFeature {
    /// `name_similarity`, `generic_only`, `birth_date`, `country`, `identifier` or `wallet`.
    pub name: String,
    /// Its contribution in basis points of the score (10000 = 1), signed; the contributions
    /// add up to the score.
    pub contribution: i32,
    /// What it compared, in words.
    pub detail: String,
}

/// One match, explained.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ScreeningMatch {
    /// `reject`, `review` or `below`, under the bands of the rules in force.
    #[schema(pattern = "^(reject|review|below)$")]
    pub band: String,
    /// The list.
    #[schema(value_type = String)]
    pub list: ListName,
    /// The entry on it.
    pub entry: String,
    /// The list's kind.
    #[schema(value_type = S::WatchlistKind)]
    pub kind: WatchlistKind,
    /// What the entry designates: `person`, `organization`, `vessel`, `aircraft`, `unknown`.
    pub schema: String,
    /// How strongly it matched, 0 to 1.
    #[schema(value_type = f64, minimum = 0, maximum = 1)]
    pub score: MatchScore,
    /// The subject's name that met the list's.
    pub subject_name: String,
    /// The list's name that met the subject's.
    pub list_name: String,
    /// Each feature's contribution.
    pub features: Vec<MatchFeature>,
}

/// A screening's answer: the list versions used, the bands, the matches at or above the review
/// band, strongest first. Nothing is written.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Screened {
    /// The labels of the list versions screened against.
    pub versions: Vec<String>,
    /// From here a match goes to review.
    #[schema(value_type = f64, minimum = 0, maximum = 1)]
    pub review_at: MatchScore,
    /// From here a sanctions match rejects.
    #[schema(value_type = f64, minimum = 0, maximum = 1)]
    pub reject_at: MatchScore,
    /// The matches.
    pub matches: Vec<ScreeningMatch>,
}

/// A value's snake_case text, as its serde form gives it.
fn text<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

impl From<W::Screened> for Screened {
    fn from(s: W::Screened) -> Self {
        let W::Screened {
            versions,
            review_at,
            reject_at,
            matches,
        } = s;
        let matches = matches
            .into_iter()
            .map(|W::BandedMatch { band, explained: m }| ScreeningMatch {
                band: text(&band),
                list: m.list,
                entry: m.entry.to_string(),
                kind: m.kind,
                schema: text(&m.schema),
                score: m.score,
                subject_name: m.subject_name,
                list_name: m.list_name,
                features: m
                    .features
                    .into_iter()
                    .map(|f| MatchFeature {
                        name: text(&f.name),
                        contribution: f.contribution,
                        detail: f.detail,
                    })
                    .collect(),
            })
            .collect();
        Self {
            versions,
            review_at,
            reject_at,
            matches,
        }
    }
}

/// An entity's screening subject: personal data, for compliance officers and admins.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SubjectRecord {
    /// The revision's id.
    pub id: Uuid,
    /// The entity.
    #[schema(value_type = S::EntityId)]
    pub entity_id: EntityId,
    /// The revision, from 1 (a subject submitted again unchanged is not a new revision).
    pub revision: i32,
    /// The subject; null once erased.
    #[schema(value_type = Option<S::SubjectInput>)]
    pub subject: Option<compliance_domain::Subject>,
    /// What the audit chain keeps of it: SHA-256 over a salt and the subject, hex.
    pub commitment: String,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
    /// When it was erased.
    pub erased_at: Option<DateTime<Utc>>,
}

impl From<compliance_app::SubjectRecord> for SubjectRecord {
    fn from(r: compliance_app::SubjectRecord) -> Self {
        let compliance_app::SubjectRecord {
            id,
            entity_id,
            revision,
            subject,
            commitment,
            recorded_at,
            erased_at,
        } = r;
        Self {
            id,
            entity_id,
            revision,
            subject,
            commitment,
            recorded_at,
            erased_at,
        }
    }
}

/// What an erasure did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Erased {
    /// How many revisions of the subject were erased (0: none was left to erase).
    pub revisions: usize,
}
