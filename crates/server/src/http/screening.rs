//! Screening over HTTP: `POST /api/v1/screen` (a subject screened ad hoc, nothing written),
//! `GET|POST /api/v1/watchlists` (the versions imported; an admin imports one from its official
//! files), and `GET|PUT|DELETE /api/v1/entities/{entity_id}/subject` (an entity's screening
//! subject: read by officers, recorded by the agent, erased within the law).
//!
//! Must not: decide anything itself, or log a subject or a file (see
//! [`compliance_app::Compliance`]).

use super::bodies::{Erased, ImportOutcome, ListVersion, Screened, SubjectRecord};
use super::schemas as S;
use super::{AppState, Body, Problem, Segment, call, entity_id};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use base64::Engine;
use compliance_app::screening::formats::{Format, ListFile};
use compliance_app::{AppError, Caller};
use compliance_domain::Jurisdiction;
use compliance_domain::input::{InputError, SubjectInput};
use serde::Deserialize;

/// The largest import body: the files of a list version, base64 (OFAC's three files are about
/// 10 MB together).
pub const IMPORT_BODY_LIMIT: usize = 48 * 1024 * 1024;

/// `POST /api/v1/screen`'s body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScreenInput {
    subject: SubjectInput,
    #[serde(default)]
    jurisdiction: Option<String>,
}

/// `POST /api/v1/watchlists`'s body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportInput {
    format: String,
    files: Vec<FileInput>,
    #[serde(default)]
    forced_reason: Option<String>,
}

/// One file of an import.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileInput {
    name: String,
    content_base64: String,
}

/// `PUT /api/v1/entities/{entity_id}/subject`'s body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubjectBody {
    subject: SubjectInput,
}

fn invalid(path: &str, message: impl std::fmt::Display) -> Problem {
    Problem::from(AppError::Input(InputError::field(path, message)))
}

fn jurisdiction(text: Option<&str>) -> Result<Option<Jurisdiction>, Problem> {
    text.map(|j| j.parse().map_err(|e| invalid("jurisdiction", e)))
        .transpose()
}

/// Screen a subject against the lists' current versions and explain each match; nothing is
/// written (a pre-check). The bands are the jurisdiction's rules in force, or the strictest of
/// the three.
#[utoipa::path(post, path = "/api/v1/screen", tag = "screening",
    request_body = S::ScreenInput,
    responses((status = 200, body = Screened),
        (status = 403, description = "The role may not screen", body = Problem)),
    security(("bearer" = [])))]
pub async fn screen(
    State(state): State<AppState>,
    caller: Caller,
    Body(input): Body<ScreenInput>,
) -> Result<Json<Screened>, Problem> {
    let subject = input
        .subject
        .parse()
        .map_err(|e| Problem::from(AppError::Input(prefixed("subject", e))))?;
    let jurisdiction = jurisdiction(input.jurisdiction.as_deref())?;
    let screened = call(&state.compliance, move |c| {
        c.screen(&caller, &subject, jurisdiction)
    })
    .await?;
    Ok(Json(screened.into()))
}

/// Paths of a nested input's errors, under `prefix`.
fn prefixed(prefix: &str, mut e: InputError) -> InputError {
    for field in &mut e.fields {
        field.path = format!("{prefix}.{}", field.path);
    }
    e
}

/// Every watchlist version imported, newest first.
#[utoipa::path(get, path = "/api/v1/watchlists", tag = "screening",
    responses((status = 200, body = Vec<ListVersion>), (status = 403, body = Problem)),
    security(("bearer" = [])))]
