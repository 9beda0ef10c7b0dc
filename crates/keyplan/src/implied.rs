//! Compiling without a target: the program picks it. A program that uses a field, block or
//! engine only one server has (docs/targets.md) can only be meant for that server, so
//! `keyplan check FILE` without `--target` compiles for it and says so, instead of
//! reporting errors against the default target the author never chose.

use kp_check::implied;

use crate::{
    check_parsed, finish, parse_sources, Compiled, Options, SourceMap, Target, SINGLE_FILE,
};

/// Compiles for `target`, or without one for the target the program implies: how every
/// command (the CLI's, plan and apply, the playground's `auto`) picks its server.
pub fn compile_sources_for(sources: SourceMap, target: Option<Target>) -> Compiled {
    match target {
        Some(target) => crate::compile_sources(sources, &Options { target }),
        None => compile_sources_implied(sources),
    }
}

/// Compiles for the target the program implies: Vault (the default) unless it uses
/// something only OpenBao has and nothing only Vault has. When the program uses anything
/// target-only, a `kp::implied-target` warning at its first use says which target that is
/// ([`kp_check::implied`], the choice the language server makes too).
pub fn compile_implied(source: &str) -> Compiled {
    compile_sources_implied(SourceMap::single(SINGLE_FILE, source))
}

/// [`compile_implied`] for a program of many files.
///
/// The program is parsed once and checked for Vault. Only a program that uses something
/// one server lacks is checked for OpenBao too (the other check's diagnostics only
/// explain the choice); only the chosen target's check goes on to the graph.
pub fn compile_sources_implied(sources: SourceMap) -> Compiled {
    let parsed = parse_sources(&sources);
    let check = |target| check_parsed(&parsed, &Options { target });
    let vault = check(Target::Vault);
    if !implied::needs_openbao_check(&vault) {
        let (diagnostics, tree) = parsed.into_parts();
        return finish(sources, diagnostics, tree, vault, Target::Vault);
    }
    let openbao = check(Target::Openbao);
    choose(sources, parsed, vault, openbao)
}

/// The compilation for the target the two checks imply, with its warning.
fn choose(
    sources: SourceMap,
    parsed: crate::Parsed,
    vault: kp_check::CheckResult,
    openbao: kp_check::CheckResult,
) -> Compiled {
    let (parse_diagnostics, tree) = parsed.into_parts();
    let (target, warning) = implied::choose(&vault, &openbao, &sources);
    let checked = match target {
        Target::Vault => vault,
        Target::Openbao => openbao,
    };
    let mut chosen = finish(sources, parse_diagnostics, tree, checked, target);
    let Some(warning) = warning else {
        return chosen;
    };
    chosen.diagnostics.push(warning);
    kp_sort::by_key(&mut chosen.diagnostics, |d| (d.span.start, d.span.end));
    chosen
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    /// Always both checks: what [`compile_sources_implied`] computed before it learned to
    /// skip the second one.
    fn both_checks(sources: SourceMap) -> Compiled {
        let parsed = parse_sources(&sources);
        let vault = check_parsed(
            &parsed,
            &Options {
                target: Target::Vault,
            },
        );
        let openbao = check_parsed(
            &parsed,
            &Options {
                target: Target::Openbao,
            },
        );
        choose(sources, parsed, vault, openbao)
    }

    fn kp_files(dir: &Path) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(kp_files(&path));
            } else if path.extension().is_some_and(|e| e == "kp") {
                out.push(path);
            }
        }
        kp_sort::sort(&mut out);
        out
    }

    /// Skipping the OpenBao check never changes the result: every program of the
    /// language suite and the examples compiles exactly as with both checks.
    #[test]
    fn one_check_gives_what_two_gave() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut files = kp_files(&root.join("tests"));
        files.extend(kp_files(&root.join("examples")));
        let (mut one, mut two) = (0, 0);
        for path in &files {
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            let sources = || SourceMap::single(SINGLE_FILE, &text);
            let parsed = parse_sources(&sources());
            let vault = check_parsed(
                &parsed,
                &Options {
                    target: Target::Vault,
                },
            );
            if !implied::needs_openbao_check(&vault) {
                one += 1;
            } else {
                two += 1;
            }
            assert_eq!(
                format!("{:?}", compile_sources_implied(sources())),
                format!("{:?}", both_checks(sources())),
                "{}",
                path.display()
            );
        }
        // Both paths were exercised: most programs need one check, target-only ones two.
        assert!(one > 50 && two > 5, "one check: {one}, two: {two}");
    }
}
