//! `keyplan import` against a real OpenBao: a server configured by hand through the HTTP
//! API (no keyplan involved) is imported; the program compiles, is formatted, and
//! `keyplan plan` of it against the same server is clean. Also `-o DIR`, a token that
//! may read only part of the server, and unreachable and sealed servers.
//!
//! One server for the whole binary, one test function: the commands read `VAULT_TOKEN`
//! from the process environment, which parallel tests would race on.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::PathBuf;

use common::{live, Bao, Jwks};
use kp_live::client::Retry;
use kp_live::{ImportArgs, LiveArgs, PlanArgs, TargetArg};
use serde_json::{json, Value as Json};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn import(addr: &str, out_dir: Option<PathBuf>, extra: impl FnOnce(&mut ImportArgs)) -> Run {
    let mut args = ImportArgs {
        addr: Some(addr.to_string()),
        namespace: None,
        // The server says it is OpenBao: no --target.
        target: None,
        mounts: Vec::new(),
        policies: Vec::new(),
        out_dir,
        concurrency: 8,
        timeout: 5,
    };
    extra(&mut args);
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = kp_live::run_import(&args, &mut out, &mut err);
    Run {
        code,
        stdout: String::from_utf8(out).unwrap(),
        stderr: String::from_utf8(err).unwrap(),
    }
}

fn plan(addr: &str, file: PathBuf) -> Run {
    let args = PlanArgs {
        live: LiveArgs {
            files: vec![file],
            addr: Some(addr.to_string()),
            namespace: None,
            target: Some(TargetArg::Openbao),
            token_out: None,
            format: kp_live::Format::Text,
            concurrency: 8,
            timeout: 10,
            previous: None,
        },
        out: None,
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = kp_live::run_plan(&args, &mut out, &mut err);
    Run {
        code,
        stdout: String::from_utf8(out).unwrap(),
        stderr: String::from_utf8(err).unwrap(),
    }
}

fn write(bao: &Bao, path: &str, body: Json) {
    bao.client()
        .write(path, &body, Retry::Idempotent)
        .unwrap_or_else(|e| panic!("{path}: {e}"));
}

// In HCL 1's layout, which the server takes and HCL 2 does not: a comma after an
// attribute and after a block, two attributes on one line.
const DEPLOYER: &str = r#"# written by hand
path "secret/data/deploy/+/config" {
  capabilities = ["read"],
},
path "secret/metadata/deploy/*" { capabilities = ["list", "read"] policy = "read" }
"#;

const SHARED: &str = r#"path "kv/data/shared/*" {
  capabilities = ["read", "list"]
}

# nobody reads the root secret
path "kv/data/shared/root" {
  capabilities = ["deny"]
}

# written before capabilities existed: read and list
path "kv/metadata/shared/*" {
  policy = "read"
}
"#;

const PER_USER: &str = r#"path "kv/data/users/{{identity.entity.name}}/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}
path "sys/capabilities-self" { capabilities = ["update"] }"#;

const RESTRICTED: &str = r#"path "secret/data/restricted" {
  capabilities       = ["create", "update"]
  allowed_parameters = {
    "data" = []
  }
  min_wrapping_ttl = "1m"
}
"#;

