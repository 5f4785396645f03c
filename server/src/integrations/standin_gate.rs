//! The demo's stand-in gate, on this server when the demo is on: a barrier controller that
//! answers its relay command like a real one (`/standin/gates/<id>/open`, any of GET, POST, PUT)
//! and a camera whose still picture changes every second (`/standin/gates/<id>/picture.jpg`).
//! The demo's gates point their relay and picture addresses here.

use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, get, on};

pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route(
            "/standin/gates/{gate}/open",
            on(
                MethodFilter::GET
                    .or(MethodFilter::POST)
                    .or(MethodFilter::PUT),
                open,
            ),
        )
        .route("/standin/gates/{gate}/picture.jpg", get(picture))
}

async fn open(Path(gate): Path<i64>) -> Response {
    tracing::info!(gate, "stand-in barrier opened");
    axum::Json(serde_json::json!({ "gate": gate, "state": "opened" })).into_response()
}

/// A grey yard with a bar that moves with the seconds: the guard sees the picture refresh.
async fn picture(Path(gate): Path<i64>) -> Response {
    const W: u32 = 320;
    const H: u32 = 180;
    let second = u32::try_from(chrono::Utc::now().timestamp().rem_euclid(60)).unwrap_or(0);
    let bar = second * W / 60;
    let shade = u8::try_from(60 + gate.rem_euclid(4) * 30).unwrap_or(60);
    let image = image::RgbImage::from_fn(W, H, |x, y| {
        if x.abs_diff(bar) < 6 {
            image::Rgb([250, 200, 40])
        } else if y > H * 2 / 3 {
            image::Rgb([shade, shade, shade])
        } else {
            image::Rgb([150, 180, 210])
        }
    });
    let mut jpeg = Vec::new();
    match image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 70).encode_image(&image) {
        Ok(()) => (
            [
                (header::CONTENT_TYPE, "image/jpeg"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            jpeg,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "stand-in picture");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
