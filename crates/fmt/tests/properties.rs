//! Property tests of the formatter: idempotence, meaning preservation and comment
//! preservation over every program of the repository, over those programs with layout
//! noise and comments in odd places, and over generated programs.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use common::{add_noise, assert_invariants, LineNoise};
use proptest::prelude::*;

#[test]
fn every_program_in_the_repository_formats_without_changing_meaning() {
    let programs = common::repo_programs();
    assert!(
        programs.len() >= 70,
        "found only {} programs",
        programs.len()
    );
    let mut formatted = 0;
    for path in &programs {
        let name = path.display().to_string();
        let Ok(src) = std::fs::read_to_string(path) else {
            continue; // not UTF-8: a fuzz artifact for the reader, not for the formatter
        };
        let parsed = kp_syntax::parse(&src);
        if !parsed.diagnostics.is_empty() {
            // Refused, with the parser's own diagnostics.
            let refused = kp_fmt::format(&src).expect_err(&name);
            assert_eq!(refused, parsed.diagnostics, "{name}");
            continue;
        }
        // Fuzz artifacts are formatted and checked, but not compiled four times here.
        common::assert_invariants_with(&name, &src, !common::is_fuzz_artifact(path));
        formatted += 1;
    }
    assert!(
        formatted >= 60,
        "only {formatted} programs were formattable"
    );
}

fn comment() -> impl Strategy<Value = String> {
    // Comment text that looks like code, strings, heredocs and other comments.
    ("(#|//)", r#"[ a-z={}\[\],"<#/]{0,14}"#).prop_map(|(m, t)| format!("{m}{t}"))
}

fn line_noise() -> impl Strategy<Value = LineNoise> {
    (
        prop::sample::select(vec!["", " ", "    ", "\t", "        "]),
        prop::bool::weighted(0.15),
        prop::option::weighted(0.2, comment()),
        prop::option::weighted(0.3, comment()),
        prop::bool::weighted(0.1),
    )
        .prop_map(
            |(indent, blank_before, comment_before, comment_after, trailing_blanks)| LineNoise {
                indent,
                blank_before,
                comment_before,
                comment_after,
                trailing_blanks,
            },
        )
}

/// The repository's programs that parse, fuzz artifacts aside, read once.
fn parsing_programs() -> &'static [(String, String)] {
    static PROGRAMS: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
    PROGRAMS.get_or_init(|| {
        common::repo_programs()
            .into_iter()
            .filter(|p| !common::is_fuzz_artifact(p))
            .filter_map(|p| {
                let src = std::fs::read_to_string(&p).ok()?;
                kp_syntax::parse(&src)
                    .diagnostics
                    .is_empty()
                    .then(|| (p.display().to_string(), src))
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// Real programs with comments after and between any lines, odd indentation and
    /// blank lines: the noise never changes what they compile to, and neither does
    /// formatting; the formatted noisy program keeps every comment.
    #[test]
    fn noisy_repository_programs(
        pick in any::<prop::sample::Index>(),
        noise in prop::collection::vec(line_noise(), 1..17),
    ) {
        let programs = parsing_programs();
        let (name, src) = &programs[pick.index(programs.len())];
        let noisy = add_noise(src, &noise);
        prop_assert!(
            kp_syntax::parse(&noisy).diagnostics.is_empty(),
            "the noise broke {}:\n{}", name, noisy
        );
        let out = assert_invariants(name, &noisy);
        // Noise is layout only: the noisy and the clean program mean the same, and
        // once formatted they differ only in their comments.
        for target in [keyplan::Target::Vault, keyplan::Target::Openbao] {
            prop_assert_eq!(common::meaning(src, target), common::meaning(&out, target));
        }
    }
}

/// An old Mac file (`\r` alone ends each line) formats as its `\n` twin does, blank
/// lines, comments and heredocs included: the same lines, now ended by `\n`.
#[test]
fn an_old_mac_file_formats_as_its_lines() {
    let lf = "# top\n\npolicy p {   # why\n  path \"a/*\" {\n    capabilities = [read]\n  }\n}\n\n\nsecrets database {\n  role r {\n    db_name = c\n    creation_statements = [<<EOT\nCREATE ROLE x;\nEOT\n    ]\n  }\n}\n";
    let mac = lf.replace('\n', "\r");
    let want = kp_fmt::format(lf).expect("formats");
    assert_eq!(kp_fmt::format(&mac).expect("an old Mac file formats"), want);
}
