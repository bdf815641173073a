//! The one error type of pages and server functions.
//!
//! Policy (written once, here): engine code uses its own `thiserror` enums and maps them to `AppError` at the
//! port boundary; the message of an `AppError` is for the person in front of the page — what went wrong and what
//! to do — and never carries internals. The cause is logged once, by the server, with ids.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// An error a page can show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// The input was wrong; the message says which field and what is expected.
    #[error("{0}")]
    Invalid(String),
    /// The signed-in user's role is too low; the message names the role needed.
    #[error("{0}")]
    Forbidden(String),
    /// The thing asked for does not exist (any more).
    #[error("{0} was not found")]
    NotFound(String),
    /// A dependency (the database, usually) is down; trying again later may work.
    #[error("{0}")]
    Unavailable(String),
    /// A bug or an unexpected state; the server log has the cause under the reference this carries.
    #[error("something went wrong on the server; the server log has the details under reference {0}")]
    Internal(String),
    /// The server-function transport failed (bad arguments, unreadable answer).
    #[error("the request could not be processed: {0}")]
    Transport(String),
}

impl AppError {
    /// The HTTP status a page whose data failed to load answers with.
    pub fn http_status(&self) -> u16 {
        match self {
            AppError::Invalid(_) | AppError::Transport(_) => 400,
            AppError::Forbidden(_) => 403,
            AppError::NotFound(_) => 404,
            AppError::Unavailable(_) => 503,
            AppError::Internal(_) => 500,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}
