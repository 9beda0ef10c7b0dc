//! Hover over a field says where its value really goes: the endpoint keyplan writes it
//! to, or, for keyplan's own syntax (a name in a path, an action, a note for people),
//! what it does, never an endpoint that does not exist.

#![allow(clippy::unwrap_used, clippy::panic)]

mod files;

use kp_ide::{Analysis, Target};

const PROGRAM: &str = r#"auth jwt ci {
  jwks_url          = "https://ci.example.com/jwks"
  default_lease_ttl = 1h
}

secrets kv secret {
  description = "app secrets"
  version     = 2
}

secrets database {
  connection app {
    plugin_name    = "postgresql-database-plugin"
    connection_url = "postgresql://{{username}}:{{password}}@127.0.0.1:5432/app"
    username       = "vault_admin"
    password       = env("APP_DB_PASSWORD")
    allowed_roles  = [reader]
    rotate_root    = true
  }
  role reader {
    db_name             = app
    creation_statements = ["SELECT 1"]
  }
}

auth token {
  role deployer {
    allowed_policies = [reader-policy]
  }
}

policy reader-policy {
  path "secret/data/*" {
    capabilities = [read]
  }
}

token deploy {
  role = deployer
}

workload app {
  description = "the app"
  login ci {
    role_name       = "app-login"
    user_claim      = "sub"
    bound_audiences = ["vault"]
  }
  creds database.reader
}
"#;

/// The hover markdown over the `n`th occurrence (from 0) of `needle`.
fn hover(a: &Analysis, needle: &str, n: usize) -> String {
    let offset = PROGRAM
        .match_indices(needle)
        .nth(n)
        .map(|(i, _)| i + 1)
        .unwrap();
    a.hover(offset)
        .map(|h| h.markdown)
        .unwrap_or_else(|| panic!("no hover over {needle}"))
}

#[test]
fn hover_says_where_each_field_goes() {
    let a = Analysis::new(PROGRAM, Target::Vault);
    let errors: Vec<_> = a.diagnostics().iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    for (needle, n, says) in [
        ("capabilities", 0, "Written to `sys/policies/acl/{name}`"),
        ("description", 0, "Written to `sys/mounts/{mount}`"),
        (
            "version",
            0,
            "Written to `sys/mounts/{mount}`, in the body's `options`",
        ),
        (
            "default_lease_ttl",
            0,
            "Written to `sys/auth/{mount}`, in the body's `config`",
        ),
        ("jwks_url", 0, "Written to `auth/{mount}/config`"),
        // keyplan's own syntax: what it does, and no endpoint it would be written to.
        ("description", 1, "sent to no server"),
        ("role_name", 0, "`{name}` in `auth/{mount}/role/{name}`"),
        ("role = deployer", 0, "`auth/token/create/{role}`"),
        ("rotate_root", 0, "`{mount}/rotate-root/{name}`"),
    ] {
        let h = hover(&a, needle, n);
        assert!(h.contains(says), "{needle} #{n}: {h}");
    }
    for (needle, n) in [
        ("description", 1),
        ("role_name", 0),
        ("role = deployer", 0),
        ("rotate_root", 0),
    ] {
        let h = hover(&a, needle, n);
        assert!(
            h.contains("keyplan syntax") && !h.contains("Written to"),
            "{needle} #{n}: {h}"
        );
    }
}

/// A token is created at its role's path, the call `keyplan build` makes.
#[test]
fn a_token_hover_names_the_path_of_its_role() {
    let a = Analysis::new(PROGRAM, Target::Vault);
    let h = hover(&a, "deploy {", 0);
    assert!(h.starts_with("**token** `deploy`"), "{h}");
    assert!(h.contains("`auth/token/create/deployer`"), "{h}");
}

/// A policy whose every rule was refused shows no empty `hcl` block, which would read
/// as a policy granting nothing on purpose.
#[test]
fn a_policy_without_a_valid_rule_says_so() {
    let source = "policy typo {\n  path \"secret/data/*\" {\n    capabilities = [lsit]\n  }\n}\n";
    let a = Analysis::new(source, Target::Vault);
    let offset = source.find("typo").unwrap() + 1;
    let h = a.hover(offset).map(|h| h.markdown).unwrap();
    assert!(h.starts_with("**policy** `typo`"), "{h}");
    assert!(!h.contains("```hcl"), "{h}");
    assert!(h.contains("No valid rule yet"), "{h}");
}

/// `rotate_root`, documented for connections, has a hover that describes it.
#[test]
fn rotate_root_has_a_hover() {
    let a = Analysis::new(PROGRAM, Target::Vault);
    let h = hover(&a, "rotate_root", 0);
    assert!(h.starts_with("**rotate_root** · bool"), "{h}");
    assert!(h.contains("rotates the root password"), "{h}");
}

/// No hover anywhere in the examples names the endpoint `keyplan`, which does not exist.
#[test]
fn no_hover_names_a_false_endpoint() {
    let mut sources = vec![PROGRAM.to_string()];
    for path in files::kp_files(&files::root().join("examples")) {
        sources.push(std::fs::read_to_string(path).unwrap());
    }
    let mut fields = 0;
    for src in &sources {
        let a = Analysis::new(src, Target::Vault);
        for offset in 0..src.len() {
            let Some(h) = a.hover(offset) else { continue };
            assert!(
                !h.markdown.contains("`keyplan`"),
                "at {offset}: {}",
                h.markdown
            );
            fields += usize::from(h.markdown.contains("Written to"));
        }
    }
    assert!(fields > 100, "{fields}");
}
