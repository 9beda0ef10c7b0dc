//! Bad inputs: each case lists exactly the diagnostics expected, as
//! `(code without the kp::syntax:: prefix, line, column)`, so a case also fails when
//! recovery cascades into extra errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

mod common;

use kp_syntax::parse;

struct Case {
    name: &'static str,
    src: &'static str,
    expected: &'static [(&'static str, usize, usize)],
}

const CASES: &[Case] = &[
    Case {
        name: "unterminated string points at the opening quote",
        src: "auth jwt {\n  description = \"abc\n  user_claim = \"sub\"\n}\n",
        expected: &[("unterminated-string", 2, 17)],
    },
    Case {
        name: "invalid escape",
        src: "auth jwt {\n  a = \"x\\qy\"\n}\n",
        expected: &[("invalid-escape", 2, 9)],
    },
    Case {
        name: "two invalid escapes in one string",
        src: "auth jwt {\n  a = \"\\d+\\.\"\n}\n",
        expected: &[("invalid-escape", 2, 8), ("invalid-escape", 2, 11)],
    },
    Case {
        name: "unterminated heredoc points at its opener",
        src: "secrets database {\n  role r {\n    sql = <<EOT\nSELECT 1;\n  }\n}\n",
        expected: &[("unterminated-heredoc", 3, 11)],
    },
    Case {
        name: "heredoc without a marker",
        src: "auth jwt {\n  a = <<\n}\n",
        expected: &[("invalid-heredoc", 2, 7)],
    },
    Case {
        name: "text after the heredoc marker",
        src: "auth jwt {\n  a = <<EOT oops\ntext\nEOT\n}\n",
        expected: &[("invalid-heredoc", 2, 13)],
    },
    Case {
        name: "unclosed block at the end of the file",
        src: "auth jwt {\n  role example-role {\n    user_claim = \"sub\"\n  }\n",
        expected: &[("unclosed-block", 1, 10)],
    },
    Case {
        name: "only the innermost unclosed block is reported",
        src: "auth jwt {\n  role a {\n    b = 1\n",
        expected: &[("unclosed-block", 2, 10)],
    },
    Case {
        name: "unclosed list closed by the body's brace",
        src: "auth jwt {\n  role r {\n    a = [1, 2\n  }\n}\n",
        expected: &[("unclosed-list", 3, 9)],
    },
    Case {
        name: "unclosed list stopped by the next attribute",
        src: "auth jwt {\n  a = [\"x\",\n  b = 1\n}\n",
        expected: &[("unclosed-list", 2, 7)],
    },
    Case {
        name: "unclosed list at the end of the file",
        src: "auth jwt {\n  a = [1,\n",
        expected: &[("unclosed-list", 2, 7)],
    },
    Case {
        name: "unclosed map at the end of the file",
        src: "auth jwt {\n  a = { k = 1\n",
        expected: &[("unclosed-map", 2, 7)],
    },
    Case {
        name: "missing value at the end of the line",
        src: "auth jwt {\n  token_ttl =\n  user_claim = \"sub\"\n}\n",
        expected: &[("missing-value", 2, 13)],
    },
    Case {
        name: "missing value before the closing brace",
        src: "auth jwt { a = }\n",
        expected: &[("missing-value", 1, 14)],
    },
    Case {
        name: "a word alone on a line",
        src: "auth jwt {\n  role\n}\n",
        expected: &[("missing-value", 2, 3)],
    },
    Case {
        name: "a value that is not a value",
        src: "auth jwt {\n  a = ,\n}\n",
        expected: &[("unexpected-token", 2, 7)],
    },
    Case {
        name: "two values on one line",
        src: "auth jwt {\n  a = 1 2\n}\n",
        expected: &[("unexpected-token", 2, 9)],
    },
    Case {
        name: "unquoted path in a block head still parses the body",
        src: "policy p {\n  path secret/* {\n    capabilities = [read]\n    x = ]\n  }\n}\n",
        expected: &[("unexpected-character", 2, 14), ("unexpected-token", 4, 9)],
    },
    Case {
        name: "semicolon at the end of a line",
        src: "auth jwt {\n  a = 1;\n}\n",
        expected: &[("unexpected-character", 2, 8)],
    },
    Case {
        name: "non-ascii character",
        src: "auth jwt {\n  é = 1\n}\n",
        expected: &[("unexpected-character", 2, 3)],
    },
    Case {
        name: "compound duration",
        src: "auth jwt {\n  ttl = 1h30m\n}\n",
        expected: &[("invalid-duration", 2, 9)],
    },
    Case {
        name: "unknown duration unit",
        src: "auth jwt {\n  ttl = 10y\n}\n",
        expected: &[("invalid-duration", 2, 9)],
    },
    Case {
        name: "negative duration",
        src: "auth jwt {\n  ttl = -5m\n}\n",
        expected: &[("invalid-duration", 2, 9)],
    },
    Case {
        name: "fractional number",
        src: "auth jwt {\n  n = 1.5\n}\n",
        expected: &[("invalid-number", 2, 7)],
    },
    Case {
        name: "integer overflow",
        src: "auth jwt {\n  n = 9223372036854775808\n}\n",
        expected: &[("integer-overflow", 2, 7)],
    },
    Case {
        name: "duration overflow",
        src: "auth jwt {\n  ttl = 999999999999999999d\n}\n",
        expected: &[("integer-overflow", 2, 9)],
    },
    Case {
        // Go's time.Duration holds 9,223,372,036 s: the server refuses one more.
        name: "duration over time.Duration",
        src: "auth jwt {\n  a = 9223372036s\n  b = 9223372037s\n  c = 106752d\n  d = 106751d\n}\n",
        expected: &[("integer-overflow", 3, 7), ("integer-overflow", 4, 7)],
    },
    Case {
        name: "duration with a blank before its unit",
        src: "auth jwt {\n  ttl = 10 s\n}\n",
        expected: &[("unexpected-token", 2, 12)],
    },
    Case {
        name: "env without quotes",
        src: "secrets database {\n  password = env(DB_PASSWORD)\n}\n",
        expected: &[("invalid-env", 2, 14)],
    },
    Case {
        name: "env without closing parenthesis",
        src: "secrets database {\n  password = env(\"X\"\n}\n",
        expected: &[("invalid-env", 2, 14)],
    },
    Case {
        name: "dotted label",
        src: "secrets ssh {\n  role a.b {\n    ttl = 1h\n  }\n}\n",
        expected: &[("invalid-label", 2, 8)],
    },
    Case {
        name: "trailing dot in a reference",
        src: "workload w {\n  sign ssh.\n}\n",
        expected: &[("unexpected-token", 2, 12)],
    },
    Case {
        name: "stray closing brace at the top level",
        src: "auth jwt {\n}\n}\nextern policy p\n",
        expected: &[("unexpected-token", 3, 1)],
    },
    Case {
        // QA: a line of 10,000 was 10,000 errors.
        name: "a run of stray closing braces on a line is one error, a line each",
        src: "auth jwt {\n}\n} }}}\n}}\nextern policy p\n",
        expected: &[("unexpected-token", 3, 1), ("unexpected-token", 4, 1)],
    },
    Case {
        name: "a run of commas in a list or a map is one error",
        src: "auth jwt {\n  a = [1,,, , 2, ,]\n  b = { k = 1,,,, j = 2 }\n  c = [,1]\n}\n",
        expected: &[
            ("unexpected-token", 2, 10),
            ("unexpected-token", 2, 18),
            ("unexpected-token", 3, 15),
            ("unexpected-token", 4, 8),
        ],
    },
    Case {
        name: "attribute at the top level",
        src: "ttl = [1,\n 2]\nextern policy p\n",
        expected: &[("unexpected-token", 1, 1)],
    },
    Case {
        name: "top-level keyword without labels or body",
        src: "auth\n",
        expected: &[("unexpected-token", 1, 1)],
    },
    Case {
        name: "top-level garbage",
        src: "[1, 2]\nextern policy p\n",
        expected: &[("unexpected-token", 1, 1)],
    },
    Case {
        name: "missing comma between list items",
        src: "auth jwt {\n  a = [\"x\"\n       \"y\"]\n}\n",
        expected: &[("unexpected-token", 3, 8)],
    },
    Case {
        name: "map entry without a value",
        src: "auth jwt {\n  m = { a = 1, b }\n}\n",
        expected: &[("unexpected-token", 2, 18)],
    },
    Case {
        name: "map with a bad key",
        src: "auth jwt {\n  m = { 1 = 2, b = 3 }\n}\n",
        expected: &[("unexpected-token", 2, 9)],
    },
    Case {
        name: "something after a closing brace",
        src: "auth jwt {\n  role r {\n  } x\n}\n",
        expected: &[("unexpected-token", 3, 5)],
    },
    Case {
        name: "opening brace on the next line: one error where it belongs, and the body",
        src: "auth jwt\n{\n  a = 1\n}\nextern policy p\n",
        expected: &[("unexpected-token", 1, 9)],
    },
    Case {
        name: "a header without its `{`: the indented lines up to a `}` are its body",
        src: "auth approle {}\nworkload a\n  login approle { secret_id_ttl = 10m }\n  read \"x/*\"\n}\n",
        expected: &[("unexpected-token", 2, 11)],
    },
    Case {
        name: "an error in the body below a header without its `{` is still reported",
        src: "workload a\n  read = = 1\n}\npolicy p {\n  a = ,\n}\n",
        expected: &[("unexpected-token", 1, 11), ("unexpected-token", 2, 10), ("unexpected-token", 5, 7)],
    },
    Case {
        name: "indented lines below a header with no `}` are not its body",
        src: "extern policy a\n  extern policy b\nworkload w\n  read \"x\"\npolicy p {}\n",
        expected: &[],
    },
    Case {
        name: "an indented block below a header, closed in column 1, is not its body",
        src: "extern policy a\n  policy p {\n    path \"a\" { capabilities = [read] }\n}\n",
        expected: &[],
    },
    Case {
        name: "an indented block whose `{` has a comment after it is still a block",
        src: "extern policy a\n  policy p { # one rule\n    path \"a\" { capabilities = [read] } # }\n}\n",
        expected: &[],
    },
    Case {
        name: "a `}` in a string or a comment below a header closes nothing",
        src: "workload a\n  read \"}\" # }\npolicy p {}\nworkload b\n\n  read \"}\" // }\r\n\r\n}\n",
        expected: &[("unexpected-token", 4, 11)],
    },
    Case {
        name: "an unterminated string that took a `}` leaves no unclosed block",
        src: "auth userpass {\n  user gil { password = \"abc }\n}\n",
        expected: &[("unterminated-string", 2, 25)],
    },
    Case {
        name: "an unterminated string on a list's line leaves no unclosed list",
        src: "auth jwt {\n  role r { bound_audiences = [\"vault\", \"other\n  user_claim = \"sub\" }\n}\n",
        expected: &[("unterminated-string", 2, 40)],
    },
    Case {
        name: "a block left open apart from an unterminated string is reported once it is fixed",
        src: "auth jwt {\n  a = \"x\n  role r {\n    b = 1\n  }\n",
        expected: &[("unterminated-string", 2, 7)],
    },
    Case {
        name: "an unterminated string before a bracket is no excuse for it",
        src: "auth jwt {\n  a = \"x\n  b = [1\n  c = 2\n}\n",
        expected: &[("unterminated-string", 2, 7), ("unclosed-list", 3, 7)],
    },
    Case {
        name: "an indented marker is text in a `<<` heredoc",
        src: "auth jwt {\n  a = <<EOT\n  EOT\nEOT\n  b = <<-EOT\n    x\n    EOT\n}\n",
        expected: &[],
    },
    Case {
        name: "a marker with blanks around it does not end a heredoc",
        src: "auth jwt {\n  a = <<-EOT\n  x\n  EOT \n}\n",
        expected: &[("unterminated-heredoc", 2, 7)],
    },
    Case {
        name: "control characters",
        src: "auth \u{0}\u{1} {}\n",
        expected: &[("unexpected-character", 1, 6)],
    },
    Case {
        name: "a non-ASCII letter in a name",
        src: "workload tränér {\n  read \"x\"\n}\n",
        expected: &[("unexpected-character", 1, 12)],
    },
    Case {
        name: "colon instead of equals",
        src: "auth jwt {\n  user_claim: \"sub\"\n  b = 1\n}\n",
        expected: &[("unexpected-character", 2, 13)],
    },
    Case {
        name: "single quotes",
        src: "auth jwt {\n  a = 'sub'\n}\n",
        expected: &[("unexpected-character", 2, 7)],
    },
    Case {
        name: "empty env call",
        src: "secrets database {\n  password = env()\n}\n",
        expected: &[("invalid-env", 2, 14)],
    },
    Case {
        name: "unterminated string on the last line",
        src: "extern policy \"p",
        expected: &[("unterminated-string", 1, 15)],
    },
    Case {
        name: "stray closers inside a body",
        src: "auth jwt {\n  ] )\n  a = 1\n}\n",
        expected: &[("unexpected-token", 2, 3)],
    },
    Case {
        name: "list item that is not a value",
        src: "auth jwt {\n  a = [1, =, 3]\n}\n",
        expected: &[("unexpected-token", 2, 11)],
    },
    Case {
        name: "two entries on one line without a comma",
        src: "auth jwt { a = 1 b = 2 }\n",
        expected: &[("unexpected-token", 1, 18)],
    },
    Case {
        name: "a comma with no entry before it",
        src: "auth jwt { , a = 1 }\n",
        expected: &[("unexpected-token", 1, 12)],
    },
    Case {
        name: "two commas between entries",
        src: "auth jwt { a = 1,, b = 2 }\n",
        expected: &[("unexpected-token", 1, 18)],
    },
    Case {
        name: "an error in a one-line block costs only its entry",
        src: "auth jwt { a = 1 2, b = ], c = 3 }\n",
        expected: &[("unexpected-token", 1, 18), ("unexpected-token", 1, 25)],
    },
    Case {
        name: "commas do not separate top-level blocks",
        src: "extern policy a, extern policy b\n",
        expected: &[("unexpected-token", 1, 16)],
    },
    Case {
        name: "many errors in one file",
        src: "\
extern policy p

auth jwt {
  description = \"unterminated
  token_ttl = 1h30m
  role r {
    bound_audiences = [\"a\" \"b\"]
    user_claim =
    token_policies = [p]
  }
  ; junk
}

secrets ssh {
  role a.b {
    ttl = 1x
  }
  ca {
    generate_signing_key = true
  }
}

workload w {
  read secret/data/*
  sign ssh.
  creds database.readonly
}
",
        expected: &[
            ("unterminated-string", 4, 17),
            ("invalid-duration", 5, 15),
            ("unexpected-token", 7, 28),
            ("missing-value", 8, 16),
            ("unexpected-character", 11, 3),
            ("invalid-label", 15, 8),
            ("invalid-duration", 16, 11),
            ("unexpected-character", 24, 14),
            ("unexpected-token", 25, 12),
        ],
    },
];

#[test]
fn bad_inputs_report_the_expected_diagnostics() {
    let mut failures = Vec::new();
    for case in CASES {
        let result = parse(case.src);
        common::assert_spans_valid(case.src, &result);
        let got = common::located(case.src, &result);
        let expected: Vec<(String, usize, usize)> = case
            .expected
            .iter()
            .map(|(code, l, c)| (format!("kp::syntax::{code}"), *l, *c))
            .collect();
        if got != expected {
            failures.push(format!(
                "{}:\n  expected {expected:?}\n  got      {got:?}\n  messages {:?}",
                case.name,
                result
                    .diagnostics
                    .iter()
                    .map(|d| &d.message)
                    .collect::<Vec<_>>()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn corpus_is_large_enough() {
    assert!(CASES.len() >= 25);
}

/// The message conventions: lowercase start, no final period, a label and a help.
#[test]
fn diagnostics_follow_the_style() {
    for case in CASES {
        for d in parse(case.src).diagnostics {
            assert!(d.is_error());
            assert!(d.code.starts_with("kp::syntax::"), "{}", d.code);
            let first = d.message.chars().next().unwrap();
            assert!(!first.is_uppercase(), "{}", d.message);
            assert!(!d.message.ends_with('.'), "{}", d.message);
            assert!(!d.label.is_empty(), "no label: {}", d.message);
            assert!(d.help.is_some(), "no help: {}", d.message);
        }
    }
}

#[test]
fn recovery_keeps_the_good_entries() {
    let src = "auth jwt {\n  a = ,\n  b = 2\n  role r {\n    c = = 3\n    d = 4\n  }\n}\n";
    let result = parse(src);
    assert_eq!(result.diagnostics.len(), 2);
    let jwt = &result.file.blocks[0];
    let names: Vec<kp_syntax::ast::Text> = jwt
        .entries()
        .iter()
        .map(|e| match e {
            kp_syntax::ast::Entry::Attribute(a) => a.name.name.clone(),
            kp_syntax::ast::Entry::Block(b) => b.keyword.name.clone(),
            kp_syntax::ast::Entry::Statement(s) => s.verb.name.clone(),
        })
        .collect();
    assert_eq!(names, ["b", "role"]);
    let kp_syntax::ast::Entry::Block(role) = &jwt.entries()[1] else {
        panic!("role block")
    };
    assert_eq!(role.entries().len(), 1);
}

/// Errors inside a one-line block keep the entries around them.
#[test]
fn recovery_in_a_one_line_block_keeps_the_good_entries() {
    let result = parse("auth jwt { a = 1 2, b = ], c = 3, role r { d = 4 } }\n");
    assert_eq!(result.diagnostics.len(), 2, "{:?}", result.diagnostics);
    let names: Vec<kp_syntax::ast::Text> = result.file.blocks[0]
        .entries()
        .iter()
        .map(|e| match e {
            kp_syntax::ast::Entry::Attribute(a) => a.name.name.clone(),
            kp_syntax::ast::Entry::Block(b) => b.keyword.name.clone(),
            kp_syntax::ast::Entry::Statement(s) => s.verb.name.clone(),
        })
        .collect();
    assert_eq!(names, ["a", "c", "role"]);
}

#[test]
fn unclosed_diagnostics_point_at_the_opener_with_help() {
    let src = "auth jwt {\n  role example-role {\n    a = 1\n";
    let d = &parse(src).diagnostics[0];
    assert_eq!(d.code, "kp::syntax::unclosed-block");
    assert_eq!(&src[d.span.start..d.span.end], "{");
    assert_eq!(d.message, "unclosed block `role example-role`");
    assert!(d.help.as_deref().unwrap().contains('}'));
}

/// QA: a C block comment got the help to quote paths and globs.
#[test]
fn a_block_comment_is_told_the_comment_syntax() {
    for src in [
        "auth jwt ci {\n  bound_issuer = \"x\" /* old */\n}\n",
        "auth jwt ci {\n  /* old */\n}\n",
    ] {
        let diags = parse(src).diagnostics;
        assert_eq!(diags.len(), 1, "{src}: {diags:?}");
        assert_eq!(diags[0].code, "kp::syntax::unexpected-character");
        let help = diags[0].help.as_deref().unwrap();
        assert!(
            help.starts_with("comments are `#` or `//`"),
            "{src}: {help}"
        );
    }
    // A path left unquoted keeps its own help.
    let help = parse("policy p {\n  path /secret/* {}\n}\n").diagnostics[0]
        .help
        .clone()
        .unwrap();
    assert!(help.contains("quote"), "{help}");
}

#[test]
fn too_deep_nesting_is_one_error_and_the_rest_parses() {
    let depth = kp_syntax::MAX_DEPTH + 5;
    let src = format!(
        "a {{\n  b = {}1{}\n  c = 1\n}}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let result = parse(&src);
    // The body is level 1, so the 64th `[` (column 7 + 63) is one level too deep.
    assert_eq!(
        common::located(&src, &result),
        [("kp::syntax::too-deep".to_string(), 2, 70)]
    );
    assert_eq!(attribute_names(&result.file.blocks[0]), ["b", "c"]);
}

/// The names of a block's entries, `?` for what is not an attribute.
fn attribute_names(block: &kp_syntax::ast::Block) -> Vec<&str> {
    block
        .entries()
        .iter()
        .map(|e| match e {
            kp_syntax::ast::Entry::Attribute(a) => a.name.name.as_str(),
            _ => "?",
        })
        .collect()
}

/// The full text of the diagnostics of the many-errors case, for review of the wording.
#[test]
fn snapshot_many_errors_messages() {
    let case = CASES
        .iter()
        .find(|c| c.name == "many errors in one file")
        .unwrap();
    let index = kp_diag::LineIndex::new(case.src);
    let lines: Vec<String> = parse(case.src)
        .diagnostics
        .iter()
        .map(|d| {
            let at = index.line_col(d.span.start);
            format!(
                "{}:{} {}: {} [{}] help: {}",
                at.line,
                at.column,
                d.code,
                d.message,
                d.label,
                d.help.as_deref().unwrap_or("-")
            )
        })
        .collect();
    insta::assert_snapshot!(lines.join("\n"));
}

#[test]
fn blocks_on_one_line_get_the_help_of_their_level() {
    // At the top level a `,` is no separator: the help must not offer one (QA 08), and
    // following the old help (`}, auth ...`) is reported at the comma with the same help.
    for src in [
        "auth jwt ci { a = 1 } auth approle {}\n",
        "auth jwt ci { a = 1 }, auth approle {}\n",
    ] {
        let diags = parse(src).diagnostics;
        assert_eq!(diags.len(), 1, "{src}: {diags:?}");
        let help = diags[0].help.as_deref().unwrap();
        assert!(
            help.contains("top-level block on a line of its own"),
            "{help}"
        );
        assert!(!help.contains("separate entries with"), "{help}");
    }
    // Inside a body, both are fine advice.
    let src = "policy p {\n  path \"a\" { capabilities = [read] } path \"b\" { capabilities = [read] }\n}\n";
    let diags = parse(src).diagnostics;
    assert_eq!(diags.len(), 1, "{diags:?}");
    let help = diags[0].help.as_deref().unwrap();
    assert!(help.contains("separate entries with `,`"), "{help}");
}

#[test]
fn an_attribute_after_a_value_on_its_line_is_kept() {
    // Skipped, its value would be in no tree: no check, and a secret there would never
    // be known to redaction.
    let parsed = parse("token t {\n  id = \"a\" id = \"b\"\n  x = 1\n}\n");
    assert_eq!(parsed.diagnostics.len(), 1, "{:?}", parsed.diagnostics);
    assert_eq!(attribute_names(&parsed.file.blocks[0]), ["id", "id", "x"]);
}

#[test]
fn messages_show_the_fix() {
    let first = |src: &str| parse(src).diagnostics.into_iter().next().unwrap();
    for src in ["workload a\n  read \"x\"\n}\n", "workload a\n\n{\n}\n"] {
        let d = first(src);
        assert_eq!(d.span.start, 10, "{src}");
        assert_eq!(
            d.message,
            "expected the block's `{`, found the end of the line"
        );
        assert!(d.help.unwrap().contains("same line as its keyword"));
    }
    // A control character is named, never printed raw.
    let d = first("auth \u{0}\u{1} {}\n");
    assert_eq!(d.message, "unexpected control character");
    // Names are ASCII (docs/language.md, Lexical structure); a curly quote is no quote.
    for src in ["workload tränér {\n}\n", "auth jwt {\n  é = 1\n}\n"] {
        assert!(
            first(src)
                .help
                .unwrap()
                .starts_with("names are ASCII letters"),
            "{src}"
        );
    }
    let d = first("auth jwt {\n  a = “x”\n}\n");
    assert!(d.help.unwrap().ends_with("strings use `\"`"));
    // The help says where the marker may be indented.
    let d = first("auth jwt {\n  a = <<EOT\nx\n  EOT\n}\n");
    assert!(d.help.unwrap().ends_with("(indented only after `<<-`)"));
}

#[test]
fn a_capability_alone_gets_the_help_of_where_capabilities_go() {
    let src = "policy p {\n  path \"a/*\" { read }\n}\n";
    let diags = parse(src).diagnostics;
    assert_eq!(diags.len(), 1, "{diags:?}");
    let help = diags[0].help.as_deref().unwrap();
    assert!(help.contains("`capabilities = [read]`"), "{help}");
    // Another word alone keeps the general help.
    let diags = parse("auth jwt ci {\n  bogus\n}\n").diagnostics;
    assert_eq!(diags.len(), 1, "{diags:?}");
    let help = diags[0].help.as_deref().unwrap();
    assert!(help.contains("`bogus = value`"), "{help}");
}

/// QA: a nested block missing its `{` (`role r` above its indented body) was read as a
/// statement, its attributes as the outer block's and its `}` as the outer block's end:
/// three errors, the first a wrong "missing `=`". Now one, and the tree is the intended.
#[test]
fn a_nested_block_missing_its_brace_is_one_error() {
    let src = "auth approle ci {\n  role r\n    token_ttl = 10m\n    token_policies = [\"a\"]\n  }\n}\n\nworkload w {\n  login ci.r\n}\n";
    let parsed = parse(src);
    assert_eq!(parsed.diagnostics.len(), 1, "{:?}", parsed.diagnostics);
    let d = &parsed.diagnostics[0];
    assert_eq!(
        d.message,
        "expected the block's `{`, found the end of the line"
    );
    assert_eq!(d.span.start, src.find("role r").unwrap() + 6);
    assert_eq!(parsed.file.blocks.len(), 2);
    // Deeper: a block inside a nested block, its `{` on the next line.
    let src = "policy p {\n  path \"a/*\"\n  {\n    capabilities = [read]\n  }\n}\n";
    assert_eq!(
        parse(src).diagnostics.len(),
        1,
        "{:?}",
        parse(src).diagnostics
    );
}

/// What the recovery above leaves alone: statements, however indented below, and a
/// header whose lines below are not a body's.
#[test]
fn statements_followed_by_deeper_lines_are_not_blocks() {
    for src in [
        // A capability verb is a statement even with a body-like line below.
        "workload w {\n  read \"x\"\n    ttl = 1\n  }\n}\n",
        // Odd indentation of statements only.
        "workload w {\nsign ssh.r\n  list \"y\"\n}\n",
        // Unindented, a statement last in its block is followed by the block's `}`.
        "workload w {\nsign ssh.r\n}\n",
        "a {\nb {\nc \"\"\n} }\n",
        // A body that closes at a shallower indentation: no missing `{` is claimed.
        "auth approle ci {\n  role r\n    token_ttl = 10m\n}\n",
    ] {
        let parsed = parse(src);
        assert!(
            parsed
                .diagnostics
                .iter()
                .all(|d| d.message != "expected the block's `{`, found the end of the line"),
            "{src}: {:?}",
            parsed.diagnostics
        );
    }
}
