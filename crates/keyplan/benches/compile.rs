//! End-to-end compile throughput: a generated program of 2,000 workloads (about 50,000
//! lines) parsed, checked, graphed and emitted to every format.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use keyplan::{compile, emit, Emit, Options, Target};

mod generate;

// Measured with the allocator the `keyplan` binary ships with.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn compile_all(src: &str) -> usize {
    let compiled = compile(
        src,
        &Options {
            target: Target::Vault,
        },
    );
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
    let small = generate::program(20);
    group.throughput(Throughput::Bytes(small.len() as u64));
    group.bench_function("20-workloads-all-outputs", |b| {
        b.iter(|| compile_all(&small))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
