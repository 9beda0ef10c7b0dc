//! Real keyplan programs, compiled by `keyplan::compile` and driven through the `plan` and
//! `apply` entry points the CLI calls: exit codes, `--format json`, confirmation, tokens.

// Helpers outside #[test] functions fail the test with their message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use kp_live::Format;
use serde_json::{json, Value as Json};

const SCENARIO_1: &str = r#"
extern policy example-policy

auth jwt {
  description = "JWT backend used for dynamic secrets"

  role example-role {
    user_claim      = "sub"
    bound_audiences = ["example-audience"]
    token_policies  = [example-policy]
    token_ttl       = 1h
    token_max_ttl   = 4h
  }
}
"#;

const SCENARIO_2: &str = r#"
extern policy ai-model-policy

auth jwt {
  description = "JWT backend for AI model authentication"

  role ai-role {
    token_ttl       = 3600
    user_claim      = "sub"
    bound_audiences = ["YOUR_AUDIENCE"]
    token_policies  = [ai-model-policy]
  }
}
"#;

const SCENARIO_3: &str = r#"
secrets ssh {
  description = "SSH secret backend to generate SSH credentials for AI training environment access"

  ca {
    generate_signing_key = true
  }

  role training-environment {
    key_type                 = "ca"
    ttl                      = 24h
    allow_user_certificates  = true
    key_id_format            = "vault-{{role_name}}-{{token_display_name}}-{{random_8_bytes_hex}}"
    allowed_users            = ["*"]
    allowed_critical_options = []
    allowed_extensions       = ["permit-pty"]
    default_extensions       = {}
    allow_user_key_ids       = true
  }
}
"#;

const SCENARIO_4: &str = r#"
extern policy my-policy

auth token {
  role ml-pipeline-role {
    allowed_policies = [my-policy]
    renewable        = true
    token_period     = 1h
  }
}

token ml-pipeline-token {
  role      = ml-pipeline-role
  policies  = [my-policy]
  renewable = true
  ttl       = 3600s
}
"#;

/// Scenario 5 for `--target openbao`: no AWS engine; URLs point at local servers.
const SCENARIO_5: &str = r#"
auth jwt {
  description        = "JWT Auth Backend"
  bound_issuer       = "example-issuer"
  jwks_url           = "JWKS_URL"
  jwt_supported_algs = ["RS256"]
}

secrets database {
  description       = "Database Secrets Engine"
  local             = true
  seal_wrap         = false
  default_lease_ttl = 10m
  max_lease_ttl     = 1h

  connection mysql-database {
    plugin_name              = "mysql-database-plugin"
    connection_url           = "{{username}}:{{password}}@tcp(127.0.0.1:DB_PORT)/"
    allowed_roles            = [my-role]
    username                 = "vaulter"
    password                 = env("KP_TEST_DB_ROOT_PASSWORD")
    root_rotation_statements = ["ALTER USER '{{username}}'@'%' IDENTIFIED BY '{{password}}';"]
  }

  role my-role {
    db_name             = mysql-database
    creation_statements = ["CREATE USER '{{name}}'@'%' IDENTIFIED BY '{{password}}';",
                           "GRANT SELECT ON *.* TO '{{name}}'@'%';"]
    default_ttl         = 10m
    max_ttl             = 1h
  }
}
"#;

const WORKLOADS: &str = r#"
auth jwt {
  bound_issuer       = "keyplan-test"
  jwks_url           = "JWKS_URL"
  jwt_supported_algs = ["RS256"]
}

secrets ssh {
  ca {
    generate_signing_key = true
  }
  role training-environment {
    key_type                = "ca"
    allow_user_certificates = true
    allowed_users           = ["trainer"]
    ttl                     = 30m
  }
}

workload trainer {
  login jwt {
    bound_audiences = ["https://vault.example.com"]
    bound_claims    = { project_path = "ml/trainer", ref = "refs/heads/main" }
    user_claim      = "sub"
    token_ttl       = 15m
  }
  read "secret/data/models/*"
  list "secret/metadata/models/*"
  sign ssh.training-environment
}

workload evaluator {
  login jwt {
    bound_audiences = ["https://vault.example.com"]
    bound_claims    = { project_path = "ml/evaluator" }
    user_claim      = "sub"
  }
  read "secret/data/models/*"
}
"#;

