//! `docs/diagnostics.md` must document every code the compiler can emit, and each of its
//! examples must report exactly the codes it claims. The doc is read as written, so the
//! two cannot drift apart.
//!
//! Convention of the doc: every ```` ```kp ```` fence is followed (blank lines allowed) by
//! `<!-- expect: CODE... [target=vault|openbao|implied] -->` listing the distinct codes
//! `keyplan check` reports for the program (identity lints included), or
//! `<!-- expect: clean -->` for a program with no diagnostic at all. Without a target the
//! example must report the same with `--target vault` and with no `--target`.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use keyplan::{compile, Options, Target};

/// Codes that guard the graph's invariants: no program is known to reach them.
const GUARDS: [&str; 2] = ["kp::dependency-cycle", "kp::duplicate-resource"];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(relative: &str) -> String {
    let path = repo().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every `"kp::...` string literal of a source file: the parser's codes are private to
/// its module and the graph crate has no code list, so their sources are the list.
fn code_literals(source: &str) -> BTreeSet<String> {
    source
        .match_indices("\"kp::")
        .map(|(at, _)| {
            let rest = &source[at + 1..];
            let end = rest.find('"').expect("a closed string literal");
            rest[..end].to_string()
        })
        .collect()
}

/// The codes the compiler can emit: the checker's list, the parser's and the graph's.
fn compiler_codes() -> BTreeSet<String> {
    let mut codes: BTreeSet<String> = kp_check::codes::ALL.iter().map(|c| c.to_string()).collect();
    let checker_source = code_literals(&read("crates/check/src/codes.rs"));
    assert_eq!(
        codes, checker_source,
        "kp_check::codes::ALL and the constants of crates/check/src/codes.rs differ"
    );
    let syntax = code_literals(&read("crates/syntax/src/parser/codes.rs"));
    assert!(
        syntax.len() >= 10 && syntax.iter().all(|c| c.starts_with("kp::syntax::")),
        "unexpected parser code list: {syntax:?}"
    );
    codes.extend(syntax);
    let graph_dir = repo().join("crates/graph/src");
    for entry in std::fs::read_dir(&graph_dir).unwrap().flatten() {
        let path = entry.path();
        let is_test = path.file_name().is_some_and(|n| n == "tests.rs");
        if path.extension().is_some_and(|e| e == "rs") && !is_test {
            codes.extend(code_literals(&std::fs::read_to_string(&path).unwrap()));
        }
    }
    assert!(codes.contains("kp::dependency-cycle") && codes.contains("kp::duplicate-resource"));
    codes.extend(keyplan::access::lints::CODES.iter().map(|c| c.to_string()));
    codes
}

/// The codes the doc has a heading for: `### \`kp::code\``.
fn documented_codes(doc: &str) -> Vec<String> {
    doc.lines()
        .filter(|l| l.starts_with('#'))
        .filter_map(|l| {
            let heading = l.trim_start_matches('#').trim();
            heading
                .strip_prefix('`')
                .and_then(|h| h.strip_suffix('`'))
                .filter(|h| h.starts_with("kp::"))
                .map(str::to_string)
        })
        .collect()
}

struct Example {
    line: usize,
    source: String,
    /// `None`: no target given, the program implies it (`target=implied`).
    target: Option<Target>,
    /// The marker names no target: `keyplan check` without `--target` must report the
    /// same codes as with `--target vault`, the default it stands for.
    default_target: bool,
    /// Distinct codes, sorted; empty for `clean`.
    expected: BTreeSet<String>,
}

fn examples(doc: &str) -> Vec<Example> {
    let lines: Vec<&str> = doc.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim_end() != "```kp" {
            i += 1;
            continue;
        }
        let start = i + 1;
        let end = (start..lines.len())
            .find(|&j| lines[j].trim_end() == "```")
            .unwrap_or_else(|| panic!("line {start}: unclosed ```kp fence"));
        let mut source = lines[start..end].join("\n");
        source.push('\n');
        let marker = lines[end + 1..]
            .iter()
            .find(|l| !l.trim().is_empty())
            .and_then(|l| l.trim().strip_prefix("<!-- expect:"))
            .and_then(|l| l.strip_suffix("-->"))
            .unwrap_or_else(|| {
                panic!("line {start}: a ```kp example must be followed by <!-- expect: ... -->")
            });
        let mut target = Some(Target::Vault);
        let mut default_target = true;
        let mut expected = BTreeSet::new();
        let mut clean = false;
        for word in marker.split_whitespace() {
            match word {
                "clean" => clean = true,
                "target=openbao" => target = Some(Target::Openbao),
                "target=vault" => target = Some(Target::Vault),
                "target=implied" => target = None,
                code if code.starts_with("kp::") => {
                    expected.insert(code.to_string());
                }
                other => panic!("line {start}: unknown word `{other}` in the expect marker"),
            }
            default_target &= !word.starts_with("target=");
        }
        assert!(
            clean == expected.is_empty(),
            "line {start}: the marker must list codes or say `clean`, not both or neither"
        );
        out.push(Example {
            line: start,
            source,
            target,
            default_target,
            expected,
        });
        i = end + 1;
    }
    out
}

