//! Prints the parse of each file given (tree, diagnostics and comments, as `Debug`), one
//! after the other: comparing two builds' dumps over a corpus shows any change in the
//! parser's output, byte for byte.
//!
//! `cargo run --release -p kp-syntax --example dump FILE... > dump.txt`
use std::io::Write;

fn main() {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for path in std::env::args().skip(1) {
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let src = String::from_utf8_lossy(&bytes);
        let parsed = kp_syntax::parse(&src);
        let shifted = kp_syntax::parse_at(&src, 7);
        let comments = kp_syntax::comments(&src);
        let _ = writeln!(
            out,
            "== {path}\n{:?}\n{:?}\n{:?}\n{:?}",
            parsed.file, parsed.diagnostics, comments, shifted
        );
    }
}
