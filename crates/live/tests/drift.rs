//! Drift on a real OpenBao: a field the program leaves out means the server's default.
//! An attribute removed from the program, and a login role widened by hand outside
//! keyplan, both show in the plan as changes back to the default, and apply puts the
//! default back, on endpoints that merge a write (JWT and AppRole roles, token roles, a
//! mount's tuned description) and on those that replace the object (a JWT method's
//! config). A KV mount cannot go back from version 2 to 1: the plan says so before any
//! call. A saved plan carries the defaults in its bodies.

// Helpers outside #[test] functions fail the test with their message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use kp_live::Format;
use serde_json::{json, Value as Json};

/// The program; `full` adds the attributes the second version drops.
fn program(full: bool) -> String {
    let pick = |s: &'static str| if full { s } else { "" };
    format!(
        r#"auth jwt ci {{
  jwt_validation_pubkeys = [<<EOT
-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtXZkOSzDl1GsYOQGHG2v
LH3r6BcsCEjlPt1O+Q/Z09tX8fmEWyQFagCG3t4Rvj8/KPgDZJqpJsD0fhCESqF+
8bvz8D9ZuMZFrnE0Yp/V6mY3r1bOci2F4tQ/cXdmDBqSYoLhGYyjG3gg6nBcaNVm
Gk9boosqBjWKKjX8PCQFJyxNHeLsBGwpax0VwGpjBma1EsRLLFy8R5F0lyBh2M++
PrKG98Tx5u1D51kqoVAQ8/C2tU3hEwqhKISjkqH356mp3QFF2M1adv5ltQDu3ZVY
buQIxy5SUAT1XDUkLLugCa0E3N86xVcTXh5ZDTA6q2M8mJhM8o1d5xgxInTpS97w
GQIDAQAB
-----END PUBLIC KEY-----
EOT
  ]
  {issuer}
}}

auth approle {{}}

auth token {{
  role ci-runner {{
    allowed_policies = [reader]
    orphan           = true
    {renewable}
  }}
}}

secrets kv kv {{
  version = 2
  {description}
}}

policy reader {{
  path "kv/data/shared/*" {{
    capabilities = [read]
  }}
}}

workload trainer {{
  login ci {{
    bound_audiences = ["vault"]
    user_claim      = "sub"
    bound_claims    = {{ project_path = "ml/trainer" }}
    {ttl}
  }}
  read "kv/data/models/*"
}}

workload builder {{
  login approle {{
    secret_id_ttl = 10m
    {uses}
  }}
  read "kv/data/build/*"
}}
"#,
        issuer = pick(r#"bound_issuer = "https://gitlab.example.com""#),
        renewable = pick("renewable = false"),
        description = pick(r#"description = "team secrets""#),
        ttl = pick("token_ttl = 30m"),
        uses = pick("secret_id_num_uses = 1"),
    )
}

fn plan_json(args: &kp_live::LiveArgs) -> (i32, Json) {
    let mut json_args = args.clone();
    json_args.format = Format::Json;
    let p = run_plan(&json_args);
    (p.code, serde_json::from_str(&p.stdout).unwrap())
}

fn planned<'a>(plan: &'a Json, id: &str) -> &'a Json {
    plan["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("{id} not in the plan: {plan}"))
}

