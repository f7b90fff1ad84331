//! Meizu Push (Flyme): a form `POST /garcia/api/server/push/varnished/pushByPushId` signed with
//! `md5` of its parameters as sorted `key=value` pairs followed by the app's secret. Meizu
//! answers `code` "200" and lists, under `value`, the push IDs that failed and why.

use super::http::exchange;
use super::{Adapter, Delivery, Outgoing};
use async_trait::async_trait;
use md5::{Digest, Md5};

pub const DEFAULT_URL: &str = "https://server-api-push.meizu.com";

/// Meizu's codes.
const SUCCESS: &str = "200";
const SYSTEM_ERROR: &str = "1001";
const SERVER_BUSY: &str = "1003";
const RATE_LIMITED: &str = "110010";
/// Per push ID, under `value`: unsubscribed, and not a push ID.
const PUSH_ID_UNSUBSCRIBED: &str = "110002";
const PUSH_ID_INVALID: &str = "110003";

pub struct Meizu {
    http: reqwest::Client,
    url: String,
    app_id: String,
    app_secret: String,
}

impl Meizu {
    pub fn new(http: reqwest::Client, url: String, app_id: String, app_secret: String) -> Self {
        Self {
            http,
            url,
            app_id,
            app_secret,
        }
    }

    fn message(push: &Outgoing<'_>) -> String {
        let note = push.note;
        serde_json::json!({
            "noticeBarInfo": { "noticeBarType": 0, "title": note.title, "content": note.body },
            "clickTypeInfo": {
                "clickType": 0, // open the app
                "parameters": {
                    "conversationID": note.conversation_id, "ID": note.message_id, "ext": note.ext,
                },
            },
            "pushTimeInfo": { "offLine": 1, "validTime": 24 },
        })
        .to_string()
    }
}

/// Meizu's signature: `md5(k1=v1k2=v2…secret)` over the parameters sorted by name.
pub fn sign(params: &[(&str, &str)], secret: &str) -> String {
    let mut sorted = params.to_vec();
    sorted.sort_unstable();
    let mut text: String = sorted.iter().map(|(k, v)| format!("{k}={v}")).collect();
    text.push_str(secret);
    format!("{:x}", Md5::digest(text))
}

#[async_trait]
impl Adapter for Meizu {
    async fn send(&self, push: &Outgoing<'_>) -> Delivery {
        let message = Self::message(push);
        let mut form = vec![
            ("appId", self.app_id.as_str()),
            ("pushIds", push.token),
            ("messageJson", message.as_str()),
        ];
        let sign = sign(&form, &self.app_secret);
        form.push(("sign", &sign));
        let request = self
            .http
            .post(format!(
                "{}/garcia/api/server/push/varnished/pushByPushId",
                self.url
            ))
            .form(&form);
        let answer = match exchange("meizu", request).await {
            Ok(answer) => answer,
            Err(delivery) => return delivery,
        };
        let failed = |code: &str| {
            answer.body["value"][code]
                .as_array()
                .is_some_and(|ids| ids.iter().any(|id| id == push.token))
        };
        match answer.text("code").as_str() {
            SUCCESS if failed(PUSH_ID_UNSUBSCRIBED) || failed(PUSH_ID_INVALID) => Delivery::Gone,
            SUCCESS => Delivery::Sent,
            SYSTEM_ERROR | SERVER_BUSY | RATE_LIMITED => Delivery::Retry,
            _ if answer.transient() => Delivery::Retry,
            code => {
                tracing::warn!(status = %answer.status, code, message = %answer.text("message"),
                    "Meizu refused a push");
                Delivery::Refused
            }
        }
    }
}