/// The server as an operator configured it, with the API only.
fn configure(bao: &Bao, jwks: &Jwks) {
    write(
        bao,
        "sys/policies/acl/deployer",
        json!({ "policy": DEPLOYER }),
    );
    write(
        bao,
        "sys/policies/acl/shared-read",
        json!({ "policy": SHARED }),
    );
    write(
        bao,
        "sys/policies/acl/per-user",
        json!({ "policy": PER_USER }),
    );
    write(
        bao,
        "sys/policies/acl/restricted",
        json!({ "policy": RESTRICTED }),
    );

    write(
        bao,
        "sys/auth/jwt",
        json!({"type": "jwt", "description": "GitLab CI"}),
    );
    write(
        bao,
        "auth/jwt/config",
        json!({"jwks_url": jwks.url, "bound_issuer": "https://gitlab.example.com", "skip_jwks_validation": true}),
    );
    write(
        bao,
        "auth/jwt/role/deployer",
        json!({
            "role_type": "jwt", "user_claim": "sub", "bound_audiences": ["https://bao.example.com"],
            "bound_claims": {"project_path": "ops/deploy", "ref": "main"},
            "token_policies": ["deployer"], "token_ttl": "15m", "token_max_ttl": 3600
        }),
    );
    for role in ["reader-a", "reader-b"] {
        write(
            bao,
            &format!("auth/jwt/role/{role}"),
            json!({
                "role_type": "jwt", "user_claim": "sub", "bound_audiences": ["https://bao.example.com"],
                "bound_subject": format!("project:{role}"), "token_policies": ["shared-read", "default"]
            }),
        );
    }
    // An oidc-type role on a jwt mount: its `role_type` is not the mount's default and
    // must be imported (the schema's default, `oidc`, is not the mount's).
    write(
        bao,
        "auth/jwt/role/web-login",
        json!({
            "role_type": "oidc", "user_claim": "sub",
            "allowed_redirect_uris": ["http://localhost:8250/oidc/callback"],
            "token_policies": ["default"]
        }),
    );
    write(bao, "sys/auth/approle", json!({"type": "approle"}));
    write(
        bao,
        "auth/approle/role/builder",
        json!({
            "secret_id_ttl": "10m", "secret_id_num_uses": 1, "token_policies": "per-user",
            "token_bound_cidrs": ["10.0.0.0/8"]
        }),
    );
    write(
        bao,
        "sys/auth/k8s",
        json!({"type": "kubernetes", "config": {"default_lease_ttl": "1h"}}),
    );
    write(
        bao,
        "auth/k8s/role/app",
        json!({
            "bound_service_account_names": ["app"], "bound_service_account_namespaces": ["prod"],
            "token_policies": ["shared-read", "restricted"], "token_period": 3600
        }),
    );
    write(bao, "sys/auth/people", json!({"type": "userpass"}));
    write(
        bao,
        "auth/people/users/alice",
        json!({"password": "not-imported-1", "token_policies": ["per-user"]}),
    );
    write(bao, "sys/auth/cert", json!({"type": "cert"}));

    write(
        bao,
        "sys/mounts/kv",
        json!({"type": "kv", "options": {"version": "2"}, "description": "team secrets"}),
    );
    write(bao, "kv/config", json!({"max_versions": 5}));
    write(
        bao,
        "sys/mounts/database",
        json!({"type": "database", "config": {"max_lease_ttl": "24h"}}),
    );
    write(
        bao,
        "database/config/pg",
        json!({
            "plugin_name": "postgresql-database-plugin",
            "connection_url": "postgresql://{{username}}:{{password}}@127.0.0.1:5432/app",
            "username": "vault", "password": "not-imported-2", "verify_connection": false,
            "allowed_roles": ["readonly"]
        }),
    );
    write(
        bao,
        "database/roles/readonly",
        json!({
            "db_name": "pg", "default_ttl": "10m", "max_ttl": "1h",
            "creation_statements": ["CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';",
                                    "GRANT SELECT ON ALL TABLES IN SCHEMA public TO \"{{name}}\";"]
        }),
    );
    write(bao, "sys/mounts/ssh", json!({"type": "ssh"}));
    write(bao, "ssh/config/ca", json!({"generate_signing_key": true}));
    write(
        bao,
        "ssh/roles/dev",
        json!({
            "key_type": "ca", "allow_user_certificates": true, "allowed_users": "ubuntu,deploy",
            "default_user": "ubuntu", "ttl": "1h", "allowed_extensions": "permit-pty"
        }),
    );
    write(
        bao,
        "sys/mounts/pki",
        json!({"type": "pki", "config": {"max_lease_ttl": "8760h"}}),
    );
    write(bao, "sys/mounts/transit", json!({"type": "transit"}));
    write(
        bao,
        "auth/token/roles/ci",
        json!({
            "allowed_policies": ["deployer-extra", "per-user"], "orphan": true, "token_period": "1h"
        }),
    );
}

