//! Uploads in chunks that survive a bad connection, and serving a ticket's files.

use super::*;

impl Store {
    /// Starts a staged upload of `size` bytes; returns its token.
    pub async fn start_upload(
        &self,
        user_id: i64,
        file_name: &str,
        size: i64,
        now: DateTime<Utc>,
    ) -> Result<String, AppError> {
        if size <= 0 || size as u64 > rules::MAX_UPLOAD_BYTES {
            return Err(AppError::invalid(rules::FileError::TooLarge.to_string()));
        }
        let name: String = file_name
            .chars()
            .filter(|c| !c.is_control() && !matches!(c, '/' | '\\' | '"'))
            .take(120)
            .collect();
        let name = if name.trim().is_empty() {
            "файл".to_string()
        } else {
            name
        };
        let recent: i64 = with_db!(&self.db, |pool| sqlx::query_scalar(
            "SELECT COUNT(*) FROM ticket_files WHERE uploaded_by = $1 AND created_at > $2"
        )
        .bind(user_id)
        .bind(now - Duration::hours(1))
        .fetch_one(pool)
        .await)
        .map_err(internal("count uploads"))?;
        if recent >= MAX_UPLOADS_PER_HOUR {
            return Err(AppError::RateLimited { minutes: 60 });
        }
        let token = format!(
            "{:016x}{:016x}",
            rand::random::<u64>(),
            rand::random::<u64>()
        );
        with_db!(&self.db, |pool| sqlx::query(
            "INSERT INTO ticket_files (token, uploaded_by, file_name, declared_size, created_at)
             VALUES ($1, $2, $3, $4, $5)"
        )
        .bind(&token)
        .bind(user_id)
        .bind(&name)
        .bind(size)
        .bind(now)
        .execute(pool)
        .await
        .map(|_| ()))
        .map_err(internal("start upload"))?;
        Ok(token)
    }

    /// A staged upload of this user (none for anyone else's token).
    pub async fn upload_state(
        &self,
        user_id: i64,
        token: &str,
    ) -> Result<Option<UploadState>, AppError> {
        with_db!(&self.db, |pool| sqlx::query_as::<_, UploadState>(
            "SELECT id, declared_size, received, kind FROM ticket_files
             WHERE token = $1 AND uploaded_by = $2 AND ticket_id IS NULL"
        )
        .bind(token)
        .bind(user_id)
        .fetch_optional(pool)
        .await)
        .map_err(internal("upload state"))
    }

    /// Records that `len` more bytes arrived at `offset`; false when the offset is not where
    /// the upload stands (a chunk sent twice or out of order).
    pub async fn upload_received(&self, id: i64, offset: i64, len: i64) -> Result<bool, AppError> {
        with_db!(&self.db, |pool| sqlx::query(
            "UPDATE ticket_files SET received = received + $1
             WHERE id = $2 AND received = $3 AND received + $1 <= declared_size"
        )
        .bind(len)
        .bind(id)
        .bind(offset)
        .execute(pool)
        .await
        .map(|r| r.rows_affected() == 1))
        .map_err(internal("upload received"))
    }

    /// Marks a complete upload checked and stored.
    pub async fn upload_stored(&self, id: i64, stored: &StoredUpload) -> Result<(), AppError> {
        with_db!(&self.db, |pool| sqlx::query(
            "UPDATE ticket_files SET kind = $1, content_type = $2, size = $3, storage_key = $4,
                 thumb_key = $5
             WHERE id = $6 AND ticket_id IS NULL"
        )
        .bind(stored.kind.as_str())
        .bind(&stored.content_type)
        .bind(stored.size)
        .bind(&stored.storage_key)
        .bind(&stored.thumb_key)
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ()))
        .map_err(internal("upload stored"))
    }

    /// Forgets a staged upload that failed its checks.
    pub async fn drop_upload(&self, id: i64) -> Result<(), AppError> {
        with_db!(&self.db, |pool| sqlx::query(
            "DELETE FROM ticket_files WHERE id = $1 AND ticket_id IS NULL"
        )
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ()))
        .map_err(internal("drop upload"))
    }

    /// One file of a ticket, for someone who may see the ticket (internal files: staff only).
    pub async fn ticket_file(
        &self,
        user: &CurrentUser,
        file_id: i64,
    ) -> Result<FileToServe, AppError> {
        let found: Option<(i64, bool)> = with_db!(&self.db, |pool| {
            sqlx::query_as(
            "SELECT ticket_id, internal FROM ticket_files WHERE id = $1 AND ticket_id IS NOT NULL
               AND kind IS NOT NULL"
        )
        .bind(file_id)
        .fetch_optional(pool)
        .await
        })
        .map_err(internal("ticket file"))?;
        let (ticket, internal_only) = found.ok_or(AppError::NotFound)?;
        let (actor, _) = self.ticket_actor(user, ticket).await?;
        if internal_only && actor == Actor::Requester {
            return Err(AppError::Forbidden);
        }
        with_db!(&self.db, |pool| sqlx::query_as::<_, FileToServe>(
            "SELECT file_name, content_type, storage_key, thumb_key FROM ticket_files WHERE id = $1"
        )
        .bind(file_id)
        .fetch_one(pool)
        .await)
        .map_err(internal("ticket file"))
    }
}
