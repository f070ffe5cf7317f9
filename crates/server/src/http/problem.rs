//! Errors as `application/problem+json` (RFC 9457): the one mapping from [`AppError`] to an
//! HTTP status and a stable `type`, and the HTTP layer's own refusals (a missing `If-Match`, a
//! body too large, a malformed path, too many failed authentications).
//!
//! Must not: answer 500 to anything a client can send, or put a token, a body or personal
//! data in a problem: a 4xx detail is the error's own message (ids and codes only); a 5xx
//! detail is a stable text of its kind and a correlation id, never the server's words (hosts,
//! databases, tables, the driver's messages), which go to the log line with the same id.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use compliance_app::AppError;
use compliance_domain::input::FieldError;
use compliance_domain::{
    AssignmentError, DispositionError, OwnershipError, RequestError, ReviewError,
};
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
    pub errors: Option<Box<[FieldError]>>,
    /// Seconds to wait before retrying (also the `Retry-After` header).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// For a server error: the id of the log line that says what failed (quote it to the
    /// service's operators).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub correlation_id: Option<Box<str>>,
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
            correlation_id: None,
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

    /// The problem of an application error on a route that names the revision it read in its
    /// body (an endpoint's change, a rotation) rather than as `If-Match`: a stale revision is
    /// 409 `stale-revision`, as the request conflicts with the record as it is now (412 is for a
    /// precondition header that failed); every other error as [`classify`] maps it.
    pub fn of_body_revision(error: AppError) -> Self {
        if let AppError::StaleRevision { .. } = &error {
            return Self::new(
                StatusCode::CONFLICT,
                "stale-revision",
                "the record changed since it was read",
                error.to_string(),
            );
        }
        Self::from(error)
    }

    /// 500: something failed on the server's side (a panic, stored data the domain refuses).
    /// `what` goes to the log, under the correlation id the answer carries.
    pub fn internal(what: &str) -> Self {
        server_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error",
            what,
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
        AppError::Review(
            ReviewError::NotPermitted { .. } | ReviewError::WaiverNeedsOfficer { .. },
        )
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
        AppError::Review(ReviewError::EngineRequiresEvidence) => (
            S::CONFLICT,
            "evidence-required",
            "the rules engine holds this case for missing evidence",
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
        AppError::Assignment(AssignmentError::MayNotAssign { .. }) => {
            (S::FORBIDDEN, "forbidden", "not permitted for this role")
        }
        AppError::Assignment(AssignmentError::AssignedToOther { .. }) => (
            S::CONFLICT,
            "assigned-elsewhere",
            "the case is assigned to someone else",
        ),
        AppError::Assignment(AssignmentError::NotInQueue { .. }) => (
            S::CONFLICT,
            "not-in-queue",
            "the case is not awaiting review",
        ),
        AppError::Assignment(_) => (
            S::UNPROCESSABLE_ENTITY,
            "invalid-assignee",
            "the assignee may not work this case",
        ),
        AppError::Request(RequestError::MayNotClose { .. }) => {
            (S::FORBIDDEN, "forbidden", "not permitted for this role")
        }
        AppError::Request(RequestError::NotWaiting { .. }) => (
            S::CONFLICT,
            "not-in-queue",
            "the case is not awaiting review",
        ),
        AppError::Request(RequestError::Closed { .. }) => (
            S::CONFLICT,
            "request-closed",
            "the request was closed already",
        ),
        // What was asked is input: the HTTP layer names its fields before it reaches here.
        AppError::Request(_) => (S::UNPROCESSABLE_ENTITY, "invalid-input", "invalid input"),
        AppError::Ownership(OwnershipError::OwnsItself(_)) => (
            S::UNPROCESSABLE_ENTITY,
            "owns-itself",
            "an entity cannot own itself",
        ),
        AppError::Ownership(OwnershipError::NotALegalPerson { .. }) => (
            S::CONFLICT,
            "not-a-legal-person",
            "only a corporate or a fund has beneficial owners",
        ),
        AppError::Ownership(OwnershipError::OwnerNotAPerson { .. }) => (
            S::CONFLICT,
            "owner-not-a-person",
            "a beneficial owner is a natural person",
        ),
        AppError::Ownership(OwnershipError::OverHundred { .. }) => (
            S::CONFLICT,
            "shares-over-100",
            "the recorded shares would exceed 100 percent",
        ),
        AppError::OpenCase { .. } => (S::CONFLICT, "open-case", "the entity has an open case"),
        AppError::Superseded { .. } => (
            S::CONFLICT,
            "superseded",
            "the case is history: the entity has a newer one",
        ),
        AppError::IdempotencyKeyReused { .. } => (
            S::UNPROCESSABLE_ENTITY,
            "idempotency-key-reused",
            "idempotency key reused",
        ),
        AppError::NotFound { .. } => (S::NOT_FOUND, "not-found", "not found"),
        AppError::UnreadableList(_) => (
            S::UNPROCESSABLE_ENTITY,
            "unreadable-list",
            "the list files cannot be read",
        ),
        AppError::Retained { .. } => (S::CONFLICT, "retained", "the records must still be kept"),
        AppError::StaleRevision { .. } => (
            S::PRECONDITION_FAILED,
            "stale-revision",
            "the case changed since it was read",
        ),
        AppError::Conflict { .. } => (S::CONFLICT, "conflict", "conflict"),
        AppError::Refused { .. } => (
            S::UNPROCESSABLE_ENTITY,
            "refused",
            "the database refused the write",
        ),
        AppError::Busy { .. } | AppError::Transient { .. } => {
            (S::SERVICE_UNAVAILABLE, "busy", "the database is busy")
        }
        AppError::Unavailable { .. } => (
            S::SERVICE_UNAVAILABLE,
            "unavailable",
            "the database is unavailable",
        ),
        AppError::OutcomeUnknown { .. } => (
            S::SERVICE_UNAVAILABLE,
            "outcome-unknown",
            "the write may or may not have been made",
        ),
        AppError::Overloaded { .. } => (
            S::SERVICE_UNAVAILABLE,
            "overloaded",
            "too much work at once",
        ),
        AppError::RuleSet(_) => (
            S::SERVICE_UNAVAILABLE,
            "rules-unavailable",
            "no usable rules in force",
        ),
        AppError::Internal(_) => (S::INTERNAL_SERVER_ERROR, "internal", "internal error"),
    }
}

