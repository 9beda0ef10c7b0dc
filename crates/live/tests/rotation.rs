//! Issue 12: a database `static-role` compiled from keyplan source and applied to a real
//! OpenBao rotates the password of an existing database user on its period and on
//! `rotate-role`, and `rotate_root = true` rotates the root password right after the
//! connection is created: proven by logging in to the real database before and after.

// Helpers outside #[test] functions fail the test with their message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use common::*;
use kp_live::client::Retry;
use serde_json::json;

const SOURCE: &str = r#"
secrets database {
  connection app {
    plugin_name    = "PLUGIN"
    connection_url = "URL"
    username       = "vaulter"
    password       = env("DB_ROOT_PASSWORD")
    allowed_roles  = [legacy, reader]
    rotate_root    = true
  }
  role reader {
    db_name             = app
    creation_statements = ["CREATE"]
    default_ttl         = 5m
  }
  static-role legacy {
    db_name         = app
    username        = "legacy"
    rotation_period = 5s
  }
}

workload nightly-job {
  creds database.legacy
}
"#;

fn compile(plugin: &str, url: &str, create: &str) -> keyplan::ir::Program {
    let src = SOURCE
        .replace("PLUGIN", plugin)
        .replace("URL", url)
        .replace("\"CREATE\"", &format!("{create:?}"));
    let compiled = keyplan::compile(
        &src,
        &keyplan::Options {
            target: keyplan::Target::Openbao,
        },
    );
    assert!(!compiled.has_errors(), "{:#?}", compiled.diagnostics);
    let program = compiled.program.unwrap();
    let rotation = program
        .root_rotation_of("database/config/app")
        .expect("rotate_root gives an action");
    assert_eq!(rotation.path, "database/rotate-root/app");
    let policy = program
        .resources
        .iter()
        .find(|r| r.path == "sys/policies/acl/nightly-job")
        .expect("the workload's policy");
    let hcl = format!("{:?}", policy.body);
    assert!(hcl.contains("database/static-creds/legacy"), "{hcl}");
    program
}

fn password(bao: &Bao) -> String {
    let creds = bao.data("database/static-creds/legacy");
    assert_eq!(creds["username"], "legacy");
    creds["password"].as_str().unwrap().to_string()
}

/// Applies, then proves each rotation by logging in with the passwords before and after.
fn exercise(
    bao: &Bao,
    program: &keyplan::ir::Program,
    root_password: &str,
    login: &dyn Fn(&str, &str) -> Result<String, String>,
) {
    let env = one_var("DB_ROOT_PASSWORD", root_password);
    // The root password works until apply.
    login("vaulter", root_password).unwrap_or_else(|e| panic!("root login before apply: {e}"));
    let first_plan = plan(bao, program, None);
    let step = first_plan.get("database/rotate-root/app").unwrap();
    assert_eq!(step.action, kp_live::diff::Action::Run);
    let report = apply_with(bao, program, None, false, &env);
    assert!(report.ok(), "{report:?}");
    let ran: Vec<&str> = report.applied.iter().map(|d| d.id.as_str()).collect();
    let at = |id: &str| ran.iter().position(|r| *r == id).unwrap();
    assert!(at("database/config/app") < at("database/rotate-root/app"));
    assert!(at("database/rotate-root/app") < at("database/static-roles/legacy"));
    // The password in the environment is dead: only the server knows the root password.
    assert!(
        login("vaulter", root_password).is_err(),
        "the environment's root password still logs in after rotate_root"
    );
    // The server's password differs from the environment's, yet the plan is clean and
    // the rotation does not run again.
    assert_clean(bao, program, None);
    // Dynamic credentials still work through the rotated root.
    let dynamic = bao.data("database/creds/reader");
    let (user, pass) = (
        dynamic["username"].as_str().unwrap(),
        dynamic["password"].as_str().unwrap(),
    );
    login(user, pass).unwrap_or_else(|e| panic!("dynamic credentials rejected: {e}"));

    let role = bao.data("database/static-roles/legacy");
    assert_eq!(role["rotation_period"], 5);
    assert_eq!(role["username"], "legacy");

    // Creating the role rotated the password away from the one the user was created with.
    assert!(login("legacy", "legacy-initial").is_err());
    let first = password(bao);
    login("legacy", &first).unwrap_or_else(|e| panic!("static credentials rejected: {e}"));

    // On its period: within a few ticks of the 5 s period, a new password, the old one dead.
    let start = Instant::now();
    let second = loop {
        let now = password(bao);
        if now != first {
            break now;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no rotation within 30 s of a 5 s period"
        );
        std::thread::sleep(Duration::from_millis(500));
    };
    login("legacy", &second).unwrap();
    assert!(
        login("legacy", &first).is_err(),
        "the old password still works"
    );

    // On demand: rotate-role.
    bao.client()
        .write("database/rotate-role/legacy", &json!({}), Retry::Idempotent)
        .unwrap();
    let third = password(bao);
    assert_ne!(third, second);
    login("legacy", &third).unwrap();
    assert!(login("legacy", &second).is_err());
    // The rotated passwords are never compared: the plan stays clean.
    assert_clean(bao, program, None);
}

