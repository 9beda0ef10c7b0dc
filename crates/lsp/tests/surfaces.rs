//! One feature, every surface: for the same program, the diagnostics the server publishes
//! are those `keyplan check` reports (the core's compile, then the identity lints:
//! `keyplan::checked`, the sequence of `crates/cli/src/check.rs`). Compared on every
//! example, every language-suite case, every example of `docs/diagnostics.md` (one-file
//! programs), programs that imply a target, and the multi-file examples, file by file:
//! code, severity, range and message.
//!
//! Neither side names a target: the server, configured with none, checks each program for
//! the target it implies, as `keyplan check` without `--target` does.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

#[path = "../../ide/tests/files/mod.rs"]
mod files;

use std::path::PathBuf;

use files::{kp_files, root};

use common::Client;
use kp_diag::{Severity, SourceMap};
use serde_json::{json, Value};

/// The ```` ```kp ```` blocks of a markdown file.
fn kp_blocks(markdown: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```kp") => current = Some(String::new()),
            (Some(_), "```") => out.extend(current.take()),
            (Some(text), l) => {
                text.push_str(l);
                text.push('\n');
            }
            (None, _) => {}
        }
    }
    out
}

/// Every one-file program of the corpus: `(name, text)`.
fn one_file_programs() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for dir in ["examples", "tests"] {
        for f in kp_files(&root().join(dir)) {
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            out.push((
                format!("{dir}-{name}"),
                std::fs::read_to_string(&f).unwrap(),
            ));
        }
    }
    let docs = std::fs::read_to_string(root().join("docs/diagnostics.md")).unwrap();
    for (i, text) in kp_blocks(&docs).into_iter().enumerate() {
        out.push((format!("diagnostics-md-{i}.kp"), text));
    }
    out.extend(
        TARGET_ONLY
            .iter()
            .map(|(name, text)| (name.to_string(), text.to_string())),
    );
    assert!(out.len() > 100, "corpus: {} programs", out.len());
    out
}

/// Programs whose target-only fields pick the target: the checks the server runs for them
/// differ from a configured target's.
const TARGET_ONLY: [(&str, &str); 3] = [
    // OpenBao-only fields on a JWT mount and role: compiled for OpenBao, warned once, and
    // the program goes on to the identity lints.
    (
        "implies-openbao.kp",
        r#"auth jwt ci {
  oidc_discovery_url   = "https://token.actions.githubusercontent.com"
  bound_issuer         = "https://token.actions.githubusercontent.com"
  skip_jwks_validation = true
}

workload deploy {
  login ci {
    bound_audiences = ["https://github.com/acme"]
    user_claim      = "sub"
    token_policies_template_claims = true
  }
}
"#,
    ),
    // Vault's AWS engine and OpenBao's field: no target accepts it all.
    (
        "mixes-both.kp",
        r#"auth approle {
  role ci {
    token_policies         = ["default"]
    token_strictly_bind_ip = true
  }
}

secrets aws {
  root {
    region = "us-west-2"
  }
}
"#,
    ),
    // A Vault-only field: Vault, as without it, but said.
    (
        "implies-vault.kp",
        r#"secrets database {
  connection app {
    plugin_name    = "postgresql-database-plugin"
    connection_url = "postgresql://{{username}}:{{password}}@localhost:5432/postgres"
    username       = "vault"
    password       = env("PG_PASSWORD")
    allowed_roles  = [legacy]
  }
  static-role legacy {
    db_name           = app
    username          = "legacy"
    rotation_schedule = "0 0 * * SAT"
  }
}
"#,
    ),
];

/// `keyplan check`'s diagnostics of a program, located and worded as the server shows
/// them: the label after the message, after a colon.
fn cli_check(sources: SourceMap) -> Vec<(String, Value)> {
    let compiled = keyplan::checked(keyplan::compile_sources_for(sources, None));
    compiled
        .diagnostics
        .iter()
        .map(|d| {
            let id = compiled.sources.file_id(d.span.start).unwrap();
            let file = compiled.sources.get(id).unwrap();
            let local = file.local(d.span);
            let (sl, sc) = file.utf16_position(file.base() + local.start);
            let (el, ec) = file.utf16_position(file.base() + local.end);
            let severity = match d.severity {
                Severity::Error => 1,
                Severity::Warning => 2,
            };
            let message = if d.label.is_empty() {
                d.message.clone()
            } else {
                format!("{}: {}", d.message, d.label)
            };
            let key = json!({
                "code": d.code,
                "severity": severity,
                "range": [sl, sc, el, ec],
                "message": message,
            });
            (file.name().to_string(), key)
        })
        .collect()
}

/// The same fields of a published diagnostic (its message without the help the server
/// appends).
fn published(d: &Value) -> Value {
    let r = &d["range"];
    let message = d["message"].as_str().unwrap();
    json!({
        "code": d["code"],
        "severity": d["severity"],
        "range": [r["start"]["line"], r["start"]["character"], r["end"]["line"], r["end"]["character"]],
        "message": message.split("\nhelp: ").next().unwrap(),
    })
}

