//! Every program of the language reference parses cleanly, and the trees have the shape
//! the checker relies on.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

mod common;

use kp_syntax::ast::{DurationUnit, Entry, ExprKind, Label};
use kp_syntax::parse;

const FIXTURES: &[(&str, &str)] = &[
    (
        "workload_trainer",
        include_str!("fixtures/valid/workload_trainer.kp"),
    ),
    ("jwt_role", include_str!("fixtures/valid/jwt_role.kp")),
    ("ssh_ca_role", include_str!("fixtures/valid/ssh_ca_role.kp")),
    ("token_role", include_str!("fixtures/valid/token_role.kp")),
    (
        "aws_database",
        include_str!("fixtures/valid/aws_database.kp"),
    ),
];

fn assert_clean(name: &str, src: &str) {
    let result = parse(src);
    assert!(
        result.diagnostics.is_empty(),
        "{name}: {:#?}",
        result.diagnostics
    );
    common::assert_spans_valid(src, &result);
}

#[test]
fn reference_programs_parse_without_diagnostics() {
    for (name, src) in FIXTURES {
        assert_clean(name, src);
    }
}

/// The fixtures are copies; when the shared reference is next to the repository, parse
/// its code blocks as they stand today too.
#[test]
fn language_reference_code_blocks_parse() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/LANGUAGE.md");
    let Ok(doc) = std::fs::read_to_string(path) else {
        eprintln!("skipped: {path} not found");
        return;
    };
    let blocks: Vec<&str> = doc.split("```").skip(1).step_by(2).collect();
    assert!(
        blocks.len() >= 5,
        "expected the reference programs in {path}"
    );
    for (i, block) in blocks.iter().enumerate() {
        let src = block.strip_prefix('\n').unwrap_or(block);
        assert_clean(&format!("LANGUAGE.md block {}", i + 1), src);
    }
}

#[test]
fn snapshot_jwt_role() {
    insta::assert_json_snapshot!(parse(FIXTURES[1].1).file);
}

#[test]
fn snapshot_workload_trainer() {
    insta::assert_json_snapshot!(parse(FIXTURES[0].1).file);
}

#[test]
fn workload_statements_and_login_block() {
    let file = parse(FIXTURES[0].1).file;
    let workload = common::first_block(&file);
    assert_eq!(workload.keyword.name, "workload");
    assert_eq!(workload.label_text(0), Some("trainer"));
    let kinds: Vec<&str> = workload
        .entries()
        .iter()
        .map(|e| match e {
            Entry::Attribute(a) => a.name.name.as_str(),
            Entry::Block(b) => b.keyword.name.as_str(),
            Entry::Statement(s) => s.verb.name.as_str(),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "description",
            "login",
            "read",
            "list",
            "sign",
            "creds",
            "creds"
        ]
    );
    let Entry::Statement(sign) = &workload.entries()[4] else {
        panic!("sign is a statement")
    };
    let ExprKind::Path(segments) = &sign.args[0].kind else {
        panic!("sign takes a path")
    };
    let names: Vec<&str> = segments.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["ssh", "training-environment"]);
    let Entry::Block(login) = &workload.entries()[1] else {
        panic!("login is a block")
    };
    let Entry::Attribute(claims) = &login.entries()[1] else {
        panic!("bound_claims")
    };
    let ExprKind::Map(entries) = &claims.value.kind else {
        panic!("bound_claims is a map")
    };
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1].key.name, "ref");
    let Entry::Attribute(ttl) = &login.entries()[3] else {
        panic!("token_ttl")
    };
    assert_eq!(
        ttl.value.kind,
        ExprKind::Duration {
            amount: 15,
            unit: DurationUnit::Minutes,
            seconds: 900
        }
    );
}

#[test]
fn empty_map_is_a_value_not_a_block() {
    let file = parse(FIXTURES[2].1).file;
    let role = &common::first_block(&file).entries()[2];
    let Entry::Block(role) = role else {
        panic!("role block")
    };
    let found = role.entries().iter().find_map(|e| match e {
        Entry::Attribute(a) if a.name.name == "default_extensions" => Some(&a.value.kind),
        _ => None,
    });
    assert_eq!(found, Some(&ExprKind::Map(vec![])));
}

#[test]
fn bodiless_extern_and_env_secret() {
    let file = parse(FIXTURES[1].1).file;
    let ext = &file.blocks[0];
    assert!(ext.body.is_none());
    assert!(matches!(&ext.labels[..], [Label::Ident(a), Label::Ident(b)]
        if a.name == "policy" && b.name == "example-policy"));

    let file = parse(FIXTURES[4].1).file;
    let db = &file.blocks[2];
    let Entry::Block(conn) = &db.entries()[5] else {
        panic!("connection block")
    };
    let password = conn.entries().iter().find_map(|e| match e {
        Entry::Attribute(a) if a.name.name == "password" => Some(&a.value.kind),
        _ => None,
    });
    assert!(matches!(password, Some(ExprKind::Env(name)) if name.value == "DB_ROOT_PASSWORD"));
}

