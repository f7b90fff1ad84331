//! The web client's static files (`www/`, `DUET_WWW_DIR`), served at `/` with content types by
//! file extension (`.wasm` as `application/wasm`, which browsers require to compile it
//! streaming), `X-Content-Type-Options: nosniff`, and a Content-Security-Policy that allows the
//! page's own scripts and WebAssembly, WebSockets to this server, and nothing else.

use axum::http::{HeaderName, HeaderValue, header};
use std::path::Path;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeader;

/// The page may run its own scripts and wasm, talk to this server (HTTP and WebSocket), show
/// images from anywhere over HTTPS, and nothing else; no framing.
const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
    connect-src 'self' ws: wss:; img-src 'self' https: data: blob:; media-src 'self' https: blob:; \
    style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

type Headed<S> = SetResponseHeader<SetResponseHeader<S, HeaderValue>, HeaderValue>;

pub fn service(dir: &Path) -> Headed<ServeDir> {
    let files = ServeDir::new(dir);
    let nosniff = SetResponseHeader::overriding(
        files,
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    SetResponseHeader::overriding(
        nosniff,
        HeaderName::from_static("content-security-policy"),
        HeaderValue::from_static(CSP),
    )
}