#[test]
fn removed_attributes_and_hand_made_changes_go_back_to_the_default() {
    let Some(()) = live() else { return };
    let dir = tempfile::tempdir().unwrap();
    let bao = Bao::dev();
    let full = write_program(dir.path(), "full.kp", &program(true));
    apply_clean(&live_args(&bao, &[&full]));
    assert_eq!(bao.data("auth/ci/role/trainer")["token_ttl"], 1800);
    assert_eq!(bao.data("auth/token/roles/ci-runner")["renewable"], false);

    // The second version drops one attribute of each resource.
    let lean = write_program(dir.path(), "lean.kp", &program(false));
    let args = live_args(&bao, &[&lean]);
    let (code, plan) = plan_json(&args);
    assert_eq!(code, 2, "{plan}");
    let trainer = planned(&plan, "auth/ci/role/trainer");
    assert_eq!(trainer["action"], "update");
    assert_eq!(trainer["resets"], json!(["token_ttl"]), "{trainer}");
    assert_eq!(
        trainer["changes"],
        json!([{"field": "token_ttl", "old": 1800, "new": 0}])
    );
    assert_eq!(
        planned(&plan, "auth/approle/role/builder")["resets"],
        json!(["secret_id_num_uses"])
    );
    assert_eq!(
        planned(&plan, "auth/token/roles/ci-runner")["resets"],
        json!(["renewable"])
    );
    assert_eq!(
        planned(&plan, "sys/mounts/kv")["resets"],
        json!(["description"])
    );
    assert_eq!(
        planned(&plan, "auth/ci/config")["resets"],
        json!(["bound_issuer"])
    );
    let text = run_plan(&args).stdout;
    assert!(text.contains("token_ttl: 1800 -> 0 (default)"), "{text}");
    // Through a saved plan: the defaults travel in its bodies.
    let saved = dir.path().join("plan.json");
    assert_eq!(run_plan_to(&args, Some(saved.clone())).code, 2);
    let mut from_saved = args.clone();
    from_saved.files = vec![saved];
    let r = run_apply(&from_saved, true, false, None);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let p = run_plan(&args);
    assert_eq!(p.code, 0, "{}", p.stdout);
    assert_eq!(bao.data("auth/ci/role/trainer")["token_ttl"], 0);
    assert_eq!(
        bao.data("auth/approle/role/builder")["secret_id_num_uses"],
        0
    );
    assert_eq!(bao.data("auth/token/roles/ci-runner")["renewable"], true);
    assert_eq!(bao.data("auth/ci/config")["bound_issuer"], "");
    let mounts = bao.data("sys/mounts");
    assert_eq!(mounts["kv/"]["description"], "", "{mounts}");

    // Widened by hand: any subject, glob claims, a use count, and ten-year leases on the
    // login mount. The plan sees all of them.
    bao.client()
        .write(
            "auth/ci/role/trainer",
            &json!({"role_type": "jwt", "bound_claims_type": "glob", "bound_subject": "anyone", "token_num_uses": 7}),
            kp_live::client::Retry::Idempotent,
        )
        .unwrap();
    bao.client()
        .write(
            "sys/auth/ci/tune",
            &json!({"max_lease_ttl": "87600h"}),
            kp_live::client::Retry::Idempotent,
        )
        .unwrap();
    let (code, plan) = plan_json(&args);
    assert_eq!(code, 2, "{plan}");
    let trainer = planned(&plan, "auth/ci/role/trainer");
    assert_eq!(
        trainer["resets"],
        json!(["bound_claims_type", "bound_subject", "token_num_uses"]),
        "{trainer}"
    );
    let mount = planned(&plan, "sys/auth/ci");
    assert_eq!(mount["resets"], json!(["max_lease_ttl"]), "{mount}");
    apply_clean(&args);
    assert_eq!(bao.data("sys/auth")["ci/"]["config"]["max_lease_ttl"], 0);
    let role = bao.data("auth/ci/role/trainer");
    assert_eq!(role["bound_claims_type"], "string");
    assert_eq!(role["bound_subject"], "");
    assert_eq!(role["token_num_uses"], 0);
}

#[test]
fn a_kv_downgrade_is_refused_before_any_call() {
    let Some(()) = live() else { return };
    let dir = tempfile::tempdir().unwrap();
    let bao = Bao::dev();
    let v2 = write_program(dir.path(), "v2.kp", "secrets kv kv {\n  version = 2\n}\n");
    apply_clean(&live_args(&bao, &[&v2]));
    let v1 = write_program(dir.path(), "v1.kp", "secrets kv kv {\n  version = 1\n}\n");
    let args = live_args(&bao, &[&v1]);
    let text = run_plan(&args).stdout;
    assert!(
        text.contains("cannot apply: a KV version 2 mount cannot go back to version 1"),
        "{text}"
    );
    let r = run_apply(&args, true, false, None);
    assert_ne!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let mounts = bao.data("sys/mounts");
    assert_eq!(mounts["kv/"]["options"]["version"], "2", "{mounts}");
}