pub async fn versions(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<ListVersion>>, Problem> {
    let versions = call(&state.compliance, move |c| c.watchlist_versions(&caller)).await?;
    Ok(Json(versions.into_iter().map(Into::into).collect()))
}

/// Import a list version from its official files, base64 (admins): `ofac-sdn-csv` (`sdn.csv`,
/// and `alt.csv`, `add.csv` when given), `un-xml` (one file), `ftm-jsonl` (one file). The same
/// files again answer the existing version (200); a version whose entry count fell by more than
/// 20% against the list's latest is refused (422 `refused`) unless `forced_reason` says why.
#[utoipa::path(post, path = "/api/v1/watchlists", tag = "screening",
    request_body = S::ImportInput,
    responses((status = 201, description = "A new version", body = ImportOutcome),
        (status = 200, description = "The same files were imported before", body = ImportOutcome),
        (status = 403, description = "Only an admin imports", body = Problem),
        (status = 413, description = "The files are larger than the import limit", body = Problem)),
    security(("bearer" = [])))]
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    Body(input): Body<ImportInput>,
) -> Result<(StatusCode, Json<ImportOutcome>), Problem> {
    let format: Format = input.format.parse().map_err(|e| invalid("format", e))?;
    if input.files.is_empty() || input.files.len() > 3 {
        return Err(invalid("files", "one to three files"));
    }
    let files = input
        .files
        .into_iter()
        .enumerate()
        .map(|(i, f)| {
            base64::engine::general_purpose::STANDARD
                .decode(f.content_base64.as_bytes())
                .map(|bytes| ListFile::new(f.name, bytes))
                .map_err(|_| invalid(&format!("files[{i}].content_base64"), "not base64"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let reason = input.forced_reason;
    let imported = call(&state.compliance, move |c| {
        c.import_watchlist(&caller, format, &files, reason.as_deref())
    })
    .await?;
    let status = match imported {
        compliance_app::watchlists::Imported::New(_) => StatusCode::CREATED,
        compliance_app::watchlists::Imported::Existing(_) => StatusCode::OK,
    };
    Ok((status, Json(imported.into())))
}

/// The entity's current screening subject (compliance officers and admins: personal data).
#[utoipa::path(get, path = "/api/v1/entities/{entity_id}/subject", tag = "screening",
    params(("entity_id" = S::EntityId, Path, description = "The entity")),
    responses((status = 200, body = SubjectRecord), (status = 403, body = Problem),
        (status = 404, description = "The entity has no subject", body = Problem)),
    security(("bearer" = [])))]
pub async fn subject(
    State(state): State<AppState>,
    caller: Caller,
    Segment(entity): Segment,
) -> Result<Json<SubjectRecord>, Problem> {
    let entity = entity_id(&entity)?;
    let record = call(&state.compliance, move |c| c.subject(&caller, &entity)).await?;
    Ok(Json(record.into()))
}

/// Record the entity's screening subject (the system agent): a new revision when it changed.
/// Kept outside the hash chain, which records its commitment.
#[utoipa::path(put, path = "/api/v1/entities/{entity_id}/subject", tag = "screening",
    request_body = S::SubjectBody,
    params(("entity_id" = S::EntityId, Path, description = "The entity")),
    responses((status = 200, body = SubjectRecord), (status = 403, body = Problem)),
    security(("bearer" = [])))]
pub async fn record_subject(
    State(state): State<AppState>,
    caller: Caller,
    Segment(entity): Segment,
    Body(input): Body<SubjectBody>,
) -> Result<Json<SubjectRecord>, Problem> {
    let entity = entity_id(&entity)?;
    let subject = input
        .subject
        .parse()
        .map_err(|e| Problem::from(AppError::Input(prefixed("subject", e))))?;
    let record = call(&state.compliance, move |c| {
        c.record_subject(&caller, &entity, &subject)
    })
    .await?;
    Ok(Json(record.into()))
}

/// Erase the entity's screening subject (compliance officers and admins) once its records need
/// no longer be kept: five years after the relationship ends (PMLA s.12, UAE Federal Decree-Law
/// No. 20 of 2018 Art. 16, 31 CFR 1010.430). Before that, 409 `retained` names the rule and the
/// date it lapses, and nothing is erased.
#[utoipa::path(delete, path = "/api/v1/entities/{entity_id}/subject", tag = "screening",
    params(("entity_id" = S::EntityId, Path, description = "The entity")),
    responses((status = 200, body = Erased), (status = 403, body = Problem),
        (status = 409, description = "The records must still be kept", body = Problem)),
    security(("bearer" = [])))]
pub async fn erase_subject(
    State(state): State<AppState>,
    caller: Caller,
    Segment(entity): Segment,
) -> Result<Json<Erased>, Problem> {
    let entity = entity_id(&entity)?;
    let revisions = call(&state.compliance, move |c| {
        c.erase_subject(&caller, &entity)
    })
    .await?;
    Ok(Json(Erased { revisions }))
}
