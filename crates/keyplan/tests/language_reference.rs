//! The examples of the shared language reference (`../shared/LANGUAGE.md`) must compile
//! exactly as written: this reads the document itself, so the two cannot drift apart.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::Path;

use keyplan::{compile, Options, Target};

fn code_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            match current.take() {
                Some(block) => blocks.push(block),
                None => current = Some(String::new()),
            }
        } else if let Some(block) = current.as_mut() {
            block.push_str(line);
            block.push('\n');
        }
    }
    blocks
}

#[test]
fn every_example_in_the_language_reference_compiles() {
    let doc = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/LANGUAGE.md");
    let markdown = std::fs::read_to_string(&doc).unwrap_or_else(|e| {
        panic!(
            "{} must be readable (CI clones shared/ beside the repo): {e}",
            doc.display()
        )
    });
    let blocks = code_blocks(&markdown);
    assert!(
        blocks.len() >= 5,
        "expected the workload example and the scenarios, found {}",
        blocks.len()
    );
    for (i, block) in blocks.iter().enumerate() {
        let compiled = compile(
            block,
            &Options {
                target: Target::Vault,
            },
        );
        let errors: Vec<_> = compiled
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .collect();
        assert!(
            errors.is_empty(),
            "example {i} of LANGUAGE.md:\n{block}\nerrors: {errors:#?}"
        );
    }
}

/// The rotation programs of `docs/language.md` compile clean on both targets: no error,
/// no warning. (Every other block is compiled by `docs_compile.rs`, where a warning such
/// as an undeclared mount is allowed.)
#[test]
fn every_kp_program_of_docs_language_compiles_clean() {
    let doc = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/language.md");
    let markdown = std::fs::read_to_string(&doc).expect("docs/language.md");
    let mut programs = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (line.trim_end(), current.as_mut()) {
            ("```kp", None) => current = Some(String::new()),
            ("```", Some(_)) => {
                programs.extend(current.take().filter(|p| p.contains("rotate_root")))
            }
            (_, Some(block)) => {
                block.push_str(line);
                block.push('\n');
            }
            _ => {}
        }
    }
    assert!(
        !programs.is_empty(),
        "docs/language.md has no ```kp program"
    );
    for program in &programs {
        for target in [Target::Vault, Target::Openbao] {
            let compiled = compile(program, &Options { target });
            assert!(
                compiled.diagnostics.is_empty(),
                "{target:?}:\n{program}\n{:#?}",
                compiled.diagnostics
            );
        }
    }
}
