//! No perpetual diffs, on one real OpenBao with a real MariaDB and PostgreSQL: a program
//! GENERATED from the endpoint schemas (`generate.rs`), setting every writable field of
//! every endpoint the language writes to a value other than its default, is applied; the
//! plan that follows must be clean. Server normalisations (PEM newlines, host CIDRs,
//! sorted lists, durations as seconds, maps as strings) and read-only fields are what
//! this catches. Every field the plan leaves uncompared must be one the server never
//! returns (`assert_compared`). The examples are applied and planned the same way. AWS
//! is Vault-only: its generated bodies are validated against their schemas instead.

// Helpers outside #[test] functions fail the test with their message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../common/mod.rs"]
mod common;
mod generate;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use generate::{Generated, Inputs};
use keyplan::ir::Program;
use kp_live::TargetArg;
use kp_schema::Target;

/// Endpoints whose bodies the language writes only in part, with the fields it writes:
/// a mount's own attributes (the rest of `sys/auth` is plugin selection) and a policy's
/// text (OpenBao's CAS and expiry of policies are not in the language).
const PARTIAL: &[(&str, &[&str])] = &[
    (
        "sys-auth",
        &["type", "description", "local", "seal_wrap", "config"],
    ),
    (
        "sys-mounts",
        &["type", "description", "local", "seal_wrap", "config"],
    ),
    ("policy", &["policy"]),
];

/// Endpoints this program does not write, each with where it is proven instead.
const ELSEWHERE: &[(&str, &str)] = &[
    (
        "database-rotate-root",
        "a bodiless action: tests/rotation.rs runs it on real MariaDB and PostgreSQL",
    ),
    (
        "aws-static-role",
        "needs real IAM users: scenario 5's bodies are checked against Vault's schema",
    ),
];

