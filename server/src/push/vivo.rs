//! vivo Push: `POST /message/auth` signed with `md5(appId + appKey + timestamp + appSecret)`
//! gives an `authToken` good for a day; each push is `POST /message/send` with it in the
//! `authToken` header. vivo answers with `result` 0 or an error code.

use super::http::{Attempt, TokenCache, exchange, stable_hash};
use super::{Adapter, Delivery, Outgoing};
use async_trait::async_trait;
use md5::{Digest, Md5};
use std::time::Duration;

pub const DEFAULT_URL: &str = "https://api-push.vivo.com.cn";

/// How long vivo's `authToken` lasts.
const TOKEN_LIFE: Duration = Duration::from_secs(24 * 3600);

/// vivo's result codes.
const SUCCESS: i64 = 0;
const INVALID_AUTH_TOKEN: i64 = 10000;
const RATE_LIMITED: i64 = 10070;
const DAILY_LIMIT: i64 = 10071;
const INVALID_REG_ID: i64 = 10302;

pub struct Vivo {
    http: reqwest::Client,
    url: String,
    app_id: String,
    app_key: String,
    app_secret: String,
    token: TokenCache,
}

impl Vivo {
    pub fn new(
        http: reqwest::Client,
        url: String,
        app_id: String,
        app_key: String,
        app_secret: String,
    ) -> Self {
        Self {
            http,
            url,
            app_id,
            app_key,
            app_secret,
            token: TokenCache::default(),
        }
    }

    async fn auth_token(&self, now_ms: u64) -> Result<(String, Duration), Delivery> {
        let sign = format!(
            "{:x}",
            Md5::digest(format!(
                "{}{}{now_ms}{}",
                self.app_id, self.app_key, self.app_secret
            ))
        );
        // vivo's appId is a number.
        let app_id: serde_json::Value = self
            .app_id
            .parse::<u64>()
            .map_or_else(|_| self.app_id.clone().into(), Into::into);
        let request =
            self.http
                .post(format!("{}/message/auth", self.url))
                .json(&serde_json::json!({
                    "appId": app_id, "appKey": self.app_key, "timestamp": now_ms, "sign": sign,
                }));
        let answer = exchange("vivo", request).await?;
        match answer.body["authToken"].as_str() {
            Some(token) if answer.body["result"].as_i64() == Some(SUCCESS) => {
                Ok((token.to_owned(), TOKEN_LIFE))
            }
            _ => {
                tracing::warn!(status = %answer.status, result = %answer.body["result"],
                    desc = %answer.text("desc"), "vivo refused the app's sign-in");
                Err(Delivery::Retry)
            }
        }
    }

    fn body(push: &Outgoing<'_>) -> serde_json::Value {
        let note = push.note;
        serde_json::json!({
            "regId": push.token,
            "notifyType": 4, // sound and vibration
            "title": note.title,
            "content": note.body,
            "timeToLive": 24 * 3600,
            "skipType": 1, // open the app
            "networkType": -1,
            "classification": push.info.android.vivo_classification,
            // The same for a retried push, so vivo shows it once.
            "requestId": format!("{}-{:x}", note.message_id, stable_hash(push.token)),
            "clientCustomMap": {
                "conversationID": note.conversation_id, "ID": note.message_id, "ext": note.ext,
            },
        })
    }
}

#[async_trait]
impl Adapter for Vivo {
    async fn send(&self, push: &Outgoing<'_>) -> Delivery {
        let url = format!("{}/message/send", self.url);
        let body = Self::body(push);
        let fetch = || self.auth_token(push.now_ms);
        let attempt = |token: String| {
            let request = self.http.post(&url).header("authToken", token).json(&body);
            async move {
                let answer = match exchange("vivo", request).await {
                    Ok(answer) => answer,
                    Err(delivery) => return Attempt::Done(delivery),
                };
                let result = answer.body["result"].as_i64();
                Attempt::Done(match result {
                    Some(SUCCESS) => Delivery::Sent,
                    Some(INVALID_AUTH_TOKEN) => return Attempt::StaleToken,
                    Some(INVALID_REG_ID) => Delivery::Gone,
                    Some(RATE_LIMITED | DAILY_LIMIT) => Delivery::Retry,
                    _ if answer.transient() => Delivery::Retry,
                    _ => {
                        tracing::warn!(status = %answer.status, ?result,
                            desc = %answer.text("desc"), "vivo refused a push");
                        Delivery::Refused
                    }
                })
            }
        };
        self.token.with_token(push.now_ms, fetch, attempt).await
    }
}
