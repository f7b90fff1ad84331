//! `recentcontact`: a user's conversations and their marks, as Tencent's conversation list and
//! conversation mark commands give them.

use super::{Outcome, account, ok, parse};
use crate::chat::Chat;
use crate::error::ChatError;
use axum::body::Bytes;
use protocol::frame::ConversationChange;
use protocol::frame::MAX_CONVERSATION_GROUPS;
use protocol::rest::*;
use protocol::{Conversation, ErrorCode, Removal, UserId};
use std::collections::HashMap;

/// Conversations in one page, as Tencent pages them.
const PAGE: usize = 100;

/// `AssistFlags` bit 0: pinned conversations are listed first, with a cursor of their own.
const PINNED_FIRST: u32 = 1;

/// A position in a list of conversations newest first: past those active after `after_ms`
/// and the first `given_equal` of those active at exactly `after_ms`. `after_ms` 0: the start.
#[derive(Clone, Copy)]
struct Cursor {
    after_ms: u64,
    given_equal: usize,
}

impl Cursor {
    fn new(after_ms: u64, given_equal: u32) -> Self {
        Self {
            after_ms,
            given_equal: given_equal as usize,
        }
    }

    fn at_start(self) -> bool {
        self.after_ms == 0
    }

    /// What of `list` (newest first) comes after the cursor.
    fn after(self, mut list: Vec<Conversation>) -> Vec<Conversation> {
        let mut equal = 0;
        list.retain(|c| match self.after_ms {
            0 => true,
            after if c.updated_ms < after => true,
            after if c.updated_ms == after => {
                equal += 1;
                equal > self.given_equal
            }
            _ => false,
        });
        list
    }

    /// The cursor after `given`, the next conversations of its list.
    fn past(self, given: &[Conversation]) -> Self {
        let Some(last) = given.last() else {
            return self;
        };
        let mut given_equal = given
            .iter()
            .filter(|c| c.updated_ms == last.updated_ms)
            .count();
        if last.updated_ms == self.after_ms {
            given_equal += self.given_equal;
        }
        Self {
            after_ms: last.updated_ms,
            given_equal,
        }
    }
}

/// `recentcontact/get_list`. `TimeStamp` and `StartIndex` of a reply are a cursor, passed
/// back as given for the next page: the last conversation's time (milliseconds) and how many
/// conversations of exactly that time were given. A conversation active since the first page
/// waits for a new first page; none is given twice. With `AssistFlags` bit 0 the pinned
/// conversations come first, with their own cursor (`TopTimeStamp`, `TopStartIndex`); once a
/// page has reached the others, the next pages give only those.
pub(super) async fn get_list(chat: &Chat, body: &Bytes) -> Outcome {
    let req: RecentContacts = parse(body)?;
    let user = account(&req.from_account, "From_Account")?;
    chat.require_account(&user).await?;
    let mut list = chat.conversations(&user).await?;
    list.sort_by(|a, b| b.updated_ms.cmp(&a.updated_ms).then(a.peer.cmp(&b.peer)));
    let (pinned, others): (Vec<_>, Vec<_>) = if req.assist_flags & PINNED_FIRST != 0 {
        list.into_iter().partition(|c| c.pinned)
    } else {
        (Vec::new(), list)
    };
    let top = Cursor::new(req.top_time_stamp, req.top_start_index);
    let general = Cursor::new(req.time_stamp, req.start_index);
    let mut top_page = match general.at_start() {
        true => top.after(pinned),
        false => Vec::new(),
    };
    let mut general_page = general.after(others);
    let complete = top_page.len() + general_page.len() <= PAGE;
    top_page.truncate(PAGE);
    general_page.truncate(PAGE - top_page.len());
    let (top, general) = (top.past(&top_page), general.past(&general_page));
    let session_item = top_page
        .iter()
        .chain(&general_page)
        .map(|c| SessionItem {
            kind: 1,
            to_account: c.peer.to_string(),
            msg_time: c
                .last_message
                .as_ref()
                .map_or(c.updated_ms / 1000, |m| m.time_ms / 1000),
            top_flag: u8::from(c.pinned),
            unread: c.unread,
            marks: contact_marks(c),
        })
        .collect();
    ok(RecentContactsReply {
        session_item,
        complete_flag: u8::from(complete),
        time_stamp: general.after_ms,
        start_index: general.given_equal as u32,
        top_time_stamp: top.after_ms,
        top_start_index: top.given_equal as u32,
    })
}

