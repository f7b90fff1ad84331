//! Duet's chat server.
//!
//! - [`run`] serves a bound listener until the shutdown token fires; the `duet-server` binary
//!   only parses configuration and calls it. [`serve`] is the HTTP loop under it.
//! - [`chat`]: what a signed-in user may do, the one permission check point.
//! - [`ws`]: the WebSocket protocol at `/ws`, one task per connection.
//! - [`rest`]: the REST API at `/v4/<service>/<command>` for the app's backend.
//! - [`www`]: the web client's static files at `/`.
//! - [`media`]: media uploads at `/media` and their downloads, kept in a `MediaStore`.
//! - [`metrics`]: Prometheus metrics, served on their own address.
//! - [`hub`]: the online devices and their push queues; the storage's change feed lands here.
//! - [`cluster`]: several nodes on one PostgreSQL database, joined by NATS.
//! - [`storage`]: the `Storage` trait, with SQLite (default), PostgreSQL and in-memory backends.
//! - [`admin`]: the administrator's commands (`duet-server admin`), over REST or in-process.
//! - [`backup`]: online backup of a data dir, and its restore.
//! - [`identity`], [`config`], [`clock`], [`error`]: app identity, settings, time, error codes.
//!
//! ARCHITECTURE.md draws the whole picture.

pub mod admin;
pub mod backup;
pub mod chat;
pub mod clock;
pub mod cluster;
pub mod config;
pub mod error;
pub mod followers;
pub mod history_files;
pub mod hub;
pub mod identity;
pub mod media;
pub mod metrics;
pub mod outbound;
pub mod push;
pub mod rate;
pub mod rest;
pub mod serve;
pub mod shared_budgets;
pub mod storage;
pub mod webhooks;
pub mod ws;
pub mod www;

use axum::Router;
use axum::http::{HeaderName, Method, header};
use axum::routing::{get, post};
use chat::Chat;
use clock::Clock;
use config::{Config, StorageKind};
use hub::Hub;
use identity::AppIdentity;
use media::store::DiskStore;
use std::sync::Arc;
use storage::Storage;
use storage::memory::MemoryStorage;
use storage::sql::SqlStorage;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower_http::cors::{Any, CorsLayer};

/// File name of the SQLite database inside the data dir.
pub const DATABASE_FILE: &str = "duet.db";

/// What every request handler shares.
#[derive(Clone)]
pub struct AppState {
    pub chat: Arc<Chat>,
    /// Fires when the server begins shutting down.
    pub shutdown: CancellationToken,
    /// Tracks connection tasks so shutdown can wait for them.
    pub tracker: TaskTracker,
    /// The REST API's rate limits.
    pub rest_limits: Arc<rest::RestLimits>,
    /// Each user's upload budget.
    pub upload_limits: Arc<media::UploadLimits>,
    /// What this node spent of the budgets a cluster shares, not yet told to the others.
    pub unsent: Arc<shared_budgets::Unsent>,
}

impl AppState {
    pub fn new(chat: Arc<Chat>, shutdown: CancellationToken, tracker: TaskTracker) -> Self {
        let unsent = Arc::new(shared_budgets::Unsent::default());
        let rest_limits = Arc::new(rest::RestLimits::new(&chat.config.rest, unsent.clone()));
        let upload_limits = Arc::new(media::UploadLimits::new(&chat.config.media, unsent.clone()));
        Self {
            chat,
            shutdown,
            tracker,
            rest_limits,
            upload_limits,
            unsent,
        }
    }