/// `plan` and `apply` compile for the server they talk to: a Vault-only field is an
/// error against OpenBao (before, the program was compiled for Vault, the server dropped
/// the field and the plan said it matched), and `--target vault` is refused.
#[test]
fn a_program_is_compiled_for_the_server_it_talks_to() {
    let Some(()) = live() else { return };
    let dir = tempfile::tempdir().unwrap();
    let bao = Bao::dev();
    let path = write_program(
        dir.path(),
        "kv.kp",
        "secrets kv kv {\n  version = 2\n}\n\nsecrets database {\n  connection pg {\n    plugin_name       = \"postgresql-database-plugin\"\n    connection_url    = \"postgresql://{{username}}:{{password}}@127.0.0.1:1/app\"\n    username          = \"vault\"\n    password          = env(\"KP_DRIFT_UNSET\")\n    verify_connection = false\n    allowed_roles     = [legacy]\n  }\n  static-role legacy {\n    db_name           = pg\n    username          = \"legacy_job\"\n    rotation_schedule = \"0 * * * *\"\n  }\n}\n",
    );
    let mut args = live_args(&bao, &[&path]);
    args.target = None;
    let p = run_plan(&args);
    assert_eq!(p.code, 1, "{}{}", p.stdout, p.stderr);
    assert!(
        p.stderr.contains("`rotation_schedule` is a Vault field"),
        "{}",
        p.stderr
    );
    args.target = Some(kp_live::TargetArg::Vault);
    for r in [run_plan(&args), run_apply(&args, true, false, None)] {
        assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
        assert!(
            r.stderr.contains("compiled for Vault, but the server at")
                && r.stderr.contains("is OpenBao"),
            "{}",
            r.stderr
        );
    }
    assert!(bao.data("sys/mounts")["kv/"].is_null(), "nothing applied");
}

