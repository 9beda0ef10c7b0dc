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
