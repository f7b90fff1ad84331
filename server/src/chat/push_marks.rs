//! What a push to every account can be aimed by (Tencent's `all_member_push/im_set_attr_name`,
//! `im_set_attr`, `im_add_tag` and the rest): the app names up to ten push attributes, each
//! account has a value for some of them and a set of tags, and a push's `Condition` picks the
//! accounts by them.
//!
//! The names are one app setting; an account's attributes and tags are two profile fields of
//! their own, which no profile read returns and which leave with the account. Each change is
//! one [`Storage::update`](crate::storage::Storage::update), so two at once, on any nodes, do
//! not lose either.

use super::{Chat, read_stored};
use crate::error::ChatError;
use crate::storage::Slot;
use protocol::rest::PushCondition;
use protocol::{ErrorCode, UserId};
use std::collections::BTreeMap;

/// The setting the attribute names are kept under (JSON: number → name).
const NAMES_KEY: &str = "push_attr_names";
/// The profile fields of an account's attributes (JSON object) and tags (JSON array).
const ATTRS_TAG: &str = "Duet_PushAttrs";
const TAGS_TAG: &str = "Duet_PushTags";
/// As in Tencent IM: ten attributes, numbered 0 to 9; names, values and tags of 1 to 50
/// bytes; at most 10 tags added to an account at once and 100 kept; at most 10 tags in a
/// condition.
const MAX_ATTRS: u8 = 10;
const MAX_TEXT_BYTES: usize = 50;
const MAX_TAGS_ADDED: usize = 10;
const MAX_TAGS: usize = 100;
const MAX_CONDITION_TAGS: usize = 10;
/// What they are called when stored ones cannot be read.
const MARKS: &str = "push attributes and tags";

/// An account's attributes (name → value) and tags.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PushMarks {
    pub attrs: BTreeMap<String, String>,
    pub tags: Vec<String>,
}

/// A change to an account's marks.
pub enum MarksChange {
    SetAttrs(BTreeMap<String, String>),
    RemoveAttrs(Vec<String>),
    AddTags(Vec<String>),
    RemoveTags(Vec<String>),
    RemoveAllTags,
}

fn invalid(message: String) -> ChatError {
    ChatError::new(ErrorCode::PUSH_ATTR_INVALID, message)
}

/// Refuses an empty text or one over 50 bytes; `what` names it.
fn check_text(what: &str, text: &str) -> Result<(), ChatError> {
    if text.is_empty() || text.len() > MAX_TEXT_BYTES {
        return Err(invalid(format!(
            "{what} {text:?} must be 1 to {MAX_TEXT_BYTES} bytes"
        )));
    }
    Ok(())
}

/// Whether `marks` meet `condition`: every tag of `TagsAnd`, one of `TagsOr`, every value of
/// `AttrsAnd` and one of `AttrsOr`, each part that is empty not narrowing.
pub fn meets(condition: &PushCondition, marks: &PushMarks) -> bool {
    let has_tag = |t: &String| marks.tags.contains(t);
    let has_attr = |(name, value): (&String, &String)| marks.attrs.get(name) == Some(value);
    condition.tags_and.iter().all(has_tag)
        && (condition.tags_or.is_empty() || condition.tags_or.iter().any(has_tag))
        && condition.attrs_and.iter().all(has_attr)
        && (condition.attrs_or.is_empty() || condition.attrs_or.iter().any(has_attr))
}

impl Chat {
    /// The app's attribute names, by number.
    pub async fn push_attr_names(&self) -> Result<BTreeMap<String, String>, ChatError> {
        read_stored(self.storage.setting(NAMES_KEY).await?.as_deref(), MARKS)
    }