#[test]
fn other_valid_syntax() {
    let src = concat!(
        "// a comment\r\n",
        "secrets database \"team/db\" { # trailing comment\r\n",
        "  n       = -42\n",
        "  ok      = false\n",
        "  durs    = [90s, 15m, 1h, 7d,]\n",
        "  nested  = [[], [a, b.c], {}]\n",
        "  strs    = [\"tab\\there\", \"q\\\"uote\", \"back\\\\slash\", \"nl\\n\"]\n",
        "  headers = {\n    \"x-custom\" = \"1\"\n    plain = env( \"TOKEN\" ),\n  }\n",
        "  sql     = <<EOT\nCREATE USER '{{name}}';\n  GRANT ALL;\nEOT\n",
        "  pem     = <<-PEM\n    -----BEGIN-----\n      abc\n    -----END-----\n    PEM\n",
        "  read \"a/*\" \"b/*\"\n",
        "  deny [x] 3\n",
        "  role r { }\n",
        "}\n",
        "extern policy \"quoted name\"",
    );
    let result = parse(src);
    assert!(result.diagnostics.is_empty(), "{:#?}", result.diagnostics);
    common::assert_spans_valid(src, &result);
    let db = &result.file.blocks[0];
    assert_eq!(db.label_text(1), Some("team/db"));
    let value = |name: &str| {
        db.entries()
            .iter()
            .find_map(|e| match e {
                Entry::Attribute(a) if a.name.name == name => Some(a.value.kind.clone()),
                _ => None,
            })
            .expect(name)
    };
    assert_eq!(value("n"), ExprKind::Int(-42));
    assert_eq!(value("ok"), ExprKind::Bool(false));
    let ExprKind::List(durs) = value("durs") else {
        panic!()
    };
    let seconds: Vec<u64> = durs
        .iter()
        .map(|d| match d.kind {
            ExprKind::Duration { seconds, .. } => seconds,
            _ => panic!("duration"),
        })
        .collect();
    assert_eq!(seconds, [90, 900, 3600, 604_800]);
    let ExprKind::List(strs) = value("strs") else {
        panic!()
    };
    let strs: Vec<String> = strs
        .iter()
        .map(|s| match &s.kind {
            ExprKind::Str { value, .. } => value.to_string(),
            _ => panic!("string"),
        })
        .collect();
    assert_eq!(strs, ["tab\there", "q\"uote", "back\\slash", "nl\n"]);
    let ExprKind::Map(headers) = value("headers") else {
        panic!()
    };
    assert_eq!(headers[0].key.name, "x-custom");
    assert!(matches!(&headers[1].value.kind, ExprKind::Env(n) if n.value == "TOKEN"));
    assert_eq!(
        value("sql"),
        ExprKind::Str {
            value: "CREATE USER '{{name}}';\n  GRANT ALL;\n".into(),
            heredoc: true
        }
    );
    assert_eq!(
        value("pem"),
        ExprKind::Str {
            value: "-----BEGIN-----\n  abc\n-----END-----\n".into(),
            heredoc: true
        }
    );
    let statements: Vec<usize> = db
        .entries()
        .iter()
        .filter_map(|e| match e {
            Entry::Statement(s) => Some(s.args.len()),
            _ => None,
        })
        .collect();
    assert_eq!(statements, [2, 2]);
    let ext = &result.file.blocks[1];
    assert!(matches!(&ext.labels[1], Label::Str(s) if s.value == "quoted name"));
}

#[test]
fn empty_and_comment_only_files() {
    for src in ["", "\n\n", "# nothing\n// here", "  \t\r\n"] {
        let result = parse(src);
        assert!(result.diagnostics.is_empty());
        assert!(result.file.blocks.is_empty());
    }
}

/// The tree without its spans, to compare layouts of the same program.
fn shape(src: &str) -> serde_json::Value {
    fn strip(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                map.remove("span");
                map.values_mut().for_each(strip);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let result = parse(src);
    assert!(result.diagnostics.is_empty(), "{:#?}", result.diagnostics);
    let mut value = serde_json::to_value(&result.file).unwrap();
    strip(&mut value);
    value
}

/// Inside `{ }`, a `,` separates entries as a newline does (a trailing one is allowed),
/// so a one-line block is the same tree as its multi-line form.
#[test]
fn commas_separate_entries_like_newlines() {
    let multi = "workload ci {\n  login ci {\n    bound_audiences = [\"vault\"]\n    \
                 user_claim = \"sub\"\n  }\n  read \"secret/*\"\n  sign ssh.hosts\n}\n";
    for one_line in [
        "workload ci { login ci { bound_audiences = [\"vault\"], user_claim = \"sub\" }, \
         read \"secret/*\", sign ssh.hosts }\n",
        "workload ci {\n  login ci { bound_audiences = [\"vault\"], user_claim = \"sub\", }\n  \
         read \"secret/*\",\n  sign ssh.hosts,\n}\n",
    ] {
        assert_eq!(shape(one_line), shape(multi), "{one_line}");
    }
}
