//! Golden tests: every program under `examples/` compiles clean (no error, no warning)
//! and every emitter's output on it is snapshotted byte for byte.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};

use keyplan::{compile, emit, Emit, Options, Target};

fn examples() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("examples/ exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "kp"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 6,
        "the five scenarios and the pipeline example"
    );
    files
}

fn target_for(path: &Path) -> Target {
    // Scenario 5 uses the AWS secrets engine, which only Vault has.
    if path.to_string_lossy().contains("api-key-rotation") {
        Target::Vault
    } else {
        Target::Openbao
    }
}

#[test]
fn every_example_compiles_clean_and_matches_its_golden_outputs() {
    for path in examples() {
        let src = std::fs::read_to_string(&path).expect("readable example");
        let stem = path
            .file_stem()
            .expect("file name")
            .to_string_lossy()
            .to_string();
        let compiled = compile(
            &src,
            &Options {
                target: target_for(&path),
            },
        );
        assert!(
            compiled.diagnostics.is_empty(),
            "{stem} must compile clean, got {:#?}",
            compiled.diagnostics
        );
        for format in Emit::ALL {
            let files = emit(&compiled, format).expect("compiled program emits");
            let mut text = String::new();
            for f in &files {
                text.push_str(&format!("==> {} <==\n{}", f.name, f.contents));
            }
            insta::assert_snapshot!(format!("{stem}.{}", format.name()), text);
        }
    }
}

#[test]
fn outputs_are_deterministic() {
    for path in examples() {
        let src = std::fs::read_to_string(&path).expect("readable example");
        let options = Options {
            target: target_for(&path),
        };
        let a = compile(&src, &options);
        let b = compile(&src, &options);
        for format in Emit::ALL {
            assert_eq!(
                emit(&a, format),
                emit(&b, format),
                "{} {format:?}",
                path.display()
            );
        }
    }
}

#[test]
fn api_key_rotation_is_rejected_on_openbao() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/05-api-key-rotation.kp");
    let src = std::fs::read_to_string(path).expect("readable example");
    let compiled = compile(
        &src,
        &Options {
            target: Target::Openbao,
        },
    );
    let codes: Vec<&str> = compiled.diagnostics.iter().map(|d| d.code).collect();
    assert!(codes.contains(&"kp::unsupported-on-target"), "{codes:?}");
    assert!(compiled.program.is_none());
}

#[test]
fn secrets_never_appear_in_any_output() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/05-api-key-rotation.kp");
    let src = std::fs::read_to_string(path).expect("readable example");
    // The value is not known at compile time; the variable's name is all outputs may show.
    let compiled = compile(
        &src,
        &Options {
            target: Target::Vault,
        },
    );
    for format in Emit::ALL {
        for f in emit(&compiled, format).expect("emits") {
            if f.contents.contains("DB_ROOT_PASSWORD") {
                assert!(
                    f.contents.contains("${DB_ROOT_PASSWORD}")
                        || f.contents.contains("env.DB_ROOT_PASSWORD")
                        || f.contents.contains("\"DB_ROOT_PASSWORD\""),
                    "{}: the secret must be referenced by name only",
                    f.name
                );
            }
        }
    }
}

/// Examples are what users copy: each is laid out as `keyplan fmt` writes it, the
/// multi-file one's files included.
#[test]
fn every_example_is_as_keyplan_fmt_writes_it() {
    let team = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/multi-team");
    let mut files = examples();
    files.extend(
        std::fs::read_dir(&team)
            .expect("examples/multi-team exists")
            .map(|e| e.expect("readable entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "kp")),
    );
    for path in files {
        let src = std::fs::read_to_string(&path).expect("readable example");
        let formatted = keyplan::json_api::format_source(&src);
        assert!(!formatted.changed, "{} is not formatted", path.display());
    }
}
