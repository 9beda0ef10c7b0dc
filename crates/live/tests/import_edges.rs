//! `keyplan import` of what a server holds but the language cannot write as read back,
//! on a real OpenBao with a real PostgreSQL and MariaDB:
//!
//! - negative durations (a JWT role's leeways, a KV `delete_version_after`, a mount's
//!   lease TTL): the server takes them, `-1s` does not parse;
//! - connection URLs written with a literal password: read back masked
//!   (`postgresql://postgres:xxxxx@...`), in clear (a MySQL DSN), or escaped as a URL
//!   path (a libpq key=value DSN); written back as read, the next apply would break the
//!   connection or the program would hold the password;
//! - database roles their connection's `allowed_roles` does not list, which the checker
//!   refuses (`kp::role-not-allowed`).
//!
//! The imported program checks; applied with the variables import lists, the
//! connections still issue working credentials, and the plan is then clean but for what
//! the server itself keeps re-escaping.
//!
//! One test function: `keyplan import` reads `VAULT_TOKEN` from the process environment.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use kp_live::client::Retry;
use kp_live::ImportArgs;
use kp_schema::Target;
use serde_json::{json, Value as Json};

fn write(bao: &Bao, path: &str, body: Json) {
    bao.client()
        .write(path, &body, Retry::Idempotent)
        .unwrap_or_else(|e| panic!("{path}: {e}"));
}

const PG_CREATE: &str =
    "CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';";

/// The server as an operator configured it by hand, credentials in the URLs.
fn configure(bao: &Bao, jwks: &Jwks, pg: &Postgres, maria: &Mariadb) {
    write(bao, "sys/auth/jwt", json!({"type": "jwt"}));
    write(bao, "auth/jwt/config", json!({"jwks_url": jwks.url}));
    // Any negative leeway means "no leeway"; the server keeps the number given.
    write(
        bao,
        "auth/jwt/role/leeway",
        json!({
            "role_type": "jwt", "user_claim": "sub", "bound_audiences": ["ci"],
            "expiration_leeway": -1, "clock_skew_leeway": -5, "not_before_leeway": 30,
            "token_policies": ["default"]
        }),
    );
    write(
        bao,
        "sys/mounts/kv",
        json!({"type": "kv", "options": {"version": "2"}}),
    );
    // Read back as `-1s`: "disabled on every key".
    write(bao, "kv/config", json!({"delete_version_after": -1}));
    write(bao, "sys/mounts/transit", json!({"type": "transit"}));
    write(
        bao,
        "sys/mounts/transit/tune",
        json!({"default_lease_ttl": -5}),
    );

    write(bao, "sys/mounts/database", json!({"type": "database"}));
    // A URL with its password: read back `postgresql://vaulter:xxxxx@...`.
    write(
        bao,
        "database/config/pg",
        json!({
            "plugin_name": "postgresql-database-plugin",
            "connection_url": format!(
                "postgresql://vaulter:{}@127.0.0.1:{}/postgres?sslmode=disable",
                pg.password, pg.port
            ),
            "allowed_roles": ["reader", "legacy"]
        }),
    );
    write(
        bao,
        "database/roles/reader",
        json!({"db_name": "pg", "creation_statements": [PG_CREATE], "default_ttl": "5m"}),
    );
    // A dynamic role its connection does not allow (the server takes it, and refuses
    // its credentials).
    write(
        bao,
        "database/roles/writer",
        json!({"db_name": "pg", "creation_statements": [PG_CREATE]}),
    );
    // A static role allowed when created, no longer since.
    write(
        bao,
        "database/static-roles/legacy",
        json!({"db_name": "pg", "username": "kp_legacy", "rotation_period": "24h"}),
    );
    write(
        bao,
        "database/config/pg",
        json!({"allowed_roles": ["reader"]}),
    );
    // A MySQL DSN: Go cannot parse it as a URL, so it reads back in clear.
    write(
        bao,
        "database/config/my",
        json!({
            "plugin_name": "mysql-database-plugin",
            "connection_url": format!("vaulter:{}@tcp(127.0.0.1:{})/", maria.password, maria.port),
            "allowed_roles": ["my-reader"]
        }),
    );
    write(
        bao,
        "database/roles/my-reader",
        json!({
            "db_name": "my",
            "creation_statements": ["CREATE USER '{{name}}'@'%' IDENTIFIED BY '{{password}}';"]
        }),
    );
    // A libpq key=value DSN: Go takes it for a URL path and reads it back escaped.
    write(
        bao,
        "database/config/pgkv",
        json!({
            "plugin_name": "postgresql-database-plugin",
            "connection_url": format!(
                "host=127.0.0.1 port={} user=vaulter password={} dbname=postgres sslmode=disable",
                pg.port, pg.password
            ),
            "allowed_roles": ["kv-reader"]
        }),
    );
    write(
        bao,
        "database/roles/kv-reader",
        json!({"db_name": "pgkv", "creation_statements": [PG_CREATE]}),
    );
    // A workload reading the credentials of the role its connection refuses.
    write(
        bao,
        "sys/policies/acl/writer-job",
        json!({"policy": "path \"database/creds/writer\" { capabilities = [\"read\"] }"}),
    );
    write(
        bao,
        "auth/jwt/role/writer-job",
        json!({
            "role_type": "jwt", "user_claim": "sub", "bound_audiences": ["ci"],
            "token_policies": ["writer-job"]
        }),
    );
}

