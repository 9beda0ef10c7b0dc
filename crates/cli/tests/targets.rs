//! `--target` on the command line: omitted, the program's target-only fields pick it.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use std::path::Path;
use std::process::Output;

use common::keyplan_in;

/// An OpenBao-only field (docs/targets.md).
const OPENBAO_ONLY: &str = r#"auth approle {
  role ci {
    token_policies         = ["default"]
    token_strictly_bind_ip = true
  }
}
"#;

fn keyplan(args: &[&str], stdin: &str) -> Output {
    keyplan_in(Path::new(env!("CARGO_MANIFEST_DIR")), args, Some(stdin))
}

#[test]
fn without_target_check_compiles_for_the_implied_server_and_says_so() {
    let out = keyplan(&["check", "-"], OPENBAO_ONLY);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("kp::implied-target"), "{stderr}");
    assert!(stderr.contains("compiled for OpenBao"), "{stderr}");
    assert!(stderr.contains("--target openbao"), "{stderr}");
}

#[test]
fn the_other_target_is_a_located_error_naming_both() {
    let out = keyplan(
        &["check", "--target", "vault", "--format", "json", "-"],
        OPENBAO_ONLY,
    );
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &json["diagnostics"][0];
    assert_eq!(d["code"], "kp::unsupported-on-target", "{json:#}");
    assert_eq!(
        d["message"],
        "`token_strictly_bind_ip` is an OpenBao field: Vault does not accept it in AppRole role `ci`"
    );
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(4), Some(5)),
        "{json:#}"
    );
    assert!(
        d["help"].as_str().unwrap().contains("token_bound_cidrs"),
        "{json:#}"
    );
}

#[test]
fn build_without_target_emits_for_the_implied_server() {
    let out = keyplan(&["build", "--emit", "api", "-"], OPENBAO_ONLY);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("\"target\": \"openbao\""), "{stdout}");
}

/// Every command that compiles a program picks the server as `check` does: an
/// OpenBao-only field compiles without `--target` everywhere, not only in check/build.
#[test]
fn every_command_without_target_compiles_for_the_implied_server() {
    let dir = common::temp_dir("implied");
    let old = dir.join("old.kp");
    std::fs::write(&old, OPENBAO_ONLY).unwrap();
    let old = old.to_str().unwrap();
    let claims = r#"--claims={"sub": "x"}"#;
    let runs: [(&[&str], &[i32]); 4] = [
        (&["explain", "-", "auth/token/lookup-self"], &[0]),
        (&["access", "-"], &[0]),
        (&["diff", old, "-"], &[0]),
        // No JWT role accepts the token: 2, not an error (1).
        (&["simulate", "-", claims], &[0, 2]),
    ];
    for (args, codes) in runs {
        let out = keyplan(args, OPENBAO_ONLY);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.code().is_some_and(|c| codes.contains(&c)),
            "{args:?}: {:?} {stderr}",
            out.status.code()
        );
        assert!(
            !stderr.contains("unsupported-on-target"),
            "{args:?}: {stderr}"
        );
    }
}
