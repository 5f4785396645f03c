//! The one error type every server function returns. Its `Display` is the Russian message a user
//! sees; the precise cause for staff goes to the log where the error is made (see `db::internal`).

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Войдите в систему, чтобы продолжить.")]
    Unauthenticated,
    #[error("Нет доступа к этому разделу или записи.")]
    Forbidden,
    #[error("Не найдено.")]
    NotFound,
    /// Bad input; the text says what to fix.
    #[error("{0}")]
    Invalid(String),
    #[error("Слишком много попыток. Повторите через {minutes} мин.")]
    RateLimited { minutes: i64 },
    #[error("Что-то пошло не так на сервере. Попробуйте ещё раз через минуту.")]
    Internal,
    /// The request did not reach the server or its answer could not be read.
    #[error("Нет связи с сервером. Проверьте подключение и повторите.")]
    Transport(String),
}

impl AppError {
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::Invalid(message.into())
    }

    /// The HTTP status a server-function response with this error carries.
    pub fn status(&self) -> u16 {
        match self {
            Self::Unauthenticated => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::Invalid(_) => 422,
            Self::RateLimited { .. } => 429,
            Self::Internal => 500,
            Self::Transport(_) => 502,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(e) | ServerFnErrorErr::MissingArg(e) => {
                Self::Invalid(format!("Форма заполнена неверно: {e}"))
            }
            other => Self::Transport(other.to_string()),
        }
    }
}

/// A plain axum handler's refusal: its status and the Russian message as text (readable in a
/// browser tab that opened a document link; the upload script shows it as is).
#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        let status = http::StatusCode::from_u16(self.status())
            .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        (
            status,
            [(http::header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            self.to_string(),
        )
            .into_response()
    }
}
