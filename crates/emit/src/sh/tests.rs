use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use super::*;
use crate::fixtures;

fn script(fixture: fn() -> (Program, Graph), target: Target) -> String {
    let (p, g) = fixture();
    emit(&p, &g, target).contents
}

fn run_with_stdin(cmd: &mut Command, stdin: &str) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("wait")
}

fn have(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn pipeline_script_for_openbao() {
    let out = script(fixtures::pipeline, Target::Openbao);
    insta::assert_snapshot!(out);
}

#[test]
fn awkward_script_for_vault() {
    let out = script(fixtures::awkward_secrets, Target::Vault);
    insta::assert_snapshot!(out);
}

#[test]
fn scripts_parse_with_bash_n() {
    for fixture in [fixtures::pipeline, fixtures::awkward_secrets] {
        for target in [Target::Vault, Target::Openbao] {
            let text = script(fixture, target);
            let out = run_with_stdin(Command::new("bash").arg("-n"), &text);
            assert!(
                out.status.success(),
                "bash -n failed: {}\n{text}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

#[test]
fn scripts_pass_shellcheck_when_installed() {
    if !have("shellcheck") {
        eprintln!("shellcheck not installed: skipped");
        return;
    }
    for fixture in [
        fixtures::pipeline,
        fixtures::awkward_secrets,
        fixtures::literal_secrets,
    ] {
        for target in [Target::Vault, Target::Openbao] {
            let text = script(fixture, target);
            let out = run_with_stdin(Command::new("shellcheck").args(["-s", "bash", "-"]), &text);
            assert!(
                out.status.success(),
                "shellcheck: {}\n{text}",
                String::from_utf8_lossy(&out.stdout)
            );
        }
    }
}

#[test]
fn quoting_survives_hostile_text() {
    assert_eq!(quote("auth/jwt/role/a-b_c.d"), "auth/jwt/role/a-b_c.d");
    assert_eq!(quote("it's"), r"'it'\''s'");
    assert_eq!(quote("$HOME"), "'$HOME'");
    assert_eq!(quote(""), "''");
    assert_eq!(quote("-x"), "'-x'");
    assert_eq!(comment("it's\nx"), "it's_x");
    assert_eq!(plain("a\nb`c$d}\"e"), "a_b_c_d__e");
    assert!(is_shell_name("DB_ROOT_PASSWORD") && is_shell_name("_x1"));
    assert!(!is_shell_name("1X") && !is_shell_name("A-B") && !is_shell_name(""));
}

#[test]
fn jq_filter_sets_every_secret_path() {
    let (p, _) = fixtures::awkward_secrets();
    let filter = jq_filter(&secrets(&p.resources[1].body));
    assert_eq!(
        filter,
        r#"setpath(["nested","key'with\"quotes"]; env["SECOND_SECRET"]) | setpath(["nested","list",1]; env["FIRST_SECRET"]) | setpath(["password"]; env["FIRST_SECRET"])"#
    );
}

/// A scratch directory under the system temp dir, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("kp-emit-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("bin")).expect("mkdir");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A stand-in for the vault/bao CLI: logs its argv and stdin, and answers a token
/// creation (`-format=json`) as the real CLI does, with the accessor `KP_ACCESSOR` when
/// set (`""`: a batch token's).
fn fake_cli(dir: &Path, name: &str) {
    use std::os::unix::fs::PermissionsExt as _;
    let path = dir.join("bin").join(name);
    std::fs::write(
        &path,
        r#"#!/usr/bin/env bash
set -euo pipefail
printf '%s\n' "$*" >>"$KP_LOG/argv"
printf '%s\n' "$(cat)" >>"$KP_LOG/stdin"
env | grep -E '^(BAO|VAULT)_(ADDR|TOKEN)=' | sort >>"$KP_LOG/env"
for a in "$@"; do
  if [ "$a" = -format=json ]; then printf '{"auth":{"client_token":"s.FAKE-TOKEN","accessor":"%s"}}\n' "${KP_ACCESSOR-FAKE-ACCESSOR}"; exit 0; fi
done
echo "Success! Data written to: $1"
"#,
    )
    .expect("write fake cli");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

fn apply(scratch: &Scratch, text: &str, cli: &str, envs: &[(&str, &str)]) -> Output {
    fake_cli(&scratch.0, cli);
    let script = scratch.0.join("apply.sh");
    std::fs::write(&script, text).expect("write script");
    let path = format!(
        "{}:{}",
        scratch.0.join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::new("bash");
    cmd.arg(&script)
        .env_clear()
        .env("PATH", path)
        .env("KP_LOG", &scratch.0)
        .envs(envs.iter().copied());
    run_with_stdin(&mut cmd, "")
}

#[test]
fn running_the_script_keeps_secrets_off_argv_and_tokens_off_stdout() {
    use std::os::unix::fs::PermissionsExt as _;
    if !have("jq") {
        eprintln!("jq not installed: skipped");
        return;
    }
    let scratch = Scratch::new("run");
    let tokens = scratch.0.join("tokens");
    let secret = r#"pa'ss"w$rd `x` \n"#;
    let text = script(fixtures::pipeline, Target::Openbao);
    let out = apply(
        &scratch,
        &text,
        "bao",
        &[
            ("VAULT_ADDR", "http://127.0.0.1:1"),
            ("VAULT_TOKEN", "root"),
            ("DB_ROOT_PASSWORD", secret),
            ("KEYPLAN_TOKEN_DIR", tokens.to_str().expect("utf-8 path")),
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");

    let argv = std::fs::read_to_string(scratch.0.join("argv")).expect("argv log");
    let bodies = std::fs::read_to_string(scratch.0.join("stdin")).expect("stdin log");
    assert_eq!(argv.lines().count(), 10, "{argv}");
    assert!(argv.lines().all(|l| l.starts_with("write ")));
    assert!(!argv.contains("pa'ss"));
    // Every body reached the CLI as JSON; the secret is the real value, exactly.
    let bodies: Vec<serde_json::Value> = bodies
        .lines()
        .map(|l| serde_json::from_str(l).expect("body is JSON"))
        .collect();
    let connection = bodies
        .iter()
        .find(|b| b.get("plugin_name").is_some())
        .expect("connection body");
    assert_eq!(connection["password"], secret);
    // BAO_* were derived from VAULT_*.
    let env = std::fs::read_to_string(scratch.0.join("env")).expect("env log");
    assert!(env.contains("BAO_ADDR=http://127.0.0.1:1\nBAO_TOKEN=root\n"));

    let token_file = tokens.join("ml-pipeline-token");
    assert_eq!(
        std::fs::read_to_string(&token_file).expect("token"),
        "s.FAKE-TOKEN\n"
    );
    // The accessor too, as `keyplan apply --token-out` records it: a later `plan
    // --token-out` finds the token instead of planning a second one.
    assert_eq!(
        std::fs::read_to_string(tokens.join("ml-pipeline-token.accessor")).expect("accessor"),
        "FAKE-ACCESSOR\n"
    );
    let mode = std::fs::metadata(&token_file)
        .expect("stat")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    assert!(!stdout.contains("FAKE-TOKEN") && !stderr.contains("FAKE-TOKEN"));
}

#[test]
fn running_without_a_secret_stops_before_the_first_call() {
    stops_before_the_first_call("missing", &[]);
}

/// A secret variable set but empty stops the script as an unset one does.
#[test]
fn running_with_an_empty_secret_stops_before_the_first_call() {
    stops_before_the_first_call("empty", &[("DB_ROOT_PASSWORD", "")]);
}

/// Runs the pipeline's script with `secrets` as its only secret variables: it must stop
/// on `DB_ROOT_PASSWORD` before calling the CLI.
fn stops_before_the_first_call(name: &str, secrets: &[(&str, &str)]) {
    let scratch = Scratch::new(name);
    let text = script(fixtures::pipeline, Target::Vault);
    let mut envs = vec![
        ("VAULT_ADDR", "http://127.0.0.1:1"),
        ("VAULT_TOKEN", "root"),
    ];
    envs.extend_from_slice(secrets);
    let out = apply(&scratch, &text, "vault", &envs);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("set DB_ROOT_PASSWORD"), "{stderr}");
    assert!(!scratch.0.join("argv").exists());
}

#[test]
fn nested_secrets_are_filled_in_by_jq() {
    if !have("jq") {
        eprintln!("jq not installed: skipped");
        return;
    }
    let scratch = Scratch::new("nested");
    let text = script(fixtures::awkward_secrets, Target::Vault);
    let out = apply(
        &scratch,
        &text,
        "vault",
        &[
            ("VAULT_ADDR", "http://127.0.0.1:1"),
            ("VAULT_TOKEN", "root"),
            ("FIRST_SECRET", "one"),
            ("SECOND_SECRET", "two"),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let argv = std::fs::read_to_string(scratch.0.join("argv")).expect("argv log");
    assert_eq!(
        argv,
        "write sys/mounts/odd path -\nwrite odd path/config/it's -\n"
    );
    let bodies = std::fs::read_to_string(scratch.0.join("stdin")).expect("stdin log");
    let last: serde_json::Value =
        serde_json::from_str(bodies.lines().last().expect("two bodies")).expect("JSON");
    assert_eq!(
        last,
        serde_json::json!({
            "nested": {"key'with\"quotes": "two", "list": ["plain", "one"]},
            "password": "one"
        })
    );
    let first: serde_json::Value =
        serde_json::from_str(bodies.lines().next().expect("body")).expect("JSON");
    assert_eq!(first["description"], "it's $HOME `x` \"q\"");
}

#[test]
fn literal_secrets_are_read_from_the_variables_the_script_names() {
    let text = script(fixtures::literal_secrets, Target::Openbao);
    for literal in [
        fixtures::LITERAL_PASSWORD,
        "second-literal",
        "third-literal",
    ] {
        assert!(!text.contains(literal), "{literal} copied into:\n{text}");
    }
    insta::assert_snapshot!(text);
    let out = run_with_stdin(Command::new("bash").arg("-n"), &text);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Without the variables, the script stops before the first call and names them.
    let scratch = Scratch::new("literal-missing");
    let base = [
        ("VAULT_ADDR", "http://127.0.0.1:1"),
        ("VAULT_TOKEN", "root"),
    ];
    let out = apply(&scratch, &text, "bao", &base);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "set KEYPLAN_SECRET_AUTH_USERPASS_USERS_ALICE_PASSWORD to the literal secret \
             password of auth/userpass/users/alice (written in the program"
        ),
        "{stderr}"
    );
    assert!(!scratch.0.join("argv").exists());

    if !have("jq") {
        eprintln!("jq not installed: the run is skipped");
        return;
    }
    let scratch = Scratch::new("literal");
    let mut envs = base.to_vec();
    envs.extend([
        (
            "KEYPLAN_SECRET_AUTH_USERPASS_USERS_ALICE_PASSWORD",
            fixtures::LITERAL_PASSWORD,
        ),
        // `alice_` meets `alice` in shell-name form: numbered.
        (
            "KEYPLAN_SECRET_AUTH_USERPASS_USERS_ALICE_PASSWORD_2",
            "second",
        ),
        ("KEYPLAN_SECRET_AUTH_USERPASS_USERS_ALICE_NESTED_1", "third"),
    ]);
    let out = apply(&scratch, &text, "bao", &envs);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let argv = std::fs::read_to_string(scratch.0.join("argv")).expect("argv log");
    assert!(!argv.contains("pa$$word"), "{argv}");
    let bodies: Vec<serde_json::Value> = std::fs::read_to_string(scratch.0.join("stdin"))
        .expect("stdin log")
        .lines()
        .map(|l| serde_json::from_str(l).expect("body is JSON"))
        .collect();
    assert_eq!(
        &bodies[1..],
        [
            serde_json::json!({"password": fixtures::LITERAL_PASSWORD, "token_policies": ["reader"]}),
            serde_json::json!({"password": "second", "nested": ["plain", "third"]}),
        ]
    );
}

/// A batch token has no accessor (the server answers `""`): the script keeps the token,
/// as `keyplan apply --token-out` does, rather than stop after the server created it.
#[test]
fn running_the_script_keeps_a_batch_token() {
    if !have("jq") {
        eprintln!("jq not installed: skipped");
        return;
    }
    let scratch = Scratch::new("batch");
    let tokens = scratch.0.join("tokens");
    let text = script(fixtures::pipeline, Target::Openbao);
    let out = apply(
        &scratch,
        &text,
        "bao",
        &[
            ("VAULT_ADDR", "http://127.0.0.1:1"),
            ("VAULT_TOKEN", "root"),
            ("DB_ROOT_PASSWORD", "pw"),
            ("KEYPLAN_TOKEN_DIR", tokens.to_str().expect("utf-8 path")),
            ("KP_ACCESSOR", ""),
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(tokens.join("ml-pipeline-token")).expect("token"),
        "s.FAKE-TOKEN\n"
    );
}
