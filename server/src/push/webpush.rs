//! Web Push (RFC 8030) to browsers: the payload encrypted for the subscription (`aes128gcm`,
//! RFC 8291) and the request signed with the server's VAPID key (RFC 8292). The key pair is
//! made at first start and kept in the data dir, so subscriptions outlive restarts.

use super::http::exchange;
use super::{Adapter, Delivery, Outgoing};
use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use p256::ecdsa::SigningKey;
use p256::pkcs8::EncodePrivateKey;
use protocol::push::WebPushSubscription;
use std::path::Path;
use std::time::Duration;

/// How long a push service keeps a message for an offline browser (the `TTL` header).
const TTL: Duration = Duration::from_secs(24 * 3600);

/// How long the VAPID JWT is valid (RFC 8292 allows at most 24 hours).
const JWT_VALID_SECS: u64 = 12 * 3600;

/// The browsers' push services (Chrome and Edge, Firefox, Windows, Safari): the only hosts a
/// subscription's endpoint may name, so that a registration cannot make the server post to an
/// address of the operator's own network.
const PUSH_SERVICE_DOMAINS: [&str; 5] = [
    "fcm.googleapis.com",
    "android.googleapis.com",
    "push.services.mozilla.com",
    "notify.windows.com",
    "push.apple.com",
];

/// The server's VAPID identity, and the Web Push adapter that signs with it.
pub struct WebPush {
    http: reqwest::Client,
    key: jsonwebtoken::EncodingKey,
    /// The public key, base64url of the uncompressed point: what browsers subscribe with.
    public: String,
    /// `sub` claim: how the push service can reach the operator (`mailto:` or `https:`).
    subject: String,
}

