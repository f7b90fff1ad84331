//! The hourly history files of `open_msg_svc/get_history`: every one-to-one message sent in
//! one hour, written as a gzipped JSON file and downloaded by an unguessable link until it
//! expires, as Tencent's are.
//!
//! The files live under the media dir, which the nodes of a cluster share, so a link answered
//! by one node downloads from any. A file is made when its hour is first asked for, from
//! storage a page at a time, so memory stays flat whatever the hour holds; while it is fresh,
//! asking again answers the same file. One file is made at a time, and expired files are
//! removed when a file is asked for and by every expiry pass.

use crate::chat::Chat;
use crate::error::ChatError;
use crate::media::store::{TempFile, sync_dir};
use flate2::Compression;
use flate2::write::GzEncoder;
use md5::{Digest, Md5};
use protocol::rest::HistoryFileMsg;
use protocol::{ErrorCode, Message};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::PathBuf;

/// How long a link downloads after its file was made.
pub const FILE_TTL_MS: u64 = 6 * 3600 * 1000;
/// A fresh file is answered again while at least this much of its time is left; after that a
/// new one is made, so every answer leaves time to download.
const REUSE_LEFT_MS: u64 = FILE_TTL_MS / 2;
/// Messages read from storage per step.
const PAGE: u32 = 1000;
/// What a file starts and ends with around its messages, one a line.
const HEAD: &[u8] = b"{\"MsgList\":[\n";
const TAIL: &[u8] = b"\n]}\n";

/// The directory of history files, and the one file being made.
pub struct HistoryFiles {
    dir: PathBuf,
    making: tokio::sync::Mutex<()>,
}

/// A file that was made: its name under the directory and what the answer says of it. Kept
/// beside the file as `<name>.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Made {
    pub name: String,
    pub expires_ms: u64,
    pub file_size: u64,
    pub file_md5: String,
    pub gzip_size: u64,
    pub gzip_md5: String,
}

/// What a file's name says: `<hour's first Unix second>-<ms it was made>-<32 hex digits>.gz`.
#[derive(Debug, PartialEq, Eq)]
struct Name {
    hour_s: u64,
    made_ms: u64,
}

impl Name {
    /// Reads a file name (without a `.json` or `.tmp` suffix); `None` for any other name, so
    /// that nothing but these files is ever served or removed.
    fn parse(name: &str) -> Option<Self> {
        let mut parts = name.strip_suffix(".gz")?.split('-');
        let (hour, made, token) = (parts.next()?, parts.next()?, parts.next()?);
        let digits =
            |s: &str| !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit());
        let hex = token.len() == 32
            && token
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if parts.next().is_some() || !digits(hour) || !digits(made) || !hex {
            return None;
        }
        Some(Self {
            hour_s: hour.parse().ok()?,
            made_ms: made.parse().ok()?,
        })
    }

    fn expires_ms(&self) -> u64 {
        self.made_ms.saturating_add(FILE_TTL_MS)
    }
}

/// A writer that counts and hashes what passes through it.
struct Tally<W> {
    inner: W,
    md5: Md5,
    size: u64,
}

impl<W: Write> Tally<W> {
    fn new(inner: W) -> Self {
        Self {
            inner,
            md5: Md5::new(),
            size: 0,
        }
    }

    fn sums(self) -> (W, u64, String) {
        (self.inner, self.size, format!("{:x}", self.md5.finalize()))
    }
}

impl<W: Write> Write for Tally<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.md5.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// The JSON as written, through gzip, into the file.
type FileWriter = Tally<GzEncoder<Tally<std::fs::File>>>;

fn io_error(e: std::io::Error) -> ChatError {
    ChatError::new(ErrorCode::INTERNAL, format!("history file: {e}"))
}

/// Writes `bytes` on a blocking thread and hands the writer back.
async fn write(mut writer: FileWriter, bytes: Vec<u8>) -> Result<FileWriter, ChatError> {
    tokio::task::spawn_blocking(move || writer.write_all(&bytes).map(|()| writer))
        .await
        .map_err(|e| ChatError::new(ErrorCode::INTERNAL, format!("history file: {e}")))?
        .map_err(io_error)
}