#[test]
fn static_role_rotates_against_postgresql() {
    let Some(()) = live() else { return };
    let db = Postgres::start().expect(
        "PostgreSQL is not installed: run scripts/install-live-deps.sh (or KEYPLAN_SKIP_LIVE=1)",
    );
    db.login(
        "vaulter",
        &db.password,
        "CREATE ROLE legacy WITH LOGIN PASSWORD 'legacy-initial';",
    )
    .unwrap();
    login_ok(&db.login("legacy", "legacy-initial", "SELECT 1"));
    let bao = Bao::dev();
    let program = compile(
        "postgresql-database-plugin",
        &format!(
            "postgresql://{{{{username}}}}:{{{{password}}}}@127.0.0.1:{}/postgres?sslmode=disable",
            db.port
        ),
        "CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';",
    );
    exercise(&bao, &program, &db.password.clone(), &|u, p| {
        db.login(u, p, "SELECT 1")
    });
}

#[test]
fn static_role_rotates_against_mariadb() {
    let Some(()) = live() else { return };
    let db = Mariadb::start().expect(
        "MariaDB is not installed: run scripts/install-live-deps.sh (or KEYPLAN_SKIP_LIVE=1)",
    );
    db.login(
        "vaulter",
        &db.password,
        "CREATE USER 'legacy'@'%' IDENTIFIED BY 'legacy-initial';",
    )
    .unwrap();
    login_ok(&db.login("legacy", "legacy-initial", "SELECT 1"));
    let bao = Bao::dev();
    let program = compile(
        "mysql-database-plugin",
        &format!(
            "{{{{username}}}}:{{{{password}}}}@tcp(127.0.0.1:{})/",
            db.port
        ),
        "CREATE USER '{{name}}'@'%' IDENTIFIED BY '{{password}}';",
    );
    exercise(&bao, &program, &db.password.clone(), &|u, p| {
        db.login(u, p, "SELECT 1")
    });
}

fn login_ok(result: &Result<String, String>) {
    assert!(result.is_ok(), "{result:?}");
}

