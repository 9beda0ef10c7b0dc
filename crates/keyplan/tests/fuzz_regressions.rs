//! Inputs the fuzzers and their authors found slow or wrong, compiled again on every run:
//! `fuzz/artifacts/*/*.kp` (names longer than any typo, thousands of unresolved names,
//! tens of thousands of diagnostics). Each must compile to diagnostics, not panic or hang.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::Path;

use keyplan::{compile, Options, Target};

#[test]
fn every_saved_fuzz_input_compiles_to_diagnostics() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/artifacts");
    let mut seen = 0;
    for dir in std::fs::read_dir(&root)
        .expect("fuzz/artifacts exists")
        .flatten()
    {
        for file in std::fs::read_dir(dir.path())
            .expect("a directory")
            .flatten()
        {
            if file.path().extension().is_none_or(|e| e != "kp") {
                continue;
            }
            let bytes = std::fs::read(file.path()).expect("readable");
            let src = String::from_utf8_lossy(&bytes);
            for target in [Target::Vault, Target::Openbao] {
                let compiled = compile(&src, &Options { target });
                assert!(
                    compiled.has_errors(),
                    "{}: these inputs are all invalid programs",
                    file.path().display()
                );
            }
            seen += 1;
        }
    }
    assert!(seen >= 3, "expected the saved inputs, found {seen}");
}
