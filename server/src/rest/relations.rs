//! `sns`: friend lists and blacklists (R3.3, R3.4).

use super::{Outcome, account, list_sequence, ok, parse};
use crate::chat::Chat;
use crate::chat::friend_fields::{self, is_friend_field};
use crate::chat::{check_count, check_user_count};
use crate::error::ChatError;
use crate::webhooks::Changer;
use axum::body::Bytes;
use protocol::frame::{MAX_CHECK_PER_REQUEST, UserResult, check_word};
use protocol::rest::*;
use protocol::{ErrorCode, Relation, UserId};

/// Friend lists and blacklists are paged 100 entries at a time.
const PAGE: usize = 100;

/// Changes `from`'s list for each account; one result per account, in request order. As in
/// Tencent IM, adding an account already on the list, or removing one that is not, answers
/// 30001 for it.
async fn change(
    chat: &Chat,
    from: &str,
    relation: Relation,
    accounts: Vec<String>,
    add: bool,
    one_way: bool,
) -> Result<ResultItemReply, ChatError> {
    let owner = account(from, "From_Account")?;
    check_user_count(accounts.len())?;
    let named: Vec<UserId> = accounts
        .iter()
        .filter_map(|a| UserId::parse(a.as_str()).ok())
        .collect();
    let listed = chat.check_relations(&owner, relation, &named).await?;
    let parsed: Vec<Result<UserId, ChatError>> = accounts
        .iter()
        .map(|a| {
            let user = account(a, "To_Account")?;
            let on_list = named
                .iter()
                .zip(&listed)
                .any(|(u, (owner_lists, _))| u == &user && *owner_lists);
            match on_list == add {
                true => Err(list_state(&user, on_list)),
                false => Ok(user),
            }
        })
        .collect();
    let valid: Vec<UserId> = parsed
        .iter()
        .filter_map(|p| p.as_ref().ok().cloned())
        .collect();
    // The backend's friends made here are forced (`ForceAddFlags` 1); without it, a friend
    // request goes through `ask_friends`.
    let by = Changer::Backend { forced: add };
    let mut stored = chat
        .change_relations(&owner, (relation, add), valid, one_way, by)
        .await?
        .into_iter();
    let items = accounts
        .into_iter()
        .zip(parsed)
        .map(|(to_account, p)| {
            let result = p.and_then(|_| {
                let r = stored.next().expect("one result per valid account");
                match r.code {
                    ErrorCode(0) => Ok(()),
                    code => Err(ChatError::new(code, r.message)),
                }
            });
            (to_account, result)
        })
        .collect();
    Ok(results(items))
}

fn direction(
    value: Option<&str>,
    both: &str,
    single: &str,
    field: &str,
) -> Result<bool, ChatError> {
    match value {
        None => Ok(false),
        Some(v) if v == both => Ok(false),
        Some(v) if v == single => Ok(true),
        Some(v) => Err(ChatError::new(
            ErrorCode::INVALID_ARGUMENT,
            format!("{field} must be {both} or {single}, got {v:?}"),
        )),
    }
}

/// Whether a `DeleteType` removes the friendship one way only.
fn delete_one_way(value: Option<&str>) -> Result<bool, ChatError> {
    direction(
        value,
        "Delete_Type_Both",
        "Delete_Type_Single",
        "DeleteType",
    )
}

