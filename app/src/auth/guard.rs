//! The one authorisation helper. Every server function and endpoint starts with [`authorize`]:
//! it checks the role **and** ownership (a resident reaches only apartments and accounts they are
//! actively linked to).

use super::rules::role_can;
use super::types::{CurrentUser, Permission};
use crate::context;
use crate::db::Store;
use crate::error::AppError;

/// What a request wants to reach.
#[derive(Debug, Clone, Copy)]
pub enum Access {
    /// Anything the role allows.
    Permission(Permission),
    /// One apartment's data: staff who see the register, or a resident linked to it.
    Apartment(i64),
    /// One personal account's data: as for its apartment.
    Account(i64),
    /// One meter and its readings: as for its apartment (building meters: staff only).
    Meter(i64),
}

/// Authorises the current request; returns the user on success.
pub async fn authorize(access: Access) -> Result<CurrentUser, AppError> {
    let user = context::session()?.user.ok_or(AppError::Unauthenticated)?;
    let store = context::store()?;
    check(&store, &user, access).await?;
    Ok(user)
}

/// The same decision for a known user (used by endpoints outside server functions and by tests).
pub async fn check(store: &Store, user: &CurrentUser, access: Access) -> Result<(), AppError> {
    let allowed = match access {
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
    };
    if allowed {
        Ok(())
    } else {
        tracing::warn!(user_id = user.id, ?access, "access refused");
        Err(AppError::Forbidden)
    }
}
