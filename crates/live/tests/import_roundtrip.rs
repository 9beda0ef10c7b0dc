//! The import round trip on one real OpenBao (with a real MariaDB and PostgreSQL): for
//! the generated all-fields program of the clean-plan tests and for every example, on a
//! server reset to empty, apply → import → the imported program is formatted, compiles,
//! plans clean, and builds the same resources with the same bodies as the original
//! (order aside; secrets compared as "some env reference", policies by what they grant).
//!
//! Left out of the comparison, each for a reason the server imposes:
//! - `token` resources: a created token is a secret, not configuration; nothing on the
//!   server says a program created it.
//! - `database/rotate-root/NAME` actions: the server does not say whether a root password
//!   was rotated (the imported connection keeps `password = env(...)`).
//! - Example 05's AWS engine: OpenBao has none; the rest of 05 is applied.
//!
//! What the server normalises, the comparison does too: lists compared as sets (the
//! server sorts policies and globs), a string's final newline (heredocs end with one; the
//! server trims statements and PEMs), a host CIDR `/32`. A field the original sets to
//! what the import leaves out by design (`kp_import::omitted`: the default, an empty
//! value, the server's "unset" value) is the same as the field left out. [`UNKNOWABLE`]
//! lists the few fields the server never reads back, each with why.
//!
//! Every difference of every program is collected before the test fails, so one run
//! lists every class of difference.

// Helpers outside #[test] functions fail the test with their message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
#[path = "clean_plans/generate.rs"]
mod generate;

use std::collections::BTreeMap;
use std::path::Path;

use common::*;
use keyplan::ir::{Program, ResourceKind, Value};
use kp_live::TargetArg;
use kp_schema::Target;
use serde_json::Value as Json;

/// Fields of the all-fields program the server never reads back, so no import can
/// restore them: (resource id, field, why).
const UNKNOWABLE: &[(&str, &str, &str)] = &[
    (
        "auth/approle/role/everything",
        "role_id",
        "a role id is read at role/NAME/role-id, and a chosen one is indistinguishable from a generated one",
    ),
    (
        "auth/jwt-jwks/config",
        "skip_jwks_validation",
        "OpenBao 2.7.2 does not read it back",
    ),
    (
        "ssh-imported/config/ca",
        "generate_signing_key",
        "a CA key pair given to the engine reads back as one it generated (imported as generated)",
    ),
    (
        "ssh-imported/config/ca",
        "key_type",
        "see generate_signing_key: read from the public key of the pair the engine was given",
    ),
    (
        "ssh-imported/config/ca",
        "private_key",
        "see generate_signing_key: a generated CA has no private key to provide",
    ),
    (
        "ssh-imported/config/ca",
        "public_key",
        "see generate_signing_key: a generated CA's public key is the server's choice",
    ),
    (
        "ssh/config/ca",
        "key_type",
        "`rsa` is a spelling of the default `ssh-rsa`: the public key says RSA, not which spelling",
    ),
];

/// The start of the warnings the import gives for the database connections and the JWT
/// configs with a key URL on OpenBao, which never reads these fields back.
const NOT_READ_BACK: [&str; 2] = [
    "`verify_connection` is not read back",
    "`skip_jwks_validation` is not read back",
];

/// A body with every secret written as the same placeholder (the env names of the
/// imported program are derived from the resource, not the original's), and what the
/// server normalises normalised: lists as sorted sets, final newlines, host `/32`s.
fn plain(v: &Value) -> Json {
    match v {
        Value::Str(s) => Json::String(s.trim_end_matches('\n').trim_end_matches("/32").to_string()),
        Value::Int(i) => Json::from(*i),
        Value::Bool(b) => Json::Bool(*b),
        Value::List(l) => {
            let mut items: Vec<Json> = l.iter().map(plain).collect();
            items.sort_by_key(|i| i.to_string());
            Json::Array(items)
        }
        Value::Map(m) => Json::Object(m.iter().map(|(k, v)| (k.to_string(), plain(v))).collect()),
        Value::Env(_) | Value::Secret(_) => Json::String("(secret)".into()),
        Value::Policy(doc) => plain(&Value::Str(doc.to_hcl())),
    }
}

