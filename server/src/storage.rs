//! File storage behind one interface: ticket photos, videos and documents are kept under keys
//! the server makes (never the user's file names) and read back only through routes that check
//! who may see them. The embedded default is a local folder outside the public files.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("storage key {0:?} is not one the server makes")]
    BadKey(String),
    #[error("storage I/O on {key}: {source}")]
    Io { key: String, source: std::io::Error },
}

/// Where files live.
#[derive(Clone, Debug)]
pub enum Storage {
    /// A folder on this machine (`<KLYUCH_DOCUMENTS_DIR>/files`).
    Local(PathBuf),
}

/// A key is lower-case letters, digits, `-`, `_`, `.` and `/` between them — nothing that
/// climbs out of the folder.
fn checked(key: &str) -> Result<&str, StorageError> {
    let ok = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_./".contains(&b))
        && !key
            .split('/')
            .any(|part| part.is_empty() || part.starts_with('.'));
    if ok {
        Ok(key)
    } else {
        Err(StorageError::BadKey(key.to_string()))
    }
}

impl Storage {
    pub fn local(dir: impl AsRef<Path>) -> Self {
        Storage::Local(dir.as_ref().to_path_buf())
    }

    fn path(&self, key: &str) -> Result<PathBuf, StorageError> {
        let key = checked(key)?;
        match self {
            Storage::Local(dir) => Ok(dir.join(key)),
        }
    }

    /// Stores `bytes` under `key` (written aside, then renamed: a reader never sees half).
    pub async fn put(&self, key: &str, bytes: &[u8]) -> Result<(), StorageError> {
        let path = self.path(key)?;
        let io = |source| StorageError::Io {
            key: key.to_string(),
            source,
        };
        if let Some(dir) = path.parent() {
            tokio::fs::create_dir_all(dir).await.map_err(io)?;
        }
        let aside = path.with_extension("part");
        tokio::fs::write(&aside, bytes).await.map_err(io)?;
        tokio::fs::rename(&aside, &path).await.map_err(io)
    }

    pub async fn get(&self, key: &str) -> Result<Vec<u8>, StorageError> {
        let path = self.path(key)?;
        tokio::fs::read(&path)
            .await
            .map_err(|source| StorageError::Io {
                key: key.to_string(),
                source,
            })
    }

    /// Removes a file; one already gone is not an error.
    pub async fn delete(&self, key: &str) -> Result<(), StorageError> {
        let path = self.path(key)?;
        match tokio::fs::remove_file(&path).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(StorageError::Io {
                key: key.to_string(),
                source: e,
            }),
            _ => Ok(()),
        }
    }

    /// The local file a staged upload grows in, chunk by chunk (always on this machine).
    pub fn staging(&self, upload_id: i64) -> PathBuf {
        match self {
            Storage::Local(dir) => dir.join("staging").join(upload_id.to_string()),
        }
    }
}

/// A new random key under `prefix` with the extension `ext`.
pub fn new_key(prefix: &str, ext: &str) -> String {
    format!(
        "{prefix}/{:016x}{:016x}.{ext}",
        rand::random::<u64>(),
        rand::random::<u64>()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_never_leave_the_folder() {
        for bad in [
            "../etc/passwd",
            "/abs",
            "a//b",
            "tickets/.hidden",
            "Tickets/A.jpg",
            "",
            "a\\b",
        ] {
            assert!(checked(bad).is_err(), "{bad}");
        }
        assert!(checked(&new_key("tickets", "jpg")).is_ok());
        assert!(checked("staging/12").is_ok());
    }

    #[tokio::test]
    async fn put_get_delete_round_trip() {
        let dir = std::env::temp_dir().join(format!("klyuch-storage-{}", rand::random::<u32>()));
        let storage = Storage::local(&dir);
        let key = new_key("tickets", "jpg");
        storage.put(&key, b"photo").await.unwrap();
        assert_eq!(storage.get(&key).await.unwrap(), b"photo");
        storage.delete(&key).await.unwrap();
        storage.delete(&key).await.unwrap();
        assert!(storage.get(&key).await.is_err());
        let _ = std::fs::remove_dir_all(dir);
    }
}
