//! Database side of auth: users, sessions, sign-in attempts, invites.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::types::{CurrentUser, InviteInfo, Role, UserRow};
use crate::clock;
use crate::db::{Store, internal};
use crate::error::AppError;
use crate::notify::types::{Notice, NoticeKind, Recipients};
use crate::{audit, enqueue_notice, with_db, write_tx};

/// Inserts a user inside the caller's transaction and yields its id.
macro_rules! insert_user {
    ($tx:expr, $user:expr) => {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO users (email, phone, password_hash, full_name, role, is_active, created_at)
             VALUES ($1, $2, $3, $4, $5, TRUE, $6) RETURNING id",
        )
        .bind($user.email)
        .bind($user.phone)
        .bind($user.password_hash)
        .bind($user.full_name)
        .bind($user.role.as_str())
        .bind(Utc::now())
        .fetch_one(&mut *$tx)
        .await
    };
}
pub(crate) use insert_user;

/// What sign-in needs to check a password.
#[derive(Debug, Clone, FromRow)]
pub struct Credentials {
    pub id: i64,
    pub password_hash: String,
    pub is_active: bool,
}

#[derive(FromRow)]
struct UserRecord {
    id: i64,
    full_name: String,
    role: String,
    email: Option<String>,
    phone: Option<String>,
}

impl UserRecord {
    fn into_current(self) -> Result<CurrentUser, AppError> {
        let role = Role::parse(&self.role).ok_or_else(|| {
            tracing::error!(user_id = self.id, role = %self.role, "unknown role in users table");
            AppError::Internal
        })?;
        Ok(CurrentUser {
            id: self.id,
            full_name: self.full_name,
            role,
            login: self.email.or(self.phone).unwrap_or_default(),
        })
    }
}

/// A new user account (a resident joining or staff added by the council).
pub struct NewUser<'a> {
    pub full_name: &'a str,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub password_hash: &'a str,
    pub role: Role,
}

/// How a resident joins the apartment an invite names, when the code has no named owner.
pub struct JoinAs<'a> {
    pub relation: &'a str,
}

impl Store {
    pub async fn credentials(&self, login: &str) -> Result<Option<Credentials>, AppError> {
        with_db!(&self.db, |pool| {
            sqlx::query_as::<_, Credentials>(
                "SELECT id, password_hash, is_active FROM users WHERE email = $1 OR phone = $1",
            )
            .bind(login)
            .fetch_optional(pool)
            .await
        })
        .map_err(internal("load credentials"))
    }

    pub async fn credentials_by_id(&self, user_id: i64) -> Result<Credentials, AppError> {
        with_db!(&self.db, |pool| {
            sqlx::query_as::<_, Credentials>(
                "SELECT id, password_hash, is_active FROM users WHERE id = $1",
            )
            .bind(user_id)
            .fetch_optional(pool)
            .await
        })
        .map_err(internal("load credentials by id"))?
        .ok_or(AppError::NotFound)
    }

