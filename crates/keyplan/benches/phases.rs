//! Each phase of the compiler on its own, on the generated 2,000-workload program: parse,
//! check, graph, every emitter, and dropping the compiled program. Throughput is bytes of
//! source, so the numbers compare with `gzip -6` on the same file (`scripts/bench.sh`).

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use keyplan::{compile, Options, Target};

mod generate;

// Measured with the allocator the `keyplan` binary ships with.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const VAULT: Options = Options {
    target: Target::Vault,
};

fn bench(c: &mut Criterion) {
    let src = generate::program(2000);
    let compiled = compile(&src, &VAULT);
    assert!(!compiled.has_errors(), "{:?}", compiled.diagnostics.first());
    // Checked by the assert above: a program without errors has both.
    let (Some(program), Some(graph)) = (&compiled.program, &compiled.graph) else {
        return;
    };
    let tree = kp_syntax::parse(&src).file;

    let mut group = c.benchmark_group("phase");
    group.sample_size(20);
    group.throughput(Throughput::Bytes(src.len() as u64));
    // As `compile` parses: the tree shares the source's buffer (its `SourceMap`'s).
    let shared = std::sync::Arc::new(src.clone());
    group.bench_function("parse", |b| {
        b.iter(|| kp_syntax::parse_shared_at(&shared, 0))
    });
    group.bench_function("check", |b| b.iter(|| kp_check::check(&tree, &VAULT)));
    group.bench_function("parse+check", |b| {
        b.iter(|| kp_check::check(&kp_syntax::parse_shared_at(&shared, 0).file, &VAULT))
    });
    group.bench_function("graph", |b| b.iter(|| kp_graph::build(program)));
    group.bench_function("emit-api", |b| {
        b.iter(|| kp_emit::api(program, graph, Target::Vault))
    });
    group.bench_function("emit-hcl", |b| b.iter(|| kp_emit::hcl(program)));
    group.bench_function("emit-json", |b| {
        b.iter(|| kp_emit::json_in(program, graph, &compiled.sources))
    });
    group.bench_function("emit-sh", |b| {
        b.iter(|| kp_emit::sh(program, graph, Target::Vault))
    });
    group.bench_function("compile", |b| b.iter(|| compile(&src, &VAULT)));
    group.bench_function("drop", |b| {
        b.iter_batched(|| compiled.clone(), drop, BatchSize::LargeInput)
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
