//! Saved plans on one real OpenBao: `plan -o` writes a file that holds no secret and
//! matches its JSON Schema, `apply PLAN.json` makes exactly those calls, and a plan
//! whose resources changed on the server since is refused before the first call.

// Helpers outside #[test] functions fail the test with their message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use kp_live::Format;
use serde_json::{json, Value as Json};

const PASSWORD: &str = "saved-plan-operator-pw-81f3";

fn source(builder_ttl: &str, extra: &str) -> String {
    format!(
        r#"
auth approle {{}}
auth userpass {{}}

workload builder {{
  login approle {{
    secret_id_ttl = 10m
    token_ttl     = {builder_ttl}
  }}
  read "secret/data/build/*"
}}

workload operator {{
  login userpass {{
    password  = env("KP_TEST_OPERATOR_PASSWORD")
    token_ttl = 30m
  }}
  read "secret/data/ops/*"
}}
{extra}
"#
    )
}

#[test]
fn saved_plans_apply_exactly_and_refuse_when_stale() {
    if live().is_none() {
        return;
    }
    std::env::set_var("KP_TEST_OPERATOR_PASSWORD", PASSWORD);
    let bao = Bao::dev();
    let dir = tempfile::tempdir().unwrap();
    let program = dir.path().join("main.kp");
    std::fs::write(&program, source("20m", "")).unwrap();
    let a = live_args(&bao, &[&program]);

    // `plan --format json` matches its schema.
    let mut json_args = a.clone();
    json_args.format = Format::Json;
    let shown = run_plan_to(&json_args, None);
    assert_eq!(shown.code, 2, "{}{}", shown.stdout, shown.stderr);
    let doc: Json = serde_json::from_str(&shown.stdout).unwrap();
    assert_valid(&validator("plan.schema.json"), &doc, "plan --format json");

    // The saved plan: valid, secret-free, the secret a reference.
    let saved_path = dir.path().join("plan.json");
    let saved = run_plan_to(&a, Some(saved_path.clone()));
    assert_eq!(saved.code, 2, "{}{}", saved.stdout, saved.stderr);
    let text = std::fs::read_to_string(&saved_path).unwrap();
    assert!(!text.contains(PASSWORD), "the saved plan holds the secret");
    let doc: Json = serde_json::from_str(&text).unwrap();
    let saved_schema = validator("saved-plan.schema.json");
    assert_valid(&saved_schema, &doc, "the saved plan");
    let user = doc["calls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "auth/userpass/users/operator")
        .unwrap();
    assert_eq!(user["body"]["password"], Json::Null);
    assert_eq!(
        user["secrets"],
        json!([{"pointer": "/password", "env": "KP_TEST_OPERATOR_PASSWORD"}])
    );
    assert_eq!(
        user["fingerprint"], doc["calls"][0]["fingerprint"],
        "both absent"
    );

    // Applying the saved plan makes its calls: the program's plan is then clean and the
    // operator logs in with the password read from the environment at apply time.
    let mut apply_saved = a.clone();
    apply_saved.files = vec![saved_path.clone()];
    // `--prune` with a saved plan: refused before any call, not silently ignored.
    let pruned = run_apply(&apply_saved, true, true, None);
    assert_eq!(pruned.code, 1, "{}{}", pruned.stdout, pruned.stderr);
    assert!(
        pruned
            .stderr
            .contains("`--prune` does not apply to a saved plan"),
        "{}",
        pruned.stderr
    );
    assert!(!bao.data("sys/auth").to_string().contains("approle/"));
    let applied = run_apply(&apply_saved, true, false, None);
    assert_eq!(applied.code, 0, "{}{}", applied.stdout, applied.stderr);
    assert!(!applied.stdout.contains(PASSWORD));
    let clean = run_plan_to(&a, None);
    assert_eq!(clean.code, 0, "{}", clean.stdout);
    let login = http_post(
        &bao.addr,
        "",
        "auth/userpass/login/operator",
        &json!({"password": PASSWORD}),
    );
    assert_eq!(
        login["auth"]["policies"],
        json!(["default", "operator"]),
        "{login}"
    );

    // A saved plan applied twice: the server now differs from what it was computed
    // from (everything exists), so the second apply is refused.
    let again = run_apply(&apply_saved, true, false, None);
    assert_eq!(again.code, 1, "{}{}", again.stdout, again.stderr);
    assert!(
        again.stderr.contains("changed since the plan"),
        "{}",
        again.stderr
    );

    // A stale plan: computed, then the role drifts by hand; nothing is applied, not
    // even the new workload's resources that nobody touched.
    std::fs::write(
        &program,
        source(
            "25m",
            "workload auditor {\n  login approle { secret_id_ttl = 5m }\n  read \"sys/audit\"\n}\n",
        ),
    )
    .unwrap();
    let stale_path = dir.path().join("stale.json");
    assert_eq!(run_plan_to(&a, Some(stale_path.clone())).code, 2);
    let stale_doc: Json =
        serde_json::from_str(&std::fs::read_to_string(&stale_path).unwrap()).unwrap();
    assert_valid(&saved_schema, &stale_doc, "the second saved plan");
    bao.client()
        .write(
            "auth/approle/role/builder",
            &json!({"token_ttl": 60}),
            kp_live::client::Retry::Idempotent,
        )
        .unwrap();
    let mut apply_stale = a.clone();
    apply_stale.files = vec![stale_path];
    let refused = run_apply(&apply_stale, true, false, None);
    assert_eq!(refused.code, 1, "{}{}", refused.stdout, refused.stderr);
    assert!(
        refused.stderr.contains("auth/approle/role/builder"),
        "{}",
        refused.stderr
    );
    assert_eq!(bao.data("auth/approle/role/builder")["token_ttl"], 60);
    assert!(bao
        .client()
        .read("auth/approle/role/auditor")
        .unwrap()
        .is_none());
    assert!(bao
        .client()
        .read("sys/policies/acl/auditor")
        .unwrap()
        .is_none());

    // A plan for one server is refused on another, before connecting to it.
    let mut elsewhere = apply_stale.clone();
    elsewhere.addr = Some("http://127.0.0.1:9".to_string());
    let refused = run_apply(&elsewhere, true, false, None);
    assert_eq!(refused.code, 1);
    assert!(
        refused.stderr.contains("computed against"),
        "{}",
        refused.stderr
    );
}
