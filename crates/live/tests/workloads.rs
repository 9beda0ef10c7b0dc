//! A workload program on a JWT mount whose key the test generated: real logins, and
//! `sys/capabilities-self` shows each workload can do what it declares and nothing else.

// Helpers outside #[test] functions fail the test with their message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use keyplan::ir::{ResourceKind as K, Value};
use serde_json::json;

fn policy(name: &str, rules: &[(&str, &[&str])]) -> keyplan::ir::Resource {
    let hcl: String = rules
        .iter()
        .map(|(path, caps)| {
            let caps: Vec<String> = caps.iter().map(|c| format!("\"{c}\"")).collect();
            format!(
                "path \"{path}\" {{\n  capabilities = [{}]\n}}\n",
                caps.join(", ")
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    resource(
        &format!("sys/policies/acl/{name}"),
        K::Policy,
        vec![("policy", Value::Str(hcl))],
        &[],
    )
}

fn login_role(name: &str, claims: &[(&str, &str)]) -> keyplan::ir::Resource {
    resource(
        &format!("auth/jwt/role/{name}"),
        K::Role,
        vec![
            ("role_type", s("jwt")),
            ("user_claim", s("sub")),
            ("bound_audiences", list(&["https://vault.example.com"])),
            (
                "bound_claims",
                Value::Map(
                    claims
                        .iter()
                        .map(|(k, v)| (k.to_string(), s(v)))
                        .collect::<keyplan::ir::Body>(),
                ),
            ),
            ("token_policies", list(&[name])),
            ("token_ttl", Value::Int(900)),
        ],
        &[
            "sys/auth/jwt",
            "auth/jwt/config",
            &format!("sys/policies/acl/{name}"),
        ],
    )
}

fn workload_program(jwks_url: &str) -> keyplan::ir::Program {
    program(vec![
        resource("sys/auth/jwt", K::AuthMount, vec![("type", s("jwt"))], &[]),
        resource(
            "auth/jwt/config",
            K::Config,
            vec![
                ("bound_issuer", s("keyplan-test")),
                ("jwks_url", s(jwks_url)),
                ("jwt_supported_algs", list(&["RS256"])),
            ],
            &["sys/auth/jwt"],
        ),
        policy(
            "trainer",
            &[
                ("secret/data/models/*", &["read"]),
                ("secret/metadata/models/*", &["list"]),
                ("ssh/sign/training-environment", &["update"]),
                ("database/creds/readonly", &["read"]),
            ],
        ),
        login_role(
            "trainer",
            &[("project_path", "ml/trainer"), ("ref", "refs/heads/main")],
        ),
        policy("deployer", &[("aws/creds/deploy", &["read"])]),
        login_role("deployer", &[("project_path", "ml/deployer")]),
    ])
}

#[test]
fn workloads_log_in_and_can_do_exactly_what_they_declare() {
    let Some(()) = live() else { return };
    let jwks = Jwks::start();
    let bao = Bao::dev();
    let program = workload_program(&jwks.url);
    apply(&bao, &program);
    assert_clean(&bao, &program, None);
    assert_eq!(bao.data("auth/jwt/config")["jwks_url"], jwks.url.as_str());

    let claims = |project: &str| {
        json!({"iss": "keyplan-test", "aud": "https://vault.example.com", "sub": "ci",
               "project_path": project, "ref": "refs/heads/main"})
    };
    let trainer = bao
        .jwt_login("jwt", "trainer", &jwks.mint(claims("ml/trainer")))
        .unwrap();
    let paths = [
        "secret/data/models/bert",
        "secret/metadata/models/bert",
        "ssh/sign/training-environment",
        "database/creds/readonly",
        "aws/creds/deploy",
        "secret/data/other",
        "sys/policies/acl/trainer",
    ];
    let caps = bao.capabilities(&trainer, &paths);
    let expect = |p: &str| caps[p].join(",");
    assert_eq!(expect("secret/data/models/bert"), "read");
    assert_eq!(expect("secret/metadata/models/bert"), "list");
    assert_eq!(expect("ssh/sign/training-environment"), "update");
    assert_eq!(expect("database/creds/readonly"), "read");
    assert_eq!(expect("aws/creds/deploy"), "deny");
    assert_eq!(expect("secret/data/other"), "deny");
    assert_eq!(expect("sys/policies/acl/trainer"), "deny");

    let deployer = bao
        .jwt_login("jwt", "deployer", &jwks.mint(claims("ml/deployer")))
        .unwrap();
    let caps = bao.capabilities(&deployer, &paths);
    assert_eq!(caps["aws/creds/deploy"], ["read"]);
    assert_eq!(caps["secret/data/models/bert"], ["deny"]);

    // Claims that do not match the role's bound claims are refused.
    let refused = bao
        .jwt_login("jwt", "trainer", &jwks.mint(claims("ml/deployer")))
        .unwrap_err();
    assert!(refused.to_string().contains("claim"), "{refused}");
    // A policy edited by hand shows as a line diff, and apply restores it.
    bao.client()
        .write(
            "sys/policies/acl/deployer",
            &json!({"policy": "path \"aws/creds/deploy\" {\n  capabilities = [\"read\", \"update\"]\n}\n"}),
            kp_live::client::Retry::Idempotent,
        )
        .unwrap();
    let text = kp_live::render::plan_text(&plan(&bao, &program, None), &bao.addr);
    assert!(
        text.contains("~ sys/policies/acl/deployer (update)"),
        "{text}"
    );
    assert!(
        text.contains("      -   capabilities = [\"read\", \"update\"]"),
        "{text}"
    );
    assert!(
        text.contains("      +   capabilities = [\"read\"]"),
        "{text}"
    );
    apply(&bao, &program);
    assert_clean(&bao, &program, None);

    // So is a token for another audience.
    let mut other = claims("ml/trainer");
    other["aud"] = json!("https://elsewhere");
    assert!(bao.jwt_login("jwt", "trainer", &jwks.mint(other)).is_err());
}
