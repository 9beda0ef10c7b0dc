//! Scenario 5 on OpenBao (no AWS engine there): a database connection against a real
//! MariaDB and the same shape against PostgreSQL; dynamic credentials log in; rotate-root.
//! A Redis connection (the plugin's own fields, no URL) against a real redis-server.

// Helpers outside #[test] functions fail the test with their message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use keyplan::ir::{ResourceKind as K, Value};
use kp_live::client::Retry;
use serde_json::json;

fn mount() -> keyplan::ir::Resource {
    resource(
        "sys/mounts/database",
        K::SecretsMount,
        vec![
            ("type", s("database")),
            ("description", s("Database Secrets Engine")),
            ("local", Value::Bool(true)),
            ("seal_wrap", Value::Bool(false)),
            (
                "config",
                Value::Map(keyplan::ir::Body::from([
                    ("default_lease_ttl".to_string(), Value::Int(600)),
                    ("max_lease_ttl".to_string(), Value::Int(3600)),
                ])),
            ),
        ],
        &[],
    )
}

fn db_program(plugin: &str, url: &str, rotation: &str, creation: &[&str]) -> keyplan::ir::Program {
    program(vec![
        mount(),
        resource(
            "database/config/app-db",
            K::Connection,
            vec![
                ("plugin_name", s(plugin)),
                ("connection_url", s(url)),
                ("allowed_roles", list(&["my-role"])),
                ("username", s("vaulter")),
                ("password", env("DB_ROOT_PASSWORD")),
                ("root_rotation_statements", list(&[rotation])),
            ],
            &["sys/mounts/database"],
        ),
        resource(
            "database/roles/my-role",
            K::Role,
            vec![
                ("db_name", s("app-db")),
                ("creation_statements", list(creation)),
                ("default_ttl", Value::Int(600)),
                ("max_ttl", Value::Int(3600)),
            ],
            &["sys/mounts/database", "database/config/app-db"],
        ),
    ])
}

