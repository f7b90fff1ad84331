//! The storage suite on PostgreSQL, each test in a database of its own, in the cluster that
//! `DUET_TEST_POSTGRES_URL` names (`npm test` starts one; `npm run test:server` starts one and
//! prints the line to export for `cargo test`).

use super::SqlStorage;
use crate::storage::{CommitListener, Retention, Storage};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

/// The URL of a new, empty database.
pub(crate) fn fresh_database() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let base = std::env::var("DUET_TEST_POSTGRES_URL").expect(
        "DUET_TEST_POSTGRES_URL is not set: `npm test` starts PostgreSQL for these tests, \
         and `npm run test:server` starts one and prints what to export",
    );
    let name = format!(
        "duet_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let create = format!("CREATE DATABASE {name}");
    let admin = base.clone();
    // The blocking client may not run on the test's async runtime thread.
    std::thread::spawn(move || {
        let mut client = postgres::Client::connect(&admin, postgres::NoTls)
            .unwrap_or_else(|e| panic!("cannot reach the test PostgreSQL at {admin}: {e}"));
        client
            .batch_execute(&create)
            .expect("create a test database");
    })
    .join()
    .expect("creating the test database");
    let (server, _) = base.rsplit_once('/').expect("a URL with a database");
    format!("{server}/{name}")
}

fn make(
    retention: Retention,
    listener: Arc<dyn CommitListener>,
) -> (Arc<dyn Storage>, Box<dyn std::any::Any>) {
    let store = SqlStorage::open_postgres(&fresh_database(), retention, listener).unwrap();
    (Arc::new(store), Box::new(()))
}

crate::storage::conformance::storage_conformance!(make);
