//! Server configuration: command-line flags, each with a `DUET_*` environment variable and a
//! default. [`Config`] is what the library runs on; [`Args`] is how the binary fills it.

pub use crate::push::config::PushConfig;
use crate::serve::ServeLimits;
use crate::storage::Retention;
pub use crate::webhooks::WebhookConfig;
use clap::builder::BoolishValueParser;
use clap::{Args as ClapArgs, Parser, Subcommand, ValueEnum};
use protocol::UserId;
use protocol::limits::Limits;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Limits of the WebSocket endpoint.
#[derive(Debug, Clone)]
pub struct WsConfig {
    /// Largest text frame answered normally; a larger one gets a `FRAME_TOO_LARGE` error frame.
    pub frame_max_bytes: usize,
    /// Frames a connection may send per second on average, and in a burst.
    pub rate_per_sec: u32,
    pub rate_burst: u32,
    /// Searches a connection may make per second on average, and in a burst: a search costs
    /// the store more than other requests, so it has a budget of its own.
    pub search_per_sec: u32,
    pub search_burst: u32,
    /// A connection that sends nothing (not even a ping) for this long is closed.
    pub idle_timeout: Duration,
    /// Pushes queued for one device before it counts as too slow and is disconnected (it then
    /// resumes from its cursor; nothing is lost).
    pub outbound_queue: usize,
    /// Requests one connection may have in progress; reading pauses beyond it.
    pub max_in_flight: usize,
    /// A connection not signed in within this long is closed, however much it pings.
    pub login_timeout: Duration,
    /// A write to a client that does not read for this long ends the connection (it resumes
    /// from its cursor when it returns).
    pub write_timeout: Duration,
    /// Devices one user may have signed in at once; a new one replaces the oldest.
    pub max_devices: usize,
}

