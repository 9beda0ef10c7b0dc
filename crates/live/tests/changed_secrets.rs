//! Secrets the server never returns, on a real OpenBao (QA 11): a userpass user whose
//! literal password changes, and one whose `env()` name changes. Without `--previous`
//! nothing tells the plan they changed: it says so, once. With `--previous` both are
//! updates, shown without either secret, and apply writes them: the new passwords log in.

// Helpers outside #[test] functions fail the test with their message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use kp_live::Format;
use serde_json::{json, Value as Json};

const OLD_LITERAL: &str = "OldSecret1-c41d";
const NEW_LITERAL: &str = "NewSecret2-9be7";
const OLD_ENV_VALUE: &str = "env-before-77aa";
const NEW_ENV_VALUE: &str = "env-after-e3f0";

fn program(literal: &str, env_name: &str) -> String {
    format!(
        r#"auth userpass {{}}
workload u {{
  login userpass {{ password = "{literal}", token_ttl = 1h }}
  read "x"
}}
workload v {{
  login userpass {{ password = env("{env_name}"), token_ttl = 1h }}
  read "y"
}}
"#
    )
}

fn logs_in(bao: &Bao, user: &str, password: &str) -> bool {
    let r = http_post(
        &bao.addr,
        "",
        &format!("auth/userpass/login/{user}"),
        &json!({ "password": password }),
    );
    r["auth"]["client_token"].is_string()
}

fn assert_no_secret(text: &str) {
    for secret in [OLD_LITERAL, NEW_LITERAL, OLD_ENV_VALUE, NEW_ENV_VALUE] {
        assert!(!text.contains(secret), "a secret is shown:\n{text}");
    }
}

