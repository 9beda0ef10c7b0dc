//! Failures on real servers: a call rejected halfway, a server killed mid-apply, a sealed
//! server, an unreachable one. Each reports exactly what was applied, and a rerun converges.

// Helpers outside #[test] functions fail the test with their message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use common::*;
use keyplan::ir::ResourceKind as K;
use kp_live::diff::Action;
use kp_live::LiveError;

fn role(name: &str, role_type: Option<&str>, deps: &[&str]) -> keyplan::ir::Resource {
    let mut fields = vec![("user_claim", s("sub")), ("bound_audiences", list(&["a"]))];
    if let Some(t) = role_type {
        fields.push(("role_type", s(t)));
    }
    resource(&format!("auth/jwt/role/{name}"), K::Role, fields, deps)
}

fn program_with(bad_role_type: Option<&str>) -> keyplan::ir::Program {
    program(vec![
        resource("sys/auth/jwt", K::AuthMount, vec![("type", s("jwt"))], &[]),
        resource(
            "sys/policies/acl/p",
            K::Policy,
            vec![(
                "policy",
                s("path \"x/*\" {\n  capabilities = [\"read\"]\n}\n"),
            )],
            &[],
        ),
        role("good", Some("jwt"), &["sys/auth/jwt"]),
        // Without role_type the server rejects the role (SCENARIOS.md, scenario 1).
        role("bad", bad_role_type, &["sys/auth/jwt"]),
        role("after", Some("jwt"), &["sys/auth/jwt", "auth/jwt/role/bad"]),
    ])
}

#[test]
fn a_rejected_call_stops_apply_and_a_rerun_converges() {
    let Some(()) = live() else { return };
    let bao = Bao::dev();
    let broken = program_with(None);
    let report = apply_with(&bao, &broken, None, false, &no_env);
    assert!(!report.ok());
    let mut applied: Vec<&str> = report.applied.iter().map(|d| d.id.as_str()).collect();
    applied.sort_unstable();
    assert_eq!(
        applied,
        ["auth/jwt/role/good", "sys/auth/jwt", "sys/policies/acl/p"]
    );
    assert_eq!(report.failed.len(), 1);
    assert_eq!(report.failed[0].id, "auth/jwt/role/bad");
    assert!(
        report.failed[0].error.contains("allowed_redirect_uris"),
        "{:?}",
        report.failed
    );
    assert_eq!(report.not_applied, ["auth/jwt/role/after"]);
    let text = kp_live::render::report_text(&report);
    assert!(text.contains("FAILED auth/jwt/role/bad"), "{text}");
    assert!(text.contains("not applied auth/jwt/role/after"), "{text}");

    let fixed = program_with(Some("jwt"));
    let p = plan(&bao, &fixed, None);
    let pending: Vec<&str> = p
        .resources
        .iter()
        .filter(|r| r.action != Action::Unchanged)
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(pending, ["auth/jwt/role/bad", "auth/jwt/role/after"]);
    let rerun = apply(&bao, &fixed);
    assert_eq!(rerun.applied.len(), 2);
    assert_clean(&bao, &fixed, None);
}

