//! Errors that reach a client: a stable code, a message a person can act on, and the field at
//! fault. The API renders them as `{"error":{"code","message","field"}}`; pages show the message.

use axum::http::StatusCode;
use kessai_core::{DealError, DealIdError};
use kessai_store::StoreError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
}

/// Its message, so a command can pass an `AppError` on with `?` as any other error.
impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AppError {}

impl AppError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> AppError {
        AppError {
            status,
            code,
            message: message.into(),
            field: None,
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> AppError {
        self.field = Some(field.into());
        self
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> AppError {
        AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", message).with_field(field)
    }

    /// Another transaction changed the same rows first: `transact!` reruns the step on fresh
    /// data (and tells the client to retry after too many attempts).
    pub fn busy(message: impl Into<String>) -> AppError {
        AppError::new(StatusCode::CONFLICT, "busy", message)
    }

    pub fn not_found() -> AppError {
        AppError::new(
            StatusCode::NOT_FOUND,
            "deal_not_found",
            "no deal has this ID",
        )
        .with_field("deal_id")
    }

    pub fn internal(e: impl std::fmt::Display) -> AppError {
        tracing::error!("internal error: {e}");
        AppError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "something went wrong on our side; nothing was changed",
        )
    }
}

impl From<DealIdError> for AppError {
    fn from(e: DealIdError) -> AppError {
        AppError::new(
            StatusCode::BAD_REQUEST,
            "invalid_deal_id",
            format!("invalid deal ID: {e}"),
        )
        .with_field("deal_id")
    }
}

impl From<DealError> for AppError {
    fn from(e: DealError) -> AppError {
        match e {
            DealError::WrongState { .. }
            | DealError::NothingDue
            | DealError::ReversalExceedsHeld { .. } => {
                AppError::new(StatusCode::CONFLICT, "wrong_state", e.to_string())
            }
            DealError::Overflow => AppError::invalid("amount_yen", e.to_string()),
            DealError::TrackingTooLong => AppError::invalid("tracking_number", e.to_string()),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::Conflict(_) => AppError::new(
                StatusCode::CONFLICT,
                "busy",
                "the deal changed at the same moment; retry",
            ),
            other => AppError::internal(other),
        }
    }
}

impl From<anyhow::Error> for AppError {
    fn from(e: anyhow::Error) -> AppError {
        AppError::internal(e)
    }
}

pub type AppResult<T> = Result<T, AppError>;
