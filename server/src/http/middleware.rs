//! The request pipeline around the app: client address, CSRF origin check, session lookup,
//! page gating for anonymous visitors, security and cache headers, and HTTP status codes for
//! server-function errors.

use std::net::SocketAddr;

use axum::{
    body::Body,
    extract::{ConnectInfo, Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};

use app::auth::{rules::landing, session};
use app::error::AppError;

use crate::startup::AppState;

/// Paths that never need a session: files served from the site root (pages and server
/// functions have no file extension) and the health check.
fn is_static(path: &str) -> bool {
    if path.starts_with("/api/") {
        return false;
    }
    let file_name = path.rsplit('/').next().unwrap_or("");
    path == "/healthz" || file_name.contains('.')
}

pub async fn pipeline(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let mut request = match limit_body(request, &path).await {
        Ok(request) => request,
        Err(refused) => return refused,
    };
    if is_static(&path) {
        let mut response = next.run(request).await;
        security_headers(&path, response.headers_mut());
        return response;
    }
    if !is_signed_endpoint(&path)
        && !same_origin(
            request.method(),
            request.headers(),
            &state.settings.public_url,
        )
    {
        tracing::warn!(%path, "cross-origin state-changing request refused");
        return (
            StatusCode::FORBIDDEN,
            "Запрос отклонён: он пришёл не со страницы Ключа. Обновите страницу и повторите.",
        )
            .into_response();
    }
    let client_addr = client_addr(&request, state.settings.trust_proxy);
    let session = match session::resolve(&state.store, request.headers(), client_addr).await {
        Ok(s) => s,
        Err(e) => {
            return (StatusCode::SERVICE_UNAVAILABLE, e.to_string()).into_response();
        }
    };
    if request.method() == Method::GET
        && let Some(redirect) = gate(
            &path,
            request.uri().query(),
            session.user.as_ref().map(|u| u.role),
        )
    {
        return redirect.into_response();
    }
    request.extensions_mut().insert(session);
    let is_server_fn = path.starts_with("/api/");
    let limit = crate::http::limits::body_limit(request.method(), &path);
    let mut response = next.run(request).await;
    if is_server_fn {
        response = server_fn_status(response).await;
    } else if response.status() == StatusCode::PAYLOAD_TOO_LARGE {
        // an extractor's own refusal of a body sent without its length
        response = too_large(&path, limit);
    }
    security_headers(&path, response.headers_mut());
    response
}

/// Anonymous visitors of a cabinet go to sign-in (and come back after); `/` and `/login` send a
/// signed-in user to their cabinet.
fn gate(path: &str, query: Option<&str>, role: Option<app::auth::types::Role>) -> Option<Redirect> {
    let protected = path.starts_with("/cabinet") || path.starts_with("/staff");
    match role {
        None if protected => {
            let back = match query {
                Some(q) => format!("{path}?{q}"),
                None => path.to_string(),
            };
            Some(Redirect::to(&format!(
                "/login?next={}",
                encode_query_value(&back)
            )))
        }
        None if path == "/" => Some(Redirect::to("/login")),
        Some(role) if path == "/" || path == "/login" => Some(Redirect::to(landing(role))),
        _ => None,
    }
}

fn encode_query_value(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Machine-to-machine endpoints that prove themselves with a signature or a secret (the bank's
/// notifications, the sandbox bank's API, the gate cameras), or that only a device's controller
/// calls (the demo's stand-in barrier), not with a browser's origin.
fn is_signed_endpoint(path: &str) -> bool {
    path == "/hooks/acquiring"
        || path.starts_with("/sandbox-bank/v2/")
        || path.starts_with("/hooks/anpr/")
        || path.starts_with("/standin/gates/")
}

/// CSRF defence for state-changing requests: the browser's `Origin` (or, failing that, the
/// `Referer`) must be this site. Cookies are also `SameSite=Lax`.
fn same_origin(method: &Method, headers: &HeaderMap, public_url: &str) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return true;
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let source = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|h| h.to_str().ok());
    let Some(source) = source else { return false };
    let source_host = source
        .split_once("://")
        .map(|(_, rest)| rest.split('/').next().unwrap_or(""))
        .unwrap_or("");
    let public_host = public_url
        .split_once("://")
        .map(|(_, rest)| rest.split('/').next().unwrap_or(""))
        .unwrap_or("");
    !source_host.is_empty() && (Some(source_host) == host || source_host == public_host)
}

fn client_addr(request: &Request, trust_proxy: bool) -> String {
    let forwarded = trust_proxy
        .then(|| request.headers().get("x-forwarded-for"))
        .flatten()
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|v| v.trim().to_string());
    forwarded
        .or_else(|| {
            request
                .extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(addr)| addr.ip().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

/// Refuses a body larger than its route takes (`crate::limits`) with 413 and a Russian message:
/// by its `Content-Length`, before it is read; a server function's body without one is read
/// here up to the limit (server functions read whole bodies anyway).
async fn limit_body(request: Request, path: &str) -> Result<Request, Response> {
    let limit = crate::http::limits::body_limit(request.method(), path);
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let too_large = || {
        tracing::warn!(%path, limit, ?declared, "request body over the limit refused");
        too_large(path, limit)
    };
    match declared {
        Some(length) if length > limit as u64 => {
            if length <= crate::http::limits::DRAIN_BYTES {
                drain(request.into_body()).await;
            }
            Err(too_large())
        }
        None if path.starts_with("/api/") => {
            let (parts, body) = request.into_parts();
            match read_up_to(body, limit).await {
                Some(bytes) => Ok(Request::from_parts(parts, Body::from(bytes))),
                None => Err(too_large()),
            }
        }
        _ => Ok(request),
    }
}

/// A body of unknown length, whole if it is at most `limit` bytes; else `None`, after reading
/// the rest and dropping it (see [`drain`]).
async fn read_up_to(mut body: Body, limit: usize) -> Option<Vec<u8>> {
    use http_body_util::BodyExt;
    let mut bytes = Vec::new();
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            return None;
        };
        if let Some(data) = frame.data_ref() {
            if bytes.len() + data.len() > limit {
                drain(body).await;
                return None;
            }
            bytes.extend_from_slice(data);
        }
    }
    Some(bytes)
}

/// Reads a refused body and drops it (at most `limits::DRAIN_BYTES`, for at most
/// `limits::DRAIN_SECONDS`): the client, still sending, then reads the 413 instead of finding
/// the connection reset.
async fn drain(mut body: Body) {
    use http_body_util::BodyExt;
    let read = async {
        let mut seen: u64 = 0;
        while let Some(Ok(frame)) = body.frame().await {
            seen += frame.data_ref().map_or(0, |d| d.len() as u64);
            if seen > crate::http::limits::DRAIN_BYTES {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(crate::http::limits::DRAIN_SECONDS),
        read,
    )
    .await;
}

/// The 413 answer: for a server function, its error as the page's script reads it.
fn too_large(path: &str, limit: usize) -> Response {
    let message = crate::http::limits::too_large_message(limit);
    if path.starts_with("/api/") {
        let body = serde_json::to_string(&AppError::Invalid(message)).unwrap_or_default();
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            [(header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response()
    } else {
        (StatusCode::PAYLOAD_TOO_LARGE, message).into_response()
    }
}

/// Server functions report every error as 500; give each its real status (401, 403, 404, 422,
/// 429), so only real failures count as server errors.
async fn server_fn_status(response: Response) -> Response {
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "").into_response();
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status =
            StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    Response::from_parts(parts, Body::from(bytes))
}

fn security_headers(path: &str, headers: &mut HeaderMap) {
    let set = |headers: &mut HeaderMap, name: header::HeaderName, value: &'static str| {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    };
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    // a guest's pass page: its address is the pass itself, never sent on to anyone
    let referrer = if path.starts_with("/p/") {
        "no-referrer"
    } else {
        "same-origin"
    };
    set(headers, header::REFERRER_POLICY, referrer);
    set(
        headers,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; object-src 'none'; base-uri 'self'",
    );
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(self), geolocation=(), microphone=()"),
    );
    let cache = if path.starts_with("/pkg/") || path.starts_with("/icons/") {
        // content-hashed names: a new release has new names
        "public, max-age=31536000, immutable"
    } else if path == "/sw.js" {
        "no-cache"
    } else if is_static(path) {
        "public, max-age=3600"
    } else {
        // pages and server functions carry personal data
        "no-store"
    };
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::auth::types::Role;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(k.clone(), v.parse().unwrap());
        }
        h
    }

    #[test]
    fn files_skip_the_session_and_pages_do_not() {
        for file in [
            "/pkg/klyuch.abc.wasm",
            "/icons/icon-192.png",
            "/manifest.webmanifest",
            "/sw.js",
            "/offline.html",
            "/healthz",
        ] {
            assert!(is_static(file), "{file}");
        }
        for page in [
            "/",
            "/cabinet",
            "/staff/apartment/12",
            "/join/ABCD-EFGH-JKMN",
            "/api/sign_in",
        ] {
            assert!(!is_static(page), "{page}");
        }
    }

    #[test]
    fn state_changing_requests_must_come_from_this_site() {
        let public = "http://127.0.0.1:3000";
        let ok = headers(&[
            (header::HOST, "127.0.0.1:3000"),
            (header::ORIGIN, "http://127.0.0.1:3000"),
        ]);
        assert!(same_origin(&Method::POST, &ok, public));
        let evil = headers(&[
            (header::HOST, "127.0.0.1:3000"),
            (header::ORIGIN, "https://evil.example"),
        ]);
        assert!(!same_origin(&Method::POST, &evil, public));
        let none = headers(&[(header::HOST, "127.0.0.1:3000")]);
        assert!(!same_origin(&Method::POST, &none, public));
        assert!(same_origin(&Method::GET, &none, public));
        let referer = headers(&[
            (header::HOST, "127.0.0.1:3000"),
            (header::REFERER, "http://127.0.0.1:3000/login"),
        ]);
        assert!(same_origin(&Method::POST, &referer, public));
        let proxied = headers(&[
            (header::HOST, "10.0.0.5:3000"),
            (header::ORIGIN, "https://tsj.example.ru"),
        ]);
        assert!(same_origin(
            &Method::POST,
            &proxied,
            "https://tsj.example.ru"
        ));
    }

    #[test]
    fn anonymous_visitors_of_cabinets_are_sent_to_sign_in_and_back() {
        let r = gate("/cabinet/account/5", None, None)
            .unwrap()
            .into_response();
        assert_eq!(
            r.headers()[header::LOCATION],
            "/login?next=/cabinet/account/5"
        );
        let r = gate("/staff", Some("q=ив ан"), None)
            .unwrap()
            .into_response();
        assert_eq!(
            r.headers()[header::LOCATION],
            "/login?next=/staff%3Fq%3D%D0%B8%D0%B2%20%D0%B0%D0%BD"
        );
        assert!(gate("/login", None, None).is_none());
        assert!(gate("/join/ABCD", None, None).is_none());
        let r = gate("/", None, Some(Role::Dispatcher))
            .unwrap()
            .into_response();
        assert_eq!(r.headers()[header::LOCATION], "/staff");
        assert!(
            gate("/staff", None, Some(Role::Resident)).is_none(),
            "the page itself says нет доступа"
        );
    }
}
