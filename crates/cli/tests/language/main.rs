//! The language test suite: every program under the repository's `tests/` runs through
//! the `keyplan` binary, as users run it, on each of its targets. Its header states the
//! diagnostics `keyplan check` must report (exactly: none missing, none extra) and the
//! outputs `keyplan build` must print, pinned by golden files beside it. The format is in
//! `tests/README.md`.
//!
//! `KEYPLAN_BLESS=1 cargo test -p keyplan-cli --test language` writes the goldens from
//! the current outputs and deletes the unused ones; without it, a golden that differs,
//! is missing or is used by no case fails the run.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod case;
#[path = "../common/mod.rs"]
mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use case::{Case, FORMATS};

fn suite() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests")
}

fn bless() -> bool {
    std::env::var_os("KEYPLAN_BLESS").is_some_and(|v| v != "0" && !v.is_empty())
}

fn cases() -> Vec<Case> {
    case::discover(&suite()).unwrap_or_else(|e| panic!("{e}"))
}

struct Run {
    status: i32,
    stdout: String,
    stderr: String,
}

fn keyplan(args: &[&str]) -> Run {
    let out = common::keyplan_in(&suite(), args, None);
    Run {
        status: out.status.code().unwrap_or(-1),
        stdout: common::text(&out.stdout),
        stderr: common::text(&out.stderr),
    }
}

/// The path given to the binary: relative to `tests/`, as a contributor would type it.
fn arg(case: &Case) -> String {
    case.path
        .strip_prefix(suite())
        .unwrap_or(&case.path)
        .to_string_lossy()
        .into_owned()
}

/// `--target TARGET`, or nothing for [`case::IMPLIED`].
fn target_args(target: &str) -> Vec<&str> {
    if target == case::IMPLIED {
        Vec::new()
    } else {
        vec!["--target", target]
    }
}

/// What `keyplan check --format json` reports, as `severity code [file:]line:col`, sorted.
fn actual(case: &Case, target: &str) -> Result<Vec<String>, String> {
    let path = arg(case);
    let mut args = vec!["check", "--format", "json"];
    args.extend(target_args(target));
    args.push(&path);
    let run = keyplan(&args);
    let json: serde_json::Value = serde_json::from_str(&run.stdout)
        .map_err(|e| format!("not JSON ({e}):\n{}\n{}", run.stdout, run.stderr))?;
    let mut out = Vec::new();
    let mut errors = false;
    for d in json["diagnostics"].as_array().into_iter().flatten() {
        let severity = d["severity"].as_str().unwrap_or("?");
        errors |= severity == "error";
        let location = format!("{}:{}", d["line"], d["column"]);
        let location = if case.is_dir() {
            let file = d["file"].as_str().unwrap_or("?");
            let within = Path::new(file)
                .strip_prefix(&path)
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_else(|_| file.to_string());
            format!("{within}:{location}")
        } else {
            location
        };
        out.push(format!(
            "{severity} {} {location}",
            d["code"].as_str().unwrap_or("?")
        ));
    }
    let status = i32::from(errors);
    if run.status != status {
        return Err(format!("exit code {} where {status} was due", run.status));
    }
    out.sort();
    Ok(out)
}