/// A call that fails beside the connection's write (a JWT config whose JWKS URL the
/// server cannot reach, at the same level) stops apply before the rotation's level. The
/// rotation still runs: no later plan could tell it never did, since the server's root
/// password is never read, and the environment's password would stay live for good.
#[test]
fn a_failure_beside_the_connection_does_not_skip_its_rotation() {
    let Some(()) = live() else { return };
    let db = Postgres::start().expect(
        "PostgreSQL is not installed: run scripts/install-live-deps.sh (or KEYPLAN_SKIP_LIVE=1)",
    );
    let src = format!(
        r#"
auth jwt ci {{
  jwks_url = "http://127.0.0.1:1/keys"
}}

secrets database {{
  connection app {{
    plugin_name    = "postgresql-database-plugin"
    connection_url = "postgresql://{{{{username}}}}:{{{{password}}}}@127.0.0.1:{}/postgres?sslmode=disable"
    username       = "vaulter"
    password       = env("DB_ROOT_PASSWORD")
    allowed_roles  = [reader]
    rotate_root    = true
  }}
  role reader {{
    db_name             = app
    creation_statements = ["CREATE ROLE \"{{{{name}}}}\" WITH LOGIN PASSWORD '{{{{password}}}}';"]
  }}
}}
"#,
        db.port
    );
    let program = compile_program(&src, kp_schema::Target::Openbao).unwrap();
    let bao = Bao::dev();
    let env = one_var("DB_ROOT_PASSWORD", &db.password);
    login_ok(&db.login("vaulter", &db.password, "SELECT 1"));
    let report = apply_with(&bao, &program, None, false, &env);
    assert!(!report.ok());
    assert_eq!(report.failed.len(), 1, "{report:?}");
    assert_eq!(report.failed[0].id, "auth/ci/config");
    let applied: Vec<&str> = report.applied.iter().map(|d| d.id.as_str()).collect();
    assert!(applied.contains(&"database/rotate-root/app"), "{report:?}");
    assert!(report
        .not_applied
        .contains(&"database/roles/reader".to_string()));
    assert!(report.unrotated.is_empty());
    assert!(
        db.login("vaulter", &db.password, "SELECT 1").is_err(),
        "the environment's root password still logs in after apply stopped"
    );
}

/// `rotate_root = true` added to a connection that exists: without the previous version
/// nothing tells the plan the rotation never ran (the root password is never read), but
/// with `--previous` the rotation is new since then and runs, once.
#[test]
fn rotate_root_added_later_runs_when_planned_with_the_previous_version() {
    let Some(()) = live() else { return };
    let db = Postgres::start().expect(
        "PostgreSQL is not installed: run scripts/install-live-deps.sh (or KEYPLAN_SKIP_LIVE=1)",
    );
    let source = |rotate: bool| {
        format!(
            r#"
secrets database {{
  connection app {{
    plugin_name    = "postgresql-database-plugin"
    connection_url = "postgresql://{{{{username}}}}:{{{{password}}}}@127.0.0.1:{}/postgres?sslmode=disable"
    username       = "vaulter"
    password       = env("DB_ROOT_PASSWORD")
    allowed_roles  = ["*"]
    rotate_root    = {rotate}
  }}
}}
"#,
            db.port
        )
    };
    let before = compile_program(&source(false), kp_schema::Target::Openbao).unwrap();
    let after = compile_program(&source(true), kp_schema::Target::Openbao).unwrap();
    let bao = Bao::dev();
    let env = one_var("DB_ROOT_PASSWORD", &db.password);
    assert!(apply_with(&bao, &before, None, false, &env).ok());
    login_ok(&db.login("vaulter", &db.password, "SELECT 1"));

    let client = bao.client();
    let rotation = |p: &kp_live::diff::Plan| {
        p.resources
            .iter()
            .find(|r| r.id == "database/rotate-root/app")
            .map(|r| r.action)
    };
    let blind = kp_live::cli::plan_program(&client, &after, None).unwrap();
    assert_eq!(rotation(&blind), Some(kp_live::diff::Action::Unchanged));
    let plan = kp_live::cli::plan_program_since(&client, &after, Some(&before), None).unwrap();
    assert_eq!(rotation(&plan), Some(kp_live::diff::Action::Run));
    let opts = kp_live::apply::ApplyOptions {
        token_out: None,
        prune: false,
        env: &env,
    };
    let report = kp_live::apply::apply(&client, &after, &plan, &opts);
    assert!(report.ok(), "{report:?}");
    assert!(
        db.login("vaulter", &db.password, "SELECT 1").is_err(),
        "the environment's root password still logs in after the rotation"
    );
    // Applied, the rotation is in the previous version: it does not run again.
    let again = kp_live::cli::plan_program_since(&client, &after, Some(&after), None).unwrap();
    assert_eq!(rotation(&again), Some(kp_live::diff::Action::Unchanged));
}
