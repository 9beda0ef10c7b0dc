//! Times each compiler phase on a program read from a file (profiling aid).
use std::time::Instant;

#[path = "support/memory.rs"]
mod memory;

fn main() {
    let path = std::env::args().nth(1).unwrap_or_default();
    let src = std::fs::read_to_string(path).unwrap_or_default();
    let t = Instant::now();
    let n = kp_schema::endpoints().count();
    eprintln!("schemas {:?} ({n} endpoints, loaded once)", t.elapsed());
    let t = Instant::now();
    let parsed = kp_syntax::parse(&src);
    eprintln!("parse  {:?} [{}]", t.elapsed(), memory::resident());
    let t = Instant::now();
    let checked = kp_check::check(&parsed.file, &kp_check::Options::default());
    eprintln!(
        "check  {:?} ({} diags) [{}]",
        t.elapsed(),
        checked.diagnostics.len(),
        memory::resident()
    );
    let t = Instant::now();
    let graph = kp_graph::build(&checked.program);
    eprintln!("graph  {:?} [{}]", t.elapsed(), memory::resident());
    let Ok(graph) = graph else { return };
    let t = Instant::now();
    let compiled = keyplan::compile(&src, &keyplan::Options::default());
    eprintln!(
        "facade {:?} (compile again, {} diags)",
        t.elapsed(),
        compiled.diagnostics.len()
    );
    let t = Instant::now();
    drop(compiled);
    eprintln!("drop   {:?}", t.elapsed());
    for (name, f) in [
        (
            "api",
            Box::new(|| {
                vec![kp_emit::api(
                    &checked.program,
                    &graph,
                    keyplan::Target::Vault,
                )]
            }) as Box<dyn Fn() -> Vec<keyplan::OutputFile>>,
        ),
        ("hcl", Box::new(|| kp_emit::hcl(&checked.program))),
        (
            "json",
            Box::new(|| vec![kp_emit::json(&checked.program, &graph)]),
        ),
        (
            "sh",
            Box::new(|| {
                vec![kp_emit::sh(
                    &checked.program,
                    &graph,
                    keyplan::Target::Vault,
                )]
            }),
        ),
    ] {
        let t = Instant::now();
        let out = f();
        eprintln!(
            "{name:6} {:?} ({} bytes)",
            t.elapsed(),
            out.iter().map(|o| o.contents.len()).sum::<usize>()
        );
    }
}