#[test]
fn scenarios_1_and_2_compiled_applied_drifted_repaired() {
    let Some(()) = live() else { return };
    let dir = tempfile::tempdir().unwrap();
    for (source, role, audience, desc) in [
        (
            SCENARIO_1,
            "example-role",
            "example-audience",
            "JWT backend used for dynamic secrets",
        ),
        (
            SCENARIO_2,
            "ai-role",
            "YOUR_AUDIENCE",
            "JWT backend for AI model authentication",
        ),
    ] {
        let bao = Bao::dev();
        let file = write_program(dir.path(), &format!("{role}.kp"), source);
        let args = live_args(&bao, &[&file]);

        let first = run_plan(&args);
        assert_eq!(first.code, 2, "{}{}", first.stdout, first.stderr);
        assert!(
            first.stdout.contains("+ sys/auth/jwt (create)"),
            "{}",
            first.stdout
        );
        assert!(first
            .stdout
            .contains(&format!("+ auth/jwt/role/{role} (create)")));

        // Without a terminal and without --yes nothing is applied.
        let refused = run_apply(&args, false, false, None);
        assert_eq!(refused.code, 1);
        assert!(refused.stderr.contains("--yes"), "{}", refused.stderr);
        // A declined confirmation applies nothing either.
        let declined = run_apply(&args, false, false, Some("no\n"));
        assert_eq!(declined.code, 1);
        assert!(
            declined.stderr.contains("apply these changes?"),
            "{}",
            declined.stderr
        );
        assert_eq!(run_plan(&args).code, 2);
        // Confirmed on the "terminal".
        let confirmed = run_apply(&args, false, false, Some("yes\n"));
        assert_eq!(
            confirmed.code, 0,
            "{}{}",
            confirmed.stdout, confirmed.stderr
        );
        assert!(
            confirmed.stdout.contains("created sys/auth/jwt"),
            "{}",
            confirmed.stdout
        );

        assert_eq!(bao.data("sys/auth")["jwt/"]["description"], desc);
        let r = bao.data(&format!("auth/jwt/role/{role}"));
        assert_eq!(r["role_type"], "jwt");
        assert_eq!(r["user_claim"], "sub");
        assert_eq!(r["bound_audiences"], json!([audience]));
        assert_eq!(r["token_ttl"], 3600);
        let clean = run_plan(&args);
        assert_eq!(clean.code, 0, "{}", clean.stdout);

        // Drift by hand; plan names the role and the field; apply repairs.
        bao.client()
            .write(
                &format!("auth/jwt/role/{role}"),
                &json!({"role_type": "jwt", "token_ttl": 60}),
                kp_live::client::Retry::Idempotent,
            )
            .unwrap();
        let drift = run_plan(&args);
        assert_eq!(drift.code, 2);
        assert!(
            drift
                .stdout
                .contains(&format!("~ auth/jwt/role/{role} (update)")),
            "{}",
            drift.stdout
        );
        assert!(
            drift.stdout.contains("token_ttl: 60 -> 3600"),
            "{}",
            drift.stdout
        );
        let mut json_args = args.clone();
        json_args.format = Format::Json;
        let j: Json = serde_json::from_str(&run_plan(&json_args).stdout).unwrap();
        assert_eq!(j["changes"], true);
        assert_eq!(j["summary"]["update"], 1);
        apply_clean(&args);
        assert_eq!(
            bao.data(&format!("auth/jwt/role/{role}"))["token_ttl"],
            3600
        );
    }
}

