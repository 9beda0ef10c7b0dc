//! Imported programs from snapshots of real servers (`tests/fixtures/*.json`, read from
//! OpenBao by `crates/live/tests/import.rs` with `KEYPLAN_IMPORT_FIXTURE=PATH`): the
//! printed program is pinned, is formatted, and compiles without errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use kp_import::{Options, Snapshot, Target};
use serde_json::json;

fn compile_errors(source: &str, target: keyplan::Target) -> Vec<String> {
    diagnostics(source, target, |_, error| error)
}

/// The diagnostics `keep(code, is_error)` keeps, as `code: message`.
fn diagnostics(
    source: &str,
    target: keyplan::Target,
    keep: impl Fn(&str, bool) -> bool,
) -> Vec<String> {
    let compiled = keyplan::compile(source, &keyplan::Options { target });
    compiled
        .diagnostics
        .iter()
        .filter(|d| keep(d.code, d.is_error()))
        .map(|d| format!("{}: {}", d.code, d.message))
        .collect()
}

fn openbao() -> Options {
    Options {
        target: Target::Openbao,
        ..Options::default()
    }
}

/// The imported program checks without errors, and each file is formatted.
fn assert_checks(imported: &kp_import::Imported, case: &str) {
    assert_eq!(kp_fmt::format(&imported.program).unwrap(), imported.program);
    let errors = compile_errors(&imported.program, keyplan::Target::Openbao);
    assert!(
        errors.is_empty(),
        "{case}: {errors:?}\n{}",
        imported.program
    );
    for f in &imported.files {
        assert_eq!(
            kp_fmt::format(&f.text).unwrap(),
            f.text,
            "{case}: {}",
            f.name
        );
    }
}

