//! Import 1,000 JWT roles and 1,000 policies from a local OpenBao dev server: the reads
//! (kp-live) and the program they become (kp-import), end to end.
//! `cargo bench -p kp-live --bench import_1000` (`KEYPLAN_BENCH_N` changes the count).

// A benchmark harness: a failed step should stop it with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use common::*;

/// `n` policies and `n` roles; every role names its own policy (so it is imported as a
/// workload) and a shared one.
fn source_of(n: usize, jwks_url: &str) -> String {
    let mut out = String::from(
        "policy shared {\n  path \"shared/*\" {\n    capabilities = [read]\n  }\n}\n\n",
    );
    for i in 0..n.saturating_sub(1) {
        let _ = writeln!(
            out,
            "policy p{i:05} {{\n  path \"app/{i}/+/config\" {{\n    capabilities = [read, list]\n  }}\n  \
             path \"app/{i}/secret\" {{\n    capabilities = [deny]\n  }}\n}}\n"
        );
    }
    let _ = writeln!(out, "auth jwt {{\n  jwks_url = \"{jwks_url}\"");
    for i in 0..n {
        let _ = writeln!(
            out,
            "  role r{i:05} {{\n    user_claim      = \"sub\"\n    bound_audiences = [\"bench\"]\n    \
             bound_claims    = {{ project = \"p{i}\" }}\n    \
             token_policies  = [p{:05}, shared]\n    token_ttl       = 15m\n  }}",
            i.min(n.saturating_sub(2))
        );
    }
    out.push_str("}\n");
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
    // The server fetches the JWKS when the config is written: serve one.
    let jwks = Jwks::start();
    let source = source_of(n, &jwks.url);
    let options = keyplan::Options {
        target: keyplan::Target::Openbao,
    };
    let compiled = keyplan::compile(&source, &options);
    assert!(!compiled.has_errors(), "{:?}", compiled.diagnostics.first());
    let program = compiled.program.clone().unwrap();

    let bao = Bao::dev();
    // Apply what the program says, then import it back.
    let report = apply(&bao, &program);
    assert!(report.ok(), "{:?}", report.failed.first());

    let import_options = kp_import::Options {
        target: kp_import::Target::Openbao,
        ..kp_import::Options::default()
    };
    let client = bao.client();
    let mut reads = Vec::new();
    let mut builds = Vec::new();
    let mut imported = None;
    for _ in 0..3 {
        let start = Instant::now();
        let snap = kp_live::import::read_snapshot(&client, &import_options).unwrap();
        reads.push(start.elapsed());
        let start = Instant::now();
        imported = Some(kp_import::import(&snap, &import_options));
        builds.push(start.elapsed());
    }
    let imported = imported.unwrap();
    let min = |v: &[Duration]| v.iter().min().copied().unwrap_or_default();
    let (read, build) = (min(&reads), min(&builds));
    // Roles whose policy nothing else names are imported as workloads (login + statements).
    let text = format!("\n{}", imported.program);
    let roles = text.matches("\n  role r").count() + text.matches("\n  login jwt").count();
    let policies = text.matches("\npolicy ").count() + text.matches("\nworkload ").count();
    println!(
        "import_{n}: {roles} roles and {policies} policies read in {:.2} s, program built in {:.2} s, \
         total {:.2} s ({} lines; best of 3)",
        read.as_secs_f64(),
        build.as_secs_f64(),
        (read + build).as_secs_f64(),
        imported.program.lines().count()
    );
    assert_eq!(roles, n);
    let again = keyplan::compile(&imported.program, &options);
    assert!(!again.has_errors(), "{:?}", again.diagnostics.first());
    let p = plan(&bao, &again.program.unwrap(), None);
    assert!(!p.has_changes(), "the imported program does not plan clean");
}