impl Default for WsConfig {
    fn default() -> Self {
        Self {
            frame_max_bytes: 64 * 1024,
            rate_per_sec: 200,
            rate_burst: 400,
            search_per_sec: 2,
            search_burst: 10,
            idle_timeout: Duration::from_secs(90),
            outbound_queue: 1024,
            max_in_flight: 64,
            login_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(10),
            max_devices: 16,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StorageKind {
    /// Embedded SQLite in the data dir (durable).
    Sqlite,
    /// A PostgreSQL database (`DUET_DATABASE_URL`) that several nodes may share (durable).
    Postgres,
    /// In memory; everything is lost at exit.
    Memory,
}

/// Everything the server needs besides its identity.
#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    /// Static files served at `/` (the demo web client).
    pub www_dir: PathBuf,
    pub storage: StorageKind,
    /// The PostgreSQL database, a `postgres://` URL, when `storage` is `Postgres`.
    pub database_url: Option<String>,
    /// The NATS server that joins this node to the others on the same database.
    pub nats_url: Option<String>,
    pub retention: Retention,
    pub limits: Limits,
    pub ws: WsConfig,
    /// How often the background expiry pass runs.
    pub expiry_interval: Duration,
    /// Messages only between friends (R3.3), until the administrator changes it at run time.
    pub friends_only: bool,
    /// How long after sending a user may recall a message (the administrator always may).
    pub recall_window: Duration,
    /// REST API limits.
    pub rest: RestConfig,
    /// Serve `POST /duet/dev/usersig`, which signs a UserSig for anyone who asks. For local
    /// development only: with it, anybody can sign in as anybody.
    pub dev_usersig: bool,
    /// Uploaded media (sizes are in `limits`).
    pub media: MediaConfig,
    /// What the HTTP loop bounds: connections, header deadline, drain at shutdown.
    pub http: ServeLimits,
    /// Origins besides this server's that the web client may show images and media from
    /// (`https://cdn.example.com`), in its Content-Security-Policy.
    pub csp_media_hosts: Vec<String>,
    /// Offline push: the vendors' credentials and URLs, the VAPID subject.
    pub push: PushConfig,
    /// Webhooks to the app's backend (Tencent's third-party callbacks).
    pub webhooks: WebhookConfig,
    /// The app's own profile tags (`Tag_Profile_Custom_*`) the REST API takes.
    pub profile_custom_tags: Vec<String>,
}

/// Where uploaded media lives, how long it is kept, and how download URLs begin.
#[derive(Debug, Clone)]
pub struct MediaConfig {
    /// `None`: `media/` in the data dir.
    pub dir: Option<PathBuf>,
    /// `None`: as long as roaming history.
    pub ttl: Option<Duration>,
    /// The base of download URLs (`https://chat.example.com`); `None`: the upload request's
    /// host.
    pub public_url: Option<String>,
    /// Most pixels (width × height) of an image the server decodes for renditions.
    pub image_max_pixels: u64,
    /// Uploads one user may start per second on average, and in a burst.
    pub uploads_per_sec: u32,
    pub upload_burst: u32,
    /// Bytes one user may upload per hour (also the most in a burst).
    pub upload_bytes_per_hour: u64,
}

impl Config {
    pub fn media_dir(&self) -> PathBuf {
        self.media
            .dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("media"))
    }

    /// Where the hourly history files are made: under the media dir, which the nodes of a
    /// cluster share.
    pub fn history_files_dir(&self) -> PathBuf {
        self.media_dir().join("history")
    }

    /// How long media is kept after its last upload.
    pub fn media_ttl_ms(&self) -> u64 {
        self.media
            .ttl
            .map_or(self.retention.roaming_ttl_ms, |t| t.as_millis() as u64)
    }
}

/// Limits of the REST API.
#[derive(Debug, Clone)]
pub struct RestConfig {
    /// Largest request body.
    pub body_max_bytes: usize,
    /// Requests per second for the whole app, on average and in a burst.
    pub rate_per_sec: u32,
    pub rate_burst: u32,
}

impl Default for RestConfig {
    fn default() -> Self {
        Self {
            body_max_bytes: 1024 * 1024,
            rate_per_sec: 1000,
            rate_burst: 2000,
        }
    }
}

impl Config {
    /// Defaults with data in `data_dir`.
    pub fn new(data_dir: PathBuf) -> Self {
        Self {
            data_dir,
            www_dir: PathBuf::from("www"),
            storage: StorageKind::Sqlite,
            database_url: None,
            nats_url: None,
            retention: Retention::default(),
            limits: Limits::default(),
            ws: WsConfig::default(),
            expiry_interval: Duration::from_secs(300),
            friends_only: false,
            recall_window: Duration::from_secs(120),
            rest: RestConfig::default(),
            dev_usersig: false,
            media: MediaConfig {
                dir: None,
                ttl: None,
                public_url: None,
                image_max_pixels: 40_000_000,
                uploads_per_sec: 1,
                upload_burst: 20,
                upload_bytes_per_hour: 2 << 30,
            },
            csp_media_hosts: Vec::new(),
            push: PushConfig::default(),
            webhooks: WebhookConfig::default(),
            profile_custom_tags: Vec::new(),
            http: ServeLimits {
                max_connections: 100_000,
                header_timeout: Duration::from_secs(10),
                drain_timeout: Duration::from_secs(10),
            },
        }
    }
}

#[derive(Debug, Parser)]
#[command(name = "duet-server", version, about = "Duet one-to-one chat server")]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub app: AppArgs,
    /// Address to listen on.
    #[arg(
        long,
        env = "DUET_LISTEN",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub listen: SocketAddr,
    /// How log lines are written: `text` for people, `json` (one object a line) for a log
    /// pipeline. Either way no UserSig or secret key is ever logged.
    #[arg(
        long,
        env = "DUET_LOG_FORMAT",
        value_enum,
        default_value = "text",
        global = true
    )]
    pub log_format: LogFormat,
    /// Address to serve Prometheus metrics on, at /metrics (e.g. 127.0.0.1:9100); no metrics
    /// when unset. Its own address, so that it can stay off the public network.
    #[arg(long, env = "DUET_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
    #[command(flatten)]
    pub tuning: TuningArgs,
    #[command(flatten)]
    pub push: PushConfig,
    #[command(flatten)]
    pub webhooks: WebhookConfig,
}

