//! File storage behind one interface: ticket photos, videos and documents are kept under keys
//! the server makes (never the user's file names) and read back only through routes that check
//! who may see them. The embedded default is a local folder outside the public files; the real
//! adapter is S3-compatible object storage (`object_store`: Yandex Object Storage, VK Cloud,
//! Selectel, MinIO, AWS), signed with AWS Signature V4. Uploads in progress always grow in a
//! local staging folder and go to storage once checked.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use object_store::ObjectStore;
use object_store::path::Path as ObjectPath;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("storage key {0:?} is not one the server makes")]
    BadKey(String),
    #[error("storage I/O on {key}: {source}")]
    Io { key: String, source: std::io::Error },
    #[error("object storage on {key}: {source}")]
    Object {
        key: String,
        source: object_store::Error,
    },
    #[error("range {start}..{end} is outside the file of {size} bytes")]
    Range { start: u64, end: u64, size: u64 },
}

/// How to reach S3-compatible storage (`KLYUCH_S3_*`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct S3Settings {
    /// `https://storage.yandexcloud.net`; none means AWS itself.
    pub endpoint: Option<String>,
    pub bucket: String,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
}

/// Where files live.
#[derive(Clone, Debug)]
pub enum Storage {
    /// A folder on this machine (`<KLYUCH_DOCUMENTS_DIR>/files`).
    Local(PathBuf),
    /// A bucket of S3-compatible storage; `staging` is the local folder uploads grow in.
    S3 {
        store: Arc<dyn ObjectStore>,
        staging: PathBuf,
    },
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

fn io(key: &str) -> impl FnOnce(std::io::Error) -> StorageError + '_ {
    move |source| StorageError::Io {
        key: key.to_string(),
        source,
    }
}

fn object(key: &str) -> impl FnOnce(object_store::Error) -> StorageError + '_ {
    move |source| StorageError::Object {
        key: key.to_string(),
        source,
    }
}

impl Storage {
    pub fn local(dir: impl AsRef<Path>) -> Self {
        Storage::Local(dir.as_ref().to_path_buf())
    }

    /// S3-compatible storage; plain `http://` endpoints are allowed (a local MinIO or stand-in).
    pub fn s3(s: &S3Settings, staging: impl AsRef<Path>) -> Result<Self, object_store::Error> {
        let mut builder = object_store::aws::AmazonS3Builder::new()
            .with_bucket_name(&s.bucket)
            .with_region(&s.region)
            .with_access_key_id(&s.access_key_id)
            .with_secret_access_key(&s.secret_access_key);
        if let Some(endpoint) = &s.endpoint {
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"));
        }
        Ok(Storage::S3 {
            store: Arc::new(builder.build()?),
            staging: staging.as_ref().to_path_buf(),
        })
    }

    /// Stores `bytes` under `key` (a local file is written aside, then renamed: a reader never
    /// sees half; an object is one PUT).
    pub async fn put(&self, key: &str, bytes: &[u8]) -> Result<(), StorageError> {
        let key = checked(key)?;
        match self {
            Storage::Local(dir) => {
                let path = dir.join(key);
                if let Some(parent) = path.parent() {
                    tokio::fs::create_dir_all(parent).await.map_err(io(key))?;
                }
                let aside = path.with_extension("part");
                tokio::fs::write(&aside, bytes).await.map_err(io(key))?;
                tokio::fs::rename(&aside, &path).await.map_err(io(key))
            }
            Storage::S3 { store, .. } => store
                .put(&ObjectPath::from(key), bytes.to_vec().into())
                .await
                .map(|_| ())
                .map_err(object(key)),
        }
    }

    /// The whole file.
    pub async fn get(&self, key: &str) -> Result<Vec<u8>, StorageError> {
        let key = checked(key)?;
        match self {
            Storage::Local(dir) => tokio::fs::read(dir.join(key)).await.map_err(io(key)),
            Storage::S3 { store, .. } => {
                let found = store
                    .get(&ObjectPath::from(key))
                    .await
                    .map_err(object(key))?;
                Ok(found.bytes().await.map_err(object(key))?.to_vec())
            }
        }
    }

    /// The file's size in bytes.
    pub async fn size(&self, key: &str) -> Result<u64, StorageError> {
        let key = checked(key)?;
        match self {
            Storage::Local(dir) => Ok(tokio::fs::metadata(dir.join(key))
                .await
                .map_err(io(key))?
                .len()),
            Storage::S3 { store, .. } => Ok(store
                .head(&ObjectPath::from(key))
                .await
                .map_err(object(key))?
                .size),
        }
    }

