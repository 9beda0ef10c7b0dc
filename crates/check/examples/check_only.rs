//! Parses a program once and checks it (profiling aid for the checker alone:
//! `valgrind --tool=callgrind --toggle-collect='kp_check::check_with' ...`).
//! Prints the check's time and the resident memory before and after it.
use std::time::Instant;

// Measured with the allocator the `keyplan` binary ships with.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "../../keyplan/examples/support/memory.rs"]
mod memory;

fn main() {
    let path = std::env::args().nth(1).unwrap_or_default();
    let runs: usize = std::env::args()
        .nth(2)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    let src = std::fs::read_to_string(path).unwrap_or_default();
    let _ = kp_schema::endpoints().count();
    let parsed = kp_syntax::parse(&src);
    eprintln!("parsed [{}]", memory::resident());
    let options = kp_check::Options::default();
    let t = Instant::now();
    let checked = kp_check::check(&parsed.file, &options);
    eprintln!(
        "check  {:?} ({} diags, {} resources) [{}]",
        t.elapsed(),
        checked.diagnostics.len(),
        checked.program.resources.len(),
        memory::resident()
    );
    // Further runs for a steadier time (the first pays for page faults).
    let mut best = None::<std::time::Duration>;
    for _ in 1..runs {
        let t = Instant::now();
        let again = kp_check::check(&parsed.file, &options);
        let e = t.elapsed();
        drop(again);
        best = Some(best.map_or(e, |b| b.min(e)));
    }
    if let Some(b) = best {
        eprintln!("check  best of {} more runs: {b:?}", runs - 1);
    }
}