/// See [`Args::log_format`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print a UserSig for a user, signed with this server's app key (for development).
    Usersig {
        /// The user to sign for.
        #[arg(long)]
        user: String,
        /// Validity in seconds.
        #[arg(long, default_value_t = 7 * 24 * 3600)]
        expire: u64,
    },
    /// Copy the data dir (database, identity, media) into one archive file, safely while a
    /// server runs on it.
    Backup {
        /// The archive to write; it must not exist. It holds the app's secret key.
        #[arg(long)]
        to: PathBuf,
        /// Where the server keeps media, when not in the data dir.
        #[arg(long, env = "DUET_MEDIA_DIR")]
        media_dir: Option<PathBuf>,
    },
    /// Administer accounts and data: over REST on a running server (--server), or directly on
    /// a data dir no server is running on.
    Admin {
        /// A running server's base URL, e.g. http://127.0.0.1:8080; the command is signed with
        /// the administrator's UserSig from this app's identity.
        #[arg(long, env = "DUET_ADMIN_SERVER")]
        server: Option<String>,
        #[command(subcommand)]
        action: crate::admin::Action,
    },
    /// Bring a backup back as a new data dir (given with --data-dir; new or empty).
    Restore {
        /// The archive `backup` wrote.
        #[arg(long)]
        from: PathBuf,
    },
}

/// The app's identity and where its data lives.
#[derive(Debug, ClapArgs)]
pub struct AppArgs {
    /// Directory for the database and the generated app identity.
    #[arg(long, env = "DUET_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,
    /// Directory of static files served at `/` (the web client).
    #[arg(long, env = "DUET_WWW_DIR", default_value = "www", global = true)]
    pub www_dir: PathBuf,
    /// The app's SDKAppID (with DUET_SECRET_KEY; both unset: generated and kept in the data dir).
    #[arg(long, env = "DUET_SDKAPPID", global = true)]
    pub sdk_app_id: Option<u64>,
    /// The app's secret key for UserSig signatures, from DUET_SECRET_KEY only: a command-line
    /// value would show in `ps` to every user of the machine.
    #[arg(skip = std::env::var("DUET_SECRET_KEY").ok().filter(|k| !k.is_empty()))]
    pub secret_key: Option<String>,
    /// A file holding the app's secret key (instead of DUET_SECRET_KEY).
    #[arg(long, env = "DUET_SECRET_KEY_FILE", global = true)]
    pub secret_key_file: Option<PathBuf>,
    /// The administrator account.
    #[arg(
        long,
        env = "DUET_ADMIN",
        default_value = "administrator",
        global = true
    )]
    pub admin: UserId,
}

impl AppArgs {
    /// The secret key from `DUET_SECRET_KEY` or `--secret-key-file`, if either is set.
    pub fn secret_key(&self) -> Result<Option<String>, String> {
        match (&self.secret_key, &self.secret_key_file) {
            (Some(_), Some(_)) => {
                Err("set DUET_SECRET_KEY or --secret-key-file, not both".to_owned())
            }
            (Some(key), None) => Ok(Some(key.clone())),
            (None, Some(path)) => std::fs::read_to_string(path)
                .map(|k| Some(k.trim().to_owned()))
                .map_err(|e| format!("cannot read the secret key from {}: {e}", path.display())),
            (None, None) => Ok(None),
        }
    }
}

