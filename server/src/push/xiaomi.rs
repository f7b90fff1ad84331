//! Xiaomi Push: a form `POST /v3/message/regid` authorized with the app's secret
//! (`Authorization: key=<AppSecret>`). Xiaomi answers with `result` `ok` or `error` and a code.

use super::http::{exchange, stable_hash};
use super::{Adapter, Delivery, Outgoing};
use async_trait::async_trait;

pub const DEFAULT_URL: &str = "https://api.xmpush.xiaomi.com";

/// "No valid targets!": the registration ID is unknown or unsubscribed.
const NO_VALID_TARGETS: i64 = 20301;
/// How long Xiaomi keeps the notification for an unreachable phone, in milliseconds.
const TIME_TO_LIVE_MS: u64 = 24 * 3600 * 1000;

pub struct Xiaomi {
    http: reqwest::Client,
    url: String,
    app_secret: String,
    package: String,
}

impl Xiaomi {
    pub fn new(http: reqwest::Client, url: String, app_secret: String, package: String) -> Self {
        Self {
            http,
            url,
            app_secret,
            package,
        }
    }
}

#[async_trait]
impl Adapter for Xiaomi {
    async fn send(&self, push: &Outgoing<'_>) -> Delivery {
        let (note, android) = (push.note, &push.info.android);
        let payload = serde_json::json!({
            "conversationID": note.conversation_id, "ID": note.message_id, "ext": note.ext,
        })
        .to_string();
        let ttl = TIME_TO_LIVE_MS.to_string();
        // One notification per conversation: a burst replaces rather than stacks.
        let notify_id = (stable_hash(&note.conversation_id) % 1_000_000).to_string();
        let mut form = vec![
            ("registration_id", push.token),
            ("restricted_package_name", self.package.as_str()),
            ("title", note.title.as_str()),
            ("description", note.body.as_str()),
            ("payload", payload.as_str()),
            ("pass_through", "0"),
            ("notify_type", "-1"), // sound, vibration and light as the phone is set
            ("notify_id", notify_id.as_str()),
            ("time_to_live", ttl.as_str()),
        ];
        if !android.xiaomi_channel_id.is_empty() {
            form.push(("extra.channel_id", android.xiaomi_channel_id.as_str()));
        }
        if !android.sound.is_empty() {
            form.push(("extra.sound_uri", android.sound.as_str()));
        }
        let request = self
            .http
            .post(format!("{}/v3/message/regid", self.url))
            .header("authorization", format!("key={}", self.app_secret))
            .form(&form);
        let answer = match exchange("xiaomi", request).await {
            Ok(answer) => answer,
            Err(delivery) => return delivery,
        };
        let code = answer.body["code"].as_i64();
        match (answer.text("result").as_str(), code) {
            ("ok", _) => Delivery::Sent,
            (_, Some(NO_VALID_TARGETS)) => Delivery::Gone,
            _ if answer.transient() => Delivery::Retry,
            _ => {
                tracing::warn!(status = %answer.status, ?code, reason = %answer.text("reason"),
                    "Xiaomi refused a push");
                Delivery::Refused
            }
        }
    }
}