    /// Bytes `range` of the file (a video player asks for parts).
    pub async fn get_range(&self, key: &str, range: Range<u64>) -> Result<Vec<u8>, StorageError> {
        use tokio::io::{AsyncReadExt, AsyncSeekExt};
        let key = checked(key)?;
        match self {
            Storage::Local(dir) => {
                let mut file = tokio::fs::File::open(dir.join(key))
                    .await
                    .map_err(io(key))?;
                file.seek(std::io::SeekFrom::Start(range.start))
                    .await
                    .map_err(io(key))?;
                let mut out = vec![0; (range.end - range.start) as usize];
                file.read_exact(&mut out).await.map_err(io(key))?;
                Ok(out)
            }
            Storage::S3 { store, .. } => Ok(store
                .get_range(&ObjectPath::from(key), range)
                .await
                .map_err(object(key))?
                .to_vec()),
        }
    }

    /// Removes a file; one already gone is not an error.
    pub async fn delete(&self, key: &str) -> Result<(), StorageError> {
        let key = checked(key)?;
        match self {
            Storage::Local(dir) => match tokio::fs::remove_file(dir.join(key)).await {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(key)(e)),
                _ => Ok(()),
            },
            Storage::S3 { store, .. } => match store.delete(&ObjectPath::from(key)).await {
                Err(object_store::Error::NotFound { .. }) | Ok(()) => Ok(()),
                Err(e) => Err(object(key)(e)),
            },
        }
    }

    /// The local file a staged upload grows in, chunk by chunk (always on this machine).
    pub fn staging(&self, upload_id: i64) -> PathBuf {
        let root = match self {
            Storage::Local(dir) => dir,
            Storage::S3 { staging, .. } => staging,
        };
        root.join("staging").join(upload_id.to_string())
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

/// A `Range: bytes=…` header against a file of `size` bytes: the one range asked for, clamped
/// to the file; `Err` when it cannot be served (416); `Ok(None)` when there is none (or
/// several, and then the whole file is served).
pub fn byte_range(header: &str, size: u64) -> Result<Option<Range<u64>>, StorageError> {
    let Some(spec) = header.trim().strip_prefix("bytes=") else {
        return Ok(None);
    };
    if spec.contains(',') {
        return Ok(None);
    }
    let (from, to) = spec.split_once('-').unwrap_or((spec, ""));
    let (from, to) = (from.trim(), to.trim());
    let range = match (from.parse::<u64>(), to.parse::<u64>()) {
        (Ok(start), Ok(end)) if start <= end => start..(end + 1).min(size),
        (Ok(start), Err(_)) if to.is_empty() => start..size,
        (Err(_), Ok(last)) if from.is_empty() => size.saturating_sub(last)..size,
        _ => return Ok(None),
    };
    if range.start >= size || range.is_empty() {
        return Err(StorageError::Range {
            start: range.start,
            end: range.end,
            size,
        });
    }
    Ok(Some(range))
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

    #[test]
    fn byte_ranges_as_video_players_ask() {
        assert_eq!(byte_range("bytes=0-", 1000).unwrap(), Some(0..1000));
        assert_eq!(byte_range("bytes=0-1", 1000).unwrap(), Some(0..2));
        assert_eq!(
            byte_range("bytes=500-999999", 1000).unwrap(),
            Some(500..1000)
        );
        assert_eq!(byte_range("bytes=-100", 1000).unwrap(), Some(900..1000));
        assert!(byte_range("bytes=1000-", 1000).is_err());
        assert_eq!(byte_range("bytes=0-1,5-6", 1000).unwrap(), None);
        assert_eq!(byte_range("items=0-1", 1000).unwrap(), None);
        assert_eq!(byte_range("bytes=x-y", 1000).unwrap(), None);
    }

    #[tokio::test]
    async fn a_local_folder_puts_gets_parts_and_deletes() {
        let dir = std::env::temp_dir().join(format!("klyuch-storage-{}", rand::random::<u32>()));
        let storage = Storage::local(&dir);
        let key = new_key("tickets", "jpg");
        storage.put(&key, b"photo bytes").await.unwrap();
        assert_eq!(storage.get(&key).await.unwrap(), b"photo bytes");
        assert_eq!(storage.size(&key).await.unwrap(), 11);
        assert_eq!(storage.get_range(&key, 6..11).await.unwrap(), b"bytes");
        storage.delete(&key).await.unwrap();
        storage.delete(&key).await.unwrap();
        assert!(storage.get(&key).await.is_err());
        let _ = std::fs::remove_dir_all(dir);
    }
}
