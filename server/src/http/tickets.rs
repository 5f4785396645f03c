//! АДС over HTTP where files are involved: chunked uploads that survive a bad connection
//! (start, send chunks at an offset, ask how much arrived, resume), the resident's new-ticket
//! form (multipart: the files already uploaded by the page's script, or — without it — the files
//! themselves), the staff's before/after photos, and serving a ticket's files only to those who
//! may see the ticket.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;
use tokio::io::{AsyncSeekExt, AsyncWriteExt};

use app::auth::guard::{Access, Actor, check};
use app::auth::types::{CurrentUser, Permission};
use app::error::AppError;
use app::tickets::rules::{self, FileError, FormError};
use app::tickets::store::{NewTicket, StoredUpload, UploadState};
use app::tickets::types::{FileKind, Stage};

use crate::integrations::storage::new_key;
use crate::startup::AppState;

/// The size of a chunk the page's script sends.
pub const CHUNK_BYTES: usize = 512 * 1024;
/// A chunk request may carry at most this much.
pub const MAX_CHUNK_BYTES: usize = 2 * 1024 * 1024;
/// A form sent without the script carries its files itself.
pub const MAX_FORM_BYTES: usize = rules::MAX_UPLOAD_BYTES as usize + 1024 * 1024;

#[derive(Debug, serde::Deserialize)]
pub struct StartForm {
    name: String,
    size: i64,
}

/// `POST /uploads` (`name`, `size`) → `{token, chunk}`.
pub async fn start_upload(
    State(state): State<AppState>,
    Actor(user): Actor,
    axum::Form(form): axum::Form<StartForm>,
) -> Response {
    match state
        .store
        .start_upload(user.id, &form.name, form.size, chrono::Utc::now())
        .await
    {
        Ok(token) => Json(json!({ "token": token, "chunk": CHUNK_BYTES })).into_response(),
        Err(e) => e.into_response(),
    }
}

fn progress(s: &UploadState) -> Response {
    Json(json!({
        "received": s.received,
        "size": s.declared_size,
        "done": s.kind.is_some(),
        "kind": s.kind,
    }))
    .into_response()
}