#[test]
fn scenario_3_compiled_signs_a_key() {
    let Some(()) = live() else { return };
    let dir = tempfile::tempdir().unwrap();
    let bao = Bao::dev();
    let args = live_args(&bao, &[&write_program(dir.path(), "ssh.kp", SCENARIO_3)]);
    apply_clean(&args);
    let role = bao.data("ssh/roles/training-environment");
    assert_eq!(role["ttl"], 86400);
    assert_eq!(role["allowed_users"], "*");
    assert_eq!(role["allowed_extensions"], "permit-pty");
    let key = dir.path().join("id");
    run(std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&key));
    let public = std::fs::read_to_string(dir.path().join("id.pub")).unwrap();
    let signed = bao
        .client()
        .write(
            "ssh/sign/training-environment",
            &json!({"public_key": public, "valid_principals": "ubuntu"}),
            kp_live::client::Retry::Idempotent,
        )
        .unwrap();
    let cert = dir.path().join("id-cert.pub");
    std::fs::write(&cert, signed["data"]["signed_key"].as_str().unwrap()).unwrap();
    let listing = run(std::process::Command::new("ssh-keygen")
        .arg("-L")
        .arg("-f")
        .arg(&cert));
    assert!(
        listing.contains("user certificate") && listing.contains("ubuntu"),
        "{listing}"
    );

    // ssh/roles/NAME replaces the whole object: a field set by hand and absent from the
    // program is listed as reset, and apply does reset it.
    bao.client()
        .write(
            "ssh/roles/training-environment",
            &json!({"key_type": "ca", "ttl": 60, "max_ttl": 7200, "allowed_users": "*",
                    "allow_user_certificates": true}),
            kp_live::client::Retry::Idempotent,
        )
        .unwrap();
    let mut json_args = args.clone();
    json_args.format = Format::Json;
    let p = run_plan(&json_args);
    assert_eq!(p.code, 2);
    let j: Json = serde_json::from_str(&p.stdout).unwrap();
    let role = j["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "ssh/roles/training-environment")
        .unwrap()
        .clone();
    assert_eq!(role["action"], "update");
    assert_eq!(role["resets"], json!(["max_ttl"]), "{role}");
    let text = run_plan(&args).stdout;
    assert!(text.contains("max_ttl: 7200 -> 0 (default)"), "{text}");
    apply_clean(&args);
    assert_eq!(bao.data("ssh/roles/training-environment")["max_ttl"], 0);
}

#[test]
fn scenario_4_compiled_token_goes_only_to_token_out() {
    let Some(()) = live() else { return };
    let dir = tempfile::tempdir().unwrap();
    let bao = Bao::dev();
    // The extern policy exists on the server, managed elsewhere.
    bao.client()
        .write(
            "sys/policies/acl/my-policy",
            &json!({"policy": "path \"secret/*\" { capabilities = [\"read\"] }"}),
            kp_live::client::Retry::Idempotent,
        )
        .unwrap();
    let mut args = live_args(&bao, &[&write_program(dir.path(), "tokens.kp", SCENARIO_4)]);
    let no_out = run_apply(&args, true, false, None);
    assert_eq!(no_out.code, 1);
    assert!(no_out.stderr.contains("--token-out"), "{}", no_out.stderr);
    assert!(bao
        .client()
        .read("auth/token/roles/ml-pipeline-role")
        .unwrap()
        .is_none());

    let out = dir.path().join("tokens");
    args.token_out = Some(out.clone());
    let r = run_apply(&args, true, false, None);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let token = std::fs::read_to_string(out.join("ml-pipeline-token")).unwrap();
    let token = token.trim();
    assert!(!r.stdout.contains(token) && !r.stderr.contains(token));
    let data = http_post(
        &bao.addr,
        &bao.token,
        "auth/token/lookup",
        &json!({"token": token}),
    )["data"]
        .clone();
    assert_eq!(data["role"], "ml-pipeline-role");
    assert!(data["policies"]
        .as_array()
        .unwrap()
        .contains(&json!("my-policy")));
    let ttl = data["ttl"].as_i64().unwrap();
    assert!((3500..=3600).contains(&ttl), "{ttl}");
    let p = run_plan(&args);
    assert_eq!(p.code, 0, "the token is recognised:\n{}", p.stdout);
    assert!(!p.stdout.contains(token));
}