#[test]
fn changed_secrets_are_planned_with_previous_and_noted_without() {
    let Some(()) = live() else { return };
    let bao = Bao::dev();
    let dir = tempfile::tempdir().unwrap();
    std::env::set_var("KP_TEST_PW_OLD", OLD_ENV_VALUE);
    std::env::set_var("KP_TEST_PW_NEW", NEW_ENV_VALUE);
    let old = write_program(
        dir.path(),
        "old.kp",
        &program(OLD_LITERAL, "KP_TEST_PW_OLD"),
    );
    let new = write_program(
        dir.path(),
        "new.kp",
        &program(NEW_LITERAL, "KP_TEST_PW_NEW"),
    );
    let first = run_apply(&live_args(&bao, &[&old]), true, false, None);
    assert_eq!(first.code, 0, "{}{}", first.stdout, first.stderr);
    assert!(logs_in(&bao, "u", OLD_LITERAL) && logs_in(&bao, "v", OLD_ENV_VALUE));

    // Without the previous version: no change can be seen, and the plan says so once.
    let blind = run_plan(&live_args(&bao, &[&new]));
    assert_eq!(blind.code, 0, "{}{}", blind.stdout, blind.stderr);
    assert_eq!(blind.stdout.matches("note:").count(), 1, "{}", blind.stdout);
    assert!(
        blind.stdout.contains(
            "not known: password of auth/userpass/users/u, password of auth/userpass/users/v."
        ) && blind.stdout.contains("`--previous OLD`"),
        "{}",
        blind.stdout
    );
    assert_no_secret(&blind.stdout);

    // With it: both users are updates, neither value shown.
    let mut args = live_args(&bao, &[&new]);
    args.previous = Some(old.display().to_string());
    let plan = run_plan(&args);
    assert_eq!(plan.code, 2, "{}{}", plan.stdout, plan.stderr);
    for line in [
        "~ auth/userpass/users/u (update)",
        "password: \"(previous literal secret, not shown)\" -> \"(literal secret, not shown)\"",
        "~ auth/userpass/users/v (update)",
        "password: \"(secret from env KP_TEST_PW_OLD)\" -> \"(secret from env KP_TEST_PW_NEW)\"",
    ] {
        assert!(plan.stdout.contains(line), "{line}:\n{}", plan.stdout);
    }
    assert!(!plan.stdout.contains("note:"), "{}", plan.stdout);
    assert_no_secret(&plan.stdout);
    let mut json_args = args.clone();
    json_args.format = Format::Json;
    let json_plan = run_plan(&json_args);
    assert_no_secret(&json_plan.stdout);
    let doc: Json = serde_json::from_str(&json_plan.stdout).unwrap();
    assert_eq!(doc["summary"]["update"], 2, "{doc}");
    assert_eq!(doc["unverified_secrets"], json!([]), "{doc}");
    let mut blind_json = live_args(&bao, &[&new]);
    blind_json.format = Format::Json;
    let blind_doc: Json = serde_json::from_str(&run_plan(&blind_json).stdout).unwrap();
    assert_eq!(
        blind_doc["unverified_secrets"],
        json!([
            "password of auth/userpass/users/u",
            "password of auth/userpass/users/v"
        ])
    );
    for d in [&doc, &blind_doc] {
        assert_valid(&validator("plan.schema.json"), d, "plan --format json");
    }

    // Apply writes them: the new passwords log in, the old ones no longer do.
    let applied = run_apply(&args, true, false, None);
    assert_eq!(applied.code, 0, "{}{}", applied.stdout, applied.stderr);
    assert_no_secret(&applied.stdout);
    assert!(logs_in(&bao, "u", NEW_LITERAL), "{}", applied.stdout);
    assert!(logs_in(&bao, "v", NEW_ENV_VALUE), "{}", applied.stdout);
    assert!(!logs_in(&bao, "u", OLD_LITERAL) && !logs_in(&bao, "v", OLD_ENV_VALUE));

    // Planned against itself, the literal is known unchanged; the env() value is not.
    let mut same = live_args(&bao, &[&new]);
    same.previous = Some(new.display().to_string());
    let clean = run_plan(&same);
    assert_eq!(clean.code, 0, "{}", clean.stdout);
    assert!(
        clean
            .stdout
            .contains("not known: password of auth/userpass/users/v."),
        "{}",
        clean.stdout
    );
    // It does not advise the `--previous` it was given.
    assert!(
        !clean.stdout.contains("`--previous OLD`")
            && clean
                .stdout
                .contains("not a new value of the same variable"),
        "{}",
        clean.stdout
    );

    // An apply with other changes names the secrets it did not send, once.
    let policy_changed = write_program(
        dir.path(),
        "policy.kp",
        &program(NEW_LITERAL, "KP_TEST_PW_NEW").replace("read \"x\"", "read \"z\""),
    );
    let other = run_apply(&live_args(&bao, &[&policy_changed]), true, false, None);
    assert_eq!(other.code, 0, "{}{}", other.stdout, other.stderr);
    assert!(
        other.stdout.contains("updated sys/policies/acl/u"),
        "{}",
        other.stdout
    );
    assert_eq!(other.stdout.matches("note:").count(), 1, "{}", other.stdout);
    assert!(
        other.stdout.contains(
            "not known: password of auth/userpass/users/u, password of auth/userpass/users/v."
        ),
        "{}",
        other.stdout
    );
    assert_no_secret(&other.stdout);
}

