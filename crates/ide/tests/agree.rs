//! The editor shows what `keyplan check` shows: on every example and a few broken
//! programs, kp-ide's diagnostics are exactly keyplan::compile's with the identity lints
//! `keyplan check` adds ([`keyplan::checked`]).

#![allow(clippy::unwrap_used)]

mod files;

use kp_ide::{Analysis, Target};

#[test]
fn diagnostics_match_the_compiler() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut sources: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        // A directory is a multi-file example: its files are checked by the facade.
        .filter(|p| p.extension().is_some_and(|x| x == "kp"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    // And every program of the language suite (its one-file cases).
    let cases = files::kp_files(&files::root().join("tests"));
    assert!(cases.len() > 50, "{cases:?}");
    sources.extend(cases.iter().map(|p| std::fs::read_to_string(p).unwrap()));
    // A literal secret a message would quote (a placeholder password) is redacted in
    // the editor as in the CLI.
    sources.push(
        "auth userpass {}\nworkload w {\n  login userpass { password = \"changeme\" }\n  read \"a/*\"\n}\n"
            .to_string(),
    );
    sources.push("auth jwt { role r { token_polices = [nope] } }".to_string());
    sources.push("workload w { login jwt { user_claim = \"sub\" \n read \"a/*\"".to_string());
    sources.push("policy p { path \"a\" { capabilities = [raed] } }\npolicy p {}".to_string());
    // No target: the one the program implies, with `kp::implied-target`.
    let mut implied = 0;
    for src in &sources {
        for target in [None, Some(Target::Vault), Some(Target::Openbao)] {
            let sources = || kp_ide::SourceMap::single("main.kp", src.as_str());
            let ide = Analysis::of_program_for(sources(), target);
            let compiled = keyplan::checked(keyplan::compile_sources_for(sources(), target));
            assert_eq!(ide.diagnostics(), compiled.diagnostics.as_slice(), "{src}");
            assert_eq!(ide.target(), compiled.target, "{src}");
            implied += ide
                .diagnostics()
                .iter()
                .filter(|d| d.code == "kp::implied-target")
                .count();
        }
    }
    assert!(implied > 0, "no program implies a target");
}

#[test]
fn every_offset_of_every_example_answers_without_panicking() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_none_or(|x| x != "kp") {
            continue;
        }
        let src = std::fs::read_to_string(path).unwrap();
        // Every prefix is a half-typed file.
        for cut in (0..src.len())
            .step_by(97)
            .filter(|c| src.is_char_boundary(*c))
        {
            let a = Analysis::new(&src[..cut], Target::Vault);
            for off in (0..=cut).step_by(13) {
                let _ = a.hover(off);
                let _ = a.completions(off);
                let _ = a.definition(off);
                let _ = a.references(off, true);
                let _ = a.prepare_rename(off);
            }
            let _ = a.outline();
            let _ = a.code_actions(kp_ide::Span::new(0, cut));
            // Past the end answers empty.
            assert!(a.hover(cut + 1).is_none());
            assert!(a.completions(cut + 5).is_empty());
        }
    }
}