pub(super) async fn friend_add(chat: &Chat, body: &Bytes) -> Outcome {
    let req: FriendAdd = parse(body)?;
    match req.force_add_flags {
        Some(1) => {}
        None | Some(0) => return ok(ask_friends(chat, req).await?),
        Some(n) => {
            return Err(ChatError::new(
                ErrorCode::INVALID_ARGUMENT,
                format!("ForceAddFlags must be 0 or 1, got {n}"),
            ));
        }
    }
    let one_way = direction(
        req.add_type.as_deref(),
        "Add_Type_Both",
        "Add_Type_Single",
        "AddType",
    )?;
    // Each friendship's fields on the adder's side, checked before anything is added.
    let mut fields = Vec::with_capacity(req.add_friend_item.len());
    for item in &req.add_friend_item {
        let groups = item.group_name.clone().map(|g| vec![g].into());
        let given = friend_fields::given(
            item.remark.clone(),
            groups,
            item.add_source.clone(),
            item.add_wording.clone(),
            None,
        )
        .map_err(|e| ChatError::new(e.code, format!("{}: {}", item.to_account, e.message)))?;
        fields.push(given);
    }
    let accounts = req
        .add_friend_item
        .into_iter()
        .map(|i| i.to_account)
        .collect();
    let reply = change(
        chat,
        &req.from_account,
        Relation::Friend,
        accounts,
        true,
        one_way,
    )
    .await?;
    let owner = account(&req.from_account, "From_Account")?;
    for (item, fields) in reply.result_item.iter().zip(fields) {
        if item.result_code == ErrorCode(0) && !fields.is_empty() {
            let peer = account(&item.to_account, "To_Account")?;
            keep_fields(chat, &owner, &peer, fields).await?;
        }
    }
    ok(reply)
}

/// `friend_add` without `ForceAddFlags` 1: each item as `From_Account`'s own request, which
/// follows the other user's `AllowType` ([`Chat::request_friends`]): 30539 when it became an
/// application, 30516 when refused, 0 when the friendship was made (its group is kept then).
async fn ask_friends(chat: &Chat, req: FriendAdd) -> Result<ResultItemReply, ChatError> {
    let owner = account(&req.from_account, "From_Account")?;
    check_user_count(req.add_friend_item.len())?;
    let mut items = Vec::with_capacity(req.add_friend_item.len());
    for item in req.add_friend_item {
        let result = async {
            let peer = account(&item.to_account, "To_Account")?;
            let listed = chat
                .check_relations(&owner, Relation::Friend, std::slice::from_ref(&peer))
                .await?;
            if listed.first().is_some_and(|(owner_lists, _)| *owner_lists) {
                return Err(list_state(&peer, true));
            }
            let fields = protocol::RelationFields {
                remark: item.remark.unwrap_or_default(),
                wording: item.add_wording.unwrap_or_default(),
                source: item.add_source.unwrap_or_default(),
            };
            let by = Changer::Backend { forced: false };
            let asked = chat
                .request_friends(&owner, vec![peer.clone()], &fields, by)
                .await?;
            first_refusal(asked)?;
            if let Some(group) = item.group_name {
                let tags = friend_fields::given(None, Some(vec![group].into()), None, None, None)?;
                keep_fields(chat, &owner, &peer, tags).await?;
            }
            Ok(())
        }
        .await;
        items.push((item.to_account, result));
    }
    Ok(results(items))
}

pub(super) async fn friend_delete(chat: &Chat, body: &Bytes) -> Outcome {
    let req: FriendDelete = parse(body)?;
    let one_way = delete_one_way(req.delete_type.as_deref())?;
    ok(change(
        chat,
        &req.from_account,
        Relation::Friend,
        req.to_account,
        false,
        one_way,
    )
    .await?)
}

pub(super) async fn black_list_change(chat: &Chat, body: &Bytes, add: bool) -> Outcome {
    let req: BlackListChange = parse(body)?;
    ok(change(
        chat,
        &req.from_account,
        Relation::Blacklist,
        req.to_account,
        add,
        true,
    )
    .await?)
}

pub(super) async fn friend_get(chat: &Chat, body: &Bytes) -> Outcome {
    let req: FriendGet = parse(body)?;
    let owner = account(&req.from_account, "From_Account")?;
    let all = chat.relations(&owner, Relation::Friend).await?;
    let kept = chat.storage.friend_fields(&owner).await?;
    let start = (req.start_index as usize).min(all.len());
    let end = (start + PAGE).min(all.len());
    let user_data_item = all[start..end]
        .iter()
        .map(|e| {
            let fields = kept.iter().find(|(p, _)| p == &e.user_id).map(|(_, f)| f);
            let value_item = [
                friend_fields::ADD_SOURCE,
                friend_fields::ADD_WORDING,
                friend_fields::ADD_TIME,
                friend_fields::REMARK,
                friend_fields::GROUP,
            ]
            .into_iter()
            .map(|tag| TagValue {
                tag: tag.to_owned(),
                value: friend_fields::read(tag, fields, e.since_ms),
            })
            .collect();
            FriendItem {
                to_account: e.user_id.to_string(),
                value_item,
            }
        })
        .collect();
    ok(FriendGetReply {
        user_data_item,
        friend_num: all.len() as u32,
        complete_flag: u8::from(end == all.len()),
        next_start_index: if end == all.len() { 0 } else { end as u32 },
        standard_sequence: list_sequence(chat),
        custom_sequence: list_sequence(chat),
    })
}

