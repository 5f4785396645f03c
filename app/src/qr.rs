//! QR codes drawn on the server as SVG (invite cards, guests' passes).

use qrcode::{EcLevel, QrCode, render::svg};

use crate::error::AppError;

/// `text` as a QR code (error correction M, a quiet zone), an SVG document.
pub fn svg(text: &str) -> Result<String, AppError> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).map_err(|e| {
        tracing::error!(error = %e, "QR encoding failed");
        AppError::Internal
    })?;
    Ok(code
        .render::<svg::Color>()
        .min_dimensions(140, 140)
        .quiet_zone(true)
        .build())
}
