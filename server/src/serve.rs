//! The HTTP server loop. Hand-written over hyper rather than `axum::serve` because that gives
//! no way to bound what a connection may hold: here connections are capped (the excess gets a
//! `503` and is closed), request headers must arrive within a deadline (a half-sent request
//! cannot hold a connection open), and shutdown waits a bounded time for requests in progress.
//!
//! Each request carries the peer's address ([`ConnectInfo`], for per-source rate limits) and
//! the connection's [`ConnectionSlot`], which a WebSocket keeps for as long as it lives, so
//! upgraded connections count against the cap too.

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceExt;

/// What the loop bounds.
#[derive(Debug, Clone)]
pub struct ServeLimits {
    /// Connections open at once, WebSockets included.
    pub max_connections: usize,
    /// Time a client has to send a request's headers, from the connection's start or from
    /// the end of the previous request.
    pub header_timeout: Duration,
    /// Time HTTP requests still in progress get to finish once shutdown begins.
    pub drain_timeout: Duration,
}

/// A connection's place under the cap, released when the last holder drops it.
#[derive(Debug, Clone)]
pub struct ConnectionSlot {
    _held: Arc<OwnedSemaphorePermit>,
}

/// The answer to a connection over the cap, written without reading the request.
const OVER_CAPACITY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\
Content-Type: text/plain\r\nRetry-After: 1\r\nContent-Length: 36\r\n\r\n\
the server is at its connection cap\n";

/// Serves `router` on `listener` until `shutdown` fires, then stops accepting and gives HTTP
/// requests in progress `drain_timeout` to finish. WebSockets are closed by their own tasks.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ServeLimits,
    shutdown: CancellationToken,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let connections = TaskTracker::new();
    // HTTP/1.1 only (WebSockets upgrade from it): its header deadline runs from the first
    // moment of a connection, where HTTP/2 detection would first wait for bytes unbounded.
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    // Warnings that could repeat thousands of times a second are logged once in many.
    let (mut refused, mut failed_accepts) = (0u64, 0u64);
    loop {
        let (stream, addr) = tokio::select! {
            _ = shutdown.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors, most likely: wait for some to close.
                    failed_accepts += 1;
                    if failed_accepts % 100 == 1 {
                        tracing::warn!(error = %e, failed = failed_accepts, "accept failed (logged every 100)");
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let Ok(permit) = slots.clone().try_acquire_owned() else {
            refused += 1;
            if refused % 1000 == 1 {
                tracing::warn!(
                    cap = limits.max_connections,
                    refused,
                    "connection cap reached; refusing connections (logged every 1000)"
                );
            }
            tokio::spawn(refuse(stream));
            continue;
        };
        // Small frames both ways: without TCP_NODELAY, Nagle and delayed ACKs add ~40 ms.
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!(error = %e, "cannot set TCP_NODELAY");
        }
        let slot = ConnectionSlot {
            _held: Arc::new(permit),
        };
        let app = router.clone();
        let service = tower::service_fn(move |mut request: axum::http::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(addr));
            request.extensions_mut().insert(slot.clone());
            app.clone().oneshot(request)
        });
        let connection = builder
            .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service))
            .with_upgrades();
        let stop = shutdown.clone();
        connections.spawn(async move {
            let mut connection = std::pin::pin!(connection);
            let ended = tokio::select! {
                ended = connection.as_mut() => ended,
                _ = stop.cancelled() => {
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(e) = ended {
                tracing::trace!(error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    connections.close();
    if tokio::time::timeout(limits.drain_timeout, connections.wait())
        .await
        .is_err()
    {
        tracing::warn!("HTTP requests still in progress at shutdown were cut off");
    }
}

/// Tells a connection over the cap so, briefly, and closes it.
async fn refuse(mut stream: TcpStream) {
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        stream.write_all(OVER_CAPACITY).await?;
        stream.shutdown().await
    })
    .await;
}
