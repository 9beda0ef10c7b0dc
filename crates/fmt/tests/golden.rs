//! The canonical layout on hand-written ugly programs, snapshotted; and the refusals.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

fn golden(name: &str, src: &str) {
    let out = common::assert_invariants(name, src);
    insta::assert_snapshot!(name, out);
}

#[test]
fn squashed_and_misaligned() {
    golden(
        "squashed",
        r#"extern policy example-policy
extern policy other
auth jwt {
description="JWT backend"
      jwks_url =   "https://ci.example.com/.well-known/jwks.json"
  role example-role { user_claim = "sub"
bound_audiences=["example-audience",]
    token_policies = [example-policy, other]
      token_ttl = 1h
  token_max_ttl= 4h
  }
}
secrets kv {
  version = 2
}
"#,
    );
}

#[test]
fn comments_everywhere() {
    golden(
        "comments",
        r#"# header comment

// another style
auth jwt { # after the opening brace
  # before an attribute
  description = "x" # after an attribute
  bound_claims = { # after a map's brace
    project_path = "ml/trainer", # after an entry and its comma
    # before an entry
    ref = "main"
    # before the map's close
  } # after the map
  jwt_supported_algs = [ # after a list's bracket
    "RS256" # after an item, before its comma
    , "ES256",
    # before the list's close
  ]


  # after two blank lines: one is kept
  role r {
  } # after a nested block
  # last in the body
} # after the block
# between top-level blocks
workload w {
  read "secret/data/*" # after a statement
  list  "secret/metadata/*"
}
# at the end of the file
"#,
    );
}

#[test]
fn long_lists_wrap_and_short_ones_join() {
    golden(
        "wrapping",
        r#"secrets database {
  role my-role {
    db_name = mysql-database
    creation_statements = ["CREATE USER '{{name}}'@'%' IDENTIFIED BY '{{password}}';", "GRANT SELECT ON *.* TO '{{name}}'@'%';"]
    allowed_roles = [
      a,
      b,
    ]
    nested = [[1, 2], ["a very long string that does not fit on the line with the rest", "and another one"], []]
    empty_map = {  }
    map = {
      a = 1
    }
  }
}
"#,
    );
}

#[test]
fn heredocs_stay_verbatim() {
    golden(
        "heredocs",
        "secrets database {\n  role r {\n      creation_statements = [<<EOT\n  CREATE ROLE \"{{name}}\";   \n\tGRANT x;\nEOT\n, <<-SQL\n      indented\n        more\n      SQL\n    ]\n  revocation_statements = <<EOT\nDROP ROLE x; # not a comment\nEOT\n  }\n}\n",
    );
}

#[test]
fn crlf_and_tabs() {
    golden(
        "crlf",
        "auth jwt {\r\n\tdescription = \"d\" # c\r\n\r\n\r\n\tjwks_url = \"u\"\r\n}\r\n",
    );
}

#[test]
fn strings_and_values_keep_their_spelling() {
    golden(
        "spelling",
        r#"auth "team/jwt" {
  description = "tab\t quote\" backslash\\ # not a comment // nor this"
  token_ttl = 0090s
  password = env(  "DB_PASSWORD"  )
  flag = false
  number = -12
  ref = ssh.training-environment
  role "quoted" {
  }
}
"#,
    );
}

#[test]
fn empty_and_comment_only_files() {
    assert_eq!(kp_fmt::format("").unwrap(), "");
    assert_eq!(kp_fmt::format("\n\n  \n").unwrap(), "");
    assert_eq!(
        kp_fmt::format("  # only\n\n\n// comments  \n").unwrap(),
        "# only\n\n// comments\n"
    );
}

#[test]
fn syntax_errors_are_refused_with_the_parsers_diagnostics() {
    let src = "auth jwt {\n  description = \n}\npolicy p {\n";
    let err = kp_fmt::format(src).expect_err("refused");
    assert_eq!(err, kp_syntax::parse(src).diagnostics);
    let codes: Vec<&str> = err.iter().map(|d| d.code).collect();
    assert_eq!(
        codes,
        ["kp::syntax::missing-value", "kp::syntax::unclosed-block"]
    );
}

