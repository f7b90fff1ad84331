//! Offline push: the services a device registers with, and a message's push settings (Tencent
//! IM's `OfflinePushInfo`, in its REST shape, as the REST API's `sendmsg` and the SDK's
//! `sendMessage(msg, { offlinePushInfo })` give it). The server pushes a message to every
//! registration of a recipient who has no device online.

use serde::{Deserialize, Serialize};

/// Longest `Title`, `Desc`, `Ext` or vendor field, in bytes.
pub const PUSH_TEXT_MAX_BYTES: usize = 1024;

/// Longest push token, in bytes (a Web Push subscription's JSON included).
pub const PUSH_TOKEN_MAX_BYTES: usize = 4096;

/// A push service a device registers its token with.
/// Read by name (`decode.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Vendor {
    /// Browsers (RFC 8030); the token is the `PushSubscription` as JSON.
    Webpush,
    Apns,
    Fcm,
    Huawei,
    Xiaomi,
    Oppo,
    Vivo,
    Meizu,
}

impl Vendor {
    pub const ALL: [Vendor; 8] = [
        Vendor::Webpush,
        Vendor::Apns,
        Vendor::Fcm,
        Vendor::Huawei,
        Vendor::Xiaomi,
        Vendor::Oppo,
        Vendor::Vivo,
        Vendor::Meizu,
    ];

    /// Each vendor's name, in the order of [`Vendor::ALL`] (and of the variants).
    pub const NAMES: [&'static str; 8] = [
        "webpush", "apns", "fcm", "huawei", "xiaomi", "oppo", "vivo", "meizu",
    ];

    pub fn as_str(self) -> &'static str {
        Vendor::NAMES[self as usize]
    }

    pub fn parse(name: &str) -> Option<Vendor> {
        Vendor::ALL.into_iter().find(|v| v.as_str() == name)
    }
}

/// A browser's push subscription (`PushSubscription.toJSON()`): the token of a `webpush`
/// registration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct WebPushSubscription {
    /// The push service's URL for this subscription (`https://`).
    pub endpoint: String,
    pub keys: WebPushKeys,
}

/// The subscription's keys, base64url: its P-256 public key and its 16-byte auth secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct WebPushKeys {
    pub p256dh: String,
    pub auth: String,
}

/// `GET /duet/push/vapid`: the server's VAPID public key (base64url, uncompressed P-256), for
/// `pushManager.subscribe({ applicationServerKey })`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct VapidKey {
    #[serde(rename = "publicKey")]
    pub public_key: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OfflinePushInfo {
    /// 0: push (the default); 1: do not push this message.
    #[serde(rename = "PushFlag", default)]
    pub push_flag: u8,
    /// The notification's title; empty: the sender's nickname.
    #[serde(rename = "Title", default)]
    pub title: String,
    /// The notification's text; empty: made from the message.
    #[serde(rename = "Desc", default)]
    pub desc: String,
    /// App data passed through to the device.
    #[serde(rename = "Ext", default)]
    pub ext: String,
    #[serde(rename = "AndroidInfo", default)]
    pub android: AndroidPushInfo,
    #[serde(rename = "ApnsInfo", default)]
    pub apns: ApnsPushInfo,
}

/// Android vendors' settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AndroidPushInfo {
    #[serde(rename = "Sound", default)]
    pub sound: String,
    #[serde(rename = "HuaWeiChannelID", default)]
    pub huawei_channel_id: String,
    #[serde(rename = "XiaoMiChannelID", default)]
    pub xiaomi_channel_id: String,
    #[serde(rename = "OPPOChannelID", default)]
    pub oppo_channel_id: String,
    #[serde(rename = "GoogleChannelID", default)]
    pub google_channel_id: String,
    /// vivo's message class: 0 operational, 1 system.
    #[serde(rename = "VIVOClassification", default)]
    pub vivo_classification: u8,
}

/// Apple's settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ApnsPushInfo {
    #[serde(rename = "Sound", default)]
    pub sound: String,
    /// 0: the badge counts this message; 1: it leaves the badge as it is.
    #[serde(rename = "BadgeMode", default)]
    pub badge_mode: u8,
    #[serde(rename = "Title", default)]
    pub title: String,
    #[serde(rename = "SubTitle", default)]
    pub sub_title: String,
}

/// A user's quiet hours for offline push, the same on all of its devices (Tencent's
/// `setAllReceiveMessageOpt`): while `quiet` and the time is in the window, messages arrive as
/// always but no notification goes out. The window runs from `start_s` to `end_s` (Unix
/// seconds); when `repeated`, at that time of day every day, and then at most a day long.
/// Not `quiet` (the default): every message may notify.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ReceiveOpt {
    #[serde(default)]
    pub quiet: bool,
    #[serde(default)]
    pub start_s: u64,
    #[serde(default)]
    pub end_s: u64,
    #[serde(default)]
    pub repeated: bool,
}

/// A day, the longest window of repeated quiet hours.
pub const DAY_S: u64 = 86_400;

/// The latest time a window may end: the end of the year 9999, as Unix seconds.
pub const MAX_QUIET_END_S: u64 = 253_402_300_799;

impl ReceiveOpt {
    /// Checks the window of quiet hours: it ends no earlier than it starts, by the year 9999,
    /// and a repeated one lasts at most a day. Whatever the window, not `quiet` passes (its
    /// times are not used).
    pub fn check(&self) -> Result<(), String> {
        if !self.quiet {
            return Ok(());
        }
        if self.end_s < self.start_s || self.end_s > MAX_QUIET_END_S {
            return Err(
                "quiet hours must end no earlier than they start, and by the year 9999".into(),
            );
        }
        if self.repeated && self.end_s - self.start_s > DAY_S {
            return Err("repeated quiet hours last at most a day (86400 seconds)".into());
        }
        Ok(())
    }

