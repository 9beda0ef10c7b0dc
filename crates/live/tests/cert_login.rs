//! The TLS certificate auth method on a real OpenBao served over TLS: a workload's
//! certificate role logs a client in with a certificate its CA signed and whose common
//! name it allows, the token does what the workload says and nothing more, a
//! certificate with another name is refused while a role that names nothing takes it
//! (`kp::cert-no-constraint`), a role whose common names overlap the runner's takes the
//! runner's certificate and a login naming no role gets the first match in name order
//! (`kp::overlapping-roles`), the plan after apply is clean, and the server imports back
//! to a program that plans clean too.

// Helpers outside #[test] functions fail the test with their message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use kp_live::TargetArg;
use serde_json::json;

const PROGRAM: &str = r#"
auth cert machines {
  description = "CI runners with a client certificate"

  # kp::cert-no-constraint: any certificate of the CA logs in here.
  role any-host {
    certificate    = env("RUNNER_CA_PEM")
    token_policies = ["default"]
  }

  # kp::overlapping-roles with the runner's role: `*.example.com` takes its names too.
  role deployers {
    certificate          = env("RUNNER_CA_PEM")
    allowed_common_names = ["*.example.com"]
    token_policies       = ["default"]
  }
}

workload runner {
  login machines {
    certificate          = env("RUNNER_CA_PEM")
    allowed_common_names = ["ci-runner-*.example.com"]
    token_ttl            = 20m
  }
  read "secret/data/ci/*"
}
"#;

fn openssl(args: &[&str]) {
    run(Command::new("openssl").args(args));
}

/// A CA (`ca.pem`) and, for each common name, a client certificate it signed
/// (`NAME.pem`, `NAME.key`).
fn certificates(dir: &Path, names: &[&str]) -> String {
    let at = |f: &str| dir.join(f).display().to_string();
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let mut ca = vec!["req", "-x509"];
    ca.extend(ec);
    let (ca_key, ca_pem) = (at("ca.key"), at("ca.pem"));
    ca.extend([
        "-subj",
        "/CN=runners-ca",
        "-keyout",
        &ca_key,
        "-out",
        &ca_pem,
    ]);
    ca.extend(["-days", "1"]);
    openssl(&ca);
    for name in names {
        let (key, csr, pem) = (
            at(&format!("{name}.key")),
            at(&format!("{name}.csr")),
            at(&format!("{name}.pem")),
        );
        let subject = format!("/CN={name}");
        let mut req = vec!["req"];
        req.extend(ec);
        req.extend(["-subj", &subject, "-keyout", &key, "-out", &csr]);
        openssl(&req);
        openssl(&[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            &ca_pem,
            "-CAkey",
            &ca_key,
            "-CAcreateserial",
            "-out",
            &pem,
            "-days",
            "1",
        ]);
    }
    std::fs::read_to_string(dir.join("ca.pem")).unwrap()
}

/// `bao write auth/machines/login name=runner` with the client certificate `name`:
/// the client token, or the server's refusal.
fn login(bao: &Bao, server_ca: &Path, dir: &Path, name: &str) -> Result<String, String> {
    login_as(bao, server_ca, dir, name, "runner")
}

/// The same, logging in to the certificate role `role` (none: `""`).
fn login_as(
    bao: &Bao,
    server_ca: &Path,
    dir: &Path,
    name: &str,
    role: &str,
) -> Result<String, String> {
    let cert = dir.join(format!("{name}.pem"));
    let key = dir.join(format!("{name}.key"));
    let out = bao
        .bao_cmd()
        .env_remove("VAULT_TOKEN")
        .env("VAULT_CACERT", server_ca)
        .env("VAULT_CLIENT_CERT", &cert)
        .env("VAULT_CLIENT_KEY", &key)
        .args(["write", "-format=json"])
        .args(role.is_empty().then_some("-force"))
        .arg("auth/machines/login")
        .args((!role.is_empty()).then(|| format!("name={role}")))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        return Err(format!("{text}{}", String::from_utf8_lossy(&out.stderr)));
    }
    let auth: serde_json::Value = serde_json::from_str(&text).unwrap();
    Ok(auth["auth"]["client_token"].as_str().unwrap().to_string())
}

