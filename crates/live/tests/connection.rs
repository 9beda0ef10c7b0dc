//! TLS with a custom CA (`VAULT_CACERT`), `VAULT_SKIP_VERIFY`, and an untrusted server.

// Helpers outside #[test] functions fail the test with their message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use common::*;
use kp_live::client::Client;
use kp_live::LiveError;

#[test]
fn tls_with_a_custom_ca_or_skip_verify_and_untrusted_is_an_error() {
    let Some(()) = live() else { return };
    let (bao, ca) = Bao::dev_tls();
    let trusted =
        Client::new(bao.connection_with(&[("VAULT_CACERT", ca.display().to_string())])).unwrap();
    trusted.preflight().unwrap();
    assert!(trusted.read("sys/mounts").unwrap().is_some());

    let skip = Client::new(bao.connection_with(&[("VAULT_SKIP_VERIFY", "true".into())])).unwrap();
    skip.preflight().unwrap();

    let start = Instant::now();
    let untrusted = Client::new(bao.connection_with(&[])).unwrap();
    let err = untrusted.preflight().unwrap_err();
    assert!(matches!(err, LiveError::Unreachable { .. }), "{err}");
    // Not retried: a certificate does not become trusted by waiting.
    assert!(
        start.elapsed() < Duration::from_millis(500),
        "{:?}",
        start.elapsed()
    );
    let text = err.to_string();
    assert!(
        text.contains("certificate") || text.contains("UnknownIssuer"),
        "{text}"
    );

    let bad_ca = Client::new(bao.connection_with(&[("VAULT_CACERT", "/nonexistent.pem".into())]));
    assert!(matches!(bad_ca, Err(LiveError::CaCert { .. })));
}

#[test]
fn a_namespace_scopes_every_call() {
    let Some(()) = live() else { return };
    let bao = Bao::dev();
    let root = bao.client();
    root.write(
        "sys/namespaces/team",
        &serde_json::json!({}),
        kp_live::client::Retry::Idempotent,
    )
    .unwrap();
    let program = program(vec![resource(
        "sys/policies/acl/team-policy",
        keyplan::ir::ResourceKind::Policy,
        vec![(
            "policy",
            s("path \"team/*\" {\n  capabilities = [\"read\"]\n}\n"),
        )],
        &[],
    )]);
    let in_team = Client::new(bao.connection_with(&[("VAULT_NAMESPACE", "team".into())])).unwrap();
    let plan = kp_live::cli::plan_program(&in_team, &program, None).unwrap();
    let opts = kp_live::apply::ApplyOptions {
        token_out: None,
        prune: false,
        env: &no_env,
    };
    assert!(kp_live::apply::apply(&in_team, &program, &plan, &opts).ok());
    assert!(in_team
        .read("sys/policies/acl/team-policy")
        .unwrap()
        .is_some());
    assert!(root.read("sys/policies/acl/team-policy").unwrap().is_none());
    assert!(!kp_live::cli::plan_program(&in_team, &program, None)
        .unwrap()
        .has_changes());
}
