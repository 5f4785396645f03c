//! What outside systems post to Ключ: the acquiring bank's payment notifications.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::startup::AppState;

/// `POST /hooks/acquiring`: the bank's notification. Recorded whatever it says; applied only
/// when signed and matching its order (the credit itself is a job). Answers `OK` so the bank
/// stops sending, except to a forged or unreadable one.
pub async fn acquiring_notification(State(state): State<AppState>, body: String) -> Response {
    use app::payments::online::NotificationOutcome;
    let fields: Option<serde_json::Map<String, serde_json::Value>> =
        serde_json::from_str(&body).ok();
    let verified = fields.as_ref().is_some_and(|f| state.acquiring.verify(f));
    match state
        .store
        .record_notification(state.acquiring.provider(), &body, verified)
        .await
    {
        Ok(NotificationOutcome::BadSignature) => {
            (StatusCode::FORBIDDEN, "bad token").into_response()
        }
        Ok(NotificationOutcome::Unreadable) => {
            (StatusCode::BAD_REQUEST, "bad request").into_response()
        }
        Ok(_) => "OK".into_response(),
        Err(e) => e.into_response(),
    }
}
