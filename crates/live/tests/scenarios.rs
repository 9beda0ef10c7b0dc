//! The reference scenarios applied to a real OpenBao dev server, read back, planned clean,
//! drifted by hand and repaired.

// Helpers outside #[test] functions fail the test with their message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use keyplan::ir::{ResourceKind as K, Value};
use kp_live::client::Retry;
use kp_live::diff::Action;
use serde_json::json;

fn scenario1() -> keyplan::ir::Program {
    program(vec![
        resource(
            "sys/auth/jwt",
            K::AuthMount,
            vec![
                ("type", s("jwt")),
                ("description", s("JWT backend used for dynamic secrets")),
            ],
            &[],
        ),
        resource(
            "auth/jwt/role/example-role",
            K::Role,
            vec![
                ("role_type", s("jwt")),
                ("user_claim", s("sub")),
                ("bound_audiences", list(&["example-audience"])),
                ("token_policies", list(&["example-policy"])),
                ("token_ttl", Value::Int(3600)),
                ("token_max_ttl", Value::Int(14400)),
            ],
            &["sys/auth/jwt"],
        ),
    ])
}

#[test]
fn scenario_1_apply_read_back_plan_clean_drift_and_repair() {
    let Some(()) = live() else { return };
    let bao = Bao::dev();
    let program = scenario1();

    let first = plan(&bao, &program, None);
    assert!(first.resources.iter().all(|r| r.action == Action::Create));

    let report = apply(&bao, &program);
    assert_eq!(report.applied.len(), 2);

    let mounts = bao.data("sys/auth");
    assert_eq!(mounts["jwt/"]["type"], "jwt");
    assert_eq!(
        mounts["jwt/"]["description"],
        "JWT backend used for dynamic secrets"
    );
    let role = bao.data("auth/jwt/role/example-role");
    assert_eq!(role["role_type"], "jwt");
    assert_eq!(role["user_claim"], "sub");
    assert_eq!(role["bound_audiences"], json!(["example-audience"]));
    assert_eq!(role["token_policies"], json!(["example-policy"]));
    assert_eq!(role["token_ttl"], 3600);
    assert_eq!(role["token_max_ttl"], 14400);

    assert_clean(&bao, &program, None);
    // A second apply changes nothing.
    assert!(apply(&bao, &program).applied.is_empty());

    // Drift by hand, as an operator would.
    bao.client()
        .write(
            "auth/jwt/role/example-role",
            // role_type is reset when omitted (SCENARIOS.md), so the drift names it.
            &json!({"role_type": "jwt", "token_ttl": 7200, "bound_audiences": "example-audience,other"}),
            Retry::Idempotent,
        )
        .unwrap();
    let drift = plan(&bao, &program, None);
    let r = drift.get("auth/jwt/role/example-role").unwrap();
    assert_eq!(r.action, Action::Update);
    let fields: Vec<&str> = r.changes.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(fields, ["bound_audiences", "token_ttl"]);
    assert_eq!(r.changes[1].old, Some(json!(7200)));
    assert_eq!(r.changes[1].new, json!(3600));
    let text = kp_live::render::plan_text(&drift, &bao.addr);
    assert!(
        text.contains("~ auth/jwt/role/example-role (update)"),
        "{text}"
    );
    assert!(text.contains("token_ttl: 7200 -> 3600"), "{text}");

    let repair = apply(&bao, &program);
    assert_eq!(repair.applied.len(), 1);
    assert_eq!(bao.data("auth/jwt/role/example-role")["token_ttl"], 3600);
    assert_clean(&bao, &program, None);

    // Mount drift (description) is repaired through `tune`.
    bao.client()
        .write(
            "sys/auth/jwt/tune",
            &json!({"description": "changed"}),
            Retry::Idempotent,
        )
        .unwrap();
    assert_eq!(
        plan(&bao, &program, None)
            .get("sys/auth/jwt")
            .unwrap()
            .action,
        Action::Update
    );
    apply(&bao, &program);
    assert_clean(&bao, &program, None);
}

#[test]
fn undeclared_roles_are_shown_and_pruned_only_when_asked() {
    let Some(()) = live() else { return };
    let bao = Bao::dev();
    let program = scenario1();
    apply(&bao, &program);
    bao.client()
        .write(
            "auth/jwt/role/stray",
            &json!({"role_type": "jwt", "user_claim": "sub", "bound_audiences": "x"}),
            Retry::Idempotent,
        )
        .unwrap();
    let p = plan(&bao, &program, None);
    assert_eq!(p.unmanaged, ["auth/jwt/role/stray"]);
    assert!(!p.has_changes(), "undeclared resources are not changes");
    // Without --prune nothing is deleted.
    apply(&bao, &program);
    assert!(bao.client().read("auth/jwt/role/stray").unwrap().is_some());
    let report = apply_with(&bao, &program, None, true, &no_env);
    assert!(report.ok());
    assert_eq!(report.applied.len(), 1);
    assert_eq!(report.applied[0].action, "delete");
    assert!(bao.client().read("auth/jwt/role/stray").unwrap().is_none());
    assert!(plan(&bao, &program, None).unmanaged.is_empty());
}

