//! Push credentials and endpoints, from flags or `DUET_PUSH_<VENDOR>_…` variables. A vendor
//! is used when all of its credentials are given; none: its registrations are kept and not
//! pushed; some but not all: the server does not start, naming what is missing.

use clap::Args;
use std::path::PathBuf;

/// The VAPID subject unless configured: push services accept any `mailto:`.
pub const DEFAULT_VAPID_SUBJECT: &str = "mailto:push@duet.invalid";

/// Every push setting. The URLs default to each vendor's public service; set them to reach a
/// private deployment or a test double.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Offline push")]
pub struct PushConfig {
    /// How push services can reach you (the VAPID subject of Web Push): a mailto: or https:
    /// URL [default: mailto:push@duet.invalid].
    #[arg(long, env = "DUET_PUSH_VAPID_SUBJECT")]
    pub push_vapid_subject: Option<String>,

    /// APNs: the token-auth key (`AuthKey_XXXXXXXXXX.p8`) from Apple's developer account.
    #[arg(long, env = "DUET_PUSH_APNS_KEY_FILE")]
    pub push_apns_key_file: Option<PathBuf>,
    /// APNs: the key's ID (10 characters).
    #[arg(long, env = "DUET_PUSH_APNS_KEY_ID")]
    pub push_apns_key_id: Option<String>,
    /// APNs: the team ID the key belongs to.
    #[arg(long, env = "DUET_PUSH_APNS_TEAM_ID")]
    pub push_apns_team_id: Option<String>,
    /// APNs: the app's bundle ID (the `apns-topic`).
    #[arg(long, env = "DUET_PUSH_APNS_TOPIC")]
    pub push_apns_topic: Option<String>,
    /// APNs base URL [default: https://api.push.apple.com; development builds:
    /// https://api.sandbox.push.apple.com].
    #[arg(long, env = "DUET_PUSH_APNS_URL")]
    pub push_apns_url: Option<String>,

    /// FCM: the Firebase service account's key file (JSON, from the Firebase console).
    #[arg(long, env = "DUET_PUSH_FCM_SERVICE_ACCOUNT_FILE")]
    pub push_fcm_service_account_file: Option<PathBuf>,
    /// FCM base URL [default: https://fcm.googleapis.com]. The OAuth2 token comes from the
    /// service account's `token_uri`.
    #[arg(long, env = "DUET_PUSH_FCM_URL")]
    pub push_fcm_url: Option<String>,

    /// Huawei Push Kit: the app's App ID (also its OAuth2 client ID).
    #[arg(long, env = "DUET_PUSH_HUAWEI_APP_ID")]
    pub push_huawei_app_id: Option<String>,
    /// Huawei Push Kit: the app's App Secret.
    #[arg(long, env = "DUET_PUSH_HUAWEI_APP_SECRET", hide_env_values = true)]
    pub push_huawei_app_secret: Option<String>,
    /// Huawei push base URL [default: https://push-api.cloud.huawei.com].
    #[arg(long, env = "DUET_PUSH_HUAWEI_URL")]
    pub push_huawei_url: Option<String>,
    /// Huawei OAuth2 base URL [default: https://oauth-login.cloud.huawei.com].
    #[arg(long, env = "DUET_PUSH_HUAWEI_AUTH_URL")]
    pub push_huawei_auth_url: Option<String>,

    /// Xiaomi: the app's AppSecret.
    #[arg(long, env = "DUET_PUSH_XIAOMI_APP_SECRET", hide_env_values = true)]
    pub push_xiaomi_app_secret: Option<String>,
    /// Xiaomi: the app's package name (`restricted_package_name`).
    #[arg(long, env = "DUET_PUSH_XIAOMI_PACKAGE")]
    pub push_xiaomi_package: Option<String>,
    /// Xiaomi base URL [default: https://api.xmpush.xiaomi.com].
    #[arg(long, env = "DUET_PUSH_XIAOMI_URL")]
    pub push_xiaomi_url: Option<String>,

    /// OPPO: the app's AppKey.
    #[arg(long, env = "DUET_PUSH_OPPO_APP_KEY")]
    pub push_oppo_app_key: Option<String>,
    /// OPPO: the app's MasterSecret.
    #[arg(long, env = "DUET_PUSH_OPPO_MASTER_SECRET", hide_env_values = true)]
    pub push_oppo_master_secret: Option<String>,
    /// OPPO base URL [default: https://api.push.oppomobile.com].
    #[arg(long, env = "DUET_PUSH_OPPO_URL")]
    pub push_oppo_url: Option<String>,

    /// vivo: the app's AppID.
    #[arg(long, env = "DUET_PUSH_VIVO_APP_ID")]
    pub push_vivo_app_id: Option<String>,
    /// vivo: the app's AppKey.
    #[arg(long, env = "DUET_PUSH_VIVO_APP_KEY")]
    pub push_vivo_app_key: Option<String>,
    /// vivo: the app's AppSecret.
    #[arg(long, env = "DUET_PUSH_VIVO_APP_SECRET", hide_env_values = true)]
    pub push_vivo_app_secret: Option<String>,
    /// vivo base URL [default: https://api-push.vivo.com.cn].
    #[arg(long, env = "DUET_PUSH_VIVO_URL")]
    pub push_vivo_url: Option<String>,

    /// Meizu: the app's AppId.
    #[arg(long, env = "DUET_PUSH_MEIZU_APP_ID")]
    pub push_meizu_app_id: Option<String>,
    /// Meizu: the app's AppSecret.
    #[arg(long, env = "DUET_PUSH_MEIZU_APP_SECRET", hide_env_values = true)]
    pub push_meizu_app_secret: Option<String>,
    /// Meizu base URL [default: https://server-api-push.meizu.com].
    #[arg(long, env = "DUET_PUSH_MEIZU_URL")]
    pub push_meizu_url: Option<String>,
}

impl PushConfig {
    pub fn vapid_subject(&self) -> &str {
        self.push_vapid_subject
            .as_deref()
            .filter(|s| !s.is_empty())
            .unwrap_or(DEFAULT_VAPID_SUBJECT)
    }
}

/// A vendor's credentials: all of `N` given, none, or an error naming the missing ones.
pub fn all_or_none<const N: usize>(
    vendor: &str,
    given: [(&str, Option<&str>); N],
) -> Result<Option<[String; N]>, String> {
    let missing: Vec<&str> = given
        .iter()
        .filter(|(_, v)| v.is_none_or(str::is_empty))
        .map(|(name, _)| *name)
        .collect();
    match missing.len() {
        0 => Ok(Some(given.map(|(_, v)| v.unwrap_or_default().to_owned()))),
        n if n == N => Ok(None),
        _ => Err(format!(
            "{vendor} push is partly configured: {} missing",
            missing.join(", ")
        )),
    }
}

/// `url`, or the vendor's public service, without a trailing slash.
pub fn base_url(url: Option<&String>, default: &str) -> String {
    url.map_or(default, |u| u.as_str())
        .trim_end_matches('/')
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::all_or_none;

    #[test]
    fn credentials_come_all_together_or_not_at_all() {
        assert_eq!(
            all_or_none("x", [("A", Some("1")), ("B", Some("2"))]),
            Ok(Some(["1".to_owned(), "2".to_owned()]))
        );
        assert_eq!(all_or_none("x", [("A", None), ("B", Some(""))]), Ok(None));
        let e = all_or_none("Xiaomi", [("A", Some("1")), ("B", None)]).unwrap_err();
        assert!(
            e.contains("Xiaomi") && e.contains('B') && !e.contains("A,"),
            "{e}"
        );
    }
}