/// Limits and retention. Defaults are the mission's figures.
#[derive(Debug, ClapArgs)]
pub struct TuningArgs {
    #[arg(long, env = "DUET_STORAGE", value_enum, default_value_t = StorageKind::Sqlite)]
    pub storage: StorageKind,
    /// The PostgreSQL database for `--storage postgres`, e.g.
    /// `postgres://duet:secret@db.internal:5432/duet`.
    #[arg(long, env = "DUET_DATABASE_URL", required_if_eq("storage", "postgres"))]
    pub database_url: Option<String>,
    /// The NATS server that joins the nodes sharing one PostgreSQL database, e.g.
    /// `nats://127.0.0.1:4222`. Needed when more than one node runs.
    #[arg(long, env = "DUET_NATS_URL")]
    pub nats_url: Option<String>,
    /// Largest message body in bytes.
    #[arg(long, env = "DUET_BODY_MAX_BYTES", default_value_t = 12 * 1024)]
    pub body_max_bytes: usize,
    /// Largest image upload in bytes (R1.4).
    #[arg(long, env = "DUET_IMAGE_MAX_BYTES", default_value_t = Limits::default().image_max_bytes)]
    pub image_max_bytes: u64,
    /// Largest audio upload in bytes (R1.5).
    #[arg(long, env = "DUET_AUDIO_MAX_BYTES", default_value_t = Limits::default().audio_max_bytes)]
    pub audio_max_bytes: u64,
    /// Largest file upload in bytes (R1.6).
    #[arg(long, env = "DUET_FILE_MAX_BYTES", default_value_t = Limits::default().file_max_bytes)]
    pub file_max_bytes: u64,
    /// Largest video upload in bytes (R1.7).
    #[arg(long, env = "DUET_VIDEO_MAX_BYTES", default_value_t = Limits::default().video_max_bytes)]
    pub video_max_bytes: u64,
    /// Most pixels (width × height) of an uploaded image; larger ones are refused (94003).
    #[arg(long, env = "DUET_IMAGE_MAX_PIXELS", default_value_t = 40_000_000)]
    pub image_max_pixels: u64,
    /// Uploads one user may start per second, on average.
    #[arg(long, env = "DUET_UPLOAD_RATE", default_value_t = 1)]
    pub upload_rate: u32,
    /// Uploads one user may start in a burst.
    #[arg(long, env = "DUET_UPLOAD_BURST", default_value_t = 20)]
    pub upload_burst: u32,
    /// Bytes one user may upload per hour.
    #[arg(long, env = "DUET_UPLOAD_BYTES_PER_HOUR", default_value_t = 2 << 30)]
    pub upload_bytes_per_hour: u64,
    /// Where uploaded media is kept [default: media/ in the data dir].
    #[arg(long, env = "DUET_MEDIA_DIR")]
    pub media_dir: Option<PathBuf>,
    /// Seconds media is kept after upload [default: the roaming retention].
    #[arg(long, env = "DUET_MEDIA_TTL_SECS")]
    pub media_ttl_secs: Option<u64>,
    /// Base of media download URLs, e.g. https://chat.example.com [default: the uploader's
    /// Host header].
    #[arg(long, env = "DUET_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Origins the web client may also show images and media from, space-separated
    /// (e.g. "https://cdn.example.com"); the origin of DUET_PUBLIC_URL is added by itself.
    #[arg(long, env = "DUET_CSP_MEDIA_HOSTS", default_value = "")]
    pub csp_media_hosts: String,
    /// The app's own profile tags that portrait_set and portrait_get take, space- or
    /// comma-separated, with or without their prefix (e.g. "Tag_Profile_Custom_Hobby City").
    #[arg(long, env = "DUET_PROFILE_CUSTOM_TAGS", default_value = "")]
    pub profile_custom_tags: String,
    /// Offline cache per user, in bytes.
    #[arg(long, env = "DUET_OFFLINE_CACHE_BYTES", default_value_t = 30 * 1024)]
    pub offline_cache_bytes: u64,
    /// Offline cache retention in seconds.
    #[arg(long, env = "DUET_OFFLINE_TTL_SECS", default_value_t = 7 * 24 * 3600)]
    pub offline_ttl_secs: u64,
    /// Roaming (history) retention in seconds.
    #[arg(long, env = "DUET_ROAMING_TTL_SECS", default_value_t = 7 * 24 * 3600)]
    pub roaming_ttl_secs: u64,
    /// Recent contacts kept per user.
    #[arg(long, env = "DUET_CONTACTS_CAP", default_value_t = 100)]
    pub contacts_cap: usize,
    /// Largest WebSocket text frame answered normally.
    #[arg(long, env = "DUET_FRAME_MAX_BYTES", default_value_t = 64 * 1024)]
    pub frame_max_bytes: usize,
    /// Frames per second one connection may send (average).
    #[arg(long, env = "DUET_WS_RATE", default_value_t = 200)]
    pub ws_rate: u32,
    /// Frames one connection may send in a burst.
    #[arg(long, env = "DUET_WS_BURST", default_value_t = 400)]
    pub ws_burst: u32,
    /// Message searches per second one connection may make (average).
    #[arg(long, env = "DUET_SEARCH_RATE", default_value_t = 2)]
    pub search_rate: u32,
    /// Message searches one connection may make in a burst.
    #[arg(long, env = "DUET_SEARCH_BURST", default_value_t = 10)]
    pub search_burst: u32,
    /// Seconds of silence after which a connection is closed.
    #[arg(long, env = "DUET_IDLE_TIMEOUT_SECS", default_value_t = 90)]
    pub idle_timeout_secs: u64,
    /// Seconds a new WebSocket has to sign in.
    #[arg(long, env = "DUET_LOGIN_TIMEOUT_SECS", default_value_t = 10)]
    pub login_timeout_secs: u64,
    /// Seconds a write to a client may wait for it to read.
    #[arg(long, env = "DUET_WRITE_TIMEOUT_SECS", default_value_t = 10)]
    pub write_timeout_secs: u64,
    /// Devices (connections) one user may have signed in at once.
    #[arg(long, env = "DUET_MAX_DEVICES", default_value_t = 16)]
    pub max_devices: usize,
    /// Seconds between expiry passes.
    #[arg(long, env = "DUET_EXPIRY_INTERVAL_SECS", default_value_t = 300)]
    pub expiry_interval_secs: u64,
    /// Allow messages between friends only (the administrator can change it at run time).
    #[arg(long, env = "DUET_FRIENDS_ONLY", value_parser = BoolishValueParser::new())]
    pub friends_only: bool,
    /// DEVELOPMENT ONLY: serve POST /duet/dev/usersig, which signs a UserSig for any user but
    /// the administrator. The server then listens on loopback addresses only.
    #[arg(long, env = "DUET_DEV_USERSIG", value_parser = BoolishValueParser::new())]
    pub dev_usersig: bool,
    /// With --dev-usersig, allow a non-loopback listen address anyway (a shared test box).
    #[arg(long, env = "DUET_DEV_USERSIG_ANY_ADDRESS", value_parser = BoolishValueParser::new())]
    pub dev_usersig_any_address: bool,
    /// Seconds after sending during which a user may recall a message.
    #[arg(long, env = "DUET_RECALL_WINDOW_SECS", default_value_t = 120)]
    pub recall_window_secs: u64,
    /// Largest REST request body in bytes.
    #[arg(long, env = "DUET_REST_BODY_MAX_BYTES", default_value_t = 1024 * 1024)]
    pub rest_body_max_bytes: usize,
    /// REST requests per second for the app (average).
    #[arg(long, env = "DUET_REST_RATE", default_value_t = 1000)]
    pub rest_rate: u32,
    /// Connections open at once (WebSockets included); the excess gets 503 and is closed.
    /// Lowered at start to what the open-file limit allows.
    #[arg(long, env = "DUET_MAX_CONNECTIONS", default_value_t = 100_000)]
    pub max_connections: usize,
    /// Seconds a client has to send an HTTP request's headers.
    #[arg(long, env = "DUET_HEADER_TIMEOUT_SECS", default_value_t = 10)]
    pub header_timeout_secs: u64,
    /// REST requests in a burst.
    #[arg(long, env = "DUET_REST_BURST", default_value_t = 2000)]
    pub rest_burst: u32,
}

