//! What every formatted program must satisfy, and the programs of the repository.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use keyplan::{compile, emit, Emit, Options, Target};
use kp_syntax::ast::{Expr, ExprKind, File};

/// Whether a program is a fuzz artifact: inputs made to be slow to compile (tens of
/// thousands of diagnostics), whose compilation the fuzz regression tests cover.
pub fn is_fuzz_artifact(path: &Path) -> bool {
    path.components().any(|c| c.as_os_str() == "fuzz")
}

/// Every `.kp` file of the repository (examples, test programs, fixtures, fuzz
/// artifacts), sorted.
pub fn repo_programs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut found = Vec::new();
    walk(&root, &mut found);
    found.sort();
    found
}

fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() && !name.starts_with('.') && name != "target" && name != "node_modules" {
            walk(&path, found);
        } else if kind.is_file() && name.ends_with(".kp") {
            found.push(path);
        }
    }
}

pub fn comment_texts(src: &str) -> Vec<String> {
    kp_syntax::comments(src)
        .iter()
        .map(|c| src[c.start..c.end].trim_end().to_string())
        .collect()
}

/// For each comment, the number of tokens of the tree (keywords, names, labels, values,
/// the brackets and braces of bodies, lists and maps; not commas) that end before it:
/// equal before and after formatting, each comment still follows the same token, so it
/// is still about the same entry.
pub fn comment_anchors(src: &str) -> Vec<usize> {
    let file = kp_syntax::parse(src).file;
    let mut ends = Vec::new();
    for block in &file.blocks {
        block_ends(block, &mut ends);
    }
    ends.sort_unstable();
    kp_syntax::comments(src)
        .iter()
        .map(|c| ends.iter().filter(|&&end| end <= c.start).count())
        .collect()
}

fn block_ends(block: &kp_syntax::ast::Block, ends: &mut Vec<usize>) {
    ends.push(block.keyword.span.end);
    ends.extend(block.labels.iter().map(|l| l.span().end));
    if let Some(body) = &block.body {
        ends.push(body.span.start + 1);
        ends.push(body.span.end);
    }
    for entry in block.entries() {
        match entry {
            kp_syntax::ast::Entry::Attribute(a) => {
                ends.push(a.name.span.end);
                expr_ends(&a.value, ends);
            }
            kp_syntax::ast::Entry::Statement(s) => {
                ends.push(s.verb.span.end);
                s.args.iter().for_each(|e| expr_ends(e, ends));
            }
            kp_syntax::ast::Entry::Block(b) => block_ends(b, ends),
        }
    }
}

fn expr_ends(expr: &Expr, ends: &mut Vec<usize>) {
    match &expr.kind {
        ExprKind::List(items) => {
            ends.extend([expr.span.start + 1, expr.span.end]);
            items.iter().for_each(|e| expr_ends(e, ends));
        }
        ExprKind::Map(entries) => {
            ends.extend([expr.span.start + 1, expr.span.end]);
            for entry in entries {
                ends.push(entry.key.span.end);
                expr_ends(&entry.value, ends);
            }
        }
        _ => ends.push(expr.span.end),
    }
}

/// The tree as JSON without its spans: what the program says, not where.
pub fn shape(file: &File) -> serde_json::Value {
    let mut value = serde_json::to_value(file).expect("the tree serialises");
    strip_spans(&mut value);
    value
}

fn strip_spans(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            map.remove("span");
            // A duration's total follows from amount and unit.
            map.values_mut().for_each(strip_spans);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(strip_spans),
        _ => {}
    }
}

/// Everything a program compiles to, for one target: the diagnostics (code, severity,
/// message) and, when it compiles, the API calls, HCL policies and shell script.
pub fn meaning(src: &str, target: Target) -> String {
    let compiled = compile(src, &Options { target });
    let mut text = String::new();
    for d in &compiled.diagnostics {
        text.push_str(&format!("{:?} {} {}\n", d.severity, d.code, d.message));
    }
    for format in [Emit::Api, Emit::Hcl, Emit::Sh] {
        for file in emit(&compiled, format).unwrap_or_default() {
            text.push_str(&format!("==> {} <==\n{}", file.name, file.contents));
        }
    }
    text
}

/// The invariants of one formatting: the result formats to itself, parses to the same
/// tree, keeps every comment in order, and compiles to the same outputs byte for byte.
/// Returns the formatted text.
pub fn assert_invariants(name: &str, src: &str) -> String {
    assert_invariants_with(name, src, true)
}

