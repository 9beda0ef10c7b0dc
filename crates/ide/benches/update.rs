//! `Analysis::update` after typing one character inside a workload's rules, against the
//! analysis of the edited program from scratch, on a program of 200 workloads:
//! `cargo bench -p kp-ide --bench update`. Instruction counts of the same on 2,000
//! workloads: `examples/recheck.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../keyplan/benches/generate.rs"]
mod generate;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use kp_ide::{Analysis, SourceMap, Target};

fn edit_one_block(c: &mut Criterion) {
    let text = generate::program(200);
    let mut edited = text.clone();
    let anchor = "read  \"secret/data/team-0/job-3/*\"";
    let at = edited.find(anchor).unwrap() + "read  \"secret/data/team-0/".len();
    edited.insert(at, 'x');
    let mut group = c.benchmark_group("edit one block");
    group.sample_size(20);
    group.bench_function("update", |b| {
        b.iter_batched(
            // Checked twice: the memo records once the environment held for a check.
            || {
                Analysis::new(&text, Target::Vault)
                    .update(SourceMap::single("main.kp", text.as_str()))
            },
            |before| {
                let (after, _, retired) =
                    before.update_retiring(SourceMap::single("main.kp", edited.as_str()));
                (black_box(after), retired)
            },
            BatchSize::LargeInput,
        );
    });
    group.bench_function("from scratch", |b| {
        b.iter(|| black_box(Analysis::new(&edited, Target::Vault)));
    });
    group.finish();
}

criterion_group!(benches, edit_one_block);
criterion_main!(benches);
