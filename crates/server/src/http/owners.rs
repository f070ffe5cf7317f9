//! `/api/v1/entities/{entity_id}/owners`: a corporate's or a fund's beneficial owners, each an
//! entity of its own with its share; recorded by the system agent (relaying the onboarding
//! service's ownership declaration) or an admin or compliance officer, read by every role that
//! reads cases.
//!
//! Must not: decide who may record what: each handler parses, calls one method of
//! [`compliance_app::Compliance`] as the authenticated caller, and maps the answer.

use super::bodies::{Owner, Ownership};
use super::schemas as S;
use super::{AppState, Body, Problem, Segment, call, entity_id};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use compliance_app::{AppError, Caller};
use compliance_domain::input::InputError;
use compliance_domain::{EntityId, OwnershipShare};
use serde::Deserialize;

/// A beneficial owner to record.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OwnerInput {
    /// The owner: an entity of its own (with an individual's case, or none yet).
    #[schema(value_type = S::EntityId)]
    pub owner_id: String,
    /// The share of ownership declared, in percent, as text.
    #[schema(value_type = S::OwnershipShare)]
    pub share: String,
}

impl OwnerInput {
    /// The owner and the share, every bad field named.
    fn parse(&self) -> Result<(EntityId, OwnershipShare), InputError> {
        let owner = EntityId::parse(&self.owner_id).map_err(|e| InputError::field("owner_id", e));
        let share = OwnershipShare::parse(&self.share).map_err(|e| InputError::field("share", e));
        match (owner, share) {
            (Ok(owner), Ok(share)) => Ok((owner, share)),
            (owner, share) => Err(InputError {
                fields: [owner.err(), share.err()]
                    .into_iter()
                    .flatten()
                    .flat_map(|e| e.fields)
                    .collect(),
            }),
        }
    }
}

/// Record a beneficial owner of a corporate or a fund (the system agent, admins, compliance
/// officers).
///
/// The entity's current case must be a corporate's or a fund's, the owner's (if it has one) an
/// individual's: a beneficial owner is a natural person, so ownership through a holding company
/// is recorded as the person's effective share. An entity never owns itself (422), the shares
/// recorded for one entity add up to at most 100 (409 `shares-over-100`), and a pair is
/// recorded once (409 `conflict`): a record is evidence, never changed. Audited
/// (`owner_recorded`).
#[utoipa::path(post, path = "/api/v1/entities/{entity_id}/owners", tag = "entities",
    request_body = OwnerInput,
    params(("entity_id" = S::EntityId, Path, description = "The corporate or fund owned")),
    responses((status = 201, body = Owner),
        (status = 403, description = "The system agent, admins and compliance officers only", body = Problem),
        (status = 404, description = "The entity has no case", body = Problem),
        (status = 409, description = "Not a corporate or a fund (`not-a-legal-person`), an owner \
            that is not a person (`owner-not-a-person`), shares over 100 in all \
            (`shares-over-100`), or recorded already (`conflict`)", body = Problem),
        (status = 422, description = "A field is invalid (each is listed in `errors`), or the \
            owner is the entity itself (`owns-itself`)", body = Problem)),
    security(("bearer" = [])))]
pub async fn record_owner(
    State(state): State<AppState>,
    caller: Caller,
    Segment(entity): Segment,
    Body(input): Body<OwnerInput>,
) -> Result<Response, Problem> {
    let entity = entity_id(&entity)?;
    let (owner, share) = input.parse().map_err(AppError::Input)?;
    let recorded: Owner = call(&state.compliance, move |c| {
        c.record_owner(&caller, &entity, &owner, share)
    })
    .await?
    .into();
    Ok((StatusCode::CREATED, Json(recorded)).into_response())
}

/// The entity's recorded owners and what it owns, each with both sides' current cases (empty
/// lists when nothing is recorded; every role that reads cases).
#[utoipa::path(get, path = "/api/v1/entities/{entity_id}/owners", tag = "entities",
    params(("entity_id" = S::EntityId, Path, description = "The entity")),
    responses((status = 200, body = Ownership), (status = 403, body = Problem)),
    security(("bearer" = [])))]
pub async fn ownership(
    State(state): State<AppState>,
    caller: Caller,
    Segment(entity): Segment,
) -> Result<Json<Ownership>, Problem> {
    let entity = entity_id(&entity)?;
    let ownership = call(&state.compliance, move |c| c.ownership(&caller, &entity)).await?;
    Ok(Json(ownership.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_bad_field_is_named() {
        let input = |owner: &str, share: &str| OwnerInput {
            owner_id: owner.into(),
            share: share.into(),
        };
        let paths = |e: InputError| e.fields.into_iter().map(|f| f.path).collect::<Vec<_>>();
        assert_eq!(
            paths(input("Bad Id", "25").parse().unwrap_err()),
            ["owner_id"]
        );
        assert_eq!(
            paths(input("ae-ind-1", "0").parse().unwrap_err()),
            ["share"]
        );
        assert_eq!(
            paths(input("x", "101").parse().unwrap_err()),
            ["owner_id", "share"]
        );
        let (owner, share) = input("ae-ind-1", "12.50").parse().unwrap();
        assert_eq!(
            (owner.as_str(), share.to_string().as_str()),
            ("ae-ind-1", "12.5")
        );
    }
}
