//! `keyplan explain` as users run it: goldens of text and JSON, the target's LIST order,
//! and located errors with hints.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use common::{keyplan, text};

fn ok(args: &[&str]) -> String {
    let out = keyplan(args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    text(&out.stdout)
}

fn program(name: &str, src: &str) -> common::ScratchFile {
    common::scratch_file(name, "program.kp", src)
}

#[test]
fn every_identity_of_the_pipeline() {
    insta::assert_snapshot!(ok(&[
        "explain",
        "examples/pipeline.kp",
        "secret/data/models/resnet",
        "secret/metadata/models/",
        "secret/data/shared/token",
        "cubbyhole/",
        "identity/entity/id/1234",
    ]));
}

/// QA: a path copied from a request (`/v1/...`, or the URL) was denied to everyone.
#[test]
fn a_request_url_is_read_as_its_path() {
    let plain = ok(&[
        "explain",
        "examples/pipeline.kp",
        "--as",
        "trainer",
        "secret/data/models/resnet",
    ]);
    for given in [
        "/v1/secret/data/models/resnet",
        "https://bao.example.com:8200/v1/secret/data/models/resnet",
    ] {
        assert_eq!(
            ok(&["explain", "examples/pipeline.kp", "--as", "trainer", given]),
            plain,
            "{given}"
        );
    }
    assert!(plain.contains("read"), "{plain}");
}

#[test]
fn one_identity_as_json() {
    let out = ok(&[
        "explain",
        "examples/pipeline.kp",
        "--as",
        "trainer",
        "--target",
        "openbao",
        "--format",
        "json",
        "secret/data/models/resnet",
        "ssh/sign/gpu-hosts",
        "sys/mounts",
    ]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    insta::assert_json_snapshot!(json);
}

#[test]
fn exactly_the_policies_given() {
    // No `default` added: cubbyhole is denied.
    insta::assert_snapshot!(ok(&[
        "explain",
        "examples/pipeline.kp",
        "--policies",
        "secrets-reader",
        "secret/data/shared/x",
        "cubbyhole/x",
    ]));
}

const LIST_DENY: &str = r#"
policy lister {
  path "kv/metadata/*" {
    capabilities = [list]
  }
  path "kv/metadata/private/*" {
    capabilities = [deny]
  }
}
"#;

#[test]
fn the_target_picks_the_list_fallback_order() {
    let file = program("list-deny", LIST_DENY);
    let file = file.to_str().unwrap();
    let args = |target| {
        vec![
            "explain",
            file,
            "--policies",
            "lister",
            "--target",
            target,
            "kv/metadata/private/",
        ]
    };
    let vault = ok(&args("vault"));
    let openbao = ok(&args("openbao"));
    assert!(vault.contains(": list\n"), "{vault}");
    assert!(vault.contains("LIST fallback"), "{vault}");
    assert!(openbao.contains(": deny\n"), "{openbao}");
    assert!(openbao.contains("\"kv/metadata/private/*\""), "{openbao}");
}

#[test]
fn unknown_identity_has_a_hint() {
    let out = keyplan(&["explain", "examples/pipeline.kp", "--as", "trainr", "x"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("did you mean `trainer`?"),
        "{}",
        text(&out.stderr)
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn unknown_policy_is_an_error() {
    let out = keyplan(&["explain", "examples/pipeline.kp", "--policies", "nope", "x"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("no policy named `nope`"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn as_and_policies_conflict() {
    let out = keyplan(&[
        "explain",
        "examples/pipeline.kp",
        "--as",
        "trainer",
        "--policies",
        "default",
        "x",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_program_with_errors_is_reported() {
    let file = program(
        "bad",
        "policy p {\n  path \"a\" {\n    capabilities = [reed]\n  }\n}\n",
    );
    let out = keyplan(&["explain", file.to_str().unwrap(), "a"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("error"), "{}", text(&out.stderr));
}

/// Text and JSON list capabilities as `keyplan access` does (create, read, update, patch,
/// delete, list, sudo), not in the alphabetical order `sys/capabilities` answers in (QA:
/// the two commands listed the same grant differently).
#[test]
fn capabilities_are_listed_as_access_lists_them() {
    let path = program(
        "explain-capability-order",
        "auth jwt ci {\n  jwks_url = \"https://ci.example.com/jwks\"\n}\n\nworkload deployer {\n  login ci { bound_audiences = [\"vault\"], user_claim = \"sub\" }\n  sudo   \"app/*\"\n  list   \"app/*\"\n  delete \"app/*\"\n  update \"app/*\"\n  read   \"app/*\"\n  create \"app/*\"\n  patch  \"app/*\"\n}\n",
    );
    let path = path.to_str().unwrap();
    let access = ok(&["access", path]);
    let granted = access
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("app/*"))
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no grant on app/* in:\n{access}"));
    assert_eq!(granted, "create,read,update,patch,delete,list,sudo");
    let explained = ok(&["explain", path, "--as", "deployer", "app/x"]);
    assert!(
        explained.contains(&format!("): {}\n", granted.replace(',', ", "))),
        "{explained}"
    );
    let json: serde_json::Value = serde_json::from_str(&ok(&[
        "explain", path, "--as", "deployer", "--format", "json", "app/x",
    ]))
    .unwrap();
    assert_eq!(
        json["paths"][0]["identities"][0]["capabilities"],
        serde_json::json!(["create", "read", "update", "patch", "delete", "list", "sudo"])
    );
}

/// A policy the program names but does not hold is said not to be evaluated, whatever
/// makes it so: a name given as a string (the escape hatch), or what a token of a role
/// allowing any policy inherits from the token that creates it. Both were left out
/// unsaid (only an `extern policy` was named), and a token that holds `root` when the
/// root token applies the program was explained as holding `default`.
#[test]
fn policies_whose_rules_are_unknown_are_named() {
    let f = program(
        "unknown-rules",
        "auth approle {}\n\nworkload w {\n  login approle {\n    secret_id_ttl  = 1m\n    token_policies = [\"ops\"]\n  }\n  read \"a/*\"\n}\n\nauth token {\n  role open {}\n}\n\ntoken t {\n  role = open\n}\n",
    );
    let path = f.to_str().unwrap();
    let w = ok(&["explain", path, "--as", "w", "b/x"]);
    assert!(
        w.contains("not evaluated (extern, rules unknown): ops\n"),
        "{w}"
    );
    let t = ok(&["explain", path, "--as", "t", "b/x"]);
    assert!(
        t.contains("policies: (the policies of the token that applies the program)): deny")
            && t.contains("not evaluated (extern, rules unknown): (the policies"),
        "{t}"
    );
}