type Shape = BTreeMap<String, (ResourceKind, &'static str, BTreeMap<String, Json>)>;

/// What the comparison looks at: by resource id, its kind, schema and body.
fn shape(p: &Program) -> Shape {
    p.resources
        .iter()
        .filter(|r| !matches!(r.kind, ResourceKind::Token | ResourceKind::Action))
        .map(|r| {
            let body = r
                .body
                .iter()
                .map(|(k, v)| (k.to_string(), plain(v)))
                .collect();
            (r.id.to_string(), (r.kind, r.schema, body))
        })
        .collect()
}

/// The mount type of a resource's mount, for what the checker infers from it.
fn mount_type(p: &Program, id: &str) -> String {
    let mount = p
        .resources
        .iter()
        .find(|r| r.id == id)
        .and_then(|r| r.mount.clone());
    p.resources
        .iter()
        .find(|r| Some(&r.id) == mount.as_ref())
        .and_then(|r| r.body.get("type"))
        .map(|t| match t {
            Value::Str(s) => s.clone(),
            _ => String::new(),
        })
        .unwrap_or_default()
}

/// Differences between the original's resources and the imported program's.
fn differences(case: &str, original: &Program, imported: &Program) -> Vec<String> {
    let unknown = |id: &str, field: &str| {
        case == "all-fields" && UNKNOWABLE.iter().any(|(i, f, _)| *i == id && *f == field)
    };
    let (a, b) = (shape(original), shape(imported));
    let mut out = Vec::new();
    for (id, (kind, schema, body)) in &a {
        let Some((kind2, _, body2)) = b.get(id) else {
            out.push(format!("{id}: not imported"));
            continue;
        };
        if kind != kind2 {
            out.push(format!("{id}: kind {kind:?} became {kind2:?}"));
        }
        if *kind == ResourceKind::Policy {
            let text = |b: &BTreeMap<String, Json>| {
                b.get("policy")
                    .and_then(Json::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            if !kp_import::policy::same_policy(&text(body), &text(body2)) {
                out.push(format!(
                    "{id}: policy grants differ\n--- original\n{}\n--- imported\n{}",
                    text(body),
                    text(body2)
                ));
            }
            continue;
        }
        let ty = mount_type(original, id);
        for (field, v) in body {
            let unknowable = unknown(id, field);
            match body2.get(field) {
                None if unknowable || kp_import::omitted(schema, field, v, &ty) => {}
                None => out.push(format!("{id}.{field}: {v} not imported")),
                Some(_) if unknowable => {}
                Some(v2) if v2 != v => out.push(format!("{id}.{field}: {v} imported as {v2}")),
                Some(_) => {}
            }
        }
        for (field, v2) in body2 {
            let unknowable = unknown(id, field);
            if !body.contains_key(field) && !unknowable {
                out.push(format!(
                    "{id}.{field}: imported {v2}, the original has none"
                ));
            }
        }
    }
    for id in b.keys().filter(|id| !a.contains_key(*id)) {
        out.push(format!("{id}: imported, not in the original"));
    }
    out
}

/// Back to a fresh server: every mount, policy and token role keyplan may have written
/// is removed (the dev server's own `secret/` too: no original declares it unasked).
fn reset(bao: &Bao) {
    let c = bao.client();
    for (table, prefix, keep) in [
        ("sys/auth", "sys/auth/", &["token"][..]),
        (
            "sys/mounts",
            "sys/mounts/",
            &["sys", "cubbyhole", "identity"][..],
        ),
    ] {
        let data = bao.data(table);
        for path in data.as_object().unwrap().keys() {
            let path = path.trim_end_matches('/');
            if !keep.contains(&path) {
                c.delete(&format!("{prefix}{path}")).unwrap();
            }
        }
    }
    for name in c.list("sys/policies/acl").unwrap() {
        if name != "default" && name != "root" {
            c.delete(&format!("sys/policies/acl/{name}")).unwrap();
        }
    }
    for name in c.list("auth/token/roles").unwrap_or_default() {
        c.delete(&format!("auth/token/roles/{name}")).unwrap();
    }
}

/// Apply `program`, import the server, and check the round trip; the problems found.
fn round_trip(
    bao: &Bao,
    name: &str,
    program: &Program,
    env: &(dyn Fn(&str) -> Option<String> + Sync),
    dir: &Path,
) -> Vec<String> {
    reset(bao);
    let report = apply_with(bao, program, Some(&dir.join("tokens")), false, env);
    assert!(report.ok(), "{name}: apply failed: {report:#?}");
    let options = kp_import::Options {
        target: kp_import::Target::Openbao,
        ..kp_import::Options::default()
    };
    let snap = kp_live::import::read_snapshot(&bao.client(), &options).unwrap();
    let imported = kp_import::import(&snap, &options);
    let text = &imported.program;
    let mut problems = Vec::new();
    if kp_fmt::format(text).ok().as_ref() != Some(text) {
        problems.push("the imported program is not formatted".to_string());
    }
    // Every connection's `verify_connection` and JWT config's `skip_jwks_validation`,
    // which OpenBao does not keep (fields no import can restore, as [`UNKNOWABLE`]'s):
    // the import says so, in one warning for each field.
    for w in imported
        .warnings
        .iter()
        .filter(|w| !NOT_READ_BACK.iter().any(|s| w.message.starts_with(s)))
    {
        problems.push(format!("warning: {}: {}", w.subject, w.message));
    }
    match compile_program(text, Target::Openbao) {
        Err(e) => problems.push(format!("the imported program does not compile:\n{e}")),
        Ok(back) => {
            let plan = plan(bao, &back, None);
            if plan.has_changes() {
                problems.push(format!(
                    "plan of the imported program is not clean:\n{}",
                    kp_live::render::plan_text(&plan, &bao.addr)
                ));
            }
            problems.extend(differences(name, program, &back));
        }
    }
    // Statements the language has a shorthand for are written with it.
    if name == "pipeline.kp" {
        // `keyplan fmt` aligns a workload's statements: compare words.
        let words: Vec<String> = text
            .lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect();
        for shorthand in ["sign ssh.gpu-hosts", "creds database.readonly"] {
            if !words.iter().any(|l| l == shorthand) {
                problems.push(format!("`{shorthand}` is not written as the shorthand"));
            }
        }
    }
    if !problems.is_empty() && std::env::var_os("KEYPLAN_SHOW_IMPORTED").is_some() {
        eprintln!("--- {name}: imported program\n{text}");
    }
    problems
        .into_iter()
        .map(|p| format!("{name}: {p}"))
        .collect()
}

/// Example 05 without what OpenBao lacks: its `secrets aws` block and the statement
/// that reads from it.
fn without_aws(text: &str) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for line in text.lines() {
        if line.starts_with("secrets aws") {
            skipping = true;
        }
        if !skipping && line.trim() != "creds aws.deployer" {
            out.push_str(line);
            out.push('\n');
        }
        if skipping && line == "}" {
            skipping = false;
        }
    }
    out
}

#[test]
fn apply_import_plan_and_build_agree_for_the_examples_and_the_all_fields_program() {
    if live().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mariadb = Mariadb::start().expect("MariaDB is installed (scripts/install-live-deps.sh)");
    let postgres = Postgres::start().expect("PostgreSQL is installed");
    mariadb.root_sql(
        "CREATE USER 'kp_static'@'%' IDENTIFIED BY 'initial-static-pw'; \
         CREATE USER 'nightly-report'@'%' IDENTIFIED BY 'initial-report-pw'; \
         CREATE USER 'kp_root05'@'%' IDENTIFIED BY 'root05-pw'; \
         GRANT ALL PRIVILEGES ON *.* TO 'kp_root05'@'%' WITH GRANT OPTION; FLUSH PRIVILEGES;",
    );
    let pg = |sql: &str| {
        postgres
            .login("vaulter", &postgres.password, sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    };
    pg("CREATE ROLE kp_static WITH LOGIN PASSWORD 'initial-static-pw';");
    pg("CREATE ROLE vault_admin WITH LOGIN SUPERUSER PASSWORD 'admin-pw';");
    pg("CREATE DATABASE features;");
    let jwks = Jwks::start();
    let bao = Bao::dev();
    let mut problems = Vec::new();

    // The all-fields program of the clean-plan tests.
    let (ca, public) = self_signed(dir.path(), "generated-ca");
    let (ssh_private, ssh_public) = ssh_key_pair(dir.path(), "ssh-ca");
    let mysql_url = generate::mysql_url(mariadb.port);
    let postgres_url = generate::postgres_url(postgres.port);
    let generated = generate::generate(&generate::Inputs {
        target: Target::Openbao,
        ca_pem: &ca,
        public_pem: &public,
        ssh_public: &ssh_public,
        jwks_url: &jwks.url,
        oidc_issuer: &jwks.issuer,
        mysql_url: &mysql_url,
        postgres_url: &postgres_url,
    });
    let program = compile_program(&generated.source, Target::Openbao).unwrap();
    let db_password = mariadb.password.clone();
    let env = move |name: &str| match name {
        generate::SSH_KEY_ENV => Some(ssh_private.clone()),
        generate::DB_PASSWORD_ENV => Some(db_password.clone()),
        _ => generate::ENV
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.to_string()),
    };
    problems.extend(round_trip(&bao, "all-fields", &program, &env, dir.path()));

    // The examples, each alone on the reset server, made local: JWKS, databases.
    let local = |text: &str| {
        replace_jwks_urls(text, &jwks.url)
            .replace("127.0.0.1:5432", &format!("127.0.0.1:{}", postgres.port))
            .replace("127.0.0.1:3306", &format!("127.0.0.1:{}", mariadb.port))
            .replace(
                "username                 = \"vaulter\"",
                "username = \"kp_root05\"",
            )
    };
    let env = |name: &str| match name {
        "FEATURE_STORE_PASSWORD" => Some("admin-pw".to_string()),
        "DB_ROOT_PASSWORD" => Some("root05-pw".to_string()),
        _ => None,
    };
    let mut done = Vec::new();
    for (name, files) in common::example_programs() {
        let program_dir = write_program_dir(&dir.path().join("examples"), &name, &files, |text| {
            local(&without_aws(text))
        });
        let program = kp_live::cli::load_paths(&[program_dir], Some(TargetArg::Openbao))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        // Root rotations of earlier examples changed these passwords: back to known ones.
        pg("ALTER ROLE vault_admin PASSWORD 'admin-pw';");
        mariadb.root_sql("ALTER USER 'kp_root05'@'%' IDENTIFIED BY 'root05-pw';");
        problems.extend(round_trip(&bao, &name, &program, &env, dir.path()));
        done.push(name);
    }
    assert_eq!(done.len(), 7, "examples round-tripped: {done:?}");
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
