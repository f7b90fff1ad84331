//! Where media bytes live: the [`MediaStore`] trait, so an object store can replace the disk
//! later, and [`DiskStore`], content-addressed files under the media dir.
//!
//! An upload streams into a temporary file while it is hashed and counted; past the limit it
//! stops at once and the temporary file is removed, so nothing partial is ever kept. A complete
//! upload is renamed to its SHA-256, so the same bytes are stored once.

use async_trait::async_trait;
use axum::body::Bytes;
use futures_util::{Stream, StreamExt};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use tokio::io::AsyncWriteExt;

/// Bytes sniffed to tell the content type.
pub const SNIFF_BYTES: usize = 8192;

/// An upload body.
pub type ByteStream = Pin<Box<dyn Stream<Item = Result<Bytes, std::io::Error>> + Send>>;

#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("the upload is over {max} bytes")]
    TooLarge { max: u64 },
    #[error("{0}")]
    Refused(String),
    #[error("the upload was interrupted: {0}")]
    Interrupted(std::io::Error),
    #[error("media storage failed: {0}")]
    Io(#[from] std::io::Error),
}

/// What is kept beside the bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    pub size: u64,
    /// Sniffed from the bytes.
    pub content_type: String,
    /// When it was last uploaded; retention counts from here.
    pub stored_ms: u64,
}

/// A stored object.
#[derive(Debug, Clone)]
pub struct Stored {
    pub uuid: String,
    pub meta: Meta,
    /// This upload added it (the same bytes were not stored before).
    pub created: bool,
}

/// Decides from the first bytes what the content type is, or refuses them.
pub type Sniffer<'a> = &'a (dyn Fn(&[u8]) -> Result<String, String> + Send + Sync);

#[async_trait]
pub trait MediaStore: Send + Sync + 'static {
    /// Streams `body` in. More than `max` bytes fails with [`MediaError::TooLarge`] as soon as
    /// they arrive; a refusal by `sniff` fails with [`MediaError::Refused`]; either way nothing
    /// is kept.
    async fn put(
        &self,
        body: ByteStream,
        max: u64,
        sniff: Sniffer<'_>,
        now_ms: u64,
    ) -> Result<Stored, MediaError>;
    /// The object's metadata and a reader of its bytes, or `None`.
    async fn open(&self, uuid: &str) -> Result<Option<(Meta, tokio::fs::File)>, MediaError>;
    /// Removes an object (an upload that failed processing after it was stored).
    async fn remove(&self, uuid: &str) -> Result<(), MediaError>;
    /// Removes objects stored before `before_ms`; returns how many.
    async fn expire(&self, before_ms: u64) -> Result<usize, MediaError>;
}

/// Files under `dir`: `objects/<first two hex digits>/<sha256>` with `<sha256>.json` beside,
/// and `tmp/` for uploads in progress (emptied at start).
pub struct DiskStore {
    dir: PathBuf,
}

/// A temporary file that removes itself unless kept.
pub(crate) struct TempFile {
    path: Option<PathBuf>,
}

impl TempFile {
    pub(crate) fn new(path: PathBuf) -> Self {
        Self { path: Some(path) }
    }

