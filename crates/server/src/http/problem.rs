//! Errors as `application/problem+json` (RFC 9457): the one mapping from [`AppError`] to an
//! HTTP status and a stable `type`, and the HTTP layer's own refusals (a missing `If-Match`, a
//! body too large, a malformed path, too many failed authentications).
//!
//! Must not: answer 500 to anything a client can send, or put a token, a body or personal
//! data in a problem: details are the errors' own messages, which carry ids and codes only.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use compliance_app::AppError;
use compliance_domain::input::FieldError;
use compliance_domain::{DispositionError, ReviewError};
use compliance_persistence::PersistenceError;
use serde::Serialize;

/// The media type of a problem document (RFC 9457).
pub const MEDIA_TYPE: &str = "application/problem+json";

/// Where every problem type lives: `urn:compliance-db:problem:<kind>`.
pub const TYPE_PREFIX: &str = "urn:compliance-db:problem:";

/// A problem document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// The problem's kind, a stable URI (`urn:compliance-db:problem:<kind>`).
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind.
    pub title: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong here, and what to do.
    pub detail: String,
    /// For invalid input: every offending field, with its path.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<super::schemas::FieldError>>)]
    pub errors: Option<Vec<FieldError>>,
    /// Seconds to wait before retrying (also the `Retry-After` header).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

impl Problem {
    /// A problem of `kind` with `status`.
    pub fn new(
        status: StatusCode,
        kind: &str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            kind: format!("{TYPE_PREFIX}{kind}"),
            title,
            status: status.as_u16(),
            detail: detail.into(),
            errors: None,
            retry_after: None,
        }
    }

    /// The status, as a `StatusCode`.
    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// 400: a malformed path segment, query parameter or header.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "bad-request",
            "malformed request",
            detail,
        )
    }

    /// 404: no such route.
    pub fn no_route() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "no-such-route",
            "no such route",
            "there is no such route: see GET /api/v1/openapi.json",
        )
    }

    /// 428: a review without `If-Match`.
    pub fn precondition_required() -> Self {
        Self::new(
            StatusCode::PRECONDITION_REQUIRED,
            "precondition-required",
            "If-Match required",
            "send If-Match with the case's ETag (its revision, e.g. \"3\") as read before deciding",
        )
    }

    /// 429: too many failed authentications from this address.
    pub fn too_many_failures(retry_after: u64) -> Self {
        let mut p = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too-many-failed-authentications",
            "too many failed authentications",
            format!("too many failed authentications from this address: retry in {retry_after} s"),
        );
        p.retry_after = Some(retry_after);
        p
    }

    /// 500: something failed on the server's side (a panic, stored data the domain refuses).
    pub fn internal(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error",
            detail,
        )
    }
}

/// The status and kind of every application error: the one table (tested below and in the
/// integration tests).
pub fn classify(error: &AppError) -> (StatusCode, &'static str, &'static str) {
    use StatusCode as S;
    match error {
        AppError::Input(_) => (S::UNPROCESSABLE_ENTITY, "invalid-input", "invalid input"),
        AppError::Unauthenticated(_) => (
            S::UNAUTHORIZED,
            "unauthenticated",
            "authentication required",
        ),
        AppError::Forbidden { .. } | AppError::NotAReviewer(_) | AppError::NotTheAgent { .. } => {
            (S::FORBIDDEN, "forbidden", "not permitted for this role")
        }
        AppError::Review(ReviewError::NotPermitted { .. })
        | AppError::Disposition(DispositionError::NotPermitted { .. }) => {
            (S::FORBIDDEN, "forbidden", "not permitted for this role")
        }
        AppError::Review(ReviewError::SameReviewer { .. })
        | AppError::Disposition(DispositionError::SameReviewer { .. }) => {
            (S::CONFLICT, "four-eyes", "a second reviewer is required")
        }
        AppError::Review(ReviewError::EngineRejects) => (
            S::CONFLICT,
            "engine-rejects",
            "the rules engine rejects this case",
        ),
        AppError::Review(_) => (
            S::CONFLICT,
            "invalid-transition",
            "the case cannot move that way",
        ),
        AppError::Disposition(DispositionError::NotMatched) => (
            S::UNPROCESSABLE_ENTITY,
            "not-matched",
            "no such matched list entry",
        ),
        AppError::Disposition(DispositionError::CaseClosed { .. }) | AppError::Final { .. } => {
            (S::CONFLICT, "case-final", "the case is closed")
        }
        AppError::Disposition(_) => (S::CONFLICT, "conflict", "conflict"),
        AppError::OpenCase { .. } => (S::CONFLICT, "open-case", "the entity has an open case"),
        AppError::IdempotencyKeyReused { .. } => (
            S::UNPROCESSABLE_ENTITY,
            "idempotency-key-reused",
            "idempotency key reused",
        ),
        AppError::StaleRevision { .. } => (
            S::PRECONDITION_FAILED,
            "stale-revision",
            "the case changed since it was read",
        ),
        AppError::Busy { .. } => (S::SERVICE_UNAVAILABLE, "busy", "the database is busy"),
        AppError::RuleSet(_) => (
            S::SERVICE_UNAVAILABLE,
            "rules-unavailable",
            "no usable rules in force",
        ),
        AppError::Rule(_) | AppError::Evaluate(_) => {
            (S::INTERNAL_SERVER_ERROR, "internal", "internal error")
        }
        AppError::Persistence(p) => match p {
            PersistenceError::NotFound { .. } => (S::NOT_FOUND, "not-found", "not found"),
            PersistenceError::Conflict { .. } => (S::CONFLICT, "conflict", "conflict"),
            PersistenceError::Refused { .. } => (
                S::UNPROCESSABLE_ENTITY,
                "refused",
                "the database refused the write",
            ),
            PersistenceError::InvalidData { .. } => {
                (S::INTERNAL_SERVER_ERROR, "internal", "internal error")
            }
            _ => (
                S::SERVICE_UNAVAILABLE,
                "unavailable",
                "the database is unavailable",
            ),
        },
    }
}