    /// The budgets this node shares with the others of a cluster.
    pub fn shared_budgets(&self) -> shared_budgets::SharedBudgets {
        shared_budgets::SharedBudgets {
            unsent: self.unsent.clone(),
            rest: self.rest_limits.clone(),
            uploads: self.upload_limits.clone(),
        }
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot create data dir {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot open media dir {path}: {source}")]
    Media {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot open database {path}: {source}")]
    Database {
        path: String,
        source: storage::StorageError,
    },
    #[error("offline push: {0}")]
    Push(String),
    #[error("webhooks: {0}")]
    Webhooks(String),
}

/// Opens the storage named by `config` and builds the chat service around it.
pub fn open(
    config: Config,
    identity: AppIdentity,
    clock: Arc<dyn Clock>,
) -> Result<Arc<Chat>, OpenError> {
    let hub = Arc::new(Hub::default());
    let storage: Arc<dyn Storage> = match config.storage {
        StorageKind::Sqlite => {
            let dir = &config.data_dir;
            std::fs::create_dir_all(dir).map_err(|source| OpenError::DataDir {
                path: dir.display().to_string(),
                source,
            })?;
            let path = dir.join(DATABASE_FILE);
            let store = SqlStorage::open_sqlite(&path, config.retention.clone(), hub.clone())
                .map_err(|source| OpenError::Database {
                    path: path.display().to_string(),
                    source,
                })?;
            Arc::new(store)
        }
        StorageKind::Postgres => {
            let url = config.database_url.as_deref().unwrap_or_default();
            let store = SqlStorage::open_postgres(url, config.retention.clone(), hub.clone())
                .map_err(|source| OpenError::Database {
                    path: config::redact_password(url),
                    source,
                })?;
            Arc::new(store)
        }
        StorageKind::Memory => Arc::new(MemoryStorage::new(config.retention.clone(), hub.clone())),
    };
    let media_dir = config.media_dir();
    let media = DiskStore::open(&media_dir).map_err(|source| OpenError::Media {
        path: media_dir.display().to_string(),
        source,
    })?;
    let push = push::Services::new(&config.push, &config.data_dir).map_err(OpenError::Push)?;
    let app = (identity.sdk_app_id, &identity.admin);
    let webhooks = webhooks::Webhooks::new(&config.webhooks, app, clock.clone())
        .map_err(OpenError::Webhooks)?;
    Ok(Arc::new(Chat::new(
        storage,
        Arc::new(media),
        hub,
        clock,
        config,
        identity,
        push,
        webhooks,
    )))
}

/// The HTTP routes: the WebSocket, the REST API, and the web client's static files.
pub fn router(state: AppState) -> Router {
    let www = www::service(&state.chat.config.www_dir);
    // Media is uploaded by apps on any origin (authenticated by header, never by cookie) and
    // shown anywhere.
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::CONTENT_TYPE,
            header::RANGE,
            HeaderName::from_static("x-duet-user"),
            HeaderName::from_static("x-duet-usersig"),
        ])
        .expose_headers([header::CONTENT_RANGE, header::ETAG]);
    let media = Router::new()
        .route("/media", post(media::upload))
        .route("/media/{uuid}", get(media::download))
        .route("/media/{uuid}/{name}", get(media::download_named))
        .layer(cors);
    let pages = Router::new()
        .fallback_service(www)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            www::with_csp,
        ));
    Router::new()
        .merge(media)
        .route("/ws", get(ws::upgrade))
        .route("/healthz", get(|| async { "ok" }))
        // Some client libraries send read-only commands as GET with the JSON body; Tencent
        // answers those as it answers POST.
        .route(
            "/v4/{service}/{command}",
            post(rest::handle).get(rest::handle),
        )
        .route("/v4/openapi.json", get(rest::openapi::serve))
        .route("/history/{name}", get(rest::history::download))
        .route("/duet/config", get(www::client_config))
        .route("/duet/push/vapid", get(www::vapid_key))
        .route("/duet/dev/usersig", post(www::dev_usersig))
        .merge(pages)
        .with_state(state)
}

/// Serves until `shutdown` fires, then closes every connection with a going-away frame, waits
/// for in-progress requests, and flushes storage.
pub async fn run(
    listener: TcpListener,
    chat: Arc<Chat>,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    if let Err(e) = chat.prepare().await {
        return Err(std::io::Error::other(format!(
            "cannot prepare the app's data: {e}"
        )));
    }
    let tracker = TaskTracker::new();
    let state = AppState::new(chat.clone(), shutdown.clone(), tracker.clone());
    let cluster = match &chat.config.nats_url {
        Some(url) => Some(
            cluster::join(url, chat.clone(), state.shared_budgets(), shutdown.clone())
                .await
                .map_err(std::io::Error::other)?,
        ),
        None => None,
    };
    let expiry = tokio::spawn(expire_periodically(chat.clone(), shutdown.clone()));
    let pushes = tokio::spawn(push::run(chat.clone(), shutdown.clone()));
    let limits = chat.config.http.clone();
    serve::serve(listener, router(state), limits.clone(), shutdown.clone()).await;
    shutdown.cancel();
    tracker.close();
    // Each WebSocket task closes its socket within the write timeout; this bounds the rest.
    if tokio::time::timeout(limits.drain_timeout, tracker.wait())
        .await
        .is_err()
    {
        tracing::warn!("WebSocket connections still open at shutdown were dropped");
    }
    let _ = expiry.await;
    let _ = pushes.await;
    if let Some(cluster) = cluster {
        let _ = cluster.await;
    }
    chat.storage.close().await;
    tracing::info!("server stopped");
    Ok(())
}

/// Reclaims expired offline-cache entries, messages and media every `expiry_interval`.
async fn expire_periodically(chat: Arc<Chat>, shutdown: CancellationToken) {
    let mut tick = tokio::time::interval(chat.config.expiry_interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tick.tick() => {}
        }
        // On a shared database one node at a time expires what all share.
        match chat.storage.lead(storage::Lease::Expiry).await {
            Ok(true) => {}
            Ok(false) => continue,
            Err(e) => {
                tracing::warn!(error = %e, "cannot tell whether this node runs expiry");
                continue;
            }
        }
        // Failures are logged by the pass, and the next one tries again.
        let _ = chat.expire_now().await;
    }
}
