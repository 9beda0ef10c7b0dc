//! Hover over a rule's path says who holds the rule and, for a concrete path, what each
//! holder may do there as the server decides it: `keyplan explain`'s answer, including
//! when another rule decides.

#![allow(clippy::unwrap_used, clippy::panic)]

use kp_ide::{Analysis, Target};

const PROGRAM: &str = r#"auth jwt ci {
  jwks_url = "https://ci.example.com/jwks"
  role deploy {
    user_claim      = "sub"
    bound_audiences = ["vault"]
    bound_claims    = { project = "app" }
    token_policies  = [app-reader, locked]
  }
}

policy app-reader {
  path "secret/data/app/config" {
    capabilities = [read]
  }
  path "secret/data/app/*" {
    capabilities = [read, list]
  }
}

policy locked {
  path "secret/data/app/config" {
    capabilities = [deny]
  }
}

policy nobody {
  path "secret/data/unused" {
    capabilities = [read]
  }
}

workload trainer {
  login ci {
    user_claim      = "sub"
    bound_audiences = ["vault"]
    bound_claims    = { project = "ml" }
  }
  read "secret/data/models/current"
  list "secret/data/models/*"
}
"#;

fn hover(a: &Analysis, needle: &str, n: usize) -> String {
    let offset = PROGRAM
        .match_indices(needle)
        .nth(n)
        .map(|(i, _)| i + 2)
        .unwrap();
    a.hover(offset)
        .map(|h| h.markdown)
        .unwrap_or_else(|| panic!("no hover over {needle}"))
}

#[test]
fn a_rules_path_says_who_holds_it_and_what_the_server_decides() {
    let a = Analysis::new(PROGRAM, Target::Openbao);
    let errors: Vec<_> = a.diagnostics().iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{errors:?}");

    // The deny of another policy the role carries decides, not the rule hovered.
    let config = hover(&a, "\"secret/data/app/config\"", 0);
    assert!(config.contains("Held by 1 identity"), "{config}");
    assert!(
        config.contains("- `ci/deploy` (jwt-role): deny — decided by policy `locked` path `secret/data/app/config`"),
        "{config}"
    );
    // The same answer keyplan explain gives.
    let program = keyplan::compile(
        PROGRAM,
        &keyplan::Options {
            target: Target::Openbao,
        },
    );
    let e = keyplan::explain::explain(
        program.program.as_ref().unwrap(),
        &["secret/data/app/config".to_string()],
        &Default::default(),
        Target::Openbao,
    )
    .unwrap();
    let deploy = e.paths[0]
        .identities
        .iter()
        .find(|i| i.identity == "ci/deploy")
        .unwrap();
    assert_eq!(deploy.capabilities, ["deny"]);

    // A pattern: the holders, and where a concrete answer comes from.
    let glob = hover(&a, "\"secret/data/app/*\"", 0);
    assert!(glob.contains("- `ci/deploy` (jwt-role)\n"), "{glob}");
    assert!(glob.contains("keyplan explain PATH"), "{glob}");

    // The deciding rule itself: no "decided by".
    let locked = hover(&a, "\"secret/data/app/config\"", 1);
    assert!(
        locked.contains("- `ci/deploy` (jwt-role): deny\n"),
        "{locked}"
    );

    // A workload's statement is its derived policy's rule.
    let models = hover(&a, "\"secret/data/models/current\"", 0);
    assert!(models.contains("policy `trainer`"), "{models}");
    assert!(
        models.contains("- `trainer` (workload): read\n"),
        "{models}"
    );

    let unused = hover(&a, "\"secret/data/unused\"", 0);
    assert!(
        unused.contains("No identity of the program carries this policy"),
        "{unused}"
    );
}
