//! Formatting throughput on the compile benchmark's program of 2,000 workloads (about
//! 50,000 lines): once as generated (already laid out, the common `fmt --check` case) and
//! once squashed to the left margin with its alignment removed (every line rewritten).
//! Both include the re-parse that checks the result.

#![allow(clippy::expect_used)] // a benchmark of a fixed input: failing loudly is the point

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

#[path = "../../keyplan/benches/generate.rs"]
mod generate;

/// The same program with no indentation and single spaces around `=`.
fn squashed(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut in_heredoc = false;
    for line in src.lines() {
        let trimmed = line.trim();
        if in_heredoc {
            in_heredoc = trimmed != "EOT";
            out.push_str(line);
        } else {
            in_heredoc = trimmed.contains("<<");
            let words = trimmed.split_whitespace().collect::<Vec<_>>().join(" ");
            out.push_str(&words.replace(" = ", "="));
        }
        out.push('\n');
    }
    out
}

fn bench(c: &mut Criterion) {
    let src = generate::program(2000);
    let ugly = squashed(&src);
    let formatted = kp_fmt::format(&ugly).expect("the generated program formats");
    assert_eq!(kp_fmt::format(&formatted).expect("formats"), formatted);
    let mut group = c.benchmark_group("format");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(src.len() as u64));
    group.bench_function("2000-workloads-as-generated", |b| {
        b.iter(|| kp_fmt::format(&src).map(|s| s.len()))
    });
    group.throughput(Throughput::Bytes(ugly.len() as u64));
    group.bench_function("2000-workloads-squashed", |b| {
        b.iter(|| kp_fmt::format(&ugly).map(|s| s.len()))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
