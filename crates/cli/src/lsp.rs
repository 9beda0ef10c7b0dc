//! `keyplan lsp`: the language server over standard input and output.

/// Exit code 0 after a clean `shutdown`/`exit`, 1 when the connection broke.
pub fn run() -> i32 {
    match kp_lsp::run_stdio() {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("keyplan lsp: {e}");
            1
        }
    }
}
