//! One check after a one-character edit inside a workload's body, on a generated program
//! of N workloads, for instruction counts (the measured call is `measured`):
//!
//! ```sh
//! cargo build --release -p kp-ide --example recheck
//! valgrind --tool=callgrind --toggle-collect='*measured*' \
//!     target/release/examples/recheck 2000 update
//! ```
//!
//! Modes: `update` (`Analysis::update` after the edit: parse and lowering reused),
//! `scratch` (`Analysis::of_program` of the edited program), `check-memo` (the checker
//! alone, replaying from a memo of the unedited program), `check-record` (the checker
//! alone recording every item: the check after one that changed a declaration), `check` (the checker alone, from scratch).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../keyplan/benches/generate.rs"]
mod generate;

use kp_ide::{Analysis, SourceMap, Target};

fn main() {
    let mut args = std::env::args().skip(1);
    let n = args.next().and_then(|a| a.parse().ok()).unwrap_or(2000);
    let mode = args.next().unwrap_or_else(|| "update".to_string());
    let text = generate::program(n);
    let mut edited = text.clone();
    let anchor = "read  \"secret/data/team-0/job-3/*\"";
    let at = edited.find(anchor).expect("job-3 is generated") + "read  \"secret/data/team-0/".len();
    edited.insert(at, 'x');
    let options = kp_check::Options {
        target: Target::Vault,
    };
    let diagnostics = match mode.as_str() {
        "update" => {
            // Checked twice: the memo records once the environment held for a check.
            let before = Analysis::new(&text, Target::Vault)
                .update(SourceMap::single("main.kp", text.as_str()));
            // As the language server does: the previous analysis is dropped after answering.
            let (after, _, retired) =
                measured(|| before.update_retiring(SourceMap::single("main.kp", edited.as_str())));
            drop(retired);
            after.diagnostics().len()
        }
        "scratch" => measured(|| Analysis::new(&edited, Target::Vault))
            .diagnostics()
            .len(),
        "check-record" => {
            let parsed = kp_syntax::parse(&edited);
            let mut memo = kp_check::Memo::new();
            kp_check::check_reusing(&parsed.file, &options, true, &mut memo);
            let (checked, _) =
                measured(|| kp_check::check_reusing(&parsed.file, &options, true, &mut memo));
            checked.diagnostics.len()
        }
        "check-memo" | "check" => {
            let parsed = kp_syntax::parse(&text);
            let mut memo = kp_check::Memo::new();
            for _ in 0..2 {
                kp_check::check_reusing(&parsed.file, &options, true, &mut memo);
            }
            let parsed = kp_syntax::parse(&edited);
            let (checked, _) = measured(|| {
                if mode == "check" {
                    kp_check::check_indexed(&parsed.file, &options)
                } else {
                    kp_check::check_reusing(&parsed.file, &options, true, &mut memo)
                }
            });
            checked.diagnostics.len()
        }
        other => panic!("unknown mode {other}: update, scratch, check-memo, check-record or check"),
    };
    eprintln!("{mode}: {diagnostics} diagnostics");
}

/// The call callgrind counts.
#[inline(never)]
fn measured<T>(f: impl FnOnce() -> T) -> T {
    std::hint::black_box(f())
}
