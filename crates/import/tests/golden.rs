//! Imported programs from snapshots of real servers (`tests/fixtures/*.json`, read from
//! OpenBao by `crates/live/tests/import.rs` with `KEYPLAN_IMPORT_FIXTURE=PATH`): the
//! printed program is pinned, is formatted, and compiles without errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use kp_import::{Options, Snapshot, Target};

fn compile_errors(source: &str, target: keyplan::Target) -> Vec<String> {
    let compiled = keyplan::compile(source, &keyplan::Options { target });
    compiled
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{}: {}", d.code, d.message))
        .collect()
}

fn fixture(name: &str) -> Snapshot {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn hand_configured_openbao() {
    let snap = fixture("hand-configured.json");
    let options = Options {
        target: Target::Openbao,
        ..Options::default()
    };
    let imported = kp_import::import(&snap, &options);
    assert_eq!(kp_fmt::format(&imported.program).unwrap(), imported.program);
    let errors = compile_errors(&imported.program, keyplan::Target::Openbao);
    assert!(errors.is_empty(), "{errors:?}\n{}", imported.program);
    for f in &imported.files {
        assert_eq!(kp_fmt::format(&f.text).unwrap(), f.text, "{}", f.name);
    }
    insta::assert_snapshot!("hand_configured_program", imported.program);
    insta::assert_json_snapshot!(
        "hand_configured_notes",
        serde_json::json!({
            "warnings": imported.warnings,
            "unreadable": imported.unreadable,
            "env": imported.env,
            "files": imported.files.iter().map(|f| &f.name).collect::<Vec<_>>(),
            "resources": imported.resources,
        })
    );
}

#[test]
fn selection_and_unreadable_paths() {
    let snap = fixture("hand-configured.json");
    let options = Options {
        target: Target::Openbao,
        mounts: vec!["ssh".into()],
        policies: vec!["per-user".into(), "nope".into()],
        server: None,
    };
    let imported = kp_import::import(&snap, &options);
    assert!(
        imported.program.starts_with("secrets ssh {"),
        "{}",
        imported.program
    );
    assert!(imported.program.contains("policy per-user {"));
    assert!(!imported.program.contains("auth "));
    assert_eq!(imported.warnings.len(), 1, "{:?}", imported.warnings);
    assert_eq!(imported.warnings[0].message, "no such policy on the server");

    let mut partial = snap.clone();
    partial.lists.insert(
        "ssh/roles".into(),
        kp_import::Fetched::Unreadable {
            status: 403,
            message: "permission denied".into(),
        },
    );
    let imported = kp_import::import(&partial, &options);
    assert_eq!(imported.unreadable.len(), 1);
    assert_eq!(imported.unreadable[0].subject, "ssh/roles");
    assert!(!imported.program.contains("role dev"));
}

#[test]
fn an_empty_or_refused_server_imports_nothing() {
    let imported = kp_import::import(&Snapshot::default(), &Options::default());
    assert_eq!(imported.resources, 0);
    assert_eq!(imported.program, "");
}

/// Every `kp` example of docs/import.md compiles.
#[test]
fn docs_examples_compile() {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/import.md"))
            .unwrap();
    let mut blocks = 0;
    let mut lines = doc.lines();
    while let Some(line) = lines.next() {
        if line.trim_end() != "```kp" {
            continue;
        }
        let body: Vec<&str> = lines
            .by_ref()
            .take_while(|l| l.trim_end() != "```")
            .collect();
        let source = body.join("\n") + "\n";
        let errors = compile_errors(&source, keyplan::Target::Vault);
        assert!(errors.is_empty(), "{errors:?}\n{source}");
        blocks += 1;
    }
    assert!(blocks >= 2);
}