    /// Names attributes by number (`"0"` to `"9"`); an empty name frees its number. Values
    /// accounts have under a freed or old name stay stored but count for nothing
    /// ([`Chat::push_marks`]).
    pub async fn set_push_attr_names(
        &self,
        changes: BTreeMap<String, String>,
    ) -> Result<(), ChatError> {
        for (number, name) in &changes {
            if !number.parse::<u8>().is_ok_and(|n| n < MAX_ATTRS) || number.len() != 1 {
                return Err(invalid(format!(
                    "attribute number {number:?} must be \"0\" to \"{}\"",
                    MAX_ATTRS - 1
                )));
            }
            if !name.is_empty() {
                check_text("the attribute name", name)?;
            }
        }
        let change = Box::new(move |now: Option<&str>| {
            let mut names: BTreeMap<String, String> = read_stored(now, MARKS)?;
            for (number, name) in changes {
                match name.is_empty() {
                    true => names.remove(&number),
                    false => names.insert(number, name),
                };
            }
            let mut seen: Vec<&String> = names.values().collect();
            seen.sort();
            if let Some(twice) = seen.windows(2).find(|w| w[0] == w[1]) {
                return Err(invalid(format!(
                    "two attributes would be named {:?}",
                    twice[0]
                )));
            }
            Ok(serde_json::to_string(&names).expect("a map of strings writes"))
        });
        self.storage
            .update(Slot::Setting(NAMES_KEY.into()), change)
            .await?
    }

    /// Checks a push's condition: tags or attributes (not both), at most 10 tags, and only
    /// attributes the app has named.
    pub async fn check_push_condition(&self, condition: &PushCondition) -> Result<(), ChatError> {
        let has_tags = !condition.tags_and.is_empty() || !condition.tags_or.is_empty();
        let has_attrs = !condition.attrs_and.is_empty() || !condition.attrs_or.is_empty();
        if has_tags && has_attrs {
            return Err(ChatError::new(
                ErrorCode::INVALID_ARGUMENT,
                "Condition: use tags or attributes, not both",
            ));
        }
        for list in [&condition.tags_and, &condition.tags_or] {
            if list.len() > MAX_CONDITION_TAGS {
                return Err(ChatError::new(
                    ErrorCode::INVALID_ARGUMENT,
                    format!("Condition: at most {MAX_CONDITION_TAGS} tags in TagsAnd or TagsOr"),
                ));
            }
            for tag in list {
                check_text("the tag", tag)?;
            }
        }
        let names = self.push_attr_names().await?;
        for name in condition.attrs_and.keys().chain(condition.attrs_or.keys()) {
            if !names.values().any(|n| n == name) {
                return Err(unnamed(name));
            }
        }
        Ok(())
    }

    /// The marks of each of `users`, in order (none for an account that has none): its tags,
    /// and its values of the attributes named now (a value kept under a name since freed or
    /// changed counts for nothing, and shows only if the name comes back).
    pub async fn push_marks(&self, users: &[UserId]) -> Result<Vec<PushMarks>, ChatError> {
        let names = self.push_attr_names().await?;
        let fields = self.storage.profile_tags(users).await?;
        let field = |user: &UserId, tag: &str| {
            fields
                .iter()
                .find(|(u, t, _)| u == user && t == tag)
                .map(|(_, _, value)| value.as_str())
        };
        users
            .iter()
            .map(|user| {
                let mut attrs: BTreeMap<String, String> =
                    read_stored(field(user, ATTRS_TAG), MARKS)?;
                attrs.retain(|name, _| names.values().any(|n| n == name));
                Ok(PushMarks {
                    attrs,
                    tags: read_stored(field(user, TAGS_TAG), MARKS)?,
                })
            })
            .collect()
    }

    /// Checks every change against the app's names and the limits, then applies each, in
    /// order, to its account. A change without an account (one that does not exist) is
    /// checked and goes nowhere, so that a request is refused whole or not at all.
    pub async fn change_push_marks(
        &self,
        changes: Vec<(Option<UserId>, MarksChange)>,
    ) -> Result<(), ChatError> {
        let names = self.push_attr_names().await?;
        for (_, change) in &changes {
            check_change(change, &names)?;
        }
        for (user, change) in changes {
            if let Some(user) = user {
                self.apply_marks_change(user, change).await?;
            }
        }
        Ok(())
    }