fn header(case: &Case, target: &str, lines: &[String]) -> String {
    let directive = if case.targets.len() > 1 {
        format!("# expect@{target}:")
    } else {
        "# expect:".to_string()
    };
    if lines.is_empty() {
        return format!("{directive} ok");
    }
    lines
        .iter()
        .map(|l| format!("{directive} {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_case_reports_exactly_its_expected_diagnostics() {
    let cases = cases();
    assert!(cases.len() >= 60, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        for &target in &case.targets {
            let expected = &case.expected[target];
            match actual(case, target) {
                Ok(got) if &got == expected => {}
                Ok(got) => failures.push(format!(
                    "{} on {target}:\n  expected {expected:?}\n  actual   {got:?}\n  as a header:\n{}",
                    arg(case),
                    header(case, target, &got)
                )),
                Err(e) => failures.push(format!("{} on {target}: {e}", arg(case))),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases fail:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// The golden files a case's `# expect-emit:` calls for, with their contents now.
/// One file per format when every target prints the same; one per target otherwise.
fn outputs(case: &Case) -> Result<Vec<(PathBuf, String)>, String> {
    let dir = case.path.parent().unwrap_or(Path::new("."));
    let targets: Vec<&str> = case
        .targets
        .iter()
        .copied()
        .filter(|t| !case.has_errors(t))
        .collect();
    if !case.emit.is_empty() && targets.is_empty() {
        return Err(format!(
            "{}: `# expect-emit:` on a program with errors",
            arg(case)
        ));
    }
    let mut files = Vec::new();
    for format in &case.emit {
        let ext = FORMATS
            .iter()
            .find(|(f, _)| f == format)
            .map(|(_, e)| *e)
            .unwrap_or("out");
        let mut texts = Vec::new();
        for &target in &targets {
            let path = arg(case);
            let mut args = vec!["build", "--emit", format];
            args.extend(target_args(target));
            args.push(&path);
            let run = keyplan(&args);
            if run.status != 0 {
                return Err(format!(
                    "{}: build --emit {format} --target {target} exited {}:\n{}",
                    arg(case),
                    run.status,
                    run.stderr
                ));
            }
            texts.push((target, run.stdout));
        }
        if texts.iter().all(|(_, t)| *t == texts[0].1) {
            files.push((dir.join(format!("{}.{ext}", case.name)), texts[0].1.clone()));
        } else {
            for (target, text) in texts {
                files.push((dir.join(format!("{}.{target}.{ext}", case.name)), text));
            }
        }
    }
    Ok(files)
}

#[test]
fn every_emitted_output_matches_its_golden_and_every_golden_is_used() {
    let cases = cases();
    let blessing = bless();
    let mut used = BTreeSet::new();
    let mut failures = Vec::new();
    for case in &cases {
        let files = match outputs(case) {
            Ok(files) => files,
            Err(e) => {
                failures.push(e);
                continue;
            }
        };
        for (path, text) in files {
            used.insert(path.clone());
            let golden = std::fs::read_to_string(&path).ok();
            if golden.as_deref() == Some(text.as_str()) {
                continue;
            }
            if blessing {
                std::fs::write(&path, &text).unwrap();
            } else if golden.is_none() {
                failures.push(format!(
                    "{}: missing golden (KEYPLAN_BLESS=1 writes it)",
                    path.display()
                ));
            } else {
                failures.push(format!(
                    "{} differs from the output (KEYPLAN_BLESS=1 rewrites it):\n{text}",
                    path.display()
                ));
            }
        }
    }
    for path in std::fs::read_dir(suite())
        .unwrap()
        .flatten()
        .map(|e| e.path())
    {
        let is_case = path.is_dir() || path.extension().is_some_and(|e| e == "kp");
        let is_readme = path.file_name().is_some_and(|n| n == "README.md");
        if is_case || is_readme || used.contains(&path) {
            continue;
        }
        if blessing
            && FORMATS
                .iter()
                .any(|(_, ext)| path.to_string_lossy().ends_with(ext))
        {
            std::fs::remove_file(&path).unwrap();
        } else {
            failures.push(format!(
                "{}: used by no case (a golden whose case was renamed or lost `# expect-emit:`?)",
                path.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every code a program can trigger (the documented ones, less the parser's, which
/// `crates/syntax/tests/errors.rs` covers, and the graph's guards) has a case.
#[test]
fn the_suite_covers_every_code() {
    const GUARDS: [&str; 2] = ["kp::dependency-cycle", "kp::duplicate-resource"];
    let cases = cases();
    let covered: BTreeSet<&str> = cases
        .iter()
        .flat_map(|c| c.expected.values().flatten())
        .filter_map(|e| e.split(' ').nth(1))
        .collect();
    let missing: Vec<&str> = keyplan::explain_code::documented_codes()
        .filter(|c| !c.starts_with("kp::syntax::") && !GUARDS.contains(c))
        .filter(|c| !covered.contains(c))
        .collect();
    assert!(
        missing.is_empty(),
        "codes without a case in tests/: {missing:?}"
    );
}