/// `GET /uploads/:token` → how much has arrived (the script resumes from there).
pub async fn upload_status(
    State(state): State<AppState>,
    Actor(user): Actor,
    Path(token): Path<String>,
) -> Response {
    match state.store.upload_state(user.id, &token).await {
        Ok(Some(s)) => progress(&s),
        Ok(None) => AppError::NotFound.into_response(),
        Err(e) => e.into_response(),
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct ChunkQuery {
    offset: i64,
}

/// `PUT /uploads/:token?offset=N` with the bytes from `N`. A chunk at the wrong offset is
/// answered 409 with how much has arrived; the last chunk checks and stores the file.
pub async fn upload_chunk(
    State(state): State<AppState>,
    Actor(user): Actor,
    Path(token): Path<String>,
    Query(q): Query<ChunkQuery>,
    body: Bytes,
) -> Response {
    let current = match state.store.upload_state(user.id, &token).await {
        Ok(Some(s)) => s,
        Ok(None) => return AppError::NotFound.into_response(),
        Err(e) => return e.into_response(),
    };
    if current.kind.is_some() {
        return progress(&current);
    }
    if q.offset != current.received || body.is_empty() {
        return (StatusCode::CONFLICT, progress(&current)).into_response();
    }
    let len = body.len() as i64;
    if current.received + len > current.declared_size {
        return AppError::invalid(FileError::TooLarge.to_string()).into_response();
    }
    if let Err(e) = write_at(&state, current.id, q.offset, &body).await {
        tracing::error!(error = %e, upload = current.id, "cannot write an upload chunk");
        return AppError::Internal.into_response();
    }
    match state.store.upload_received(current.id, q.offset, len).await {
        Ok(true) => {}
        Ok(false) => {
            return match state.store.upload_state(user.id, &token).await {
                Ok(Some(s)) => (StatusCode::CONFLICT, progress(&s)).into_response(),
                _ => AppError::NotFound.into_response(),
            };
        }
        Err(e) => return e.into_response(),
    }
    let now = UploadState {
        received: current.received + len,
        ..current
    };
    if now.received < now.declared_size {
        return progress(&now);
    }
    match finish_upload(&state, now.id).await {
        Ok(kind) => progress(&UploadState {
            kind: Some(kind.as_str().into()),
            ..now
        }),
        Err(e) => AppError::invalid(e.to_string()).into_response(),
    }
}

async fn write_at(state: &AppState, id: i64, offset: i64, bytes: &[u8]) -> std::io::Result<()> {
    let path = state.storage.staging(id);
    if let Some(dir) = path.parent() {
        tokio::fs::create_dir_all(dir).await?;
    }
    let mut file = tokio::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(false)
        .open(&path)
        .await?;
    file.seek(std::io::SeekFrom::Start(offset as u64)).await?;
    file.write_all(bytes).await?;
    file.flush().await
}

/// Checks a complete upload by its content and size, re-encodes a photo (with a thumbnail),
/// stores it and marks the upload ready; a refused file is forgotten.
async fn finish_upload(state: &AppState, id: i64) -> Result<FileKind, FileError> {
    let staged = state.storage.staging(id);
    let result = store_checked(state, id, &staged).await;
    let _ = tokio::fs::remove_file(&staged).await;
    if result.is_err() {
        let _ = state.store.drop_upload(id).await;
    }
    result
}

async fn store_checked(
    state: &AppState,
    id: i64,
    staged: &std::path::Path,
) -> Result<FileKind, FileError> {
    let bytes = tokio::fs::read(staged).await.map_err(|e| {
        tracing::error!(error = %e, upload = id, "cannot read a staged upload");
        FileError::Incomplete
    })?;
    let sniffed = rules::sniff(&bytes)?;
    if bytes.len() as u64 > rules::max_bytes(sniffed.kind) {
        return Err(FileError::TooLarge);
    }
    let (main, thumb, content_type, ext) = match sniffed.kind {
        FileKind::Photo => {
            let (photo, thumb) =
                tokio::task::spawn_blocking(move || crate::http::files::photo_with_thumb(&bytes))
                    .await
                    .map_err(|_| FileError::Unreadable)?
                    .map_err(|_| FileError::Unreadable)?;
            (photo, Some(thumb), "image/jpeg", "jpg")
        }
        FileKind::Video => {
            let ext = if sniffed.content_type == "video/webm" {
                "webm"
            } else {
                "mp4"
            };
            (bytes, None, sniffed.content_type, ext)
        }
        FileKind::Document => (bytes, None, sniffed.content_type, "pdf"),
    };
    let key = new_key("tickets", ext);
    let thumb_key = thumb.as_ref().map(|_| new_key("tickets", "thumb.jpg"));
    let stored = async {
        state.storage.put(&key, &main).await?;
        if let (Some(k), Some(t)) = (&thumb_key, &thumb) {
            state.storage.put(k, t).await?;
        }
        Ok::<_, crate::integrations::storage::StorageError>(())
    };
    if let Err(e) = stored.await {
        tracing::error!(error = %e, upload = id, "cannot store an upload");
        return Err(FileError::Incomplete);
    }
    let record = StoredUpload {
        kind: sniffed.kind,
        content_type: content_type.to_string(),
        size: main.len() as i64,
        storage_key: key.clone(),
        thumb_key: thumb_key.clone(),
    };
    if state.store.upload_stored(id, &record).await.is_err() {
        let _ = state.storage.delete(&key).await;
        return Err(FileError::Incomplete);
    }
    Ok(sniffed.kind)
}

/// A file sent whole with a form (no script): staged, checked and stored like a chunked one.
async fn upload_whole(
    state: &AppState,
    user: &CurrentUser,
    name: &str,
    bytes: &[u8],
) -> Result<String, FileError> {
    let now = chrono::Utc::now();
    let token = state
        .store
        .start_upload(user.id, name, bytes.len() as i64, now)
        .await
        .map_err(|_| FileError::TooLarge)?;
    let upload = match state.store.upload_state(user.id, &token).await {
        Ok(Some(u)) => u,
        _ => return Err(FileError::Incomplete),
    };
    write_at(state, upload.id, 0, bytes)
        .await
        .map_err(|_| FileError::Incomplete)?;
    match state
        .store
        .upload_received(upload.id, 0, bytes.len() as i64)
        .await
    {
        Ok(true) => {}
        _ => return Err(FileError::Incomplete),
    }
    finish_upload(state, upload.id).await?;
    Ok(token)
}

/// The fields of a multipart form: text values by name, and the files sent with it.
#[derive(Default)]
struct FormParts {
    fields: Vec<(String, String)>,
    files: Vec<(String, Bytes)>,
}

impl FormParts {
    fn get(&self, name: &str) -> String {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    fn all(&self, name: &str) -> Vec<String> {
        self.fields
            .iter()
            .filter(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.clone())
            .collect()
    }
}

async fn read_form(mut form: Multipart) -> Result<FormParts, FileError> {
    let mut parts = FormParts::default();
    loop {
        match form.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_string();
                match field.file_name().map(str::to_string) {
                    Some(file_name) => {
                        let bytes = field.bytes().await.map_err(|_| FileError::TooLarge)?;
                        if !bytes.is_empty() {
                            parts.files.push((file_name, bytes));
                        }
                    }
                    None => {
                        let text = field.text().await.map_err(|_| FileError::Incomplete)?;
                        parts.fields.push((name, text));
                    }
                }
            }
            Ok(None) => return Ok(parts),
            Err(_) => return Err(FileError::TooLarge),
        }
    }
}

/// The code a form error travels as in the address.
fn code_of(e: &AppError) -> &'static str {
    match e {
        AppError::Forbidden => "forbidden",
        AppError::Invalid(message) => FormError::ALL
            .iter()
            .copied()
            .find(|f| f.to_string() == *message)
            .map_or("failed", FormError::code),
        _ => "failed",
    }
}

