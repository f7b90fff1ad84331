//! What the web client needs from the server: its configuration (`/duet/config`), in
//! development a UserSig for anyone (`/duet/dev/usersig`, off unless `DUET_DEV_USERSIG`), and
//! its static files (`www/`, `DUET_WWW_DIR`), served at `/` with content types by file
//! extension (`.wasm` as `application/wasm`, which browsers require to compile it streaming),
//! `Cache-Control: no-cache`, `X-Content-Type-Options: nosniff`, and a Content-Security-Policy that allows the
//! page's own scripts and WebAssembly, WebSockets to this server, and nothing else.

use crate::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use protocol::UserId;
use serde_json::{Value, json};
use std::path::Path;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeader;

/// The page may run its own scripts and wasm, talk to this server (HTTP and WebSocket), show
/// images from anywhere over HTTPS, and nothing else; no framing.
const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
    connect-src 'self' ws: wss:; img-src 'self' https: data: blob:; media-src 'self' https: blob:; \
    style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

type Headed<S> = SetResponseHeader<
    SetResponseHeader<SetResponseHeader<S, HeaderValue>, HeaderValue>,
    HeaderValue,
>;

pub fn service(dir: &Path) -> Headed<ServeDir> {
    let files = ServeDir::new(dir);
    // File names carry no version, so browsers revalidate each time (a cheap 304 through
    // Last-Modified) and never run a stale app against a newer server.
    let revalidate = SetResponseHeader::overriding(
        files,
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache"),
    );
    let nosniff = SetResponseHeader::overriding(
        revalidate,
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    SetResponseHeader::overriding(
        nosniff,
        HeaderName::from_static("content-security-policy"),
        HeaderValue::from_static(CSP),
    )
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