/// Written with the `bao` CLI, as an operator would: a policy file with `+` segments,
/// `deny`, a templated path and a path written twice; an AppRole mount at a path of its
/// own with a role keyplan never wrote; a KV version 1 mount.
const OPS_CLI: &str = r#"# maintained by hand with `bao policy write`
path "cli-kv/+/shared" {
  capabilities = ["read", "list"]
}
path "cli-kv/{{identity.entity.id}}/*" {
  capabilities = ["create", "read", "update", "delete"]
}
path "cli-kv/admin/*" {
  capabilities = ["deny"]
}
path "cli-kv/+/shared" {
  capabilities = ["update"]
}
"#;

fn configure_with_cli(bao: &Bao, dir: &std::path::Path) {
    let file = dir.join("ops-cli.hcl");
    std::fs::write(&file, OPS_CLI).unwrap();
    let bao_run = |args: &[&str]| common::run(bao.bao_cmd().args(args));
    bao_run(&["policy", "write", "ops-cli", file.to_str().unwrap()]);
    bao_run(&["auth", "enable", "-path=ci-approle", "approle"]);
    bao_run(&[
        "write",
        "auth/ci-approle/role/nightly",
        "token_policies=ops-cli,default",
        "secret_id_ttl=20m",
        "token_num_uses=3",
        "token_ttl=30m",
        "bind_secret_id=true",
    ]);
    bao_run(&["secrets", "enable", "-path=cli-kv", "-version=1", "kv"]);
    bao_run(&[
        "secrets",
        "tune",
        "-default-lease-ttl=2h",
        "-description=tuned by hand",
        "cli-kv",
    ]);
}