/// `POST /cabinet/tickets/new` (multipart): saves the ticket with its files in one step and
/// opens its page; a problem sends the resident back to the form with what to fix.
pub async fn create_ticket(
    State(state): State<AppState>,
    Actor(user): Actor,
    form: Multipart,
) -> Response {
    let back =
        |code: &str| Redirect::to(&format!("/cabinet/tickets/new?error={code}")).into_response();
    if let Err(e) = check(
        &state.store,
        &user,
        Access::Permission(Permission::OwnCabinet),
    )
    .await
    {
        return e.into_response();
    }
    let parts = match read_form(form).await {
        Ok(p) => p,
        Err(_) => return back("file"),
    };
    let Ok(category_id) = parts.get("category").trim().parse::<i64>() else {
        return back(FormError::Category.code());
    };
    let place = match rules::check_place(&parts.get("place")) {
        Ok(p) => p,
        Err(e) => return back(e.code()),
    };
    let (description, place_note) =
        match rules::check_text(&parts.get("description"), &parts.get("note")) {
            Ok(t) => t,
            Err(e) => return back(e.code()),
        };
    let Ok(apartment_id) = parts.get("apartment").trim().parse::<i64>() else {
        return back(FormError::Home.code());
    };
    let mut uploads = parts.all("upload");
    if uploads.len() + parts.files.len() > rules::MAX_FILES {
        return back(FormError::TooManyFiles.code());
    }
    for (name, bytes) in &parts.files {
        match upload_whole(&state, &user, name, bytes).await {
            Ok(token) => uploads.push(token),
            Err(e) => {
                tracing::info!(user_id = user.id, error = %e, "a ticket's file refused");
                return back("file");
            }
        }
    }
    let key = parts.get("key");
    let ticket = NewTicket {
        category_id,
        place,
        place_note,
        description,
        apartment_id: Some(apartment_id),
        house_id: None,
        caller: None,
        uploads,
        client_key: (!key.is_empty()).then_some(key),
    };
    match state
        .store
        .create_ticket(&user, &ticket, chrono::Utc::now(), app::clock::today())
        .await
    {
        Ok(id) => Redirect::to(&format!("/cabinet/tickets/{id}")).into_response(),
        Err(e) => back(code_of(&e)),
    }
}