impl WebPush {
    /// Loads the key pair from `vapid.key` in `dir`, making it (readable by the owner only)
    /// when there is none.
    pub fn load_or_create(
        http: reqwest::Client,
        dir: &Path,
        subject: &str,
    ) -> std::io::Result<Self> {
        let path = dir.join("vapid.key");
        let key = match std::fs::read(&path) {
            Ok(bytes) => SigningKey::from_slice(&bytes).map_err(|e| {
                std::io::Error::other(format!("{} is not a P-256 key: {e}", path.display()))
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(dir)?;
                let key = SigningKey::random(&mut p256::elliptic_curve::rand_core::OsRng);
                write_private(&path, &key.to_bytes())?;
                key
            }
            Err(e) => return Err(e),
        };
        let public = B64.encode(key.verifying_key().to_encoded_point(false).as_bytes());
        let der = key.to_pkcs8_der().map_err(std::io::Error::other)?;
        Ok(Self {
            http,
            key: jsonwebtoken::EncodingKey::from_ec_der(der.as_bytes()),
            public,
            subject: subject.to_owned(),
        })
    }

    pub fn public_key(&self) -> &str {
        &self.public
    }

    /// `Authorization: vapid t=<JWT>, k=<public key>` for a push to `endpoint`.
    fn authorization(&self, endpoint: &reqwest::Url, now_s: u64) -> Result<String, Delivery> {
        let claims = serde_json::json!({
            "aud": endpoint.origin().ascii_serialization(),
            "exp": now_s + JWT_VALID_SECS,
            "sub": self.subject,
        });
        let header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
        let token = jsonwebtoken::encode(&header, &claims, &self.key).map_err(|e| {
            tracing::warn!(error = %e, "cannot sign the VAPID token");
            Delivery::Retry
        })?;
        Ok(format!("vapid t={token}, k={}", self.public))
    }
}

#[async_trait]
impl Adapter for WebPush {
    /// Sends the notification (JSON) to the browser of `push.token`, a `PushSubscription`.
    async fn send(&self, push: &Outgoing<'_>) -> Delivery {
        let target = match Target::parse(push.token) {
            Ok(t) => t,
            Err(e) => {
                tracing::warn!(error = %e, "a stored Web Push subscription is unusable; dropping it");
                return Delivery::Gone;
            }
        };
        let payload = serde_json::to_vec(push.note).expect("a notification serializes");
        let body = match web_push_native::encrypt(payload, &target.p256dh, &target.auth) {
            Ok(body) => body,
            Err(e) => {
                tracing::warn!(error = %e, "Web Push encryption failed");
                return Delivery::Gone;
            }
        };
        let authorization = match self.authorization(&target.endpoint, push.now_ms / 1000) {
            Ok(a) => a,
            Err(delivery) => return delivery,
        };
        let request = self
            .http
            .post(target.endpoint.clone())
            .header("TTL", TTL.as_secs())
            .header("Content-Encoding", "aes128gcm")
            .header("Content-Type", "application/octet-stream")
            .header("Urgency", "high")
            .header("Authorization", authorization)
            .body(body);
        let answer = match exchange("webpush", request).await {
            Ok(answer) => answer,
            Err(delivery) => return delivery,
        };
        match answer.status.as_u16() {
            200..=299 => Delivery::Sent,
            // The subscription expired or was withdrawn (RFC 8030 §7.3).
            404 | 410 => Delivery::Gone,
            _ if answer.transient() => Delivery::Retry,
            status => {
                tracing::warn!(status, "the push service refused a Web Push");
                Delivery::Refused
            }
        }
    }
}

/// Writes a secret readable by its owner only.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// A subscription, checked and decoded.
pub struct Target {
    endpoint: reqwest::Url,
    p256dh: p256::PublicKey,
    auth: web_push_native::Auth,
}

impl Target {
    /// Reads a `webpush` token: the `PushSubscription` JSON. The endpoint must be `https://` on
    /// a browser's push service ([`PUSH_SERVICE_DOMAINS`]; any scheme and port on a loopback
    /// address, for local push services in development and tests), the keys a P-256 point and
    /// a 16-byte secret.
    pub fn parse(token: &str) -> Result<Self, String> {
        let sub: WebPushSubscription = serde_json::from_str(token)
            .map_err(|e| format!("a webpush Token is a PushSubscription as JSON: {e}"))?;
        let endpoint = reqwest::Url::parse(&sub.endpoint)
            .map_err(|e| format!("endpoint is not a URL: {e}"))?;
        let host = endpoint.host_str().unwrap_or_default();
        let loopback = host == "localhost"
            || host
                .trim_matches(['[', ']'])
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        let push_service = PUSH_SERVICE_DOMAINS
            .iter()
            .any(|d| host == *d || host.strip_suffix(d).is_some_and(|h| h.ends_with('.')));
        if !(loopback && matches!(endpoint.scheme(), "http" | "https")
            || endpoint.scheme() == "https" && push_service)
        {
            return Err(format!(
                "endpoint must be an https:// URL of a browser's push service ({})",
                PUSH_SERVICE_DOMAINS.join(", ")
            ));
        }
        let p256dh = B64
            .decode(sub.keys.p256dh.trim_end_matches('='))
            .ok()
            .and_then(|k| p256::PublicKey::from_sec1_bytes(&k).ok())
            .ok_or("keys.p256dh is not a base64url P-256 public key")?;
        let auth = B64
            .decode(sub.keys.auth.trim_end_matches('='))
            .ok()
            .filter(|a| a.len() == 16)
            .ok_or("keys.auth is not a base64url 16-byte secret")?;
        Ok(Self {
            endpoint,
            p256dh,
            auth: web_push_native::Auth::clone_from_slice(&auth),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Target;

    fn token(endpoint: &str) -> String {
        // A valid P-256 point (the generator) and a 16-byte secret.
        let p256dh = "BGsX0fLhLEJH-Lzm5WOkQPJ3A32BLeszoPShOUXYmMKWT-NC4v4af5uO5-tKfA-eFivOM1drMV7Oy7ZAaDe_UfU";
        format!(
            r#"{{"endpoint":"{endpoint}","keys":{{"p256dh":"{p256dh}","auth":"AAAAAAAAAAAAAAAAAAAAAA"}}}}"#
        )
    }

    #[test]
    fn only_browsers_push_services_or_loopback() {
        for ok in [
            "https://fcm.googleapis.com/fcm/send/abc",
            "https://updates.push.services.mozilla.com/wpush/v2/abc",
            "https://wns2-by3p.notify.windows.com/w/?token=abc",
            "https://web.push.apple.com/abc",
            "http://127.0.0.1:9000/push/abc",
            "http://[::1]:9000/push/abc",
        ] {
            assert!(Target::parse(&token(ok)).is_ok(), "{ok}");
        }
        for bad in [
            "http://fcm.googleapis.com/fcm/send/abc",
            "https://intranet.example.com/admin",
            "https://evilfcm.googleapis.com.example.com/x",
            "https://10.0.0.1/x",
            "ftp://127.0.0.1/x",
        ] {
            assert!(Target::parse(&token(bad)).is_err(), "{bad}");
        }
    }
}
