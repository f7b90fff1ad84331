//! Online backup and restore of a data dir: `duet-server backup` and `duet-server restore`.
//!
//! A backup is one tar file: the database as of one moment, every other file of the data dir
//! (the app identity, the push keys) and the media. The database is copied with SQLite's
//! `VACUUM INTO` on a read-only connection of its own. In WAL mode that is a reader like any
//! other: it sees one committed state from start to end and never holds up the server's
//! writer, so a server under load loses and delays nothing while it runs. The media files are
//! copied after the database, so every file the copied messages point to was stored before it
//! (media is written before a message can name it); a file that expires in between is left
//! out and counted.
//!
//! The archive holds the app's secret key, so it is written readable by its owner only.

use r2d2_sqlite::rusqlite::{Connection, OpenFlags};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The archive's description of itself, its last entry (its counts are known last).
const MANIFEST: &str = "duet-backup.json";
/// Where the media is in the archive, and in a restored data dir.
const MEDIA: &str = "media";
/// How long the copy waits for a lock the server holds (it holds none a reader needs in WAL
/// mode; this covers the moment a database is first created).
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a backup or restore failed.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0}")]
    Invalid(String),
    #[error("{what}: {source}")]
    Io {
        what: String,
        source: std::io::Error,
    },
    #[error("database: {0}")]
    Database(#[from] r2d2_sqlite::rusqlite::Error),
}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> BackupError {
    let what = what.into();
    move |source| BackupError::Io { what, source }
}

/// What went into a backup, or came out of one.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Manifest {
    /// The archive format; a restore refuses one it does not know.
    pub format: u32,
    pub database_bytes: u64,
    pub media_files: u64,
    pub media_bytes: u64,
    /// Other files of the data dir: the app identity, the push keys.
    pub other_files: u64,
    /// Media files that expired while the backup ran, left out.
    pub media_skipped: u64,
}

const FORMAT: u32 = 1;

/// Copies the data dir `data_dir` (media in `media_dir`, by default its `media/`) into the
/// archive `to`, which must not exist. Safe while a server runs on the data dir. `progress`
/// hears each step.
pub fn backup(
    data_dir: &Path,
    media_dir: Option<&Path>,
    to: &Path,
    progress: &mut dyn FnMut(&str),
) -> Result<Manifest, BackupError> {
    let database = data_dir.join(crate::DATABASE_FILE);
    if !database.is_file() {
        return Err(BackupError::Invalid(format!(
            "{} holds no database ({} is missing)",
            data_dir.display(),
            crate::DATABASE_FILE
        )));
    }
    if to.exists() {
        return Err(BackupError::Invalid(format!(
            "{} exists already; name a new file",
            to.display()
        )));
    }
    let partial = sibling(to, "partial");
    let copy = sibling(to, "db.partial");
    let written = write_archive(data_dir, media_dir, &database, &copy, &partial, progress);
    let _ = std::fs::remove_file(&copy);
    match written {
        Ok(manifest) => {
            std::fs::rename(&partial, to).map_err(io(format!("rename to {}", to.display())))?;
            Ok(manifest)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(e)
        }
    }
}

