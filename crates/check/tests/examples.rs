//! The programs of LANGUAGE.md (and the repository's examples) check clean on Vault,
//! with exactly the warnings their scenarios call for; their lowered programs are
//! snapshotted.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{check_file, codes_of, errors_of};
use kp_check::Target;

fn warnings(path: &str, target: Target) -> Vec<String> {
    let (diags, _) = check_file(path, target);
    let errors = errors_of(&diags);
    assert!(errors.is_empty(), "{path}: unexpected errors:\n{errors:#?}");
    codes_of(&diags)
}

#[test]
fn scenario1_warns_only_about_the_key_source() {
    assert_eq!(
        warnings("tests/examples/scenario1-jwt.kp", Target::Vault),
        ["kp::jwt-no-key-source"]
    );
}

#[test]
fn scenario3_warns_only_about_any_user() {
    assert_eq!(
        warnings("tests/examples/scenario3-ssh.kp", Target::Vault),
        ["kp::ssh-any-user"]
    );
}

#[test]
fn every_login_method_checks_clean() {
    assert!(warnings("tests/examples/language-logins.kp", Target::Vault).is_empty());
    assert!(warnings("tests/examples/language-logins.kp", Target::Openbao).is_empty());
}

#[test]
fn scenario4_is_clean() {
    assert!(warnings("tests/examples/scenario4-token.kp", Target::Vault).is_empty());
    assert!(warnings("tests/examples/scenario4-token.kp", Target::Openbao).is_empty());
}

#[test]
fn scenario5_is_clean_on_vault() {
    assert!(warnings("tests/examples/scenario5-rotation.kp", Target::Vault).is_empty());
}

#[test]
fn scenario5_on_openbao_lacks_only_aws() {
    let (diags, _) = check_file("tests/examples/scenario5-rotation.kp", Target::Openbao);
    assert_eq!(codes_of(&diags), ["kp::unsupported-on-target"]);
    let message = &diags[0].message;
    assert_eq!(message, "OpenBao has no AWS secrets engine");
}

#[test]
fn language_workload_is_clean() {
    assert!(warnings("tests/examples/language-workload.kp", Target::Vault).is_empty());
}

/// The repository's examples compile without a single diagnostic: on OpenBao, except
/// scenario 5 (AWS), on Vault.
#[test]
fn repository_examples_are_clean() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut seen = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("kp") {
            continue;
        }
        let name = path.to_string_lossy().to_string();
        let target = if name.contains("api-key-rotation") {
            Target::Vault
        } else {
            Target::Openbao
        };
        let (diags, _) = check_file(&name, target);
        assert!(diags.is_empty(), "{name}: {diags:#?}");
        seen += 1;
    }
    assert!(seen > 0);
}

fn snapshot(name: &str, target: Target) {
    let (diags, program) = check_file(&format!("tests/examples/{name}.kp"), target);
    assert!(errors_of(&diags).is_empty());
    insta::assert_json_snapshot!(name, program);
}

#[test]
fn snapshots() {
    for name in [
        "scenario1-jwt",
        "scenario3-ssh",
        "scenario4-token",
        "scenario5-rotation",
        "language-workload",
        "language-logins",
    ] {
        snapshot(name, Target::Vault);
    }
}