#[test]
fn scenario_5_compiled_for_openbao_against_mariadb() {
    let Some(()) = live() else { return };
    let db = Mariadb::start().expect("MariaDB is not installed: run scripts/install-live-deps.sh");
    let jwks = Jwks::start();
    let dir = tempfile::tempdir().unwrap();
    let bao = Bao::dev();
    let source = SCENARIO_5
        .replace("JWKS_URL", &jwks.url)
        .replace("DB_PORT", &db.port.to_string());
    let args = live_args(&bao, &[&write_program(dir.path(), "rotation.kp", &source)]);

    std::env::remove_var("KP_TEST_DB_ROOT_PASSWORD");
    let missing = run_apply(&args, true, false, None);
    assert_eq!(missing.code, 1);
    assert!(
        missing.stderr.contains("KP_TEST_DB_ROOT_PASSWORD"),
        "{}",
        missing.stderr
    );
    assert!(
        !bao.data("sys/auth")
            .as_object()
            .unwrap()
            .contains_key("jwt/"),
        "applied before the check"
    );

    std::env::set_var("KP_TEST_DB_ROOT_PASSWORD", &db.password);
    let plan = run_plan(&args);
    assert!(
        plan.stdout
            .contains("(secret from env KP_TEST_DB_ROOT_PASSWORD)"),
        "{}",
        plan.stdout
    );
    assert!(!plan.stdout.contains(&db.password));
    apply_clean(&args);
    assert_eq!(
        bao.data("database/config/mysql-database")["root_credentials_rotate_statements"],
        json!(["ALTER USER '{{username}}'@'%' IDENTIFIED BY '{{password}}';"])
    );
    let creds = bao.data("database/creds/my-role");
    db.login(
        creds["username"].as_str().unwrap(),
        creds["password"].as_str().unwrap(),
        "SELECT 1",
    )
    .unwrap();
    bao.client()
        .write(
            "database/rotate-root/mysql-database",
            &json!({}),
            kp_live::client::Retry::Idempotent,
        )
        .unwrap();
    assert!(db.login("vaulter", &db.password, "SELECT 1").is_err());
    assert_eq!(run_plan(&args).code, 0);
}

#[test]
fn compiled_workloads_log_in_with_exactly_their_capabilities() {
    let Some(()) = live() else { return };
    let jwks = Jwks::start();
    let dir = tempfile::tempdir().unwrap();
    let bao = Bao::dev();
    let source = WORKLOADS.replace("JWKS_URL", &jwks.url);
    let args = live_args(&bao, &[&write_program(dir.path(), "workloads.kp", &source)]);
    apply_clean(&args);

    let claims = |project: &str| {
        json!({"iss": "keyplan-test", "aud": "https://vault.example.com", "sub": "ci",
               "project_path": project, "ref": "refs/heads/main"})
    };
    let login = |role: &str, jwt: String| bao.jwt_login("jwt", role, &jwt);
    let caps = |token: &str, path: &str| bao.capabilities(token, &[path])[path].join(",");
    let trainer = login("trainer", jwks.mint(claims("ml/trainer"))).unwrap();
    assert_eq!(caps(&trainer, "secret/data/models/bert"), "read");
    assert_eq!(caps(&trainer, "secret/metadata/models/bert"), "list");
    assert_eq!(caps(&trainer, "ssh/sign/training-environment"), "update");
    assert_eq!(caps(&trainer, "secret/data/other"), "deny");
    assert_eq!(caps(&trainer, "ssh/sign/other"), "deny");
    let evaluator = login("evaluator", jwks.mint(claims("ml/evaluator"))).unwrap();
    assert_eq!(caps(&evaluator, "secret/data/models/bert"), "read");
    assert_eq!(caps(&evaluator, "secret/metadata/models/bert"), "deny");
    assert_eq!(caps(&evaluator, "ssh/sign/training-environment"), "deny");
    // Bound claims that do not match are refused.
    assert!(login("trainer", jwks.mint(claims("ml/evaluator"))).is_err());
    assert!(login("evaluator", jwks.mint(claims("ml/trainer"))).is_err());
}

#[test]
fn an_unreachable_server_or_a_bad_program_exits_1() {
    let Some(()) = live() else { return };
    let dir = tempfile::tempdir().unwrap();
    let bao = Bao::dev();
    let mut args = live_args(&bao, &[&write_program(dir.path(), "s1.kp", SCENARIO_1)]);
    args.addr = Some(format!("http://127.0.0.1:{}", free_port()));
    let r = run_plan(&args);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .starts_with("error: cannot reach the server at `http://127.0.0.1:"),
        "{}",
        r.stderr
    );
    let r = run_apply(&args, true, false, None);
    assert_eq!(r.code, 1);

    let args = live_args(
        &bao,
        &[&write_program(
            dir.path(),
            "bad.kp",
            "auth jwt { role x { nope = 1 } }",
        )],
    );
    let r = run_plan(&args);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("bad.kp:1:"), "{}", r.stderr);
    assert!(r.stderr.contains("keyplan check"), "{}", r.stderr);
}

