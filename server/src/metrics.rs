//! Prometheus metrics, served at `/metrics` on their own listen address (`DUET_METRICS_LISTEN`)
//! so that they are never on the public port.
//!
//! Every metric is named once, in [`ALL`], with its kind and help text; the functions below
//! are the only places that record them, and `docs/operations.md` lists them all (a test keeps
//! the two in step). Recording goes through the `metrics` facade: until [`install`] sets the
//! Prometheus recorder (the binary does when metrics are on) every call is a no-op, so the
//! library and its tests pay nothing. The metrics each message touches are looked up once, at
//! install, and recorded through their handles; the rest are looked up as they come. Label
//! values come from closed sets (error codes, close codes, known REST commands, vendors), never
//! from user input, so no series can multiply.

use crate::hub::Hub;
use crate::serve::ServeLimits;
use metrics::{Counter, Histogram, counter, gauge, histogram};
use metrics_exporter_prometheus::{BuildError, Matcher, PrometheusBuilder, PrometheusHandle};
use protocol::ErrorCode;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// What a metric is, for its `# TYPE` line and the docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Counter,
    Gauge,
    Histogram,
}

/// One metric: its name, kind and what it counts.
#[derive(Debug)]
pub struct Metric {
    pub name: &'static str,
    pub kind: Kind,
    pub help: &'static str,
}

const ACCEPTED: &str = "duet_messages_accepted_total";
const REFUSED: &str = "duet_messages_refused_total";
const DELIVERED: &str = "duet_messages_delivered_total";
const SEND_COMMIT: &str = "duet_send_commit_seconds";
const COMMIT_PUSH: &str = "duet_commit_push_seconds";
const BATCH: &str = "duet_commit_batch_size";
const DEVICES: &str = "duet_connected_devices";
const USERS: &str = "duet_signed_in_users";
const SYNC_REQUESTS: &str = "duet_sync_requests_total";
const SYNC_ENTRIES: &str = "duet_sync_entries_served_total";
const EVICTIONS: &str = "duet_queue_evictions_total";
const CLUSTER_DROPPED: &str = "duet_cluster_dropped_total";
const CLUSTER_RECEIVED: &str = "duet_cluster_received_total";
const CLOSES: &str = "duet_ws_closes_total";
const REST: &str = "duet_rest_requests_total";
const MEDIA: &str = "duet_media_bytes_total";
const EXPIRY_PASSES: &str = "duet_expiry_passes_total";
const EXPIRED: &str = "duet_expired_total";
const PUSHES: &str = "duet_push_attempts_total";
const WEBHOOKS: &str = "duet_webhooks_total";

