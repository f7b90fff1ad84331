//! What the web client needs from the server: its configuration (`/duet/config`), in
//! development a UserSig for anyone (`/duet/dev/usersig`, off unless `DUET_DEV_USERSIG`), and
//! its static files (`www/`, `DUET_WWW_DIR`), served at `/` with content types by file
//! extension (`.wasm` as `application/wasm`, which browsers require to compile it streaming),
//! a file's Brotli (`.br`) or gzip (`.gz`) copy beside it to a browser that accepts one (the
//! demo's build writes them: its module is a third of the size as Brotli),
//! `Cache-Control: no-cache`, `X-Content-Type-Options: nosniff`, and a Content-Security-Policy
//! ([`csp`]) that allows the page's own scripts and WebAssembly, connections to this server,
//! and images from it and the configured media hosts.

use crate::AppState;
use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use protocol::UserId;
use serde_json::{Value, json};
use std::path::Path;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeader;

/// The header [`with_csp`] sets.
const CSP_HEADER: &str = "content-security-policy";

type Header<S> = SetResponseHeader<S, HeaderValue>;
type Headed<S> = Header<Header<Header<S>>>;

pub fn service(dir: &Path) -> Headed<ServeDir> {
    let files = ServeDir::new(dir).precompressed_br().precompressed_gzip();
    // The answer depends on what the browser accepts: a cache between must keep them apart.
    let varied = SetResponseHeader::overriding(
        files,
        header::VARY,
        HeaderValue::from_static("accept-encoding"),
    );
    // File names carry no version, so browsers revalidate each time (a cheap 304 through
    // Last-Modified) and never run a stale app against a newer server.
    let revalidate = SetResponseHeader::overriding(
        varied,
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache"),
    );
    SetResponseHeader::overriding(
        revalidate,
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    )
}

/// The request's `Host` when it is a plain host name or address (with a port), as a URL or a
/// policy may carry it.
pub(crate) fn request_host(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        })
}

/// The web client's Content-Security-Policy: its own scripts and WebAssembly; HTTP and
/// WebSockets to the origin it was loaded from, and nowhere else; images and media from there,
/// from `data:`/`blob:` (previews), and from `media_hosts` (`DUET_CSP_MEDIA_HOSTS`, plus the
/// origin of `DUET_PUBLIC_URL`); no plugins, no framing.
pub fn csp(host: Option<&str>, media_hosts: &[String]) -> String {
    let sockets = host.map_or(String::new(), |h| format!(" ws://{h} wss://{h}"));
    let media = media_hosts
        .iter()
        .fold(String::new(), |all, h| all + " " + h);
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'{sockets}; \
         img-src 'self' data: blob:{media}; media-src 'self' blob:{media}; \
         style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    )
}

/// Sets [`csp`] on the web client's responses.
pub async fn with_csp(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let host = request_host(request.headers()).map(str::to_owned);
    let mut response = next.run(request).await;
    let policy = csp(host.as_deref(), &app.chat.config.csp_media_hosts);
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response
            .headers_mut()
            .insert(HeaderName::from_static(CSP_HEADER), value);
    }
    response
}

/// What a web client needs to connect: the app's SDKAppID (public, as in any app that embeds
/// it), and whether the development UserSig endpoint is on.
pub async fn client_config(State(app): State<AppState>) -> Json<Value> {
    Json(
        json!({ "SDKAppID": app.chat.identity.sdk_app_id, "devUserSig": app.chat.config.dev_usersig }),
    )
}

/// Validity of a development UserSig.
const DEV_USERSIG_SECS: u64 = 24 * 3600;

/// `POST /duet/dev/usersig {"userID"}` → `{"userSig"}`: signs for any user but the
/// administrator, so it exists only when the server was started with `--dev-usersig` (`npm
/// start` does), which also keeps the server on a loopback address. Production backends sign
/// UserSigs themselves with the secret key.
pub async fn dev_usersig(
    State(app): State<AppState>,
    body: axum::body::Bytes,
) -> (StatusCode, Json<Value>) {
    if !app.chat.config.dev_usersig {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({ "error": "the development UserSig endpoint is off" })),
        );
    }
    let user = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.get("userID").and_then(Value::as_str).map(str::to_owned))
        .ok_or_else(|| "expected {\"userID\": \"…\"}".to_owned())
        .and_then(|u| UserId::parse(u).map_err(|e| e.to_string()));
    match user {
        Ok(user) if app.chat.is_admin(&user) => (
            StatusCode::FORBIDDEN,
            Json(json!({ "error": "the development endpoint never signs for the administrator" })),
        ),
        Ok(user) => {
            let now = app.chat.clock.now_s();
            let sig = app
                .chat
                .identity
                .signer()
                .sign(user.as_str(), DEV_USERSIG_SECS, now);
            (
                StatusCode::OK,
                Json(json!({ "userID": user, "userSig": sig })),
            )
        }
        Err(e) => (StatusCode::BAD_REQUEST, Json(json!({ "error": e }))),
    }
}

/// `GET /duet/push/vapid` → `{"publicKey"}`: the server's VAPID public key, which a browser
/// subscribes with (`pushManager.subscribe({ applicationServerKey })`).
pub async fn vapid_key(State(state): State<AppState>) -> axum::Json<protocol::push::VapidKey> {
    axum::Json(protocol::push::VapidKey {
        public_key: state.chat.push.vapid_public_key().to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::csp;

    #[test]
    fn the_policy_names_only_this_origin_and_the_configured_hosts() {
        let p = csp(
            Some("chat.example.com"),
            &["https://cdn.example.com".into()],
        );
        assert!(p.contains("connect-src 'self' ws://chat.example.com wss://chat.example.com;"));
        assert!(p.contains("img-src 'self' data: blob: https://cdn.example.com;"));
        assert!(!p.contains("https:;") && !p.contains(" ws: "));
        assert!(csp(None, &[]).contains("connect-src 'self';"));
    }
}
