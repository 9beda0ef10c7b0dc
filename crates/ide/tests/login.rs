//! A workload's `login MOUNT { ... }` is the login role (or user) of the mount's method,
//! as the checker types it: hover, completion and the missing-field fix describe that
//! method's fields, not always a JWT role's; `login`, `role_id` and `secret_id` complete
//! with the mounts and roles they may name.

#![allow(clippy::unwrap_used)]

use kp_ide::{Analysis, Span, Target};

const PROGRAM: &str = r#"auth userpass people {}
auth kubernetes k8s {}
auth approle {}
auth jwt ci {
  oidc_discovery_url = "https://x"
}

workload alice {
  login people {
    password = env("ALICE_PW")
  }
  read "secret/data/alice/*"
}

workload builder {
  login approle { secret_id_ttl = 10m }
  read "secret/data/build/*"
}

workload orch {
  login k8s {
    bound_service_account_names = ["x"]
    bound_service_account_namespaces = ["y"]
  }
  role_id approle.builder
}

workload bob {
  login people {}
  read "secret/data/bob/*"
}

workload ext {
  login userpass {
    password = env("EXT_PW")
  }
  read "secret/data/ext/*"
}
"#;

fn at(marker: &str) -> usize {
    PROGRAM.find(marker).unwrap()
}

fn labels(a: &Analysis, offset: usize) -> Vec<String> {
    a.completions(offset).into_iter().map(|c| c.label).collect()
}

#[test]
fn a_login_block_has_its_methods_fields() {
    let a = Analysis::new(PROGRAM, Target::Vault);
    // In the userpass user: its fields, not a JWT role's.
    let in_user = at("    password = env(\"ALICE_PW\")");
    let fields = labels(&a, in_user);
    assert!(fields.iter().any(|l| l == "token_ttl"), "{fields:?}");
    assert!(!fields.iter().any(|l| l == "user_claim"), "{fields:?}");
    for (field, path) in [
        ("password = env(\"ALICE", "auth/{mount}/users/{name}"),
        ("secret_id_ttl", "auth/{mount}/role/{name}"),
        ("bound_service_account_names", "auth/{mount}/role/{name}"),
        // An undeclared mount is typed by the method its path names.
        ("password = env(\"EXT", "auth/{mount}/users/{name}"),
    ] {
        let hover = a.hover(at(field) + 1).map(|h| h.markdown);
        assert!(
            hover.as_deref().is_some_and(|h| h.contains(path)),
            "{field}: {hover:?}"
        );
    }
    // `login people {}` lacks the user's password: completion offers it, the fix adds it.
    let bob = at("login people {}");
    let fields = labels(&a, bob + "login people {".len());
    assert!(fields.iter().any(|l| l == "password"), "{fields:?}");
    assert!(!fields.iter().any(|l| l == "user_claim"), "{fields:?}");
    let fixes = a.code_actions(Span::new(bob, bob + 6));
    let added: Vec<&str> = fixes
        .iter()
        .flat_map(|f| &f.edits)
        .map(|e| e.new_text.as_str())
        .collect();
    assert!(
        added.iter().any(|t| t.contains("password"))
            && !added.iter().any(|t| t.contains("user_claim")),
        "{added:?}"
    );
}

#[test]
fn login_and_approle_shorthands_complete_with_what_they_may_name() {
    let a = Analysis::new(PROGRAM, Target::Vault);
    let mounts = labels(&a, at("login people {\n") + "login ".len());
    assert_eq!(mounts, ["people", "k8s", "approle", "ci"]);
    let role_id = at("role_id approle.builder");
    assert_eq!(labels(&a, role_id + "role_id ".len()), ["approle.builder"]);
    assert_eq!(labels(&a, role_id + "role_id approle.".len()), ["builder"]);
}

#[test]
fn login_and_approle_shorthands_hover_with_what_they_are() {
    let a = Analysis::new(PROGRAM, Target::Vault);
    let hover = |offset: usize| a.hover(offset).map(|h| h.markdown).unwrap_or_default();
    assert!(hover(at("login people {\n") + 1).contains("Here: the workload's userpass user."));
    assert!(hover(at("login approle {") + 1).contains("Here: the workload's AppRole role."));
    assert!(hover(at("role_id approle") + 1).contains("auth/MOUNT/role/ROLE/role-id"));
}

