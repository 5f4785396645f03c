//! The gates over HTTP: a camera's plate events (`POST /hooks/anpr/<camera>`: Ключ's JSON, or a
//! Hikvision `EventNotificationAlert` as XML or multipart with its pictures), and the pictures the
//! guard sees — the camera's live still and a read's snapshot — served only to the guard's post.

use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;

use app::auth::guard::{Access, Actor, check};
use app::auth::types::{CurrentUser, Permission};
use app::error::AppError;
use app::passes::camera::{self, EventError, PlateRead};
use app::passes::gates::PlateOutcome;

use crate::startup::AppState;

/// The camera's secret: `Authorization: Bearer <secret>`, HTTP Basic (the password; what a
/// camera's "HTTP host" settings offer) or `X-Camera-Secret`.
fn secret(headers: &HeaderMap) -> Option<String> {
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(secret) = header("x-camera-secret") {
        return Some(secret.trim().to_string());
    }
    let auth = header("authorization")?.trim();
    if let Some(token) = auth.strip_prefix("Bearer ") {
        return Some(token.trim().to_string());
    }
    let basic = auth.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(basic.trim())
        .ok()?;
    let pair = String::from_utf8(decoded).ok()?;
    pair.split_once(':')
        .map(|(_, password)| password.to_string())
}

fn refused(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(serde_json::json!({ "error": message }))).into_response()
}

/// `POST /hooks/anpr/<camera>`: one plate read. 401 for an unknown camera or a wrong secret
/// (nothing is recorded), 400 for a body that is not a plate event, 200 with the decision — or
/// `replay` for an event id the camera sent before, which changes nothing.
pub async fn plate_event(
    State(state): State<AppState>,
    Path(code): Path<String>,
    request: Request,
) -> Response {
    let camera = match state.store.camera(&code).await {
        Ok(Some(camera)) => camera,
        Ok(None) => {
            tracing::warn!(camera = %code, "plate event for an unknown camera");
            return refused(StatusCode::UNAUTHORIZED, "unknown camera or wrong secret");
        }
        Err(e) => return e.into_response(),
    };
    if !secret(request.headers()).is_some_and(|s| camera.accepts(&s)) {
        tracing::warn!(camera = %code, "plate event with a wrong secret");
        return refused(StatusCode::UNAUTHORIZED, "unknown camera or wrong secret");
    }
    let read = match read_event(&state, request).await {
        Ok(read) => read,
        Err(EventError::NotAPlate(kind)) => {
            tracing::debug!(camera = %code, kind, "camera event that is not a plate: ignored");
            return axum::Json(serde_json::json!({ "ignored": kind })).into_response();
        }
        Err(EventError::Malformed(why)) => {
            tracing::warn!(camera = %code, why, "malformed plate event");
            return refused(StatusCode::BAD_REQUEST, &why);
        }
    };
    if read.camera.as_ref().is_some_and(|c| *c != code) {
        tracing::warn!(camera = %code, named = ?read.camera, "plate event names another camera");
        return refused(StatusCode::BAD_REQUEST, "camera_id is not this camera's");
    }
    let outcome = match state
        .store
        .take_plate_event(&camera, &read, chrono::Utc::now())
        .await
    {
        Ok(outcome) => outcome,
        Err(e) => return e.into_response(),
    };
    match outcome {
        PlateOutcome::Replay { event_id } => {
            axum::Json(serde_json::json!({ "event": event_id, "replay": true })).into_response()
        }
        PlateOutcome::Decided {
            event_id,
            decision,
            open,
        } => {
            let barrier = match open {
                Some(relay) => Some(state.gates.open_for(&state.store, event_id, &relay).await),
                None => None,
            };
            tracing::info!(camera = %code, event_id, decision = decision.as_str(), ?barrier, "plate event");
            axum::Json(serde_json::json!({
                "event": event_id,
                "decision": decision.as_str(),
                "barrier_opened": barrier,
            }))
            .into_response()
        }
    }
}

/// The body by its type: JSON (Ключ's), XML (Hikvision's alert alone) or multipart (Hikvision's
/// alert as its `.xml` part, with the pictures; the detection picture is kept, else the plate's).
async fn read_event(state: &AppState, request: Request) -> Result<PlateRead, EventError> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let malformed = |e: &dyn std::fmt::Display| EventError::Malformed(e.to_string());
    if content_type.starts_with("multipart/") {
        let mut parts = Multipart::from_request(request, state)
            .await
            .map_err(|e| malformed(&e))?;
        let (mut alert, mut pictures) = (None, Vec::new());
        while let Some(part) = parts.next_field().await.map_err(|e| malformed(&e))? {
            let name = format!(
                "{} {}",
                part.name().unwrap_or(""),
                part.file_name().unwrap_or("")
            )
            .to_ascii_lowercase();
            let kind = part.content_type().unwrap_or("").to_ascii_lowercase();
            let bytes = part.bytes().await.map_err(|e| malformed(&e))?;
            if kind.contains("xml") || name.contains(".xml") {
                alert = Some(camera::parse_hikvision(&bytes)?);
            } else if kind.starts_with("image/jpeg") || name.contains(".jpg") {
                pictures.push((name.contains("detection"), bytes.to_vec()));
            }
        }
        let mut read = alert.ok_or_else(|| malformed(&"multipart without the .xml alert"))?;
        pictures.sort_by_key(|(detection, _)| !detection);
        read.snapshot = pictures
            .into_iter()
            .find_map(|(_, bytes)| camera::snapshot(bytes));
        return Ok(read);
    }
    let body = axum::body::Bytes::from_request(request, state)
        .await
        .map_err(|e| malformed(&e))?;
    if content_type.contains("json") {
        camera::parse_generic(&body)
    } else if content_type.contains("xml") {
        camera::parse_hikvision(&body)
    } else {
        Err(malformed(
            &"Content-Type: application/json, application/xml or multipart/form-data",
        ))
    }
}

async fn guard_post(state: &AppState, user: &CurrentUser) -> Result<(), AppError> {
    check(
        &state.store,
        user,
        Access::Permission(Permission::GuardPost),
    )
    .await
}

fn jpeg(bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/jpeg"),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        bytes,
    )
        .into_response()
}

/// `GET /staff/gates/<gate>/picture`: the gate camera's still as it is now, fetched by the
/// server (the camera's address and credentials never reach the browser).
pub async fn gate_picture(
    State(state): State<AppState>,
    Actor(user): Actor,
    Path(gate): Path<i64>,
) -> Response {
    if let Err(e) = guard_post(&state, &user).await {
        return e.into_response();
    }
    let url = match state.store.gate_picture_url(gate).await {
        Ok(url) => url,
        Err(e) => return e.into_response(),
    };
    match state.gates.picture(&url).await {
        Ok(bytes) => jpeg(bytes),
        Err(e) => {
            tracing::warn!(gate, error = %e, "gate camera picture");
            refused(StatusCode::SERVICE_UNAVAILABLE, "Камера не отвечает")
        }
    }
}

/// `GET /staff/gates/events/<event>/snapshot`: the picture a camera sent with a read.
pub async fn event_snapshot(
    State(state): State<AppState>,
    Actor(user): Actor,
    Path(event): Path<i64>,
) -> Response {
    if let Err(e) = guard_post(&state, &user).await {
        return e.into_response();
    }
    match state.store.plate_snapshot(event).await {
        Ok(bytes) => jpeg(bytes),
        Err(e) => e.into_response(),
    }
}
