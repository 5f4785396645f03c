//! Server functions of debts: authorise → one store call.

use leptos::prelude::*;

use super::types::*;
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {crate::auth::guard::Access, crate::auth::types::Permission, crate::context::Ctx};

#[server(endpoint = "load_receivables")]
/// The receivables of one house, or of every house when none is given.
pub async fn load_receivables(house: Option<i64>) -> Result<Receivables, AppError> {
    let cx = Ctx::take()?;
    cx.authorize(Access::Permission(Permission::ManageDebts))
        .await?;
    cx.store.receivables(house, crate::clock::today()).await
}

#[server(endpoint = "load_debtor_card")]
/// One account's debt: the months owed by service, the people to reach.
pub async fn load_debtor_card(account: i64) -> Result<DebtorCard, AppError> {
    let cx = Ctx::take()?;
    cx.authorize(Access::Permission(Permission::ManageDebts))
        .await?;
    cx.store.debtor_card(account, crate::clock::today()).await
}

#[server(endpoint = "load_my_overdue")]
/// The signed-in resident's own accounts with an overdue debt (the cabinet's banner).
pub async fn load_my_overdue() -> Result<Vec<MyOverdue>, AppError> {
    let cx = Ctx::take()?;
    let user = cx
        .authorize(Access::Permission(Permission::OwnCabinet))
        .await?;
    cx.store.my_overdue(user.id, crate::clock::today()).await
}
