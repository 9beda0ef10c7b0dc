//! Every difference of docs/targets.md (generated from the two servers' OpenAPI documents)
//! is enforced: a program writing the field is a located `kp::unsupported-on-target` error
//! on the server that lacks it, naming both servers, compiles on the server that has it, and
//! compiled without a target it picks that server with a `kp::implied-target` warning.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use keyplan::{compile, compile_implied, Compiled, Options, Severity, Target};
use kp_schema::FieldType;

struct Row {
    endpoint: String,
    field: String,
    /// The server that lacks the field.
    lacking: Target,
}

/// The rows of the differences table: `| endpoint | path | field | vault | openbao | ... |`.
fn rows() -> Vec<Row> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/targets.md");
    let text = std::fs::read_to_string(path).unwrap();
    let mut rows = Vec::new();
    for line in text.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let unquote = |s: &str| s.trim_matches('`').to_string();
        let lacking = match (cells[4], cells[5]) {
            ("**no**", "yes") => Target::Vault,
            ("yes", "**no**") => Target::Openbao,
            other => panic!("bad row {line}: {other:?}"),
        };
        rows.push(Row {
            endpoint: unquote(cells[1]),
            field: unquote(cells[3]),
            lacking,
        });
    }
    rows
}

const PG: &str = r#"    plugin_name    = "postgresql-database-plugin"
    connection_url = "postgresql://{{username}}:{{password}}@localhost:5432/postgres"
    username       = "vault"
    password       = env("PG_PASSWORD")"#;

/// A valid program with `line` (an attribute) in a block of `endpoint`; `None` for an
/// endpoint whose fields no keyplan attribute reaches.
fn program(endpoint: &str, line: &str) -> Option<String> {
    let src = match endpoint {
        "approle-role" => format!(
            "auth approle {{\n  role r {{\n    token_policies = [\"default\"]\n    {line}\n  }}\n}}\n"
        ),
        // A field of other plugins than PostgreSQL's (`access_key_id` of
        // redis-elasticache) goes in a connection of the first plugin that reads it.
        "database-connection" => {
            let field = line.split_whitespace().next().unwrap_or_default();
            let bits = kp_schema::endpoint(endpoint)
                .and_then(|e| e.field(field))
                .map_or(0, |f| f.plugins);
            let plugins = kp_check::catalog::DATABASE_PLUGINS;
            let pg = plugins
                .iter()
                .position(|p| *p == "postgresql-database-plugin")
                .unwrap();
            let head = match (0..plugins.len()).find(|i| bits >> i & 1 == 1) {
                Some(i) if bits >> pg & 1 == 0 => {
                    format!("    plugin_name    = \"{}\"", plugins[i])
                }
                _ => PG.to_string(),
            };
            format!(
                "secrets database {{\n  connection c {{\n{head}\n    allowed_roles = []\n    {line}\n  }}\n}}\n"
            )
        }
        "database-static-role" => format!(
            "secrets database {{\n  connection c {{\n{PG}\n    allowed_roles = [s]\n  }}\n  static-role s {{\n    db_name  = c\n    username = \"legacy\"\n    {line}\n  }}\n}}\n"
        ),
        "cert-role" => format!(
            "auth cert {{\n  role r {{\n    certificate = env(\"CA_PEM\")\n    {line}\n  }}\n}}\n"
        ),
        "jwt-config" => format!(
            "auth jwt {{\n  oidc_discovery_url = \"https://issuer.example.com\"\n  {line}\n  role r {{\n    role_type       = \"jwt\"\n    user_claim      = \"sub\"\n    bound_audiences = [\"ci\"]\n  }}\n}}\n"
        ),
        "jwt-role" => format!(
            "auth jwt {{\n  jwks_url = \"https://ci.example.com/jwks\"\n  role r {{\n    role_type       = \"jwt\"\n    user_claim      = \"sub\"\n    bound_audiences = [\"ci\"]\n    {line}\n  }}\n}}\n"
        ),
        "kubernetes-role" => format!(
            "auth kubernetes {{\n  kubernetes_host = \"https://k8s.example.com:6443\"\n  role r {{\n    bound_service_account_names      = [\"app\"]\n    bound_service_account_namespaces = [\"default\"]\n    {line}\n  }}\n}}\n"
        ),
        "kv-config" => format!(
            "secrets kv secret {{\n  version = 2\n  config {{\n    {line}\n  }}\n}}\n"
        ),
        "ssh-ca" => format!(
            "secrets ssh {{\n  ca {{\n    generate_signing_key = true\n    {line}\n  }}\n}}\n"
        ),
        "ssh-role" => format!(
            "secrets ssh {{\n  role r {{\n    key_type                = \"ca\"\n    allow_user_certificates = true\n    allowed_users           = [\"trainer\"]\n    default_user            = \"trainer\"\n    {line}\n  }}\n}}\n"
        ),
        // A user needs a password, or OpenBao's `password_hash` instead.
        "userpass-user" => {
            let password = if line.starts_with("password") {
                ""
            } else {
                "    password = env(\"U_PASSWORD\")\n"
            };
            format!(
                "auth userpass {{\n  user u {{\n{password}    token_policies = [\"default\"]\n    {line}\n  }}\n}}\n"
            )
        }
        // keyplan writes a policy's body itself (`policy` from the rules): no attribute
        // reaches `cas`, `ttl`, ... (they are unknown fields on both targets).
        "policy" => return None,
        other => panic!("no program template for `{other}`: add one"),
    };
    Some(src)
}