/// `role_id MOUNT.ROLE` names the AppRole mount and role: definition, references and a
/// rename of the mount follow them, as for `sign` and `creds`.
#[test]
fn approle_shorthands_are_references() {
    let a = Analysis::new(PROGRAM, Target::Vault);
    let role_id = at("role_id approle.builder");
    let mount_ref = role_id + "role_id ".len() + 1;
    let role_ref = role_id + "role_id approle.".len() + 1;
    let mount = a.definition(mount_ref).map(|d| d.name_span.start);
    assert_eq!(mount, Some(at("approle {}")));
    let role = a.definition(role_ref);
    assert!(role.is_some(), "no definition of the role");
    let refs = a.references(at("approle {}"), true);
    assert!(refs.iter().any(|s| s.start == mount_ref - 1), "{refs:?}");
}

/// Renaming a workload renames its login role (named after it) where a shorthand names
/// that role; a name another role of the mount has is refused.
#[test]
fn renaming_a_workload_renames_its_login_roles_uses() {
    let a = Analysis::new(PROGRAM, Target::Vault);
    let builder = at("workload builder") + "workload ".len() + 1;
    let edits = a.rename(builder, "bld").unwrap();
    let mut text = PROGRAM.to_string();
    for e in edits.iter().rev() {
        text.replace_range(e.span.start..e.span.end, &e.new_text);
    }
    assert!(text.contains("role_id approle.bld"), "{text}");
    // No new error: only `bob`'s missing password, as before.
    let errors = |a: &Analysis| -> Vec<String> {
        a.diagnostics()
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.message.clone())
            .collect()
    };
    assert_eq!(errors(&Analysis::new(&text, Target::Vault)), errors(&a));

    let taken = PROGRAM.replace("auth approle {}", "auth approle {\n  role bld {}\n}");
    let a = Analysis::new(&taken, Target::Vault);
    let builder = taken.find("workload builder").unwrap() + "workload ".len() + 1;
    assert!(a.rename(builder, "bld").is_err());
}

/// A Kubernetes login missing its names and namespaces has two diagnostics on its head
/// and one fix adding both required fields: offered once, not once per diagnostic.
#[test]
fn one_block_one_missing_field_fix() {
    let text = "auth kubernetes k8s {}\nworkload w {\n  login k8s {\n  }\n  read \"x/*\"\n}\n";
    let a = Analysis::new(text, Target::Vault);
    let head = text.find("login").unwrap();
    let missing = a
        .diagnostics()
        .iter()
        .filter(|d| d.code == "kp::missing-field")
        .count();
    assert_eq!(missing, 2);
    let titles: Vec<String> = a
        .code_actions(Span::new(head, head))
        .into_iter()
        .map(|f| f.title)
        .collect();
    assert_eq!(
        titles,
        ["add `bound_service_account_names`, `bound_service_account_namespaces`"]
    );
}

/// The missing-field fix adds what keyplan requires beyond the schema too, wherever the
/// role or user is written (a workload's login or the mount's own block): applying it
/// once leaves no `kp::missing-field`, and no other error (each value is one the check
/// accepts, no `[]` or `""` left to fill in).
#[test]
fn the_missing_field_fix_adds_every_required_field() {
    let programs = [
        "auth kubernetes k8s { kubernetes_host = \"https://k\", kubernetes_ca_cert = env(\"K8S_CA_PEM\") }\nworkload w {\n  login k8s {\n    token_ttl = 1h\n  }\n  read \"x/*\"\n}\n",
        "auth kubernetes k8s {\n  kubernetes_host = \"https://k\"\n  kubernetes_ca_cert = env(\"K8S_CA_PEM\")\n  role r {}\n}\n",
        "auth userpass {\n  user u {}\n}\n",
        "auth userpass {}\nworkload w {\n  login userpass {}\n  read \"x/*\"\n}\n",
    ];
    let errors = |a: &Analysis| -> Vec<String> {
        a.diagnostics()
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.code.to_string())
            .collect()
    };
    for text in programs {
        let a = Analysis::new(text, Target::Vault);
        let spans: Vec<Span> = a
            .diagnostics()
            .iter()
            .filter(|d| d.code == "kp::missing-field")
            .map(|d| d.span)
            .collect();
        assert!(!spans.is_empty(), "{text}");
        let fixes = a.code_actions(spans[0]);
        assert_eq!(fixes.len(), 1, "{text}: {fixes:?}");
        let mut fixed = text.to_string();
        for e in fixes[0].edits.iter().rev() {
            fixed.replace_range(e.span.start..e.span.end, &e.new_text);
        }
        let after = Analysis::new(&fixed, Target::Vault);
        assert!(
            errors(&after).is_empty(),
            "{fixed}\n{:?}",
            after.diagnostics()
        );
    }
}