/// Every metric the server reports.
pub const ALL: &[Metric] = &[
    Metric {
        name: ACCEPTED,
        kind: Kind::Counter,
        help: "Messages accepted: stored (or, online-only, handed to the online devices).",
    },
    Metric {
        name: REFUSED,
        kind: Kind::Counter,
        help: "Messages refused, by error code.",
    },
    Metric {
        name: DELIVERED,
        kind: Kind::Counter,
        help: "Messages pushed to a connected device (each device counts).",
    },
    Metric {
        name: SEND_COMMIT,
        kind: Kind::Histogram,
        help: "Seconds from a send being accepted to its commit (durable and published).",
    },
    Metric {
        name: COMMIT_PUSH,
        kind: Kind::Histogram,
        help: "Seconds from a commit to its entry being written to a device's socket.",
    },
    Metric {
        name: BATCH,
        kind: Kind::Histogram,
        help: "Writes per group commit (one SQLite transaction).",
    },
    Metric {
        name: DEVICES,
        kind: Kind::Gauge,
        help: "Signed-in WebSocket connections (devices).",
    },
    Metric {
        name: USERS,
        kind: Kind::Gauge,
        help: "Users with at least one device signed in.",
    },
    Metric {
        name: SYNC_REQUESTS,
        kind: Kind::Counter,
        help: "Sync requests (a device catching up from its cursor).",
    },
    Metric {
        name: SYNC_ENTRIES,
        kind: Kind::Counter,
        help: "Sync entries those requests returned.",
    },
    Metric {
        name: EVICTIONS,
        kind: Kind::Counter,
        help: "Devices disconnected because their push queue was full (they resume from their cursor).",
    },
    Metric {
        name: CLUSTER_DROPPED,
        kind: Kind::Counter,
        help: "News for the other nodes dropped because the NATS publisher was behind (devices fill holes from their cursor).",
    },
    Metric {
        name: CLUSTER_RECEIVED,
        kind: Kind::Counter,
        help: "Messages received from the other nodes over NATS.",
    },
    Metric {
        name: CLOSES,
        kind: Kind::Counter,
        help: "WebSocket connections closed by the server, by close code.",
    },
    Metric {
        name: REST,
        kind: Kind::Counter,
        help: "REST calls, by command and ErrorCode (0 is success).",
    },
    Metric {
        name: MEDIA,
        kind: Kind::Counter,
        help: "Media bytes uploaded (direction=\"up\") and served (direction=\"down\").",
    },
    Metric {
        name: EXPIRY_PASSES,
        kind: Kind::Counter,
        help: "Expiry passes run.",
    },
    Metric {
        name: EXPIRED,
        kind: Kind::Counter,
        help: "Rows and files the expiry passes removed, by what (messages, sync_entries, media).",
    },
    Metric {
        name: PUSHES,
        kind: Kind::Counter,
        help: "Offline push requests to a vendor, by vendor and result (sent, gone, refused, retry).",
    },
    Metric {
        name: WEBHOOKS,
        kind: Kind::Counter,
        help: "Webhooks to the app's backend, by command and result (answered, no_answer, dropped).",
    },
];

/// Latency buckets, in seconds: a millisecond's resolution where a send usually is, and up to
/// the ten seconds after which a client gives up.
const SECONDS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// Batch-size buckets: powers of two up to the writer's largest batch.
const SIZES: &[f64] = &[
    1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1024.0, 2048.0,
];

/// How often histogram samples are folded into their buckets, so memory stays flat between
/// scrapes.
pub const UPKEEP_EVERY: Duration = Duration::from_secs(5);

/// The metrics every message records, looked up once.
struct PerMessage {
    accepted: Counter,
    send_commit: Histogram,
    delivered: Counter,
    commit_push: Histogram,
    batch: Histogram,
}

/// Set by [`install`]; empty while metrics are off, which makes recording a no-op.
static PER_MESSAGE: OnceLock<PerMessage> = OnceLock::new();

/// Installs the Prometheus recorder for this process and describes every metric. Call once,
/// before the server starts; the handle renders the exposition and needs
/// [`PrometheusHandle::run_upkeep`] every [`UPKEEP_EVERY`].
pub fn install() -> Result<PrometheusHandle, BuildError> {
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), SECONDS)?
        .set_buckets_for_metric(Matcher::Full(BATCH.into()), SIZES)?
        .install_recorder()?;
    for m in ALL {
        match m.kind {
            Kind::Counter => metrics::describe_counter!(m.name, m.help),
            Kind::Gauge => metrics::describe_gauge!(m.name, m.help),
            Kind::Histogram => metrics::describe_histogram!(m.name, m.help),
        }
    }
    let _ = PER_MESSAGE.set(PerMessage {
        accepted: counter!(ACCEPTED),
        send_commit: histogram!(SEND_COMMIT),
        delivered: counter!(DELIVERED),
        commit_push: histogram!(COMMIT_PUSH),
        batch: histogram!(BATCH),
    });
    Ok(handle)
}

pub fn message_accepted(took: Duration) {
    if let Some(m) = PER_MESSAGE.get() {
        m.accepted.increment(1);
        m.send_commit.record(took);
    }
}

pub fn message_refused(code: ErrorCode) {
    counter!(REFUSED, "code" => code.0.to_string()).increment(1);
}