/// A program in a directory of files (the mount and its user in one, the policy the
/// user names in another), with a password written as a literal: apply sends it (the
/// user logs in with it), and no output of plan or apply shows it.
#[test]
fn a_directory_program_with_a_literal_secret_applies_it_and_never_shows_it() {
    let Some(()) = live() else { return };
    const PASSWORD: &str = "literal-Pass-w0rd-never-shown";
    let dir = tempfile::tempdir().unwrap();
    let program = dir.path().join("program");
    std::fs::create_dir(&program).unwrap();
    // The user (in platform.kp) names a policy declared in the other file.
    let platform = write_program(
        &program,
        "platform.kp",
        &format!(
            "auth userpass people {{\n  user alice {{\n    password       = \"{PASSWORD}\"\n    token_policies = [reader]\n  }}\n}}\n"
        ),
    );
    let team = write_program(
        &program,
        "team.kp",
        "policy reader {\n  path \"secret/data/*\" {\n    capabilities = [read]\n  }\n}\n",
    );
    let bao = Bao::dev();
    let mut args = live_args(&bao, &[&program]);
    let mut outputs = Vec::new();
    for format in [Format::Text, Format::Json] {
        args.format = format;
        let p = run_plan(&args);
        assert_eq!(p.code, 2, "{}{}", p.stdout, p.stderr);
        // The directory or its files named one by one, in any order: one program.
        let mut by_files = live_args(&bao, &[&team, &platform]);
        by_files.format = format;
        let f = run_plan(&by_files);
        assert_eq!((f.code, &f.stdout), (2, &p.stdout), "{}", f.stderr);
        outputs.push(p.stdout + &p.stderr);
    }
    args.format = Format::Text;
    let applied = run_apply(&args, true, false, None);
    assert_eq!(applied.code, 0, "{}{}", applied.stdout, applied.stderr);
    outputs.push(applied.stdout + &applied.stderr);
    // The literal reached the server: alice logs in with it.
    let login = http_post(
        &bao.addr,
        "",
        "auth/people/login/alice",
        &json!({ "password": PASSWORD }),
    );
    assert!(
        login["auth"]["client_token"].is_string(),
        "login with the literal password failed: {login}"
    );
    // Written once, then the same plan is clean (the secret is not read back).
    for format in [Format::Text, Format::Json] {
        args.format = format;
        let p = run_plan(&args);
        assert_eq!(p.code, 0, "{}{}", p.stdout, p.stderr);
        outputs.push(p.stdout + &p.stderr);
    }
    for out in &outputs {
        assert!(!out.contains(PASSWORD), "the password shows in:\n{out}");
    }
}

/// `env("NAME")` in a list item, in a comma-separated field, in a map value and for a
/// value that is no secret (the PEM public key CI tokens are checked with): applied
/// from the environment, and proved by a real login that needs every one of them.
#[test]
fn env_values_anywhere_are_read_at_apply_and_log_in() {
    let Some(()) = live() else { return };
    let jwks = Jwks::start();
    let pubkey = run(std::process::Command::new("openssl")
        .args(["rsa", "-pubout", "-in"])
        .arg(&jwks.key_pem));
    // Names unique to this test: the environment is shared by the test threads.
    std::env::set_var("KP_ENVTEST_PUBKEY", &pubkey);
    std::env::set_var("KP_ENVTEST_AUDIENCE", "https://vault.env-test.example");
    std::env::set_var("KP_ENVTEST_PROJECT", "ml/env-trainer");
    std::env::set_var("KP_ENVTEST_CIDR", "127.0.0.0/8");
    let source = r#"
auth jwt {
  jwt_validation_pubkeys = [env("KP_ENVTEST_PUBKEY")]
  bound_issuer           = "keyplan-test"
}

workload env-trainer {
  login jwt {
    bound_audiences   = [env("KP_ENVTEST_AUDIENCE"), "https://other.example"]
    bound_claims      = { project_path = env("KP_ENVTEST_PROJECT") }
    token_bound_cidrs = [env("KP_ENVTEST_CIDR")]
    user_claim        = "sub"
  }
  read "secret/data/models/*"
}
"#;
    let dir = tempfile::tempdir().unwrap();
    let bao = Bao::dev();
    let args = live_args(&bao, &[&write_program(dir.path(), "env.kp", source)]);
    let planned = run_plan(&args);
    assert!(
        !planned.stdout.contains("BEGIN PUBLIC KEY"),
        "{}",
        planned.stdout
    );
    apply_clean(&args);
    let role = bao.data("auth/jwt/role/env-trainer");
    assert_eq!(
        role["bound_claims"]["project_path"], "ml/env-trainer",
        "{role}"
    );
    let jwt = jwks.mint(
        json!({"iss": "keyplan-test", "aud": "https://vault.env-test.example",
        "sub": "ci", "project_path": "ml/env-trainer"}),
    );
    let login = bao.jwt_login("jwt", "env-trainer", &jwt);
    assert!(login.is_ok(), "{login:?}");
}