fn write_archive(
    data_dir: &Path,
    media_dir: Option<&Path>,
    database: &Path,
    copy: &Path,
    partial: &Path,
    progress: &mut dyn FnMut(&str),
) -> Result<Manifest, BackupError> {
    let _ = std::fs::remove_file(copy);
    progress("copying the database (one consistent snapshot)");
    let conn = Connection::open_with_flags(
        database,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let target = copy
        .to_str()
        .ok_or_else(|| BackupError::Invalid(format!("{} is not UTF-8", copy.display())))?;
    conn.execute("VACUUM INTO ?1", [target])?;
    drop(conn);
    let mut manifest = Manifest {
        format: FORMAT,
        database_bytes: std::fs::metadata(copy).map_err(io("the copy"))?.len(),
        ..Manifest::default()
    };
    progress(&format!("database: {} bytes", manifest.database_bytes));

    let file = owner_only(partial)?;
    // Each file keeps its mode, so the identity file stays its owner's only once restored.
    let mut tar = tar::Builder::new(std::io::BufWriter::new(file));
    let media_dir = media_dir.map_or_else(|| data_dir.join(MEDIA), Path::to_owned);
    add_file(&mut tar, copy, Path::new(crate::DATABASE_FILE)).map_err(io("write the archive"))?;
    for entry in std::fs::read_dir(data_dir).map_err(io(data_dir.display().to_string()))? {
        let entry = entry.map_err(io(data_dir.display().to_string()))?;
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let is_database = name.starts_with(crate::DATABASE_FILE);
        if is_database || name.ends_with(".tmp") || !path.is_file() || path == partial {
            continue;
        }
        add_file(&mut tar, &path, Path::new(&*name)).map_err(io("write the archive"))?;
        manifest.other_files += 1;
    }
    if media_dir.is_dir() {
        progress("copying media");
        let mut pending = vec![media_dir.clone()];
        while let Some(dir) = pending.pop() {
            for entry in std::fs::read_dir(&dir).map_err(io(dir.display().to_string()))? {
                let entry = entry.map_err(io(dir.display().to_string()))?;
                let path = entry.path();
                let name = entry.file_name();
                // Uploads in progress are not media yet; the history files of
                // `open_msg_svc/get_history` are made again from the messages when asked for.
                if name == "tmp"
                    || (dir == media_dir && name == "history")
                    || name.to_string_lossy().ends_with(".tmp")
                {
                    continue;
                }
                if path.is_dir() {
                    pending.push(path);
                    continue;
                }
                let inside = path.strip_prefix(&media_dir).unwrap_or(&path);
                match add_file(&mut tar, &path, &Path::new(MEDIA).join(inside)) {
                    Ok(bytes) => {
                        manifest.media_files += 1;
                        manifest.media_bytes += bytes;
                        if manifest.media_files.is_multiple_of(1000) {
                            progress(&format!("media: {} files", manifest.media_files));
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        manifest.media_skipped += 1;
                    }
                    Err(e) => return Err(io("write the archive")(e)),
                }
            }
        }
    }
    let json = serde_json::to_vec_pretty(&manifest).expect("a manifest serialises");
    let mut header = tar::Header::new_gnu();
    header.set_size(json.len() as u64);
    header.set_mode(0o600);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    header.set_mtime(now.map_or(0, |d| d.as_secs()));
    header.set_cksum();
    tar.append_data(&mut header, MANIFEST, json.as_slice())
        .map_err(io("write the archive"))?;
    let mut out = tar.into_inner().map_err(io("write the archive"))?;
    out.flush().map_err(io("write the archive"))?;
    out.get_ref().sync_all().map_err(io("sync the archive"))?;
    progress(&format!(
        "media: {} files, {} bytes ({} expired meanwhile)",
        manifest.media_files, manifest.media_bytes, manifest.media_skipped
    ));
    Ok(manifest)
}

/// Brings the archive `from` back as the data dir `data_dir`, which must be new or empty. The
/// restored database is checked whole before the restore counts as done; on any failure the
/// new data dir is left empty.
pub fn restore(
    from: &Path,
    data_dir: &Path,
    progress: &mut dyn FnMut(&str),
) -> Result<Manifest, BackupError> {
    if data_dir.exists()
        && std::fs::read_dir(data_dir)
            .map_err(io(data_dir.display().to_string()))?
            .next()
            .is_some()
    {
        return Err(BackupError::Invalid(format!(
            "{} is not empty; restore into a new data dir",
            data_dir.display()
        )));
    }
    std::fs::create_dir_all(data_dir).map_err(io(data_dir.display().to_string()))?;
    let restored = unpack(from, data_dir, progress);
    if restored.is_err() {
        // Leave nothing half-restored for a server to start on.
        if let Ok(entries) = std::fs::read_dir(data_dir) {
            for entry in entries.flatten() {
                let path = entry.path();
                let _ = if path.is_dir() {
                    std::fs::remove_dir_all(&path)
                } else {
                    std::fs::remove_file(&path)
                };
            }
        }
    }
    restored
}

fn unpack(
    from: &Path,
    data_dir: &Path,
    progress: &mut dyn FnMut(&str),
) -> Result<Manifest, BackupError> {
    let file = File::open(from).map_err(io(from.display().to_string()))?;
    progress("unpacking");
    // `unpack` refuses entries that would land outside the data dir.
    tar::Archive::new(std::io::BufReader::new(file))
        .unpack(data_dir)
        .map_err(io(format!("unpack {}", from.display())))?;
    let manifest_path = data_dir.join(MANIFEST);
    let manifest: Manifest = std::fs::read(&manifest_path)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| {
            BackupError::Invalid(format!(
                "{} is not a Duet backup (no {MANIFEST})",
                from.display()
            ))
        })?;
    std::fs::remove_file(&manifest_path).map_err(io(MANIFEST))?;
    if manifest.format != FORMAT {
        return Err(BackupError::Invalid(format!(
            "backup format {} is not one this server reads ({FORMAT})",
            manifest.format
        )));
    }
    progress("checking the database");
    let conn = Connection::open_with_flags(
        data_dir.join(crate::DATABASE_FILE),
        OpenFlags::SQLITE_OPEN_READ_ONLY,
    )?;
    let check: String = conn.query_row("PRAGMA integrity_check", [], |row| row.get(0))?;
    if check != "ok" {
        return Err(BackupError::Invalid(format!(
            "the database in the backup is damaged: {check}"
        )));
    }
    Ok(manifest)
}

/// Adds the file at `path` to the archive as `name`; returns its size.
fn add_file(tar: &mut tar::Builder<impl Write>, path: &Path, name: &Path) -> std::io::Result<u64> {
    let mut f = File::open(path)?;
    tar.append_file(name, &mut f)?;
    f.metadata().map(|m| m.len())
}

/// A path beside `path` with `.suffix` added.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_owned();
    name.push(format!(".{suffix}"));
    path.with_file_name(name)
}

/// Creates `path` readable and writable by its owner only.
fn owner_only(path: &Path) -> Result<File, BackupError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map_err(io(path.display().to_string()))
}
