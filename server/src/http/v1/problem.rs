//! RFC 9457 problem details: every error of the JSON API, `application/problem+json`, with a `type` that points
//! into the API reference, a short `title` per kind and a `detail` that says what was wrong and what to do.

use app::error::AppError;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// An error, as RFC 9457 says it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem (a section of the API reference).
    #[serde(rename = "type")]
    pub kind: String,
    /// The kind in words, the same for every problem of that kind.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What was wrong in this request, and what to do.
    pub detail: String,
}

/// The kinds of problem: (status, slug, title). The reference lists them.
pub const KINDS: &[(u16, &str, &str)] = &[
    (400, "invalid", "The request is not valid"),
    (401, "unauthenticated", "A valid API token is needed"),
    (403, "forbidden", "The token's role is too low"),
    (404, "not-found", "Not found"),
    (413, "too-large", "The request body is too large"),
    (503, "unavailable", "Try again later"),
    (500, "internal", "Something went wrong on the server"),
];

impl Problem {
    fn of(status: u16, detail: &str) -> Problem {
        let (status, slug, title) =
            KINDS.iter().find(|(s, _, _)| *s == status).copied().unwrap_or((500, "internal", "Something went wrong"));
        Problem {
            kind: format!("/api/v1/docs#problem-{slug}"),
            title: title.to_string(),
            status,
            detail: detail.to_string(),
        }
    }

    pub fn invalid(detail: &str) -> Problem {
        Problem::of(400, detail)
    }

    pub fn unauthenticated() -> Problem {
        Problem::of(401, "send an API token as `Authorization: Bearer tenantry_…` (Settings → API tokens)")
    }

    /// A token refused: revoked, expired, unknown or its owner disabled.
    pub fn refused(why: &str) -> Problem {
        Problem::of(401, &format!("{why}; make a new token under Settings → API tokens"))
    }

    pub fn forbidden(detail: &str) -> Problem {
        Problem::of(403, detail)
    }

    pub fn not_found(detail: &str) -> Problem {
        Problem::of(404, detail)
    }
}

impl From<AppError> for Problem {
    fn from(error: AppError) -> Problem {
        Problem::of(error.http_status(), &error.to_string())
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_string(&self).unwrap_or_default();
        let mut response = (status, [(header::CONTENT_TYPE, "application/problem+json")], body).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"tenantry\""));
        }
        response
    }
}
