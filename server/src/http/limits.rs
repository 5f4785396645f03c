//! How large a request may be, in one place. The middleware refuses a larger body with
//! `413 Payload Too Large` and a Russian message before anything reads it (by its
//! `Content-Length`; a server function's body without one is read up to the limit), and the
//! routes that read bodies with axum's extractors set the same numbers as their `DefaultBodyLimit`.

use axum::http::Method;

/// A server function's form (`/api/…`): an uploaded spreadsheet in base64 and the rest.
pub const SERVER_FUNCTION_BYTES: usize = app::sheet::MAX_FORM_BYTES;
/// A news picture (`/staff/news/image`): the picture and its form.
pub const NEWS_IMAGE_BYTES: usize = crate::http::files::MAX_UPLOAD_BYTES + 64 * 1024;
/// One chunk of a resumable upload (`PUT /uploads/<token>`).
pub const UPLOAD_CHUNK_BYTES: usize = crate::http::tickets::MAX_CHUNK_BYTES;
/// A ticket form with its files, posted without the page's script.
pub const TICKET_FORM_BYTES: usize = crate::http::tickets::MAX_FORM_BYTES;
/// A camera's plate event: the Hikvision multipart with its pictures, or the JSON with a base64
/// snapshot of up to 2 MB.
pub const PLATE_EVENT_BYTES: usize = 8 * 1024 * 1024;
/// A bank's notification, the sandbox bank's forms and anything else.
pub const OTHER_BYTES: usize = 64 * 1024;

/// A refused body up to this size is read and dropped before the 413 is sent, so a client still
/// sending it reads the answer instead of a reset connection; a larger one is cut off.
pub const DRAIN_BYTES: u64 = 128 * 1024 * 1024;
/// How long reading a refused body may take.
pub const DRAIN_SECONDS: u64 = 30;

/// The largest body a request to this path may carry.
pub fn body_limit(method: &Method, path: &str) -> usize {
    if path.starts_with("/api/") {
        SERVER_FUNCTION_BYTES
    } else if path == "/staff/news/image" {
        NEWS_IMAGE_BYTES
    } else if path.starts_with("/uploads/") && method == Method::PUT {
        UPLOAD_CHUNK_BYTES
    } else if path.starts_with("/hooks/anpr/") {
        PLATE_EVENT_BYTES
    } else if path == "/cabinet/tickets/new"
        || (path.starts_with("/staff/tickets/") && path.ends_with("/files"))
    {
        TICKET_FORM_BYTES
    } else {
        OTHER_BYTES
    }
}

/// The message a person reads when what they sent is too large.
pub fn too_large_message(limit: usize) -> String {
    const MB: usize = 1024 * 1024;
    if limit >= MB {
        format!(
            "Слишком большой запрос: можно отправить не больше {} МБ. Уменьшите файл или отправьте его частями.",
            (limit + MB / 2) / MB
        )
    } else {
        format!(
            "Слишком большой запрос: можно отправить не больше {} КБ.",
            limit / 1024
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_that_takes_a_body_has_its_limit() {
        assert_eq!(
            body_limit(&Method::POST, "/api/load_faq"),
            SERVER_FUNCTION_BYTES
        );
        assert_eq!(
            body_limit(&Method::POST, "/staff/news/image"),
            NEWS_IMAGE_BYTES
        );
        assert_eq!(body_limit(&Method::PUT, "/uploads/abc"), UPLOAD_CHUNK_BYTES);
        assert_eq!(
            body_limit(&Method::POST, "/cabinet/tickets/new"),
            TICKET_FORM_BYTES
        );
        assert_eq!(
            body_limit(&Method::POST, "/staff/tickets/7/files"),
            TICKET_FORM_BYTES
        );
        assert_eq!(body_limit(&Method::POST, "/hooks/acquiring"), OTHER_BYTES);
        assert!(too_large_message(SERVER_FUNCTION_BYTES).contains("МБ"));
        assert_eq!(
            too_large_message(OTHER_BYTES),
            "Слишком большой запрос: можно отправить не больше 64 КБ."
        );
    }
}
