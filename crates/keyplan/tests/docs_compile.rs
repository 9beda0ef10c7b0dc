//! Docs that never lie: every fenced code block of the README, `ARCHITECTURE.md`,
//! `docs/*.md`, `crates/*/README.md` and the READMEs of `web/`, `tests/`, `fuzz/` and
//! `schemas/` says what it is, and every `kp` block compiles without an error (warnings
//! allowed: examples may name mounts managed elsewhere).
//!
//! Info strings: ```` ```kp ```` compiles for Vault, ```` ```kp target=openbao ```` for
//! OpenBao; ```` ```kp fragment: WHAT IT ASSUMES ```` is part of a program and is not
//! compiled, but must say what it assumes; a `kp` block followed by
//! `<!-- expect: ... -->` shows diagnostics on purpose and is checked against that
//! marker by `diagnostics_doc.rs`. Any other language (`sh`, `json`, `text`...) is not
//! compiled, but a fence without a language fails: a reader (and this test) must know.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};

use keyplan::{compile, Options, Target};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn documents() -> Vec<PathBuf> {
    let root = repo();
    let mut docs: Vec<PathBuf> = [
        "README.md",
        "ARCHITECTURE.md",
        "web/README.md",
        "tests/README.md",
        "fuzz/README.md",
        "schemas/README.md",
    ]
    .iter()
    .map(|p| root.join(p))
    .collect();
    for dir in ["docs", "crates"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap().flatten() {
            let path = entry.path();
            if dir == "docs" && path.extension().is_some_and(|e| e == "md") {
                docs.push(path);
            } else if path.join("README.md").is_file() {
                docs.push(path.join("README.md"));
            }
        }
    }
    docs.retain(|p| p.is_file());
    docs.sort();
    docs
}

struct Block {
    /// `file:line` of the opening fence.
    at: String,
    info: String,
    code: String,
    /// Followed by a `<!-- expect: ... -->` marker.
    expects_diagnostics: bool,
}

fn blocks(path: &Path) -> Vec<Block> {
    let text = std::fs::read_to_string(path).unwrap();
    let name = path
        .strip_prefix(repo())
        .unwrap_or(path)
        .display()
        .to_string();
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some(info) = lines[i].trim_start().strip_prefix("```") else {
            i += 1;
            continue;
        };
        let end = (i + 1..lines.len())
            .find(|&j| lines[j].trim_start().starts_with("```"))
            .unwrap_or_else(|| panic!("{name}:{}: unclosed fence", i + 1));
        let expects_diagnostics = lines[end + 1..]
            .iter()
            .find(|l| !l.trim().is_empty())
            .is_some_and(|l| l.trim().starts_with("<!-- expect:"));
        out.push(Block {
            at: format!("{name}:{}", i + 1),
            info: info.trim().to_string(),
            code: lines[i + 1..end].join("\n") + "\n",
            expects_diagnostics,
        });
        i = end + 1;
    }
    out
}

#[test]
fn every_code_block_says_what_it_is_and_every_kp_block_compiles() {
    let mut compiled = 0;
    let mut failures = Vec::new();
    for doc in documents() {
        for block in blocks(&doc) {
            let mut words = block.info.split_whitespace();
            match words.next() {
                None => failures.push(format!(
                    "{}: a fence without a language (```kp, ```sh, ```text...)",
                    block.at
                )),
                Some("kp") => {}
                Some(_) => continue,
            }
            let rest: Vec<&str> = words.collect();
            if rest.first().is_some_and(|w| w.starts_with("fragment")) {
                let assumes = block
                    .info
                    .split_once("fragment")
                    .map(|(_, a)| a.trim_start_matches(':').trim());
                if assumes.is_none_or(str::is_empty) {
                    failures.push(format!(
                        "{}: say what the fragment assumes: ```kp fragment: inside a workload",
                        block.at
                    ));
                }
                continue;
            }
            if block.expects_diagnostics {
                continue;
            }
            let target = match rest.as_slice() {
                [] | ["target=vault"] => Target::Vault,
                ["target=openbao"] => Target::Openbao,
                other => {
                    failures.push(format!("{}: unknown words {other:?} after ```kp", block.at));
                    continue;
                }
            };
            let result = compile(&block.code, &Options { target });
            let errors: Vec<String> = result
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .map(|d| format!("{}: {}", d.code, d.message))
                .collect();
            if !errors.is_empty() {
                failures.push(format!(
                    "{}: does not compile: {errors:?}\n{}",
                    block.at, block.code
                ));
            }
            compiled += 1;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(compiled >= 5, "only {compiled} kp blocks compiled");
}

/// The docs' workload example, once a syntax error cascading into a misleading second
/// diagnostic (issue 11), compiles as written.
#[test]
fn the_language_reference_workload_example_compiles() {
    let doc = repo().join("docs/language.md");
    let block = blocks(&doc)
        .into_iter()
        .find(|b| b.code.starts_with("workload trainer {"))
        .expect("the workload example");
    assert!(block
        .code
        .contains("login gitlab { bound_audiences = [\"vault\"], user_claim = \"sub\" }"));
    let result = compile(&block.code, &Options::default());
    assert!(!result.has_errors(), "{:#?}", result.diagnostics);
}