pub(super) async fn friend_delete_all(chat: &Chat, body: &Bytes) -> Outcome {
    let req: FriendDeleteAll = parse(body)?;
    let one_way = delete_one_way(req.delete_type.as_deref())?;
    let owner = account(&req.from_account, "From_Account")?;
    let friends = chat.relations(&owner, Relation::Friend).await?;
    // In requests of the size one may name.
    for chunk in friends.chunks(PAGE) {
        let peers = chunk.iter().map(|e| e.user_id.clone()).collect();
        let by = Changer::Backend { forced: false };
        chat.change_relations(&owner, (Relation::Friend, false), peers, one_way, by)
            .await?;
    }
    ok(Empty {})
}

pub(super) async fn friend_get_list(chat: &Chat, body: &Bytes) -> Outcome {
    let req: FriendGetList = parse(body)?;
    let owner = account(&req.from_account, "From_Account")?;
    check_user_count(req.to_account.len())?;
    let profile_tags: Vec<String> = req
        .tag_list
        .iter()
        .filter(|t| !is_friend_field(t))
        .cloned()
        .collect();
    let kept = chat.storage.friend_fields(&owner).await?;
    let friends = chat.relations(&owner, Relation::Friend).await?;
    let asked: Vec<UserId> = req
        .to_account
        .iter()
        .filter_map(|a| UserId::parse(a.as_str()).ok())
        .filter(|u| friends.iter().any(|f| &f.user_id == u))
        .collect();
    let profiles = super::profiles::values(chat, &asked, &profile_tags).await?;
    let mut reply = FriendGetListReply {
        info_item: Vec::new(),
        fail_account: Vec::new(),
    };
    for to_account in req.to_account {
        let friend = friends.iter().find(|f| f.user_id.as_str() == to_account);
        let Some(friend) = friend else {
            reply.fail_account.push(to_account.clone());
            reply.info_item.push(FriendInfoItem {
                to_account,
                sns_profile_item: Vec::new(),
                result_code: ErrorCode::RELATION_INVALID,
                result_info: "not on the friend list".into(),
            });
            continue;
        };
        let mut profile = profiles
            .iter()
            .find(|(u, _)| u == &friend.user_id)
            .map(|(_, items)| items.clone())
            .unwrap_or_default();
        let sns_profile_item = req
            .tag_list
            .iter()
            .map(|tag| {
                let value = if is_friend_field(tag) {
                    let fields = kept.iter().find(|(p, _)| p == &friend.user_id);
                    friend_fields::read(tag, fields.map(|(_, f)| f), friend.since_ms)
                } else {
                    let at = profile.iter().position(|i: &TagValue| &i.tag == tag);
                    at.map(|i| profile.swap_remove(i).value).unwrap_or_default()
                };
                TagValue {
                    tag: tag.clone(),
                    value,
                }
            })
            .collect();
        reply.info_item.push(FriendInfoItem {
            to_account,
            sns_profile_item,
            result_code: ErrorCode(0),
            result_info: String::new(),
        });
    }
    ok(reply)
}

/// One result per account, with the failures again in `Fail_Account`.
pub(super) fn results(items: Vec<(String, Result<(), ChatError>)>) -> ResultItemReply {
    let mut reply = ResultItemReply {
        result_item: Vec::new(),
        fail_account: Vec::new(),
    };
    for (to_account, result) in items {
        let (result_code, result_info) = match result {
            Ok(()) => (ErrorCode(0), String::new()),
            Err(e) => {
                reply.fail_account.push(to_account.clone());
                (e.code, e.message)
            }
        };
        reply.result_item.push(AccountResult {
            to_account,
            result_code,
            result_info,
        });
    }
    reply
}