/// Three classes the first version missed: an SSH CA whose key the server generated
/// (`ca {}`: `generate_signing_key` defaults to true) is no drift, so apply does not make
/// a new key; a field the server takes only on creation (`local_secret_ids`) stays out
/// of updates, and a change of it cannot apply; a connection's settings read back under
/// `connection_details` (and `root_credentials_rotate_statements`) are drift too.
#[test]
fn generated_keys_create_only_fields_and_connection_details() {
    let Some(()) = live() else { return };
    let dir = tempfile::tempdir().unwrap();
    let bao = Bao::dev();
    std::env::set_var("KP_DRIFT_DB_PW", "drift-db-pw");
    let program = |local: bool| {
        format!(
            r#"secrets ssh {{
  ca {{}}
}}

auth approle {{
  role r {{
    local_secret_ids = {local}
    token_ttl        = 1h
  }}
}}

secrets database {{
  connection app {{
    plugin_name       = "postgresql-database-plugin"
    connection_url    = "postgresql://{{{{username}}}}:{{{{password}}}}@127.0.0.1:1/app"
    username          = "vault"
    password          = env("KP_DRIFT_DB_PW")
    verify_connection = false
    allowed_roles     = [reader]
  }}
  role reader {{
    db_name             = app
    creation_statements = ["CREATE ROLE \"{{{{name}}}}\""]
  }}
}}
"#
        )
    };
    let path = write_program(dir.path(), "main.kp", &program(true));
    let args = live_args(&bao, &[&path]);
    apply_clean(&args);
    let key = bao.data("ssh/config/ca")["public_key"].clone();

    // By hand: a longer token TTL on the role, connection settings.
    bao.client()
        .write(
            "auth/approle/role/r",
            &json!({"token_ttl": 86400}),
            kp_live::client::Retry::Idempotent,
        )
        .unwrap();
    bao.client()
        .write(
            "database/config/app",
            &json!({"plugin_name": "postgresql-database-plugin",
                    "connection_url": "postgresql://{{username}}:{{password}}@127.0.0.1:1/app",
                    "username": "vault", "password": "drift-db-pw", "allowed_roles": "reader",
                    "verify_connection": false, "max_open_connections": 50,
                    "disable_escaping": true, "root_rotation_statements": ["ALTER USER x"]}),
            kp_live::client::Retry::Idempotent,
        )
        .unwrap();
    let (code, plan) = plan_json(&args);
    assert_eq!(code, 2, "{plan}");
    assert_eq!(
        planned(&plan, "ssh/config/ca")["action"],
        "unchanged",
        "{plan}"
    );
    let mut resets: Vec<String> = planned(&plan, "database/config/app")["resets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap().to_string())
        .collect();
    resets.sort();
    assert_eq!(
        resets,
        [
            "disable_escaping",
            "max_open_connections",
            "root_rotation_statements"
        ],
        "{plan}"
    );
    apply_clean(&args);
    assert_eq!(bao.data("ssh/config/ca")["public_key"], key, "a new CA key");
    assert_eq!(bao.data("auth/approle/role/r")["token_ttl"], 3600);
    let conn = bao.data("database/config/app");
    assert_eq!(
        conn["connection_details"]["max_open_connections"]
            .to_string()
            .trim_matches('"'),
        "4",
        "{conn}"
    );
    assert_eq!(
        conn["root_credentials_rotate_statements"],
        json!([]),
        "{conn}"
    );

    // `local_secret_ids` changed in the program: cannot apply in place.
    std::fs::write(&path, program(false)).unwrap();
    let text = run_plan(&args).stdout;
    assert!(
        text.contains("cannot apply: local_secret_ids can only be set when the object is created"),
        "{text}"
    );
}