/// `recentcontact/delete`: the conversation leaves the user's list on all of its devices until
/// a newer message comes; with `ClearRamble` 1 its messages leave the user's history too. The
/// other user keeps its conversation.
pub(super) async fn delete(chat: &Chat, body: &Bytes) -> Outcome {
    let req: RecentContactDelete = parse(body)?;
    let user = account(&req.from_account, "From_Account")?;
    let peer = one_to_one(req.kind, &req.to_account)?;
    let history = match req.clear_ramble {
        0 => false,
        1 => true,
        other => {
            return Err(invalid(format!("ClearRamble must be 0 or 1, got {other}")));
        }
    };
    chat.delete_conversation(&user, &peer, Removal::Conversation { history }, None)?
        .await?;
    ok(Empty {})
}

/// `recentcontact/mark_contact`: each item's change is made as the SDK's `markConversation`
/// and `setConversationCustomData` make it, for all of the user's devices. An item that cannot
/// be made (a wrong bit, a conversation the user does not have) fails alone, in its result.
pub(super) async fn mark(chat: &Chat, body: &Bytes) -> Outcome {
    let req: MarkContact = parse(body)?;
    let user = account(&req.from_account, "From_Account")?;
    check_count(
        "MarkItem",
        req.mark_item.len(),
        MAX_MARK_ITEMS,
        "conversations",
    )?;
    chat.require_account(&user).await?;
    // All queued before any is awaited, so that they commit together.
    let queued: Vec<_> = req
        .mark_item
        .iter()
        .map(|item| {
            let (peer, change) = change_of(item)?;
            chat.set_conversation(&user, &peer, change, None)
        })
        .collect();
    let mut result_item = Vec::with_capacity(queued.len());
    for (item, queued) in req.mark_item.into_iter().zip(queued) {
        let outcome = match queued {
            Ok(pending) => pending.await.map(drop).map_err(ChatError::from),
            Err(e) => Err(e),
        };
        let (result_code, result_info) = code_of(outcome);
        result_item.push(MarkResult {
            opt_type: item.opt_type,
            contact_item: item.contact_item,
            result_code,
            result_info,
        });
    }
    ok(MarkContactReply { result_item })
}

/// `recentcontact/get_contact_group`: the user's conversations with marks, by peer, a page at
/// a time.
pub(super) async fn marked(chat: &Chat, body: &Bytes) -> Outcome {
    let req: ContactGroupGet = parse(body)?;
    let user = account(&req.from_account, "From_Account")?;
    chat.require_account(&user).await?;
    let conversations = chat.conversations(&user).await?;
    let mut list: Vec<_> = conversations.iter().filter_map(marked_contact).collect();
    list.sort_by(|a, b| a.to_account.cmp(&b.to_account));
    let start = (req.start_index as usize).min(list.len());
    let end = (start + PAGE).min(list.len());
    let complete = end == list.len();
    ok(ContactGroupGetReply {
        contact_item: list.drain(start..end).collect(),
        group_item: group_items(conversations.iter().flat_map(|c| &c.conversation_groups)),
        complete_flag: u8::from(complete),
        next_start_index: if complete { 0 } else { end as u32 },
    })
}

