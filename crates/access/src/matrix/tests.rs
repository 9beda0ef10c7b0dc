use super::*;
use crate::testutil::{example, program};

fn grants(m: &Matrix, id: &str) -> Vec<(String, String)> {
    m.identities
        .iter()
        .find(|i| i.identity.id == id)
        .map(|i| {
            i.grants
                .iter()
                .map(|g| (g.pattern.clone(), g.capabilities.join(",")))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn attached_policies_add_their_rules_and_extern_ones_are_named() {
    let m = matrix(&example("pipeline.kp"));
    assert_eq!(
        grants(&m, "evaluator"),
        [
            ("secret/data/models/*".to_string(), "read".to_string()),
            ("secret/data/shared/*".to_string(), "read".to_string()),
        ]
    );
    let publisher = m.identities.iter().find(|i| i.identity.id == "publisher");
    assert_eq!(
        publisher.map(|p| p.external.clone()),
        Some(vec!["platform-audit".to_string(), "default".to_string()])
    );
    assert!(m.patterns.contains(&"ssh/sign/gpu-hosts".to_string()));
}

#[test]
fn same_pattern_in_two_policies_merges_and_deny_wins() {
    let m = matrix(&program(
        r#"
        policy a {
          path "x/*" { capabilities = [read] }
          path "y" { capabilities = [read] }
        }
        policy b {
          path "x/*" { capabilities = [list, create] }
          path "y" { capabilities = [deny] }
        }
        auth approle {
          role r { token_policies = [b, a] }
        }
        "#,
    ));
    assert_eq!(
        grants(&m, "approle/r"),
        [
            ("x/*".to_string(), "create,read,list".to_string()),
            ("y".to_string(), "deny".to_string()),
        ]
    );
    let policies = &m.identities[0].grants[0].policies;
    assert_eq!(policies, &["b", "a"]);
}
