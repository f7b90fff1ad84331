//! HTTP range requests (RFC 9110 §14) for media downloads: one byte range, so video and audio
//! can seek and an interrupted download can resume. Several ranges in one request are served
//! as the whole content, which the RFC allows.

/// What to send of a `size`-byte object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Served {
    Whole,
    /// Bytes `start..=end`.
    Part {
        start: u64,
        end: u64,
    },
    /// No byte of the range exists (416).
    Unsatisfiable,
}

/// Reads a `Range` header value against an object of `size` bytes.
pub fn parse(header: Option<&str>, size: u64) -> Served {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
        return Served::Whole;
    };
    if spec.contains(',') {
        return Served::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return Served::Whole;
    };
    let (first, last) = (first.trim(), last.trim());
    let range = if first.is_empty() {
        // The last `n` bytes.
        match last.parse::<u64>() {
            Ok(0) => return Served::Unsatisfiable,
            Ok(n) => (size.saturating_sub(n), size.saturating_sub(1)),
            Err(_) => return Served::Whole,
        }
    } else {
        let Ok(start) = first.parse::<u64>() else {
            return Served::Whole;
        };
        let end = match last {
            "" => size.saturating_sub(1),
            l => match l.parse::<u64>() {
                Ok(e) if e >= start => e.min(size.saturating_sub(1)),
                _ => return Served::Whole,
            },
        };
        (start, end)
    };
    if size == 0 || range.0 >= size {
        return Served::Unsatisfiable;
    }
    Served::Part {
        start: range.0,
        end: range.1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        let part = |start, end| Served::Part { start, end };
        assert_eq!(parse(None, 100), Served::Whole);
        assert_eq!(parse(Some("bytes=0-9"), 100), part(0, 9));
        assert_eq!(parse(Some("bytes=90-"), 100), part(90, 99));
        assert_eq!(parse(Some("bytes=-10"), 100), part(90, 99));
        assert_eq!(parse(Some("bytes=-500"), 100), part(0, 99));
        assert_eq!(parse(Some("bytes=50-500"), 100), part(50, 99));
        assert_eq!(parse(Some("bytes=100-"), 100), Served::Unsatisfiable);
        assert_eq!(parse(Some("bytes=-0"), 100), Served::Unsatisfiable);
        assert_eq!(parse(Some("bytes=0-1,5-6"), 100), Served::Whole);
        assert_eq!(parse(Some("bytes=9-1"), 100), Served::Whole);
        assert_eq!(parse(Some("items=0-1"), 100), Served::Whole);
        assert_eq!(parse(Some("bytes=0-"), 0), Served::Unsatisfiable);
    }
}