/// A write the server refuses, quoting the value it refused: when that value is an
/// `env()` secret (or a literal secret), the apply report shows its placeholder, never
/// the value, in text and in JSON. Servers quote refused values (`time: invalid duration
/// "..."`, `error parsing address "..."`, OpenBao 2.7.2), and the report printed them.
#[test]
fn a_refused_secret_is_not_quoted_in_the_apply_report() {
    let Some(()) = live() else { return };
    let bao = Bao::dev();
    let dir = tempfile::tempdir().unwrap();
    let path = write_program(
        dir.path(),
        "main.kp",
        "auth userpass {\n  user u1 {\n    password          = env(\"KP_QA_U1_PW\")\n    token_ttl         = env(\"KP_QA_U1_TTL\")\n    token_bound_cidrs = env(\"KP_QA_U1_CIDRS\")\n  }\n}\n\nauth userpass up2 {\n  user u2 {\n    password  = \"Literal-pw-7f3e\"\n    token_ttl = env(\"KP_QA_U2_TTL\")\n  }\n}\n",
    );
    std::env::set_var("KP_QA_U1_PW", "pw-value-1b2c");
    std::env::set_var("KP_QA_U1_CIDRS", "10.0.0.0/8");
    // Refused: not a duration.
    std::env::set_var("KP_QA_U1_TTL", "ttl-secret-5e6f");
    std::env::set_var("KP_QA_U2_TTL", "1h");
    let mut args = live_args(&bao, &[&path]);
    for format in [Format::Text, Format::Json] {
        args.format = format;
        let r = run_apply(&args, true, false, None);
        assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
        let said = format!("{}{}", r.stdout, r.stderr);
        assert!(!said.contains("ttl-secret-5e6f"), "{said}");
        assert!(said.contains("invalid duration"), "{said}");
        assert!(said.contains("${KP_QA_U1_TTL}"), "{said}");
    }
    // Refused: not an address.
    std::env::set_var("KP_QA_U1_TTL", "1h");
    std::env::set_var("KP_QA_U1_CIDRS", "cidr-secret-9a8b");
    args.format = Format::Text;
    let r = run_apply(&args, true, false, None);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(!r.stdout.contains("cidr-secret-9a8b"), "{}", r.stdout);
    assert!(r.stdout.contains("${KP_QA_U1_CIDRS}"), "{}", r.stdout);
    std::env::set_var("KP_QA_U1_CIDRS", "10.0.0.0/8");
    apply_clean(&args);
}

/// An `env()` field the server returns (a JWT mount's `bound_issuer`) is compared with
/// the variable's value when the plan has it: the same value plans clean and is not
/// listed as unverified, a new value is an update showing neither value (and apply
/// writes it), and without the variable the field is not compared, as before.
#[test]
fn an_env_field_the_server_returns_is_compared_when_the_variable_is_set() {
    let Some(()) = live() else { return };
    let bao = Bao::dev();
    let program = compile_program(
        r#"auth jwt ci {
  jwks_url             = "https://127.0.0.1:9/jwks.json"
  skip_jwks_validation = true
  bound_issuer         = env("KP_TEST_ISSUER")
}
workload w {
  login ci {
    bound_audiences = ["vault"]
    bound_claims    = { project = "app" }
    user_claim      = "sub"
  }
  read "secret/data/w/*"
}
"#,
        kp_schema::Target::Openbao,
    )
    .unwrap();
    const OLD: &str = "https://issuer-before-51c2.example.com";
    const NEW: &str = "https://issuer-after-8e1d.example.com";
    let old = |name: &str| (name == "KP_TEST_ISSUER").then(|| OLD.to_string());
    let new = |name: &str| (name == "KP_TEST_ISSUER").then(|| NEW.to_string());
    let report = apply_with(&bao, &program, None, false, &old);
    assert!(report.ok(), "apply failed: {report:?}");
    let client = bao.client();
    let plan_with = |env: kp_live::diff::Env<'_>| plan_env(&bao, &program, env);
    let config = "auth/ci/config";

    let same = plan_with(&old);
    let text = kp_live::render::plan_text(&same, &bao.addr);
    assert!(!same.has_changes(), "{text}");
    assert!(
        !same
            .unverified_secrets
            .iter()
            .any(|s| s.contains("bound_issuer")),
        "{text}"
    );

    let changed = plan_with(&new);
    let text = kp_live::render::plan_text(&changed, &bao.addr);
    let json = kp_live::render::plan_json(&changed, &bao.addr);
    let p = changed.get(config).expect("the mount's config is planned");
    assert_eq!(p.action, kp_live::diff::Action::Update, "{text}");
    assert_eq!(p.changes.len(), 1, "{text}");
    assert_eq!(p.changes[0].field, "bound_issuer");
    for shown in [&text, &json] {
        assert!(
            !shown.contains(OLD) && !shown.contains(NEW),
            "a value is shown:\n{shown}"
        );
    }
    assert!(
        text.contains("not the value of env KP_TEST_ISSUER"),
        "{text}"
    );
    let report = apply_with(&bao, &program, None, false, &new);
    assert!(report.ok(), "apply failed: {report:?}");
    let read = client.read("auth/ci/config").unwrap().unwrap();
    assert_eq!(read["data"]["bound_issuer"], NEW, "{read}");
    assert!(!plan_with(&new).has_changes());

    let unknown = plan_with(&no_env);
    assert!(!unknown.has_changes());
    assert!(
        unknown
            .unverified_secrets
            .iter()
            .any(|s| s.contains("bound_issuer")),
        "{:?}",
        unknown.unverified_secrets
    );
}

