//! Parses one file and prints the parse time, throughput, resident memory after the parse
//! and the time of dropping the tree (profiling aid: `valgrind --tool=callgrind` on this
//! binary counts the parser's instructions and nothing else of the compiler).
//!
//! `cargo run --release -p kp-syntax --example parse FILE [REPEAT]`
use std::time::Instant;

// The allocator the `keyplan` binary and the benchmarks use.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "../../keyplan/examples/support/memory.rs"]
mod memory;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_default();
    let repeat: u32 = args.next().and_then(|n| n.parse().ok()).unwrap_or(1);
    let src = std::sync::Arc::new(std::fs::read_to_string(&path).unwrap_or_default());
    eprintln!("source {} bytes [{}]", src.len(), memory::resident());
    for _ in 0..repeat {
        let t = Instant::now();
        // As the compiler parses: the tree's names and strings share the source's buffer.
        let parsed = kp_syntax::parse_shared_at(&src, 0);
        let took = t.elapsed();
        let mbs = src.len() as f64 / took.as_secs_f64() / 1e6;
        eprintln!(
            "parse {took:?} ({mbs:.0} MB/s, {} blocks, {} diags) [{}]",
            parsed.file.blocks.len(),
            parsed.diagnostics.len(),
            memory::resident()
        );
        let t = Instant::now();
        drop(parsed);
        eprintln!("drop  {:?}", t.elapsed());
    }
}