#[test]
fn width_is_an_option() {
    let src = "auth jwt {\n  jwt_supported_algs = [\"RS256\", \"ES256\"]\n}\n";
    let narrow = kp_fmt::format_with(src, &kp_fmt::Options { width: 30 }).unwrap();
    assert_eq!(
        narrow,
        "auth jwt {\n  jwt_supported_algs = [\n    \"RS256\",\n    \"ES256\",\n  ]\n}\n"
    );
    assert_eq!(kp_fmt::format(src).unwrap(), src);
}

/// Entries separated by commas (one-line blocks, issue 11) print in the canonical
/// multi-line form: one entry a line, aligned, no comma left behind; map literals keep
/// theirs. A comment after the one-line block follows its closing brace.
#[test]
fn one_line_comma_blocks_print_multi_line() {
    let src = r#"auth jwt gitlab {
  jwks_url = "https://gitlab.example.com/oauth/discovery/keys"
  role deploy { user_claim = "sub", bound_audiences = ["vault", "ci"], bound_claims = { ref = "main" }, }
}
workload ci {
  login gitlab { bound_audiences = ["vault"], user_claim = "sub" } # one line
  read "secret/data/ci/*"
}
policy p { path "secret/data/x" { capabilities = [read] }, path "secret/data/y" { capabilities = [list] } }
"#;
    golden("one-line-blocks", src);
    // The issue's own example, exactly.
    let login =
        "workload ci {\n  login ci { bound_audiences = [\"vault\"], user_claim = \"sub\" }\n}\n";
    assert_eq!(
        kp_fmt::format(login).unwrap(),
        "workload ci {\n  login ci {\n    bound_audiences = [\"vault\"]\n    user_claim      = \"sub\"\n  }\n}\n"
    );
}

/// A comment that ends a line stays after what it follows there: a field, a statement, a
/// list item or map entry (before or after its comma), an opening or closing delimiter,
/// a nested block, a one-line block (not moved into it, onto its header line), at any
/// width.
#[test]
fn trailing_comments_stay_after_what_they_follow() {
    golden(
        "trailing-comments",
        r#"policy p {
  path "a/*" { capabilities = [read] }   # after a one-line block
  path "b/*" { capabilities = [read] # after a field in a one-line block
  }
  path "c/*" { capabilities = [read], # after a field and its comma
    description = "x" } # after a block closed on a field's line
}

workload ci {
  login gitlab { bound_audiences = ["vault"], user_claim = "sub" } # after a one-line login
  read "secret/data/ci/*" # after a statement
}

auth jwt gitlab { # after an opening brace
  bound_claims = { ref = "main" } # after a one-line map
  jwt_supported_algs = ["RS256", "ES256"] # after a one-line list
  nested = [["a"], { b = 1 }] # after nested values
  items = [
    "a", # after an item and its comma
    "b" # after the last item
  ] # after a broken list
  entries = {
    a = 1 # after an entry
    b = { c = 2 } # after a nested map
  } # after a broken map
  role r { user_claim = "sub" } # after a nested one-line block
}
"#,
    );
}

