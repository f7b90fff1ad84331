//! Huawei Push Kit: an OAuth2 client-credentials token from `/oauth2/v3/token`, then
//! `POST /v1/{appId}/messages:send`. Push Kit answers HTTP 200 with its own result code.

use super::http::{Attempt, TokenCache, exchange, expires_in};
use super::{Adapter, Delivery, Outgoing};
use async_trait::async_trait;
use std::time::Duration;

pub const DEFAULT_URL: &str = "https://push-api.cloud.huawei.com";
pub const DEFAULT_AUTH_URL: &str = "https://oauth-login.cloud.huawei.com";

/// Push Kit's result codes.
const SUCCESS: &str = "80000000";
/// Some tokens were invalid; with one token, that one.
const SOME_TOKENS_INVALID: &str = "80100000";
const ALL_TOKENS_INVALID: &str = "80300007";
const TOKEN_EXPIRED: &str = "80200003";
const OAUTH_FAILED: &str = "80200001";
const INTERNAL_ERROR: &str = "81000001";

pub struct Huawei {
    http: reqwest::Client,
    url: String,
    auth_url: String,
    app_id: String,
    app_secret: String,
    token: TokenCache,
}

impl Huawei {
    pub fn new(
        http: reqwest::Client,
        url: String,
        auth_url: String,
        app_id: String,
        app_secret: String,
    ) -> Self {
        Self {
            http,
            url,
            auth_url,
            app_id,
            app_secret,
            token: TokenCache::default(),
        }
    }

    async fn access_token(&self) -> Result<(String, Duration), Delivery> {
        let request = self
            .http
            .post(format!("{}/oauth2/v3/token", self.auth_url))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", &self.app_id),
                ("client_secret", &self.app_secret),
            ]);
        let answer = exchange("huawei", request).await?;
        match answer.body["access_token"].as_str() {
            Some(token) if answer.status.is_success() => Ok((
                token.to_owned(),
                expires_in(&answer.body, Duration::from_secs(3600)),
            )),
            _ => {
                tracing::warn!(status = %answer.status, error = %answer.text("error"),
                    description = %answer.text("error_description"), "Huawei refused the app's sign-in");
                Err(Delivery::Retry)
            }
        }
    }

    fn body(push: &Outgoing<'_>) -> serde_json::Value {
        let (note, android) = (push.note, &push.info.android);
        let mut notification = serde_json::json!({
            "title": note.title,
            "body": note.body,
            "click_action": { "type": 3 }, // open the app
            "badge": { "set_num": note.badge },
            "tag": note.conversation_id,
        });
        if !android.huawei_channel_id.is_empty() {
            notification["channel_id"] = android.huawei_channel_id.clone().into();
        }
        if !android.sound.is_empty() {
            notification["sound"] = android.sound.clone().into();
        }
        let data = serde_json::json!({
            "conversationID": note.conversation_id, "ID": note.message_id, "ext": note.ext,
        });
        serde_json::json!({
            "validate_only": false,
            "message": {
                "data": data.to_string(),
                "android": { "urgency": "HIGH", "notification": notification },
                "token": [push.token],
            },
        })
    }
}

#[async_trait]
impl Adapter for Huawei {
    async fn send(&self, push: &Outgoing<'_>) -> Delivery {
        let url = format!("{}/v1/{}/messages:send", self.url, self.app_id);
        let body = Self::body(push);
        let fetch = || self.access_token();
        let attempt = |token: String| {
            let request = self.http.post(&url).bearer_auth(token).json(&body);
            async move {
                let answer = match exchange("huawei", request).await {
                    Ok(answer) => answer,
                    Err(delivery) => return Attempt::Done(delivery),
                };
                let code = answer.text("code");
                Attempt::Done(match code.as_str() {
                    SUCCESS => Delivery::Sent,
                    TOKEN_EXPIRED | OAUTH_FAILED => return Attempt::StaleToken,
                    _ if answer.status == 401 => return Attempt::StaleToken,
                    SOME_TOKENS_INVALID | ALL_TOKENS_INVALID => Delivery::Gone,
                    INTERNAL_ERROR => Delivery::Retry,
                    _ if answer.transient() => Delivery::Retry,
                    _ => {
                        tracing::warn!(status = %answer.status, code, msg = %answer.text("msg"),
                            "Huawei refused a push");
                        Delivery::Refused
                    }
                })
            }
        };
        self.token.with_token(push.now_ms, fetch, attempt).await
    }
}
