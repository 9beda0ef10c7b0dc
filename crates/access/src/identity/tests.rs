use super::*;
use crate::testutil::{example, program, program_despite};

#[test]
fn pipeline_workloads_are_identities_with_their_policies() {
    let ids = identities(&example("pipeline.kp"));
    let names: Vec<_> = ids.iter().map(|i| (i.id.as_str(), i.kind)).collect();
    assert_eq!(
        names,
        [
            ("trainer", IdentityKind::Workload),
            ("feature-builder", IdentityKind::Workload),
            ("evaluator", IdentityKind::Workload),
            ("publisher", IdentityKind::Workload),
        ]
    );
    let publisher = &ids[3];
    assert_eq!(
        publisher.policies,
        ["platform-audit", "publisher", "default"]
    );
    assert_eq!(publisher.mount.as_deref(), Some("gitlab"));
    assert_eq!(
        publisher.role.as_deref(),
        Some("auth/gitlab/role/model-publisher")
    );
    let jwt = publisher.login.jwt.as_ref().map(|j| {
        (
            j.role_type.as_str(),
            j.bound_audiences.clone(),
            j.bound_claims.get("ref_protected").cloned(),
            j.bound_issuer.as_deref(),
        )
    });
    assert_eq!(
        jwt,
        Some((
            "jwt",
            vec!["https://vault.example.com".to_string()],
            Some(vec![serde_json::json!("true")]),
            Some("https://gitlab.example.com"),
        ))
    );
    assert_eq!(
        publisher
            .login
            .fields
            .get("token_ttl")
            .map(FieldValue::json),
        Some(serde_json::json!(600))
    );
    assert!(!publisher.login.fields.contains_key("token_policies"));
}

#[test]
fn token_roles_and_tokens() {
    let ids = identities(&example("04-token-roles.kp"));
    let got: Vec<_> = ids
        .iter()
        .map(|i| (i.id.as_str(), i.kind, i.policies.clone()))
        .collect();
    assert_eq!(
        got,
        [
            (
                "token/ml-pipeline-role",
                IdentityKind::TokenRole,
                vec!["my-policy".to_string(), "default".to_string()]
            ),
            (
                "token:ml-pipeline-token",
                IdentityKind::Token,
                vec!["my-policy".to_string(), "default".to_string()]
            ),
        ]
    );
}

#[test]
fn no_default_policy_and_root_and_other_auth_methods() {
    // `root` is an error to write (`kp::root-policy`), but a server may hold it.
    let p = program_despite(
        r#"
        policy p {
          path "a/*" { capabilities = [read] }
        }
        auth jwt {
          jwks_url = "https://example.com/keys"
          role r {
            role_type               = "jwt"
            bound_subject           = "x"
            user_claim              = "sub"
            token_policies          = [p]
            token_no_default_policy = true
          }
          role o {
            role_type             = "oidc"
            allowed_redirect_uris = ["https://example.com/cb"]
            bound_audiences       = ["x"]
            user_claim            = "sub"
            token_policies        = [root]
          }
        }
        auth approle {
          role build {
            token_policies        = [p]
            secret_id_bound_cidrs = ["10.0.0.0/8"]
          }
        }
        auth kubernetes k8s {
          kubernetes_host = "https://k8s.example.com"
          role app {
            bound_service_account_names      = ["app"]
            bound_service_account_namespaces = ["prod"]
            token_policies                   = [p]
          }
        }
        "#,
        &["kp::root-policy"],
    );
    let ids = identities(&p);
    let got: Vec<_> = ids
        .iter()
        .map(|i| (i.id.as_str(), i.kind, i.policies.join(",")))
        .collect();
    assert_eq!(
        got,
        [
            ("jwt/r", IdentityKind::JwtRole, "p".to_string()),
            ("jwt/o", IdentityKind::OidcRole, "root".to_string()),
            (
                "approle/build",
                IdentityKind::ApproleRole,
                "p,default".to_string()
            ),
            (
                "k8s/app",
                IdentityKind::KubernetesRole,
                "p,default".to_string()
            ),
        ]
    );
    assert_eq!(
        ids[0]
            .login
            .jwt
            .as_ref()
            .and_then(|j| j.bound_subject.as_deref()),
        Some("x")
    );
    assert!(ids[2].login.fields.contains_key("secret_id_bound_cidrs"));
}