/// A connection reads back only the settings it was written with: a field added to the
/// program later is absent from the read, and is compared as the server's default (it
/// was planned `unchanged` and listed as not compared, so never applied). Only what the
/// server never returns (`password`, `verify_connection`) is not compared, and the text
/// plan names those fields. Removed again, each goes back to its default.
#[test]
fn settings_added_to_an_existing_connection_are_planned_and_applied() {
    let Some(()) = live() else { return };
    let dir = tempfile::tempdir().unwrap();
    let bao = Bao::dev();
    std::env::set_var("KP_DRIFT_ADDED_PW", "added-pw");
    let program = |settings: &str| {
        format!(
            r#"secrets database mx {{
  connection pg {{
    plugin_name       = "postgresql-database-plugin"
    connection_url    = "postgresql://{{{{username}}}}:{{{{password}}}}@127.0.0.1:1/app"
    username          = "postgres"
    password          = env("KP_DRIFT_ADDED_PW")
    verify_connection = false
    allowed_roles     = ["*"]
    rotate_root       = false
{settings}  }}
}}
"#
        )
    };
    let lean = write_program(dir.path(), "lean.kp", &program(""));
    apply_clean(&live_args(&bao, &[&lean]));
    let conn = bao.data("mx/config/pg");
    assert!(
        conn["connection_details"]["max_open_connections"].is_null(),
        "the read holds only what was written: {conn}"
    );

    let added = write_program(
        dir.path(),
        "added.kp",
        &program(
            r#"    max_open_connections    = 2
    max_idle_connections    = 1
    max_connection_lifetime = 90s
    username_template       = "qa-{{random 10}}"
    password_authentication = "scram-sha-256"
    disable_escaping        = true
"#,
        ),
    );
    let args = live_args(&bao, &[&added]);
    let (code, plan) = plan_json(&args);
    assert_eq!(code, 2, "{plan}");
    let pg = planned(&plan, "mx/config/pg");
    assert_eq!(pg["action"], "update", "{pg}");
    assert_eq!(
        pg["changes"],
        json!([
            {"field": "disable_escaping", "old": false, "new": true},
            {"field": "max_connection_lifetime", "old": 0, "new": 90},
            {"field": "max_idle_connections", "old": 0, "new": 1},
            {"field": "max_open_connections", "old": 4, "new": 2},
            {"field": "password_authentication", "old": "password", "new": "scram-sha-256"},
            {"field": "username_template", "old": null, "new": "qa-{{random 10}}"},
        ]),
        "{pg}"
    );
    assert_eq!(pg["not_compared"], json!(["password", "verify_connection"]));
    let text = run_plan(&args).stdout;
    for line in [
        "~ mx/config/pg (update)",
        "max_open_connections: 4 -> 2\n",
        "username_template: (not set) -> \"qa-{{random 10}}\"\n",
        "      (not compared: password, verify_connection)\n",
    ] {
        assert!(text.contains(line), "{line:?} in\n{text}");
    }
    assert!(!text.contains("added-pw"), "{text}");
    // With the previous version the same changes, each with its old value.
    let mut since = args.clone();
    since.previous = Some(lean.display().to_string());
    let text = run_plan(&since).stdout;
    assert!(text.contains("max_open_connections: 4 -> 2\n"), "{text}");
    apply_clean(&args);
    let details = &bao.data("mx/config/pg")["connection_details"];
    assert_eq!(details["max_open_connections"], 2, "{details}");
    assert_eq!(details["username_template"], "qa-{{random 10}}");
    assert_eq!(details["password_authentication"], "scram-sha-256");

    // Removed from the program: each goes back to the server's default.
    let args = live_args(&bao, &[&lean]);
    let (code, plan) = plan_json(&args);
    assert_eq!(code, 2, "{plan}");
    assert_eq!(
        planned(&plan, "mx/config/pg")["resets"],
        json!([
            "disable_escaping",
            "max_connection_lifetime",
            "max_idle_connections",
            "max_open_connections",
            "password_authentication",
            "username_template"
        ]),
        "{plan}"
    );
    apply_clean(&args);
    let details = &bao.data("mx/config/pg")["connection_details"];
    assert_eq!(details["max_open_connections"], 4, "{details}");
    assert_eq!(details["password_authentication"], "password", "{details}");
}

/// A mount's `local` and `seal_wrap` are fixed when it is enabled, and an AppRole role's
/// `local_secret_ids` when it is created: leaving one out of the program while the
/// server holds `true` means its default, `false`, which cannot be applied in place, as
/// when the program writes `false`. Before, the plan said `unchanged`.
#[test]
fn a_fixed_field_left_out_blocks_as_its_default_does() {
    let Some(()) = live() else { return };
    let dir = tempfile::tempdir().unwrap();
    let bao = Bao::dev();
    let program = |mount: &str, role: &str| {
        format!(
            "secrets kv kv {{\n  version = 2\n{mount}}}\n\nauth approle {{\n  role r {{\n    token_ttl = 1h\n{role}  }}\n}}\n"
        )
    };
    let fixed = write_program(
        dir.path(),
        "fixed.kp",
        &program(
            "  local     = true\n  seal_wrap = true\n",
            "    local_secret_ids = true\n",
        ),
    );
    apply_clean(&live_args(&bao, &[&fixed]));

    let explicit = write_program(
        dir.path(),
        "explicit.kp",
        &program(
            "  local     = false\n  seal_wrap = false\n",
            "    local_secret_ids = false\n",
        ),
    );
    let dropped = write_program(dir.path(), "dropped.kp", &program("", ""));
    for path in [&explicit, &dropped] {
        let args = live_args(&bao, &[path]);
        let text = run_plan(&args).stdout;
        for line in [
            "local: true -> false",
            "seal_wrap: true -> false",
            "cannot apply: local, seal_wrap cannot change on an existing mount",
            "local_secret_ids: true -> false",
            "cannot apply: local_secret_ids can only be set when the object is created",
        ] {
            assert!(
                text.contains(line),
                "{}: {line:?} in\n{text}",
                path.display()
            );
        }
        let (code, plan) = plan_json(&args);
        assert_eq!(code, 2, "{plan}");
        assert!(
            planned(&plan, "sys/mounts/kv")["blocked"].is_string(),
            "{plan}"
        );
        let r = run_apply(&args, true, false, None);
        assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
        assert!(
            r.stderr.contains("cannot be changed in place"),
            "{}",
            r.stderr
        );
    }
    let mounts = bao.data("sys/mounts");
    assert_eq!(mounts["kv/"]["local"], true, "{mounts}");
    assert_eq!(mounts["kv/"]["seal_wrap"], true, "{mounts}");
    assert_eq!(bao.data("auth/approle/role/r")["local_secret_ids"], true);
}

