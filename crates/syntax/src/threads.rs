//! Two jobs at once, for the large programs the parser (and the CLI's reading of many
//! files) splits in two. Native only: the wasm has no threads and never compiles this.

/// `(first(), second())`, with `second` run on a thread beside `first`. When no thread
/// can be started (a process at its thread limit) or `second` panics on it, `second` runs
/// here after `first`: the answers are the same either way, and a panic shows as it
/// would have without the thread.
pub fn both<A, B: Send>(first: impl FnOnce() -> A, second: impl Fn() -> B + Sync) -> (A, B) {
    std::thread::scope(|scope| {
        let beside = std::thread::Builder::new().spawn_scoped(scope, &second);
        let a = first();
        let b = beside
            .ok()
            .and_then(|thread| thread.join().ok())
            .unwrap_or_else(&second);
        (a, b)
    })
}

#[cfg(test)]
mod tests {
    use super::both;

    #[test]
    fn both_answers_come_back_in_place() {
        let text = "left right";
        assert_eq!(both(|| &text[..4], || &text[5..]), ("left", "right"));
    }
}
