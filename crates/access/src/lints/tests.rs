use super::*;
use crate::testutil::{example, program};

fn codes(src: &str) -> Vec<(&'static str, String)> {
    lints(&program(src))
        .into_iter()
        .map(|d| (d.code, d.message))
        .collect()
}

#[test]
fn audience_alone_and_glob_star() {
    let got = codes(
        r#"
        auth jwt {
          jwks_url = "https://x.example.com/keys"
          role aud {
            user_claim      = "sub"
            bound_audiences = ["vault"]
          }
          role star {
            user_claim        = "sub"
            bound_audiences   = ["other"]
            bound_claims_type = "glob"
            bound_claims      = { project = "*" }
          }
        }
        "#,
    );
    let found: Vec<_> = got.iter().map(|(c, _)| *c).collect();
    // A token with both audiences and any `project` logs in to both.
    assert_eq!(
        found,
        [JWT_AUDIENCE_ONLY, GLOB_MATCHES_ANYTHING, OVERLAPPING_ROLES],
        "{got:#?}"
    );
}

#[test]
fn overlapping_roles_on_one_mount() {
    let got = lints(&example("pipeline.kp"));
    let overlaps: Vec<_> = got
        .iter()
        .filter(|d| d.code == OVERLAPPING_ROLES)
        .map(|d| (d.message.clone(), d.help.clone().unwrap_or_default()))
        .collect();
    assert_eq!(
        overlaps,
        [(
            "one token can log in to both `trainer` and `publisher` on mount `gitlab`".to_string(),
            "e.g. a token with aud=https://vault.example.com, project_path=ml/trainer, ref=main, ref_protected=true, ref_type=branch; bind a claim the two roles give different values".to_string()
        )]
    );
}

#[test]
fn different_values_of_one_claim_do_not_overlap() {
    let got = codes(
        r#"
        auth jwt {
          jwks_url = "https://x.example.com/keys"
          role a {
            user_claim      = "sub"
            bound_audiences = ["v"]
            bound_claims    = { project = "a" }
          }
          role b {
            user_claim        = "sub"
            bound_audiences   = ["v"]
            bound_claims_type = "glob"
            bound_claims      = { project = "b-*" }
          }
          role c {
            user_claim        = "sub"
            bound_audiences   = ["v"]
            bound_claims_type = "glob"
            bound_claims      = { project = "*-x" }
          }
        }
        "#,
    );
    assert_eq!(
        got,
        [(
            OVERLAPPING_ROLES,
            "one token can log in to both `jwt/b` and `jwt/c` on mount `jwt`".to_string()
        )]
    );
}

#[test]
fn sudo_sys_unused_and_idle_deny() {
    let got = codes(
        r#"
        policy ops {
          path "sys/mounts/*" { capabilities = [read] }
          path "auth/token/create" { capabilities = [update, sudo] }
          path "secret/data/*" { capabilities = [read] }
          path "secret/data/keep/*" { capabilities = [deny] }
          path "other/*" { capabilities = [deny] }
        }
        policy orphaned {
          path "x/*" { capabilities = [read] }
        }
        auth approle {
          role ops { token_policies = [ops] }
        }
        "#,
    );
    let found: Vec<_> = got.iter().map(|(c, m)| format!("{c}: {m}")).collect();
    assert_eq!(
        found,
        [
            "kp::privileged-grant: policy `ops` grants read on `sys/mounts/*`, which reaches `sys/`",
            "kp::privileged-grant: policy `ops` grants `sudo` on `auth/token/create`",
            "kp::deny-overrides-nothing: `deny` on `other/*` in policy `ops` overrides nothing: no policy of `approle/ops` grants a path it matches",
            "kp::unused-policy: policy `orphaned` is attached to no role, token or workload",
        ]
    );
}

#[test]
fn examples_findings() {
    let got: Vec<_> = [
        "01-jwt-dynamic-secrets.kp",
        "04-token-roles.kp",
        "pipeline.kp",
    ]
    .iter()
    .map(|e| {
        lints(&example(e))
            .iter()
            .map(|d| d.code)
            .collect::<Vec<_>>()
    })
    .collect();
    assert_eq!(
        got,
        [vec![JWT_AUDIENCE_ONLY], vec![], vec![OVERLAPPING_ROLES]]
    );
}
