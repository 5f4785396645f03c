//! Uploaded pictures: checked by their first bytes (not the name or the browser's word),
//! size-limited, decoded with limits and re-encoded as JPEG (which drops EXIF and GPS), then kept
//! in the local files folder (`KLYUCH_FILES_DIR`) and served under `/files/`.

use std::io::Cursor;

use axum::extract::{Multipart, State};
use axum::response::{IntoResponse, Redirect, Response};
use image::{ImageFormat, ImageReader, Limits};

use app::auth::guard::{Access, Actor, check};
use app::auth::types::Permission;
use app::news::store::{news_images_dir, remove_news_image};

use crate::startup::AppState;

/// The largest upload taken (phones' photos are 2–6 MB; bigger is refused with a message).
pub const MAX_UPLOAD_BYTES: usize = 8 * 1024 * 1024;
/// Stored pictures are at most this wide or high.
const MAX_SIDE: u32 = 1600;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ImageError {
    #[error("Файл больше 8 МБ — уменьшите фото.")]
    TooLarge,
    #[error("Это не фото: подходят JPEG, PNG и WebP.")]
    NotAnImage,
    #[error("Фото повреждено или слишком большое по размеру в пикселях.")]
    Unreadable,
}

impl ImageError {
    /// The code the page shows the message for (`/staff/news?upload=<code>`).
    pub fn code(&self) -> &'static str {
        match self {
            ImageError::TooLarge => "too_large",
            ImageError::NotAnImage => "not_image",
            ImageError::Unreadable => "unreadable",
        }
    }
}

/// The format by magic bytes, for the picture formats we take (the one content check, shared
/// with the АДС files: `tickets::rules::sniff`).
pub fn sniff(bytes: &[u8]) -> Option<ImageFormat> {
    match app::tickets::rules::sniff(bytes) {
        Ok(s) if s.kind == app::tickets::types::FileKind::Photo => {
            ImageFormat::from_mime_type(s.content_type)
        }
        _ => None,
    }
}

/// Checks and re-encodes an upload: a clean JPEG no wider or higher than [`MAX_SIDE`].
pub fn reencode(bytes: &[u8]) -> Result<Vec<u8>, ImageError> {
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(ImageError::TooLarge);
    }
    encode_jpeg(&decode(bytes)?, MAX_SIDE)
}

/// A photo of a ticket: the clean JPEG and a small one for the list (both without EXIF/GPS).
pub fn photo_with_thumb(bytes: &[u8]) -> Result<(Vec<u8>, Vec<u8>), ImageError> {
    let picture = decode(bytes)?;
    Ok((
        encode_jpeg(&picture, MAX_SIDE)?,
        encode_jpeg(&picture, THUMB_SIDE)?,
    ))
}

/// The side of a thumbnail.
const THUMB_SIDE: u32 = 320;

/// Decodes a picture of a format we take, with limits on its size in pixels and memory.
fn decode(bytes: &[u8]) -> Result<image::DynamicImage, ImageError> {
    let format = sniff(bytes).ok_or(ImageError::NotAnImage)?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(10_000);
    limits.max_image_height = Some(10_000);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    reader.decode().map_err(|_| ImageError::Unreadable)
}

/// The picture as a JPEG no wider or higher than `side` (re-encoding keeps no metadata).
fn encode_jpeg(picture: &image::DynamicImage, side: u32) -> Result<Vec<u8>, ImageError> {
    let resized;
    let picture = if picture.width() > side || picture.height() > side {
        resized = picture.resize(side, side, image::imageops::FilterType::Triangle);
        &resized
    } else {
        picture
    };
    let mut out = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85);
    picture
        .to_rgb8()
        .write_with_encoder(encoder)
        .map_err(|_| ImageError::Unreadable)?;
    Ok(out)
}

/// A new random file name (the stored name never comes from the user).
fn file_name() -> String {
    format!(
        "{:016x}{:016x}.jpg",
        rand::random::<u64>(),
        rand::random::<u64>()
    )
}