#[test]
fn every_code_has_a_heading_and_every_heading_is_a_code() {
    let doc = read("docs/diagnostics.md");
    let codes = compiler_codes();
    let headings = documented_codes(&doc);
    let documented: BTreeSet<String> = headings.iter().cloned().collect();
    assert_eq!(headings.len(), documented.len(), "a code has two headings");
    let missing: Vec<_> = codes.difference(&documented).collect();
    assert!(missing.is_empty(), "undocumented codes: {missing:?}");
    let stale: Vec<_> = documented.difference(&codes).collect();
    assert!(
        stale.is_empty(),
        "documented codes the compiler has not: {stale:?}"
    );
}

#[test]
fn every_example_reports_exactly_its_expected_codes() {
    let doc = read("docs/diagnostics.md");
    let examples = examples(&doc);
    assert!(examples.len() >= 50, "only {} examples", examples.len());
    let mut failures = Vec::new();
    for ex in &examples {
        let got = checked_codes(&ex.source, ex.target);
        if got != ex.expected {
            failures.push(format!(
                "docs/diagnostics.md line {}: expected {:?}, got {:?}\n{}",
                ex.line, ex.expected, got, ex.source
            ));
        }
        if ex.default_target {
            let implied = checked_codes(&ex.source, None);
            if implied != got {
                failures.push(format!(
                    "docs/diagnostics.md line {}: without --target it reports {implied:?}: name the target (`target=vault`)",
                    ex.line
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// What `keyplan check` reports, as distinct codes: the compiler's diagnostics and the
/// identity lints, so a marker states the exact set a reader sees. `None`: no
/// `--target`.
fn checked_codes(source: &str, target: Option<Target>) -> BTreeSet<String> {
    let compiled = match target {
        Some(target) => compile(source, &Options { target }),
        None => keyplan::compile_implied(source),
    };
    let lints = keyplan::access_lints(&compiled);
    compiled
        .diagnostics
        .iter()
        .chain(&lints)
        .map(|d| d.code.to_string())
        .collect()
}

#[test]
fn every_code_that_a_program_can_trigger_has_an_example() {
    let doc = read("docs/diagnostics.md");
    let exemplified: BTreeSet<String> = examples(&doc)
        .into_iter()
        .flat_map(|ex| ex.expected)
        .collect();
    // No program is known to build a dependency cycle: the graph check is a guard.
    let without: Vec<_> = compiler_codes()
        .into_iter()
        .filter(|c| !GUARDS.contains(&c.as_str()) && !exemplified.contains(c))
        .collect();
    assert!(without.is_empty(), "codes without an example: {without:?}");
}
