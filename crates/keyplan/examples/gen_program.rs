//! Prints a generated keyplan program with N workloads (default 2,000: about 50,000
//! lines), the input of the compile benchmark and of `scripts/bench.sh`.
//!
//!     cargo run --release -p keyplan --example gen_program -- 2000 > big.kp

#[path = "../benches/generate.rs"]
mod generate;

fn main() {
    let n = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2000);
    print!("{}", generate::program(n));
}