/// What a client is told of a server error of `kind`: our own words, the same every time.
fn safe_detail(kind: &str) -> &'static str {
    match kind {
        "busy" => "the database stayed busy; nothing was written: retry shortly",
        "unavailable" => {
            "the database cannot be reached just now; nothing was written: retry shortly"
        }
        "overloaded" => "too many of these requests at once; nothing was done: retry shortly",
        "outcome-unknown" => {
            "the connection to the database was lost while the write was being committed: it may or may not have been made; read it back before acting again (a submission sent again with its Idempotency-Key is safe)"
        }
        "rules-unavailable" => {
            "no usable rules are in force for this jurisdiction; nothing was written"
        }
        _ => "the service failed to handle this request; nothing was written",
    }
}

/// A server error: a stable, safe detail and a new correlation id for the client, and a log
/// line with that id and `what` (the full error) for the operators.
fn server_error(status: StatusCode, kind: &str, title: &'static str, what: &str) -> Problem {
    let correlation_id = uuid::Uuid::new_v4().simple().to_string();
    tracing::error!(%correlation_id, kind, status = status.as_u16(), "{what}");
    let mut problem = Problem::new(status, kind, title, safe_detail(kind));
    problem.correlation_id = Some(correlation_id.into_boxed_str());
    problem
}

