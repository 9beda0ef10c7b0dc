//! No cascades: a syntax error costs exactly one diagnostic. Over every program of the
//! language suite (`tests/`), the examples, the diagnostics reference's examples and,
//! for each of them, one mutant per attribute line whose attribute the parser must drop
//! (`name = = value`): no diagnostic other than a syntax error starts inside a
//! top-level block that holds a syntax error.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};

use keyplan::{compile, Options, Target};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `.kp` file (one level of directories deep, for multi-file cases) of a folder.
fn kp_files(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            out.extend(kp_files(&path));
        } else if path.extension().is_some_and(|e| e == "kp") {
            let text = std::fs::read_to_string(&path).unwrap();
            out.push((path.display().to_string(), text));
        }
    }
    out
}

/// The `kp` fences of the diagnostics reference.
fn doc_examples() -> Vec<(String, String)> {
    let doc = std::fs::read_to_string(repo().join("docs/diagnostics.md")).unwrap();
    doc.split("```kp\n")
        .skip(1)
        .enumerate()
        .filter_map(|(i, rest)| {
            rest.split_once("```").map(|(code, _)| {
                (
                    format!("docs/diagnostics.md example {}", i + 1),
                    code.to_string(),
                )
            })
        })
        .collect()
}

/// One mutant per attribute line: `a = 1` becomes `a = = 1`, a syntax error that drops it.
fn mutants(name: &str, src: &str) -> Vec<(String, String)> {
    let lines: Vec<&str> = src.lines().collect();
    (0..lines.len())
        .filter(|&i| !lines[i].trim_start().starts_with('#') && lines[i].contains(" = "))
        .map(|i| {
            let mut copy = lines.clone();
            let broken = lines[i].replacen(" = ", " = = ", 1);
            copy[i] = &broken;
            (
                format!("{name} with line {} broken", i + 1),
                copy.join("\n"),
            )
        })
        .collect()
}

/// The violations of the rule in one program, and whether it has a syntax error at all.
fn violations(src: &str, target: Target) -> (Vec<String>, bool) {
    let parsed = kp_syntax::parse(src);
    let broken: Vec<(usize, usize)> = parsed
        .file
        .blocks
        .iter()
        .map(|b| (b.span.start, b.span.end))
        .filter(|(start, end)| {
            parsed
                .diagnostics
                .iter()
                .any(|d| (*start..=*end).contains(&d.span.start))
        })
        .collect();
    let compiled = compile(src, &Options { target });
    let found = compiled
        .diagnostics
        .iter()
        .filter(|d| !d.code.starts_with("kp::syntax::"))
        .filter(|d| {
            broken
                .iter()
                .any(|(s, e)| (*s..=*e).contains(&d.span.start))
        })
        .map(|d| format!("{} at byte {}: {}", d.code, d.span.start, d.message))
        .collect();
    (found, !parsed.diagnostics.is_empty())
}

#[test]
fn no_diagnostic_lies_in_a_block_with_a_syntax_error() {
    let mut programs = kp_files(&repo().join("tests"));
    programs.extend(kp_files(&repo().join("examples")));
    programs.extend(doc_examples());
    let originals = programs.len();
    let all: Vec<(String, String)> = programs
        .iter()
        .flat_map(|(name, src)| mutants(name, src))
        .chain(programs.iter().cloned())
        .collect();
    let mut with_syntax_errors = 0;
    let mut failures = Vec::new();
    for (name, src) in &all {
        for target in [Target::Vault, Target::Openbao] {
            let (found, broken) = violations(src, target);
            with_syntax_errors += usize::from(broken);
            if !found.is_empty() {
                failures.push(format!("{name} ({target:?}): {found:?}"));
            }
        }
    }
    assert!(originals >= 100, "only {originals} programs");
    assert!(
        with_syntax_errors >= 1000,
        "only {with_syntax_errors} runs had a syntax error: the corpus proves little"
    );
    assert!(failures.is_empty(), "cascades:\n{}", failures.join("\n"));
}