#[test]
fn a_token_role_without_default_policy_leaves_default_out_of_its_tokens() {
    // OpenBao 2.7.2: `bao token create -role=tr -policy=a` holds `[a]` when the role sets
    // `token_no_default_policy = true`, and `[a default]` when it does not.
    let p = program(
        r#"
        policy a {
          path "secret/*" { capabilities = [read] }
        }
        auth token {
          role tr {
            allowed_policies        = [a]
            orphan                  = true
            token_no_default_policy = true
          }
          role plain {
            allowed_policies = [a]
            orphan           = true
          }
        }
        token t1 {
          role     = tr
          policies = [a]
        }
        token t2 {
          role = tr
        }
        token t3 {
          role     = plain
          policies = [a]
        }
        "#,
    );
    let ids = identities(&p);
    let got: Vec<_> = ids
        .iter()
        .map(|i| (i.id.as_str(), i.policies.join(",")))
        .collect();
    assert_eq!(
        got,
        [
            ("token/tr", "a".to_string()),
            ("token/plain", "a,default".to_string()),
            ("token:t1", "a".to_string()),
            ("token:t2", "a".to_string()),
            ("token:t3", "a,default".to_string()),
        ]
    );
}

#[test]
fn a_token_role_disallowing_default_leaves_it_out_of_its_tokens() {
    // `handleCreateCommon`: a role with allowed or disallowed policies adds `default`
    // only if neither `disallowed_policies` nor a `disallowed_policies_glob` names it.
    let p = program(
        r#"
        policy a {
          path "secret/*" { capabilities = [read] }
        }
        auth token {
          role byname {
            allowed_policies    = [a]
            disallowed_policies = [default]
          }
          role byglob {
            allowed_policies         = [a]
            disallowed_policies_glob = ["def*"]
          }
        }
        token t1 {
          role = byname
        }
        token t2 {
          role     = byglob
          policies = [a]
        }
        "#,
    );
    let ids = identities(&p);
    let got: Vec<_> = ids
        .iter()
        .map(|i| (i.id.as_str(), i.policies.join(",")))
        .collect();
    assert_eq!(
        got,
        [
            ("token/byname", "a".to_string()),
            ("token/byglob", "a".to_string()),
            ("token:t1", "a".to_string()),
            ("token:t2", "a".to_string()),
        ]
    );
}

#[test]
fn a_login_role_with_the_deprecated_policies_field_logs_in_with_them() {
    // `tokenutil.UpgradeValue`: `policies` is the role's `token_policies` unless those
    // are given too, in which case only `token_policies` counts. keyplan refuses to
    // write both (`kp::deprecated-field`), but a server may hold such a role (imported).
    let p = program_despite(
        r#"
        policy a {
          path "secret/*" { capabilities = [read] }
        }
        policy b {
          path "other/*" { capabilities = [read] }
        }
        auth approle {
          role old {
            policies = [a]
          }
          role both {
            policies       = [a]
            token_policies = [b]
          }
        }
        auth userpass {
          user u {
            password = env("U_PASSWORD")
            policies = [b]
          }
        }
        "#,
        &["kp::deprecated-field"],
    );
    let ids = identities(&p);
    let got: Vec<_> = ids
        .iter()
        .map(|i| (i.id.as_str(), i.policies.join(",")))
        .collect();
    assert_eq!(
        got,
        [
            ("approle/old", "a,default".to_string()),
            ("approle/both", "b,default".to_string()),
            ("userpass/u", "b,default".to_string()),
        ]
    );
}

#[test]
fn a_token_without_policies_of_a_role_allowing_any_inherits_its_creators() {
    // Measured on OpenBao 2.7.2: created by `keyplan apply` with the root token, `t`
    // holds `root`; the rules are those of whatever token applies the program, so the
    // identity says so instead of claiming `default` alone.
    let p = program(
        r#"
        policy a {
          path "secret/*" { capabilities = [read] }
        }
        auth token {
          role open {}
        }
        token t {
          role = open
        }
        token u {
          role     = open
          policies = [a]
        }
        "#,
    );
    let ids = identities(&p);
    let got: Vec<_> = ids
        .iter()
        .filter(|i| i.kind == IdentityKind::Token)
        .map(|i| (i.id.as_str(), i.policies.join(",")))
        .collect();
    assert_eq!(
        got,
        [
            ("token:t", INHERITED.to_string()),
            ("token:u", "a,default".to_string()),
        ]
    );
}
