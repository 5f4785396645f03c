//! Server functions of the auth area: authorise → validate → one store call.

use leptos::prelude::*;

use super::types::{InviteCard, InviteInfo, UserRow};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::{
        guard::Access,
        rules, session,
        store::{INVITE_GONE, JoinAs, NewUser, Redeemer},
        types::{Permission, Role},
    },
    crate::context::Ctx,
    chrono::{Duration, Utc},
};

/// Scope names in `login_attempts`.
#[cfg(feature = "ssr")]
mod attempts {
    pub const LOGIN: &str = "login";
    pub const ADDRESS: &str = "address";
    pub const INVITE: &str = "invite";
}

#[server(endpoint = "sign_in")]
pub async fn sign_in(
    login: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let request = &cx.session;
    let login = rules::parse_login(&login).map_err(AppError::invalid)?;
    let since = Utc::now() - Duration::minutes(rules::ATTEMPT_WINDOW_MINUTES);
    let for_login = cx
        .store
        .recent_failures(attempts::LOGIN, login.as_str(), since)
        .await?;
    let for_address = cx
        .store
        .recent_failures(attempts::ADDRESS, &request.client_addr, since)
        .await?;
    if !rules::attempts_allowed(for_login, for_address) {
        tracing::warn!("sign-in attempts limited");
        return Err(AppError::RateLimited {
            minutes: rules::ATTEMPT_WINDOW_MINUTES,
        });
    }
    let credentials = cx.store.credentials(login.as_str()).await?;
    let ok = session::verify_password(
        &password,
        credentials.as_ref().map(|c| c.password_hash.as_str()),
    )
    .await?;
    let user = match credentials {
        Some(c) if ok && c.is_active => c,
        _ => {
            cx.store
                .record_failure(
                    &[
                        (attempts::LOGIN, login.as_str()),
                        (attempts::ADDRESS, &request.client_addr),
                    ],
                    Utc::now(),
                )
                .await?;
            return Err(AppError::invalid("Неверный логин или пароль."));
        }
    };
    cx.store
        .clear_failures(attempts::LOGIN, login.as_str())
        .await?;
    let cookie = session::start(
        &cx.store,
        user.id,
        request.token_hash.as_deref(),
        cx.config.session_days,
        cx.config.secure_cookies,
    )
    .await?;
    cx.set_cookie(&cookie);
    let role = cx.store.user_role(user.id).await?;
    cx.redirect(&rules::safe_next(next.as_deref().unwrap_or(""), role));
    Ok(())
}

#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    let cx = Ctx::take()?;
    if let Some(hash) = &cx.session.token_hash {
        cx.store.end_session(hash).await?;
    }
    cx.set_cookie(&session::clear_session_cookie(cx.config.secure_cookies));
    cx.redirect("/login");
    Ok(())
}

#[server(endpoint = "sign_out_everywhere")]
pub async fn sign_out_everywhere() -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let user = cx.authorize(Access::SignedIn).await?;
    cx.store.end_all_sessions(user.id).await?;
    cx.set_cookie(&session::clear_session_cookie(cx.config.secure_cookies));
    cx.redirect("/login");
    Ok(())
}

#[server(endpoint = "change_password")]
pub async fn change_password(
    current: String,
    new_password: String,
    repeat: String,
) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let user = cx.authorize(Access::SignedIn).await?;
    let credentials = cx.store.credentials_by_id(user.id).await?;
    if !session::verify_password(&current, Some(&credentials.password_hash)).await? {
        return Err(AppError::invalid("Текущий пароль введён неверно."));
    }
    rules::check_new_password(&new_password).map_err(AppError::invalid)?;
    if new_password != repeat {
        return Err(AppError::invalid("Новый пароль и повтор не совпадают."));
    }
    if new_password == current {
        return Err(AppError::invalid("Новый пароль совпадает с текущим."));
    }
    let hash = session::hash_password(&new_password).await?;
    let keep = cx.session.token_hash.clone().unwrap_or_default();
    cx.store.change_password(user.id, &hash, &keep).await
}

#[server(endpoint = "list_users")]
pub async fn list_users(query: String) -> Result<Vec<UserRow>, AppError> {
    let cx = Ctx::take()?;
    let actor = cx
        .authorize(Access::Permission(Permission::ManageUsers))
        .await?;
    let users = cx.store.users(&query).await?;
    cx.store.log_view(actor.id, "users", None).await?;
    Ok(users)
}

