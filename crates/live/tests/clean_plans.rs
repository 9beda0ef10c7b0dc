//! No perpetual diffs, on one real OpenBao: a program GENERATED from the endpoint
//! schemas, setting every writable field of every login-role endpoint (and the auth
//! configs they need) to a value other than its default, is applied; the plan that
//! follows must be clean. Server normalisations (PEM newlines, host CIDRs, sorted
//! lists, durations as seconds) and read-only fields are what this catches.
//!
//! Deprecated fields are left out: each is an alias of a `token_*` field the program
//! already sets, and setting both is a conflict, not a normalisation.

// Helpers outside #[test] functions fail the test with their message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::fmt::Write as _;
use std::process::Command;

use common::*;
use kp_live::TargetArg;
use kp_schema::FieldType;

/// The endpoints generated, each with the mount it goes under.
const ROLES: [(&str, &str, &str); 4] = [
    ("approle-role", "approle", "role"),
    ("kubernetes-role", "kubernetes", "role"),
    ("userpass-user", "userpass", "user"),
    ("jwt-role", "jwt", "role"),
];

/// Values the server constrains beyond the schema's type, with why.
fn special(endpoint: &str, field: &str) -> Option<&'static str> {
    Some(match (endpoint, field) {
        // Service tokens: batch tokens cannot be periodic or renewable.
        (_, "token_type") => "\"service\"",
        // A label selector, in the JSON form the server parses.
        (_, "bound_service_account_namespace_selector") => {
            "\"{\\\"matchLabels\\\":{\\\"team\\\":\\\"ci\\\"}}\""
        }
        (_, "alias_name_source") => "\"serviceaccount_name\"",
        (_, "role_type") => "\"jwt\"",
        (_, "bound_claims_type") => "\"glob\"",
        (_, "callback_mode") => "\"client\"",
        (_, "user_claim") => "\"sub\"",
        (_, "groups_claim") => "\"groups\"",
        (_, "allowed_redirect_uris") => "[\"https://ci.example.com/callback\"]",
        (_, "oidc_scopes") => "[\"profile\", \"email\"]",
        (_, "claim_mappings") => "{ email = \"mail\", name = \"display\" }",
        (_, "bound_claims") => "{ project_path = \"ml/*\", ref = \"refs/heads/main\" }",
        // CEL programs replace the claim checks; a program is its own feature.
        (_, "cel_program") => return Some(""),
        // Device-flow settings only for `callback_mode = "device"`.
        (_, "oauth2_metadata" | "poll_interval" | "message") => return Some(""),
        // OpenBao: "'token_strictly_bind_ip' conflicts with 'token_bound_cidrs'; set
        // only one"; the CIDRs are the normalisation worth proving.
        (_, "token_strictly_bind_ip") => return Some(""),
        (_, "password") => "env(\"KP_TEST_USER_PASSWORD\")",
        // One of `password` / `password_hash`.
        (_, "password_hash") => return Some(""),
        (_, "role_id") => "\"generated-role-id-0001\"",
        (_, "token_policies") => "[p-one, p-two]",
        // Leeways are durations the server keeps as seconds.
        (_, "clock_skew_leeway") => "45s",
        (_, "expiration_leeway") => "2m",
        (_, "not_before_leeway") => "3m",
        _ => return None,
    })
}

fn value(endpoint: &str, field: &str, f: &kp_schema::Field) -> String {
    if let Some(v) = special(endpoint, field) {
        return v.to_string();
    }
    let default = f.default.as_ref();
    if let Some(other) = f
        .allowed
        .iter()
        .find(|a| default.and_then(|d| d.as_str()) != Some(a.as_str()))
    {
        return format!("\"{other}\"");
    }
    match f.ty {
        FieldType::Bool => (!default.and_then(|d| d.as_bool()).unwrap_or(false)).to_string(),
        FieldType::Int => "3".to_string(),
        FieldType::Duration => match field {
            "token_ttl" => "20m",
            "token_max_ttl" => "2h",
            "token_explicit_max_ttl" => "3h",
            "token_period" => "30m",
            "secret_id_ttl" => "10m",
            "max_age" => "5m",
            _ => "1h",
        }
        .to_string(),
        FieldType::List | FieldType::CommaList if field.contains("cidr") => {
            "[\"127.0.0.1/32\", \"10.0.0.0/8\"]".to_string()
        }
        FieldType::List | FieldType::CommaList => "[\"zeta\", \"alpha\"]".to_string(),
        FieldType::Map => "{ team = \"ml\" }".to_string(),
        _ => format!("\"generated-{}\"", field.replace('_', "-")),
    }
}

fn pem(dir: &std::path::Path, what: &str) -> (String, String) {
    let key = dir.join(format!("{what}.key"));
    let cert = dir.join(format!("{what}.pem"));
    run(Command::new("openssl").args([
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-subj",
        &format!("/CN={what}"),
        "-days",
        "2",
        "-keyout",
        key.to_str().unwrap(),
        "-out",
        cert.to_str().unwrap(),
    ]));
    let public =
        run(Command::new("openssl").args(["pkey", "-pubout", "-in", key.to_str().unwrap()]));
    (std::fs::read_to_string(cert).unwrap(), public)
}

