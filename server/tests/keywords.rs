//! Keyword libraries (`im_msg_audit_mgr`), as a backend written from Tencent's docs manages
//! them: the words it adds are refused in what users send, edit and set from their devices
//! (messages, nicknames, signatures, friend remarks and request wording), and nowhere else.

mod common;

use common::*;
use protocol::frame::Request;
use protocol::{ProfileDetails, Relation, RelationFields};
use serde_json::{Value, json};

const LIB: &str = "1cd0d0ed-0e2c-4d35-ae86-2a1a8697706d";

#[tokio::test]
async fn words_in_a_library_are_refused_in_what_users_write() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice", "web").await;
    let mut bob = server.login("bob", "web").await;
    let (before, _, _) = alice.send_text("bob", 1, "a fine message").await;
    assert_eq!(text_of(&bob.push_message().await), "a fine message");

    let added = server
        .rest(
            "im_msg_audit_mgr/add_cloud_audit_keywords",
            json!({"SdkAppId": SDK_APP_ID, "LibID": LIB,
                   "UserKeywords": [{"Content": "spam", "Label": "Ad"}, {"Content": "  scam "}, {"Content": "spam"}]}),
        )
        .await;
    assert_eq!(code(&added), 0, "{added}");
    assert_eq!(added["RequestId"].as_str().unwrap().len(), 36);

    // Refused whatever the case, and stored nowhere: bob's next message is the clean one.
    let refused = alice.err(send_request("bob", 2, "buy SPAM now")).await;
    assert_eq!(refused.0, 80001);
    assert_eq!(alice.err(send_request("bob", 3, "a Scam")).await.0, 80001);
    alice.send_text("bob", 4, "spa m is fine").await;
    assert_eq!(text_of(&bob.push_message().await), "spa m is fine");

    // An edit that brings a word in is refused too; the message keeps its words.
    let edit = Request::Edit {
        peer: uid("bob"),
        key: before.key,
        version: 0,
        elements: Some(text("now with spam")),
        cloud_custom_data: None,
    };
    assert_eq!(alice.err(edit).await.0, 80001);

    // The app's backend is not checked, sending or editing as a user.
    let sent = server
        .rest(
            "openim/sendmsg",
            json!({"From_Account": "alice", "To_Account": "bob", "MsgRandom": 9,
                   "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "spam from the backend"}}]}),
        )
        .await;
    assert_eq!(code(&sent), 0, "{sent}");
    assert_eq!(text_of(&bob.push_message().await), "spam from the backend");

    // A user's own nickname, signature, friend request wording and remark are checked too;
    // the backend's are not.
    let profile = |nick: &str, signature: &str| Request::ProfileSet {
        nick: Some(nick.into()),
        avatar: None,
        details: ProfileDetails {
            self_signature: Some(signature.into()),
            ..Default::default()
        },
    };
    assert_eq!(alice.err(profile("Spammer", "hi")).await.0, 80001);
    assert_eq!(alice.err(profile("Alice", "no scam")).await.0, 80001);
    alice.ok(profile("Alice", "hello")).await;
    let fields = |remark: &str, wording: &str| RelationFields {
        remark: remark.into(),
        wording: wording.into(),
        source: String::new(),
    };
    let request = |fields| Request::RelationAdd {
        relation: Relation::Friend,
        users: vec![uid("bob")],
        fields,
    };
    assert_eq!(alice.err(request(fields("", "spam me"))).await.0, 80001);
    assert_eq!(alice.err(request(fields("my spam", ""))).await.0, 80001);
    let friends = server
        .rest(
            "sns/friend_add",
            json!({"From_Account": "alice", "ForceAddFlags": 1,
                   "AddFriendItem": [{"To_Account": "bob", "Remark": "spam pal"}]}),
        )
        .await;
    assert_eq!(code(&friends), 0, "{friends}");
    let update = |remark: &str| Request::RelationUpdate {
        relation: Relation::Friend,
        user: uid("bob"),
        fields: fields(remark, ""),
    };
    assert_eq!(alice.err(update("scam artist")).await.0, 80001);
    alice.ok(update("Bob")).await;
    let mut carol = server.login("carol", "web").await;
    carol
        .ok(Request::RelationAdd {
            relation: Relation::Friend,
            users: vec![uid("alice")],
            fields: fields("", "hi alice"),
        })
        .await;
    let accept = |remark: &str| Request::ApplicationAccept {
        user: uid("carol"),
        both: true,
        fields: fields(remark, ""),
    };
    assert_eq!(alice.err(accept("spam friend")).await.0, 80001);
    alice.ok(accept("Carol")).await;
    let set = server
        .rest(
            "profile/portrait_set",
            json!({"From_Account": "bob", "ProfileItem": [{"Tag": "Tag_Profile_IM_Nick", "Value": "spam king"}]}),
        )
        .await;
    assert_eq!(code(&set), 0, "{set}");

    // Listing: one library, its words once each, in the order they came.
    let libraries = server
        .rest(
            "im_msg_audit_mgr/get_cloud_audit_keywords_ids",
            json!({"SdkAppId": SDK_APP_ID, "Offset": 0, "Limit": 10}),
        )
        .await;
    assert_eq!(libraries["TotalCount"], 1, "{libraries}");
    let library = &libraries["Infos"][0];
    assert_eq!(library["ID"], LIB);
    assert_eq!(library["Suggestion"], "Block");
    assert!(
        library["CreateTime"]
            .as_str()
            .unwrap()
            .ends_with(" +0800 CST"),
        "{library}"
    );
    let words = server
        .rest(
            "im_msg_audit_mgr/get_cloud_audit_keywords",
            json!({"LibID": LIB, "Offset": 0, "Limit": 10}),
        )
        .await;
    assert_eq!(words["TotalCount"], 2, "{words}");
    let listed: Vec<(&str, &str)> = words["Infos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["Content"].as_str().unwrap(), w["Label"].as_str().unwrap()))
        .collect();
    assert_eq!(listed, [("spam", "Ad"), ("scam", "Normal")]);
    let found = server
        .rest(
            "im_msg_audit_mgr/get_cloud_audit_keywords",
            json!({"LibID": LIB, "Offset": 0, "Limit": 10, "Content": "SC"}),
        )
        .await;
    assert_eq!(found["TotalCount"], 1);
    assert_eq!(found["Infos"][0]["Content"], "scam");
    let spam_id = words["Infos"][0]["ID"].as_str().unwrap().to_owned();

    // Deleting: each word says whether it was there; a deleted word may be sent again.
    let deleted = server
        .rest(
            "im_msg_audit_mgr/delete_cloud_audit_keywords",
            json!({"LibID": LIB, "Keywords": ["spam", "never added"]}),
        )
        .await;
    assert_eq!(code(&deleted), 0, "{deleted}");
    assert_eq!(deleted["Count"], 1);
    assert_eq!(
        deleted["Details"],
        json!([
            {"KeywordID": spam_id, "Keyword": "spam", "Deleted": true, "ErrorInfo": ""},
            {"KeywordID": "", "Keyword": "never added", "Deleted": false, "ErrorInfo": "not in the library"}
        ])
    );
    alice.send_text("bob", 5, "spam is back").await;
    assert_eq!(alice.err(send_request("bob", 6, "scam")).await.0, 80001);

    // Kept across a restart.
    drop((alice, bob));
    let dir = server.stop().await;
    let server = TestServer::start_in(dir, |_| {}).await;
    let mut alice = server.login("alice", "web").await;
    assert_eq!(alice.err(send_request("bob", 7, "scam")).await.0, 80001);
    let words: Value = server
        .rest(
            "im_msg_audit_mgr/get_cloud_audit_keywords",
            json!({"LibID": LIB, "Offset": 0, "Limit": 10}),
        )
        .await;
    assert_eq!(words["TotalCount"], 1);
}

#[tokio::test]
async fn keyword_requests_are_bounded_and_say_what_is_wrong() {
    let server = TestServer::start().await;
    let word = |i: usize| json!({"Content": format!("w{i}")});
    for (command, body, says) in [
        (
            "add_cloud_audit_keywords",
            json!({"LibID": LIB, "UserKeywords": (0..101).map(word).collect::<Vec<_>>()}),
            "1 to 100",
        ),
        (
            "add_cloud_audit_keywords",
            json!({"LibID": LIB, "UserKeywords": []}),
            "1 to 100",
        ),
        (
            "add_cloud_audit_keywords",
            json!({"LibID": LIB, "UserKeywords": [{"Content": "   "}]}),
            "1 to 64 characters",
        ),
        (
            "add_cloud_audit_keywords",
            json!({"LibID": LIB, "UserKeywords": [{"Content": "x".repeat(65)}]}),
            "1 to 64 characters",
        ),
        (
            "add_cloud_audit_keywords",
            json!({"LibID": LIB, "UserKeywords": [{"Content": "x", "Label": "Rude"}]}),
            "Label",
        ),
        (
            "add_cloud_audit_keywords",
            json!({"LibID": "has space", "UserKeywords": [{"Content": "x"}]}),
            "LibID",
        ),
        (
            "delete_cloud_audit_keywords",
            json!({"LibID": LIB, "Keywords": ["x"]}),
            "no keyword library",
        ),
        (
            "get_cloud_audit_keywords",
            json!({"LibID": LIB, "Offset": 0, "Limit": 10}),
            "no keyword library",
        ),
        (
            "get_cloud_audit_keywords_ids",
            json!({"Offset": 0, "Limit": 101}),
            "1 to 100",
        ),
        (
            "get_cloud_audit_keywords_ids",
            json!({"Offset": 0, "Limit": 0}),
            "1 to 100",
        ),
    ] {
        let reply = server
            .rest(&format!("im_msg_audit_mgr/{command}"), body.clone())
            .await;
        assert_eq!(code(&reply), 60006, "{command} {body}: {reply}");
        let info = reply["ErrorInfo"].as_str().unwrap();
        assert!(info.contains(says), "{command}: {info}");
    }
    // A refused request changes nothing.
    let libraries = server
        .rest(
            "im_msg_audit_mgr/get_cloud_audit_keywords_ids",
            json!({"Offset": 0, "Limit": 10}),
        )
        .await;
    assert_eq!(libraries["TotalCount"], 0, "{libraries}");

    // Ten words a delete at most; twenty libraries; ten thousand words in all.
    let add = |lib: String, words: Vec<Value>| {
        server.rest(
            "im_msg_audit_mgr/add_cloud_audit_keywords",
            json!({"LibID": lib, "UserKeywords": words}),
        )
    };
    for lib in 0..20 {
        let words = (0..100).map(|i| word(lib * 1000 + i)).collect();
        assert_eq!(code(&add(format!("lib{lib}"), words).await), 0);
    }
    let one_more = add("lib20".into(), vec![word(99_999)]).await;
    assert_eq!(code(&one_more), 60006);
    assert!(
        one_more["ErrorInfo"]
            .as_str()
            .unwrap()
            .contains("20 keyword libraries")
    );
    let eleven: Vec<String> = (0..11).map(|i| format!("w{i}")).collect();
    let reply = server
        .rest(
            "im_msg_audit_mgr/delete_cloud_audit_keywords",
            json!({"LibID": "lib0", "Keywords": eleven}),
        )
        .await;
    assert_eq!(code(&reply), 60006);
    for round in 1..=78 {
        let words = (0..100).map(|i| word(100_000 + round * 100 + i)).collect();
        assert_eq!(code(&add(format!("lib{}", round % 20), words).await), 0);
    }
    // 9,800 words now: two hundred more reach 10,000, and a hundred more would pass it.
    let words = (0..100).map(|i| word(900_000 + i)).collect::<Vec<_>>();
    assert_eq!(code(&add("lib0".into(), words.clone()).await), 0);
    assert_eq!(code(&add("lib1".into(), words.clone()).await), 0);
    let over = add("lib2".into(), words).await;
    assert_eq!(code(&over), 60006, "{over}");
    assert!(over["ErrorInfo"].as_str().unwrap().contains("10000"));
    // The automaton of ten thousand words still answers a send.
    let mut alice = server.login("alice", "web").await;
    server.login("bob", "web").await;
    assert_eq!(
        alice
            .err(send_request("bob", 1, "has W900050 in it"))
            .await
            .0,
        80001
    );
    alice.send_text("bob", 2, "has none").await;
}
