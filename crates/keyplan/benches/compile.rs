//! End-to-end compile throughput: a generated program of 2,000 workloads (about 50,000
//! lines) parsed, checked, graphed and emitted to every format.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use keyplan::{compile, compile_files, emit, Compiled, Emit, Options, Target};

mod generate;

// Measured with the allocator the `keyplan` binary ships with.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const VAULT: Options = Options {
    target: Target::Vault,
};

fn compile_all(src: &str) -> usize {
    emit_all(compile(src, &VAULT))
}

/// The same program split across files: one source map, each file parsed on its own.
fn compile_all_files(files: &[(String, String)]) -> usize {
    emit_all(compile_files(files, &VAULT))
}

/// `src` cut into `n` files of about equal size, at top-level block boundaries.
fn split(src: &str, n: usize) -> Vec<(String, String)> {
    let target = src.len() / n + 1;
    let mut files = Vec::new();
    let mut current = String::new();
    for line in src.split_inclusive('\n') {
        let top_level = line.starts_with(|c: char| c.is_ascii_alphabetic());
        if top_level && current.len() >= target {
            files.push((
                format!("f{:03}.kp", files.len()),
                std::mem::take(&mut current),
            ));
        }
        current.push_str(line);
    }
    files.push((format!("f{:03}.kp", files.len()), current));
    files
}

fn emit_all(compiled: Compiled) -> usize {
    assert!(
        !compiled.has_errors(),
        "generated program must compile: {:?}",
        compiled.diagnostics.first()
    );
    Emit::ALL
        .iter()
        .filter_map(|f| emit(&compiled, *f))
        .flatten()
        .map(|f| f.contents.len())
        .sum()
}

fn bench(c: &mut Criterion) {
    let src = generate::program(2000);
    let mut group = c.benchmark_group("compile");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(src.len() as u64));
    group.bench_function("2000-workloads-all-outputs", |b| {
        b.iter(|| compile_all(&src))
    });
    let files = split(&src, 200);
    assert!(files.len() >= 150, "split into {} files", files.len());
    group.bench_function("2000-workloads-200-files-all-outputs", |b| {
        b.iter(|| compile_all_files(&files))
    });
    let small = generate::program(20);
    group.throughput(Throughput::Bytes(small.len() as u64));
    group.bench_function("20-workloads-all-outputs", |b| {
        b.iter(|| compile_all(&small))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
