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