#[server(endpoint = "set_user_role")]
pub async fn set_user_role(user_id: i64, role: String) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let actor = cx
        .authorize(Access::Permission(Permission::ManageUsers))
        .await?;
    let role = Role::parse(&role).ok_or_else(|| AppError::invalid("Неизвестная роль."))?;
    if user_id == actor.id {
        return Err(AppError::invalid(
            "Свою роль поменять нельзя: попросите председателя.",
        ));
    }
    let current = cx.store.user_role(user_id).await?;
    if !rules::may_assign_role(actor.role, current) || !rules::may_assign_role(actor.role, role) {
        return Err(AppError::Forbidden);
    }
    cx.store.set_role(actor.id, user_id, role).await
}

#[server(endpoint = "add_staff_user")]
pub async fn add_staff_user(
    full_name: String,
    login: String,
    role: String,
    password: String,
) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let actor = cx
        .authorize(Access::Permission(Permission::ManageUsers))
        .await?;
    let role = Role::parse(&role).ok_or_else(|| AppError::invalid("Неизвестная роль."))?;
    if !role.is_staff() {
        return Err(AppError::invalid(
            "Жители регистрируются сами по коду приглашения.",
        ));
    }
    if !rules::may_assign_role(actor.role, role) {
        return Err(AppError::Forbidden);
    }
    let full_name =
        crate::housing::rules::check_full_name(&full_name).map_err(AppError::invalid)?;
    let login = rules::parse_login(&login).map_err(AppError::invalid)?;
    rules::check_new_password(&password).map_err(AppError::invalid)?;
    let hash = session::hash_password(&password).await?;
    let (email, phone) = split_login(&login);
    cx.store
        .create_user(
            Some(actor.id),
            &NewUser {
                full_name: &full_name,
                email,
                phone,
                password_hash: &hash,
                role,
            },
        )
        .await
        .map(|_| ())
}

#[cfg(feature = "ssr")]
fn split_login(login: &rules::Login) -> (Option<&str>, Option<&str>) {
    match login {
        rules::Login::Email(e) => (Some(e.as_str()), None),
        rules::Login::Phone(p) => (None, Some(p.as_str())),
    }
}

/// Looks up a typed code; too many wrong codes from one address are refused for a while.
#[cfg(feature = "ssr")]
async fn invite_code_hash(cx: &Ctx, code: &str) -> Result<String, AppError> {
    let request = &cx.session;
    let since = Utc::now() - Duration::minutes(rules::ATTEMPT_WINDOW_MINUTES);
    let failures = cx
        .store
        .recent_failures(attempts::INVITE, &request.client_addr, since)
        .await?;
    if !rules::attempts_allowed(0, failures) {
        return Err(AppError::RateLimited {
            minutes: rules::ATTEMPT_WINDOW_MINUTES,
        });
    }
    let hash = rules::normalize_invite_code(code).map(|c| session::sha256_hex(&c));
    let live = match &hash {
        Some(h) => cx.store.invite_info(h, Utc::now()).await?.is_some(),
        None => false,
    };
    match hash {
        Some(h) if live => Ok(h),
        _ => {
            cx.store
                .record_failure(&[(attempts::INVITE, &request.client_addr)], Utc::now())
                .await?;
            Err(AppError::invalid(INVITE_GONE))
        }
    }
}

#[server(endpoint = "look_up_invite")]
pub async fn look_up_invite(code: String) -> Result<InviteInfo, AppError> {
    let cx = Ctx::take()?;
    let hash = invite_code_hash(&cx, &code).await?;
    cx.store
        .invite_info(&hash, Utc::now())
        .await?
        .ok_or_else(|| AppError::invalid(INVITE_GONE))
}

/// A newcomer registers with a code and is signed in.
#[server(endpoint = "join_with_invite")]
pub async fn join_with_invite(
    code: String,
    full_name: String,
    login: String,
    password: String,
    repeat: String,
    relation: Option<String>,
) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let hash = invite_code_hash(&cx, &code).await?;
    let full_name =
        crate::housing::rules::check_full_name(&full_name).map_err(AppError::invalid)?;
    let login = rules::parse_login(&login).map_err(AppError::invalid)?;
    rules::check_new_password(&password).map_err(AppError::invalid)?;
    if password != repeat {
        return Err(AppError::invalid("Пароль и повтор не совпадают."));
    }
    let relation = join_relation(relation.as_deref())?;
    let password_hash = session::hash_password(&password).await?;
    let (email, phone) = split_login(&login);
    let user_id = cx
        .store
        .redeem_invite(
            &hash,
            Utc::now(),
            Redeemer::New(NewUser {
                full_name: &full_name,
                email,
                phone,
                password_hash: &password_hash,
                role: Role::Resident,
            }),
            JoinAs { relation },
        )
        .await?;
    let cookie = session::start(
        &cx.store,
        user_id,
        cx.session.token_hash.as_deref(),
        cx.config.session_days,
        cx.config.secure_cookies,
    )
    .await?;
    cx.set_cookie(&cookie);
    cx.redirect("/cabinet");
    Ok(())
}

