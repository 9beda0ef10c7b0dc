//! A catch-all `owns` pattern (`owns policies "*"`, `owns token-roles "*"`) puts every
//! policy or token role on the server in `--prune`'s scope. That may be meant, so it is
//! not refused, but plan and apply say it: how many undeclared ones the pattern alone
//! puts there, which pattern, and how to narrow it. Those a narrower pattern also names
//! are not counted.

// Helpers outside #[test] functions fail the test with their message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use kp_live::client::Retry;
use kp_live::Format;
use serde_json::json;

const POLICY: &str =
    "policy team-kept {\n  path \"secret/data/kept/*\" {\n    capabilities = [read]\n  }\n}\n";

#[test]
fn a_catch_all_owns_pattern_is_warned_about_at_plan_and_apply() {
    let Some(()) = live() else { return };
    let bao = Bao::dev();
    let client = bao.client();
    for name in ["team-stray", "other-a", "other-b"] {
        let body = json!({"policy": "path \"secret/x\" { capabilities = [\"read\"] }"});
        client
            .write(
                &format!("sys/policies/acl/{name}"),
                &body,
                Retry::Idempotent,
            )
            .unwrap();
    }
    for name in ["ci-stray", "someone-elses"] {
        let body = json!({"allowed_policies": "default"});
        client
            .write(
                &format!("auth/token/roles/{name}"),
                &body,
                Retry::Idempotent,
            )
            .unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let prog = write_program(
        dir.path(),
        "all.kp",
        &format!("owns policies \"team-*\" \"*\"\nowns token-roles \"*\"\n\n{POLICY}"),
    );
    let args = live_args(&bao, &[&prog]);
    let p = run_plan(&args);
    assert_eq!(p.code, 2, "{}{}", p.stdout, p.stderr);
    // `team-stray` is named by `team-*` too: two policies only `*` scopes.
    for line in [
        "warning: `owns policies \"*\"` matches every policy on the server: `--prune` deletes \
         the 2 undeclared policies (`?` in the plan) that no narrower pattern names. Narrow \
         it to the program's own names (`owns policies \"team-a-*\"`",
        "warning: `owns token-roles \"*\"` matches every token role on the server: `--prune` \
         deletes the 2 undeclared token roles",
    ] {
        assert!(p.stdout.contains(line), "{line}\n{}", p.stdout);
    }
    let mut json_args = args.clone();
    json_args.format = Format::Json;
    let j = run_plan(&json_args);
    let doc: serde_json::Value = serde_json::from_str(&j.stdout).unwrap();
    assert_valid(&validator("plan.schema.json"), &doc, "plan --format json");
    assert_eq!(
        doc["catch_all"],
        json!([
            {"owns": "policies", "pattern": "*", "count": 2},
            {"owns": "token-roles", "pattern": "*", "count": 2},
        ]),
        "{}",
        j.stdout
    );

    // Applied without `--prune`: nothing is deleted, and nothing warned at apply time.
    let r = run_apply(&args, true, false, None);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);
    // With `--prune --yes`: warned on stderr, not blocked.
    let r = run_apply(&args, true, true, None);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("warning: `owns policies \"*\"` matches every policy on the server")
            && r.stderr.contains("`owns token-roles \"*\"`"),
        "{}",
        r.stderr
    );
    let mut left = client.list("sys/policies/acl").unwrap();
    left.sort();
    assert_eq!(left, ["default", "root", "team-kept"]);
    let mut roles = client.list("auth/token/roles").unwrap();
    roles.sort();
    assert!(roles.is_empty(), "{roles:?}");

    // A narrow scope, or nothing left to prune: no warning.
    let narrow = write_program(
        dir.path(),
        "narrow.kp",
        &format!("owns policies \"team-*\"\n\n{POLICY}"),
    );
    let p = run_plan(&live_args(&bao, &[&narrow]));
    assert!(!p.stdout.contains("warning"), "{}", p.stdout);
    let p = run_plan(&args);
    assert_eq!(p.code, 0, "{}{}", p.stdout, p.stderr);
    assert!(!p.stdout.contains("warning"), "{}", p.stdout);
}