impl HistoryFiles {
    pub fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            making: tokio::sync::Mutex::new(()),
        }
    }

    /// The file of the hour starting at `hour_s` (Unix seconds), made now unless a fresh one
    /// is kept; `None` when no message of the hour is kept. `line` writes a message as the file
    /// holds it.
    pub async fn file(
        &self,
        chat: &Chat,
        hour_s: u64,
        line: fn(&Message) -> HistoryFileMsg,
    ) -> Result<Option<Made>, ChatError> {
        let _making = self.making.lock().await;
        let now = chat.clock.now_ms();
        if let Err(e) = self.sweep(now).await {
            tracing::warn!(error = %e, "could not remove expired history files");
        }
        if let Some(made) = self.fresh(hour_s, now).await.map_err(io_error)? {
            return Ok(Some(made));
        }
        self.make(chat, hour_s, now, line).await
    }

    /// A kept file of the hour with time enough left to download it.
    async fn fresh(&self, hour_s: u64, now: u64) -> std::io::Result<Option<Made>> {
        let mut entries = match tokio::fs::read_dir(&self.dir).await {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        while let Some(entry) = entries.next_entry().await? {
            let file_name = entry.file_name().to_string_lossy().into_owned();
            let Some(name) = file_name.strip_suffix(".json") else {
                continue;
            };
            let Some(parsed) = Name::parse(name) else {
                continue;
            };
            if parsed.hour_s != hour_s || parsed.expires_ms() < now.saturating_add(REUSE_LEFT_MS) {
                continue;
            }
            let made: Made = match serde_json::from_slice(&tokio::fs::read(entry.path()).await?) {
                Ok(made) => made,
                Err(_) => continue,
            };
            if tokio::fs::try_exists(self.dir.join(name)).await? {
                return Ok(Some(made));
            }
        }
        Ok(None)
    }

    async fn make(
        &self,
        chat: &Chat,
        hour_s: u64,
        now: u64,
        line: fn(&Message) -> HistoryFileMsg,
    ) -> Result<Option<Made>, ChatError> {
        tokio::fs::create_dir_all(&self.dir)
            .await
            .map_err(io_error)?;
        let name = format!("{hour_s}-{now}-{:032x}.gz", rand::random::<u128>());
        let tmp_path = self.dir.join(format!("{name}.tmp"));
        let mut tmp = TempFile::new(tmp_path.clone());
        let file = std::fs::File::create(&tmp_path).map_err(io_error)?;
        let mut writer = Tally::new(GzEncoder::new(Tally::new(file), Compression::default()));
        writer.write_all(HEAD).map_err(io_error)?;
        let (min_ms, max_ms) = (hour_s * 1000, hour_s * 1000 + 3_599_999);
        let (mut after, mut count) = (0u64, 0u64);
        loop {
            let page = chat
                .storage
                .export(min_ms, max_ms, after, PAGE, now)
                .await?;
            let Some(last) = page.last() else { break };
            after = last.key.id;
            let mut bytes = Vec::new();
            for m in &page {
                if count > 0 {
                    bytes.extend_from_slice(b",\n");
                }
                serde_json::to_writer(&mut bytes, &line(m)).expect("history lines serialize");
                count += 1;
            }
            writer = write(writer, bytes).await?;
        }
        if count == 0 {
            return Ok(None);
        }
        let writer = write(writer, TAIL.to_vec()).await?;
        let (gz, file_size, file_md5) = writer.sums();
        let (file, gzip_size, gzip_md5) = gz.finish().map_err(io_error)?.sums();
        file.sync_all().map_err(io_error)?;
        drop(file);
        let made = Made {
            name: name.clone(),
            expires_ms: now + FILE_TTL_MS,
            file_size,
            file_md5,
            gzip_size,
            gzip_md5,
        };
        // The description is written before the file is renamed into place, and a file is
        // answered only with its description.
        let meta = serde_json::to_vec(&made).expect("history file descriptions serialize");
        tokio::fs::write(self.dir.join(format!("{name}.json")), meta)
            .await
            .map_err(io_error)?;
        tokio::fs::rename(&tmp_path, self.dir.join(&name))
            .await
            .map_err(io_error)?;
        tmp.keep();
        sync_dir(&self.dir).await.map_err(io_error)?;
        tracing::info!(
            hour_s,
            messages = count,
            bytes = gzip_size,
            "made a history file"
        );
        Ok(Some(made))
    }

    /// The file named `name` and its size, while its link is valid.
    pub async fn open(
        &self,
        name: &str,
        now: u64,
    ) -> std::io::Result<Option<(u64, tokio::fs::File)>> {
        match Name::parse(name) {
            Some(parsed) if parsed.expires_ms() > now => {}
            _ => return Ok(None),
        }
        match tokio::fs::File::open(self.dir.join(name)).await {
            Ok(file) => Ok(Some((file.metadata().await?.len(), file))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Removes the files, descriptions and unfinished files whose links have expired; returns
    /// how many files went.
    pub async fn sweep(&self, now: u64) -> std::io::Result<u64> {
        let mut entries = match tokio::fs::read_dir(&self.dir).await {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(e),
        };
        let mut removed = 0;
        while let Some(entry) = entries.next_entry().await? {
            let file_name = entry.file_name().to_string_lossy().into_owned();
            let name = file_name
                .strip_suffix(".json")
                .or_else(|| file_name.strip_suffix(".tmp"))
                .unwrap_or(&file_name);
            let Some(parsed) = Name::parse(name) else {
                continue;
            };
            if parsed.expires_ms() > now {
                continue;
            }
            match tokio::fs::remove_file(entry.path()).await {
                Ok(()) if name == file_name => removed += 1,
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_history_file_names_are_read() {
        let token = "0123456789abcdef0123456789abcdef";
        assert_eq!(
            Name::parse(&format!("1764939600-1764950000123-{token}.gz")),
            Some(Name {
                hour_s: 1_764_939_600,
                made_ms: 1_764_950_000_123
            })
        );
        for bad in [
            format!("1764939600-1764950000123-{token}"),
            format!("1764939600-1764950000123-{token}.gz.json"),
            format!("../1764939600-1764950000123-{token}.gz"),
            format!("1764939600-1764950000123-{}.gz", token.to_uppercase()),
            format!("1764939600-1764950000123-{token}0.gz"),
            format!("1764939600-1764950000123-{token}-1.gz"),
            format!("-1764950000123-{token}.gz"),
            format!("99999999999999999999999-1-{token}.gz"),
            "objects".to_owned(),
        ] {
            assert_eq!(Name::parse(&bad), None, "{bad}");
        }
    }
}