/// `--prune` deletes only what lives under the program's own mounts: another team's
/// token role (the built-in token method is no program's mount) and another team's role
/// on a JWT mount managed elsewhere survive, and the plan says once why they are kept.
#[test]
fn prune_leaves_other_programs_token_roles_and_shared_mounts_alone() {
    let Some(()) = live() else { return };
    let dir = tempfile::tempdir().unwrap();
    let bao = Bao::dev();
    let client = bao.client();
    client
        .write(
            "sys/auth/shared",
            &json!({"type": "jwt"}),
            kp_live::client::Retry::Idempotent,
        )
        .unwrap();
    client
        .write(
            "auth/shared/role/team-a-ci",
            &json!({"role_type": "jwt", "user_claim": "sub", "bound_audiences": "a"}),
            kp_live::client::Retry::Idempotent,
        )
        .unwrap();
    let team_a = dir.path().join("a");
    std::fs::create_dir(&team_a).unwrap();
    write_program(
        &team_a,
        "a.kp",
        "auth token {\n  role team-a-deployer {\n    allowed_policies = [default]\n  }\n}\n",
    );
    apply_clean(&live_args(&bao, &[&team_a]));
    let team_b = dir.path().join("b");
    std::fs::create_dir(&team_b).unwrap();
    write_program(
        &team_b,
        "b.kp",
        "auth token {\n  role team-b-deployer {\n    allowed_policies = [default]\n  }\n}\n\n\
         workload team-b-ci {\n  login shared { bound_audiences = [\"b\"], user_claim = \"sub\" }\n  \
         read \"secret/data/b/*\"\n}\n",
    );
    let args = live_args(&bao, &[&team_b]);
    let planned = run_plan(&args);
    assert!(!planned.stdout.contains("? auth/"), "{}", planned.stdout);
    assert_eq!(
        planned.stdout.matches("`--prune` leaves alone").count(),
        1,
        "{}",
        planned.stdout
    );
    assert!(
        planned.stdout.contains("auth/token/roles"),
        "{}",
        planned.stdout
    );
    let mut json_args = args.clone();
    json_args.format = Format::Json;
    let doc: Json = serde_json::from_str(&run_plan(&json_args).stdout).unwrap();
    assert_valid(&validator("plan.schema.json"), &doc, "plan --format json");
    assert_eq!(
        doc["not_pruned"],
        json!(["auth/shared/role", "auth/token/roles"]),
        "{doc}"
    );
    let pruned = run_apply(&args, true, true, None);
    assert_eq!(pruned.code, 0, "{}{}", pruned.stdout, pruned.stderr);
    assert!(!pruned.stdout.contains("deleted"), "{}", pruned.stdout);
    for kept in [
        "auth/token/roles/team-a-deployer",
        "auth/shared/role/team-a-ci",
        "auth/token/roles/team-b-deployer",
        "auth/shared/role/team-b-ci",
    ] {
        assert!(client.read(kept).unwrap().is_some(), "{kept} was deleted");
    }
}

/// An `env()` variable that is set but empty is refused as an unset one is, before any
/// call: naming the variable, nothing applied (the mount is not even enabled).
#[test]
fn an_empty_env_secret_is_refused_before_any_call() {
    let Some(()) = live() else { return };
    std::env::set_var("KP_EMPTYTEST_PW", "");
    let dir = tempfile::tempdir().unwrap();
    let bao = Bao::dev();
    let args = live_args(
        &bao,
        &[&write_program(
            dir.path(),
            "empty.kp",
            "auth userpass team5 {\n  user carl { password = env(\"KP_EMPTYTEST_PW\"), token_policies = [default] }\n}\n",
        )],
    );
    let applied = run_apply(&args, true, false, None);
    assert_eq!(applied.code, 1, "{}{}", applied.stdout, applied.stderr);
    assert!(
        applied.stderr.contains("KP_EMPTYTEST_PW"),
        "{}",
        applied.stderr
    );
    assert!(!applied.stdout.contains("created"), "{}", applied.stdout);
    let auth = bao.client().read("sys/auth").unwrap().unwrap();
    assert!(auth["data"].get("team5/").is_none(), "{auth}");
}

