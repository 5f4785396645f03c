//! The one authorisation decision. Server functions reach it through
//! [`Ctx::authorize`](crate::context::Ctx::authorize), HTTP handlers through the server's
//! `Actor` extractor: it checks the role **and** ownership (a resident reaches only apartments
//! and accounts they are actively linked to).

use super::rules::role_can;
use super::types::{CurrentUser, Permission};
use crate::db::Store;
use crate::error::AppError;

/// What a request wants to reach.
#[derive(Debug, Clone, Copy)]
pub enum Access {
    /// Anyone signed in (their own profile, notifications, sessions).
    SignedIn,
    /// Anything the role allows.
    Permission(Permission),
    /// One apartment's data: staff who see the register, or a resident linked to it.
    Apartment(i64),
    /// One personal account's data: as for its apartment.
    Account(i64),
    /// One meter and its readings: as for its apartment (building meters: staff only).
    Meter(i64),
    /// One card payment: its payer only (its confirmation names the payer's accounts).
    Payment(i64),
}

/// Whether `user` may reach what `access` names.
pub async fn check(store: &Store, user: &CurrentUser, access: Access) -> Result<(), AppError> {
    let allowed = match access {
        Access::SignedIn => true,
        Access::Permission(p) => role_can(user.role, p),
        Access::Apartment(_) | Access::Account(_) | Access::Meter(_)
            if role_can(user.role, Permission::ViewRegister) =>
        {
            true
        }
        Access::Apartment(id) => {
            role_can(user.role, Permission::OwnCabinet)
                && store.user_reaches_apartment(user.id, id).await?
        }
        Access::Account(id) => {
            role_can(user.role, Permission::OwnCabinet)
                && store.user_reaches_account(user.id, id).await?
        }
        Access::Meter(id) => {
            role_can(user.role, Permission::OwnCabinet)
                && store.user_reaches_meter(user.id, id).await?
        }
        Access::Payment(id) => store.online_payment_user(id).await? == user.id,
    };
    if allowed {
        Ok(())
    } else {
        tracing::warn!(user_id = user.id, ?access, "access refused");
        Err(AppError::Forbidden)
    }
}

/// The signed-in user of a plain axum handler (documents, uploads), from the session the
/// middleware resolved; refuses with 401 when there is none. The handler then asks [`check`].
pub struct Actor(pub CurrentUser);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Actor {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<super::session::RequestSession>()
            .and_then(|s| s.user.clone())
            .map(Actor)
            .ok_or(AppError::Unauthenticated)
    }
}