/// Tencent's 30001 for a change that does not fit the list: adding `user`, who is on it
/// (`listed`), or removing `user`, who is not.
fn list_state(user: &UserId, listed: bool) -> ChatError {
    let state = if listed { "already" } else { "not" };
    ChatError::new(
        ErrorCode::RELATION_INVALID,
        format!("{user} is {state} on the list"),
    )
}

/// The first refused result of a change for one user, as the request's error.
fn first_refusal(results: Vec<UserResult>) -> Result<(), ChatError> {
    match results.into_iter().find(|r| r.code != ErrorCode(0)) {
        Some(r) => Err(ChatError::new(r.code, r.message)),
        None => Ok(()),
    }
}

fn not_friends(peer: &UserId) -> ChatError {
    ChatError::new(
        ErrorCode::RELATION_INVALID,
        format!("{peer} is not on the friend list"),
    )
}

/// Keeps checked fields of `owner`'s friendship with `peer`, making the friend groups they
/// name.
async fn keep_fields(
    chat: &Chat,
    owner: &UserId,
    peer: &UserId,
    fields: Vec<(String, String)>,
) -> Result<(), ChatError> {
    let named = fields
        .iter()
        .filter(|(tag, _)| tag == friend_fields::GROUP)
        .flat_map(|(_, v)| serde_json::from_str::<Vec<String>>(v).unwrap_or_default())
        .collect();
    chat.make_friend_groups(owner, named).await?;
    let now_ms = chat.clock.now_ms();
    match chat
        .storage
        .set_friend_fields(owner, peer, fields, now_ms)
        .await?
    {
        true => Ok(()),
        false => Err(not_friends(peer)),
    }
}

pub(super) async fn friend_update(chat: &Chat, body: &Bytes) -> Outcome {
    let req: FriendUpdate = parse(body)?;
    let owner = account(&req.from_account, "From_Account")?;
    check_user_count(req.update_item.len())?;
    let mut items = Vec::with_capacity(req.update_item.len());
    for item in req.update_item {
        let result = async {
            let peer = account(&item.to_account, "To_Account")?;
            let fields = item
                .sns_item
                .iter()
                .map(|f| {
                    Ok((
                        f.tag.clone(),
                        friend_fields::check(&f.tag, &f.value, false)?,
                    ))
                })
                .collect::<Result<Vec<_>, ChatError>>()?;
            keep_fields(chat, &owner, &peer, fields).await
        }
        .await;
        items.push((item.to_account, result));
    }
    ok(results(items))
}

pub(super) async fn friend_import(chat: &Chat, body: &Bytes) -> Outcome {
    let req: FriendImport = parse(body)?;
    let owner = account(&req.from_account, "From_Account")?;
    check_user_count(req.add_friend_item.len())?;
    let mut items = Vec::with_capacity(req.add_friend_item.len());
    for item in req.add_friend_item {
        let result = async {
            let peer = account(&item.to_account, "To_Account")?;
            let fields = friend_fields::given(
                item.remark,
                item.group_name.map(Into::into),
                Some(item.add_source),
                item.add_wording,
                item.add_time,
            )?;
            // Not told to the webhooks, as Tencent's import is not.
            let added = chat
                .change_relations(
                    &owner,
                    (Relation::Friend, true),
                    vec![peer.clone()],
                    true,
                    Changer::Nobody,
                )
                .await?;
            first_refusal(added)?;
            keep_fields(chat, &owner, &peer, fields).await
        }
        .await;
        items.push((item.to_account, result));
    }
    ok(results(items))
}

