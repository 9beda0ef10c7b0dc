//! Generated programs: random trees (blocks, attributes, statements, every kind of value)
//! written with a random layout (bodies one entry a line, or several entries on one line
//! separated by commas), then given comments in odd places. Formatting must be
//! idempotent, keep the tree and keep every comment after the token it followed.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use common::{add_noise, LineNoise};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Value {
    Str(String),
    Int(i64),
    Duration(u32, char),
    Bool(bool),
    Name(String),
    Path(Vec<String>),
    Env(String),
    Heredoc(Vec<String>),
    /// Items, and whether to write one per line.
    List(Vec<Value>, bool),
    Map(Vec<(String, Value)>, bool),
}

#[derive(Debug, Clone)]
enum Entry {
    Attribute(String, Value),
    Statement(String, Vec<Value>),
    /// Keyword, labels, body, and whether the body's entries share one line,
    /// separated by commas (`login x { a = 1, b = 2 }`).
    Block(String, Vec<String>, Vec<Entry>, bool),
}

fn name() -> impl Strategy<Value = String> {
    "[a-z_][a-z0-9_-]{0,9}".prop_filter("not a keyword value", |n| {
        !matches!(n.as_str(), "true" | "false" | "env")
    })
}

fn string() -> impl Strategy<Value = String> {
    // Comment markers, braces and escapes inside strings.
    r#"([a-zA-Z0-9 #/{}\[\]=,*.'-]|\\"|\\\\|\\n|\\t){0,16}"#
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        string().prop_map(Value::Str),
        (-1000i64..100_000).prop_map(Value::Int),
        (0u32..10_000, prop::sample::select(vec!['s', 'm', 'h', 'd']))
            .prop_map(|(n, u)| Value::Duration(n, u)),
        any::<bool>().prop_map(Value::Bool),
        name().prop_map(Value::Name),
        prop::collection::vec(name(), 2..4).prop_map(Value::Path),
        "[A-Z_]{1,8}".prop_map(Value::Env),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    let heredoc = prop::collection::vec("[a-zA-Z #{}\\[\\]=\"]{0,20}", 0..3).prop_map(|lines| {
        Value::Heredoc(lines.into_iter().filter(|l| l.trim() != "EOT").collect())
    });
    prop_oneof![4 => scalar(), 1 => heredoc].prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            (prop::collection::vec(inner.clone(), 0..5), any::<bool>())
                .prop_map(|(items, lines)| Value::List(items, lines)),
            (
                prop::collection::vec(
                    (
                        name(),
                        inner.prop_filter("no heredoc in maps", |v| {
                            !matches!(v, Value::Heredoc(_))
                        })
                    ),
                    0..4
                ),
                any::<bool>()
            )
                .prop_map(|(entries, lines)| Value::Map(entries, lines)),
        ]
    })
}

fn entry() -> impl Strategy<Value = Entry> {
    let leaf = prop_oneof![
        3 => (name(), value()).prop_map(|(n, v)| Entry::Attribute(n, v)),
        1 => (name(), prop::collection::vec(scalar(), 1..3)).prop_map(|(n, a)| Entry::Statement(n, a)),
    ];
    leaf.prop_recursive(3, 30, 6, |inner| {
        (
            name(),
            prop::collection::vec(name(), 0..2),
            prop::collection::vec(inner, 0..6),
            prop::bool::weighted(0.4),
        )
            .prop_map(|(k, labels, body, one_line)| Entry::Block(k, labels, body, one_line))
    })
}

fn write_value(v: &Value, out: &mut String) {
    match v {
        Value::Str(s) => out.push_str(&format!("\"{s}\"")),
        Value::Int(n) => out.push_str(&n.to_string()),
        Value::Duration(n, u) => out.push_str(&format!("{n}{u}")),
        Value::Bool(b) => out.push_str(&b.to_string()),
        Value::Name(n) => out.push_str(n),
        Value::Path(p) => out.push_str(&p.join(".")),
        Value::Env(e) => out.push_str(&format!("env(\"{e}\")")),
        Value::Heredoc(lines) => {
            out.push_str("<<EOT\n");
            for l in lines {
                out.push_str(l);
                out.push('\n');
            }
            // The marker line holds only the marker: what follows starts a new line.
            out.push_str("EOT\n");
        }
        Value::List(items, lines) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                    out.push(if *lines { '\n' } else { ' ' });
                } else if *lines {
                    out.push('\n');
                }
                write_value(item, out);
            }
            if *lines {
                out.push('\n');
            }
            out.push(']');
        }
        Value::Map(entries, lines) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                out.push_str(match (i, *lines) {
                    (_, true) => "\n",
                    (0, false) => " ",
                    _ => ", ",
                });
                out.push_str(k);
                out.push_str(" = ");
                write_value(v, out);
            }
            out.push_str(if *lines { "\n}" } else { " }" });
        }
    }
}