/// `recentcontact/search_contact_group`: the marks of the named conversations, in the order
/// asked; a conversation without marks, or that the user does not have, is left out.
pub(super) async fn search_marks(chat: &Chat, body: &Bytes) -> Outcome {
    let req: ContactGroupSearch = parse(body)?;
    let user = account(&req.from_account, "From_Account")?;
    if req.contact_item.len() > MAX_MARK_SEARCH {
        return Err(invalid(format!(
            "ContactItem lists at most {MAX_MARK_SEARCH} conversations, got {}",
            req.contact_item.len()
        )));
    }
    let peers = req
        .contact_item
        .iter()
        .map(|c| one_to_one(c.kind, &c.to_account))
        .collect::<Result<Vec<_>, _>>()?;
    chat.require_account(&user).await?;
    let list = chat.conversations(&user).await?;
    let by_peer: HashMap<_, _> = list.iter().map(|c| (&c.peer, c)).collect();
    let found: Vec<_> = peers.iter().filter_map(|peer| by_peer.get(peer)).collect();
    ok(ContactGroupSearchReply {
        contact_result_item: found.iter().filter_map(|c| marked_contact(c)).collect(),
        group_item: group_items(found.iter().flat_map(|c| &c.conversation_groups)),
    })
}

/// The change a `MarkItem` asks for, and of which conversation.
fn change_of(item: &MarkItem) -> Result<(UserId, ConversationChange), ChatError> {
    let contact = &item.contact_item;
    let peer = one_to_one(contact.kind, &contact.to_account)?;
    let (standard, custom) = match item.opt_type {
        1 => (true, false),
        2 => (false, true),
        3 => (true, true),
        other => {
            return Err(invalid(format!(
                "OptType must be 1 (standard marks), 2 (the custom mark) or 3 (both), got {other}"
            )));
        }
    };
    let mut change = ConversationChange::default();
    if standard {
        change.mark = bits("SetMark", &item.set_mark)?;
        change.unmark = bits("ClearMark", &item.clear_mark)?;
    }
    if custom {
        let custom_mark = item.custom_mark.clone();
        change.custom_data =
            Some(custom_mark.ok_or_else(|| invalid("OptType 2 and 3 need CustomMark".into()))?);
    }
    Ok((peer, change))
}

/// The marks named by bit numbers, 0 to 63.
fn bits(field: &str, numbers: &[u32]) -> Result<u64, ChatError> {
    numbers
        .iter()
        .try_fold(0u64, |bits, &n| match 1u64.checked_shl(n) {
            Some(bit) => Ok(bits | bit),
            None => Err(invalid(format!("{field}: bit {n} is not one of 0 to 63"))),
        })
}

/// The peer of a one-to-one conversation named by `Type` and `To_Account`.
fn one_to_one(kind: u8, to_account: &str) -> Result<UserId, ChatError> {
    if kind != 1 {
        return Err(invalid(format!(
            "Type must be 1 (one-to-one; Duet has no groups), got {kind}"
        )));
    }
    account(to_account, "To_Account")
}

fn contact_marks(c: &Conversation) -> ContactMarks {
    ContactMarks {
        standard_mark: match c.marks {
            0 => String::new(),
            marks => format!("{marks:b}"),
        },
        custom_mark: c.custom_data.clone(),
    }
}

/// The conversation as a marked contact, if it has marks or is in a group.
fn marked_contact(c: &Conversation) -> Option<MarkedContact> {
    let marks = contact_marks(c);
    let groups = &c.conversation_groups;
    (marks != ContactMarks::default() || !groups.is_empty()).then(|| MarkedContact {
        kind: 1,
        to_account: c.peer.to_string(),
        marks,
        contact_group_id: groups.iter().map(|name| group_id(name)).collect(),
    })
}

/// The groups named, each once, by name.
fn group_items<'a>(names: impl Iterator<Item = &'a String>) -> Vec<GroupItem> {
    let mut names: Vec<_> = names.collect();
    names.sort_unstable();
    names.dedup();
    names.into_iter().map(|name| group_item(name)).collect()
}

fn group_item(name: &str) -> GroupItem {
    GroupItem {
        group_name: name.to_owned(),
        group_id: group_id(name),
    }
}

