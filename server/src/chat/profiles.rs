//! A user's profile fields besides the nickname and avatar, as users set and read them over
//! the WebSocket; the REST API's `portrait_set` and `portrait_get` keep them by the same rules
//! ([`super::profile_fields`]).

use super::profile_fields::ProfileFields;
use super::{Chat, check_user_count};
use crate::error::ChatError;
use crate::storage::ProfileUpdate;
use crate::webhooks::{Hook, Platform};
use protocol::rest::{TAG_IMAGE, TAG_NICK, TagValue};
use protocol::{Profile, ProfileDetails, UserId};

impl Chat {
    /// The rules of profile fields, with this app's custom tags.
    pub fn profile_fields(&self) -> ProfileFields<'_> {
        ProfileFields {
            custom: &self.config.profile_custom_tags,
        }
    }

    /// The fields of a user's own profile as tags to keep, each checked; the first refused
    /// one fails them all. Neither they nor the new `nick` hold a word of the keyword
    /// libraries (80001, as Tencent refuses them); the app's backend's are not checked for
    /// words.
    pub fn checked_own_profile(
        &self,
        nick: Option<&str>,
        details: ProfileDetails,
    ) -> Result<Vec<(String, String)>, ChatError> {
        let texts = [nick, details.self_signature.as_deref()];
        (self.keywords).check_texts("the profile", texts.into_iter().flatten())?;
        let rules = self.profile_fields();
        details
            .to_tags()
            .into_iter()
            .map(|(tag, value)| Ok((tag.clone(), rules.check(&tag, &value)?)))
            .collect()
    }

    /// Keeps checked profile fields ([`Chat::checked_own_profile`]).
    pub async fn keep_profile_tags(
        &self,
        user: &UserId,
        tags: Vec<(String, String)>,
    ) -> Result<(), ChatError> {
        if !tags.is_empty() {
            self.storage.set_profile_tags(user, tags).await?;
        }
        Ok(())
    }

    /// Tells the app's backend of the profile fields just set for `user`, from a device or by
    /// its REST call (`Profile.CallbackPortraitSet`): the nickname and avatar of `update` and
    /// the kept `tags` (values as JSON text).
    pub fn tell_profile_set(
        &self,
        user: &UserId,
        update: &ProfileUpdate,
        tags: &[(String, String)],
        platform: Platform,
    ) {
        if !self.webhooks.wants(Hook::PortraitSet) {
            return;
        }
        let text = |tag: &str, value: &Option<String>| {
            (value.as_deref()).map(|v| TagValue {
                tag: tag.to_owned(),
                value: v.into(),
            })
        };
        let named = [
            text(TAG_NICK, &update.nick),
            text(TAG_IMAGE, &update.avatar),
        ];
        let fields = tags.iter().map(|(tag, json)| TagValue {
            tag: tag.clone(),
            value: serde_json::from_str(json).unwrap_or_else(|_| json.as_str().into()),
        });
        let items = named.into_iter().flatten().chain(fields).collect();
        (self.webhooks).portrait_set(user, items, platform, self.clock.now_ms());
    }

    /// The profiles of those of `users` that exist, in order, with every field set.
    pub async fn full_profiles(&self, users: &[UserId]) -> Result<Vec<Profile>, ChatError> {
        check_user_count(users.len())?;
        let mut profiles = self.storage.profiles(users).await?;
        let tags = self.storage.profile_tags(users).await?;
        for p in &mut profiles {
            let own = tags.iter().filter(|(u, _, _)| u == &p.user_id);
            p.details = ProfileDetails::from_tags(own.map(|(_, t, v)| (t.as_str(), v.as_str())));
        }
        Ok(profiles)
    }
}
