//! Reactions on a message (Tencent's `addMessageReaction`): any emoji or app-chosen ID, each
//! user adding or removing its own. They are kept on the message, so history and every device
//! of both users see the same counts and the same users.

use crate::error::ErrorCode;
use crate::ids::UserId;
use serde::Serialize;

/// Longest reaction ID, in bytes of UTF-8: room for an emoji sequence (a family with skin
/// tones is 35 bytes) or a short name such as `emoji_40`.
pub const MAX_REACTION_BYTES: usize = 64;

/// Most different reactions one message carries.
pub const MAX_REACTIONS_PER_MESSAGE: usize = 20;

/// One reaction on a message and who reacted with it, in the order they did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reaction {
    /// Tencent's `reactionID`: an emoji, or an ID the app maps to one.
    pub id: String,
    pub users: Vec<UserId>,
}

/// Why a reaction ID is not acceptable, if it is not: empty, too long, or holding control
/// characters (which no emoji has and which would corrupt a display).
pub fn check_id(id: &str) -> Result<(), String> {
    if id.is_empty() {
        return Err("the reaction ID is empty".into());
    }
    if id.len() > MAX_REACTION_BYTES {
        return Err(format!(
            "the reaction ID is {} bytes; the limit is {MAX_REACTION_BYTES}",
            id.len()
        ));
    }
    if id.chars().any(char::is_control) {
        return Err("the reaction ID holds control characters".into());
    }
    Ok(())
}

/// Adds (`add`) or removes `user`'s reaction `id` on a message's `reactions`. A reaction no
/// user holds any more goes; a new one comes last. Refused, changing nothing, with Tencent's
/// codes: the user holds it already (23007) or not at all (23008), or the message has as many
/// reactions as it may (23005).
pub fn change(
    reactions: &mut Vec<Reaction>,
    id: &str,
    user: &UserId,
    add: bool,
) -> Result<(), ErrorCode> {
    let at = reactions.iter().position(|r| r.id == id);
    let holds = at.is_some_and(|i| reactions[i].users.contains(user));
    match (add, at) {
        (true, _) if holds => Err(ErrorCode::REACTION_EXISTS),
        (true, Some(i)) => {
            reactions[i].users.push(user.clone());
            Ok(())
        }
        (true, None) if reactions.len() >= MAX_REACTIONS_PER_MESSAGE => {
            Err(ErrorCode::REACTION_LIMIT)
        }
        (true, None) => {
            reactions.push(Reaction {
                id: id.to_owned(),
                users: vec![user.clone()],
            });
            Ok(())
        }
        (false, Some(i)) if holds => {
            reactions[i].users.retain(|u| u != user);
            if reactions[i].users.is_empty() {
                reactions.remove(i);
            }
            Ok(())
        }
        (false, _) => Err(ErrorCode::REACTION_NOT_FOUND),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uid(s: &str) -> UserId {
        UserId::parse(s).unwrap()
    }

    #[test]
    fn users_add_and_remove_their_own() {
        let (alice, bob) = (uid("alice"), uid("bob"));
        let mut list = Vec::new();
        change(&mut list, "👍", &alice, true).unwrap();
        change(&mut list, "👍", &bob, true).unwrap();
        change(&mut list, "🎉", &bob, true).unwrap();
        assert_eq!(list[0].users, vec![alice.clone(), bob.clone()]);
        assert_eq!(
            change(&mut list, "👍", &bob, true),
            Err(ErrorCode::REACTION_EXISTS)
        );
        change(&mut list, "👍", &alice, false).unwrap();
        change(&mut list, "🎉", &bob, false).unwrap();
        assert_eq!(
            list,
            vec![Reaction {
                id: "👍".into(),
                users: vec![bob.clone()]
            }]
        );
        assert_eq!(
            change(&mut list, "🎉", &bob, false),
            Err(ErrorCode::REACTION_NOT_FOUND)
        );
        assert_eq!(
            change(&mut list, "👍", &alice, false),
            Err(ErrorCode::REACTION_NOT_FOUND)
        );
    }

    #[test]
    fn a_message_holds_a_bounded_number_of_reactions() {
        let alice = uid("alice");
        let mut list = Vec::new();
        for i in 0..MAX_REACTIONS_PER_MESSAGE {
            change(&mut list, &format!("r{i}"), &alice, true).unwrap();
        }
        assert_eq!(
            change(&mut list, "one more", &alice, true),
            Err(ErrorCode::REACTION_LIMIT)
        );
        assert_eq!(list.len(), MAX_REACTIONS_PER_MESSAGE);
        assert!(check_id("👨‍👩‍👧‍👦").is_ok());
        assert!(check_id("").is_err());
        assert!(check_id(&"x".repeat(MAX_REACTION_BYTES + 1)).is_err());
        assert!(check_id("a\u{7}").is_err());
    }
}
