//! Server-side sessions: a random token in an HttpOnly cookie, only its SHA-256 stored; passwords
//! hashed with Argon2id.

use argon2::{
    Argon2, PasswordHash, PasswordHasher, PasswordVerifier,
    password_hash::{SaltString, rand_core::OsRng},
};
use chrono::{Duration, Utc};
use http::HeaderMap;
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::types::CurrentUser;
use crate::db::Store;
use crate::error::AppError;

pub const SESSION_COOKIE: &str = "klyuch_session";

/// The session as the middleware found it; server functions read it from the request.
#[derive(Clone, Debug, Default)]
pub struct RequestSession {
    pub user: Option<CurrentUser>,
    /// Hash of the token the browser sent, whether or not it was still valid.
    pub token_hash: Option<String>,
    /// The client's address, for attempt limits (never logged with a login).
    pub client_addr: String,
}

pub fn sha256_hex(input: &str) -> String {
    hex::encode(Sha256::digest(input.as_bytes()))
}

/// A fresh random token and the hash to store.
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let hash = sha256_hex(&token);
    (token, hash)
}

pub fn token_from_headers(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_string())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

pub fn session_cookie(token: &str, days: i64, secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        days * 86_400,
        if secure { "; Secure" } else { "" }
    )
}

pub fn clear_session_cookie(secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        if secure { "; Secure" } else { "" }
    )
}

/// Looks up the session a request carries.
pub async fn resolve(
    store: &Store,
    headers: &HeaderMap,
    client_addr: String,
) -> Result<RequestSession, AppError> {
    let token_hash = token_from_headers(headers).map(|t| sha256_hex(&t));
    let user = match &token_hash {
        Some(hash) => store.session_user(hash, Utc::now()).await?,
        None => None,
    };
    Ok(RequestSession {
        user,
        token_hash,
        client_addr,
    })
}

/// Starts a session for the user, ending the one this browser had; returns the cookie to set.
pub async fn start(
    store: &Store,
    user_id: i64,
    previous_token_hash: Option<&str>,
    days: i64,
    secure: bool,
) -> Result<String, AppError> {
    let (token, hash) = new_token();
    let now = Utc::now();
    store
        .start_session(
            user_id,
            &hash,
            previous_token_hash,
            now,
            now + Duration::days(days),
        )
        .await?;
    Ok(session_cookie(&token, days, secure))
}

/// Hashes a new password with Argon2id. Argon2 costs tens of milliseconds of CPU by design, so
/// it runs on a blocking thread: on the async runtime it would stall every other request there.
pub async fn hash_password(password: &str) -> Result<String, AppError> {
    let password = password.to_owned();
    on_blocking_thread(move || hash_now(&password)).await?
}

fn hash_now(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| {
            tracing::error!(error = %e, "argon2 hashing failed");
            AppError::Internal
        })
}

/// Checks a password against its stored hash, on a blocking thread. An unknown login is checked
/// against a dummy hash, so the answer takes as long as for a known one.
pub async fn verify_password(password: &str, stored: Option<&str>) -> Result<bool, AppError> {
    let (password, stored) = (password.to_owned(), stored.map(str::to_owned));
    on_blocking_thread(move || {
        static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let dummy = DUMMY.get_or_init(|| hash_now("dummy-password-for-timing").unwrap_or_default());
        let candidate = stored.as_deref().unwrap_or(dummy);
        let ok = PasswordHash::new(candidate)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false);
        ok && stored.is_some()
    })
    .await
}

async fn on_blocking_thread<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(work).await.map_err(|e| {
        tracing::error!(error = %e, "password hashing task failed");
        AppError::Internal
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passwords_verify_only_with_the_right_secret() {
        let hash = hash_password("demo-klyuch-2026").await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        let verify = |password, stored| verify_password(password, stored);
        assert!(verify("demo-klyuch-2026", Some(&hash)).await.unwrap());
        assert!(!verify("demo-klyuch-2025", Some(&hash)).await.unwrap());
        assert!(!verify("dummy-password-for-timing", None).await.unwrap());
    }

    #[test]
    fn the_session_cookie_is_read_back_and_flagged() {
        let (token, hash) = new_token();
        assert_eq!(hash, sha256_hex(&token));
        let cookie = session_cookie(&token, 30, true);
        assert!(
            cookie.contains("HttpOnly")
                && cookie.contains("SameSite=Lax")
                && cookie.ends_with("Secure")
        );
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::COOKIE,
            format!("theme=dark; {SESSION_COOKIE}={token}; x=1")
                .parse()
                .unwrap(),
        );
        assert_eq!(token_from_headers(&headers), Some(token));
        headers.insert(
            http::header::COOKIE,
            format!("{SESSION_COOKIE}=../etc").parse().unwrap(),
        );
        assert_eq!(token_from_headers(&headers), None);
    }
}
