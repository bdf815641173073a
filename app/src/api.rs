//! What every area's server functions share: the area's port, which the server provides as context, and the
//! answer to a change (the browser goes on to a page).

#[cfg(feature = "ssr")]
use std::sync::Arc;

#[cfg(feature = "ssr")]
use crate::error::AppError;

/// The port `P` (`dyn XPort`) the server provided as context for this request.
#[cfg(feature = "ssr")]
pub fn port<P: ?Sized + Send + Sync + 'static>() -> Arc<P> {
    leptos::prelude::expect_context::<Arc<P>>()
}

/// A change went through: the browser is sent on to `to` (a form post is answered with a redirect).
#[cfg(feature = "ssr")]
pub fn redirect(to: &str) -> Result<(), AppError> {
    leptos_axum::redirect(to);
    Ok(())
}