/// A refused call lets the calls of its level finish whatever the order and the number of
/// workers: with one worker and the refused role first, the role beside it is still
/// written (it was left out when a refusal stopped new calls at once, so what a failed
/// apply wrote depended on which call came back first).
#[test]
fn a_refused_call_lets_its_level_finish_with_one_worker() {
    let Some(()) = live() else { return };
    let bao = Bao::dev();
    let mut broken = program_with(None);
    let bad = broken
        .resources
        .iter()
        .position(|r| r.id.as_str() == "auth/jwt/role/bad")
        .unwrap();
    let moved = broken.resources.remove(bad);
    broken.resources.insert(0, moved);
    let overrides = kp_live::config::Overrides {
        concurrency: Some(1),
        ..Default::default()
    };
    let (addr, token) = (bao.addr.clone(), bao.token.clone());
    let conn = kp_live::config::Connection::resolve(&overrides, move |k| match k {
        "VAULT_ADDR" => Some(addr.clone()),
        "VAULT_TOKEN" => Some(token.clone()),
        _ => None,
    })
    .unwrap();
    assert_eq!(conn.concurrency, 1);
    let client = kp_live::client::Client::new(conn).unwrap();
    let plan = kp_live::cli::plan_program(&client, &broken, None).unwrap();
    let opts = kp_live::apply::ApplyOptions {
        token_out: None,
        prune: false,
        env: &no_env,
    };
    let report = kp_live::apply::apply(&client, &broken, &plan, &opts);
    let mut applied: Vec<&str> = report.applied.iter().map(|d| d.id.as_str()).collect();
    applied.sort_unstable();
    assert_eq!(
        applied,
        ["auth/jwt/role/good", "sys/auth/jwt", "sys/policies/acl/p"],
        "{report:?}"
    );
    assert_eq!(report.failed.len(), 1, "{report:?}");
    assert_eq!(report.not_applied, ["auth/jwt/role/after"]);
}

#[test]
fn a_server_killed_mid_apply_then_restarted_sealed_converges() {
    let Some(()) = live() else { return };
    let mut bao = Bao::persistent();
    let n = 600;
    let program = many_policies(n);
    let client = bao.client();
    let plan0 = kp_live::cli::plan_program(&client, &program, None).unwrap();
    let report = std::thread::scope(|scope| {
        let applying = scope.spawn(|| {
            let opts = kp_live::apply::ApplyOptions {
                token_out: None,
                prune: false,
                env: &no_env,
            };
            kp_live::apply::apply(&client, &program, &plan0, &opts)
        });
        // Kill the server once some policies exist.
        let watcher = bao.client();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(30) {
            let written = watcher
                .list("sys/policies/acl")
                .map(|k| k.len())
                .unwrap_or(0);
            if written >= 30 {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        bao.kill();
        applying.join().unwrap()
    });
    assert!(!report.ok(), "the apply cannot have succeeded");
    assert!(!report.applied.is_empty());
    assert_eq!(
        report.applied.len() + report.failed.len() + report.not_applied.len(),
        n,
        "every change is accounted for"
    );
    assert!(
        report.failed[0].error.contains("127.0.0.1"),
        "{:?}",
        report.failed[0]
    );

    // The restarted server is sealed: a clear error, not a plan.
    bao.restart();
    let err = kp_live::cli::plan_program(&bao.client(), &program, None).unwrap_err();
    assert!(matches!(err, LiveError::Sealed { .. }), "{err}");
    assert!(err.to_string().contains("sealed"));

    bao.unseal();
    let p = plan(&bao, &program, None);
    let pending = p
        .resources
        .iter()
        .filter(|r| r.action == Action::Create)
        .count();
    assert!(pending <= report.failed.len() + report.not_applied.len());
    assert!(pending >= report.not_applied.len());
    let rerun = apply(&bao, &program);
    assert_eq!(rerun.applied.len(), pending);
    assert_clean(&bao, &program, None);
}

#[test]
fn a_sealed_or_unreachable_server_is_a_clear_error() {
    let Some(()) = live() else { return };
    let bao = Bao::dev();
    let program = many_policies(3);
    apply(&bao, &program);
    bao.seal();
    let err = kp_live::cli::plan_program(&bao.client(), &program, None).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "the server at `{}` is sealed: unseal it and retry",
            bao.addr
        )
    );

    // Nothing listens on a fresh port: unreachable, after bounded retries.
    let port = free_port();
    let conn = kp_live::config::Connection::resolve(&Default::default(), |k| match k {
        "VAULT_ADDR" => Some(format!("http://127.0.0.1:{port}")),
        "VAULT_TOKEN" => Some("root".into()),
        _ => None,
    })
    .unwrap();
    let start = Instant::now();
    let err =
        kp_live::cli::plan_program(&kp_live::client::Client::new(conn).unwrap(), &program, None)
            .unwrap_err();
    assert!(matches!(err, LiveError::Unreachable { .. }), "{err}");
    assert!(start.elapsed() < Duration::from_secs(10));

    // A wrong token is refused with the server's word.
    let bao2 = Bao::dev();
    let conn = kp_live::config::Connection::resolve(&Default::default(), |k| match k {
        "VAULT_ADDR" => Some(bao2.addr.clone()),
        "VAULT_TOKEN" => Some("wrong".into()),
        _ => None,
    })
    .unwrap();
    let err =
        kp_live::cli::plan_program(&kp_live::client::Client::new(conn).unwrap(), &program, None)
            .unwrap_err();
    assert!(matches!(err, LiveError::Forbidden { .. }), "{err}");
}

