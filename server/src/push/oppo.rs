//! OPPO Push: `POST /server/v1/auth` signed with `sha256(app_key + timestamp + master_secret)`
//! gives an `auth_token` good for a day; each push is a form `POST
//! /server/v1/message/notification/unicast` carrying it.

use super::http::{Attempt, TokenCache, exchange};
use super::{Adapter, Delivery, Outgoing};
use async_trait::async_trait;
use sha2::{Digest, Sha256};
use std::time::Duration;

pub const DEFAULT_URL: &str = "https://api.push.oppomobile.com";

/// How long OPPO's `auth_token` lasts.
const TOKEN_LIFE: Duration = Duration::from_secs(24 * 3600);

/// OPPO's result codes.
const SUCCESS: i64 = 0;
const SERVICE_BUSY: i64 = -1;
const INVALID_AUTH_TOKEN: i64 = 11;
const DAILY_LIMIT: i64 = 33;
const INVALID_REGISTRATION_ID: i64 = 10000;

pub struct Oppo {
    http: reqwest::Client,
    url: String,
    app_key: String,
    master_secret: String,
    token: TokenCache,
}

impl Oppo {
    pub fn new(http: reqwest::Client, url: String, app_key: String, master_secret: String) -> Self {
        Self {
            http,
            url,
            app_key,
            master_secret,
            token: TokenCache::default(),
        }
    }

    async fn auth_token(&self, now_ms: u64) -> Result<(String, Duration), Delivery> {
        let timestamp = now_ms.to_string();
        let sign = format!(
            "{:x}",
            Sha256::digest(format!("{}{timestamp}{}", self.app_key, self.master_secret))
        );
        let request = self
            .http
            .post(format!("{}/server/v1/auth", self.url))
            .form(&[
                ("app_key", self.app_key.as_str()),
                ("sign", &sign),
                ("timestamp", &timestamp),
            ]);
        let answer = exchange("oppo", request).await?;
        match answer.body["data"]["auth_token"].as_str() {
            Some(token) if answer.body["code"].as_i64() == Some(SUCCESS) => {
                Ok((token.to_owned(), TOKEN_LIFE))
            }
            _ => {
                tracing::warn!(status = %answer.status, code = %answer.body["code"],
                    message = %answer.text("message"), "OPPO refused the app's sign-in");
                Err(Delivery::Retry)
            }
        }
    }

    fn message(push: &Outgoing<'_>) -> String {
        let (note, android) = (push.note, &push.info.android);
        let parameters = serde_json::json!({
            "conversationID": note.conversation_id, "ID": note.message_id, "ext": note.ext,
        });
        let mut notification = serde_json::json!({
            "title": note.title,
            "content": note.body,
            "click_action_type": 0, // open the app
            "action_parameters": parameters.to_string(),
            "off_line": true,
            "off_line_ttl": 24 * 3600,
        });
        if !android.oppo_channel_id.is_empty() {
            notification["channel_id"] = android.oppo_channel_id.clone().into();
        }
        serde_json::json!({
            "target_type": 2, // a registration ID
            "target_value": push.token,
            "notification": notification,
        })
        .to_string()
    }
}

#[async_trait]
impl Adapter for Oppo {
    async fn send(&self, push: &Outgoing<'_>) -> Delivery {
        let url = format!("{}/server/v1/message/notification/unicast", self.url);
        let message = Self::message(push);
        let fetch = || self.auth_token(push.now_ms);
        let attempt = |token: String| {
            let request = self
                .http
                .post(&url)
                .header("auth_token", &token)
                .form(&[("message", message.as_str()), ("auth_token", &token)]);
            async move {
                let answer = match exchange("oppo", request).await {
                    Ok(answer) => answer,
                    Err(delivery) => return Attempt::Done(delivery),
                };
                let code = answer.body["code"].as_i64();
                Attempt::Done(match code {
                    Some(SUCCESS) => Delivery::Sent,
                    Some(INVALID_AUTH_TOKEN) => return Attempt::StaleToken,
                    Some(INVALID_REGISTRATION_ID) => Delivery::Gone,
                    Some(SERVICE_BUSY | DAILY_LIMIT) => Delivery::Retry,
                    _ if answer.transient() => Delivery::Retry,
                    _ => {
                        tracing::warn!(status = %answer.status, ?code,
                            message = %answer.text("message"), "OPPO refused a push");
                        Delivery::Refused
                    }
                })
            }
        };
        self.token.with_token(push.now_ms, fetch, attempt).await
    }
}