/// An attribute line setting `field` to a value of its type (enum fields: an allowed value).
fn attribute(endpoint: &str, field: &str) -> String {
    let schema = kp_schema::endpoint(endpoint).unwrap().field(field).unwrap();
    let value = match (field, schema.ty) {
        ("jwks_pairs", _) => "[{ jwks_url = \"https://ci.example.com/jwks\" }]".to_string(),
        ("service_account_json" | "password_hash", _) => "env(\"SECRET\")".to_string(),
        ("rotation_schedule", _) => "\"0 0 * * SAT\"".to_string(),
        (_, _) if !schema.allowed.is_empty() => format!("{:?}", schema.allowed[0]),
        (_, FieldType::String | FieldType::Any) => "\"x\"".to_string(),
        (_, FieldType::Int) => "5".to_string(),
        (_, FieldType::Bool) => "true".to_string(),
        (_, FieldType::Duration) => "1h".to_string(),
        (_, FieldType::List | FieldType::CommaList) => "[\"id_token\"]".to_string(),
        (_, FieldType::Map) => "{ a = \"b\" }".to_string(),
    };
    if field == "rotation_window" {
        // A window is only valid with a schedule.
        return format!("{field} = {value}\n    rotation_schedule = \"0 0 * * SAT\"");
    }
    format!("{field} = {value}")
}

fn errors(compiled: &Compiled) -> Vec<String> {
    compiled
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| format!("{}: {}", d.code, d.message))
        .collect()
}

#[test]
fn every_target_difference_is_a_located_error_on_the_server_that_lacks_it() {
    let rows = rows();
    assert!(rows.len() >= 25, "only {} rows", rows.len());
    let mut checked = 0;
    for row in &rows {
        let line = attribute(&row.endpoint, &row.field);
        let Some(src) = program(&row.endpoint, &line) else {
            continue;
        };
        let what = format!("{} `{}` ({src})", row.endpoint, row.field);
        let has = match row.lacking {
            Target::Vault => Target::Openbao,
            Target::Openbao => Target::Vault,
        };
        let at = src.find(&line).unwrap();
        let name_span = at..at + row.field.len();

        let ok = compile(&src, &Options { target: has });
        assert!(errors(&ok).is_empty(), "{what} on {has}: {:?}", errors(&ok));

        let bad = compile(
            &src,
            &Options {
                target: row.lacking,
            },
        );
        let found = bad
            .diagnostics
            .iter()
            .find(|d| d.code == "kp::unsupported-on-target" && d.span.start == name_span.start)
            .unwrap_or_else(|| panic!("{what} on {}: {:#?}", row.lacking, bad.diagnostics));
        assert_eq!(found.severity, Severity::Error);
        assert_eq!(found.span.end, name_span.end, "{what}");
        assert!(
            found.message.contains(&format!("`{}`", row.field))
                && found.message.contains("Vault")
                && found.message.contains("OpenBao"),
            "{what}: {}",
            found.message
        );
        let help = found.help.as_deref().unwrap_or_default();
        assert!(help.contains(&format!("--target {has}")), "{what}: {help}");

        let implied = compile_implied(&src);
        assert_eq!(implied.target, has, "{what}");
        assert!(
            errors(&implied).is_empty(),
            "{what}: {:?}",
            errors(&implied)
        );
        assert!(
            implied
                .diagnostics
                .iter()
                .any(|d| d.code == "kp::implied-target" && d.span.start == name_span.start),
            "{what}: {:#?}",
            implied.diagnostics
        );
        checked += 1;
    }
    // Every row but the six `policy` fields.
    assert_eq!(checked, rows.len() - 6);
}

#[test]
fn rotation_schedule_names_both_servers_and_the_nearest_equivalent() {
    let src = program(
        "database-static-role",
        "rotation_schedule = \"0 0 * * SAT\"",
    )
    .unwrap();
    let bad = compile(
        &src,
        &Options {
            target: Target::Openbao,
        },
    );
    let d = bad
        .diagnostics
        .iter()
        .find(|d| d.code == "kp::unsupported-on-target")
        .unwrap();
    assert_eq!(
        d.message,
        "`rotation_schedule` is a Vault field: OpenBao does not accept it in database static role `s`"
    );
    assert_eq!(&src[d.span.start..d.span.end], "rotation_schedule");
    let help = d.help.as_deref().unwrap();
    assert!(help.contains("rotation_period"), "{help}");
}

#[test]
fn without_a_target_a_portable_program_compiles_for_vault_silently() {
    let src = program("ssh-ca", "key_type = \"ssh-ed25519\"").unwrap();
    let compiled = compile_implied(&src);
    assert_eq!(compiled.target, Target::Vault);
    assert!(
        compiled.diagnostics.is_empty(),
        "{:#?}",
        compiled.diagnostics
    );
}

#[test]
fn without_a_target_a_program_mixing_both_servers_fields_is_told_so() {
    let src = "auth jwt {\n  jwks_url = \"https://ci.example.com/jwks\"\n  role r {\n    role_type = \"jwt\"\n    user_claim = \"sub\"\n    bound_audiences = [\"ci\"]\n    callback_mode = \"direct\"\n  }\n}\nsecrets aws {\n  root {\n    region = \"us-west-2\"\n  }\n}\n";
    let compiled = compile_implied(src);
    assert_eq!(compiled.target, Target::Vault);
    let warning = compiled
        .diagnostics
        .iter()
        .find(|d| d.code == "kp::implied-target")
        .unwrap();
    assert!(
        warning.message.contains("both servers"),
        "{}",
        warning.message
    );
    assert!(compiled.has_errors());
}