/// The generated program, and how many fields it sets.
fn generate(dir: &std::path::Path) -> (String, usize) {
    let (ca, _) = pem(dir, "kubernetes");
    let (_, jwt_key) = pem(dir, "issuer");
    let mut src = String::new();
    let mut fields = 0;
    // PEM values end with a newline here, as files do; servers may drop it.
    let _ = write!(
        src,
        "extern policy p-one\nextern policy p-two\n\n\
         auth approle {{\n  description = \"generated\"\n  default_lease_ttl = 1h\n  max_lease_ttl = 4h\n}}\n\n\
         auth userpass {{}}\n\n\
         auth kubernetes {{\n  kubernetes_host = \"https://10.0.0.1:443\"\n  disable_local_ca_jwt = true\n  \
         kubernetes_ca_cert = <<EOT\n{ca}EOT\n  pem_keys = [<<EOT\n{jwt_key}EOT\n  ]\n}}\n\n\
         auth jwt {{\n  bound_issuer = \"https://ci.example.com\"\n  jwt_supported_algs = [\"ES256\"]\n  \
         jwt_validation_pubkeys = [<<EOT\n{jwt_key}EOT\n  ]\n  default_role = \"everything\"\n}}\n\n"
    );
    for (endpoint, mount, keyword) in ROLES {
        let ep = kp_schema::endpoint(endpoint).unwrap();
        let _ = writeln!(src, "workload gen-{mount} {{\n  login {mount} {{");
        let _ = writeln!(src, "    role_name = \"everything\"");
        for (name, field) in &ep.fields {
            if field.deprecated {
                continue;
            }
            let v = value(endpoint, name, field);
            if v.is_empty() {
                continue;
            }
            fields += 1;
            let _ = writeln!(src, "    {name} = {v}");
        }
        let _ = writeln!(src, "  }}\n  read \"secret/data/{mount}/*\"\n}}\n");
        let _ = keyword;
    }
    (src, fields)
}

#[test]
fn a_program_setting_every_writable_field_plans_clean_after_apply() {
    if live().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (source, fields) = generate(dir.path());
    assert!(fields > 60, "only {fields} fields generated");
    let program = kp_live::cli::compile(&source, TargetArg::Openbao)
        .unwrap_or_else(|e| panic!("{e}\n{source}"));
    let bao = Bao::dev();
    let env = |name: &str| (name == "KP_TEST_USER_PASSWORD").then(|| "generated-pw".to_string());
    let report = apply_with(&bao, &program, None, false, &env);
    assert!(report.ok(), "apply failed: {report:#?}\n{source}");
    assert_clean(&bao, &program, None);

    // The examples of the language's login methods, applied on the same server.
    let logins = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/language-logins.kp"
    ))
    .unwrap();
    let (ca, _) = pem(dir.path(), "cluster");
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
            pem(dir.path(), "gitlab").1
        ),
    );
    let program = kp_live::cli::compile(&logins, TargetArg::Openbao)
        .unwrap_or_else(|e| panic!("{e}\n{logins}"));
    let env = |name: &str| (name == "OPERATOR_PASSWORD").then(|| "operator-pw".to_string());
    let report = apply_with(&bao, &program, None, false, &env);
    assert!(report.ok(), "apply failed: {report:#?}\n{logins}");
    assert_clean(&bao, &program, None);

    // The repository's examples that need no database or AWS, one after the other on
    // the same server (where they share a mount, each apply converges it to that
    // example), their JWKS URL pointed at a local JWKS endpoint (the server fetches it
    // when the config is written).
    let jwks = Jwks::start();
    let examples = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples");
    let mut applied = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(examples)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "kp"))
        .collect();
    entries.sort();
    for path in entries {
        let text = std::fs::read_to_string(&path).unwrap();
        if text.contains("secrets database") || text.contains("secrets aws") {
            continue;
        }
        let text = replace_jwks_urls(&text, &jwks.url);
        let program = kp_live::cli::compile(&text, TargetArg::Openbao)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let tokens = dir.path().join("tokens");
        let report = apply_with(&bao, &program, Some(&tokens), false, &no_env);
        assert!(report.ok(), "{}: {report:#?}", path.display());
        assert_clean(&bao, &program, Some(&tokens));
        applied.push(path.file_name().unwrap().to_string_lossy().into_owned());
    }
    assert!(applied.len() >= 4, "examples applied: {applied:?}");
}

/// Every `jwks_url = "..."` of a program, pointed at `url`.
fn replace_jwks_urls(text: &str, url: &str) -> String {
    text.lines()
        .map(|line| match line.split_once("jwks_url") {
            Some((indent, rest)) if rest.trim_start().starts_with('=') => {
                format!("{indent}jwks_url = \"{url}\"")
            }
            _ => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}