#[test]
fn the_server_publishes_what_keyplan_check_reports_for_each_program() {
    let mut client = Client::start_with(json!({ "program": "file" }));
    let mut seen = std::collections::BTreeSet::new();
    let mut implied = std::collections::BTreeSet::new();
    for (name, text) in one_file_programs() {
        let uri = format!("file:///surfaces/{name}");
        let served: Vec<Value> = client
            .open(&uri, &text)
            .as_array()
            .unwrap()
            .iter()
            .map(published)
            .collect();
        let cli: Vec<Value> = cli_check(SourceMap::single(uri.clone(), text))
            .into_iter()
            .map(|(_, key)| key)
            .collect();
        assert_eq!(
            served, cli,
            "{name}: server (left) and `keyplan check` (right)"
        );
        seen.extend(cli.iter().map(|k| k["code"].as_str().unwrap().to_string()));
        implied.extend(
            cli.iter()
                .filter(|k| k["code"] == "kp::implied-target")
                .map(|k| k["message"].as_str().unwrap().to_string()),
        );
        client.notify(
            "textDocument/didClose",
            json!({ "textDocument": { "uri": uri } }),
        );
    }
    // The identity lints are in the corpus, so the comparison covers them.
    for code in [
        "kp::jwt-audience-only",
        "kp::unused-policy",
        "kp::privileged-grant",
        "kp::shadowed-rule",
        "kp::narrowing-rule",
        "kp::cert-no-constraint",
        "kp::inherited-policies",
        "kp::jwt-no-audience",
        "kp::ssh-otp-no-cidr",
    ] {
        assert!(
            seen.contains(code),
            "no program of the corpus reports {code}"
        );
    }
    // And every choice of the implied target: each server, and neither.
    for choice in [
        "compiled for OpenBao",
        "compiled for Vault",
        "fields of both servers",
    ] {
        assert!(
            implied.iter().any(|m| m.contains(choice)),
            "no program of the corpus is {choice}: {implied:?}"
        );
    }
    client.stop();
}

#[test]
fn the_server_publishes_what_keyplan_check_reports_for_each_file_of_a_directory() {
    let mut dirs: Vec<PathBuf> = ["examples", "tests"]
        .iter()
        .flat_map(|d| std::fs::read_dir(root().join(d)).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() && !kp_files(p).is_empty())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty());
    for dir in dirs {
        assert_directory_agrees(&dir);
    }
}

/// A program of two files whose target-only fields are one in each: the implied target's
/// warning is in one file, about the other.
#[test]
fn the_server_publishes_the_implied_target_of_a_directory_program() {
    let dir = std::env::temp_dir().join(format!("kp-lsp-surfaces-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (openbao, vault) = (TARGET_ONLY[0].1, TARGET_ONLY[2].1);
    for (name, text) in [("a.kp", openbao), ("b.kp", vault)] {
        std::fs::write(dir.join(name), text).unwrap();
    }
    let served = assert_directory_agrees(&dir);
    std::fs::write(dir.join("b.kp"), "").unwrap();
    let openbao_alone = assert_directory_agrees(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
    let implied = |served: &[Vec<Value>]| -> Vec<String> {
        served
            .iter()
            .flatten()
            .filter(|d| d["code"] == "kp::implied-target")
            .map(|d| d["message"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        implied(&served),
        ["this program uses fields of both servers: no target accepts all of it: only one server has this"]
    );
    assert_eq!(
        implied(&openbao_alone),
        ["no target given: compiled for OpenBao, which this program implies: only OpenBao has this"]
    );
}

/// Opens the first `.kp` file of `dir` in a server and checks that it publishes, for each
/// file of the directory, what `keyplan check DIR` reports there; returns what it
/// published, file by file.
fn assert_directory_agrees(dir: &std::path::Path) -> Vec<Vec<Value>> {
    let dir = dir.canonicalize().unwrap();
    let files = kp_files(&dir);
    let uris: Vec<String> = files
        .iter()
        .map(|f| format!("file://{}", f.display()))
        .collect();
    let mut sources = SourceMap::new();
    for (uri, f) in uris.iter().zip(&files) {
        sources.add(uri.clone(), std::fs::read_to_string(f).unwrap());
    }
    let cli = cli_check(sources);
    let mut client = Client::start_with(json!({}));
    // Opening one file publishes every file of its program.
    let first = std::fs::read_to_string(&files[0]).unwrap();
    let mut served = vec![client.open(&uris[0], &first)];
    served.extend(uris[1..].iter().map(|u| client.diagnostics(u)));
    let mut out = Vec::new();
    for (uri, served) in uris.iter().zip(served) {
        let served: Vec<Value> = served.as_array().unwrap().iter().map(published).collect();
        let expected: Vec<Value> = cli
            .iter()
            .filter(|(file, _)| file == uri)
            .map(|(_, key)| key.clone())
            .collect();
        assert_eq!(
            served, expected,
            "{uri}: server (left) and `keyplan check` (right)"
        );
        out.push(served);
    }
    client.stop();
    out
}