    /// Whether a notification at `now_s` (Unix seconds) is held back.
    pub fn silences(&self, now_s: u64) -> bool {
        let length = self.end_s.saturating_sub(self.start_s);
        if !self.quiet || length == 0 {
            return false;
        }
        match self.repeated {
            // The same time of day, every day: before the first window too.
            true => {
                (now_s as i128 - self.start_s as i128).rem_euclid(DAY_S as i128) < length as i128
            }
            false => (self.start_s..self.end_s).contains(&now_s),
        }
    }
}

impl OfflinePushInfo {
    /// Whether the sender turned the push off.
    pub fn disabled(&self) -> bool {
        self.push_flag == 1
    }

    /// Checks the flags and that no text is longer than [`PUSH_TEXT_MAX_BYTES`]; the error names
    /// the field.
    pub fn check(&self) -> Result<(), String> {
        let flags = [
            ("PushFlag", self.push_flag),
            ("ApnsInfo.BadgeMode", self.apns.badge_mode),
            (
                "AndroidInfo.VIVOClassification",
                self.android.vivo_classification,
            ),
        ];
        if let Some((name, value)) = flags.iter().find(|(_, v)| *v > 1) {
            return Err(format!(
                "OfflinePushInfo.{name} must be 0 or 1, got {value}"
            ));
        }
        let texts = [
            ("Title", &self.title),
            ("Desc", &self.desc),
            ("Ext", &self.ext),
            ("AndroidInfo.Sound", &self.android.sound),
            (
                "AndroidInfo.HuaWeiChannelID",
                &self.android.huawei_channel_id,
            ),
            (
                "AndroidInfo.XiaoMiChannelID",
                &self.android.xiaomi_channel_id,
            ),
            ("AndroidInfo.OPPOChannelID", &self.android.oppo_channel_id),
            (
                "AndroidInfo.GoogleChannelID",
                &self.android.google_channel_id,
            ),
            ("ApnsInfo.Sound", &self.apns.sound),
            ("ApnsInfo.Title", &self.apns.title),
            ("ApnsInfo.SubTitle", &self.apns.sub_title),
        ];
        match texts.iter().find(|(_, t)| t.len() > PUSH_TEXT_MAX_BYTES) {
            Some((name, t)) => Err(format!(
                "OfflinePushInfo.{name} is {} bytes; the limit is {PUSH_TEXT_MAX_BYTES}",
                t.len()
            )),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tencents_shape_and_checks_it() {
        let info: OfflinePushInfo = serde_json::from_str(
            r#"{"PushFlag":0,"Title":"t","Desc":"d","Ext":"{}","AndroidInfo":{"OPPOChannelID":"c"},
                "ApnsInfo":{"BadgeMode":1,"Sound":"a.mp3"},"Unknown":1}"#,
        )
        .unwrap();
        assert_eq!(info.android.oppo_channel_id, "c");
        assert_eq!(info.apns.badge_mode, 1);
        assert!(info.check().is_ok() && !info.disabled());
        let long = OfflinePushInfo {
            desc: "x".repeat(PUSH_TEXT_MAX_BYTES + 1),
            ..OfflinePushInfo::default()
        };
        assert!(long.check().unwrap_err().contains("Desc"));
        let flag = OfflinePushInfo {
            push_flag: 2,
            ..OfflinePushInfo::default()
        };
        assert!(flag.check().unwrap_err().contains("PushFlag"));
    }

    #[test]
    fn quiet_hours_hold_back_notifications_in_their_window_only() {
        let day0 = 1_700_006_400; // a midnight, UTC
        let evening = ReceiveOpt {
            quiet: true,
            start_s: day0 + 22 * 3600,
            end_s: day0 + 30 * 3600, // 22:00 to 06:00
            repeated: true,
        };
        assert!(evening.check().is_ok());
        let at = |h: u64| day0 + h * 3600;
        for (time, held) in [
            (at(21), false),
            (at(22), true),
            (at(29), true), // 05:00 the next day
            (at(30), false),
            (at(46) + 1, true), // the next day's window, 22:00:01
            (at(5), true),      // the morning before it was set: the window before
            (at(12), false),
        ] {
            assert_eq!(evening.silences(time), held, "at {time}");
        }
        let once = ReceiveOpt {
            repeated: false,
            ..evening.clone()
        };
        assert!(once.silences(at(23)) && !once.silences(at(46) + 1) && !once.silences(at(5)));
        let off = ReceiveOpt {
            quiet: false,
            ..evening.clone()
        };
        assert!(!off.silences(at(23)));
        let empty = ReceiveOpt {
            end_s: evening.start_s,
            ..evening.clone()
        };
        assert!(empty.check().is_ok() && !empty.silences(evening.start_s));

        let longer = ReceiveOpt {
            end_s: evening.start_s + DAY_S + 1,
            ..evening.clone()
        };
        assert!(longer.check().unwrap_err().contains("at most a day"));
        assert!(
            ReceiveOpt {
                repeated: false,
                ..longer.clone()
            }
            .check()
            .is_ok()
        );
        let backwards = ReceiveOpt {
            end_s: evening.start_s - 1,
            ..evening.clone()
        };
        assert!(backwards.check().unwrap_err().contains("no earlier"));
        let far = ReceiveOpt {
            end_s: MAX_QUIET_END_S + 1,
            repeated: false,
            ..evening.clone()
        };
        assert!(far.check().is_err());
        assert!(
            ReceiveOpt {
                quiet: false,
                ..far
            }
            .check()
            .is_ok(),
            "times unused"
        );
    }
}