fn write_entry(e: &Entry, out: &mut String) {
    match e {
        Entry::Attribute(n, v) => {
            out.push_str(n);
            out.push_str(" = ");
            write_value(v, out);
        }
        Entry::Statement(verb, args) => {
            out.push_str(verb);
            for a in args {
                out.push(' ');
                write_value(a, out);
            }
        }
        Entry::Block(k, labels, body, one_line) => {
            out.push_str(k);
            for l in labels {
                out.push(' ');
                out.push_str(l);
            }
            if *one_line {
                out.push_str(" {");
                for (i, e) in body.iter().enumerate() {
                    // A heredoc's closing marker ends its line: no comma after it.
                    if i > 0 && !out.ends_with('\n') {
                        out.push(',');
                    }
                    if !out.ends_with('\n') {
                        out.push(' ');
                    }
                    write_entry(e, out);
                }
                out.push_str(if out.ends_with('\n') { "}" } else { " }" });
                return;
            }
            out.push_str(" {\n");
            for e in body {
                write_entry(e, out);
                out.push('\n');
            }
            out.push('}');
        }
    }
}

fn program() -> impl Strategy<Value = String> {
    let top = prop_oneof![
        3 => (
            name(),
            prop::collection::vec(name(), 0..3),
            prop::collection::vec(entry(), 0..6),
            prop::bool::weighted(0.3),
        )
            .prop_map(|(k, l, b, one_line)| Entry::Block(k, l, b, one_line)),
        1 => (name(), prop::collection::vec(name(), 1..3))
            .prop_map(|(k, l)| Entry::Statement(k, l.into_iter().map(Value::Name).collect())),
    ];
    prop::collection::vec(top, 0..5).prop_map(|blocks| {
        let mut out = String::new();
        for b in &blocks {
            // A bodiless top-level block (`extern policy x`) is written like a statement.
            write_entry(b, &mut out);
            out.push('\n');
        }
        out
    })
}

fn noise() -> impl Strategy<Value = Vec<LineNoise>> {
    let comment = ("(#|//)", r#"[ a-z={}\[\],"<#/]{0,10}"#).prop_map(|(m, t)| format!("{m}{t}"));
    prop::collection::vec(
        (
            prop::sample::select(vec!["", "  ", "\t", "       "]),
            prop::bool::weighted(0.2),
            prop::option::weighted(0.25, comment.clone()),
            prop::option::weighted(0.35, comment),
            prop::bool::weighted(0.1),
        )
            .prop_map(
                |(indent, blank_before, comment_before, comment_after, trailing_blanks)| {
                    LineNoise {
                        indent,
                        blank_before,
                        comment_before,
                        comment_after,
                        trailing_blanks,
                    }
                },
            ),
        1..13,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn generated_programs(src in program(), noise in noise()) {
        let parsed = kp_syntax::parse(&src);
        prop_assert!(parsed.diagnostics.is_empty(), "generator bug: {:?}\n{}", parsed.diagnostics, src);
        let noisy = add_noise(&src, &noise);
        let parsed = kp_syntax::parse(&noisy);
        prop_assert!(parsed.diagnostics.is_empty(), "noise bug: {:?}\n{}", parsed.diagnostics, noisy);
        // Generated trees mean nothing to the checker: compare trees, not outputs.
        common::assert_invariants_with("generated", &noisy, false);
    }

    /// Narrow widths make every list and map wrap: the broken layouts are checked too.
    #[test]
    fn generated_programs_narrow(src in program(), noise in noise(), width in 0usize..40) {
        let noisy = add_noise(&src, &noise);
        let options = kp_fmt::Options { width };
        let out = kp_fmt::format_with(&noisy, &options).expect("formats");
        prop_assert_eq!(kp_fmt::format_with(&out, &options).expect("formats again"), out.clone());
        prop_assert_eq!(common::comment_texts(&noisy), common::comment_texts(&out));
        prop_assert_eq!(common::comment_anchors(&noisy), common::comment_anchors(&out));
        prop_assert_eq!(
            common::shape(&kp_syntax::parse(&noisy).file),
            common::shape(&kp_syntax::parse(&out).file)
        );
    }
}