/// A conversation group's `GroupId`: Duet names a group by its name alone, and this number
/// is fixed by the name (FNV-1a, 1 to 2^31 - 1), the same in every reply and on every node.
fn group_id(name: &str) -> u32 {
    let hash = name.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    hash % 0x7fff_ffff + 1
}

/// `recentcontact/create_contact_group`: one group of 1 to [`MAX_GROUP_CONTACTS`] of the
/// user's conversations. Each conversation joins or fails alone, in `ResultItem`; when none
/// can, the request fails with the first one's error.
pub(super) async fn create_group(chat: &Chat, body: &Bytes) -> Outcome {
    let req: ContactGroupCreate = parse(body)?;
    let user = account(&req.from_account, "From_Account")?;
    let [group]: [GroupContacts; 1] = req.group_contact_item.try_into().map_err(|_| {
        invalid(
            "GroupContactItem lists one conversation group, as Tencent's takes one at a time"
                .into(),
        )
    })?;
    check_count(
        "ContactItem",
        group.contact_item.len(),
        MAX_GROUP_CONTACTS,
        "conversations",
    )?;
    let read = (group.contact_item.iter())
        .map(|c| one_to_one(c.kind, &c.to_account))
        .collect();
    let (peers, refused) = split(read)?;
    chat.require_account(&user).await?;
    let outcomes = chat
        .create_conversation_group(&user, &group.group_name, peers)
        .await?;
    let mut outcomes: Vec<_> = merge(refused, outcomes).collect();
    // No conversation joined: there is no group (a group is there while one is in it).
    if !outcomes.iter().any(Result::is_ok)
        && let Some(Err(first)) = outcomes.drain(..).next()
    {
        return Err(first);
    }
    let result_item = outcomes
        .into_iter()
        .zip(group.contact_item)
        .map(|(outcome, contact_item)| contact_result(contact_item, outcome))
        .collect();
    ok(ContactGroupCreateReply {
        group_result_item: vec![GroupResult {
            group_item: group_item(&group.group_name),
            result_item,
        }],
    })
}

/// `recentcontact/update_contact_group`: renames a group (`UpdateGroupType` 1) or adds and
/// removes its conversations (2; each alone, in `ContactResultItem`).
pub(super) async fn update_group(chat: &Chat, body: &Bytes) -> Outcome {
    let req: ContactGroupUpdate = parse(body)?;
    let user = account(&req.from_account, "From_Account")?;
    let update = match (req.update_type, req.update_group) {
        (1, Some(update)) => update,
        (1, None) => return Err(invalid("UpdateType 1 needs UpdateGroup".into())),
        (other, _) => {
            return Err(invalid(format!(
                "UpdateType must be 1 (a conversation group), got {other}"
            )));
        }
    };
    let old = update.old_group_name;
    let mut result = GroupUpdateResult {
        update_group_type: update.update_group_type,
        group_name: old.clone(),
        group_id: group_id(&old),
        old_group_name: old.clone(),
        new_group_name: None,
        contact_result_item: Vec::new(),
    };
    match update.update_group_type {
        1 => {
            let new = (update.new_group_name)
                .ok_or_else(|| invalid("UpdateGroupType 1 needs NewGroupName".into()))?;
            chat.require_account(&user).await?;
            chat.rename_conversation_group(&user, &old, &new).await?;
            result.group_id = group_id(&new);
            result.group_name = new.clone();
            result.new_group_name = Some(new);
        }
        2 => {
            let items = update.contact_update_item;
            check_count(
                "ContactUpdateItem",
                items.len(),
                MAX_GROUP_CONTACTS,
                "conversations",
            )?;
            let (changes, refused) = split(items.iter().map(contact_update).collect())?;
            chat.require_account(&user).await?;
            let outcomes = chat.change_conversation_group(&user, &old, changes).await?;
            result.contact_result_item = merge(refused, outcomes)
                .zip(items)
                .map(|(outcome, item)| ContactUpdateResult {
                    contact_opt_type: item.contact_opt_type,
                    result: contact_result(item.contact_item, outcome),
                })
                .collect();
        }
        other => {
            return Err(invalid(format!(
                "UpdateGroupType must be 1 (rename) or 2 (add and remove conversations), got {other}"
            )));
        }
    }
    ok(ContactGroupUpdateReply {
        update_type: req.update_type,
        update_group_result: result,
    })
}