impl Args {
    pub fn config(&self) -> Config {
        let t = &self.tuning;
        Config {
            data_dir: self.app.data_dir.clone(),
            www_dir: self.app.www_dir.clone(),
            storage: t.storage,
            database_url: t.database_url.clone(),
            nats_url: t.nats_url.clone(),
            retention: Retention {
                offline_bytes: t.offline_cache_bytes,
                offline_ttl_ms: t.offline_ttl_secs * 1000,
                roaming_ttl_ms: t.roaming_ttl_secs * 1000,
                contacts_cap: t.contacts_cap.max(1),
            },
            limits: Limits {
                body_max_bytes: t.body_max_bytes,
                image_max_bytes: t.image_max_bytes,
                audio_max_bytes: t.audio_max_bytes,
                file_max_bytes: t.file_max_bytes,
                video_max_bytes: t.video_max_bytes,
                ..Limits::default()
            },
            ws: WsConfig {
                frame_max_bytes: t.frame_max_bytes,
                rate_per_sec: t.ws_rate.max(1),
                rate_burst: t.ws_burst.max(1),
                search_per_sec: t.search_rate.max(1),
                search_burst: t.search_burst.max(1),
                idle_timeout: Duration::from_secs(t.idle_timeout_secs.max(1)),
                login_timeout: Duration::from_secs(t.login_timeout_secs.max(1)),
                write_timeout: Duration::from_secs(t.write_timeout_secs.max(1)),
                max_devices: t.max_devices.max(1),
                ..WsConfig::default()
            },
            expiry_interval: Duration::from_secs(t.expiry_interval_secs.max(1)),
            friends_only: t.friends_only,
            recall_window: Duration::from_secs(t.recall_window_secs),
            dev_usersig: t.dev_usersig,
            media: MediaConfig {
                dir: t.media_dir.clone(),
                ttl: t.media_ttl_secs.map(Duration::from_secs),
                public_url: t.public_url.clone(),
                image_max_pixels: t.image_max_pixels.max(1),
                uploads_per_sec: t.upload_rate.max(1),
                upload_burst: t.upload_burst.max(1),
                upload_bytes_per_hour: t.upload_bytes_per_hour.max(1),
            },
            csp_media_hosts: csp_hosts(&t.csp_media_hosts, t.public_url.as_deref()),
            push: self.push.clone(),
            webhooks: self.webhooks.clone(),
            profile_custom_tags: crate::rest::custom_profile_tags(&t.profile_custom_tags),
            http: ServeLimits {
                max_connections: t.max_connections.max(1),
                header_timeout: Duration::from_secs(t.header_timeout_secs.max(1)),
                ..Config::new(PathBuf::new()).http
            },
            rest: RestConfig {
                body_max_bytes: t.rest_body_max_bytes.max(1024),
                rate_per_sec: t.rest_rate.max(1),
                rate_burst: t.rest_burst.max(1),
            },
        }
    }
}

