use super::*;
use crate::testutil::{example, program, target};
use kp_acl::Target;

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
    let m = matrix(&example("pipeline.kp"), target());
    // `default`'s stock rules come first (`auth/`, `cubbyhole/`, ...): the program's own.
    let own: Vec<_> = grants(&m, "evaluator")
        .into_iter()
        .filter(|(p, _)| p.starts_with("secret/"))
        .collect();
    assert_eq!(
        own,
        [
            ("secret/data/models/*".to_string(), "read".to_string()),
            ("secret/data/shared/*".to_string(), "read".to_string()),
        ]
    );
    let publisher = m.identities.iter().find(|i| i.identity.id == "publisher");
    assert_eq!(
        publisher.map(|p| p.external.clone()),
        Some(vec!["platform-audit".to_string()])
    );
    assert!(m.patterns.contains(&"ssh/sign/gpu-hosts".to_string()));
}

#[test]
fn the_builtin_default_adds_its_stock_rules_per_target() {
    let src = r#"
        policy p { path "x" { capabilities = [read] } }
        auth approle {
          role r { token_policies = [p] }
          role bare {
            token_policies          = [p]
            token_no_default_policy = true
          }
        }
        "#;
    for (target, extra) in [(Target::Vault, true), (Target::Openbao, false)] {
        let m = matrix(&program(src), target);
        let r = grants(&m, "approle/r");
        for pattern in ["sys/renew", "sys/control-group/request"] {
            let want = (pattern.to_string(), "update".to_string());
            assert_eq!(r.contains(&want), extra, "{target} {pattern}: {r:?}");
        }
        let cubbyhole = (
            "cubbyhole/*".to_string(),
            "create,read,update,delete,list".to_string(),
        );
        assert!(r.contains(&cubbyhole), "{r:?}");
        assert_eq!(r.len(), if extra { 19 } else { 17 });
        let row = m.identities.iter().find(|i| i.identity.id == "approle/r");
        assert_eq!(row.map(|i| i.external.len()), Some(0));
        let via_default = row
            .and_then(|i| i.grants.iter().find(|g| g.pattern == "cubbyhole/*"))
            .map(|g| g.policies.clone());
        assert_eq!(via_default, Some(vec!["default".to_string()]));
        assert_eq!(
            grants(&m, "approle/bare"),
            [("x".to_string(), "read".to_string())]
        );
    }
}

#[test]
fn same_pattern_in_two_policies_merges_and_deny_wins() {
    let m = matrix(
        &program(
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
          role r {
            token_policies          = [b, a]
            token_no_default_policy = true
          }
        }
        "#,
        ),
        target(),
    );
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
    let m = matrix(
        &program(&format!(
            r#"
        policy p {{
          path "x/{long}" {{ capabilities = [read] }}
          path "é/*" {{ capabilities = [list] }}
          path "yy/*" {{ capabilities = [read] }}
        }}
        auth approle {{
          role r {{
            secret_id_num_uses = 1, secret_id_ttl = 1m, token_policies = [p]
            token_no_default_policy = true
          }}
        }}
        "#
        )),
        target(),
    );
    let text = crate::render::matrix_text(&m);
    let lines: Vec<&str> = text.lines().filter(|l| l.contains("via p")).collect();
    assert_eq!(lines.len(), 3, "{text:.400}");
    // The short ones are aligned by characters; the long one is not padded.
    assert!(lines.contains(&"  é/*   list  via p"), "{lines:.400?}");
    assert!(lines.contains(&"  yy/*  read  via p"), "{lines:.400?}");
    assert!(text.contains(&format!("x/{long}  read  ")), "{text:.200}");
}

/// `default`'s rules are listed once, after the identities; an identity lists its own
/// grants, a pattern its own policy shares with `default` among them, and counts the rest.
#[test]
fn text_lists_default_rules_once() {
    let m = matrix(
        &program(
            r#"
        policy "p" {
          path "cubbyhole/*" { capabilities = [sudo] }
          path "kv/data/x" { capabilities = [read] }
        }
        auth approle {
          role with-default {
            secret_id_num_uses = 1, secret_id_ttl = 1m, token_policies = [p]
          }
          role without {
            secret_id_num_uses = 1, secret_id_ttl = 1m, token_policies = [p]
            token_no_default_policy = true
          }
          role plain {
            secret_id_num_uses = 1, secret_id_ttl = 1m, token_policies = [q]
          }
        }
        policy "q" {
          path "kv/data/y" { capabilities = [read] }
        }
        "#,
        ),
        target(),
    );
    let text = crate::render::matrix_text(&m);
    let defaults = m
        .identities
        .iter()
        .find(|i| i.identity.policies.contains(&"default".to_string()));
    let n = defaults.map_or(0, |i| {
        i.grants
            .iter()
            .filter(|g| g.policies == ["default"])
            .count()
    });
    assert!(n > 10, "{text}");
    assert_eq!(
        text.matches(&format!("+ {n} rules of `default`")).count(),
        1,
        "{text}"
    );
    // Once in the trailing list, not under either identity.
    assert_eq!(text.matches("  sys/wrapping/wrap ").count(), 1, "{text}");
    assert!(text.contains("\ndefault (built-in"), "{text}");
    // The trailing list is all of `default`'s rules, the one the first identity shares
    // with its own policy too (another identity has it from `default` alone).
    let listed = text.split("\ndefault (built-in").nth(1).unwrap_or_default();
    assert!(listed.contains("  cubbyhole/*"), "{text}");
    // The shared pattern stays with the identity, from both policies.
    assert!(text.contains("via p, default"), "{text}");
    // Without `default` on any identity, no list.
    let none = matrix(
        &program(
            r#"
        policy "p" {
          path "kv/data/x" { capabilities = [read] }
        }
        auth approle {
          role r {
            secret_id_num_uses = 1, secret_id_ttl = 1m, token_policies = [p]
            token_no_default_policy = true
          }
        }
        "#,
        ),
        target(),
    );
    let text = crate::render::matrix_text(&none);
    assert!(
        !text.contains("`default`") && !text.contains("\ndefault ("),
        "{text}"
    );
}
