//! The built-in `default` policy is the stock one of the target's product: HashiCorp
//! Vault's grants `update` on `sys/renew` and `sys/control-group/request`, OpenBao's does
//! not (`kp_acl::default_policy_rules`). Every surface answers alike: `explain` (CLI,
//! playground) and the access matrix (`keyplan access`, the playground's `access`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use keyplan::explain::{explain, ExplainOptions};
use keyplan::json_api;
use keyplan::{compile, Options, Target};
use serde_json::Value;

const PROGRAM: &str = r#"
auth jwt ci {
  jwks_url = "https://127.0.0.1:8200/jwks.json"
}

workload trainer {
  login ci {
    bound_audiences = ["https://vault.example.com"]
    user_claim      = "sub"
  }
  read "secret/data/models/*"
}
"#;

const VAULT_ONLY: [&str; 2] = ["sys/renew", "sys/control-group/request"];

/// What the target's stock `default` answers on the Vault-only paths.
fn expected(target: Target) -> [&'static str; 1] {
    match target {
        Target::Vault => ["update"],
        Target::Openbao => ["deny"],
    }
}

#[test]
fn explain_follows_the_targets_default_policy() {
    for target in Target::ALL {
        let compiled = compile(PROGRAM, &Options { target });
        let program = compiled.program.as_ref().expect("compiles");
        let mut paths: Vec<String> = VAULT_ONLY.iter().map(|p| p.to_string()).collect();
        paths.push("sys/leases/renew".into());
        let e = explain(program, &paths, &ExplainOptions::default(), target).expect("explains");
        let trainer = |i: usize| {
            e.paths[i]
                .identities
                .iter()
                .find(|a| a.identity == "trainer")
                .expect("the workload is an identity")
        };
        for (i, path) in VAULT_ONLY.iter().enumerate() {
            let a = trainer(i);
            assert!(a.policies.iter().any(|p| p == "default"), "{a:?}");
            assert_eq!(a.capabilities, expected(target), "{target} {path}");
            if target == Target::Vault {
                let by = a.decided_by.as_ref().expect("decided");
                assert_eq!(
                    (by.policy.as_str(), by.pattern.as_str()),
                    ("default", *path)
                );
            }
        }
        // Both products grant the rules they share.
        assert_eq!(trainer(2).capabilities, ["update"], "{target}");
    }
}

#[test]
fn the_playgrounds_explain_and_access_agree_with_the_core() {
    for target in Target::ALL {
        let request = serde_json::json!({ "paths": VAULT_ONLY, "as": "trainer" }).to_string();
        let v: Value =
            serde_json::from_str(&json_api::explain_json(PROGRAM, target.keyword(), &request))
                .unwrap();
        assert_eq!(v["ok"], true, "{v}");
        for i in 0..VAULT_ONLY.len() {
            assert_eq!(
                v["paths"][i]["identities"][0]["capabilities"],
                serde_json::json!(expected(target)),
                "{target}: {v}"
            );
        }
        // The matrix lists `default` by its stock rules, never as external, on every
        // surface: `keyplan access` and the playground share `keyplan::access_matrix`.
        let v: Value =
            serde_json::from_str(&json_api::access_json(PROGRAM, target.keyword())).unwrap();
        assert_eq!(v["ok"], true, "{v}");
        let row = v["access"]["identities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == "trainer")
            .expect("trainer's row");
        assert_eq!(row["external"], serde_json::json!([]), "{row}");
        let compiled = compile(PROGRAM, &Options { target });
        let matrix = keyplan::access_matrix(&compiled).expect("compiles");
        let core = matrix
            .identities
            .iter()
            .find(|i| i.identity.id == "trainer")
            .expect("trainer");
        for path in VAULT_ONLY {
            let grant = core.grants.iter().find(|g| g.pattern == path);
            match target {
                Target::Vault => {
                    let grant = grant.expect("Vault's default grants it");
                    assert_eq!(grant.capabilities, ["update"]);
                    assert_eq!(grant.policies, ["default"]);
                }
                Target::Openbao => assert!(grant.is_none(), "{path}: {grant:?}"),
            }
        }
        let patterns = |grants: &Value| -> Vec<String> {
            grants
                .as_array()
                .unwrap()
                .iter()
                .map(|g| g["pattern"].as_str().unwrap().to_string())
                .collect()
        };
        let core_patterns: Vec<String> = core.grants.iter().map(|g| g.pattern.clone()).collect();
        assert_eq!(patterns(&row["grants"]), core_patterns);
    }
}
