//! The corpus of wrong programs under `tests/bad/`: each file states the diagnostics it
//! must produce in header comments, `# expect: CODE LINE:COLUMN` (1-based, where the
//! primary span starts), and optionally `# target: openbao`. The set must match
//! exactly: no diagnostic missing, none extra.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{check_src, located};
use kp_check::Target;

struct Case {
    name: String,
    src: String,
    target: Target,
    expected: Vec<String>,
}

fn cases() -> Vec<Case> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/bad");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .expect("tests/bad exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("kp"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let src = std::fs::read_to_string(&path).unwrap();
            let mut target = Target::Vault;
            let mut expected = Vec::new();
            for line in src.lines() {
                if let Some(rest) = line.strip_prefix("# expect:") {
                    expected.push(rest.trim().to_string());
                } else if let Some(rest) = line.strip_prefix("# target:") {
                    target = match rest.trim() {
                        "openbao" => Target::Openbao,
                        "vault" => Target::Vault,
                        other => panic!("{}: unknown target {other}", path.display()),
                    };
                }
            }
            expected.sort();
            Case {
                name: path.file_name().unwrap().to_string_lossy().into_owned(),
                src,
                target,
                expected,
            }
        })
        .collect()
}

#[test]
fn every_bad_program_reports_exactly_its_expectations() {
    let cases = cases();
    assert!(cases.len() >= 40, "the corpus has {} programs", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        assert!(
            !case.expected.is_empty(),
            "{}: a bad program needs `# expect:` lines",
            case.name
        );
        let (diags, _) = check_src(&case.src, case.target);
        let actual = located(&case.src, &diags);
        if actual != case.expected {
            let detail: Vec<String> = diags
                .iter()
                .map(|d| {
                    format!(
                        "    {}: {} [{}]",
                        d.code,
                        d.message,
                        d.help.as_deref().unwrap_or("")
                    )
                })
                .collect();
            failures.push(format!(
                "{}:\n  expected {:?}\n  actual   {:?}\n{}",
                case.name,
                case.expected,
                actual,
                detail.join("\n")
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// Every code the checker can report is exercised by some bad program.
#[test]
fn the_corpus_covers_every_code() {
    let cases = cases();
    let missing: Vec<&str> = kp_check::codes::ALL
        .iter()
        .copied()
        // Reported only when no target is given (keyplan::compile_implied), which this
        // corpus does not exercise; crates/keyplan/tests/targets.rs does.
        .filter(|code| *code != kp_check::codes::IMPLIED_TARGET)
        .filter(|code| {
            !cases.iter().any(|c| {
                c.expected
                    .iter()
                    .any(|e| e.split(' ').next() == Some(*code))
            })
        })
        .collect();
    assert!(
        missing.is_empty(),
        "codes without a bad program: {missing:?}"
    );
}

/// Prints what each program reports, to write a new program's `# expect:` lines:
/// `cargo test -p kp-check --test bad_programs -- --ignored --nocapture`.
#[test]
#[ignore]
fn print_actual_diagnostics() {
    for case in cases() {
        let (diags, _) = check_src(&case.src, case.target);
        println!("== {}", case.name);
        let index = kp_diag::LineIndex::new(&case.src);
        for d in &diags {
            let lc = index.line_col(d.span.start);
            println!(
                "# expect: {} {}:{}    ({})",
                d.code, lc.line, lc.column, d.message
            );
        }
    }
}
