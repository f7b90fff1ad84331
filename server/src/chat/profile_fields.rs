//! Tencent's standard profile fields besides the nickname and avatar, and the app's custom
//! ones (`Tag_Profile_Custom_*`, allowed by `DUET_PROFILE_CUSTOM_TAGS`): which values each
//! takes and what an unset one reads as.

use crate::error::ChatError;
use protocol::ErrorCode;
use serde_json::Value;

/// Longest custom field value, in bytes (Tencent's limit for a custom string field).
pub const CUSTOM_MAX_BYTES: usize = 500;

/// Prefix of the app's own profile tags.
pub const CUSTOM_PREFIX: &str = "Tag_Profile_Custom_";

/// The app's custom tags from a space- or comma-separated list; a name given without
/// [`CUSTOM_PREFIX`] gets it, so "Hobby" and "Tag_Profile_Custom_Hobby" are the same tag.
pub fn custom_tags(list: &str) -> Vec<String> {
    let mut tags: Vec<String> = list
        .split([' ', ','])
        .map(|t| t.strip_prefix(CUSTOM_PREFIX).unwrap_or(t))
        .filter(|name| !name.is_empty())
        .map(|name| format!("{CUSTOM_PREFIX}{name}"))
        .collect();
    tags.sort();
    tags.dedup();
    tags
}

/// What a field holds.
enum Kind {
    /// Text of at most `max_bytes`, or one of `one_of` when that is not empty.
    Text {
        max_bytes: usize,
        one_of: &'static [&'static str],
        default: &'static str,
    },
    /// A whole number from 0 to 4294967295, 0 when unset.
    Number,
    /// Read with its default; setting it is refused until Duet acts on it.
    Fixed(&'static str),
}

const FIELDS: [(&str, Kind); 10] = [
    (
        "Tag_Profile_IM_Gender",
        Kind::Text {
            max_bytes: 32,
            one_of: &[
                "Gender_Type_Unknown",
                "Gender_Type_Female",
                "Gender_Type_Male",
            ],
            default: "Gender_Type_Unknown",
        },
    ),
    ("Tag_Profile_IM_BirthDay", Kind::Number),
    (
        "Tag_Profile_IM_Location",
        Kind::Text {
            max_bytes: 64,
            one_of: &[],
            default: "",
        },
    ),
    (
        "Tag_Profile_IM_SelfSignature",
        Kind::Text {
            max_bytes: 500,
            one_of: &[],
            default: "",
        },
    ),
    // What a friend request to this user does (`Chat::change_relations`).
    (
        "Tag_Profile_IM_AllowType",
        Kind::Text {
            max_bytes: 32,
            one_of: &[
                "AllowType_Type_NeedConfirm",
                "AllowType_Type_AllowAny",
                "AllowType_Type_DenyAny",
            ],
            default: "AllowType_Type_NeedConfirm",
        },
    ),
    ("Tag_Profile_IM_Language", Kind::Number),
    ("Tag_Profile_IM_MsgSettings", Kind::Number),
    (
        "Tag_Profile_IM_AdminForbidType",
        Kind::Fixed("AdminForbid_Type_None"),
    ),
    ("Tag_Profile_IM_Level", Kind::Number),
    ("Tag_Profile_IM_Role", Kind::Number),
];

fn invalid(message: String) -> ChatError {
    ChatError::new(ErrorCode::INVALID_ARGUMENT, message)
}

/// The rules of profile fields, with the app's custom tags.
pub struct ProfileFields<'a> {
    pub custom: &'a [String],
}

