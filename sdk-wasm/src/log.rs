//! What the SDK writes to the console: faults it has no caller to return to (a push that could
//! not be stored, a sync that failed in the background) as errors, and calls that can have no
//! effect (a listener for an event that does not exist) as warnings. The app chooses how much
//! with Tencent's levels (`setLogLevel`): 0 everything, 1 the release set, 2 warnings and up, 3
//! errors, 4 nothing.

use crate::error::SdkError;
use std::sync::atomic::{AtomicU8, Ordering};

/// The most verbose level.
pub const ALL: u8 = 0;
/// Warnings and errors.
pub const WARNINGS: u8 = 2;
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
    if LEVEL.load(Ordering::Relaxed) <= ERRORS {
        #[cfg(target_arch = "wasm32")]
        web_sys::console::error_1(&format!("duet-chat: {e}").into());
        #[cfg(not(target_arch = "wasm32"))]
        eprintln!("duet-chat: {e}");
    }
}

/// Writes a warning to the console, unless the level keeps warnings out.
pub fn warn(text: &str) {
    if LEVEL.load(Ordering::Relaxed) <= WARNINGS {
        #[cfg(target_arch = "wasm32")]
        web_sys::console::warn_1(&format!("duet-chat: {text}").into());
        #[cfg(not(target_arch = "wasm32"))]
        eprintln!("duet-chat: {text}");
    }
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
