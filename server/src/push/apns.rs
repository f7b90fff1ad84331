//! Apple Push Notification service: HTTP/2 `POST /3/device/{token}` with token-based
//! authentication, an ES256 JWT made from the team's `.p8` key. Apple refuses a provider token
//! renewed more often than every 20 minutes and expires it after an hour, so one is kept for
//! 50 minutes.

use super::http::{Attempt, TokenCache, exchange};
use super::{Adapter, Delivery, Outgoing};
use async_trait::async_trait;
use std::time::Duration;

pub const DEFAULT_URL: &str = "https://api.push.apple.com";

/// How long a provider token is used.
const TOKEN_LIFE: Duration = Duration::from_secs(50 * 60);
/// How long Apple keeps the notification for an unreachable device.
const EXPIRATION: Duration = Duration::from_secs(24 * 3600);

pub struct Apns {
    http: reqwest::Client,
    url: String,
    key: jsonwebtoken::EncodingKey,
    key_id: String,
    team_id: String,
    topic: String,
    jwt: TokenCache,
}

impl Apns {
    /// `key_pem`: the `.p8` file's text (a PKCS#8 P-256 key).
    pub fn new(
        http: reqwest::Client,
        url: String,
        key_pem: &[u8],
        key_id: String,
        team_id: String,
        topic: String,
    ) -> Result<Self, String> {
        let key = jsonwebtoken::EncodingKey::from_ec_pem(key_pem)
            .map_err(|e| format!("the APNs key is not a .p8 (PKCS#8 P-256) key: {e}"))?;
        Ok(Self {
            http,
            url,
            key,
            key_id,
            team_id,
            topic,
            jwt: TokenCache::default(),
        })
    }

    fn provider_token(&self, now_s: u64) -> Result<String, Delivery> {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
        header.kid = Some(self.key_id.clone());
        let claims = serde_json::json!({ "iss": self.team_id, "iat": now_s });
        jsonwebtoken::encode(&header, &claims, &self.key).map_err(|e| {
            tracing::warn!(error = %e, "cannot sign the APNs provider token");
            Delivery::Retry
        })
    }

    fn body(push: &Outgoing<'_>) -> serde_json::Value {
        let (note, apns) = (push.note, &push.info.apns);
        let mut alert = serde_json::json!({ "title": note.title, "body": note.body });
        if !apns.title.is_empty() {
            alert["title"] = apns.title.clone().into();
        }
        if !apns.sub_title.is_empty() {
            alert["subtitle"] = apns.sub_title.clone().into();
        }
        let sound = match apns.sound.as_str() {
            "" => "default",
            s => s,
        };
        let mut aps = serde_json::json!({
            "alert": alert,
            "sound": sound,
            "thread-id": note.conversation_id,
        });
        // BadgeMode 1: this message leaves the app icon's count alone.
        if apns.badge_mode == 0 {
            aps["badge"] = note.badge.into();
        }
        serde_json::json!({
            "aps": aps,
            "conversationID": note.conversation_id,
            "ID": note.message_id,
            "ext": note.ext,
        })
    }
}

#[async_trait]
impl Adapter for Apns {
    async fn send(&self, push: &Outgoing<'_>) -> Delivery {
        let now_s = push.now_ms / 1000;
        let url = format!("{}/3/device/{}", self.url, push.token);
        let body = Self::body(push);
        let fetch = || async { Ok((self.provider_token(now_s)?, TOKEN_LIFE)) };
        let attempt = |jwt: String| {
            let request = self
                .http
                .post(&url)
                .header("authorization", format!("bearer {jwt}"))
                .header("apns-topic", &self.topic)
                .header("apns-push-type", "alert")
                .header("apns-priority", "10")
                .header("apns-expiration", now_s + EXPIRATION.as_secs())
                // A burst in one conversation replaces its notification rather than stacking.
                .header("apns-collapse-id", &push.note.conversation_id)
                .json(&body);
            async move {
                let answer = match exchange("apns", request).await {
                    Ok(answer) => answer,
                    Err(delivery) => return Attempt::Done(delivery),
                };
                let reason = answer.text("reason");
                Attempt::Done(match (answer.status.as_u16(), reason.as_str()) {
                    (200, _) => Delivery::Sent,
                    (403, "ExpiredProviderToken") => return Attempt::StaleToken,
                    (410, _) | (400, "BadDeviceToken" | "DeviceTokenNotForTopic") => Delivery::Gone,
                    _ if answer.transient() => Delivery::Retry,
                    (status, _) => {
                        tracing::warn!(status, reason, "APNs refused a push");
                        Delivery::Refused
                    }
                })
            }
        };
        self.jwt.with_token(push.now_ms, fetch, attempt).await
    }
}