/// `POST /staff/tickets/:id/files` (multipart: `stage`, `internal`, uploads or files): the
/// executor's or dispatcher's photos before and after the work.
pub async fn add_ticket_files(
    State(state): State<AppState>,
    Actor(user): Actor,
    Path(id): Path<i64>,
    form: Multipart,
) -> Response {
    let back =
        |code: &str| Redirect::to(&format!("/staff/tickets/{id}?files={code}")).into_response();
    let parts = match read_form(form).await {
        Ok(p) => p,
        Err(_) => return back("file"),
    };
    let stage = Stage::parse(&parts.get("stage")).unwrap_or(Stage::After);
    let mut uploads = parts.all("upload");
    for (name, bytes) in &parts.files {
        match upload_whole(&state, &user, name, bytes).await {
            Ok(token) => uploads.push(token),
            Err(_) => return back("file"),
        }
    }
    match state
        .store
        .attach_ticket_files(
            &user,
            id,
            stage,
            &uploads,
            !parts.get("internal").is_empty(),
            chrono::Utc::now(),
        )
        .await
    {
        Ok(()) => back("ok"),
        Err(AppError::Forbidden) => AppError::Forbidden.into_response(),
        Err(e) => back(code_of(&e)),
    }
}

/// `GET /tickets/file/:id` — a ticket's file, for whoever may see the ticket; a `Range`
/// request (a phone's video player) gets that part.
pub async fn ticket_file(
    State(state): State<AppState>,
    Actor(user): Actor,
    Path(id): Path<i64>,
    headers: axum::http::HeaderMap,
) -> Response {
    let range = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    serve(&state, &user, id, false, range).await
}

/// `GET /tickets/file/:id/thumb` — its thumbnail (photos).
pub async fn ticket_thumb(
    State(state): State<AppState>,
    Actor(user): Actor,
    Path(id): Path<i64>,
) -> Response {
    serve(&state, &user, id, true, None).await
}

async fn serve(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    thumb: bool,
    range: Option<String>,
) -> Response {
    let file = match state.store.ticket_file(user, id).await {
        Ok(f) => f,
        Err(e) => return e.into_response(),
    };
    let (key, content_type) = match (thumb, &file.thumb_key) {
        (true, Some(k)) => (k.clone(), "image/jpeg".to_string()),
        (true, None) => {
            return AppError::NotFound.into_response();
        }
        (false, _) => (file.storage_key.clone(), file.content_type.clone()),
    };
    let disposition = if content_type == "application/pdf" {
        "attachment"
    } else {
        "inline"
    };
    let head = [
        (header::CONTENT_TYPE, content_type),
        (
            header::CONTENT_DISPOSITION,
            format!(
                "{disposition}; filename*=UTF-8''{}",
                percent(&file.file_name)
            ),
        ),
        (header::CACHE_CONTROL, "private, max-age=3600".to_string()),
        (header::ACCEPT_RANGES, "bytes".to_string()),
    ];
    let part = match range {
        Some(asked) => match state.storage.size(&key).await {
            Ok(size) => match crate::integrations::storage::byte_range(&asked, size) {
                Ok(Some(r)) => Some((r, size)),
                Ok(None) => None,
                Err(_) => {
                    return (
                        StatusCode::RANGE_NOT_SATISFIABLE,
                        [(header::CONTENT_RANGE, format!("bytes */{size}"))],
                    )
                        .into_response();
                }
            },
            Err(e) => return missing(id, &e),
        },
        None => None,
    };
    match part {
        Some((r, size)) => match state.storage.get_range(&key, r.clone()).await {
            Ok(bytes) => (
                StatusCode::PARTIAL_CONTENT,
                head,
                [(
                    header::CONTENT_RANGE,
                    format!("bytes {}-{}/{size}", r.start, r.end - 1),
                )],
                bytes,
            )
                .into_response(),
            Err(e) => missing(id, &e),
        },
        None => match state.storage.get(&key).await {
            Ok(bytes) => (head, bytes).into_response(),
            Err(e) => missing(id, &e),
        },
    }
}

fn missing(id: i64, e: &crate::integrations::storage::StorageError) -> Response {
    tracing::error!(error = %e, file = id, "a ticket's file is missing in storage");
    AppError::NotFound.into_response()
}

/// RFC 5987 encoding of a file name for `filename*`.
fn percent(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