/// Wrapping at a narrow width keeps each comment where it was, so the default width
/// joins the lists and maps again: nothing of the narrow run sticks.
#[test]
fn a_narrow_run_leaves_no_trace() {
    let src = r#"auth jwt gitlab {
  bound_claims = { project_path = "ml/trainer", ref = "main" } # why
  jwt_supported_algs = ["RS256", "ES256", "ES384"] # algs
  role r { bound_audiences = ["vault", "ci"] } # one line
}
"#;
    let narrow = kp_fmt::format_with(src, &kp_fmt::Options { width: 40 }).unwrap();
    assert!(narrow.contains("} # why\n"), "{narrow}");
    assert!(narrow.contains("] # algs\n"), "{narrow}");
    assert_eq!(
        kp_fmt::format(&narrow).unwrap(),
        kp_fmt::format(src).unwrap()
    );
    assert!(kp_fmt::format(src)
        .unwrap()
        .contains(r#"{ project_path = "ml/trainer", ref = "main" } # why"#));
}

/// QA: with several entries on one line (separated by commas), a comment ending the line
/// follows the last of them, not the first: statements, nested blocks and attributes.
#[test]
fn a_comment_after_comma_separated_entries_follows_the_last() {
    let statements = "workload w {\n  login x { user_claim = \"s\", bound_audiences = [\"v\"] }\n  read \"a\", deny \"a/b\" # about the deny\n}\n";
    let out = common::assert_invariants("statements", statements);
    assert!(
        out.contains("  read \"a\"\n  deny \"a/b\" # about the deny\n"),
        "{out}"
    );

    let paths = "policy p {\n  path \"a\" { capabilities = [read] }, path \"b\" { capabilities = [list] } # about b\n}\n";
    assert_eq!(
        common::assert_invariants("paths", paths),
        "policy p {\n  path \"a\" {\n    capabilities = [read]\n  }\n  path \"b\" {\n    capabilities = [list]\n  } # about b\n}\n"
    );

    let attributes = "auth jwt {\n  jwks_url = \"x\", bound_issuer = \"y\" # about issuer\n}\n";
    assert_eq!(
        common::assert_invariants("attributes", attributes),
        "auth jwt {\n  jwks_url     = \"x\"\n  bound_issuer = \"y\" # about issuer\n}\n"
    );

    // After a comma, the comment still follows the entry before it; in a one-line
    // block, the last entry before it.
    let comma = "auth jwt {\n  jwks_url = \"x\", # about the url\n  bound_issuer = \"y\"\n  role r { a = 1, b = 2, c = 3 # about c\n  }\n}\n";
    let out = common::assert_invariants("comma", comma);
    assert!(
        out.contains("jwks_url     = \"x\" # about the url\n"),
        "{out}"
    );
    assert!(out.contains("    c = 3 # about c\n"), "{out}");
}

/// QA: a CRLF file comes out with LF line endings throughout, heredocs included (as the
/// `crlf` snapshot has the rest), and the heredocs keep their values: the parser never
/// counts a line's `\r\n` as part of it.
#[test]
fn crlf_heredocs_end_their_lines_in_lf_too() {
    let src = "secrets database {\r\n  role r {\r\n    creation_statements = [<<EOT\r\nline1\r\n  line2 # not a comment\r\nEOT\r\n, \"x\"]\r\n    revocation_statements = <<-SQL\r\n      drop\r\n\r\n      SQL\r\n  }\r\n}\r\n";
    let out = common::assert_invariants("crlf-heredocs", src);
    assert!(!out.contains('\r'), "{out:?}");
    assert!(
        out.contains(
            "[\n      <<EOT\nline1\n  line2 # not a comment\nEOT\n      , \"x\",\n    ]\n"
        ),
        "{out:?}"
    );
    assert!(out.contains("<<-SQL\n      drop\n\n      SQL\n"), "{out:?}");

    // A comment between a heredoc and the next item keeps the comma on its own line.
    let src = "auth jwt {\n  x = [<<EOT\na\nEOT\n, # why\n\"b\", <<EOT\nc\nEOT\n, \"d\"]\n}\n";
    let out = common::assert_invariants("heredoc-comment", src);
    assert!(
        out.contains("EOT\n    ,\n    # why\n    \"b\",\n    <<EOT\nc\nEOT\n    , \"d\",\n  ]"),
        "{out:?}"
    );

    // A `\r` alone ends a line, as editors and the Language Server Protocol count it:
    // `a\r\r\n` is the line `a` and a blank line (it was `a\r`, a line whose own text
    // ended in `\r`, which editors never showed).
    let cr = "auth jwt {\n  description = <<EOT\na\r\r\nb\r\nEOT\n}\n";
    let out = common::assert_invariants("heredoc-cr", cr);
    assert!(out.contains("<<EOT\na\n\nb\nEOT\n"), "{out:?}");
}

#[test]
fn a_byte_order_mark_is_kept_and_the_result_is_a_fixed_point() {
    let source = "\u{feff}policy p {\npath \"secret/*\" { capabilities = [\"read\"] }\n}\n";
    let out = kp_fmt::format(source).expect("formats");
    assert_eq!(
        out,
        "\u{feff}policy p {\n  path \"secret/*\" {\n    capabilities = [\"read\"]\n  }\n}\n"
    );
    assert_eq!(kp_fmt::format(&out).expect("formats again"), out);
    // A text without one gets none.
    assert!(!kp_fmt::format(&source[3..])
        .expect("formats")
        .starts_with('\u{feff}'));
}
