//! Programs of many files: one offset space, references across files, duplicates that
//! name both files, diagnostics located in their own file, and outputs that do not
//! depend on how the program is split.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};

use keyplan::json_api;
use keyplan::{compile, compile_files, emit, Compiled, Emit, Options, Target};

const OPENBAO: Options = Options {
    target: Target::Openbao,
};

const PLATFORM: &str = r#"auth jwt gitlab {
  bound_issuer = "https://gitlab.example.com"
  jwks_url     = "https://gitlab.example.com/oauth/discovery/keys"
}

secrets kv secret {
  version = 2
}

policy shared-reader {
  path "secret/data/shared/*" {
    capabilities = [read]
  }
}
"#;

const TEAM: &str = r#"workload trainer {
  login gitlab {
    bound_audiences = ["https://vault.example.com"]
    bound_claims    = { project_path = "ml/trainer" }
    user_claim      = "sub"
    token_policies  = [shared-reader]
  }

  read "secret/data/models/*"
}
"#;

/// Every output of every format, headed by file name, as the golden tests print them.
fn outputs(compiled: &Compiled) -> String {
    let mut text = String::new();
    for format in Emit::ALL {
        for f in emit(compiled, format).expect("compiled program emits") {
            text.push_str(&format!("==> {} <==\n{}", f.name, f.contents));
        }
    }
    text
}

fn located(compiled: &Compiled) -> Vec<String> {
    compiled
        .diagnostics
        .iter()
        .map(|d| {
            let at = d.locate_in(&compiled.sources);
            let related: Vec<String> = d
                .locate_related(&compiled.sources)
                .iter()
                .map(|r| format!(" [{}: {}:{}:{}]", r.label, r.file, r.line, r.column))
                .collect();
            format!(
                "{}:{}:{}: {} {}{}",
                at.file,
                at.line,
                at.column,
                at.code,
                at.message,
                related.concat()
            )
        })
        .collect()
}

#[test]
fn references_resolve_across_files_and_spans_name_their_file() {
    let compiled = compile_files(&[("platform.kp", PLATFORM), ("team.kp", TEAM)], &OPENBAO);
    assert!(compiled.diagnostics.is_empty(), "{:?}", located(&compiled));
    insta::assert_snapshot!("two-files", outputs(&compiled));
    // The same program in one file compiles to the same calls and policies.
    let one = compile(&format!("{PLATFORM}\n{TEAM}"), &OPENBAO);
    for format in [Emit::Api, Emit::Hcl, Emit::Sh] {
        assert_eq!(emit(&one, format), emit(&compiled, format), "{format:?}");
    }
}

#[test]
fn a_duplicate_across_files_names_both_files() {
    let again = "policy shared-reader {\n  path \"x/*\" {\n    capabilities = [read]\n  }\n}\n";
    let compiled = compile_files(
        &[
            ("platform.kp", PLATFORM),
            ("team.kp", TEAM),
            ("zz-again.kp", again),
        ],
        &OPENBAO,
    );
    insta::assert_snapshot!("duplicate-across-files", located(&compiled).join("\n"));
    let dup = compiled
        .diagnostics
        .iter()
        .find(|d| d.code == "kp::duplicate")
        .expect("a duplicate is reported");
    let at = dup.locate_in(&compiled.sources);
    let first = dup.locate_related(&compiled.sources);
    assert_eq!((at.file.as_str(), at.line), ("zz-again.kp", 1));
    assert_eq!((first[0].file.as_str(), first[0].line), ("platform.kp", 10));
}

#[test]
fn diagnostics_are_relative_to_their_file() {
    let broken = "workload deployer {\n  login gitlab {\n    user_claim = \"sub\"\n    token_tll = 1h\n  }\n  read \"secret/data/x\"\n}\nauth jwt {\n  role r {\n    bound_audiences = [\"a\"\n";
    let compiled = compile_files(&[("a.kp", PLATFORM), ("b.kp", broken)], &OPENBAO);
    let lines = located(&compiled);
    insta::assert_snapshot!("file-relative-diagnostics", lines.join("\n"));
    // Every diagnostic lies in b.kp, at offsets into b.kp's own text.
    for d in &compiled.diagnostics {
        let at = d.locate_in(&compiled.sources);
        assert_eq!(at.file, "b.kp");
        assert!(at.end_offset <= broken.len());
    }
    // The JSON API says the same, with UTF-16 offsets counted from b.kp's start.
    let files = serde_json::json!([
        { "name": "a.kp", "text": PLATFORM },
        { "name": "b.kp", "text": broken },
    ]);
    let v: serde_json::Value =
        serde_json::from_str(&json_api::check_files_json(&files.to_string(), "openbao")).unwrap();
    let first = &v["diagnostics"][0];
    assert_eq!(first["file"], "b.kp");
    let tll = broken.find("token_tll").unwrap();
    assert!(v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["from"].as_u64() == Some(tll as u64) && d["line"] == 4));
}

#[test]
fn the_json_api_compiles_files_and_places_the_view_in_them() {
    let files = serde_json::json!([
        { "name": "platform.kp", "text": PLATFORM },
        { "name": "team.kp", "text": TEAM },
    ]);
    let v: serde_json::Value =
        serde_json::from_str(&json_api::build_files_json(&files.to_string(), "openbao")).unwrap();
    assert_eq!(v["ok"], true, "{v}");
    let workload = &v["view"]["workloads"][0];
    assert_eq!(
        (workload["file"].as_str(), workload["line"].as_u64()),
        (Some("team.kp"), Some(1))
    );
    let policy = v["view"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["name"] == "shared-reader")
        .unwrap();
    assert_eq!(
        (policy["file"].as_str(), policy["line"].as_u64()),
        (Some("platform.kp"), Some(10))
    );
    // A request that is not a list of files is answered, not panicked on.
    let bad: serde_json::Value =
        serde_json::from_str(&json_api::check_files_json("{\"name\": 1}", "vault")).unwrap();
    assert_eq!(bad["ok"], false);
    assert!(bad["error"].as_str().unwrap().contains("JSON array"));
}

fn multi_team() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/multi-team");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("examples/multi-team exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "kp"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = format!("multi-team/{}", p.file_name().unwrap().to_string_lossy());
            (name, std::fs::read_to_string(&p).expect("readable"))
        })
        .collect()
}

#[test]
fn the_multi_team_example_compiles_clean_to_its_goldens() {
    let files = multi_team();
    assert!(files.len() >= 3, "a platform file and team files");
    let compiled = compile_files(&files, &OPENBAO);
    assert!(compiled.diagnostics.is_empty(), "{:?}", located(&compiled));
    insta::assert_snapshot!("multi-team", outputs(&compiled));
    // The same policies as the one-file pipeline it was split from.
    let pipeline = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/pipeline.kp"),
    )
    .unwrap();
    let one = compile(&pipeline, &OPENBAO);
    let sorted = |c: &Compiled| {
        let mut files = emit(c, Emit::Hcl).unwrap();
        files.sort_by(|a, b| a.name.cmp(&b.name));
        files
    };
    assert_eq!(sorted(&one), sorted(&compiled));
}