/// Every endpoint of `target` is written by the program, and each of its fields is set
/// by some block or skipped with a reason.
fn assert_covered(program: &Program, generated: &Generated, target: Target) {
    let mut set: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for r in &program.resources {
        set.entry(r.schema).or_default().extend(r.body.keys());
    }
    let mut missing = Vec::new();
    for ep in kp_schema::endpoints().filter(|e| e.supports(target)) {
        if ELSEWHERE.iter().any(|(id, _)| *id == ep.id) {
            continue;
        }
        let Some(fields) = set.get(ep.id.as_str()) else {
            missing.push(format!("{}: not written at all", ep.id));
            continue;
        };
        if let Some((_, only)) = PARTIAL.iter().find(|(id, _)| *id == ep.id) {
            missing.extend(
                only.iter()
                    .filter(|f| !fields.contains(**f))
                    .map(|f| format!("{}.{f}", ep.id)),
            );
            continue;
        }
        let skipped = generated.skipped.get(&ep.id);
        for (name, field) in &ep.fields {
            let excused = field.deprecated
                || !field.supports(target)
                || skipped.is_some_and(|s| s.contains_key(name));
            if !excused && !fields.contains(name.as_str()) {
                missing.push(format!("{}.{name}", ep.id));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "fields the all-fields program does not set: {missing:#?}"
    );
}

/// Every field the plan of the applied program does not compare is one the server never
/// returns: a secret, or a field of `diff::WRITE_ONLY` that the read really leaves out.
/// Every other field is compared, read back or not (a connection reads back only the
/// settings written: one left out is compared as its default). A token is compared
/// through its lookup, on its own terms.
fn assert_compared(bao: &Bao, program: &Program, tokens: &std::path::Path) {
    let live = kp_live::state::read(&bao.client(), program, Some(tokens)).unwrap();
    let plan = kp_live::diff::plan(program, &live);
    let mut wrong = Vec::new();
    for (r, p) in program.resources.iter().zip(&plan.resources) {
        if r.kind == keyplan::ir::ResourceKind::Token {
            continue;
        }
        let data = match live.resources.get(r.id.as_str()) {
            Some(kp_live::state::Live::Present(d)) => d,
            other => panic!("{} is not on the server: {other:?}", r.id),
        };
        for field in &p.not_compared {
            if matches!(
                r.body.get(field),
                Some(keyplan::ir::Value::Env(_) | keyplan::ir::Value::Secret(_))
            ) {
                continue;
            }
            let listed = kp_live::diff::WRITE_ONLY.contains(&(r.schema, field.as_str()));
            let read = data.get(field).is_some()
                || data
                    .get("connection_details")
                    .and_then(|d| d.get(field))
                    .is_some();
            if !listed || read {
                wrong.push(format!(
                    "{}.{field} ({}): listed write-only {listed}, read back {read}",
                    r.id, r.schema
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "fields not compared: {wrong:#?}");
}

fn compile(source: &str, target: Target) -> Program {
    compile_program(source, target).unwrap_or_else(|errors| panic!("{errors}\n{source}"))
}

/// The AWS secrets engine is Vault's only: no server here runs it, so the generated
/// bodies of the Vault program (AWS and all the others) are validated against the
/// endpoint schemas, and the coverage of Vault's fields is checked.
#[test]
fn every_body_of_the_all_fields_program_for_vault_matches_its_schema() {
    let inputs = Inputs {
        target: Target::Vault,
        ca_pem: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
        public_pem: "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n",
        ssh_public: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGen gen\n",
        jwks_url: "https://issuer.example.com/.well-known/jwks.json",
        oidc_issuer: "https://issuer.example.com",
        mysql_url: "{{username}}:{{password}}@tcp(127.0.0.1:3306)/",
        postgres_url: "postgresql://{{username}}:{{password}}@127.0.0.1:5432/postgres",
    };
    let generated = generate::generate(&inputs);
    let program = compile(&generated.source, Target::Vault);
    assert_covered(&program, &generated, Target::Vault);
    let mut aws = 0;
    for r in &program.resources {
        let schema = kp_schema::json_schema(r.schema).unwrap();
        let validator = jsonschema::validator_for(schema).unwrap();
        let body = serde_json::Value::Object(
            r.body
                .iter()
                .map(|(k, v)| (k.to_string(), v.redacted()))
                .collect(),
        );
        let errors: Vec<String> = validator
            .iter_errors(&body)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}\n{body:#}", r.id);
        aws += usize::from(r.schema.starts_with("aws-"));
    }
    assert_eq!(aws, 3, "aws root, lease and role");
}

#[test]
fn a_program_setting_every_writable_field_plans_clean_after_apply() {
    if live().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (ca, public) = self_signed(dir.path(), "generated-ca");
    let (ssh_private, ssh_public) = ssh_key_pair(dir.path(), "ssh-ca");
    let mariadb = Mariadb::start().expect("MariaDB is installed (scripts/install-live-deps.sh)");
    let postgres = Postgres::start().expect("PostgreSQL is installed");
    // The static roles' users exist before the roles that rotate them.
    mariadb.root_sql("CREATE USER 'kp_static'@'%' IDENTIFIED BY 'initial-static-pw';");
    postgres
        .login(
            "vaulter",
            &postgres.password,
            "CREATE ROLE kp_static WITH LOGIN PASSWORD 'initial-static-pw';",
        )
        .unwrap();
    let jwks = Jwks::start();
    let mysql_url = generate::mysql_url(mariadb.port);
    let postgres_url = generate::postgres_url(postgres.port);
    let generated = generate::generate(&Inputs {
        target: Target::Openbao,
        ca_pem: &ca,
        public_pem: &public,
        ssh_public: &ssh_public,
        jwks_url: &jwks.url,
        oidc_issuer: &jwks.issuer,
        mysql_url: &mysql_url,
        postgres_url: &postgres_url,
    });
    let source = &generated.source;
    let program = compile(source, Target::Openbao);
    assert_covered(&program, &generated, Target::Openbao);
    assert_eq!(
        mariadb.password, postgres.password,
        "one root password variable"
    );
    let db_password = mariadb.password.clone();
    let env = move |name: &str| match name {
        generate::SSH_KEY_ENV => Some(ssh_private.clone()),
        generate::DB_PASSWORD_ENV => Some(db_password.clone()),
        _ => generate::ENV
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.to_string()),
    };
    let bao = Bao::dev();
    let tokens = dir.path().join("generated-tokens");
    let report = apply_with(&bao, &program, Some(&tokens), false, &env);
    assert!(report.ok(), "apply failed: {report:#?}\n{source}");
    assert_clean(&bao, &program, Some(&tokens));
    assert_compared(&bao, &program, &tokens);
    // A second apply has nothing to do: the plan it computes is the clean one.
    let again = apply_with(&bao, &program, Some(&tokens), false, &env);
    assert!(again.ok() && again.applied.is_empty(), "{again:#?}");
    // The generated mounts are local and seal-wrapped, which a mount cannot stop being
    // in place (the plan refuses): the examples sharing their paths start from new ones.
    let client = bao.client();
    for r in program.resources.iter().filter(|r| {
        matches!(
            r.kind,
            keyplan::ir::ResourceKind::AuthMount | keyplan::ir::ResourceKind::SecretsMount
        )
    }) {
        client.delete(&r.id).unwrap();
    }

    // The examples of the language's login methods, applied on the same server.
    let logins = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/language-logins.kp"
    ))
    .unwrap();
    let (ca, _) = self_signed(dir.path(), "cluster");
    let logins = logins
        .replace("MIIBszCCAVmgAwIBAgIUB8\n-----END CERTIFICATE-----\n", "")
        .replace("-----BEGIN CERTIFICATE-----\n", &ca)
        .replace(
            "https://gitlab.example.com/oauth/discovery/keys",
            "__JWKS__",
        );
    let logins = logins.replace(
        "jwks_url = \"__JWKS__\"",
        &format!(
            "jwt_validation_pubkeys = [<<EOT\n{}EOT\n  ]",
            self_signed(dir.path(), "gitlab").1
        ),
    );
    let program = compile(&logins, Target::Openbao);
    let env = |name: &str| (name == "OPERATOR_PASSWORD").then(|| "operator-pw".to_string());
    let report = apply_with(&bao, &program, None, false, &env);
    assert!(report.ok(), "apply failed: {report:#?}\n{logins}");
    assert_clean(&bao, &program, None);

    // The repository's examples, one after the other on the same server (where they
    // share a mount, each apply converges it to that example): the one-file examples and
    // the multi-file one (a directory), their JWKS URL pointed at the local JWKS endpoint
    // (the server fetches it when the config is written) and their PostgreSQL at the
    // test's. Only the AWS example is left out: OpenBao has no AWS engine.
    postgres
        .login("vaulter", &postgres.password, "CREATE DATABASE features;")
        .unwrap();
    let local = |text: &str| {
        replace_jwks_urls(text, &jwks.url)
            .replace("127.0.0.1:5432", &format!("127.0.0.1:{}", postgres.port))
            .replace("\"vault_admin\"", "\"vaulter\"")
    };
    let pg_password = postgres.password.clone();
    let env = move |name: &str| (name == "FEATURE_STORE_PASSWORD").then(|| pg_password.clone());
    let mut applied = Vec::new();
    for (name, files) in common::example_programs() {
        if files.iter().any(|(_, text)| text.contains("secrets aws")) {
            continue;
        }
        let program_dir = write_program_dir(&dir.path().join("examples"), &name, &files, local);
        let program = kp_live::cli::load_paths(&[program_dir], Some(TargetArg::Openbao))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let tokens = dir.path().join("tokens");
        let report = apply_with(&bao, &program, Some(&tokens), false, &env);
        assert!(report.ok(), "{name}: {report:#?}");
        assert_clean(&bao, &program, Some(&tokens));
        applied.push(name);
    }
    assert!(
        applied.len() >= 6 && applied.iter().any(|a| a == "multi-team"),
        "examples applied: {applied:?}"
    );
}
