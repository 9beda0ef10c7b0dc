//! Access diff of two 2,000-workload programs (target: under 200 ms, compile included).
//! The new program changes one workload's grants and another's login, so the diff
//! does its full work and finds something.

use criterion::{criterion_group, criterion_main, Criterion};
use keyplan::{access_diff, access_lints, access_matrix, compile, Compiled, Options, Target};

mod generate;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn compiled(src: &str) -> Compiled {
    let c = compile(
        src,
        &Options {
            target: Target::Vault,
        },
    );
    assert!(!c.has_errors(), "{:?}", c.diagnostics.first());
    c
}

fn bench(c: &mut Criterion) {
    let old_src = generate::program(2000);
    let new_src = old_src
        .replacen(
            "workload job-7 {",
            "workload job-7 {\n  delete \"secret/data/x/*\"",
            1,
        )
        .replacen("workload job-1999 {", "workload job-1999-renamed {", 1);
    let (old, new) = (compiled(&old_src), compiled(&new_src));
    let diff = access_diff(&old, &new).map(|d| d.identities.len());
    assert_eq!(diff, Some(3), "one modified, one added, one removed");
    let mut group = c.benchmark_group("access");
    group.sample_size(10);
    group.bench_function("diff-2000-workloads", |b| {
        b.iter(|| access_diff(&old, &new))
    });
    group.bench_function("matrix-2000-workloads", |b| b.iter(|| access_matrix(&new)));
    group.bench_function("lints-2000-workloads", |b| b.iter(|| access_lints(&new)));
    group.bench_function("compile-both-and-diff-2000-workloads", |b| {
        b.iter(|| access_diff(&compiled(&old_src), &compiled(&new_src)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