/// A reset shows the value the server will hold: an SSH role (a whole-object write, so
/// the field is left out) takes port 22 for a `port` nobody set, not the `0` of its type.
#[test]
fn a_reset_shows_the_servers_real_default() {
    let Some(()) = live() else { return };
    let dir = tempfile::tempdir().unwrap();
    let bao = Bao::dev();
    let program = |extra: &str| {
        format!(
            "secrets ssh ssh {{\n  role otp {{\n    key_type     = \"otp\"\n    default_user = \"ubuntu\"\n    cidr_list    = [\"10.0.0.0/8\"]\n{extra}  }}\n}}\n"
        )
    };
    let with_port = write_program(
        dir.path(),
        "port.kp",
        &program("    port          = 2222\n    allowed_users = [\"ops\"]\n"),
    );
    apply_clean(&live_args(&bao, &[&with_port]));
    let without = write_program(dir.path(), "default.kp", &program(""));
    let args = live_args(&bao, &[&without]);
    let (code, plan) = plan_json(&args);
    assert_eq!(code, 2, "{plan}");
    let role = planned(&plan, "ssh/roles/otp");
    assert_eq!(
        role["changes"],
        json!([
            {"field": "allowed_users", "old": "ops", "new": ""},
            {"field": "port", "old": 2222, "new": 22},
        ]),
        "{role}"
    );
    let text = run_plan(&args).stdout;
    assert!(text.contains("port: 2222 -> 22 (default)"), "{text}");
    apply_clean(&args);
    assert_eq!(bao.data("ssh/roles/otp")["port"], 22);
}

/// An AppRole role's `role_id` reads back at `role/NAME/role-id`, not with the role: a
/// changed one was "not compared", the plan clean, and the old role id kept logging in.
/// It is planned as a change now, apply sets it, and the next plan is clean.
#[test]
fn a_changed_role_id_is_planned_and_applied() {
    let Some(()) = live() else { return };
    let dir = tempfile::tempdir().unwrap();
    let bao = Bao::dev();
    let program = |id: &str| {
        format!(
            "auth approle {{}}\n\nworkload fixed {{\n  login approle {{\n    role_id       = \"{id}\"\n    secret_id_ttl = 10m\n  }}\n  read \"secret/data/fixed/*\"\n}}\n"
        )
    };
    let old = "11111111-2222-3333-4444-555555555555";
    let new = "11111111-2222-3333-4444-666666666666";
    let first = write_program(dir.path(), "first.kp", &program(old));
    apply_clean(&live_args(&bao, &[&first]));
    assert_eq!(bao.data("auth/approle/role/fixed/role-id")["role_id"], old);
    let second = write_program(dir.path(), "second.kp", &program(new));
    let args = live_args(&bao, &[&second]);
    let (code, plan) = plan_json(&args);
    assert_eq!(code, 2, "{plan}");
    let role = planned(&plan, "auth/approle/role/fixed");
    assert_eq!(
        role["changes"],
        json!([{"field": "role_id", "old": old, "new": new}]),
        "{role}"
    );
    apply_clean(&args);
    assert_eq!(bao.data("auth/approle/role/fixed/role-id")["role_id"], new);
    let (code, plan) = plan_json(&args);
    assert_eq!(code, 0, "{plan}");
}