fn fixture(name: &str) -> Snapshot {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn hand_configured_openbao() {
    let snap = fixture("hand-configured.json");
    let options = Options {
        target: Target::Openbao,
        ..Options::default()
    };
    let imported = kp_import::import(&snap, &options);
    assert_eq!(kp_fmt::format(&imported.program).unwrap(), imported.program);
    let errors = compile_errors(&imported.program, keyplan::Target::Openbao);
    assert!(errors.is_empty(), "{errors:?}\n{}", imported.program);
    for f in &imported.files {
        assert_eq!(kp_fmt::format(&f.text).unwrap(), f.text, "{}", f.name);
    }
    insta::assert_snapshot!("hand_configured_program", imported.program);
    // The count `keyplan import` prints is what the plan of the import manages.
    let compiled = keyplan::compile(
        &imported.program,
        &keyplan::Options {
            target: keyplan::Target::Openbao,
        },
    );
    let managed = compiled.program.map(|p| p.resources.len());
    assert_eq!(Some(imported.resources), managed);
    insta::assert_json_snapshot!(
        "hand_configured_notes",
        serde_json::json!({
            "warnings": imported.warnings,
            "unreadable": imported.unreadable,
            "env": imported.env,
            "files": imported.files.iter().map(|f| &f.name).collect::<Vec<_>>(),
            "resources": imported.resources,
        })
    );
}

#[test]
fn selection_and_unreadable_paths() {
    let snap = fixture("hand-configured.json");
    let options = Options {
        target: Target::Openbao,
        mounts: vec!["ssh".into()],
        // In another case than the server keeps it (it lowercases policy names).
        policies: vec!["Per-User".into(), "nope".into()],
        server: None,
    };
    let imported = kp_import::import(&snap, &options);
    assert!(
        imported.program.starts_with("secrets ssh {"),
        "{}",
        imported.program
    );
    assert!(imported.program.contains("policy per-user {"));
    assert!(!imported.program.contains("auth "));
    assert_eq!(imported.warnings.len(), 1, "{:?}", imported.warnings);
    assert_eq!(imported.warnings[0].message, "no such policy on the server");

    let mut partial = snap.clone();
    partial.lists.insert(
        "ssh/roles".into(),
        kp_import::Fetched::Unreadable {
            status: 403,
            message: "permission denied".into(),
        },
    );
    let imported = kp_import::import(&partial, &options);
    assert_eq!(imported.unreadable.len(), 1);
    assert_eq!(imported.unreadable[0].subject, "ssh/roles");
    assert!(!imported.program.contains("role dev"));
}

#[test]
fn an_empty_or_refused_server_imports_nothing() {
    let imported = kp_import::import(&Snapshot::default(), &Options::default());
    assert_eq!(imported.resources, 0);
    assert_eq!(imported.program, "");
}

/// Every `kp` example of docs/import.md compiles.
#[test]
fn docs_examples_compile() {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/import.md"))
            .unwrap();
    let mut blocks = 0;
    let mut lines = doc.lines();
    while let Some(line) = lines.next() {
        if line.trim_end() != "```kp" {
            continue;
        }
        let body: Vec<&str> = lines
            .by_ref()
            .take_while(|l| l.trim_end() != "```")
            .collect();
        let source = body.join("\n") + "\n";
        let errors = compile_errors(&source, keyplan::Target::Vault);
        assert!(errors.is_empty(), "{errors:?}\n{source}");
        blocks += 1;
    }
    assert!(blocks >= 2);
}

/// A server configured by hand with what the language cannot write as read back (read
/// from OpenBao 2.7.2 by `crates/live/tests/import_edges.rs` with
/// `KEYPLAN_IMPORT_EDGES_FIXTURE=PATH`): negative durations, connection URLs holding a
/// password (masked, in clear, escaped as a URL path), roles their connection does not
/// allow. The program checks; what it could not write as read is said.
#[test]
fn edges_openbao() {
    let imported = kp_import::import(&fixture("edges.json"), &openbao());
    assert_checks(&imported, "edges");
    // The databases' password, in clear in two of the URLs read.
    assert!(!imported.program.contains("vaulter-initial-pw"));
    assert!(
        !imported.warnings.iter().any(|w| w.subject == "the program"),
        "{:?}",
        imported.warnings
    );
    insta::assert_snapshot!("edges_program", imported.program);
    insta::assert_json_snapshot!(
        "edges_notes",
        serde_json::json!({
            "warnings": imported.warnings,
            "env": imported.env,
            "resources": imported.resources,
        })
    );
}

/// Every duration field the endpoint schemas know, and a mount's lease TTLs, at every
/// negative the server reads back (integers, Go durations): the program checks, and
/// never holds a negative with a unit.
#[test]
fn negative_durations_of_every_field_check() {
    let durations: std::collections::BTreeSet<String> = kp_schema::endpoints()
        .flat_map(|ep| ep.fields.values())
        .filter(|f| f.ty == kp_schema::FieldType::Duration)
        .map(|f| f.name.clone())
        .chain(["default_lease_ttl".into(), "max_lease_ttl".into()])
        .collect();
    fn set(
        v: &mut serde_json::Value,
        names: &std::collections::BTreeSet<String>,
        to: &serde_json::Value,
    ) -> usize {
        let mut n = 0;
        match v {
            serde_json::Value::Object(m) => {
                for (k, x) in m.iter_mut() {
                    if names.contains(k) && (x.is_number() || x.is_string()) {
                        *x = to.clone();
                        n += 1;
                    } else {
                        n += set(x, names, to);
                    }
                }
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(|x| n += set(x, names, to)),
            _ => {}
        }
        n
    }
    for negative in [
        json!(-1),
        json!(-5),
        json!("-1s"),
        json!("-1h0m0s"),
        json!(-86400),
    ] {
        let mut snap = fixture("hand-configured.json");
        let mut changed = 0;
        for fetched in snap.reads.values_mut() {
            if let kp_import::Fetched::Data(d) = fetched {
                changed += set(d, &durations, &negative);
            }
        }
        assert!(changed > 20, "{changed} fields changed");
        let imported = kp_import::import(&snap, &openbao());
        assert_checks(&imported, &negative.to_string());
        for line in imported.program.lines() {
            let value = line.split_once(" = ").map(|(_, v)| v.trim());
            assert!(
                !value.is_some_and(|v| v.starts_with('-') && v.ends_with(['s', 'm', 'h', 'd'])),
                "{negative}: {line}"
            );
        }
        // Each value left out is said.
        assert!(
            imported
                .warnings
                .iter()
                .any(|w| w.message.contains("is a negative duration")),
            "{negative}: {:?}",
            imported.warnings
        );
    }
}

/// A connection's URL in each shape the server reads back with a password in it: the
/// program templates it, reads the password from the variable it lists, checks without
/// `kp::credentials-in-url`, and holds neither the password nor the mask.
#[test]
fn connection_urls_holding_a_password() {
    // (read back, username on the server, written, username written)
    let cases = [
        (
            "postgresql://postgres:xxxxx@127.0.0.1:19432/app",
            None,
            "postgresql://{{username}}:{{password}}@127.0.0.1:19432/app",
            Some("postgres"),
        ),
        (
            "postgresql://postgres:xxxxx@127.0.0.1:19432/app",
            Some("postgres"),
            "postgresql://{{username}}:{{password}}@127.0.0.1:19432/app",
            Some("postgres"),
        ),
        (
            "root:s3cret-pw@tcp(127.0.0.1:3306)/app",
            None,
            "{{username}}:{{password}}@tcp(127.0.0.1:3306)/app",
            Some("root"),
        ),
        (
            "postgresql://127.0.0.1:19432/app?user=postgres&password=s3cret-pw",
            None,
            "postgresql://127.0.0.1:19432/app?user={{username}}&password={{password}}",
            Some("postgres"),
        ),
        (
            "host=127.0.0.1%20port=19432%20user=postgres%20password=s3cret-pw%20dbname=app",
            None,
            "host=127.0.0.1 port=19432 user={{username}} password={{password}} dbname=app",
            Some("postgres"),
        ),
        (
            "host=127.0.0.1 user=postgres password='s3cret pw:x' dbname=app",
            None,
            "host=127.0.0.1 user={{username}} password='{{password}}' dbname=app",
            Some("postgres"),
        ),
    ];
    for (read, username, written, user) in cases {
        let mut snap = fixture("hand-configured.json");
        let Some(kp_import::Fetched::Data(pg)) = snap.reads.get_mut("database/config/pg") else {
            panic!("no database/config/pg in the fixture");
        };
        // (A `mysql://` URL is no case: the MySQL driver reads none, and the server
        // refuses it, as `keyplan check` does.)
        pg["plugin_name"] = match read.contains("@tcp(") {
            true => json!("mysql-database-plugin"),
            false => json!("postgresql-database-plugin"),
        };
        pg["connection_details"] = match username {
            Some(u) => json!({"connection_url": read, "username": u}),
            None => json!({"connection_url": read}),
        };
        let imported = kp_import::import(&snap, &openbao());
        assert_checks(&imported, read);
        let text = &imported.program;
        // Attributes as `name = value`, whatever their alignment.
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains(&format!("connection_url = {written:?}")),
            "{read}:\n{text}"
        );
        if let Some(u) = user {
            assert!(
                flat.contains(&format!("username = {u:?}")),
                "{read}:\n{text}"
            );
        }
        assert!(
            flat.contains("password = env(\"DATABASE_PG_PASSWORD\")"),
            "{read}:\n{text}"
        );
        // libpq takes a key=value DSN's values as they stand: the server's URL escaping
        // of the password would make it another one.
        assert_eq!(
            flat.contains("disable_escaping = true"),
            written.starts_with("host="),
            "{read}:\n{text}"
        );
        for never in ["xxxxx", "s3cret", "%20"] {
            assert!(!text.contains(never), "{read}: `{never}` in\n{text}");
        }
        let in_url = diagnostics(text, keyplan::Target::Openbao, |code, _| {
            code == "kp::credentials-in-url"
        });
        assert!(in_url.is_empty(), "{read}: {in_url:?}");
        assert!(
            imported
                .env
                .iter()
                .any(|v| v.name == "DATABASE_PG_PASSWORD"),
            "{read}: {:?}",
            imported.env
        );
        assert!(
            imported
                .warnings
                .iter()
                .any(|w| w.subject == "database/config/pg"
                    && w.message.contains("DATABASE_PG_PASSWORD")),
            "{read}: {:?}",
            imported.warnings
        );
    }

    // A URL the server took unverified and no driver reads: the import says the program
    // will not check, rather than write it silently.
    let mut snap = fixture("hand-configured.json");
    if let Some(kp_import::Fetched::Data(pg)) = snap.reads.get_mut("database/config/pg") {
        pg["connection_details"]["connection_url"] =
            json!("mysql://{{username}}:{{password}}@db/app");
    }
    let imported = kp_import::import(&snap, &openbao());
    let said: Vec<&str> = imported
        .warnings
        .iter()
        .filter(|w| w.subject == "the program")
        .map(|w| w.message.as_str())
        .collect();
    assert!(
        matches!(said.as_slice(), [one] if one.starts_with("`keyplan check` will refuse it: kp::malformed-connection-url")),
        "{said:?}"
    );

    // A secret keyplan cannot template: the whole URL comes from the environment.
    let mut snap = fixture("hand-configured.json");
    if let Some(kp_import::Fetched::Data(pg)) = snap.reads.get_mut("database/config/pg") {
        pg["connection_details"]["connection_url"] =
            json!("postgresql://{{username}}:{{password}}@db/app?sslpassword=k3y-pass");
    }
    let imported = kp_import::import(&snap, &openbao());
    assert_checks(&imported, "sslpassword");
    assert!(
        imported
            .program
            .contains("connection_url = env(\"DATABASE_PG_CONNECTION_URL\")"),
        "{}",
        imported.program
    );
    assert!(!imported.program.contains("k3y"));
    assert!(imported
        .env
        .iter()
        .any(|v| v.name == "DATABASE_PG_CONNECTION_URL"));
}

/// A role applied from `workload NAME { login M { token_policies = [extra] } }` holds
/// two policies nothing else uses, `NAME` and `extra`: the workload is the one named
/// like the role, whatever the order of `token_policies`, so the program imports back
/// as it was written (no `role_name`, the other policy attached by name).
#[test]
fn a_workload_is_named_after_its_role_when_it_can_be() {
    let mut snap = fixture("hand-configured.json");
    if let Some(kp_import::Fetched::Data(role)) = snap.reads.get_mut("auth/jwt/role/deployer") {
        role["token_policies"] = json!(["a-deploy-extra", "deployer"]);
    }
    let Some(kp_import::Fetched::Data(list)) = snap.lists.get_mut("sys/policies/acl") else {
        panic!("the fixture lists policies");
    };
    list.as_array_mut().unwrap().push(json!("a-deploy-extra"));
    snap.reads.insert(
        "sys/policies/acl/a-deploy-extra".into(),
        kp_import::Fetched::Data(json!({
            "name": "a-deploy-extra",
            "policy": "path \"secret/data/extra/*\" {\n  capabilities = [\"read\"]\n}\n",
        })),
    );
    let imported = kp_import::import(&snap, &openbao());
    assert_checks(&imported, "two own policies");
    let program = &imported.program;
    assert!(program.contains("workload deployer {"), "{program}");
    assert!(
        program
            .lines()
            .any(|l| l.trim_start().starts_with("token_policies")
                && l.ends_with("= [a-deploy-extra]")),
        "{program}"
    );
    assert!(program.contains("policy a-deploy-extra {"), "{program}");
    let start = program.find("workload deployer {").unwrap_or_default();
    let workload = &program[start..];
    let workload = &workload[..workload.find("\n}\n").unwrap_or(workload.len())];
    assert!(!workload.contains("role_name"), "{workload}");
}

/// A database connection written with `verify_connection = false`: Vault stores the
/// setting and reads it back (`verify_connection` beside `plugin_name`), and the import
/// writes it, so that applying the program writes the connection without connecting to
/// the database, as the server's was; `true` (the default) is left out. OpenBao keeps no
/// such setting (its read, in the fixture, has none): the import cannot know, leaves it
/// out and says so for that connection.
#[test]
fn a_connections_verify_connection_false_is_kept() {
    let mut snap = fixture("hand-configured.json");
    let unknown = |imported: &kp_import::Imported| {
        imported
            .warnings
            .iter()
            .filter(|w| {
                w.message
                    .starts_with("`verify_connection` is not read back")
            })
            .map(|w| w.subject.clone())
            .collect::<Vec<_>>()
    };
    let as_read = kp_import::import(&snap, &openbao());
    assert!(!as_read.program.contains("verify_connection"));
    assert_eq!(unknown(&as_read), ["database/config/pg"]);
    let Some(kp_import::Fetched::Data(data)) = snap.reads.get_mut("database/config/pg") else {
        panic!("the fixture has no connection");
    };
    data["verify_connection"] = json!(false);
    for target in [Target::Vault, Target::Openbao] {
        let options = Options {
            target,
            ..Options::default()
        };
        let imported = kp_import::import(&snap, &options);
        assert_checks(&imported, "verify_connection");
        let block = imported
            .program
            .split("connection pg {")
            .nth(1)
            .and_then(|rest| rest.split("\n  }").next())
            .unwrap();
        assert!(
            block.contains("verify_connection = false"),
            "{target:?}:{block}"
        );
        assert!(unknown(&imported).is_empty(), "{:?}", imported.warnings);
    }
    let Some(kp_import::Fetched::Data(data)) = snap.reads.get_mut("database/config/pg") else {
        panic!("the fixture has no connection");
    };
    data["verify_connection"] = json!(true);
    let imported = kp_import::import(&snap, &openbao());
    assert!(!imported.program.contains("verify_connection"));
    assert!(unknown(&imported).is_empty(), "{:?}", imported.warnings);
}

/// The warnings whose message starts with `start`, as their subjects.
fn subjects(imported: &kp_import::Imported, start: &str) -> Vec<String> {
    imported
        .warnings
        .iter()
        .filter(|w| w.message.starts_with(start))
        .map(|w| w.subject.clone())
        .collect()
}

/// On OpenBao every connection's `verify_connection` is unknown: one warning names them
/// all, in the program's order, where a warning of the first alone would be (QA: an
/// import of many connections repeated the same warning for each).
#[test]
fn one_warning_names_every_connection_whose_verify_connection_is_unknown() {
    let mut snap = fixture("hand-configured.json");
    const UNKNOWN: &str = "`verify_connection` is not read back";
    let one = kp_import::import(&snap, &openbao());
    let at = |imported: &kp_import::Imported| {
        imported
            .warnings
            .iter()
            .position(|w| w.message.starts_with(UNKNOWN))
    };
    let pg = snap.data("database/config/pg").cloned().unwrap();
    for name in ["pg2", "pg3"] {
        snap.reads.insert(
            format!("database/config/{name}"),
            kp_import::Fetched::Data(pg.clone()),
        );
    }
    let Some(kp_import::Fetched::Data(list)) = snap.lists.get_mut("database/config") else {
        panic!("the fixture lists no connections");
    };
    *list = json!(["pg", "pg2", "pg3"]);
    let imported = kp_import::import(&snap, &openbao());
    assert_checks(&imported, "three connections");
    assert_eq!(
        subjects(&imported, UNKNOWN),
        ["database/config/pg, database/config/pg2, database/config/pg3"],
        "{:#?}",
        imported.warnings
    );
    assert!(at(&one).is_some() && at(&imported) == at(&one));
    let warning = &imported.warnings[at(&imported).unwrap_or_default()];
    assert!(
        warning
            .message
            .contains("writing each connects to its database")
            && warning
                .message
                .contains("add `verify_connection = false` where the server cannot reach it"),
        "{}",
        warning.message
    );
}

/// `skip_jwks_validation` (OpenBao only) is used when the config is written and not read
/// back, so an import cannot know it: a JWT config that fetches keys from a URL is
/// imported without it (the default, `false`: writing it fetches them) and a warning
/// names its mount. A read that has it (a server that keeps it) imports it; a config
/// with keys and no URL, or a Vault program (which has no such field), says nothing.
#[test]
fn an_unknown_skip_jwks_validation_is_named() {
    const UNKNOWN: &str = "`skip_jwks_validation` is not read back";
    let mut snap = fixture("hand-configured.json");
    let imported = kp_import::import(&snap, &openbao());
    assert_eq!(subjects(&imported, UNKNOWN), ["auth/jwt/config"]);
    assert!(!imported.program.contains("skip_jwks_validation"));
    let vault = kp_import::import(&snap, &Options::default());
    assert!(subjects(&vault, UNKNOWN).is_empty(), "{:?}", vault.warnings);

    let config = snap.data("auth/jwt/config").cloned().unwrap();
    let mut kept = config.clone();
    kept["skip_jwks_validation"] = json!(true);
    let mut with = snap.clone();
    with.reads
        .insert("auth/jwt/config".into(), kp_import::Fetched::Data(kept));
    let imported = kp_import::import(&with, &openbao());
    assert_checks(&imported, "skip_jwks_validation");
    assert!(
        imported.program.contains("skip_jwks_validation = true"),
        "{}",
        imported.program
    );
    assert!(subjects(&imported, UNKNOWN).is_empty());

    let mut keys = config;
    keys["jwks_url"] = json!("");
    keys["jwt_validation_pubkeys"] = json!([PUBLIC_KEY]);
    snap.reads
        .insert("auth/jwt/config".into(), kp_import::Fetched::Data(keys));
    let imported = kp_import::import(&snap, &openbao());
    assert!(
        subjects(&imported, UNKNOWN).is_empty(),
        "{:?}",
        imported.warnings
    );
}

/// A PEM public key, as a JWT config's `jwt_validation_pubkeys` holds.
const PUBLIC_KEY: &str = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----";

/// QA: an SSH role's `default_extensions = { permit-pty = "" }` (the usual way to let a
/// certificate open a terminal: extensions hold empty values) was left out, as if the
/// map were empty, and a program applied from the import issued certificates without it.
#[test]
fn a_map_of_empty_values_is_imported() {
    let mut snap = fixture("hand-configured.json");
    let mut role = snap.data("ssh/roles/dev").cloned().unwrap();
    role["default_extensions"] = json!({ "permit-pty": "" });
    role["default_critical_options"] = json!({});
    snap.reads
        .insert("ssh/roles/dev".into(), kp_import::Fetched::Data(role));
    let imported = kp_import::import(&snap, &openbao());
    assert_checks(&imported, "default_extensions");
    assert!(
        imported
            .program
            .lines()
            .any(|l| l.trim_start().starts_with("default_extensions")
                && l.ends_with("= { permit-pty = \"\" }")),
        "{}",
        imported.program
    );
    assert!(!imported.program.contains("default_critical_options"));
}

/// Multi-line strings (a Kubernetes method's CA certificate, its PEM keys, a JWT method's
/// public keys, SQL statements of several lines) are written as heredocs, as people
/// write them, not as one line of `\n` escapes; the program formats, checks, and holds
/// each text as the server read it back (a final newline the server dropped comes
/// back: a plan compares multi-line text without it).
#[test]
fn multi_line_strings_are_heredocs() {
    const CERT: &str = "-----BEGIN CERTIFICATE-----\nMIIBdzCCAR2gAwIBAgIUQ2Xb\n  indented lines\n\nEOT\n-----END CERTIFICATE-----";
    const KEY_A: &str =
        "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZI\n-----END PUBLIC KEY-----\n";
    const KEY_B: &str =
        "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZJ\n-----END PUBLIC KEY-----\n";
    const SQL: &str = "CREATE ROLE \"{{name}}\"\n  WITH LOGIN PASSWORD '{{password}}';\n";
    const ALL_INDENTED: &str =
        "  GRANT SELECT\n    ON ALL TABLES IN SCHEMA public TO \"{{name}}\";\n";
    let mut snap = fixture("hand-configured.json");
    snap.reads.insert(
        "auth/k8s/config".into(),
        kp_import::Fetched::Data(json!({
            "kubernetes_host": "https://k8s.example.com:6443",
            "kubernetes_ca_cert": CERT,
            "pem_keys": [KEY_A, KEY_B],
            "disable_local_ca_jwt": false,
        })),
    );
    if let Some(kp_import::Fetched::Data(auth)) = snap.reads.get_mut("sys/auth") {
        auth["k8s/"]["description"] = json!("Cluster A\nowned by the platform team");
    }
    if let Some(kp_import::Fetched::Data(role)) = snap.reads.get_mut("database/roles/readonly") {
        role["creation_statements"] = json!([SQL, ALL_INDENTED]);
    }
    let imported = kp_import::import(&snap, &openbao());
    assert_checks(&imported, "heredocs");
    let program = &imported.program;
    for escaped in [
        "BEGIN CERTIFICATE-----\\n",
        "PUBLIC KEY-----\\n",
        "\"{{name}}\\\"\\n",
    ] {
        assert!(!program.contains(escaped), "{escaped}: {program}");
    }
    // The text as read back, through the compiler.
    let compiled = keyplan::compile(
        program,
        &keyplan::Options {
            target: keyplan::Target::Openbao,
        },
    )
    .program
    .unwrap();
    let field = |id: &str, name: &str| {
        let r = compiled.resources.iter().find(|r| r.id == id).unwrap();
        r.body.get(name).cloned().unwrap()
    };
    use keyplan::ir::Value;
    let s = |t: &str| Value::Str(t.to_string());
    assert_eq!(
        field("auth/k8s/config", "kubernetes_ca_cert"),
        s(&format!("{CERT}\n"))
    );
    // A description is free text: it comes back exactly, without the final newline a
    // heredoc would add (QA: applying an import to another server added one).
    assert_eq!(
        field("sys/auth/k8s", "description"),
        s("Cluster A\nowned by the platform team")
    );
    assert_eq!(
        field("auth/k8s/config", "pem_keys"),
        Value::List(vec![s(KEY_A), s(KEY_B)])
    );
    assert_eq!(
        field("database/roles/readonly", "creation_statements"),
        Value::List(vec![s(SQL), s(ALL_INDENTED)])
    );
    let k8s = program
        .split("auth kubernetes k8s {")
        .nth(1)
        .and_then(|rest| rest.split("\n}\n").next())
        .unwrap();
    let database = program
        .split("role readonly {")
        .nth(1)
        .and_then(|rest| rest.split("\n  }\n").next())
        .unwrap();
    insta::assert_snapshot!("heredocs", format!("{k8s}\n---\n{database}"));
}

/// Secrets whose variable names would be the same (`team/users/a-b`, `team/users/a_b`
/// and `team-a/users/b` all make `TEAM_A_B_PASSWORD`) each get a variable of their own:
/// one shared variable, listed once, made apply write one password to all three users.
#[test]
fn colliding_secret_variables_are_made_unique() {
    let user = || kp_import::Fetched::Data(json!({"token_policies": [], "token_ttl": 0}));
    let mut snap = Snapshot::default();
    snap.reads.insert(
        "sys/auth".into(),
        kp_import::Fetched::Data(json!({
            "team/": {"type": "userpass", "config": {}, "options": {}, "description": ""},
            "team-a/": {"type": "userpass", "config": {}, "options": {}, "description": ""},
            "token/": {"type": "token"},
        })),
    );
    snap.reads
        .insert("sys/mounts".into(), kp_import::Fetched::Data(json!({})));
    snap.lists.insert(
        "auth/team/users".into(),
        kp_import::Fetched::Data(json!(["a-b", "a_b"])),
    );
    snap.lists.insert(
        "auth/team-a/users".into(),
        kp_import::Fetched::Data(json!(["b"])),
    );
    for path in [
        "auth/team/users/a-b",
        "auth/team/users/a_b",
        "auth/team-a/users/b",
    ] {
        snap.reads.insert(path.into(), user());
    }
    let imported = kp_import::import(&snap, &openbao());
    assert_checks(&imported, "collisions");
    let vars: Vec<(&str, &str)> = imported
        .env
        .iter()
        .map(|v| (v.name.as_str(), v.for_field.as_str()))
        .collect();
    assert_eq!(
        vars,
        [
            ("TEAM_A_B_PASSWORD", "auth/team/users/a-b password"),
            ("TEAM_A_B_PASSWORD_2", "auth/team/users/a_b password"),
            ("TEAM_A_B_PASSWORD_3", "auth/team-a/users/b password"),
        ],
        "{}",
        imported.program
    );
    for var in [
        "TEAM_A_B_PASSWORD\"",
        "TEAM_A_B_PASSWORD_2\"",
        "TEAM_A_B_PASSWORD_3\"",
    ] {
        assert_eq!(
            imported.program.matches(var).count(),
            1,
            "{var}: {}",
            imported.program
        );
    }
}

/// Mount settings the language has no attribute for (a method tuned to issue batch
/// tokens, listing visibility, headers passed through, audit keys left unhashed) are
/// named in a warning, not dropped silently; a fresh mount's table entry (as OpenBao
/// 2.7.2 reads it back: `force_no_cache = false`, an auth method's `token_type =
/// "default-service"`, empty `plugin_version`) gives none.
#[test]
fn mount_settings_the_language_cannot_write_are_named() {
    let mut snap = Snapshot::default();
    snap.reads.insert(
        "sys/auth".into(),
        kp_import::Fetched::Data(json!({
            "people/": {"type": "userpass", "description": "", "local": false, "seal_wrap": false,
                "external_entropy_access": false, "plugin_version": "", "options": null,
                "config": {"default_lease_ttl": 0, "force_no_cache": false, "max_lease_ttl": 0,
                    "listing_visibility": "unauth", "token_type": "batch"}},
            "approle/": {"type": "approle", "description": "", "local": false, "seal_wrap": false,
                "external_entropy_access": false, "plugin_version": "", "options": null,
                "config": {"default_lease_ttl": 0, "force_no_cache": false, "max_lease_ttl": 0,
                    "token_type": "default-service"}},
            "token/": {"type": "token"},
        })),
    );
    snap.reads.insert(
        "sys/mounts".into(),
        kp_import::Fetched::Data(json!({
            "kv-tuned/": {"type": "kv", "description": "", "local": false, "seal_wrap": false,
                "external_entropy_access": false, "plugin_version": "", "options": {"version": "2"},
                "config": {"default_lease_ttl": 0, "force_no_cache": false, "max_lease_ttl": 172800,
                    "allowed_response_headers": ["X-Bar"], "audit_non_hmac_request_keys": ["foo"],
                    "listing_visibility": "unauth", "passthrough_request_headers": ["X-Foo"]}},
            "secret/": {"type": "kv", "description": "", "local": false, "seal_wrap": false,
                "external_entropy_access": false, "plugin_version": "", "options": {"version": "2"},
                "config": {"default_lease_ttl": 0, "force_no_cache": false, "max_lease_ttl": 0}},
        })),
    );
    let imported = kp_import::import(&snap, &openbao());
    assert_checks(&imported, "mount settings");
    let warned: Vec<(&str, &str)> = imported
        .warnings
        .iter()
        .map(|w| (w.subject.as_str(), w.message.as_str()))
        .collect();
    assert_eq!(warned.len(), 2, "{warned:#?}");
    assert_eq!(warned[0].0, "sys/auth/people");
    assert!(
        warned[0].1.starts_with(
            "keyplan cannot write these mount settings yet: `listing_visibility` = \"unauth\", \
             `token_type` = \"batch\": left out"
        ),
        "{warned:#?}"
    );
    assert_eq!(warned[1].0, "sys/mounts/kv-tuned");
    for setting in [
        "`allowed_response_headers` = [\"X-Bar\"]",
        "`audit_non_hmac_request_keys` = [\"foo\"]",
        "`passthrough_request_headers` = [\"X-Foo\"]",
    ] {
        assert!(warned[1].1.contains(setting), "{setting}: {warned:#?}");
    }
}

/// The built-in `default` as OpenBao 2.7.2 wrote it when initialised is left out; once
/// an operator edits it, it is what every token carries, so it is imported as `policy
/// default` (and `plan` compares it), not dropped as a built-in.
#[test]
fn an_edited_default_policy_is_imported() {
    let snap = fixture("hand-configured.json");
    let stock = snap.data("sys/policies/acl/default").cloned().unwrap();
    assert_eq!(
        stock["policy"].as_str().unwrap().trim_end(),
        include_str!("../../acl/tests/data/openbao-2.7.2-default-policy.hcl").trim_end(),
        "the fixture holds the stock text"
    );
    let imported = kp_import::import(&snap, &openbao());
    assert!(
        !imported.program.contains("policy default"),
        "{}",
        imported.program
    );

    let mut edited = snap.clone();
    let mut policy = stock.clone();
    policy["policy"] = json!(format!(
        "{}\npath \"secret/data/everyone/*\" {{\n  capabilities = [\"read\"]\n}}\n",
        stock["policy"].as_str().unwrap()
    ));
    edited.reads.insert(
        "sys/policies/acl/default".into(),
        kp_import::Fetched::Data(policy),
    );
    let imported = kp_import::import(&edited, &openbao());
    assert_checks(&imported, "edited default");
    let block = imported
        .program
        .split("policy default {")
        .nth(1)
        .and_then(|rest| rest.split("\n}\n").next())
        .unwrap_or_else(|| panic!("no policy default: {}", imported.program));
    assert!(
        block.contains("path \"secret/data/everyone/*\" {\n    capabilities = [read]"),
        "{block}"
    );
    assert!(
        block.contains("path \"cubbyhole/*\" {"),
        "the stock rules are kept: {block}"
    );
    // The rest of the program is the same.
    let without = imported
        .program
        .replace(&format!("policy default {{{block}\n}}\n\n"), "");
    assert_eq!(
        without,
        kp_import::import(&snap, &openbao()).program,
        "{}",
        imported.program
    );
}
