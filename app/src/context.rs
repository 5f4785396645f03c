//! The request context of a server function: [`Ctx`], taken once, synchronously, at the top.
//!
//! The server renders a page more than once and a render it throws away can lose its reactive
//! owner at any `.await`; whatever is read from the context after an await may then be gone
//! ("… is not in the request context", and the browser hydrates an error). So nothing reads the
//! context but [`Ctx::take`] (and [`request_user`], once, at the top of a page's render), and a
//! server function has nothing else to read it with:
//!
//! ```ignore
//! let cx = Ctx::take()?;
//! let user = cx.authorize(Access::Account(id)).await?;
//! cx.store.account_statement(id).await
//! ```

use leptos::prelude::use_context;

use crate::auth::guard::{self, Access};
use crate::auth::session::RequestSession;
use crate::auth::types::CurrentUser;
use crate::db::Store;
use crate::error::AppError;
use crate::payments::acquiring::SharedAcquiring;

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

/// What the server provides to every render and server function: one value, so a new
/// dependency is one field here and one line in the server's composition root.
#[derive(Clone)]
pub struct Services {
    pub store: Store,
    pub config: AppConfig,
    pub acquiring: SharedAcquiring,
    /// The gates' barriers and cameras.
    pub gates: crate::passes::devices::GateDevices,
}

/// The signed-in user of the request being rendered, for the page's viewer
/// (`ui::provide_viewer`): read synchronously at the top of the render, like [`Ctx::take`].
pub fn request_user() -> Option<CurrentUser> {
    use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<RequestSession>().cloned())
        .and_then(|session| session.user)
}

/// Everything a server function needs from its request.
pub struct Ctx {
    pub store: Store,
    pub config: AppConfig,
    pub acquiring: SharedAcquiring,
    pub gates: crate::passes::devices::GateDevices,
    /// The session the middleware resolved for this request.
    pub session: RequestSession,
    request: Option<http::request::Parts>,
    response: Option<leptos_axum::ResponseOptions>,
}

impl Ctx {
    /// Reads the request context. Call it first, before any `.await`.
    pub fn take() -> Result<Self, AppError> {
        let services = use_context::<Services>().ok_or_else(|| missing("Services"))?;
        let request = use_context::<http::request::Parts>();
        let session = request
            .as_ref()
            .and_then(|parts| parts.extensions.get::<RequestSession>().cloned())
            .ok_or_else(|| missing("RequestSession"))?;
        Ok(Self {
            store: services.store,
            config: services.config,
            acquiring: services.acquiring,
            gates: services.gates,
            session,
            request,
            response: use_context::<leptos_axum::ResponseOptions>(),
        })
    }

    /// The signed-in user, when [`Access`] allows them what the request wants.
    pub async fn authorize(&self, access: Access) -> Result<CurrentUser, AppError> {
        let user = self.session.user.clone().ok_or(AppError::Unauthenticated)?;
        guard::check(&self.store, &user, access).await?;
        Ok(user)
    }

    /// Adds a `Set-Cookie` header to this server function's response.
    pub fn set_cookie(&self, cookie: &str) {
        match (&self.response, http::HeaderValue::from_str(cookie)) {
            (Some(response), Ok(value)) => response.append_header(http::header::SET_COOKIE, value),
            _ => tracing::error!("cannot set the session cookie: no response context"),
        }
    }

    /// Whether the request came from a plain HTML form (posted before the page came alive).
    pub fn from_native_form(&self) -> bool {
        self.request.as_ref().is_some_and(|p| {
            p.headers
                .get(http::header::ACCEPT)
                .and_then(|a| a.to_str().ok())
                .is_some_and(|a| a.contains("text/html"))
        })
    }

    /// Sends the browser to `url` after this server function: a `302` for a plain HTML form's
    /// post, the server-function redirect header for the live page (as `leptos_axum::redirect`).
    pub fn redirect(&self, url: &str) {
        let (Some(response), Ok(location)) = (&self.response, http::HeaderValue::from_str(url))
        else {
            tracing::error!(url, "cannot redirect: no response context");
            return;
        };
        response.insert_header(http::header::LOCATION, location);
        if self.from_native_form() {
            response.set_status(http::StatusCode::FOUND);
        } else {
            response.insert_header(
                http::HeaderName::from_static(leptos::server_fn::redirect::REDIRECT_HEADER),
                http::HeaderValue::from_static(""),
            );
        }
    }
}

fn missing(what: &str) -> AppError {
    tracing::error!("{what} is not in the request context");
    AppError::Internal
}
