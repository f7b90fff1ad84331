//! The storage suite on PostgreSQL, each test in a database of its own, in the cluster that
//! `DUET_TEST_POSTGRES_URL` names (`npm test` starts one; `npm run test:server` starts one and
//! prints the line to export for `cargo test`).

use super::SqlStorage;
use crate::storage::conformance::{T0, text_msg, uid};
use crate::storage::{
    CommitListener, NoListener, Relation, RelationChange, Retention, Revocation, Seq, Storage,
    StorageError,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

/// The URL of a new, empty database.
pub(crate) fn fresh_database() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let base = std::env::var("DUET_TEST_POSTGRES_URL").expect(
        "DUET_TEST_POSTGRES_URL is not set: `npm test` starts PostgreSQL for these tests, \
         and `npm run test:server` starts one and prints what to export",
    );
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let name = format!("duet_unit_{}_{n}", std::process::id());
    super::create_database(&base, &name).expect("a test database")
}

fn make(
    retention: Retention,
    listener: Arc<dyn CommitListener>,
) -> (Arc<dyn Storage>, Box<dyn std::any::Any>) {
    let store = SqlStorage::open_postgres(&fresh_database(), retention, listener).unwrap();
    (Arc::new(store), Box::new(()))
}

crate::storage::conformance::storage_conformance!(make);

/// Two nodes' writers on one database: each drops what it cached of the users the other
/// touched, so a user's sequence stays gapless whichever node appends to it, a retry is found
/// whichever node stored the message, and a blacklist or an account's deletion on one node
/// holds on the other at once.
#[tokio::test]
async fn writers_on_two_nodes_see_each_others_changes() {
    let url = fresh_database();
    let open =
        || SqlStorage::open_postgres(&url, Retention::default(), Arc::new(NoListener)).unwrap();
    let (a, b) = (open(), open());
    for user in ["alice", "bob", "carol"] {
        a.ensure_user(&uid(user), T0).await.unwrap();
    }
    for i in 0..6u32 {
        let (node, from) = if i % 2 == 0 {
            (&a, "alice")
        } else {
            (&b, "carol")
        };
        let sent = node.send(text_msg(
            from,
            "bob",
            i,
            &format!("m{i}"),
            T0 + u64::from(i),
        ));
        assert!(!sent.await.unwrap().duplicate);
    }
    let page = a.sync(&uid("bob"), Seq(0), 100, T0 + 10).await.unwrap();
    let seqs: Vec<u64> = page.entries.iter().map(|e| e.seq.0).collect();
    assert_eq!(seqs, (1..=6).collect::<Vec<_>>());
    let retry = b
        .send(text_msg("alice", "bob", 0, "m0", T0 + 11))
        .await
        .unwrap();
    assert!(retry.duplicate, "node b finds the message node a stored");

    let block = RelationChange {
        relation: Relation::Blacklist,
        owner: uid("bob"),
        peers: vec![uid("alice")],
        add: true,
        both_ways: false,
        existing_only: false,
        fields: Vec::new(),
        peer_fields: Vec::new(),
        now_ms: T0 + 12,
        origin: None,
    };
    assert!(b.change_relations(block).await.unwrap()[0].is_ok());
    let refused = a
        .send(text_msg("alice", "bob", 100, "after the block", T0 + 13))
        .await;
    assert!(matches!(refused, Err(StorageError::Blocked)), "{refused:?}");

    b.delete_user(&uid("carol"), Revocation::default())
        .await
        .unwrap();
    let refused = a
        .send(text_msg(
            "carol",
            "bob",
            101,
            "from a deleted account",
            T0 + 14,
        ))
        .await;
    assert!(
        matches!(refused, Err(StorageError::UnknownUser(_))),
        "{refused:?}"
    );
    let sent = a
        .send(text_msg("bob", "alice", 102, "still chatting", T0 + 15))
        .await
        .unwrap();
    let page = b.sync(&uid("bob"), Seq(0), 100, T0 + 16).await.unwrap();
    let seqs: Vec<u64> = page.entries.iter().map(|e| e.seq.0).collect();
    assert_eq!(
        seqs,
        (1..=seqs.len() as u64).collect::<Vec<_>>(),
        "bob's sequence stays gapless"
    );
    assert_eq!(Some(&sent.sender_seq.0), seqs.last());
}

/// Every connection carries the session time limits, so a node frozen in the middle of a batch
/// cannot hold the write epoch for longer than a minute.
#[test]
fn connections_carry_the_time_limits() {
    let db = super::db::Db::connect_postgres(&fresh_database()).unwrap();
    let show = |setting: &str| {
        db.one(&format!("SHOW {setting}"), &[], |r| r.get::<String>(0))
            .unwrap()
    };
    assert_eq!(show("statement_timeout"), "5min");
    assert_eq!(show("idle_in_transaction_session_timeout"), "1min");
    assert_eq!(show("plan_cache_mode"), "force_custom_plan");
}