impl From<AppError> for Problem {
    fn from(error: AppError) -> Self {
        let (status, kind, title) = classify(&error);
        let mut problem = Problem::new(status, kind, title, error.to_string());
        if let AppError::Input(input) = &error {
            problem.errors = Some(input.fields.clone());
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            problem.retry_after = Some(1);
        }
        if status.is_server_error() {
            tracing::error!(kind, "{error}");
        }
        problem
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status_code();
        let retry_after = self.retry_after;
        let mut response = (status, Json(self)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(MEDIA_TYPE));
        if let Some(seconds) = retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"compliance-api\""),
            );
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use compliance_domain::{CheckStatus, Role, UserId};

    #[test]
    fn the_mapping_table() {
        let user = UserId::from_uuid(uuid::Uuid::nil());
        let case = uuid::Uuid::nil();
        let cases: Vec<(AppError, u16, &str)> = vec![
            (
                AppError::Input(compliance_domain::input::InputError::field("x", "bad")),
                422,
                "invalid-input",
            ),
            (AppError::Unauthenticated("no"), 401, "unauthenticated"),
            (
                AppError::Forbidden {
                    role: Role::Analyst,
                    what: "re-screen entities",
                },
                403,
                "forbidden",
            ),
            (
                ReviewError::NotPermitted {
                    role: Role::Analyst,
                    status: CheckStatus::Escalated,
                }
                .into(),
                403,
                "forbidden",
            ),
            (
                ReviewError::SameReviewer { reviewer: user }.into(),
                409,
                "four-eyes",
            ),
            (
                DispositionError::SameReviewer { reviewer: user }.into(),
                409,
                "four-eyes",
            ),
            (
                DispositionError::NotPermitted {
                    role: Role::Analyst,
                }
                .into(),
                403,
                "forbidden",
            ),
            (DispositionError::NotMatched.into(), 422, "not-matched"),
            (ReviewError::EngineRejects.into(), 409, "engine-rejects"),
            (
                ReviewError::NotAwaitingReview {
                    status: CheckStatus::Approved,
                }
                .into(),
                409,
                "invalid-transition",
            ),
            (
                AppError::OpenCase {
                    entity: compliance_domain::EntityId::parse("ae-x-1").unwrap(),
                    case,
                    status: CheckStatus::Pending,
                },
                409,
                "open-case",
            ),
            (
                AppError::IdempotencyKeyReused { case },
                422,
                "idempotency-key-reused",
            ),
            (
                AppError::StaleRevision {
                    case,
                    reason: "moved".into(),
                },
                412,
                "stale-revision",
            ),
            (
                AppError::Busy {
                    attempts: 5,
                    reason: "deadlock".into(),
                },
                503,
                "busy",
            ),
            (
                PersistenceError::NotFound {
                    what: "case",
                    key: "x".into(),
                }
                .into(),
                404,
                "not-found",
            ),
            (
                PersistenceError::Conflict {
                    what: "case",
                    key: "x".into(),
                    reason: "r".into(),
                }
                .into(),
                409,
                "conflict",
            ),
            (
                PersistenceError::Unavailable {
                    target: "db".into(),
                    reason: "down".into(),
                }
                .into(),
                503,
                "unavailable",
            ),
        ];
        for (error, status, kind) in cases {
            let problem = Problem::from(error);
            assert_eq!(
                (problem.status, problem.kind.as_str()),
                (status, format!("{TYPE_PREFIX}{kind}").as_str())
            );
        }
    }
}
