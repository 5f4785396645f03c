//! What server functions take from the request context: the store, the configuration and the
//! session that the server's middleware resolved for this request.

use leptos::prelude::use_context;

use crate::auth::session::RequestSession;
use crate::db::Store;
use crate::error::AppError;

/// Settings the app layer needs (the server builds it from the environment).
#[derive(Clone, Debug)]
pub struct AppConfig {
    /// The address residents reach the app at, for links printed on invite cards.
    pub public_url: String,
    /// Mark cookies `Secure` (the app is served over HTTPS).
    pub secure_cookies: bool,
    /// How long a session lasts without signing in again.
    pub session_days: i64,
    /// How long a printed invite code stays valid.
    pub invite_days: i64,
    /// Where uploaded files are kept (served under `/files/`).
    pub files_dir: String,
    /// Where documents made for staff are kept (not served as files).
    pub documents_dir: String,
}

pub fn store() -> Result<Store, AppError> {
    use_context::<Store>().ok_or_else(|| missing("Store"))
}

pub fn config() -> Result<AppConfig, AppError> {
    use_context::<AppConfig>().ok_or_else(|| missing("AppConfig"))
}

/// The session of the request being served (resolved once per request by the middleware).
pub fn session() -> Result<RequestSession, AppError> {
    use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<RequestSession>().cloned())
        .ok_or_else(|| missing("RequestSession"))
}

fn missing(what: &str) -> AppError {
    tracing::error!("{what} is not in the request context");
    AppError::Internal
}

/// Today in the organisation's time zone (Moscow, UTC+3, no daylight saving since 2014).
pub fn today() -> chrono::NaiveDate {
    crate::clock::local(chrono::Utc::now()).date()
}
