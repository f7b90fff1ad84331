//! The app's identity (R6.1): SDKAppID, secret key and administrator account. Given by the
//! environment, or else read from `app.json` in the data dir, or else generated on first start
//! and saved there, so that UserSigs signed against it stay valid across restarts.

use protocol::UserId;
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::path::Path;
use usersig::UserSigKey;

#[derive(Clone, Serialize, Deserialize)]
pub struct AppIdentity {
    pub sdk_app_id: u64,
    pub secret_key: String,
    pub admin: UserId,
}

impl std::fmt::Debug for AppIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppIdentity")
            .field("sdk_app_id", &self.sdk_app_id)
            .field("admin", &self.admin)
            .finish_non_exhaustive()
    }
}

/// Where the identity came from, so the first start can announce a generated one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Environment,
    Stored,
    Generated,
}

#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error("set both DUET_SDKAPPID and DUET_SECRET_KEY, or neither")]
    Partial,
    #[error("secret key must not be empty")]
    EmptyKey,
    #[error("cannot read or write {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is not a valid identity file: {source}")]
    Parse {
        path: String,
        source: serde_json::Error,
    },
}

pub const FILE_NAME: &str = "app.json";

impl AppIdentity {
    pub fn signer(&self) -> UserSigKey {
        UserSigKey::new(self.sdk_app_id, self.secret_key.as_bytes())
    }

    /// Resolves the identity: environment values win, then the stored file, then a new one.
    pub fn resolve(
        data_dir: &Path,
        sdk_app_id: Option<u64>,
        secret_key: Option<String>,
        admin: UserId,
    ) -> Result<(Self, Origin), IdentityError> {
        match (sdk_app_id, secret_key) {
            (Some(sdk_app_id), Some(secret_key)) => {
                if secret_key.is_empty() {
                    return Err(IdentityError::EmptyKey);
                }
                Ok((
                    Self {
                        sdk_app_id,
                        secret_key,
                        admin,
                    },
                    Origin::Environment,
                ))
            }
            (None, None) => Self::load_or_create(data_dir, admin),
            _ => Err(IdentityError::Partial),
        }
    }

    fn load_or_create(data_dir: &Path, admin: UserId) -> Result<(Self, Origin), IdentityError> {
        let path = data_dir.join(FILE_NAME);
        let io = |source| IdentityError::Io {
            path: path.display().to_string(),
            source,
        };
        match std::fs::read(&path) {
            Ok(bytes) => {
                let stored: StoredIdentity =
                    serde_json::from_slice(&bytes).map_err(|source| IdentityError::Parse {
                        path: path.display().to_string(),
                        source,
                    })?;
                Ok((
                    Self {
                        sdk_app_id: stored.sdk_app_id,
                        secret_key: stored.secret_key,
                        admin,
                    },
                    Origin::Stored,
                ))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut rng = rand::rng();
                let key: [u8; 32] = rng.random();
                let identity = Self {
                    sdk_app_id: rng.random_range(1_400_000_000..1_500_000_000),
                    secret_key: key.iter().map(|b| format!("{b:02x}")).collect(),
                    admin,
                };
                let stored = StoredIdentity {
                    sdk_app_id: identity.sdk_app_id,
                    secret_key: identity.secret_key.clone(),
                };
                std::fs::create_dir_all(data_dir).map_err(io)?;
                write_private(
                    &path,
                    &serde_json::to_vec_pretty(&stored).expect("serializable"),
                )
                .map_err(io)?;
                Ok((identity, Origin::Generated))
            }
            Err(e) => Err(io(e)),
        }
    }
}

/// What `app.json` holds. The administrator is configuration, not stored identity.
#[derive(Serialize, Deserialize)]
struct StoredIdentity {
    sdk_app_id: u64,
    secret_key: String,
}

/// Writes a file readable by its owner only: it holds the secret key.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admin() -> UserId {
        UserId::parse("administrator").unwrap()
    }

    #[test]
    fn generated_once_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let (a, origin) = AppIdentity::resolve(dir.path(), None, None, admin()).unwrap();
        assert_eq!(origin, Origin::Generated);
        assert_eq!(a.secret_key.len(), 64);
        let (b, origin) = AppIdentity::resolve(dir.path(), None, None, admin()).unwrap();
        assert_eq!(origin, Origin::Stored);
        assert_eq!((a.sdk_app_id, a.secret_key), (b.sdk_app_id, b.secret_key));
    }

    #[test]
    fn environment_wins_and_must_be_whole() {
        let dir = tempfile::tempdir().unwrap();
        let (a, origin) =
            AppIdentity::resolve(dir.path(), Some(7), Some("k".into()), admin()).unwrap();
        assert_eq!((a.sdk_app_id, origin), (7, Origin::Environment));
        assert!(!dir.path().join(FILE_NAME).exists());
        assert!(matches!(
            AppIdentity::resolve(dir.path(), Some(7), None, admin()),
            Err(IdentityError::Partial)
        ));
        assert!(matches!(
            AppIdentity::resolve(dir.path(), Some(7), Some(String::new()), admin()),
            Err(IdentityError::EmptyKey)
        ));
    }
}