/// Applies, plans clean, reads dynamic credentials, rotates the root password.
fn exercise(
    bao: &Bao,
    program: &keyplan::ir::Program,
    initial: &str,
    login: &dyn Fn(&str, &str) -> Result<String, String>,
) {
    // A missing secret stops apply before anything is written.
    let client = bao.client();
    let p = kp_live::cli::plan_program(&client, program, None).unwrap();
    let err = kp_live::apply::check_ready(
        program,
        &p,
        &kp_live::apply::ApplyOptions {
            token_out: None,
            prune: false,
            env: &no_env,
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains("DB_ROOT_PASSWORD"), "{err}");
    assert!(!err.to_string().contains(initial));
    assert!(!bao
        .data("sys/mounts")
        .as_object()
        .unwrap()
        .contains_key("database/"));

    let env = one_var("DB_ROOT_PASSWORD", initial);
    let report = apply_with(bao, program, None, false, &env);
    assert!(report.ok(), "{report:?}");
    let plan_text = kp_live::render::plan_text(&plan(bao, program, None), &bao.addr);
    assert!(!plan_text.contains(initial), "the plan shows a secret");

    let mounts = bao.data("sys/mounts");
    assert_eq!(mounts["database/"]["local"], true);
    assert_eq!(mounts["database/"]["config"]["default_lease_ttl"], 600);
    assert_eq!(mounts["database/"]["config"]["max_lease_ttl"], 3600);
    let conn = bao.data("database/config/app-db");
    assert_eq!(conn["allowed_roles"], json!(["my-role"]));
    assert_eq!(conn["connection_details"]["username"], "vaulter");
    assert!(conn["connection_details"].get("password").is_none());
    assert_clean(bao, program, None);

    let creds = bao.data("database/creds/my-role");
    let user = creds["username"].as_str().unwrap();
    let pass = creds["password"].as_str().unwrap();
    let out = login(user, pass).unwrap_or_else(|e| panic!("dynamic user cannot log in: {e}"));
    assert!(out.contains('1'), "{out}");

    // rotate-root: the initial password stops working, Vault keeps working.
    client
        .write("database/rotate-root/app-db", &json!({}), Retry::Idempotent)
        .unwrap();
    assert!(
        login("vaulter", initial).is_err(),
        "the old root password still works"
    );
    let creds = bao.data("database/creds/my-role");
    login(
        creds["username"].as_str().unwrap(),
        creds["password"].as_str().unwrap(),
    )
    .unwrap();
    // The rotated password is not readable back, so the plan stays clean.
    assert_clean(bao, program, None);
}

#[test]
fn scenario_5_database_against_mariadb() {
    let Some(()) = live() else { return };
    let db = Mariadb::start().expect(
        "MariaDB is not installed: run scripts/install-live-deps.sh (or KEYPLAN_SKIP_LIVE=1)",
    );
    let bao = Bao::dev();
    let program = db_program(
        "mysql-database-plugin",
        &format!(
            "{{{{username}}}}:{{{{password}}}}@tcp(127.0.0.1:{})/",
            db.port
        ),
        "ALTER USER '{{username}}'@'%' IDENTIFIED BY '{{password}}';",
        &[
            "CREATE USER '{{name}}'@'%' IDENTIFIED BY '{{password}}';",
            "GRANT SELECT ON *.* TO '{{name}}'@'%';",
        ],
    );
    exercise(&bao, &program, &db.password.clone(), &|u, p| {
        db.login(u, p, "SELECT 1")
    });
}

#[test]
fn scenario_5_database_against_postgresql() {
    let Some(()) = live() else { return };
    let db = Postgres::start().expect(
        "PostgreSQL is not installed: run scripts/install-live-deps.sh (or KEYPLAN_SKIP_LIVE=1)",
    );
    let bao = Bao::dev();
    let program = db_program(
        "postgresql-database-plugin",
        &format!(
            "postgresql://{{{{username}}}}:{{{{password}}}}@127.0.0.1:{}/postgres?sslmode=disable",
            db.port
        ),
        "ALTER ROLE \"{{username}}\" WITH PASSWORD '{{password}}';",
        &["CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';"],
    );
    exercise(&bao, &program, &db.password.clone(), &|u, p| {
        db.login(u, p, "SELECT 1")
    });
}

/// A Redis connection written in keyplan (`host`, `port`, `tls`: the Redis plugin's own
/// fields, which read back under `connection_details`), a dynamic role of ACL rules and a
/// static role, with `rotate_root`: the credentials log in with exactly their rules, and
/// the plan after apply is clean.
#[test]
fn a_redis_connection_applies_logs_in_and_plans_clean() {
    let Some(()) = live() else { return };
    let db = Redis::start().expect(
        "redis-server is not installed: run scripts/install-live-deps.sh (or KEYPLAN_SKIP_LIVE=1)",
    );
    db.admin(&[
        "ACL",
        "SETUSER",
        "app",
        "on",
        ">app-initial-pw",
        "~*",
        "+@read",
    ])
    .unwrap();
    let source = format!(
        r#"secrets database "cache" {{
  connection redis {{
    plugin_name   = "redis-database-plugin"
    host          = "127.0.0.1"
    port          = {}
    tls           = false
    username      = "vaulter"
    password      = env("REDIS_ROOT_PASSWORD")
    allowed_roles = [reader, app]
    rotate_root   = true
  }}

  role reader {{
    db_name             = redis
    creation_statements = ["[\"~*\", \"+@read\"]"]
    default_ttl         = 1h
  }}

  static-role app {{
    db_name         = redis
    username        = "app"
    rotation_period = 24h
  }}
}}
"#,
        db.port
    );
    let program = compile_program(&source, kp_schema::Target::Openbao).unwrap();
    let bao = Bao::dev();
    let env = one_var("REDIS_ROOT_PASSWORD", &db.password);
    let report = apply_with(&bao, &program, None, false, &env);
    assert!(report.ok(), "{report:?}");

    let conn = bao.data("cache/config/redis");
    let details = &conn["connection_details"];
    assert_eq!(details["host"], "127.0.0.1");
    assert_eq!(details["port"], json!(db.port));
    assert_eq!(details["username"], "vaulter");
    assert!(details.get("password").is_none());
    // rotate_root ran: the environment's root password no longer logs in.
    assert!(db.login("vaulter", &db.password, &["PING"]).is_err());
    assert_clean(&bao, &program, None);

    // The dynamic user has the role's rules: it reads, and may not write.
    let creds = bao.data("cache/creds/reader");
    let (user, pass) = (
        creds["username"].as_str().unwrap(),
        creds["password"].as_str().unwrap(),
    );
    db.admin(&["SET", "greeting", "hello"]).unwrap();
    assert_eq!(db.login(user, pass, &["GET", "greeting"]).unwrap(), "hello");
    let refused = db
        .login(user, pass, &["SET", "greeting", "bye"])
        .unwrap_err();
    assert!(refused.starts_with("NOPERM"), "{refused}");

    // The static role's user logs in with the rotated password only.
    let creds = bao.data("cache/static-creds/app");
    assert_eq!(creds["username"], "app");
    let pass = creds["password"].as_str().unwrap();
    assert_eq!(
        db.login("app", pass, &["GET", "greeting"]).unwrap(),
        "hello"
    );
    assert!(db.login("app", "app-initial-pw", &["PING"]).is_err());
    assert_clean(&bao, &program, None);
}