fn scenario3() -> keyplan::ir::Program {
    program(vec![
        resource(
            "sys/mounts/ssh",
            K::SecretsMount,
            vec![
                ("type", s("ssh")),
                (
                    "description",
                    s("SSH secret backend to generate SSH credentials for AI training environment access"),
                ),
            ],
            &[],
        ),
        resource(
            "ssh/config/ca",
            K::Config,
            vec![("generate_signing_key", Value::Bool(true))],
            &["sys/mounts/ssh"],
        ),
        resource(
            "ssh/roles/training-environment",
            K::Role,
            vec![
                ("key_type", s("ca")),
                ("ttl", Value::Int(86400)),
                ("allow_user_certificates", Value::Bool(true)),
                (
                    "key_id_format",
                    s("vault-{{role_name}}-{{token_display_name}}-{{random_8_bytes_hex}}"),
                ),
                ("allowed_users", s("*")),
                ("allowed_critical_options", s("")),
                ("allowed_extensions", s("permit-pty")),
                ("default_extensions", Value::Map(Default::default())),
                ("allow_user_key_ids", Value::Bool(true)),
            ],
            &["sys/mounts/ssh", "ssh/config/ca"],
        ),
    ])
}

#[test]
fn scenario_3_ssh_ca_signs_a_real_key() {
    let Some(()) = live() else { return };
    let bao = Bao::dev();
    let program = scenario3();
    apply(&bao, &program);
    let role = bao.data("ssh/roles/training-environment");
    assert_eq!(role["key_type"], "ca");
    assert_eq!(role["ttl"], 86400);
    assert_eq!(role["allowed_users"], "*");
    assert_eq!(role["allowed_extensions"], "permit-pty");
    assert_eq!(role["allow_user_key_ids"], true);
    assert!(bao.data("ssh/config/ca")["public_key"]
        .as_str()
        .unwrap()
        .starts_with("ssh-"));
    assert_clean(&bao, &program, None);
    // Reapplying must not try to generate a second CA key.
    assert!(apply(&bao, &program).applied.is_empty());

    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("id_ed25519");
    run(std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&key));
    let public = std::fs::read_to_string(dir.path().join("id_ed25519.pub")).unwrap();
    let signed = bao
        .client()
        .write(
            "ssh/sign/training-environment",
            &json!({"public_key": public, "valid_principals": "trainer", "extensions": {"permit-pty": ""}}),
            Retry::Idempotent,
        )
        .unwrap();
    let cert = dir.path().join("id_ed25519-cert.pub");
    std::fs::write(&cert, signed["data"]["signed_key"].as_str().unwrap()).unwrap();
    let listing = run(std::process::Command::new("ssh-keygen")
        .arg("-L")
        .arg("-f")
        .arg(&cert));
    assert!(listing.contains("user certificate"), "{listing}");
    assert!(listing.contains("trainer"), "{listing}");
    assert!(listing.contains("permit-pty"), "{listing}");
    // OpenBao 2.7.2 fills `{{role_name}}` and `{{token_display_name}}` but leaves
    // `{{random_8_bytes_hex}}` as written.
    assert!(
        listing.contains("Key ID: \"vault-training-environment-token-"),
        "{listing}"
    );

    // ssh/roles/NAME is a whole-object write: drifting a field nobody declared shows
    // up as a reset, and the declared fields are compared as usual.
    bao.client()
        .write(
            "ssh/roles/training-environment",
            &json!({"key_type": "ca", "ttl": 60, "allowed_users": "root", "allow_user_certificates": true}),
            Retry::Idempotent,
        )
        .unwrap();
    let p = plan(&bao, &program, None);
    let r = p.get("ssh/roles/training-environment").unwrap();
    assert_eq!(r.action, Action::Update);
    assert!(r.changes.iter().any(|c| c.field == "allowed_users"));
    apply(&bao, &program);
    assert_clean(&bao, &program, None);
}

fn scenario4() -> keyplan::ir::Program {
    program(vec![
        resource(
            "sys/policies/acl/my-policy",
            K::Policy,
            vec![(
                "policy",
                s("path \"secret/data/ml/*\" {\n  capabilities = [\"read\"]\n}\n"),
            )],
            &[],
        ),
        resource(
            "auth/token/roles/ml-pipeline-role",
            K::Role,
            vec![
                ("allowed_policies", list(&["my-policy"])),
                ("renewable", Value::Bool(true)),
                ("token_period", Value::Int(3600)),
            ],
            &["sys/policies/acl/my-policy"],
        ),
        token(
            "ml-pipeline-token",
            "ml-pipeline-role",
            vec![
                ("policies", list(&["my-policy"])),
                ("renewable", Value::Bool(true)),
                ("ttl", Value::Int(3600)),
            ],
        ),
    ])
}

