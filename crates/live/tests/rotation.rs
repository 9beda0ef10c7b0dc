//! Issue 12, first part: a database `static-role` compiled from keyplan source and applied
//! to a real OpenBao rotates the password of an existing database user on its period and on
//! `rotate-role`, proven by logging in to the real database before and after.

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
    allowed_roles  = [legacy]
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

fn compile(plugin: &str, url: &str) -> keyplan::ir::Program {
    let src = SOURCE.replace("PLUGIN", plugin).replace("URL", url);
    let compiled = keyplan::compile(
        &src,
        &keyplan::Options {
            target: keyplan::Target::Openbao,
        },
    );
    assert!(!compiled.has_errors(), "{:#?}", compiled.diagnostics);
    let program = compiled.program.unwrap();
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
    let root = root_password.to_string();
    let env = move |name: &str| (name == "DB_ROOT_PASSWORD").then(|| root.clone());
    let report = apply_with(bao, program, None, false, &env);
    assert!(report.ok(), "{report:?}");
    assert_clean(bao, program, None);

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
    );
    exercise(&bao, &program, &db.password.clone(), &|u, p| {
        db.login(u, p, "SELECT 1")
    });
}

fn login_ok(result: &Result<String, String>) {
    assert!(result.is_ok(), "{result:?}");
}
