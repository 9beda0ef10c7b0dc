//! `explain` of 1,000 paths against the generated 2,000-workload program (compiled once,
//! outside the measurement): for one identity (`--as`), and the evaluation alone for
//! every identity (2,000 ACLs × 1,000 paths).

// A benchmark stops with a message when its fixture is broken.
#![allow(clippy::expect_used)]

use criterion::{criterion_group, criterion_main, Criterion};
use keyplan::explain::{evaluators, explain, ExplainOptions};
use keyplan::{compile, Options, Target};

mod generate;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// 1,000 request paths: each policy rule's pattern made concrete, cycling.
fn paths(program: &keyplan::ir::Program) -> Vec<String> {
    let patterns: Vec<String> = keyplan::explain::policies(program)
        .iter()
        .flat_map(|p| p.rules.iter().map(|r| r.pattern.clone()))
        .collect();
    (0..1000)
        .map(|i| {
            let p = &patterns[(i * 7919) % patterns.len()];
            let p = p.replace('+', "x").replace('*', "deeper/key");
            if i % 5 == 0 {
                format!("{p}/")
            } else {
                p
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let src = generate::program(2000);
    let target = Target::Openbao;
    let compiled = compile(&src, &Options { target });
    let program = compiled.program.expect("generated program compiles");
    let paths = paths(&program);
    let one = program.workloads[1000].name.to_string();
    let mut group = c.benchmark_group("explain");
    group.sample_size(10);
    group.bench_function("1000-paths-as-one-of-2000-workloads", |b| {
        let opts = ExplainOptions {
            as_name: Some(one.clone()),
            policies: None,
        };
        b.iter(|| explain(&program, &paths, &opts, target).map(|e| e.paths.len()))
    });
    group.bench_function("1000-paths-all-2000-identities-capabilities", |b| {
        b.iter(|| {
            let evals =
                evaluators(&program, &ExplainOptions::default(), target).expect("identities");
            let server = keyplan::explain::server(target);
            let mut granted = 0usize;
            for p in &paths {
                for e in &evals {
                    granted += usize::from(e.decision(p, server).allowed);
                }
            }
            granted
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
