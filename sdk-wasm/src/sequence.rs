//! Which entries of the user's sync log this device has applied. Entries arrive from sync pages
//! (in order), pushes (in commit order, but the device's own actions come back only in replies)
//! and replies to this device's sends; so they can arrive out of order or twice. The tracker
//! says whether an entry is new, keeps the cursor at the last sequence up to which every entry
//! is applied, and tells when there is a hole to fill with a sync from the cursor.

use protocol::Seq;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeqTracker {
    cursor: Seq,
    /// Applied sequences above `cursor + 1`, in order: the pushes that came during a sync, a
    /// few pages at most, which a sorted list holds in less code than a B-tree.
    ahead: Vec<u64>,
}

impl SeqTracker {
    /// Starts from a stored cursor.
    pub fn new(cursor: Seq) -> Self {
        Self {
            cursor,
            ahead: Vec::new(),
        }
    }

    /// Every entry up to this one is applied; persist it and sync from it.
    pub fn cursor(&self) -> Seq {
        self.cursor
    }

    /// Records that entry `seq` is being applied. Returns false when it was applied before, in
    /// which case the caller must not apply (or announce) it again.
    pub fn record(&mut self, seq: Seq) -> bool {
        if seq <= self.cursor {
            return false;
        }
        match self.ahead.binary_search(&seq.0) {
            Ok(_) => return false,
            Err(at) => self.ahead.insert(at, seq.0),
        }
        self.close_up();
        true
    }

    /// Moves the cursor over the applied sequences that follow it.
    fn close_up(&mut self) {
        let next = self.cursor.0 + 1;
        let run = (self.ahead.iter().zip(next..))
            .take_while(|(seq, want)| **seq == *want)
            .count();
        self.ahead.drain(..run);
        self.cursor.0 += run as u64;
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
        self.close_up();
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
    fn entries_in_any_order_close_up_once_all_came() {
        let mut t = SeqTracker::new(Seq(0));
        for seq in (2..=100).rev().step_by(2).chain((3..=99).step_by(2)) {
            assert!(t.record(Seq(seq)));
            assert_eq!(t.cursor(), Seq(0));
        }
        assert!(!t.record(Seq(50)), "a second copy is not new");
        assert!(t.record(Seq(1)));
        assert_eq!(t.cursor(), Seq(100));
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