    /// Applies a checked change to `user`, which must exist.
    async fn apply_marks_change(&self, user: UserId, change: MarksChange) -> Result<(), ChatError> {
        let field = match change {
            MarksChange::SetAttrs(_) | MarksChange::RemoveAttrs(_) => ATTRS_TAG,
            _ => TAGS_TAG,
        };
        let slot = Slot::ProfileField(user.clone(), field.into());
        let change = Box::new(move |now: Option<&str>| {
            let mut marks = PushMarks::default();
            match field {
                ATTRS_TAG => marks.attrs = read_stored(now, MARKS)?,
                _ => marks.tags = read_stored(now, MARKS)?,
            }
            match change {
                MarksChange::SetAttrs(attrs) => marks.attrs.extend(attrs),
                MarksChange::RemoveAttrs(names) => marks.attrs.retain(|n, _| !names.contains(n)),
                MarksChange::AddTags(tags) => {
                    for tag in tags {
                        if !marks.tags.contains(&tag) {
                            marks.tags.push(tag);
                        }
                    }
                    if marks.tags.len() > MAX_TAGS {
                        return Err(ChatError::new(
                            ErrorCode::INVALID_ARGUMENT,
                            format!(
                                "account {user} would have {} tags; it may have {MAX_TAGS}: remove some first",
                                marks.tags.len()
                            ),
                        ));
                    }
                }
                MarksChange::RemoveTags(tags) => marks.tags.retain(|t| !tags.contains(t)),
                MarksChange::RemoveAllTags => marks.tags.clear(),
            }
            let json = match field {
                ATTRS_TAG => serde_json::to_string(&marks.attrs),
                _ => serde_json::to_string(&marks.tags),
            };
            Ok(json.expect("strings write"))
        });
        self.storage.update(slot, change).await?
    }
}

/// Checks a change against the app's attribute `names` and the limits.
fn check_change(change: &MarksChange, names: &BTreeMap<String, String>) -> Result<(), ChatError> {
    match change {
        MarksChange::SetAttrs(attrs) => {
            for (name, value) in attrs {
                if !names.values().any(|n| n == name) {
                    return Err(unnamed(name));
                }
                check_text("the attribute value", value)?;
            }
        }
        MarksChange::AddTags(tags) => {
            if tags.len() > MAX_TAGS_ADDED {
                return Err(ChatError::new(
                    ErrorCode::INVALID_ARGUMENT,
                    format!("at most {MAX_TAGS_ADDED} tags are added to an account at once"),
                ));
            }
            for tag in tags {
                check_text("the tag", tag)?;
            }
        }
        MarksChange::RemoveAttrs(_) | MarksChange::RemoveTags(_) | MarksChange::RemoveAllTags => {}
    }
    Ok(())
}

fn unnamed(name: &str) -> ChatError {
    invalid(format!(
        "no push attribute is named {name:?}: name it with all_member_push/im_set_attr_name first"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marks(attrs: &[(&str, &str)], tags: &[&str]) -> PushMarks {
        PushMarks {
            attrs: attrs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
        }
    }

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_condition_takes_every_and_and_one_or() {
        let gold_week = marks(&[("sex", "f"), ("city", "SZ")], &["gold", "week"]);
        let plain = marks(&[("sex", "m")], &[]);
        let every = PushCondition::default();
        assert!(meets(&every, &gold_week) && meets(&every, &plain));

        let both_tags = PushCondition {
            tags_and: strings(&["gold", "week"]),
            ..Default::default()
        };
        assert!(meets(&both_tags, &gold_week));
        assert!(!meets(&both_tags, &marks(&[], &["gold"])));

        let either_tag = PushCondition {
            tags_or: strings(&["month", "week"]),
            ..Default::default()
        };
        assert!(meets(&either_tag, &gold_week));
        assert!(!meets(&either_tag, &plain));

        let and_with_or = PushCondition {
            tags_and: strings(&["gold"]),
            tags_or: strings(&["month"]),
            ..Default::default()
        };
        assert!(
            !meets(&and_with_or, &gold_week),
            "the Or part must hold too"
        );

        let attrs = PushCondition {
            attrs_and: [("sex".to_string(), "f".to_string())].into(),
            attrs_or: [
                ("city".to_string(), "SZ".to_string()),
                ("sex".to_string(), "x".to_string()),
            ]
            .into(),
            ..Default::default()
        };
        assert!(meets(&attrs, &gold_week));
        assert!(!meets(&attrs, &plain));
    }
}
