//! Firebase Cloud Messaging, HTTP v1: `POST /v1/projects/{project}/messages:send` with an OAuth2
//! access token, which the service account gets by posting an RS256-signed JWT to its
//! `token_uri` (RFC 7523).

use super::http::{Attempt, TokenCache, exchange, expires_in};
use super::{Adapter, Delivery, Outgoing};
use async_trait::async_trait;
use serde::Deserialize;
use std::time::Duration;

pub const DEFAULT_URL: &str = "https://fcm.googleapis.com";
const SCOPE: &str = "https://www.googleapis.com/auth/firebase.messaging";
/// How long the signed assertion is valid (Google's maximum).
const ASSERTION_LIFE: Duration = Duration::from_secs(3600);

/// The fields of a Firebase service account's key file that signing in needs.
#[derive(Deserialize)]
pub struct ServiceAccount {
    pub project_id: String,
    pub client_email: String,
    pub private_key_id: String,
    pub private_key: String,
    pub token_uri: String,
}

pub struct Fcm {
    http: reqwest::Client,
    url: String,
    account: ServiceAccount,
    key: jsonwebtoken::EncodingKey,
    token: TokenCache,
}

impl Fcm {
    pub fn new(http: reqwest::Client, url: String, account_json: &[u8]) -> Result<Self, String> {
        let account: ServiceAccount = serde_json::from_slice(account_json)
            .map_err(|e| format!("the FCM service account file is not one: {e}"))?;
        let key = jsonwebtoken::EncodingKey::from_rsa_pem(account.private_key.as_bytes())
            .map_err(|e| format!("the FCM service account's private_key is not RSA: {e}"))?;
        Ok(Self {
            http,
            url,
            account,
            key,
            token: TokenCache::default(),
        })
    }

    /// Trades a signed assertion for an access token.
    async fn access_token(&self, now_s: u64) -> Result<(String, Duration), Delivery> {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
        header.kid = Some(self.account.private_key_id.clone());
        let claims = serde_json::json!({
            "iss": self.account.client_email,
            "scope": SCOPE,
            "aud": self.account.token_uri,
            "iat": now_s,
            "exp": now_s + ASSERTION_LIFE.as_secs(),
        });
        let assertion = jsonwebtoken::encode(&header, &claims, &self.key).map_err(|e| {
            tracing::warn!(error = %e, "cannot sign the FCM assertion");
            Delivery::Retry
        })?;
        let request = self.http.post(&self.account.token_uri).form(&[
            ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
            ("assertion", assertion.as_str()),
        ]);
        let answer = exchange("fcm", request).await?;
        match answer.body["access_token"].as_str() {
            Some(token) if answer.status.is_success() => {
                Ok((token.to_owned(), expires_in(&answer.body, ASSERTION_LIFE)))
            }
            _ => {
                tracing::warn!(status = %answer.status, error = %answer.text("error"),
                    "FCM refused the service account's sign-in");
                Err(Delivery::Retry)
            }
        }
    }

    fn body(push: &Outgoing<'_>) -> serde_json::Value {
        let (note, android) = (push.note, &push.info.android);
        let mut notification = serde_json::json!({ "notification_count": note.badge });
        if !android.google_channel_id.is_empty() {
            notification["channel_id"] = android.google_channel_id.clone().into();
        }
        if !android.sound.is_empty() {
            notification["sound"] = android.sound.clone().into();
        }
        serde_json::json!({ "message": {
            "token": push.token,
            "notification": { "title": note.title, "body": note.body },
            // FCM's data values are strings.
            "data": {
                "conversationID": note.conversation_id,
                "ID": note.message_id,
                "ext": note.ext,
                "badge": note.badge.to_string(),
            },
            "android": {
                "priority": "high",
                "collapse_key": note.conversation_id,
                "notification": notification,
            },
            "apns": { "payload": { "aps": { "badge": note.badge, "sound": "default" } } },
        }})
    }
}

#[async_trait]
impl Adapter for Fcm {
    async fn send(&self, push: &Outgoing<'_>) -> Delivery {
        let url = format!(
            "{}/v1/projects/{}/messages:send",
            self.url, self.account.project_id
        );
        let body = Self::body(push);
        let fetch = || self.access_token(push.now_ms / 1000);
        let attempt = |token: String| {
            let request = self.http.post(&url).bearer_auth(token).json(&body);
            async move {
                let answer = match exchange("fcm", request).await {
                    Ok(answer) => answer,
                    Err(delivery) => return Attempt::Done(delivery),
                };
                let error = &answer.body["error"];
                // The FcmError detail says why: UNREGISTERED is a token the app gave up.
                let code = error["details"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find_map(|d| d["errorCode"].as_str())
                    .unwrap_or_default();
                Attempt::Done(match (answer.status.as_u16(), code) {
                    (200, _) => Delivery::Sent,
                    (401, _) => return Attempt::StaleToken,
                    (_, "UNREGISTERED") => Delivery::Gone,
                    _ if answer.transient() => Delivery::Retry,
                    (status, _) => {
                        tracing::warn!(status, code, message = %error["message"], "FCM refused a push");
                        Delivery::Refused
                    }
                })
            }
        };
        self.token.with_token(push.now_ms, fetch, attempt).await
    }
}
