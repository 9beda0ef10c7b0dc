//! Whatever the input: no panic, no hang, no stack overflow, spans in bounds and on
//! character boundaries, and time linear in the input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

mod common;

use std::time::{Duration, Instant};

use kp_syntax::{parse, MAX_DEPTH};
use proptest::prelude::*;

const VALID: &[&str] = &[
    include_str!("fixtures/valid/workload_trainer.kp"),
    include_str!("fixtures/valid/jwt_role.kp"),
    include_str!("fixtures/valid/ssh_ca_role.kp"),
    include_str!("fixtures/valid/token_role.kp"),
    include_str!("fixtures/valid/aws_database.kp"),
];

fn check(src: &str) {
    let result = parse(src);
    common::assert_spans_valid(src, &result);
}

/// Pieces of keyplan and of things that break it, so random sequences reach deep into
/// the grammar rather than failing on the first character.
fn fragment() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "auth",
        "jwt",
        "role",
        "x-y",
        "env",
        "true",
        "false",
        "=",
        "{",
        "}",
        "[",
        "]",
        "(",
        ")",
        ",",
        ".",
        "\n",
        " ",
        "\t",
        "\"s\"",
        "\"",
        "\\",
        "\\q",
        "<<EOT\n",
        "<<-EOT\n",
        "EOT",
        "\nEOT\n",
        "1",
        "-7",
        "15m",
        "1h30m",
        "99999999999999999999",
        "1.5",
        "#c\n",
        "//c",
        "env(\"X\")",
        "env(",
        "/",
        "*",
        "é",
        "\r\n",
        "ssh.ca",
        "a.",
        ";",
    ])
}

/// 512 by default; `PROPTEST_CASES=100000` for a longer hunt.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(512)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn arbitrary_text(src in any::<String>()) {
        check(&src);
    }

    #[test]
    fn arbitrary_fragments(parts in prop::collection::vec(fragment(), 0..120)) {
        check(&parts.concat());
    }

    #[test]
    fn mutated_examples(
        which in 0..VALID.len(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0u8..4, any::<u8>()), 1..8),
    ) {
        let mut bytes = VALID[which].as_bytes().to_vec();
        for (at, op, byte) in edits {
            if bytes.is_empty() {
                break;
            }
            let i = at.index(bytes.len());
            match op {
                0 => { bytes.remove(i); }
                1 => bytes.insert(i, byte),
                2 => bytes[i] = byte,
                _ => bytes.truncate(i),
            }
        }
        check(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn truncated_examples(which in 0..VALID.len(), cut in any::<prop::sample::Index>()) {
        let src = VALID[which];
        let mut end = cut.index(src.len() + 1);
        while !src.is_char_boundary(end) {
            end -= 1;
        }
        check(&src[..end]);
    }
}

#[test]
fn deep_nesting_is_bounded() {
    let n = 100_000;
    let inputs = [
        "[".repeat(n),
        "{".repeat(n),
        format!("a {{\n x = {}", "[".repeat(n)),
        format!("a {{\n x = {}", "{ k = ".repeat(n)),
        "a { ".repeat(n),
        format!("{}{}", "a { ".repeat(n), "}".repeat(n)),
        format!("a {{\n x = {}{}\n}}", "[".repeat(n), "]".repeat(n)),
        "(".repeat(n),
    ];
    for src in &inputs {
        let result = parse(src);
        common::assert_spans_valid(src, &result);
        assert!(!result.diagnostics.is_empty());
        assert!(result.diagnostics.len() < 5, "{:#?}", result.diagnostics);
    }
}

#[test]
fn nesting_up_to_the_limit_is_fine() {
    // The top-level body is level 1: MAX_DEPTH - 1 nested blocks inside it still fit.
    let inner = MAX_DEPTH - 1;
    let src = format!("{}{}", "a { ".repeat(inner + 1), "}\n".repeat(inner + 1));
    let result = parse(&src);
    assert!(result.diagnostics.is_empty(), "{:#?}", result.diagnostics);
    let src = format!("{}{}", "a { ".repeat(inner + 2), "}\n".repeat(inner + 2));
    let codes: Vec<&str> = parse(&src).diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["kp::syntax::too-deep"]);
}

#[test]
fn random_bytes() {
    // A fixed xorshift sequence: deterministic, no extra dependency.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..200 {
        let len = (state % 4096) as usize;
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        check(&String::from_utf8_lossy(&bytes));
    }
}

/// Valid keyplan of about `lines` lines.
pub fn big_file(lines: usize) -> String {
    let unit = VALID.join("\n");
    let per = unit.lines().count();
    let mut src = String::with_capacity(unit.len() * (lines / per + 1));
    while src.lines().count() < lines {
        src.push_str(&unit);
        src.push('\n');
    }
    src
}

/// A loose bound that still catches quadratic behaviour, even in a debug build.
#[test]
fn large_inputs_parse_in_linear_time() {
    let src = big_file(50_000);
    let start = Instant::now();
    let result = parse(&src);
    let elapsed = start.elapsed();
    assert!(result.diagnostics.is_empty());
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");

    let garbage = "= ] ) , . / ; \" \\q 1h30m <<\n".repeat(20_000);
    let start = Instant::now();
    parse(&garbage);
    assert!(start.elapsed() < Duration::from_secs(5));

    let long_line = format!("a {{\n  b = [{}]\n}}\n", "1, ".repeat(200_000));
    let start = Instant::now();
    assert!(parse(&long_line).diagnostics.is_empty());
    assert!(start.elapsed() < Duration::from_secs(5));
}

/// Release timing: `cargo test -p kp-syntax --release --test robustness -- --ignored --nocapture`
#[test]
#[ignore = "timing; run in release"]
fn timing_50k_lines() {
    let src = big_file(50_000);
    let runs = 20;
    let mut best = Duration::MAX;
    for _ in 0..runs {
        let start = Instant::now();
        let result = parse(&src);
        best = best.min(start.elapsed());
        assert!(result.diagnostics.is_empty());
    }
    println!(
        "{} lines, {} bytes: best of {runs} runs {best:?}",
        src.lines().count(),
        src.len()
    );
    assert!(best < Duration::from_millis(100));
}

/// Recovery is local: a junk line inserted anywhere in a valid program (inside blocks,
/// lists, maps or between blocks) costs exactly one diagnostic, on that line.
#[test]
fn one_bad_line_costs_one_diagnostic() {
    for src in VALID {
        let lines: Vec<&str> = src.lines().collect();
        for at in 0..=lines.len() {
            let mut edited: Vec<&str> = lines.clone();
            edited.insert(at, "  ; oops");
            let edited = edited.join("\n");
            let located = common::located(&edited, &parse(&edited));
            assert_eq!(
                located,
                [("kp::syntax::unexpected-character".to_string(), at + 1, 3)],
                "junk at line {}:\n{edited}",
                at + 1
            );
        }
    }
}
