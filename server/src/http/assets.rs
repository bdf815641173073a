//! Static files, compiled into the binary so `tenantry` runs from any directory.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

const FILES: &[(&str, &str, &str)] = &[
    ("tenantry.css", "text/css; charset=utf-8", include_str!("../../../style/tenantry.css")),
    ("favicon.svg", "image/svg+xml", include_str!("../../../public/favicon.svg")),
    ("board.js", "text/javascript; charset=utf-8", include_str!("../../../public/board.js")),
];

pub async fn serve(Path(file): Path<String>) -> Response {
    match FILES.iter().find(|(name, _, _)| *name == file) {
        Some((_, content_type, body)) => {
            ([(header::CONTENT_TYPE, *content_type), (header::CACHE_CONTROL, "public, max-age=300")], *body)
                .into_response()
        }
        None => (StatusCode::NOT_FOUND, "no such asset").into_response(),
    }
}