/// The origins of a space- or comma-separated list, and of the public URL, as a policy may name
/// them; anything else (a quote, a semicolon, a path) is left out.
fn csp_hosts(list: &str, public_url: Option<&str>) -> Vec<String> {
    let origin = |url: &str| {
        let (scheme, rest) = url.split_once("://")?;
        let host = rest.split('/').next()?;
        let plain = |s: &str| {
            !s.is_empty()
                && s.chars().all(|c| {
                    c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']' | '*')
                })
        };
        (matches!(scheme, "http" | "https") && plain(host)).then(|| format!("{scheme}://{host}"))
    };
    let mut hosts: Vec<String> = list
        .split([' ', ','])
        .chain(public_url)
        .filter_map(origin)
        .collect();
    hosts.dedup();
    hosts
}

/// A URL with credentials (PostgreSQL's, NATS's) as it may be shown in errors and logs:
/// without its password.
pub fn redact_password(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if scheme + 3 < at => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact_password;

    #[test]
    fn a_url_shown_in_errors_keeps_everything_but_the_password() {
        assert_eq!(
            redact_password("postgres://duet:s3cr@t@db.internal:5432/duet"),
            "postgres://duet:***@db.internal:5432/duet"
        );
        assert_eq!(
            redact_password("nats://duet:pw@10.0.0.5:4222"),
            "nats://duet:***@10.0.0.5:4222"
        );
        for plain in ["nats://127.0.0.1:4222", "postgres://duet@h/db", "not a url"] {
            assert_eq!(redact_password(plain), plain);
        }
    }
}