/// `env()` values inside a list or a map (a JWT mount's `jwt_validation_pubkeys`, a
/// role's `bound_audiences` and `bound_claims`) are compared as a top-level one is: the
/// same values plan clean, new ones are an update showing neither value and apply writes
/// them, and without the variables the fields are listed as unverified (QA: they were
/// taken as equal to whatever the server held, so a rotated key never reached it, and
/// nothing said so).
#[test]
fn env_values_inside_lists_and_maps_are_compared() {
    let Some(()) = live() else { return };
    let bao = Bao::dev();
    let program = compile_program(
        r#"auth jwt envj {
  jwt_validation_pubkeys = [env("KP_TEST_PUBKEY")]
  role r {
    user_claim      = "sub"
    bound_audiences = [env("KP_TEST_AUD"), "vault"]
    bound_claims    = { ref = env("KP_TEST_REF") }
    token_policies  = [default]
  }
}
"#,
        kp_schema::Target::Openbao,
    )
    .unwrap();
    let key_a = test_public_key_pem();
    let key_b = test_public_key_pem();
    let vars = |key: String, aud: &'static str, reference: &'static str| {
        move |name: &str| match name {
            "KP_TEST_PUBKEY" => Some(key.clone()),
            "KP_TEST_AUD" => Some(aud.to_string()),
            "KP_TEST_REF" => Some(reference.to_string()),
            _ => None,
        }
    };
    let old = vars(key_a.clone(), "aud-before-3f1", "main");
    let new = vars(key_b.clone(), "aud-after-9c2", "release");
    let report = apply_with(&bao, &program, None, false, &old);
    assert!(report.ok(), "apply failed: {report:?}");
    let client = bao.client();
    let plan_with = |env: kp_live::diff::Env<'_>| plan_env(&bao, &program, env);

    let same = plan_with(&old);
    let text = kp_live::render::plan_text(&same, &bao.addr);
    assert!(!same.has_changes(), "{text}");
    assert!(same.unverified_secrets.is_empty(), "{text}");

    let changed = plan_with(&new);
    let text = kp_live::render::plan_text(&changed, &bao.addr);
    let json = kp_live::render::plan_json(&changed, &bao.addr);
    let fields = |id: &str| -> Vec<String> {
        changed
            .get(id)
            .map(|p| p.changes.iter().map(|c| c.field.clone()).collect())
            .unwrap_or_default()
    };
    assert_eq!(
        fields("auth/envj/config"),
        ["jwt_validation_pubkeys"],
        "{text}"
    );
    assert_eq!(
        fields("auth/envj/role/r"),
        ["bound_audiences", "bound_claims"],
        "{text}"
    );
    for shown in [&text, &json] {
        for value in ["aud-before-3f1", "aud-after-9c2", "release", key_b.trim()] {
            assert!(!shown.contains(value), "{value} is shown:\n{shown}");
        }
    }
    let report = apply_with(&bao, &program, None, false, &new);
    assert!(report.ok(), "apply failed: {report:?}");
    let role = client.read("auth/envj/role/r").unwrap().unwrap();
    assert_eq!(role["data"]["bound_claims"]["ref"], "release", "{role}");
    assert!(!plan_with(&new).has_changes());

    let unknown = plan_with(&no_env);
    assert!(!unknown.has_changes());
    for field in ["jwt_validation_pubkeys", "bound_audiences", "bound_claims"] {
        assert!(
            unknown.unverified_secrets.iter().any(|s| s.contains(field)),
            "{field}: {:?}",
            unknown.unverified_secrets
        );
    }
}