/// A config the server checks by reaching out when it is written (a JWKS URL, a database
/// connection) fails with the server's words alone; apply adds what to change, in text
/// and JSON (`help`).
#[test]
fn a_setting_the_server_checks_when_written_gets_help() {
    let Some(()) = live() else { return };
    let bao = Bao::dev();
    let closed = free_port();
    let cases = [
        (
            format!("auth jwt ci {{\n  jwks_url = \"http://127.0.0.1:{closed}/keys\"\n}}\n"),
            "auth/ci/config",
            "skip_jwks_validation = true",
        ),
        (
            format!(
                "secrets database {{\n  connection app {{\n    plugin_name = \"postgresql-database-plugin\"\n    \
                 connection_url = \"postgresql://{{{{username}}}}:{{{{password}}}}@127.0.0.1:{closed}/x\"\n    \
                 username = \"a\"\n    password = env(\"DB_PW\")\n    allowed_roles = [\"*\"]\n    \
                 rotate_root = false\n  }}\n}}\n"
            ),
            "database/config/app",
            "verify_connection = false",
        ),
    ];
    for (src, id, hint) in cases {
        let program = compile_program(&src, kp_schema::Target::Openbao).unwrap();
        let env = |name: &str| (name == "DB_PW").then(|| "pw-never-shown".to_string());
        let report = apply_with(&bao, &program, None, false, &env);
        let failed = report.failed.iter().find(|f| f.id == id).expect(id);
        let help = failed
            .help
            .unwrap_or_else(|| panic!("no help for {failed:?}"));
        assert!(help.contains(hint), "{help}");
        let text = kp_live::render::report_text(&report);
        assert!(text.contains(&format!("    help: {help}")), "{text}");
        assert!(!text.contains("pw-never-shown"), "{text}");
        assert!(kp_live::render::report_json(&report).contains("\"help\""));
    }
}

/// A write the server accepts with a warning (a role's `token_max_ttl` over its mount's
/// `max_lease_ttl`, capped at every login) is applied, and the warning is reported under
/// its call, in text and JSON: apply dropped the server's answer, so nothing said so.
#[test]
fn a_warning_in_the_servers_answer_is_reported() {
    let Some(()) = live() else { return };
    let bao = Bao::dev();
    let program = program(vec![
        resource(
            "sys/auth/approle",
            K::AuthMount,
            vec![
                ("type", s("approle")),
                (
                    "config",
                    keyplan::ir::Value::Map(body(vec![(
                        "max_lease_ttl",
                        keyplan::ir::Value::Int(3600),
                    )])),
                ),
            ],
            &[],
        ),
        resource(
            "auth/approle/role/capped",
            K::Role,
            vec![("token_max_ttl", keyplan::ir::Value::Int(7200))],
            &["sys/auth/approle"],
        ),
    ]);
    let report = apply(&bao, &program);
    let warned: Vec<(&str, &str)> = report
        .warnings
        .iter()
        .map(|w| (w.id.as_str(), w.warning.as_str()))
        .collect();
    assert!(
        matches!(warned[..], [("auth/approle/role/capped", w)] if w.contains("token_max_ttl")),
        "{warned:?}"
    );
    let text = kp_live::render::report_text(&report);
    assert!(
        text.contains(
            "  created auth/approle/role/capped\n    warning from the server: token_max_ttl"
        ),
        "{text}"
    );
    assert!(kp_live::render::report_json(&report).contains("\"warnings\""));
}