/// A batch token has no accessor (the server answers `""`): `plan` looks it up by the
/// token recorded under `--token-out`, so the plan after `apply` is clean instead of
/// creating a new token on every apply.
#[test]
fn a_batch_token_plans_clean_after_apply() {
    let Some(()) = live() else { return };
    let dir = tempfile::tempdir().unwrap();
    let bao = Bao::dev();
    let program = compile_program(
        r#"
policy reader {
  path "secret/data/shared/*" { capabilities = [read] }
}

auth token {
  role ci-batch {
    allowed_policies = [reader]
    token_type       = "batch"
    orphan           = true
    renewable        = false
  }
}

token batch-token {
  role     = ci-batch
  policies = [reader]
  ttl      = 10m
  type     = "batch"
}
"#,
        kp_schema::Target::Openbao,
    )
    .unwrap();
    let out = dir.path().join("tokens");
    let report = apply_with(&bao, &program, Some(&out), false, &no_env);
    assert!(report.ok(), "apply failed: {report:?}");
    let token = std::fs::read_to_string(out.join("batch-token")).unwrap();
    assert!(token.starts_with("b."), "{token}");
    assert_clean(&bao, &program, Some(&out));
    // Dropped, it is not a deletion: a batch token cannot be revoked (it expires).
    let without = compile_program(
        "policy reader {\n  path \"secret/data/shared/*\" { capabilities = [read] }\n}\n",
        kp_schema::Target::Openbao,
    )
    .unwrap();
    let client = bao.client();
    let mut p = kp_live::cli::plan_program(&client, &without, Some(&out)).unwrap();
    kp_live::removals::plan_removals(&client, &mut p, &program, &without, Some(&out)).unwrap();
    let text = kp_live::render::plan_text(&p, &bao.addr);
    assert!(
        p.removals.iter().all(|r| r.resource.name != "batch-token"),
        "{text}"
    );
    // Named as a batch token, which the server cannot revoke: not as one whose accessor
    // was never recorded (it was: the server gives a batch token none).
    assert_eq!(p.batch_tokens, ["batch-token"], "{text}");
    assert!(p.unrevoked_tokens.is_empty(), "{text}");
    assert!(text.contains("note: batch token `batch-token`"), "{text}");
    assert!(!text.contains("none is recorded here"), "{text}");
    let doc: Json = serde_json::from_str(&kp_live::render::plan_json(&p, &bao.addr)).unwrap();
    assert_valid(&validator("plan.schema.json"), &doc, "plan --format json");
    assert_eq!(doc["batch_tokens"], json!(["batch-token"]), "{doc}");
}

/// A token whose `ttl` is over the token store's maximum (768h on a dev server) is
/// created with the maximum ("TTL value is capped accordingly"): the plan after apply is
/// clean, not a replace on every run (its `creation_ttl` reads back capped). A lower TTL
/// in the program afterwards is still planned as a replacement.
#[test]
fn a_token_over_the_maximum_ttl_plans_clean_after_apply() {
    let Some(()) = live() else { return };
    let dir = tempfile::tempdir().unwrap();
    let bao = Bao::dev();
    let text = |ttl: &str| {
        format!(
            r#"
policy reader {{
  path "secret/data/shared/*" {{ capabilities = [read] }}
}}

auth token {{
  role long {{
    allowed_policies = [reader]
  }}
}}

token long-lived {{
  role     = long
  policies = [reader]
  ttl      = {ttl}
}}
"#
        )
    };
    let program = compile_program(&text("1000h"), kp_schema::Target::Openbao).unwrap();
    let out = dir.path().join("tokens");
    let report = apply_with(&bao, &program, Some(&out), false, &no_env);
    assert!(report.ok(), "apply failed: {report:?}");
    assert_clean(&bao, &program, Some(&out));
    let shorter = compile_program(&text("24h"), kp_schema::Target::Openbao).unwrap();
    let client = bao.client();
    let p = kp_live::cli::plan_program(&client, &shorter, Some(&out)).unwrap();
    let text = kp_live::render::plan_text(&p, &bao.addr);
    assert!(text.contains("token/long-lived (replace)"), "{text}");
}