#[test]
fn scenario_4_token_role_and_token() {
    let Some(()) = live() else { return };
    let bao = Bao::dev();
    let program = scenario4();
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("tokens");

    // A token needs somewhere to go.
    let client = bao.client();
    let p = kp_live::cli::plan_program(&client, &program, None).unwrap();
    let opts = kp_live::apply::ApplyOptions {
        token_out: None,
        prune: false,
        env: &no_env,
    };
    let err = kp_live::apply::check_ready(&program, &p, &opts).unwrap_err();
    assert!(err.to_string().contains("--token-out"), "{err}");

    let report = apply_with(&bao, &program, Some(&dir), false, &no_env);
    assert!(report.ok(), "{report:?}");
    let role = bao.data("auth/token/roles/ml-pipeline-role");
    assert_eq!(role["allowed_policies"], json!(["my-policy"]));
    assert_eq!(role["renewable"], true);
    assert_eq!(role["token_period"], 3600);

    use std::os::unix::fs::PermissionsExt;
    let file = dir.join("ml-pipeline-token");
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let token = std::fs::read_to_string(&file).unwrap().trim().to_string();
    let looked = common::http_post(
        &bao.addr,
        &bao.token,
        "auth/token/lookup",
        &json!({"token": token}),
    );
    let data = &looked["data"];
    let mut policies: Vec<&str> = data["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    policies.sort_unstable();
    assert_eq!(policies, ["default", "my-policy"]);
    assert_eq!(data["renewable"], true);
    assert_eq!(data["role"], "ml-pipeline-role");
    let ttl = data["ttl"].as_i64().unwrap();
    assert!((3500..=3600).contains(&ttl), "ttl {ttl}");
    // Nothing printed holds the token.
    let text = kp_live::render::report_text(&report);
    assert!(!text.contains(&token));

    // plan recognises the token through its recorded accessor and stays clean.
    assert_clean(&bao, &program, Some(&dir));
    let again = apply_with(&bao, &program, Some(&dir), false, &no_env);
    assert!(again.applied.is_empty(), "{again:?}");
    assert_eq!(std::fs::read_to_string(&file).unwrap().trim(), token);

    // A revoked token is created again.
    common::http_post(
        &bao.addr,
        &bao.token,
        "auth/token/revoke",
        &json!({"token": token}),
    );
    let p = plan(&bao, &program, Some(&dir));
    assert_eq!(
        p.get("token/ml-pipeline-token").unwrap().action,
        Action::Create
    );
}

#[test]
fn a_changed_token_is_replaced_and_the_old_one_revoked() {
    let Some(()) = live() else { return };
    let bao = Bao::dev();
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("tokens");
    let program = scenario4();
    assert!(apply_with(&bao, &program, Some(&dir), false, &no_env).ok());
    let first = std::fs::read_to_string(dir.join("ml-pipeline-token")).unwrap();

    let mut changed = scenario4();
    let token = changed
        .resources
        .iter_mut()
        .find(|r| r.id == "token/ml-pipeline-token")
        .unwrap();
    // The role is periodic: the token's TTL is the period, so `ttl` is not compared.
    token.body.insert("ttl", Value::Int(1800));
    let p = plan(&bao, &changed, Some(&dir));
    let t = p.get("token/ml-pipeline-token").unwrap();
    assert_eq!(t.action, Action::Unchanged);
    assert_eq!(t.not_compared, ["ttl"]);

    let token = changed
        .resources
        .iter_mut()
        .find(|r| r.id == "token/ml-pipeline-token")
        .unwrap();
    token.body.insert(
        "meta",
        Value::Map([("owner".to_string(), s("ml"))].into_iter().collect()),
    );
    let p = plan(&bao, &changed, Some(&dir));
    let t = p.get("token/ml-pipeline-token").unwrap();
    assert_eq!(t.action, Action::Replace);
    assert_eq!(t.changes[0].field, "meta");
    let report = apply_with(&bao, &changed, Some(&dir), false, &no_env);
    assert!(report.ok(), "{report:?}");
    assert_eq!(report.applied[0].action, "replace");
    let second = std::fs::read_to_string(dir.join("ml-pipeline-token")).unwrap();
    assert_ne!(first, second);
    let old = common::http_post(
        &bao.addr,
        &bao.token,
        "auth/token/lookup",
        &json!({"token": first.trim()}),
    );
    assert!(old["data"].is_null(), "the old token still works: {old}");
    assert_clean(&bao, &changed, Some(&dir));
}

/// A plan of 1,000 resources applied is clean. Its speed is the benchmark's to measure
/// (`cargo bench -p kp-live --bench apply_1000`, about 0.15 s), not a timed test's: a
/// bound on a shared two-core machine fails on the machine's load, not on the code.
#[test]
fn plan_of_1000_resources_applied_is_clean() {
    let Some(()) = live() else { return };
    let bao = Bao::dev();
    let program = many_policies(1000);
    apply(&bao, &program);
    let p = plan(&bao, &program, None);
    assert!(!p.has_changes());
    assert_eq!(p.resources.len(), 1000);
}