#[test]
fn import_a_hand_configured_server() {
    let Some(()) = live() else { return };
    let bao = Bao::dev();
    let jwks = Jwks::start();
    configure(&bao, &jwks);
    std::env::set_var("VAULT_TOKEN", &bao.token);
    let dir = tempfile::tempdir().unwrap();
    configure_with_cli(&bao, dir.path());
    // The snapshot kp-import's golden tests read (crates/import/tests/fixtures).
    if let Ok(path) = std::env::var("KEYPLAN_IMPORT_FIXTURE") {
        let options = kp_import::Options {
            target: kp_import::Target::Openbao,
            ..kp_import::Options::default()
        };
        let snap = kp_live::import::read_snapshot(&bao.client(), &options).unwrap();
        std::fs::write(path, serde_json::to_string_pretty(&snap).unwrap() + "\n").unwrap();
    }

    // One program on stdout: formatted, compiles, plans clean against the same server.
    let one = import(&bao.addr, None, |_| {});
    assert_eq!(one.code, 0, "{}", one.stderr);
    let program = one.stdout.clone();
    assert!(
        program.starts_with(&format!(
            "# Imported from OpenBao {} by `keyplan import`: check, plan and apply with `--target openbao`.\n",
            bao.client().read("sys/seal-status").unwrap().unwrap()["version"].as_str().unwrap()
        )),
        "{program}"
    );
    assert_eq!(kp_fmt::format(&program).unwrap(), program, "not formatted");
    for secret in ["not-imported-1", "not-imported-2", "BEGIN"] {
        assert!(
            !program.contains(secret),
            "a secret was imported: {program}"
        );
    }
    let main = dir.path().join("main.kp");
    std::fs::write(&main, &program).unwrap();
    let p = plan(&bao.addr, main.clone());
    assert_eq!(
        p.code, 0,
        "plan of the imported program is not clean:\n{}\n{}\n{program}",
        p.stdout, p.stderr
    );

    // The warnings name what was kept or skipped; the variables to set are listed.
    // Every auth method OpenBao 2.7.2 has is one keyplan knows, `cert` included.
    assert!(program.contains("\nauth cert {}\n"), "{program}");
    assert!(
        !one.stderr.contains("is not one keyplan knows"),
        "{}",
        one.stderr
    );
    assert!(one.stderr.contains("policy restricted: keyplan cannot write `allowed_parameters` and `min_wrapping_ttl` on path \"secret/data/restricted\""), "{}", one.stderr);
    // `pg` was written with `verify_connection = false`, which OpenBao does not keep: the
    // read says nothing of it, so the import cannot write it, and says so.
    assert!(
        !bao.data("database/config/pg")
            .to_string()
            .contains("verify_connection"),
        "OpenBao now reads it back: import it"
    );
    assert!(
        one.stderr.contains(
            "database/config/pg: `verify_connection` is not read back (OpenBao does not keep it)"
        ),
        "{}",
        one.stderr
    );
    // So was the JWT config's `skip_jwks_validation = true`: said so, naming the mount.
    assert!(
        !bao.data("auth/jwt/config")
            .to_string()
            .contains("skip_jwks_validation"),
        "OpenBao now reads it back: import it"
    );
    assert!(
        one.stderr.contains(
            "auth/jwt/config: `skip_jwks_validation` is not read back (OpenBao does not keep it)"
        ),
        "{}",
        one.stderr
    );
    assert!(
        one.stderr.contains("PEOPLE_ALICE_PASSWORD"),
        "{}",
        one.stderr
    );
    assert!(
        one.stderr.contains("DATABASE_PG_PASSWORD"),
        "{}",
        one.stderr
    );

    // What the program says, with the server's random SSH CA key left out.
    let shown: String = program
        .lines()
        .map(|l| {
            if l.trim_start().starts_with("jwks_url") {
                "  jwks_url     = \"(the test's JWKS endpoint)\""
            } else if l.trim_start().starts_with("public_key") {
                "    public_key  = \"(generated)\""
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!("hand_configured", shown);

    // -o DIR: one file per mount plus policies.kp; the directory is the same program.
    let out = dir.path().join("infra");
    let files = import(&bao.addr, Some(out.clone()), |_| {});
    assert_eq!(files.code, 0, "{}", files.stderr);
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "auth-approle.kp",
            "auth-cert.kp",
            "auth-ci-approle.kp",
            "auth-jwt.kp",
            "auth-k8s.kp",
            "auth-people.kp",
            "auth-token.kp",
            "policies.kp",
            "secrets-cli-kv.kp",
            "secrets-database.kp",
            "secrets-kv.kp",
            "secrets-pki.kp",
            "secrets-secret.kp",
            "secrets-ssh.kp",
            "secrets-transit.kp",
        ]
    );
    let p = plan(&bao.addr, out.clone());
    assert_eq!(
        p.code, 0,
        "plan of the directory is not clean:\n{}\n{}",
        p.stdout, p.stderr
    );

    // --mount and --policy select.
    let some = import(&bao.addr, None, |a| {
        a.mounts = vec!["jwt".into()];
        a.policies = vec!["shared-read".into()];
    });
    assert_eq!(some.code, 0, "{}", some.stderr);
    assert!(some.stdout.contains("auth jwt {"));
    assert!(!some.stdout.contains("secrets"));
    assert!(some.stdout.contains("policy shared-read"));

    // A token that may read part of the server: what it can read is imported, each
    // refused path is reported.
    write(
        &bao,
        "sys/policies/acl/importer",
        json!({"policy": r#"
path "sys/auth" { capabilities = ["read"] }
path "sys/mounts" { capabilities = ["read"] }
path "auth/jwt/*" { capabilities = ["read", "list"] }
path "sys/policies/acl" { capabilities = ["list"] }
path "sys/policies/acl/shared-read" { capabilities = ["read"] }
"#}),
    );
    let token = bao
        .client()
        .write(
            "auth/token/create",
            &json!({"policies": ["importer"], "ttl": "10m"}),
            Retry::Idempotent,
        )
        .unwrap()["auth"]["client_token"]
        .as_str()
        .unwrap()
        .to_string();
    std::env::set_var("VAULT_TOKEN", &token);
    let part = import(&bao.addr, None, |_| {});
    assert_eq!(part.code, 0, "{}", part.stderr);
    assert!(
        part.stdout.contains("role deployer") || part.stdout.contains("workload deployer"),
        "{}",
        part.stdout
    );
    for refused in [
        "auth/approle/role",
        "database/config",
        "sys/policies/acl/deployer",
        "auth/token/roles",
    ] {
        assert!(
            part.stderr.contains(&format!("could not read `{refused}`")),
            "{refused}: {}",
            part.stderr
        );
    }

    // A token that may read nothing: nothing imported, exit 1.
    let nothing = bao
        .client()
        .write(
            "auth/token/create",
            &json!({"policies": ["default"], "ttl": "10m"}),
            Retry::Idempotent,
        )
        .unwrap()["auth"]["client_token"]
        .as_str()
        .unwrap()
        .to_string();
    std::env::set_var("VAULT_TOKEN", &nothing);
    let none = import(&bao.addr, None, |_| {});
    assert_eq!(none.code, 1, "{}", none.stderr);
    assert!(
        none.stderr.contains("nothing could be imported"),
        "{}",
        none.stderr
    );
    std::env::set_var("VAULT_TOKEN", &bao.token);

    a_second_import_removes_the_files_of_mounts_the_server_no_longer_has(&bao, &token);

    // Unreachable and sealed servers: one-line errors, exit 1.
    let port = common::free_port();
    let gone = import(&format!("http://127.0.0.1:{port}"), None, |_| {});
    assert_eq!(gone.code, 1);
    assert!(
        gone.stderr.starts_with("error: cannot reach the server"),
        "{}",
        gone.stderr
    );
    bao.seal();
    let sealed = import(&bao.addr, None, |_| {});
    assert_eq!(sealed.code, 1);
    assert!(sealed.stderr.contains("is sealed"), "{}", sealed.stderr);
}

/// Importing again into the same directory after a mount was deleted on the server
/// removes that mount's file from the earlier import (and only files an import wrote):
/// left behind, the directory planned to create the mount again. A selective import
/// (`--mount`), and one that could not read every path (`partial`, a token that may
/// read only part of the server), write part of the program and remove nothing.
fn a_second_import_removes_the_files_of_mounts_the_server_no_longer_has(bao: &Bao, partial: &str) {
    write(bao, "sys/auth/machines", json!({"type": "cert"}));
    write(bao, "sys/auth/builders", json!({"type": "approle"}));
    write(
        bao,
        "auth/builders/role/b",
        json!({"token_policies": ["default"]}),
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("infra");
    let first = import(&bao.addr, Some(out.clone()), |_| {});
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(out.join("auth-machines.kp").exists(), "{}", first.stderr);
    std::fs::write(out.join("mine.kp"), "# not an import's\n").unwrap();

    bao.client().delete("sys/auth/machines").unwrap();
    let some = import(&bao.addr, Some(out.clone()), |a| {
        a.mounts = vec!["builders".into()];
    });
    assert_eq!(some.code, 0, "{}", some.stderr);
    assert!(out.join("auth-machines.kp").exists(), "{}", some.stderr);
    std::env::set_var("VAULT_TOKEN", partial);
    let part = import(&bao.addr, Some(out.clone()), |_| {});
    std::env::set_var("VAULT_TOKEN", &bao.token);
    assert_eq!(part.code, 0, "{}", part.stderr);
    assert!(part.stderr.contains("could not read"), "{}", part.stderr);
    assert!(out.join("auth-machines.kp").exists(), "{}", part.stderr);

    let second = import(&bao.addr, Some(out.clone()), |_| {});
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert!(!out.join("auth-machines.kp").exists(), "{}", second.stderr);
    assert!(
        second.stderr.contains("auth-machines.kp"),
        "{}",
        second.stderr
    );
    assert!(out.join("auth-builders.kp").exists());
    assert!(
        out.join("mine.kp").exists(),
        "a file import did not write is kept"
    );
    std::fs::remove_file(out.join("mine.kp")).unwrap();
    let p = plan(&bao.addr, out);
    assert_eq!(p.code, 0, "{}\n{}", p.stdout, p.stderr);
}