pub(super) async fn black_list_get(chat: &Chat, body: &Bytes) -> Outcome {
    let req: BlackListGet = parse(body)?;
    let owner = account(&req.from_account, "From_Account")?;
    let all = chat.relations(&owner, Relation::Blacklist).await?;
    let size = if req.max_limited == 0 {
        PAGE
    } else {
        (req.max_limited as usize).min(1000)
    };
    let start = (req.start_index as usize).min(all.len());
    let end = (start + size).min(all.len());
    let black_list_item = all[start..end]
        .iter()
        .map(|e| BlackListItem {
            to_account: e.user_id.to_string(),
            add_black_time_stamp: e.since_ms / 1000,
        })
        .collect();
    ok(BlackListGetReply {
        black_list_item,
        start_index: if end == all.len() { 0 } else { end as u32 },
        current_sequence: list_sequence(chat),
    })
}

/// The relation words of Tencent's check commands, for one prefix (`CheckResult_Type` for
/// friends, `BlackCheckResult_Type` for blacklists).
fn relation_word(prefix: &str, single: bool, a_with_b: bool, b_with_a: bool) -> String {
    let none = if prefix == "CheckResult_Type" {
        "NoRelation"
    } else {
        "NO"
    };
    let word = check_word(single, a_with_b, b_with_a).unwrap_or(none);
    format!("{prefix}_{word}")
}

async fn check(
    chat: &Chat,
    req: RelationCheck,
    relation: Relation,
    prefix: &str,
) -> Result<(Vec<RelationCheckItem>, Vec<String>), ChatError> {
    let owner = account(&req.from_account, "From_Account")?;
    let single = direction(
        req.check_type.as_deref(),
        &format!("{prefix}_Both"),
        &format!("{prefix}_Single"),
        "CheckType",
    )?;
    check_count(req.to_account.len(), MAX_CHECK_PER_REQUEST)?;
    let parsed: Vec<_> = (req.to_account.iter())
        .map(|a| UserId::parse(a.as_str()))
        .collect();
    let peers: Vec<UserId> = parsed.iter().flatten().cloned().collect();
    let mut found = chat
        .check_relations(&owner, relation, &peers)
        .await?
        .into_iter();
    let mut items = Vec::with_capacity(req.to_account.len());
    let mut fail = Vec::new();
    for (to_account, parsed) in req.to_account.into_iter().zip(parsed) {
        let item = match parsed {
            Ok(_) => {
                let (a, b) = found.next().unwrap_or_default();
                RelationCheckItem {
                    relation: relation_word(prefix, single, a, b),
                    to_account,
                    result_code: ErrorCode(0),
                    result_info: String::new(),
                }
            }
            Err(e) => {
                fail.push(to_account.clone());
                RelationCheckItem {
                    to_account,
                    relation: relation_word(prefix, single, false, false),
                    result_code: ErrorCode::INVALID_ARGUMENT,
                    result_info: e.to_string(),
                }
            }
        };
        items.push(item);
    }
    Ok((items, fail))
}

pub(super) async fn friend_check(chat: &Chat, body: &Bytes) -> Outcome {
    let req: RelationCheck = parse(body)?;
    let (info_item, fail_account) = check(chat, req, Relation::Friend, "CheckResult_Type").await?;
    ok(FriendCheckReply {
        info_item,
        fail_account,
    })
}

pub(super) async fn black_list_check(chat: &Chat, body: &Bytes) -> Outcome {
    let req: RelationCheck = parse(body)?;
    let (black_list_check_item, fail_account) =
        check(chat, req, Relation::Blacklist, "BlackCheckResult_Type").await?;
    ok(BlackListCheckReply {
        black_list_check_item,
        fail_account,
    })
}

#[cfg(test)]
mod tests {
    use super::relation_word;

    #[test]
    fn tencent_relation_words() {
        assert_eq!(
            relation_word("CheckResult_Type", false, true, true),
            "CheckResult_Type_BothWay"
        );
        assert_eq!(
            relation_word("CheckResult_Type", false, false, true),
            "CheckResult_Type_BWithA"
        );
        assert_eq!(
            relation_word("CheckResult_Type", true, false, true),
            "CheckResult_Type_NoRelation"
        );
        assert_eq!(
            relation_word("BlackCheckResult_Type", false, false, false),
            "BlackCheckResult_Type_NO"
        );
        assert_eq!(
            relation_word("BlackCheckResult_Type", true, true, false),
            "BlackCheckResult_Type_AWithB"
        );
    }
}