/// A fresh P-256 public key, PEM.
fn test_public_key_pem() -> String {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key.pem");
    run(std::process::Command::new("openssl")
        .args([
            "ecparam",
            "-name",
            "prime256v1",
            "-genkey",
            "-noout",
            "-out",
        ])
        .arg(&key));
    run(std::process::Command::new("openssl")
        .args(["ec", "-pubout", "-in"])
        .arg(&key))
}

/// A scalar `env()` value that the server parses (a duration, a number) is compared as
/// the server reads it: `1h` and `60m` are the 3600 the server holds, `2h` is an update
/// shown without either value, a text that reads as no duration is not compared rather
/// than planned as a change every run.
#[test]
fn typed_env_values_are_compared_as_the_server_reads_them() {
    let Some(()) = live() else { return };
    let bao = Bao::dev();
    let program = compile_program(
        r#"auth approle runners {
  role builder {
    token_policies = [default]
    token_ttl      = env("KP_TEST_TTL")
    token_num_uses = env("KP_TEST_USES")
  }
}
"#,
        kp_schema::Target::Openbao,
    )
    .unwrap();
    let vars = |ttl: &'static str, uses: &'static str| {
        move |name: &str| match name {
            "KP_TEST_TTL" => Some(ttl.to_string()),
            "KP_TEST_USES" => Some(uses.to_string()),
            _ => None,
        }
    };
    let report = apply_with(&bao, &program, None, false, &vars("1h", "5"));
    assert!(report.ok(), "apply failed: {report:?}");
    let plan_with = |env: kp_live::diff::Env<'_>| plan_env(&bao, &program, env);
    for (ttl, uses) in [("1h", "5"), ("60m", " 5"), ("3600", "5")] {
        let p = plan_with(&vars(ttl, uses));
        let text = kp_live::render::plan_text(&p, &bao.addr);
        assert!(!p.has_changes(), "{ttl} {uses}: {text}");
        assert!(p.unverified_secrets.is_empty(), "{text}");
    }
    let changed = plan_with(&vars("2h", "7"));
    let text = kp_live::render::plan_text(&changed, &bao.addr);
    let role = changed.get("auth/runners/role/builder").expect("planned");
    let fields: Vec<&str> = role.changes.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(fields, ["token_num_uses", "token_ttl"], "{text}");
    assert!(!text.contains("7200") && !text.contains("\"2h\""), "{text}");
    // Not a duration the plan reads: not compared, and said so.
    let odd = plan_with(&vars("1d", "5"));
    assert!(!odd.has_changes());
    assert!(
        odd.unverified_secrets
            .iter()
            .any(|s| s.contains("token_ttl")),
        "{:?}",
        odd.unverified_secrets
    );
}

/// The plan of `program` against the server, with the variables `env` has.
fn plan_env(
    bao: &Bao,
    program: &keyplan::ir::Program,
    env: kp_live::diff::Env<'_>,
) -> kp_live::diff::Plan {
    let live = kp_live::state::read(&bao.client(), program, None).unwrap();
    kp_live::diff::plan_with_env(program, &live, None, env)
}