    /// Keeps the file (it was renamed into place).
    pub(crate) fn keep(&mut self) {
        self.path = None;
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(p) = self.path.take() {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// Is `uuid` a SHA-256 in lowercase hex (and so safe as a file name)?
pub fn valid_uuid(uuid: &str) -> bool {
    uuid.len() == 64
        && uuid
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Makes a directory's entries (a rename into it) durable.
pub(crate) async fn sync_dir(dir: &Path) -> std::io::Result<()> {
    tokio::fs::File::open(dir).await?.sync_all().await
}

impl DiskStore {
    pub fn open(dir: &Path) -> std::io::Result<Self> {
        let tmp = dir.join("tmp");
        // Leftovers of uploads cut off by a crash.
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp)?;
        }
        std::fs::create_dir_all(&tmp)?;
        std::fs::create_dir_all(dir.join("objects"))?;
        Ok(Self {
            dir: dir.to_owned(),
        })
    }

    fn object(&self, uuid: &str) -> PathBuf {
        self.dir.join("objects").join(&uuid[..2]).join(uuid)
    }

    fn meta_path(&self, uuid: &str) -> PathBuf {
        self.object(uuid).with_extension("json")
    }

    /// Writes the metadata durably: the file's bytes, then its name in the directory, which
    /// also holds the object renamed in just before.
    async fn write_meta(&self, uuid: &str, meta: &Meta) -> std::io::Result<()> {
        let json = serde_json::to_vec(meta).expect("meta serializes");
        let path = self.meta_path(uuid);
        let tmp = path.with_extension("json.tmp");
        let mut file = tokio::fs::File::create(&tmp).await?;
        file.write_all(&json).await?;
        file.sync_all().await?;
        drop(file);
        tokio::fs::rename(tmp, &path).await?;
        sync_dir(path.parent().expect("objects have a parent")).await
    }

    async fn read_meta(&self, uuid: &str) -> std::io::Result<Option<Meta>> {
        match tokio::fs::read(self.meta_path(uuid)).await {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(std::io::Error::other),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }
}

#[async_trait]
impl MediaStore for DiskStore {
    async fn put(
        &self,
        mut body: ByteStream,
        max: u64,
        sniff: Sniffer<'_>,
        now_ms: u64,
    ) -> Result<Stored, MediaError> {
        let name = format!(
            "{:016x}{:016x}",
            rand::random::<u64>(),
            rand::random::<u64>()
        );
        let path = self.dir.join("tmp").join(name);
        let mut temp = TempFile::new(path.clone());
        let mut file = tokio::fs::File::create(&path).await?;
        let mut hasher = Sha256::new();
        let mut head = Vec::with_capacity(SNIFF_BYTES);
        let mut size = 0u64;
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(MediaError::Interrupted)?;
            size += chunk.len() as u64;
            if size > max {
                return Err(MediaError::TooLarge { max });
            }
            if head.len() < SNIFF_BYTES {
                let take = (SNIFF_BYTES - head.len()).min(chunk.len());
                head.extend_from_slice(&chunk[..take]);
            }
            hasher.update(&chunk);
            file.write_all(&chunk).await?;
        }
        let content_type = sniff(&head).map_err(MediaError::Refused)?;
        file.sync_all().await?;
        drop(file);
        let uuid: String = hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let target = self.object(&uuid);
        tokio::fs::create_dir_all(target.parent().expect("has a parent")).await?;
        let created = !tokio::fs::try_exists(&target).await?;
        if created {
            tokio::fs::rename(&path, &target).await?;
            temp.keep();
        }
        let meta = Meta {
            size,
            content_type,
            stored_ms: now_ms,
        };
        // Written after the bytes: an object without metadata is not served.
        self.write_meta(&uuid, &meta).await?;
        Ok(Stored {
            uuid,
            meta,
            created,
        })
    }

    async fn open(&self, uuid: &str) -> Result<Option<(Meta, tokio::fs::File)>, MediaError> {
        if !valid_uuid(uuid) {
            return Ok(None);
        }
        let Some(meta) = self.read_meta(uuid).await? else {
            return Ok(None);
        };
        match tokio::fs::File::open(self.object(uuid)).await {
            Ok(file) => Ok(Some((meta, file))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    async fn remove(&self, uuid: &str) -> Result<(), MediaError> {
        if !valid_uuid(uuid) {
            return Ok(());
        }
        for path in [self.meta_path(uuid), self.object(uuid)] {
            match tokio::fs::remove_file(path).await {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
                _ => {}
            }
        }
        Ok(())
    }

    async fn expire(&self, before_ms: u64) -> Result<usize, MediaError> {
        let mut removed = 0;
        let mut shards = tokio::fs::read_dir(self.dir.join("objects")).await?;
        while let Some(shard) = shards.next_entry().await? {
            let mut entries = tokio::fs::read_dir(shard.path()).await?;
            while let Some(entry) = entries.next_entry().await? {
                let name = entry.file_name().to_string_lossy().into_owned();
                let Some(uuid) = name.strip_suffix(".json") else {
                    continue;
                };
                if let Some(meta) = self.read_meta(uuid).await?
                    && meta.stored_ms < before_ms
                {
                    self.remove(uuid).await?;
                    removed += 1;
                }
            }
        }
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(chunks: Vec<&'static [u8]>) -> ByteStream {
        Box::pin(futures_util::stream::iter(
            chunks.into_iter().map(|c| Ok(Bytes::from_static(c))),
        ))
    }

    fn any(_: &[u8]) -> Result<String, String> {
        Ok("application/octet-stream".into())
    }

    fn files_in(dir: &Path) -> usize {
        std::fs::read_dir(dir).unwrap().count()
    }

    #[tokio::test]
    async fn the_same_bytes_are_stored_once_and_refusals_leave_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = DiskStore::open(dir.path()).unwrap();
        let a = store
            .put(body(vec![b"hello ", b"world"]), 11, &any, 1)
            .await
            .unwrap();
        assert!(a.created);
        assert_eq!(a.meta.size, 11);
        // sha256("hello world")
        assert_eq!(
            a.uuid,
            "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
        );
        let b = store
            .put(body(vec![b"hello world"]), 11, &any, 2)
            .await
            .unwrap();
        assert_eq!((b.uuid.as_str(), b.created), (a.uuid.as_str(), false));

        let over = store
            .put(body(vec![b"hello ", b"world!"]), 11, &any, 3)
            .await;
        assert!(matches!(over, Err(MediaError::TooLarge { max: 11 })));
        let refuse = |_: &[u8]| Err::<String, _>("not an image".to_owned());
        let refused = store.put(body(vec![b"<html>"]), 100, &refuse, 3).await;
        assert!(matches!(refused, Err(MediaError::Refused(_))));
        assert_eq!(
            files_in(&dir.path().join("tmp")),
            0,
            "no partial file is left"
        );

        let (meta, _) = store.open(&a.uuid).await.unwrap().unwrap();
        assert_eq!(meta.stored_ms, 2, "a second upload renews retention");
        assert!(store.open("../../etc/passwd").await.unwrap().is_none());
        assert_eq!(store.expire(2).await.unwrap(), 0);
        assert_eq!(store.expire(3).await.unwrap(), 1);
        assert!(store.open(&a.uuid).await.unwrap().is_none());
    }
}