/// `POST /staff/news/image` (multipart: `news_id`, `image`), from the staff news page; works
/// without JavaScript and answers with a redirect back to the page and a result code.
pub async fn upload_news_image(
    State(state): State<AppState>,
    Actor(user): Actor,
    mut form: Multipart,
) -> Response {
    let back = |code: &str| Redirect::to(&format!("/staff/news?upload={code}")).into_response();
    if let Err(e) = check(&state.store, &user, Access::Permission(Permission::Publish)).await {
        return e.into_response();
    }
    let (mut news_id, mut bytes) = (None, None);
    loop {
        match form.next_field().await {
            Ok(Some(field)) => match field.name() {
                Some("news_id") => {
                    news_id = field.text().await.ok().and_then(|t| t.parse::<i64>().ok())
                }
                Some("image") => match field.bytes().await {
                    Ok(b) => bytes = Some(b),
                    Err(_) => return back(ImageError::TooLarge.code()),
                },
                _ => {}
            },
            Ok(None) => break,
            Err(_) => return back(ImageError::TooLarge.code()),
        }
    }
    let (Some(news_id), Some(bytes)) = (news_id, bytes) else {
        return back(ImageError::NotAnImage.code());
    };
    let reencoded = tokio::task::spawn_blocking(move || reencode(&bytes))
        .await
        .unwrap_or(Err(ImageError::Unreadable));
    let jpeg = match reencoded {
        Ok(jpeg) => jpeg,
        Err(e) => return back(e.code()),
    };
    let dir = news_images_dir(&state.settings.files_dir);
    let name = file_name();
    let written = async {
        tokio::fs::create_dir_all(&dir).await?;
        tokio::fs::write(dir.join(&name), &jpeg).await
    };
    if let Err(e) = written.await {
        tracing::error!(error = %e, "cannot store a news picture");
        return back("failed");
    }
    match state
        .store
        .set_news_image(user.id, news_id, Some(&name))
        .await
    {
        Ok(replaced) => {
            if let Some(old) = replaced {
                remove_news_image(&state.settings.files_dir, &old).await;
            }
            back("ok")
        }
        Err(_) => {
            remove_news_image(&state.settings.files_dir, &name).await;
            back("failed")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut out = Vec::new();
        image::RgbImage::from_pixel(width, height, image::Rgb([10, 120, 110]))
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn pictures_are_recognised_by_content_not_by_name() {
        assert_eq!(sniff(&png(2, 2)), Some(ImageFormat::Png));
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0rest"), Some(ImageFormat::Jpeg));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(ImageFormat::WebP));
        assert_eq!(sniff(b"<svg onload=alert(1)>"), None);
        assert_eq!(reencode(b"%PDF-1.7 ..."), Err(ImageError::NotAnImage));
        assert_eq!(
            reencode(b"\xFF\xD8\xFF\xE0 broken"),
            Err(ImageError::Unreadable)
        );
        assert_eq!(
            reencode(&vec![0xFF; MAX_UPLOAD_BYTES + 1]),
            Err(ImageError::TooLarge)
        );
    }

    /// A phone's photo: a JPEG with an EXIF segment holding a position.
    fn photo_with_exif() -> Vec<u8> {
        let mut plain = Vec::new();
        image::RgbImage::from_pixel(40, 30, image::Rgb([200, 10, 10]))
            .write_to(&mut Cursor::new(&mut plain), ImageFormat::Jpeg)
            .unwrap();
        let payload = b"Exif\0\0GPS 55.7558N 37.6173E";
        let mut app1 = vec![0xFF, 0xE1];
        app1.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
        app1.extend_from_slice(payload);
        let mut photo = plain[..2].to_vec();
        photo.extend_from_slice(&app1);
        photo.extend_from_slice(&plain[2..]);
        photo
    }

    #[test]
    fn exif_and_gps_do_not_survive_and_big_pictures_are_shrunk() {
        let photo = photo_with_exif();
        assert!(photo.windows(4).any(|w| w == b"Exif"));
        let stored = reencode(&photo).unwrap();
        assert_eq!(sniff(&stored), Some(ImageFormat::Jpeg));
        assert!(!stored.windows(4).any(|w| w == b"Exif"));
        assert!(!stored.windows(3).any(|w| w == b"GPS"));

        let big = reencode(&png(3200, 1000)).unwrap();
        let back = image::load_from_memory(&big).unwrap();
        assert_eq!((back.width(), back.height()), (1600, 500));
    }
}