impl From<AppError> for Problem {
    fn from(error: AppError) -> Self {
        let (status, kind, title) = classify(&error);
        if status.is_server_error() {
            let mut problem = server_error(status, kind, title, &error.to_string());
            if status == StatusCode::SERVICE_UNAVAILABLE {
                problem.retry_after = Some(1);
            }
            return problem;
        }
        let mut problem = Problem::new(status, kind, title, error.to_string());
        if let AppError::Input(input) = &error {
            problem.errors = Some(input.fields.clone().into_boxed_slice());
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
    use compliance_domain::{CaseId, CheckStatus, Role, UserId};

    #[test]
    fn the_mapping_table() {
        let user = UserId::from_uuid(uuid::Uuid::nil());
        let case = CaseId::from_uuid(uuid::Uuid::nil());
        let cases: Vec<(AppError, u16, &str)> = vec![
            (
                AppError::Input(compliance_domain::input::InputError::field("x", "bad")),
                422,
                "invalid-input",
            ),
            (AppError::Unauthenticated("no"), 401, "unauthenticated"),
            (
                OwnershipError::OwnsItself(compliance_domain::EntityId::parse("ae-x-1").unwrap())
                    .into(),
                422,
                "owns-itself",
            ),
            (
                OwnershipError::NotALegalPerson {
                    entity: compliance_domain::EntityId::parse("ae-x-1").unwrap(),
                }
                .into(),
                409,
                "not-a-legal-person",
            ),
            (
                OwnershipError::OwnerNotAPerson {
                    owner: compliance_domain::EntityId::parse("ae-x-1").unwrap(),
                    owner_type: compliance_domain::EntityType::Fund,
                }
                .into(),
                409,
                "owner-not-a-person",
            ),
            (
                OwnershipError::OverHundred {
                    entity: compliance_domain::EntityId::parse("ae-x-1").unwrap(),
                    recorded: 80.into(),
                    share: compliance_domain::OwnershipShare::parse("25").unwrap(),
                }
                .into(),
                409,
                "shares-over-100",
            ),
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
            (
                AssignmentError::MayNotAssign {
                    role: Role::Analyst,
                }
                .into(),
                403,
                "forbidden",
            ),
            (
                AssignmentError::AssignedToOther { assignee: user }.into(),
                409,
                "assigned-elsewhere",
            ),
            (
                AssignmentError::NotInQueue {
                    status: CheckStatus::Approved,
                }
                .into(),
                409,
                "not-in-queue",
            ),
            (
                AssignmentError::UnknownAssignee(user).into(),
                422,
                "invalid-assignee",
            ),
            (ReviewError::EngineRejects.into(), 409, "engine-rejects"),
            (
                ReviewError::EngineRequiresEvidence.into(),
                409,
                "evidence-required",
            ),
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
                AppError::Superseded {
                    case,
                    entity: compliance_domain::EntityId::parse("ae-x-1").unwrap(),
                    current: case,
                },
                409,
                "superseded",
            ),
            (
                ReviewError::WaiverNeedsOfficer {
                    role: Role::Analyst,
                }
                .into(),
                403,
                "forbidden",
            ),
            (
                AppError::IdempotencyKeyReused { case },
                422,
                "idempotency-key-reused",
            ),
            (
                AppError::StaleRevision {
                    what: "case",
                    key: case.to_string(),
                    reason: "moved".into(),
                },
                412,
                "stale-revision",
            ),
            (
                AppError::Conflict {
                    what: "row",
                    key: "uq_users_username".into(),
                    reason: "exists".into(),
                },
                409,
                "conflict",
            ),
            (
                AppError::NotFound {
                    what: "case",
                    key: "x".into(),
                },
                404,
                "not-found",
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
                AppError::Transient {
                    reason: "deadlock".into(),
                },
                503,
                "busy",
            ),
            (
                AppError::Unavailable {
                    reason: "cannot reach the database at db.internal:5432/compliance_db".into(),
                },
                503,
                "unavailable",
            ),
            (AppError::Overloaded { what: "sign-ins" }, 503, "overloaded"),
            (
                AppError::OutcomeUnknown {
                    lost: "the connection to the database was lost".into(),
                    then: None,
                },
                503,
                "outcome-unknown",
            ),
            (
                AppError::Internal("invalid data in kyc_checks row 7".into()),
                500,
                "internal",
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

    /// A revision named in a body (not as `If-Match`) that is stale is a conflict, 409, of the
    /// same kind; the other errors map as for any route.
    #[test]
    fn a_stale_revision_in_a_body_is_409() {
        let stale = || AppError::StaleRevision {
            what: "event endpoint",
            key: "x".into(),
            reason: "is at revision 2, not 1: read it again".into(),
        };
        let problem = Problem::of_body_revision(stale());
        assert_eq!(
            (problem.status, problem.kind.as_str()),
            (409, format!("{TYPE_PREFIX}stale-revision").as_str())
        );
        assert!(problem.detail.contains("read it again"));
        assert_eq!(Problem::from(stale()).status, 412);
        let missing = AppError::NotFound {
            what: "event endpoint",
            key: "x".into(),
        };
        assert_eq!(Problem::of_body_revision(missing).status, 404);
    }

    /// Issue 17, defect 4: a server error shows a stable text and a correlation id, never the
    /// server's words (the host, the database, the table, the row).
    #[test]
    fn a_server_error_shows_no_internals() {
        for error in [
            AppError::Unavailable {
                reason: "cannot reach the database at db.internal:5432/compliance_db: connection refused".into(),
            },
            AppError::Internal("invalid data in kyc_checks row 4c1d: bad currency".into()),
            AppError::Busy {
                attempts: 5,
                reason: "deadlock detected on relation compliance_checks".into(),
            },
        ] {
            let problem = Problem::from(error);
            let text = serde_json::to_string(&problem).unwrap();
            for leak in ["db.internal", "compliance_db", "kyc_checks", "4c1d", "deadlock", "compliance_checks"] {
                assert!(!text.contains(leak), "{leak} in {text}");
            }
            let id = problem.correlation_id.expect("a correlation id");
            assert_eq!(id.len(), 32);
            assert!(problem.status >= 500);
        }
        // A client's own mistake says what was wrong, and carries no correlation id.
        let problem = Problem::from(AppError::NotFound {
            what: "case",
            key: "4c1d".into(),
        });
        assert!(problem.detail.contains("4c1d"));
        assert_eq!(problem.correlation_id, None);
    }
}