/// `bao ARGS` with `token` over the server's TLS: its output, or its error.
fn as_token(bao: &Bao, server_ca: &Path, token: &str, args: &[&str]) -> Result<String, String> {
    let out = bao
        .bao_cmd()
        .env("VAULT_TOKEN", token)
        .env("VAULT_CACERT", server_ca)
        .args(args)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    if out.status.success() {
        Ok(text)
    } else {
        Err(format!("{text}{}", String::from_utf8_lossy(&out.stderr)))
    }
}

#[test]
fn a_certificate_role_logs_in_the_names_it_allows_and_plans_clean() {
    let Some(()) = live() else { return };
    let dir = tempfile::tempdir().unwrap();
    let runner = "ci-runner-7.example.com";
    let laptop = "laptop.example.com";
    let ca = certificates(dir.path(), &[runner, laptop]);
    let program = kp_live::cli::compile(PROGRAM, TargetArg::Openbao).unwrap();
    let (bao, server_ca) = Bao::dev_tls();
    let env = one_var("RUNNER_CA_PEM", &ca);
    let report = apply_with(&bao, &program, None, false, &env);
    assert!(report.ok(), "apply failed: {report:?}");
    assert_clean(&bao, &program, None);

    let role = bao.data("auth/machines/certs/runner");
    assert_eq!(role["certificate"].as_str().unwrap().trim(), ca.trim());
    assert_eq!(
        role["allowed_common_names"],
        json!(["ci-runner-*.example.com"])
    );
    assert_eq!(role["token_policies"], json!(["runner"]));
    assert_eq!(role["token_ttl"], 1200);

    // The runner's certificate logs in, and its token reads what the workload reads.
    let token = login(&bao, &server_ca, dir.path(), runner).unwrap();
    let root = bao.token.clone();
    for path in ["secret/ci/model", "secret/prod/key"] {
        as_token(&bao, &server_ca, &root, &["kv", "put", path, "v=1"]).unwrap();
    }
    let read = as_token(
        &bao,
        &server_ca,
        &token,
        &["kv", "get", "-field=v", "secret/ci/model"],
    );
    assert_eq!(read.unwrap().trim(), "1");
    let other = as_token(&bao, &server_ca, &token, &["kv", "get", "secret/prod/key"]);
    assert!(other.unwrap_err().contains("permission denied"));
    // A certificate of the same CA with a name the role does not allow is refused.
    let refused = login(&bao, &server_ca, dir.path(), laptop).unwrap_err();
    // ... while the role that names nothing takes it, as kp::cert-no-constraint warns.
    login_as(&bao, &server_ca, dir.path(), laptop, "any-host").unwrap();
    assert!(
        refused.contains("no chain matching all constraints"),
        "{refused}"
    );
    // The runner's certificate also logs in to `deployers`, as kp::overlapping-roles
    // warns; naming no role, it gets the first role that matches by name: `any-host`.
    let warnings = keyplan::access::lints::lints(&program, keyplan::Target::Openbao);
    let codes: Vec<&str> = warnings.iter().map(|d| d.code).collect();
    assert!(codes.contains(&"kp::overlapping-roles"), "{codes:?}");
    login_as(&bao, &server_ca, dir.path(), runner, "deployers").unwrap();
    let unnamed = login_as(&bao, &server_ca, dir.path(), runner, "").unwrap();
    let lookup = as_token(
        &bao,
        &server_ca,
        &unnamed,
        &["token", "lookup", "-format=json"],
    );
    let lookup: serde_json::Value = serde_json::from_str(&lookup.unwrap()).unwrap();
    assert_eq!(lookup["data"]["meta"]["cert_name"], "any-host", "{lookup}");

    // The server imports back to a program that compiles and plans clean: the role's
    // certificate is not a secret, so it comes back as text.
    let options = kp_import::Options {
        target: kp_import::Target::Openbao,
        ..kp_import::Options::default()
    };
    let snapshot = kp_live::import::read_snapshot(&bao.client(), &options).unwrap();
    let text = kp_import::import(&snapshot, &options).program;
    assert!(text.contains("auth cert machines"), "{text}");
    assert!(text.contains("workload runner"), "{text}");
    // The display name the server filled in (the role's name) is not written.
    assert!(!text.contains("display_name"), "{text}");
    let again = kp_live::cli::compile(&text, TargetArg::Openbao).unwrap();
    assert_clean(&bao, &again, None);
}
