//! A rename either is refused or leaves a program that parses and checks as before: the
//! new name is read back by the lexer as the same name, and passes `kp::invalid-name`.

#![allow(clippy::unwrap_used)]

use kp_ide::{Analysis, Target};

const PROGRAM: &str = r#"auth jwt ci { jwks_url = "https://ci/jwks" }
secrets kv secret { version = 2 }
policy shared { path "secret/data/shared/*" { capabilities = [read] } }
workload w {
  login ci { bound_audiences = ["v"], user_claim = "sub", token_policies = [shared] }
  read "secret/data/x"
}
"#;

fn errors(a: &Analysis) -> Vec<String> {
    a.diagnostics()
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{}: {}", d.code, d.message))
        .collect()
}

/// Renames the name starting at `at` (in `PROGRAM`) to `new_name`: `Some(errors of the
/// edited program)` when accepted, `None` when refused.
fn rename(at: &str, new_name: &str) -> Option<Vec<String>> {
    let a = Analysis::new(PROGRAM, Target::Vault);
    assert!(errors(&a).is_empty(), "{:?}", errors(&a));
    let offset = PROGRAM.find(at).unwrap() + 1;
    let edits = a.rename(offset, new_name).ok()?;
    let mut text = PROGRAM.to_string();
    for e in edits.iter().rev() {
        text.replace_range(e.span.start..e.span.end, &e.new_text);
    }
    Some(errors(&Analysis::new(&text, Target::Vault)))
}

#[test]
fn names_the_lexer_does_not_read_back_are_refused() {
    for at in ["shared {", "ci {", "secret {", "w {"] {
        for bad in ["a.b", "1abc", "true", "a b", "-a", "", "a/b"] {
            assert_eq!(rename(at, bad), None, "{at} -> {bad:?}");
        }
        for good in ["a_b", "ci-deploy", "_x9"] {
            assert_eq!(rename(at, good), Some(vec![]), "{at} -> {good:?}");
        }
    }
}

/// `a-` is an identifier, fine as a mount path; as a policy or workload name it becomes
/// an API path segment, which `kp::invalid-name` wants to end with a letter, digit or `_`.
#[test]
fn a_trailing_dash_is_a_mount_path_only() {
    assert_eq!(rename("ci {", "a-"), Some(vec![]));
    assert_eq!(rename("secret {", "a-"), Some(vec![]));
    assert_eq!(rename("shared {", "a-"), None);
    assert_eq!(rename("w {", "a-"), None);
}

/// The refusal states the rule as docs/language.md does.
#[test]
fn the_refusal_states_the_identifier_rule() {
    let a = Analysis::new(PROGRAM, Target::Vault);
    let err = a
        .rename(PROGRAM.find("shared {").unwrap(), "a.b")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("a letter or `_` then letters, digits, `_` or `-`"),
        "{err}"
    );
    assert!(!err.contains("`.`"), "{err}");
}

/// A name the checker refuses (`kp::uppercase-name`: the server stores it lowercased) is
/// refused by rename too; mount paths keep their case on the server and may have capitals.
#[test]
fn capitals_are_refused_where_the_server_drops_them() {
    for at in ["ci {", "secret {", "shared {", "w {"] {
        match rename(at, "Other") {
            Some(errors) => assert_eq!(errors, Vec::<String>::new(), "{at}"),
            None => assert!(["shared {", "w {"].contains(&at), "{at} refused"),
        }
    }
    assert_eq!(rename("w {", "Other"), None);
    let a = Analysis::new(PROGRAM, Target::Vault);
    let err = a
        .rename(PROGRAM.find("w {").unwrap(), "Other")
        .unwrap_err()
        .to_string();
    assert!(err.contains("`other`"), "{err}");
}

#[test]
fn a_login_role_named_with_capitals_is_refused() {
    let src = "auth approle {}\nworkload w {\n  login approle { role_name = \"deployer\", secret_id_ttl = 10m }\n  read \"x\"\n}\nworkload o {\n  role_id approle.deployer\n}\n";
    let a = Analysis::new(src, Target::Vault);
    let at = src.find("approle.deployer").unwrap() + "approle.".len() + 1;
    assert!(a.rename(at, "deployer2").is_ok());
    assert!(a.rename(at, "Deployer").is_err());
}
