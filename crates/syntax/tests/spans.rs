//! Spans cover exactly the text of their node.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

mod common;

use common::text;
use kp_syntax::ast::{Entry, ExprKind};
use kp_syntax::parse;

const SRC: &str = "\
auth jwt \"team/jwt\" {
  list   = [
    a,
    b.c,
  ]
  claims = { k = \"v\", \"x-y\" = env( \"SECRET\" ) }
  sql    = <<EOT
SELECT 1;
EOT
  read   \"secret/*\"   ssh.ca  # comment
  role r {
    ttl = 15m
  }
}
extern policy p   # trailing
";

fn parsed() -> kp_syntax::ParseResult {
    let result = parse(SRC);
    assert!(result.diagnostics.is_empty(), "{:#?}", result.diagnostics);
    result
}

#[test]
fn blocks_and_bodies() {
    let result = parsed();
    let auth = &result.file.blocks[0];
    assert!(text(SRC, auth.span).starts_with("auth jwt \"team/jwt\" {\n"));
    assert!(text(SRC, auth.span).ends_with("  }\n}"));
    assert_eq!(text(SRC, auth.head_span()), "auth jwt \"team/jwt\"");
    assert_eq!(text(SRC, auth.labels[1].span()), "\"team/jwt\"");
    let body = auth.body.as_ref().unwrap();
    assert_eq!(body.span.start, SRC.find('{').unwrap());
    assert_eq!(body.span.end, auth.span.end);
    let Entry::Block(role) = &auth.entries()[4] else {
        panic!("role")
    };
    assert_eq!(text(SRC, role.span), "role r {\n    ttl = 15m\n  }");
    let ext = &result.file.blocks[1];
    assert_eq!(text(SRC, ext.span), "extern policy p");
    assert_eq!(result.file.span.end, SRC.len());
}

#[test]
fn attributes_and_values() {
    let result = parsed();
    let entries = result.file.blocks[0].entries();
    let Entry::Attribute(list) = &entries[0] else {
        panic!("list")
    };
    assert_eq!(text(SRC, list.span), "list   = [\n    a,\n    b.c,\n  ]");
    assert_eq!(text(SRC, list.name.span), "list");
    let ExprKind::List(items) = &list.value.kind else {
        panic!()
    };
    assert_eq!(text(SRC, items[1].span), "b.c");

    let Entry::Attribute(claims) = &entries[1] else {
        panic!("claims")
    };
    assert_eq!(
        text(SRC, claims.value.span),
        "{ k = \"v\", \"x-y\" = env( \"SECRET\" ) }"
    );
    let ExprKind::Map(map) = &claims.value.kind else {
        panic!()
    };
    assert_eq!(text(SRC, map[0].span), "k = \"v\"");
    assert_eq!(text(SRC, map[1].key.span), "\"x-y\"");
    assert_eq!(text(SRC, map[1].value.span), "env( \"SECRET\" )");
    let ExprKind::Env(name) = &map[1].value.kind else {
        panic!()
    };
    assert_eq!(text(SRC, name.span), "\"SECRET\"");

    let Entry::Attribute(sql) = &entries[2] else {
        panic!("sql")
    };
    assert_eq!(text(SRC, sql.value.span), "<<EOT\nSELECT 1;\nEOT");
}

#[test]
fn statements() {
    let result = parsed();
    let Entry::Statement(read) = &result.file.blocks[0].entries()[3] else {
        panic!("read")
    };
    assert_eq!(text(SRC, read.span), "read   \"secret/*\"   ssh.ca");
    assert_eq!(text(SRC, read.args[0].span), "\"secret/*\"");
    let ExprKind::Path(segments) = &read.args[1].kind else {
        panic!()
    };
    assert_eq!(text(SRC, segments[1].span), "ca");
}

#[test]
fn recovered_unclosed_list_ends_at_its_last_item() {
    let src = "a {\n  x = [1, 2\n  y = 3\n}\n";
    let result = parse(src);
    let Entry::Attribute(x) = &result.file.blocks[0].entries()[0] else {
        panic!()
    };
    assert_eq!(text(src, x.span), "x = [1, 2");
    assert_eq!(result.file.blocks[0].entries().len(), 2);
}