/// `recentcontact/del_contact_group`: deletes groups by name (all or none); their
/// conversations stay.
pub(super) async fn delete_group(chat: &Chat, body: &Bytes) -> Outcome {
    let req: ContactGroupDelete = parse(body)?;
    let user = account(&req.from_account, "From_Account")?;
    let groups = req.group_name.len();
    check_count(
        "GroupName",
        groups,
        MAX_CONVERSATION_GROUPS,
        "conversation groups",
    )?;
    chat.require_account(&user).await?;
    let mut names = req.group_name;
    let mut seen = std::collections::HashSet::new();
    names.retain(|name| seen.insert(name.clone()));
    chat.delete_conversation_groups(&user, &names).await?;
    ok(ContactGroupDeleteReply {
        group_item: names.iter().map(|name| group_item(name)).collect(),
    })
}

/// The conversation an `update_contact_group` item names, and whether it joins the group.
fn contact_update(item: &ContactUpdate) -> Result<(UserId, bool), ChatError> {
    let contact = &item.contact_item;
    let peer = one_to_one(contact.kind, &contact.to_account)?;
    match item.contact_opt_type {
        1 => Ok((peer, true)),
        2 => Ok((peer, false)),
        other => Err(invalid(format!(
            "ContactOptType must be 1 (add) or 2 (remove), got {other}"
        ))),
    }
}

/// Items read one by one: those to make, in order, and each item's refusal by position
/// (`None` for those to make). When none can be made, the first refusal fails the request.
fn split<T>(
    read: Vec<Result<T, ChatError>>,
) -> Result<(Vec<T>, Vec<Option<ChatError>>), ChatError> {
    let mut made = Vec::new();
    let mut refused = Vec::with_capacity(read.len());
    for item in read {
        match item {
            Ok(item) => {
                made.push(item);
                refused.push(None);
            }
            Err(e) => refused.push(Some(e)),
        }
    }
    if made.is_empty()
        && let Some(first) = refused.first_mut().and_then(Option::take)
    {
        return Err(first);
    }
    Ok((made, refused))
}

/// Every item's outcome in order: its refusal, or the outcome of its change.
fn merge(
    refused: Vec<Option<ChatError>>,
    outcomes: Vec<Result<(), ChatError>>,
) -> impl Iterator<Item = Result<(), ChatError>> {
    let mut outcomes = outcomes.into_iter();
    refused.into_iter().map(move |r| match r {
        Some(e) => Err(e),
        None => outcomes.next().unwrap_or(Ok(())),
    })
}

fn contact_result(contact_item: ContactItem, outcome: Result<(), ChatError>) -> ContactResult {
    let (result_code, result_info) = code_of(outcome);
    ContactResult {
        contact_item,
        result_code,
        result_info,
    }
}

/// An item's `ResultCode` and `ResultInfo`.
fn code_of(outcome: Result<(), ChatError>) -> (ErrorCode, String) {
    match outcome {
        Ok(()) => (ErrorCode(0), String::new()),
        Err(e) => (e.code, e.message),
    }
}

/// Refuses a list (`field`) of other than 1 to `max` items.
fn check_count(field: &str, count: usize, max: usize, what: &str) -> Result<(), ChatError> {
    if count == 0 || count > max {
        return Err(invalid(format!(
            "{field} lists 1 to {max} {what}, got {count}"
        )));
    }
    Ok(())
}

fn invalid(message: String) -> ChatError {
    ChatError::new(ErrorCode::INVALID_ARGUMENT, message)
}
