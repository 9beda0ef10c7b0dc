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

#[test]
fn text_form_aligns_short_patterns_and_does_not_pad_a_huge_one() {
    let long = "a".repeat(70_000);
    let m = matrix(&program(&format!(
        r#"
        policy p {{
          path "x/{long}" {{ capabilities = [read] }}
          path "é/*" {{ capabilities = [list] }}
          path "yy/*" {{ capabilities = [read] }}
        }}
        auth approle {{ role r {{ secret_id_num_uses = 1, secret_id_ttl = 1m, token_policies = [p] }} }}
        "#
    )));
    let text = crate::render::matrix_text(&m);
    let lines: Vec<&str> = text.lines().filter(|l| l.contains("via p")).collect();
    assert_eq!(lines.len(), 3, "{text:.400}");
    // The short ones are aligned by characters; the long one is not padded.
    assert!(
        lines.contains(&"  é/*   list                      via p"),
        "{lines:.400?}"
    );
    assert!(
        lines.contains(&"  yy/*  read                      via p"),
        "{lines:.400?}"
    );
    assert!(text.contains(&format!("x/{long}  read  ")), "{text:.200}");
}