    /// Starts a session; the session the browser had before (if any) ends in the same step, so the
    /// token always changes on sign-in.
    pub async fn start_session(
        &self,
        user_id: i64,
        token_hash: &str,
        previous_token_hash: Option<&str>,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), AppError> {
        write_tx!(self, "start session", |tx| {
            if let Some(previous) = previous_token_hash {
                sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                    .bind(previous)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(
                "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(token_hash)
            .bind(user_id)
            .bind(now)
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
            Ok(())
        })
    }

    /// The user behind a live session token, if the session exists, has not expired and the user
    /// is active.
    pub async fn session_user(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<CurrentUser>, AppError> {
        let row = with_db!(&self.db, |pool| {
            sqlx::query_as::<_, UserRecord>(
                "SELECT u.id, u.full_name, u.role, u.email, u.phone
                 FROM sessions s JOIN users u ON u.id = s.user_id
                 WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.is_active",
            )
            .bind(token_hash)
            .bind(now)
            .fetch_optional(pool)
            .await
        })
        .map_err(internal("load session"))?;
        row.map(UserRecord::into_current).transpose()
    }

    pub async fn end_session(&self, token_hash: &str) -> Result<(), AppError> {
        with_db!(&self.db, |pool| {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                .bind(token_hash)
                .execute(pool)
                .await
                .map(|_| ())
        })
        .map_err(internal("end session"))
    }

    /// Ends every session of the user ("выйти на всех устройствах").
    pub async fn end_all_sessions(&self, user_id: i64) -> Result<(), AppError> {
        write_tx!(self, "end all sessions", |tx| {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            audit!(
                &mut *tx,
                Some(user_id),
                "sign_out_everywhere",
                "user",
                Some(user_id),
                ""
            )?;
            Ok(())
        })
    }

    pub async fn recent_failures(
        &self,
        scope: &str,
        key: &str,
        since: DateTime<Utc>,
    ) -> Result<i64, AppError> {
        with_db!(&self.db, |pool| {
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM login_attempts WHERE scope = $1 AND key = $2 AND at > $3",
            )
            .bind(scope)
            .bind(key)
            .bind(since)
            .fetch_one(pool)
            .await
        })
        .map_err(internal("count attempts"))
    }

    /// Records failed attempts under several keys (e.g. the login and the address) at once, and
    /// forgets attempts older than a day.
    pub async fn record_failure(
        &self,
        keys: &[(&str, &str)],
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        write_tx!(self, "record attempt", |tx| {
            for (scope, key) in keys {
                sqlx::query("INSERT INTO login_attempts (scope, key, at) VALUES ($1, $2, $3)")
                    .bind(*scope)
                    .bind(*key)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query("DELETE FROM login_attempts WHERE at < $1")
                .bind(now - chrono::Duration::days(1))
                .execute(&mut *tx)
                .await?;
            Ok(())
        })
    }

    pub async fn clear_failures(&self, scope: &str, key: &str) -> Result<(), AppError> {
        with_db!(&self.db, |pool| {
            sqlx::query("DELETE FROM login_attempts WHERE scope = $1 AND key = $2")
                .bind(scope)
                .bind(key)
                .execute(pool)
                .await
                .map(|_| ())
        })
        .map_err(internal("clear attempts"))
    }

    /// Sets a new password and ends every other session of the user.
    pub async fn change_password(
        &self,
        user_id: i64,
        password_hash: &str,
        keep_token_hash: &str,
    ) -> Result<(), AppError> {
        write_tx!(self, "change password", |tx| {
            sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
                .bind(password_hash)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
                .bind(user_id)
                .bind(keep_token_hash)
                .execute(&mut *tx)
                .await?;
            audit!(
                &mut *tx,
                Some(user_id),
                "change_password",
                "user",
                Some(user_id),
                ""
            )?;
            let notice = Notice {
                kind: NoticeKind::PasswordChanged,
                recipients: Recipients::User(user_id),
                params: [("when".to_string(), clock::format_moment(Utc::now()))].into(),
                link: None,
                source: None,
                channels: None,
            };
            enqueue_notice!(&mut *tx, &notice)?;
            Ok(())
        })
    }

    pub async fn users(&self, query: &str) -> Result<Vec<UserRow>, AppError> {
        #[derive(FromRow)]
        struct Row {
            id: i64,
            full_name: String,
            email: Option<String>,
            phone: Option<String>,
            role: String,
            is_active: bool,
            created_at: DateTime<Utc>,
        }
        let pattern = format!("%{}%", query.trim().to_lowercase());
        let rows = with_db!(&self.db, |pool| {
            sqlx::query_as::<_, Row>(
                "SELECT u.id, u.full_name, u.email, u.phone, u.role, u.is_active, u.created_at
                 FROM users u LEFT JOIN people p ON p.user_id = u.id
                 WHERE $1 = '%%' OR COALESCE(u.email, '') LIKE $1 OR COALESCE(u.phone, '') LIKE $1
                    OR COALESCE(p.search_text, '') LIKE $1
                 ORDER BY CASE WHEN u.role = 'resident' THEN 1 ELSE 0 END, u.full_name
                 LIMIT 200",
            )
            .bind(&pattern)
            .fetch_all(pool)
            .await
        })
        .map_err(internal("list users"))?;
        rows.into_iter()
            .map(|r| {
                Ok(UserRow {
                    role: Role::parse(&r.role).ok_or(AppError::Internal)?,
                    id: r.id,
                    full_name: r.full_name,
                    email: r.email,
                    phone: r.phone,
                    is_active: r.is_active,
                    created_at: r.created_at.format("%d.%m.%Y").to_string(),
                })
            })
            .collect()
    }

    pub async fn user_role(&self, user_id: i64) -> Result<Role, AppError> {
        let role = with_db!(&self.db, |pool| {
            sqlx::query_scalar::<_, String>("SELECT role FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(pool)
                .await
        })
        .map_err(internal("load role"))?
        .ok_or(AppError::NotFound)?;
        Role::parse(&role).ok_or(AppError::Internal)
    }

    /// Changes a user's role; their sessions end, so the new role takes effect on a fresh sign-in.
    pub async fn set_role(&self, actor: i64, user_id: i64, role: Role) -> Result<(), AppError> {
        write_tx!(self, "set role", |tx| {
            sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
                .bind(role.as_str())
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            audit!(
                &mut *tx,
                Some(actor),
                "set_role",
                "user",
                Some(user_id),
                role.as_str()
            )?;
            Ok(())
        })
    }

    /// Adds a user; a taken e-mail or phone is a clear error, not a crash.
    pub async fn create_user(
        &self,
        actor: Option<i64>,
        user: &NewUser<'_>,
    ) -> Result<i64, AppError> {
        write_tx!(self, "create user", |tx| {
            let id = insert_user!(tx, user)?;
            audit!(
                &mut *tx,
                actor,
                "create_user",
                "user",
                Some(id),
                user.role.as_str()
            )?;
            Ok(id)
        })
    }

    /// Replaces the unused codes of these apartments with new ones, in one step.
    /// `invites` are (apartment, named owner, code hash).
    pub async fn issue_invites(
        &self,
        actor: i64,
        invites: &[(i64, Option<i64>, String)],
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), AppError> {
        write_tx!(self, "issue invites", |tx| {
            for (apartment_id, owner, code_hash) in invites {
                sqlx::query(
                    "UPDATE invites SET revoked_at = $1
                     WHERE apartment_id = $2 AND used_at IS NULL AND revoked_at IS NULL
                       AND owner_person_id IS NOT DISTINCT FROM $3",
                )
                .bind(now)
                .bind(apartment_id)
                .bind(owner)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO invites (code_hash, apartment_id, owner_person_id, created_by, created_at, expires_at)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(code_hash)
                .bind(apartment_id)
                .bind(owner)
                .bind(actor)
                .bind(now)
                .bind(expires_at)
                .execute(&mut *tx)
                .await?;
            }
            audit!(
                &mut *tx,
                Some(actor),
                "issue_invites",
                "invite",
                None::<i64>,
                format!("{} codes", invites.len())
            )?;
            Ok(())
        })
    }

    /// What a live (unused, unexpired, unrevoked) invite points at.
    pub async fn invite_info(
        &self,
        code_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<InviteInfo>, AppError> {
        #[derive(FromRow)]
        struct Row {
            address: String,
            number: String,
            owner_name: Option<String>,
            expires_at: DateTime<Utc>,
        }
        let row = with_db!(&self.db, |pool| {
            sqlx::query_as::<_, Row>(
                "SELECT h.address, a.number, p.full_name AS owner_name, i.expires_at
                 FROM invites i
                 JOIN apartments a ON a.id = i.apartment_id
                 JOIN houses h ON h.id = a.house_id
                 LEFT JOIN people p ON p.id = i.owner_person_id
                 WHERE i.code_hash = $1 AND i.used_at IS NULL AND i.revoked_at IS NULL
                   AND i.expires_at > $2",
            )
            .bind(code_hash)
            .bind(now)
            .fetch_optional(pool)
            .await
        })
        .map_err(internal("load invite"))?;
        Ok(row.map(|r| InviteInfo {
            address: r.address,
            apartment_number: r.number,
            owner_name: r.owner_name,
            expires_on: r.expires_at.format("%d.%m.%Y").to_string(),
        }))
    }

    /// Redeems an invite: takes the code (single use, checked and spent in one statement), links
    /// the person to the apartment — at once for a named owner, as pending otherwise — and, for a
    /// newcomer, creates their user. All in one transaction. Returns the user id.
    pub async fn redeem_invite(
        &self,
        code_hash: &str,
        now: DateTime<Utc>,
        who: Redeemer<'_>,
        join_as: JoinAs<'_>,
    ) -> Result<i64, AppError> {
        write_tx!(self, "redeem invite", |tx| {
            let taken: Option<(i64, i64, Option<i64>)> = sqlx::query_as(
                "UPDATE invites SET used_at = $1
                 WHERE code_hash = $2 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $1
                 RETURNING id, apartment_id, owner_person_id",
            )
            .bind(now)
            .bind(code_hash)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((invite_id, apartment_id, owner_person_id)) = taken else {
                return Err(AppError::invalid(INVITE_GONE).into());
            };
            let user_id = match &who {
                Redeemer::Existing(id) => *id,
                Redeemer::New(user) => insert_user!(tx, user)?,
            };
            let existing_person: Option<i64> =
                sqlx::query_scalar("SELECT id FROM people WHERE user_id = $1")
                    .bind(user_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            if let Some(owner) = owner_person_id {
                // A named owner: this user *is* that person; their residency is already on record.
                match existing_person {
                    Some(p) if p != owner => {
                        return Err(AppError::invalid(
                            "Этот код выдан другому собственнику. Попросите код на своё имя.",
                        )
                        .into());
                    }
                    Some(_) => {}
                    None => {
                        sqlx::query(
                            "UPDATE people SET user_id = $1 WHERE id = $2 AND user_id IS NULL",
                        )
                        .bind(user_id)
                        .bind(owner)
                        .execute(&mut *tx)
                        .await?;
                    }
                }
                sqlx::query(
                    "UPDATE residencies SET status = 'active'
                     WHERE person_id = $1 AND apartment_id = $2 AND status = 'pending'",
                )
                .bind(owner)
                .bind(apartment_id)
                .execute(&mut *tx)
                .await?;
            } else {
                let person_id = match existing_person {
                    Some(p) => p,
                    None => {
                        let (name, email, phone): (String, Option<String>, Option<String>) =
                            sqlx::query_as(
                                "SELECT full_name, email, phone FROM users WHERE id = $1",
                            )
                            .bind(user_id)
                            .fetch_one(&mut *tx)
                            .await?;
                        sqlx::query_scalar::<_, i64>(
                            "INSERT INTO people (full_name, search_text, phone, email, user_id)
                             VALUES ($1, $2, $3, $4, $5) RETURNING id",
                        )
                        .bind(&name)
                        .bind(crate::housing::rules::search_text(&name))
                        .bind(phone)
                        .bind(email)
                        .bind(user_id)
                        .fetch_one(&mut *tx)
                        .await?
                    }
                };
                sqlx::query(
                    "INSERT INTO residencies (person_id, apartment_id, relation, moved_in, status, created_at)
                     VALUES ($1, $2, $3, $4, 'pending', $5)",
                )
                .bind(person_id)
                .bind(apartment_id)
                .bind(join_as.relation)
                .bind(now.date_naive())
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query("UPDATE invites SET used_by = $1 WHERE id = $2")
                .bind(user_id)
                .bind(invite_id)
                .execute(&mut *tx)
                .await?;
            audit!(
                &mut *tx,
                Some(user_id),
                "redeem_invite",
                "apartment",
                Some(apartment_id),
                format!("invite {invite_id}")
            )?;
            Ok(user_id)
        })
    }
}

pub const INVITE_GONE: &str =
    "Код недействителен: он уже использован, отозван или истёк. Попросите новый код в правлении.";

/// Who redeems an invite: a signed-in user, or a newcomer registering with it.
pub enum Redeemer<'a> {
    Existing(i64),
    New(NewUser<'a>),
}
