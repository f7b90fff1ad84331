//! Which entries of the user's sync log this device has applied. Entries arrive from sync pages
//! (in order), pushes (in commit order, but the device's own actions come back only in replies)
//! and replies to this device's sends; so they can arrive out of order or twice. The tracker
//! says whether an entry is new, keeps the cursor at the last sequence up to which every entry
//! is applied, and tells when there is a hole to fill with a sync from the cursor.

use protocol::Seq;
use std::collections::BTreeSet;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeqTracker {
    cursor: Seq,
    /// Applied sequences above `cursor + 1`.
    ahead: BTreeSet<u64>,
}

impl SeqTracker {
    /// Starts from a stored cursor.
    pub fn new(cursor: Seq) -> Self {
        Self {
            cursor,
            ahead: BTreeSet::new(),
        }
    }

    /// Every entry up to this one is applied; persist it and sync from it.
    pub fn cursor(&self) -> Seq {
        self.cursor
    }

    /// Records that entry `seq` is being applied. Returns false when it was applied before, in
    /// which case the caller must not apply (or announce) it again.
    pub fn record(&mut self, seq: Seq) -> bool {
        if seq <= self.cursor || !self.ahead.insert(seq.0) {
            return false;
        }
        while self.ahead.remove(&(self.cursor.0 + 1)) {
            self.cursor.0 += 1;
        }
        true
    }

    /// True when entries after the cursor are missing while later ones arrived: the device
    /// must sync from the cursor.
    pub fn has_hole(&self) -> bool {
        !self.ahead.is_empty()
    }

    /// A sync page covered everything up to `next` (entries it skipped had expired): nothing up
    /// to `next` is missing any more.
    pub fn covered_to(&mut self, next: Seq) {
        if next > self.cursor {
            self.cursor = next;
        }
        self.ahead.retain(|s| *s > next.0);
        while self.ahead.remove(&(self.cursor.0 + 1)) {
            self.cursor.0 += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_order_entries_move_the_cursor() {
        let mut t = SeqTracker::new(Seq(3));
        assert!(!t.record(Seq(3)), "already applied before the cursor");
        assert!(t.record(Seq(4)));
        assert!(t.record(Seq(5)));
        assert_eq!(t.cursor(), Seq(5));
        assert!(!t.has_hole());
        assert!(!t.record(Seq(5)), "a second copy is not new");
    }

    #[test]
    fn a_hole_waits_for_its_entry_then_closes() {
        let mut t = SeqTracker::new(Seq(0));
        assert!(t.record(Seq(1)));
        assert!(t.record(Seq(3)), "ahead of a hole: applied, remembered");
        assert!(t.has_hole());
        assert_eq!(t.cursor(), Seq(1));
        assert!(!t.record(Seq(3)));
        assert!(t.record(Seq(2)));
        assert_eq!(t.cursor(), Seq(3));
        assert!(!t.has_hole());
    }

    #[test]
    fn a_sync_page_covers_expired_entries() {
        let mut t = SeqTracker::new(Seq(2));
        t.record(Seq(9));
        // The page returned entries up to 7 (4..6 had expired) and said next = 7.
        t.covered_to(Seq(7));
        assert_eq!(t.cursor(), Seq(7));
        assert!(t.has_hole(), "9 is still ahead of 8");
        t.covered_to(Seq(8));
        assert_eq!(t.cursor(), Seq(9));
        assert!(!t.has_hole());
        t.covered_to(Seq(4));
        assert_eq!(t.cursor(), Seq(9), "never moves back");
    }
}
