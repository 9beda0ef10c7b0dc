//! `keyplan explain-code CODE` (and `check --explain CODE`): prints the code's entry of
//! docs/diagnostics.md, embedded in the compiler, on stdout.

use std::io::Write;

/// Exit code 0 when the code is documented, 1 (with a did-you-mean) when not.
pub fn run(code: &str) -> u8 {
    match keyplan::explain_code::explain_code(code) {
        Ok(text) => {
            // `keyplan explain-code X | head` closing the pipe early is not a failure.
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
            0
        }
        Err(e) => {
            eprintln!("error: {e}");
            eprintln!(
                "  help: `keyplan check` prints each diagnostic's code, e.g. `kp::missing-field`"
            );
            1
        }
    }
}
