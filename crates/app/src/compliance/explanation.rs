//! The explanation of one of this project's own screenings, as the case page shows it: the list
//! versions it ran against and each match feature by feature, beside the subject's name that met
//! the list's name, so that a reviewer can judge a false positive. A part of [`super::detail`],
//! read in its snapshot.
//!
//! Must not: give the subject's names, or a feature's detail (it quotes the subject's name tokens,
//! birth date, countries, identifiers), to a caller who may not read subjects; read anything per
//! match; or put any of the stored explanation in an error (it is personal data).

use crate::{AppError, Result};
use chrono::{DateTime, Utc};
use compliance_domain::{ListEntryRef, ListName, MatchScore};
use compliance_persistence::repo::{screening_subjects, screenings, watchlists};
use compliance_screening::{Band, FeatureName};
use diesel::pg::PgConnection;
use serde::Deserialize;
use std::collections::BTreeMap;
use uuid::Uuid;

/// One of this project's own screenings, explained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScreeningExplanation {
    /// The labels of the exact list versions it ran against.
    pub versions: Vec<String>,
    /// When the subject screened was erased: its explanation went with it, and `matches` is
    /// empty.
    pub erased_at: Option<DateTime<Utc>>,
    /// Whether the caller may read subjects: when not, every `subject_name` and feature detail
    /// is `None`.
    pub shows_subject: bool,
    /// Its matches, strongest first.
    pub matches: Vec<ExplainedMatch>,
}

/// One matched list entry, feature by feature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExplainedMatch {
    /// Reject, review, or below the review band, under the bands in force when screened.
    pub band: Band,
    /// The list.
    pub list: ListName,
    /// The entry.
    pub entry: ListEntryRef,
    /// The score: the sum of the features' contributions.
    pub score: MatchScore,
    /// The list's name (primary or alias, as the list wrote it) that the subject's name met.
    pub list_name: String,
    /// The subject's name that met it (empty when only an identifier matched); `None` for a
    /// caller who may not read subjects.
    pub subject_name: Option<String>,
    /// Every feature's part of the score, in the order applied.
    pub features: Vec<ExplainedFeature>,
}

/// One part of a match's score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExplainedFeature {
    /// What was measured.
    pub name: FeatureName,
    /// Its change to the score, in basis points (10000 = 1.0); negative lowers.
    pub contribution: i32,
    /// What was compared, in words (it quotes the subject); `None` for a caller who may not
    /// read subjects.
    pub detail: Option<String>,
}

/// A match as `screening_explanations` stores it (`BandedMatch`'s JSON; the fields the page
/// does not show are ignored).
#[derive(Deserialize)]
struct StoredMatch {
    band: Band,
    list: ListName,
    entry: ListEntryRef,
    score: MatchScore,
    #[serde(default)]
    subject_name: String,
    #[serde(default)]
    list_name: String,
    #[serde(default)]
    features: Vec<StoredFeature>,
}

#[derive(Deserialize)]
struct StoredFeature {
    name: FeatureName,
    contribution: i32,
    #[serde(default)]
    detail: String,
}

/// What the explanations of a case's screenings were read from: the screening's subject
/// revision, its stored explanation, and its version ids.
pub(super) struct Read {
    subject: Uuid,
    stored: Option<serde_json::Value>,
    versions: Vec<Uuid>,
}

/// Reads a screening's explanation and version ids: two statements, none when the screening
/// was not this project's (`None`).
pub(super) fn read(conn: &mut PgConnection, aml_check: Uuid) -> Result<Option<Read>> {
    let Some((subject, stored)) = screenings::explanation(conn, aml_check)? else {
        return Ok(None);
    };
    let versions = screenings::versions(conn, aml_check)?;
    Ok(Some(Read {
        subject,
        stored,
        versions,
    }))
}

/// The explanations of a case's screenings (in the order given; `None` for one that was not
/// this project's), with the versions' labels read once per distinct version and an erased
/// subject's revision once per erased screening.
pub(super) fn explain(
    conn: &mut PgConnection,
    reads: Vec<(Uuid, Option<Read>)>,
    shows_subject: bool,
) -> Result<Vec<Option<ScreeningExplanation>>> {
    let mut labels: BTreeMap<Uuid, String> = BTreeMap::new();
    for id in reads
        .iter()
        .flat_map(|(_, r)| r.iter())
        .flat_map(|r| &r.versions)
    {
        if !labels.contains_key(id) {
            labels.insert(*id, watchlists::find(conn, *id)?.label);
        }
    }
    reads
        .into_iter()
        .map(|(aml_check, read)| {
            let Some(read) = read else { return Ok(None) };
            let versions = read
                .versions
                .iter()
                .filter_map(|v| labels.get(v).cloned())
                .collect();
            let (erased_at, matches) = match read.stored {
                Some(json) => (None, matches(aml_check, json, shows_subject)?),
                None => {
                    let subject = screening_subjects::find(conn, read.subject)?;
                    (subject.erased_at, Vec::new())
                }
            };
            Ok(Some(ScreeningExplanation {
                versions,
                erased_at,
                shows_subject,
                matches,
            }))
        })
        .collect()
}

fn matches(
    aml_check: Uuid,
    json: serde_json::Value,
    shows_subject: bool,
) -> Result<Vec<ExplainedMatch>> {
    let stored: Vec<StoredMatch> = serde_json::from_value(json).map_err(|e| {
        // serde's message may quote the stored value (a name): say only where it failed.
        AppError::Internal(format!(
            "screening_explanations {aml_check}: not a list of explained matches ({:?} error)",
            e.classify()
        ))
    })?;
    Ok(stored
        .into_iter()
        .map(|m| ExplainedMatch {
            band: m.band,
            list: m.list,
            entry: m.entry,
            score: m.score,
            list_name: m.list_name,
            subject_name: shows_subject.then_some(m.subject_name),
            features: m
                .features
                .into_iter()
                .map(|f| ExplainedFeature {
                    name: f.name,
                    contribution: f.contribution,
                    detail: shows_subject.then_some(f.detail),
                })
                .collect(),
        })
        .collect())
}