impl ProfileFields<'_> {
    fn kind(&self, tag: &str) -> Result<Option<&'static Kind>, ChatError> {
        if let Some((_, kind)) = FIELDS.iter().find(|(t, _)| *t == tag) {
            return Ok(Some(kind));
        }
        if tag.starts_with(CUSTOM_PREFIX) && self.custom.iter().any(|c| c == tag) {
            return Ok(None);
        }
        Err(invalid(format!(
            "profile tag {tag:?} is not known: use Tencent's standard tags, or a custom tag \
             allowed by DUET_PROFILE_CUSTOM_TAGS"
        )))
    }

    /// Checks a tag a backend may read; `Err` names it when it is not known.
    pub fn check_readable(&self, tag: &str) -> Result<(), ChatError> {
        self.kind(tag).map(drop)
    }

    /// What an unset field reads as.
    pub fn default(&self, tag: &str) -> Value {
        match self.kind(tag) {
            Ok(Some(Kind::Number)) => 0.into(),
            Ok(Some(Kind::Text { default, .. } | Kind::Fixed(default))) => (*default).into(),
            _ => "".into(),
        }
    }

    /// Checks a value to set; the JSON text to keep.
    pub fn check(&self, tag: &str, value: &Value) -> Result<String, ChatError> {
        let number = |v: &Value| v.as_u64().filter(|n| *n <= u64::from(u32::MAX));
        let ok = match self.kind(tag)? {
            Some(Kind::Number) => number(value).is_some(),
            Some(Kind::Text {
                max_bytes, one_of, ..
            }) => value.as_str().is_some_and(|s| {
                s.len() <= *max_bytes && (one_of.is_empty() || one_of.contains(&s))
            }),
            Some(Kind::Fixed(default)) => {
                return Err(invalid(format!(
                    "{tag} is {default} in Duet and cannot be set yet"
                )));
            }
            None => {
                value.as_str().is_some_and(|s| s.len() <= CUSTOM_MAX_BYTES)
                    || number(value).is_some()
            }
        };
        if !ok {
            return Err(invalid(format!(
                "{value} is not a valid value for {tag} (see docs/rest-api.md)"
            )));
        }
        Ok(value.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_tags_are_named_with_or_without_their_prefix() {
        assert_eq!(
            custom_tags("Hobby, Tag_Profile_Custom_City  Hobby"),
            ["Tag_Profile_Custom_City", "Tag_Profile_Custom_Hobby"]
        );
        assert!(custom_tags(" , Tag_Profile_Custom_").is_empty());
    }

    #[test]
    fn standard_and_allowed_custom_fields_are_checked() {
        let custom = ["Tag_Profile_Custom_Hobby".to_owned()];
        let f = ProfileFields { custom: &custom };
        assert_eq!(
            f.check("Tag_Profile_IM_Gender", &"Gender_Type_Male".into())
                .unwrap(),
            "\"Gender_Type_Male\""
        );
        assert!(f.check("Tag_Profile_IM_Gender", &"Male".into()).is_err());
        assert_eq!(
            f.check("Tag_Profile_IM_BirthDay", &19800101.into())
                .unwrap(),
            "19800101"
        );
        assert!(f.check("Tag_Profile_IM_BirthDay", &(-1).into()).is_err());
        assert!(
            f.check("Tag_Profile_IM_SelfSignature", &"x".repeat(501).into())
                .is_err()
        );
        assert!(
            f.check(
                "Tag_Profile_IM_AllowType",
                &"AllowType_Type_AllowAny".into()
            )
            .is_ok()
        );
        let send_out = "AdminForbid_Type_SendOut".into();
        assert!(
            f.check("Tag_Profile_IM_AdminForbidType", &send_out)
                .is_err(),
            "read only"
        );
        assert!(f.check("Tag_Profile_Custom_Hobby", &"chess".into()).is_ok());
        assert!(f.check("Tag_Profile_Custom_Other", &"x".into()).is_err());
        assert_eq!(
            f.default("Tag_Profile_IM_AllowType"),
            "AllowType_Type_NeedConfirm"
        );
        assert_eq!(f.default("Tag_Profile_IM_Level"), 0);
        assert_eq!(f.default("Tag_Profile_Custom_Hobby"), "");
    }
}