/// A signed-in resident adds another apartment with its code.
#[server(endpoint = "join_as_current_user")]
pub async fn join_as_current_user(code: String, relation: Option<String>) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let user = cx
        .authorize(Access::Permission(Permission::OwnCabinet))
        .await?;
    let hash = invite_code_hash(&cx, &code).await?;
    let relation = join_relation(relation.as_deref())?;
    cx.store
        .redeem_invite(
            &hash,
            Utc::now(),
            Redeemer::Existing(user.id),
            JoinAs { relation },
        )
        .await?;
    cx.redirect("/cabinet");
    Ok(())
}

#[cfg(feature = "ssr")]
fn join_relation(input: Option<&str>) -> Result<&'static str, AppError> {
    use crate::housing::types::Relation;
    match input.filter(|s| !s.is_empty()) {
        None => Ok(Relation::Owner.as_str()),
        Some(s) => Relation::parse(s)
            .map(Relation::as_str)
            .ok_or_else(|| AppError::invalid("Укажите, кем вы приходитесь квартире.")),
    }
}

/// New codes for every apartment of a house (the printable sheet). Earlier unused codes of those
/// apartments stop working.
#[server(endpoint = "issue_house_invites")]
pub async fn issue_house_invites(house_id: i64) -> Result<Vec<InviteCard>, AppError> {
    let cx = Ctx::take()?;
    let actor = cx
        .authorize(Access::Permission(Permission::ManageInvites))
        .await?;
    let apartments = cx.store.house_apartments(house_id).await?;
    if apartments.is_empty() {
        return Err(AppError::NotFound);
    }
    let targets = apartments
        .into_iter()
        .map(|(id, number, entrance, address)| (id, None, address, number, entrance, None))
        .collect();
    issue(&cx, actor.id, targets).await
}

/// A code for one named owner: joining with it links them at once, with no approval step.
#[server(endpoint = "issue_owner_invite")]
pub async fn issue_owner_invite(
    residency_id: i64,
    apartment_id: i64,
) -> Result<InviteCard, AppError> {
    let cx = Ctx::take()?;
    let actor = cx
        .authorize(Access::Permission(Permission::ManageInvites))
        .await?;
    let card = cx.store.apartment_card(apartment_id).await?;
    let owner = card
        .residents
        .iter()
        .find(|r| r.residency_id == residency_id && r.moved_out.is_none())
        .ok_or(AppError::NotFound)?;
    if owner.has_account {
        return Err(AppError::invalid("У этого жителя уже есть вход в кабинет."));
    }
    let target = (
        card.id,
        Some(owner.person_id),
        card.address.clone(),
        card.number.clone(),
        card.entrance,
        Some(owner.full_name.clone()),
    );
    issue(&cx, actor.id, vec![target])
        .await?
        .pop()
        .ok_or(AppError::Internal)
}

/// (apartment, named owner person, address, number, entrance, owner name)
#[cfg(feature = "ssr")]
type InviteTarget = (
    i64,
    Option<i64>,
    String,
    String,
    Option<i64>,
    Option<String>,
);

#[cfg(feature = "ssr")]
async fn issue(
    cx: &Ctx,
    actor: i64,
    targets: Vec<InviteTarget>,
) -> Result<Vec<InviteCard>, AppError> {
    use rand::Rng;
    let now = Utc::now();
    let expires_at = now + Duration::days(cx.config.invite_days);
    let mut rng = rand::rngs::OsRng;
    let mut rows = Vec::with_capacity(targets.len());
    let mut cards = Vec::with_capacity(targets.len());
    for (apartment_id, owner, address, number, entrance, owner_name) in targets {
        let symbols: [u8; rules::INVITE_CODE_LEN] = std::array::from_fn(|_| rng.gen_range(0..32));
        let code = rules::format_invite_code(&symbols);
        let canonical = rules::normalize_invite_code(&code).ok_or(AppError::Internal)?;
        rows.push((apartment_id, owner, session::sha256_hex(&canonical)));
        let join_url = format!(
            "{}/join/{}",
            cx.config.public_url.trim_end_matches('/'),
            code
        );
        cards.push(InviteCard {
            qr_svg: crate::qr::svg(&join_url)?,
            address,
            apartment_number: number,
            entrance,
            owner_name,
            code,
            join_url,
            expires_on: expires_at.format("%d.%m.%Y").to_string(),
        });
    }
    cx.store
        .issue_invites(actor, &rows, now, expires_at)
        .await?;
    Ok(cards)
}
