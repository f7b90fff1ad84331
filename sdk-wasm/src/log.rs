//! What the SDK writes to the console: only faults it has no caller to return to (a push that
//! could not be stored, a sync that failed in the background). The app chooses how much with
//! Tencent's levels (`setLogLevel`): 0 everything, 1 the release set, 2 warnings and up, 3
//! errors, 4 nothing. With only errors to write, 0 to 3 write them and 4 silences the SDK.

use crate::error::SdkError;
use std::sync::atomic::{AtomicU8, Ordering};

/// The most verbose level.
pub const ALL: u8 = 0;
/// Errors and nothing less.
pub const ERRORS: u8 = 3;
/// Nothing at all.
pub const NONE: u8 = 4;

/// One level for the page, as the console it writes to is one.
static LEVEL: AtomicU8 = AtomicU8::new(ALL);

/// Sets the level; `None` when `level` is not one of Tencent's (0 to 4).
pub fn set_level(level: u8) -> Option<()> {
    (level <= NONE).then(|| LEVEL.store(level, Ordering::Relaxed))
}

/// Writes a fault to the console, unless the level keeps errors out.
pub fn error(e: &SdkError) {
    if LEVEL.load(Ordering::Relaxed) > ERRORS {
        return;
    }
    #[cfg(target_arch = "wasm32")]
    web_sys::console::error_1(&format!("duet-chat: {e}").into());
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("duet-chat: {e}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_tencents_levels_are_taken() {
        assert_eq!(set_level(NONE), Some(()));
        assert_eq!(set_level(5), None);
        assert_eq!(
            LEVEL.load(Ordering::Relaxed),
            NONE,
            "a refused level changes nothing"
        );
        assert_eq!(set_level(ALL), Some(()));
    }
}