/// [`assert_invariants`], comparing the compiled outputs only if `compare_outputs`.
pub fn assert_invariants_with(name: &str, src: &str, compare_outputs: bool) -> String {
    let out = match kp_fmt::format(src) {
        Ok(out) => out,
        Err(diags) => panic!("{name}: formatting failed: {diags:#?}"),
    };
    let again = kp_fmt::format(&out).expect("formatted text formats");
    assert_eq!(again, out, "{name}: formatting is not idempotent");
    assert_width_independent(name, src, &out);
    assert_eq!(
        comment_texts(src),
        comment_texts(&out),
        "{name}: comments lost, altered or reordered"
    );
    assert_eq!(
        comment_anchors(src),
        comment_anchors(&out),
        "{name}: a comment moved to another token:\n{out}"
    );
    let before = kp_syntax::parse(src);
    let after = kp_syntax::parse(&out);
    assert!(
        after.diagnostics.is_empty(),
        "{name}: output has syntax errors"
    );
    assert_eq!(
        shape(&before.file),
        shape(&after.file),
        "{name}: formatting changed the tree"
    );
    for target in [Target::Vault, Target::Openbao]
        .into_iter()
        .filter(|_| compare_outputs)
    {
        assert_eq!(
            meaning(src, target),
            meaning(&out, target),
            "{name}: formatting changed what the program compiles to ({target:?})"
        );
    }
    out
}

/// The layout does not remember an earlier run's width: formatting at any width, then at
/// the default one, gives the default layout (only comments force breaks, and they stay
/// where they were).
pub fn assert_width_independent(name: &str, src: &str, out: &str) {
    for width in [1, 40] {
        let narrow = kp_fmt::format_with(src, &kp_fmt::Options { width })
            .unwrap_or_else(|d| panic!("{name}: formatting at width {width} failed: {d:#?}"));
        let back = kp_fmt::format(&narrow).expect("formatted text formats");
        assert_eq!(
            back, out,
            "{name}: the layout depends on an earlier run at width {width}"
        );
    }
}

/// The line ranges (0-based, inclusive) holding heredocs: their text must stay as it is.
pub fn heredoc_lines(src: &str) -> Vec<(usize, usize)> {
    let parsed = kp_syntax::parse(src);
    let mut spans = Vec::new();
    for block in &parsed.file.blocks {
        block_heredocs(block, &mut spans);
    }
    let line_of = |pos: usize| src[..pos].matches('\n').count();
    spans
        .into_iter()
        .map(|(a, b)| (line_of(a), line_of(b)))
        .collect()
}

fn block_heredocs(block: &kp_syntax::ast::Block, out: &mut Vec<(usize, usize)>) {
    for entry in block.entries() {
        match entry {
            kp_syntax::ast::Entry::Attribute(a) => expr_heredocs(&a.value, out),
            kp_syntax::ast::Entry::Statement(s) => {
                s.args.iter().for_each(|e| expr_heredocs(e, out))
            }
            kp_syntax::ast::Entry::Block(b) => block_heredocs(b, out),
        }
    }
}

fn expr_heredocs(expr: &Expr, out: &mut Vec<(usize, usize)>) {
    match &expr.kind {
        ExprKind::Str { heredoc: true, .. } => out.push((expr.span.start, expr.span.end)),
        ExprKind::List(items) => items.iter().for_each(|e| expr_heredocs(e, out)),
        ExprKind::Map(entries) => entries.iter().for_each(|e| expr_heredocs(&e.value, out)),
        _ => {}
    }
}

/// Layout noise for one line: new indentation, blank lines and a comment line before
/// it, a comment after it, blanks at its end.
#[derive(Debug, Clone)]
pub struct LineNoise {
    pub indent: &'static str,
    pub blank_before: bool,
    pub comment_before: Option<String>,
    pub comment_after: Option<String>,
    pub trailing_blanks: bool,
}

/// Applies noise to the lines of a program that parses; heredoc lines are left alone.
pub fn add_noise(src: &str, noise: &[LineNoise]) -> String {
    let protected = heredoc_lines(src);
    let mut out = String::new();
    for (i, line) in src.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let inside = protected.iter().any(|&(a, b)| (a..=b).contains(&i));
        let Some(n) = noise.get(i % noise.len().max(1)).filter(|_| !inside) else {
            out.push_str(line);
            continue;
        };
        if n.blank_before {
            out.push('\n');
        }
        if let Some(c) = &n.comment_before {
            out.push_str(n.indent);
            out.push_str(c);
            out.push('\n');
        }
        out.push_str(n.indent);
        out.push_str(line.trim_start());
        if let Some(c) = &n.comment_after {
            out.push(' ');
            out.push_str(c);
        }
        if n.trailing_blanks {
            out.push_str("  \t");
        }
    }
    out
}
