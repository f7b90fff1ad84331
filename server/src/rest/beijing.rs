//! Beijing time (UTC+8 all year), in which Tencent's REST API writes times as text.

/// Beijing time's offset from UTC.
pub(super) const OFFSET_S: i64 = 8 * 3600;

/// `YYYY-MM-DD HH:MM:SS` in Beijing time.
pub(super) fn format(unix_s: u64) -> String {
    let t = i64::try_from(unix_s)
        .ok()
        .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s + OFFSET_S).ok())
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn times_are_written_in_beijing_time() {
        // 2026-12-05 13:00 UTC.
        assert_eq!(super::format(1_796_475_600), "2026-12-05 21:00:00");
        assert_eq!(super::format(1_796_475_600 + 3_599), "2026-12-05 21:59:59");
    }
}
