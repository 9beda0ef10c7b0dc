//! The playground's keystroke, natively: the stateful `Checker` on a large program,
//! toggling an `x` after a `user_claim` in the middle (an unknown field, then fixed),
//! against a check from scratch of the same texts.
//!
//! `cargo run --release -p keyplan --example keystroke -- PROGRAM.kp [ROUNDS]`; the
//! playground bench's program: `node -e "import('./web/tests/bench-keystroke.mjs')
//! .then(m=>require('fs').writeFileSync('/tmp/big.kp', m.bigProgram()))"`. With `ROUNDS`
//! under 100, that many keystrokes run untimed, for `valgrind --tool=callgrind`: the
//! difference of the counts of two runs (0 and 10, say) is that many keystrokes' cost.

#![allow(clippy::expect_used, clippy::indexing_slicing)]

use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: keystroke PROGRAM.kp [ROUNDS]");
    let rounds: usize = args.next().map_or(4000, |n| n.parse().expect("ROUNDS"));
    let src = std::fs::read_to_string(path).expect("read the program");
    let half = src.len() / 2;
    let at = src[half..]
        .find("user_claim")
        .expect("a user_claim after the middle")
        + half
        + "user_claim".len();
    let edited = format!("{}x{}", &src[..at], &src[at..]);
    let mut checker = keyplan::json_api::Checker::new();
    checker.check_json(&src, "vault");
    checker.check_json(&src, "vault");
    if rounds < 100 {
        // For instruction counts: `rounds` keystrokes and nothing else.
        for i in 0..rounds {
            let text = if i % 2 == 0 { &edited } else { &src };
            std::hint::black_box(checker.check_json(text, "vault"));
        }
        return;
    }
    let mut times = Vec::with_capacity(rounds);
    for i in 0..rounds {
        let text = if i % 2 == 0 { &edited } else { &src };
        let start = Instant::now();
        std::hint::black_box(checker.check_json(text, "vault"));
        times.push(start.elapsed().as_secs_f64() * 1e3);
    }
    report("memo check", &mut times);
    println!("  replayed {} items", checker.replayed());
    let mut times = Vec::new();
    for i in 0..rounds.div_ceil(40).max(2) {
        let text = if i % 2 == 0 { &edited } else { &src };
        let start = Instant::now();
        std::hint::black_box(keyplan::json_api::check_json(text, "vault"));
        times.push(start.elapsed().as_secs_f64() * 1e3);
    }
    report("from scratch", &mut times);
}

fn report(what: &str, times: &mut [f64]) {
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() - 1) as f64 * q) as usize];
    println!("{what}: median {:.3} ms, p95 {:.3} ms", at(0.5), at(0.95));
}