#[test]
fn spans_are_byte_offsets_with_multibyte_text() {
    let src = "auth jwt {\n  description = \"héllo wörld ✓\"\n  ttl = 1h\n}\n";
    let result = parse(src);
    assert!(result.diagnostics.is_empty());
    let Entry::Attribute(ttl) = &result.file.blocks[0].entries()[1] else {
        panic!()
    };
    assert_eq!(text(src, ttl.span), "ttl = 1h");
}

/// The compiler parses a program's files from their `Arc`s: the tree is the same as
/// from a copy (spans moved to the file's base alike), and its names and plain strings
/// point into that very buffer.
#[test]
fn a_shared_parse_is_the_parse_without_a_copy() {
    let broken =
        "auth jwt {\n  a = \"x\\q\"\n  b = 99999999999999999999\n  c = [1, 2\n}\nx = <<EOT\n";
    for src in [SRC, broken] {
        let shared = std::sync::Arc::new(src.to_string());
        let from_copy = kp_syntax::parse_at(src, 9);
        let from_shared = kp_syntax::parse_shared_at(&shared, 9);
        assert_eq!(format!("{from_copy:?}"), format!("{from_shared:?}"));
    }
    let shared = std::sync::Arc::new(SRC.to_string());
    let tree = kp_syntax::parse_shared_at(&shared, 0).file;
    let inside = |s: &str| shared.as_bytes().as_ptr_range().contains(&s.as_ptr());
    let auth = &tree.blocks[0];
    assert!(inside(&auth.keyword.name));
    assert!(inside(auth.label_text(1).unwrap()));
}

/// Files parsed in one text laid out as a program's source map places them (a newline
/// in each gap) give what each parsed alone and moved to its base gives: tree, spans,
/// names and diagnostics, for files that end in the middle of a construct too.
#[test]
fn a_file_parsed_within_a_laid_out_program_is_the_file_parsed_alone_and_moved() {
    let files = [
        SRC,
        "\u{feff}policy p {\n  path \"a/*\" { capabilities = [read] }\n}\n",
        "s = 10 s\nrole r {\n  x = \"unterminated\n",
        "auth jwt ci {\n  sql = <<EOT\nSELECT 1;\n",
        "",
        "}} ,\nworkload w { read \"x\" }",
        "token t { ttl = 1h }",
    ];
    let mut laid_out = String::new();
    let mut bases = Vec::new();
    for file in files {
        if !laid_out.is_empty() {
            laid_out.push('\n');
        }
        bases.push(laid_out.len());
        laid_out.push_str(file);
    }
    let laid_out = std::sync::Arc::new(laid_out);
    for (file, &base) in files.iter().zip(&bases) {
        let within = kp_syntax::parse_within(&laid_out, base, base + file.len());
        let alone = kp_syntax::parse_at(file, base);
        assert_eq!(within.file, alone.file, "{file:?}");
        assert_eq!(
            format!("{:?}", within.diagnostics),
            format!("{:?}", alone.diagnostics),
            "{file:?}"
        );
    }
}

/// An old Mac file (`\r` alone ends each line) reads as the same lines: the same tree,
/// spans and comments as with `\n`, where it used to be one line of errors.
#[test]
fn a_lone_carriage_return_ends_a_line() {
    let mac = SRC.replace('\n', "\r");
    let (lf, cr) = (parse(SRC), parse(&mac));
    assert!(cr.diagnostics.is_empty(), "{:#?}", cr.diagnostics);
    assert_eq!(cr.file, lf.file);
    assert_eq!(kp_syntax::comments(&mac), kp_syntax::comments(SRC));
    // The `\r` of a `\r\n` stays what it was: blank before the line end.
    let crlf = SRC.replace('\n', "\r\n");
    assert!(parse(&crlf).diagnostics.is_empty());
}
