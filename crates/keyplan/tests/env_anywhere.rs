//! `env("NAME")` goes anywhere a value goes (list items, comma-separated fields, map
//! values, values that are no secret) and stays symbolic: every output shows `${NAME}`.
//! Not where keyplan needs the value when compiling (`tests/env-in-*.kp`).

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use keyplan::ir::{EnvRef, Value};
use keyplan::{compile, emit, Emit, Options, Target};

const PROGRAM: &str = r#"auth jwt {
  jwt_validation_pubkeys = [env("CI_JWT_PUBKEY")]
  bound_issuer           = env("CI_ISSUER")
}

workload deployer {
  login jwt {
    bound_audiences   = [env("CI_AUDIENCE"), "https://vault.example.com"]
    bound_claims      = { project_path = env("CI_PROJECT"), ref = "main" }
    token_bound_cidrs = [env("RUNNER_CIDR"), "10.0.0.0/8"]
    user_claim        = "sub"
    token_ttl         = env("CI_TOKEN_TTL")
  }
  read "secret/data/deploy/*"
}
"#;

fn env(name: &str) -> Value {
    Value::Env(EnvRef { env: name.into() })
}

#[test]
fn env_stays_symbolic_in_every_position() {
    let compiled = compile(
        PROGRAM,
        &Options {
            target: Target::Openbao,
        },
    );
    assert!(
        compiled.diagnostics.is_empty(),
        "{:#?}",
        compiled.diagnostics
    );
    let program = compiled.program.as_ref().unwrap();
    let role = program
        .resources
        .iter()
        .find(|r| r.id == "auth/jwt/role/deployer")
        .unwrap();
    assert_eq!(
        role.body.get("bound_audiences"),
        Some(&Value::List(vec![
            env("CI_AUDIENCE"),
            Value::Str("https://vault.example.com".into())
        ]))
    );
    // A comma-separated field with an item known only at apply time goes as a list.
    assert_eq!(
        role.body.get("token_bound_cidrs"),
        Some(&Value::List(vec![
            env("RUNNER_CIDR"),
            Value::Str("10.0.0.0/8".into())
        ]))
    );
    assert_eq!(role.body.get("token_ttl"), Some(&env("CI_TOKEN_TTL")));
    let mut text = String::new();
    for format in [Emit::Api, Emit::Sh] {
        for f in emit(&compiled, format).unwrap() {
            text.push_str(&format!("==> {} <==\n{}", f.name, f.contents));
        }
    }
    for name in [
        "CI_JWT_PUBKEY",
        "CI_ISSUER",
        "CI_AUDIENCE",
        "CI_PROJECT",
        "RUNNER_CIDR",
    ] {
        assert!(text.contains(&format!("${{{name}}}")), "{name}");
    }
    insta::assert_snapshot!("env-anywhere", text);
}