fn import(addr: &str) -> (i32, String, String) {
    let args = ImportArgs {
        addr: Some(addr.to_string()),
        namespace: None,
        target: None,
        mounts: Vec::new(),
        policies: Vec::new(),
        out_dir: None,
        concurrency: 8,
        timeout: 10,
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = kp_live::run_import(&args, &mut out, &mut err);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

/// Credentials of `role`, logged in with: the connection works.
fn creds(bao: &Bao, role: &str) -> (String, String) {
    let data = bao.data(&format!("database/creds/{role}"));
    (
        data["username"].as_str().unwrap().to_string(),
        data["password"].as_str().unwrap().to_string(),
    )
}

#[test]
fn negative_durations_credentials_in_urls_and_roles_not_allowed() {
    if live().is_none() {
        return;
    }
    let pg = Postgres::start().expect("PostgreSQL is installed");
    let maria = Mariadb::start().expect("MariaDB is installed (scripts/install-live-deps.sh)");
    pg.login(
        "vaulter",
        &pg.password,
        "CREATE ROLE kp_legacy WITH LOGIN PASSWORD 'legacy-initial';",
    )
    .unwrap();
    let jwks = Jwks::start();
    let bao = Bao::dev();
    configure(&bao, &jwks, &pg, &maria);
    std::env::set_var("VAULT_TOKEN", &bao.token);
    // The snapshot kp-import's golden tests read (crates/import/tests/fixtures).
    if let Ok(path) = std::env::var("KEYPLAN_IMPORT_EDGES_FIXTURE") {
        let options = kp_import::Options {
            target: kp_import::Target::Openbao,
            ..kp_import::Options::default()
        };
        let snap = kp_live::import::read_snapshot(&bao.client(), &options).unwrap();
        std::fs::write(path, serde_json::to_string_pretty(&snap).unwrap() + "\n").unwrap();
    }

    let (code, program, stderr) = import(&bao.addr);
    assert_eq!(code, 0, "{stderr}");
    // It checks: no `-1s`, no role its connection refuses.
    let compiled = compile_program(&program, Target::Openbao)
        .unwrap_or_else(|e| panic!("the imported program does not check:\n{e}\n{program}"));
    let words: Vec<String> = program
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    let has = |line: &str| words.iter().any(|l| l == line);
    for line in [
        "expiration_leeway = -1",
        "clock_skew_leeway = -1",
        "not_before_leeway = 30s",
        "connection_url = \"{{username}}:{{password}}@tcp(127.0.0.1:PORT)/\""
            .replace("PORT", &maria.port.to_string())
            .as_str(),
        "username = \"vaulter\"",
        "password = env(\"DATABASE_PG_PASSWORD\")",
        "password = env(\"DATABASE_MY_PASSWORD\")",
        "password = env(\"DATABASE_PGKV_PASSWORD\")",
        "read \"database/creds/writer\"",
        "# role writer {",
        "# static-role legacy {",
    ] {
        assert!(has(line), "`{line}` not in:\n{program}");
    }
    assert!(
        program.contains(&format!(
            "\"postgresql://{{{{username}}}}:{{{{password}}}}@127.0.0.1:{}/postgres?sslmode=disable\"",
            pg.port
        )),
        "{program}"
    );
    assert!(
        program.contains(&format!(
            "\"host=127.0.0.1 port={} user={{{{username}}}} password={{{{password}}}} dbname=postgres sslmode=disable\"",
            pg.port
        )),
        "{program}"
    );
    for never in [
        "-1s",
        "xxxxx",
        pg.password.as_str(),
        "%20",
        "delete_version_after",
    ] {
        assert!(!program.contains(never), "`{never}` in:\n{program}");
    }
    for said in [
        "auth/jwt/role/leeway: `clock_skew_leeway` = -5: any negative leeway means \"no leeway\"",
        "kv/config: `delete_version_after` = \"-1s\" is a negative duration",
        "sys/mounts/transit: `default_lease_ttl` = -5 is a negative duration",
        "database/config/pg: `connection_url` reads back with its password masked",
        "database/config/my: `connection_url` holds its password in clear",
        "database/config/pgkv: `connection_url` reads back escaped as a URL path",
        "database/roles/writer: connection `pg` does not allow role `writer`",
        "database/static-roles/legacy: connection `pg` does not allow static role `legacy`",
        "DATABASE_PG_PASSWORD",
        "DATABASE_MY_PASSWORD",
        "DATABASE_PGKV_PASSWORD",
    ] {
        assert!(stderr.contains(said), "`{said}` not said:\n{stderr}");
    }

    // Applied with the variables import listed, every connection still works.
    let (pg_pw, maria_pw) = (pg.password.clone(), maria.password.clone());
    let env = move |name: &str| match name {
        "DATABASE_PG_PASSWORD" | "DATABASE_PGKV_PASSWORD" => Some(pg_pw.clone()),
        "DATABASE_MY_PASSWORD" => Some(maria_pw.clone()),
        _ => None,
    };
    let report = apply_with(&bao, &compiled, None, false, &env);
    assert!(
        report.ok(),
        "apply of the imported program failed: {report:#?}"
    );
    let details = bao.data("database/config/pg")["connection_details"].clone();
    assert_eq!(
        details["connection_url"],
        format!(
            "postgresql://{{{{username}}}}:{{{{password}}}}@127.0.0.1:{}/postgres?sslmode=disable",
            pg.port
        ),
        "{details}"
    );
    assert_eq!(details["username"], "vaulter", "{details}");
    let (user, password) = creds(&bao, "reader");
    pg.login(&user, &password, "SELECT 1;")
        .unwrap_or_else(|e| panic!("pg credentials after apply: {e}"));
    let (user, password) = creds(&bao, "my-reader");
    maria
        .login(&user, &password, "SELECT 1;")
        .unwrap_or_else(|e| panic!("MariaDB credentials after apply: {e}"));
    let (user, password) = creds(&bao, "kv-reader");
    pg.login(&user, &password, "SELECT 1;")
        .unwrap_or_else(|e| panic!("key=value DSN credentials after apply: {e}"));
    // The roles left out are still there, untouched (no prune).
    assert!(bao
        .client()
        .read("database/roles/writer")
        .unwrap()
        .is_some());

    // Clean, but for the key=value DSN the server escapes again on each read (the plan
    // compares its text as read).
    let after = plan(&bao, &compiled, None);
    let changed: Vec<&str> = after
        .resources
        .iter()
        .filter(|r| r.action != kp_live::diff::Action::Unchanged)
        .map(|r| r.id.as_str())
        .collect();
    assert!(
        changed.iter().all(|id| *id == "database/config/pgkv"),
        "plan after apply:\n{}",
        kp_live::render::plan_text(&after, &bao.addr)
    );
    let unmanaged = after.unmanaged.join(" ");
    assert!(
        unmanaged.contains("database/roles/writer")
            && unmanaged.contains("database/static-roles/legacy"),
        "{unmanaged}"
    );
}

/// PEM texts configured by hand (a Kubernetes CA certificate with and without its final
/// newline, PEM keys, a JWT method's public keys) are imported as heredocs, not one line
/// of `\n` escapes; the program is formatted, and plans clean against the same server.
#[test]
fn pem_texts_are_imported_as_heredocs_and_plan_clean() {
    if live().is_none() {
        return;
    }
    let bao = Bao::dev();
    let dir = tempfile::tempdir().unwrap();
    let (cert, public) = self_signed(dir.path(), "k8s-ca");
    let enable = |args: &[&str]| run(bao.bao_cmd().args(args));
    enable(&["auth", "enable", "-path=k8s", "kubernetes"]);
    enable(&["auth", "enable", "-path=k8s-trimmed", "kubernetes"]);
    enable(&["auth", "enable", "-path=ci", "jwt"]);
    write(
        &bao,
        "auth/k8s/config",
        json!({"kubernetes_host": "https://k8s.example.com:6443", "kubernetes_ca_cert": cert, "pem_keys": [public]}),
    );
    write(
        &bao,
        "auth/k8s-trimmed/config",
        json!({"kubernetes_host": "https://k8s.example.com:6443", "kubernetes_ca_cert": cert.trim_end()}),
    );
    write(
        &bao,
        "auth/ci/config",
        json!({"jwt_validation_pubkeys": [public]}),
    );
    std::env::set_var("VAULT_TOKEN", &bao.token);
    let (code, program, err) = import(&bao.addr);
    assert_eq!(code, 0, "{err}");
    assert!(!program.contains("-----\\n"), "{program}");
    for start in [
        "  kubernetes_ca_cert = <<-EOT\n    -----BEGIN CERTIFICATE-----\n",
        "  pem_keys           = [\n    <<-EOT\n      -----BEGIN PUBLIC KEY-----\n",
        "  jwt_validation_pubkeys = [\n    <<-EOT\n      -----BEGIN PUBLIC KEY-----\n",
    ] {
        assert!(program.contains(start), "{start}\n{program}");
    }
    assert_eq!(kp_fmt::format(&program).unwrap(), program);
    let main = write_program(dir.path(), "main.kp", &program);
    let p = run_plan(&live_args(&bao, &[&main]));
    assert_eq!(p.code, 0, "{}{}\n{program}", p.stdout, p.stderr);
}