/// A pushed entry went out to a device's socket; it was committed at `committed`.
pub fn pushed(is_message: bool, committed: std::time::Instant) {
    if let Some(m) = PER_MESSAGE.get() {
        if is_message {
            m.delivered.increment(1);
        }
        m.commit_push.record(committed.elapsed());
    }
}

pub fn commit_batch(writes: usize) {
    if let Some(m) = PER_MESSAGE.get() {
        m.batch.record(writes as f64);
    }
}

/// The online counts, set when metrics are read rather than on every sign-in.
pub fn online(devices: u64, users: u64) {
    gauge!(DEVICES).set(devices as f64);
    gauge!(USERS).set(users as f64);
}

pub fn sync_served(entries: usize) {
    counter!(SYNC_REQUESTS).increment(1);
    counter!(SYNC_ENTRIES).increment(entries as u64);
}

pub fn queue_eviction() {
    counter!(EVICTIONS).increment(1);
}

pub fn cluster_dropped() {
    counter!(CLUSTER_DROPPED).increment(1);
}

pub fn cluster_received() {
    counter!(CLUSTER_RECEIVED).increment(1);
}

pub fn ws_closed(code: u16) {
    counter!(CLOSES, "code" => code.to_string()).increment(1);
}

/// A REST call ended; `command` is `service/command` when the router knows it, else
/// `unknown`.
pub fn rest_call(command: &'static str, code: ErrorCode) {
    counter!(REST, "command" => command, "code" => code.0.to_string()).increment(1);
}

pub fn media_uploaded(bytes: u64) {
    counter!(MEDIA, "direction" => "up").increment(bytes);
}

pub fn media_served(bytes: u64) {
    counter!(MEDIA, "direction" => "down").increment(bytes);
}

/// One expiry pass of the store, and what it removed.
pub fn expiry_pass(messages: u64, sync_entries: u64) {
    counter!(EXPIRY_PASSES).increment(1);
    counter!(EXPIRED, "what" => "messages").increment(messages);
    counter!(EXPIRED, "what" => "sync_entries").increment(sync_entries);
}

/// Media files the same pass removed.
pub fn media_expired(files: u64) {
    counter!(EXPIRED, "what" => "media").increment(files);
}

pub fn push_attempt(vendor: &'static str, result: &'static str) {
    counter!(PUSHES, "vendor" => vendor, "result" => result).increment(1);
}

pub fn webhook(command: &'static str, result: &'static str) {
    counter!(WEBHOOKS, "command" => command, "result" => result).increment(1);
}

/// Serves `/metrics` on `listener` until `shutdown`, and folds histogram samples meanwhile.
pub async fn serve(
    listener: tokio::net::TcpListener,
    handle: PrometheusHandle,
    hub: Arc<Hub>,
    shutdown: CancellationToken,
) {
    let upkeep = {
        let (handle, shutdown) = (handle.clone(), shutdown.clone());
        async move {
            let mut tick = tokio::time::interval(UPKEEP_EVERY);
            while shutdown.run_until_cancelled(tick.tick()).await.is_some() {
                handle.run_upkeep();
            }
        }
    };
    // A scraper or two, not the public: a small cap, and a short drain at shutdown.
    let limits = ServeLimits {
        max_connections: 64,
        header_timeout: Duration::from_secs(10),
        drain_timeout: Duration::from_secs(1),
    };
    let endpoint = crate::serve::serve(listener, router(handle, hub), limits, shutdown);
    tokio::join!(upkeep, endpoint);
}

/// The metrics endpoint's routes: `GET /metrics`, the Prometheus text exposition.
fn router(handle: PrometheusHandle, hub: Arc<Hub>) -> axum::Router {
    axum::Router::new().route(
        "/metrics",
        axum::routing::get(move || {
            let (handle, hub) = (handle.clone(), hub.clone());
            async move {
                online(hub.connections(), hub.users());
                (
                    [(
                        axum::http::header::CONTENT_TYPE,
                        "text/plain; version=0.0.4; charset=utf-8",
                    )],
                    handle.render(),
                )
            }
        }),
    )
}
