//! A friendship's own fields, Tencent's `Tag_SNS_IM_*`: the remark and groups the owner gives a
//! friend, and how and when the friendship was made. What each takes and reads as.

use crate::error::ChatError;
use protocol::ErrorCode;
use serde_json::Value;
use std::collections::BTreeMap;

pub const REMARK: &str = "Tag_SNS_IM_Remark";
pub const GROUP: &str = "Tag_SNS_IM_Group";
pub const ADD_SOURCE: &str = "Tag_SNS_IM_AddSource";
pub const ADD_WORDING: &str = "Tag_SNS_IM_AddWording";
pub const ADD_TIME: &str = "Tag_SNS_IM_AddTime";

/// Tencent's limits: a remark of 96 bytes, 32 groups of 30 bytes, a source keyword of 8 bytes
/// after its prefix, a greeting of 256 bytes.
const REMARK_MAX_BYTES: usize = 96;
const GROUPS_MAX: usize = 32;
const GROUP_MAX_BYTES: usize = 30;
const ADD_SOURCE_PREFIX: &str = "AddSource_Type_";
const ADD_SOURCE_KEYWORD_MAX_BYTES: usize = 8;
const ADD_WORDING_MAX_BYTES: usize = 256;

/// Whether `tag` is a friendship field.
pub fn is_friend_field(tag: &str) -> bool {
    [REMARK, GROUP, ADD_SOURCE, ADD_WORDING, ADD_TIME].contains(&tag)
}

fn invalid(message: String) -> ChatError {
    ChatError::new(ErrorCode::INVALID_ARGUMENT, message)
}

/// Checks a value to keep for `tag`; its JSON text. `friend_update` may set the remark and the
/// groups; adding or importing a friend also how (and, importing, when) it was made.
pub fn check(tag: &str, value: &Value, adding: bool) -> Result<String, ChatError> {
    let text = |max: usize| value.as_str().is_some_and(|s| s.len() <= max);
    let ok = match tag {
        REMARK => text(REMARK_MAX_BYTES),
        GROUP => value.as_array().is_some_and(|groups| {
            groups.len() <= GROUPS_MAX
                && groups.iter().all(|g| {
                    g.as_str()
                        .is_some_and(|g| !g.is_empty() && g.len() <= GROUP_MAX_BYTES)
                })
        }),
        ADD_SOURCE if adding => value.as_str().is_some_and(|s| {
            s.strip_prefix(ADD_SOURCE_PREFIX)
                .is_some_and(|k| !k.is_empty() && k.len() <= ADD_SOURCE_KEYWORD_MAX_BYTES)
        }),
        ADD_WORDING if adding => text(ADD_WORDING_MAX_BYTES),
        ADD_TIME if adding => value.as_u64().is_some(),
        _ => {
            return Err(invalid(format!(
                "{tag} cannot be set here: friend_update sets {REMARK} and {GROUP}"
            )));
        }
    };
    if ok {
        Ok(value.to_string())
    } else {
        Err(invalid(format!(
            "{value} is not a valid value for {tag} (see docs/rest-api.md)"
        )))
    }
}

/// What `tag` reads as for a friendship with these kept `fields`, made at `since_ms`.
pub fn read(tag: &str, fields: Option<&BTreeMap<String, String>>, since_ms: u64) -> Value {
    if let Some(value) = fields
        .and_then(|f| f.get(tag))
        .and_then(|v| serde_json::from_str(v).ok())
    {
        return value;
    }
    match tag {
        ADD_TIME => (since_ms / 1000).into(),
        GROUP => Value::Array(Vec::new()),
        _ => "".into(),
    }
}

/// The fields given with a friend as it is added (`friend_add`, `friend_import`), checked.
pub fn given(
    remark: Option<String>,
    groups: Option<Value>,
    add_source: Option<String>,
    add_wording: Option<String>,
    add_time: Option<u64>,
) -> Result<Vec<(String, String)>, ChatError> {
    [
        (REMARK, remark.map(Value::from)),
        (GROUP, groups),
        (ADD_SOURCE, add_source.map(Value::from)),
        (ADD_WORDING, add_wording.map(Value::from)),
        (ADD_TIME, add_time.map(Value::from)),
    ]
    .into_iter()
    .filter_map(|(tag, value)| value.map(|v| (tag, v)))
    .map(|(tag, v)| Ok((tag.to_owned(), check(tag, &v, true)?)))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_checked_as_tencent_limits_them() {
        assert!(check(REMARK, &"Best friend".into(), false).is_ok());
        assert!(check(REMARK, &"x".repeat(97).into(), false).is_err());
        assert!(check(GROUP, &serde_json::json!(["work", "chess"]), false).is_ok());
        assert!(check(GROUP, &serde_json::json!([""]), false).is_err());
        assert!(
            check(ADD_SOURCE, &"AddSource_Type_Web".into(), false).is_err(),
            "import only"
        );
        assert!(check(ADD_SOURCE, &"AddSource_Type_Web".into(), true).is_ok());
        assert!(check(ADD_SOURCE, &"Web".into(), true).is_err());
        assert_eq!(read(ADD_TIME, None, 5_000), 5);
        let kept = BTreeMap::from([(ADD_TIME.to_owned(), "7".to_owned())]);
        assert_eq!(read(ADD_TIME, Some(&kept), 5_000), 7);
        assert_eq!(read(GROUP, Some(&kept), 0), serde_json::json!([]));
    }
}
