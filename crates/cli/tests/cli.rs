//! The `keyplan` binary as users run it: exit codes, diagnostics on stderr, JSON on
//! stdout, files under `-o`.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};

use common::{keyplan, scratch_file, temp_dir, text};

const BAD: &str = r#"auth jwt {
  role ci {
    user_claim      = "sub"
    bound_audiences = ["vault"]
    token_tll       = 1h
  }
}
"#;

#[test]
fn check_accepts_every_example() {
    let out = keyplan(&[
        "check",
        "examples/01-jwt-dynamic-secrets.kp",
        "examples/02-ai-model-secrets.kp",
        "examples/03-ssh-training-access.kp",
        "examples/04-token-roles.kp",
        "examples/05-api-key-rotation.kp",
        "examples/pipeline.kp",
    ]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
}

#[test]
fn check_reports_errors_graphically_with_location_and_exit_1() {
    let dir = temp_dir("bad");
    let file = dir.join("bad.kp");
    std::fs::write(&file, BAD).expect("write");
    let out = keyplan(&["check", file.to_str().expect("utf-8 path")]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("kp::unknown-field"), "{err}");
    assert!(err.contains("bad.kp:5:5"), "file:line:col in {err}");
    assert!(err.contains("token_ttl"), "did-you-mean in {err}");
}

#[test]
fn check_json_gives_one_based_positions() {
    let dir = temp_dir("json");
    let file = dir.join("bad.kp");
    std::fs::write(&file, BAD).expect("write");
    let out = keyplan(&[
        "check",
        "--format",
        "json",
        file.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    let diagnostics = report["diagnostics"].as_array().expect("a list");
    let first = diagnostics
        .iter()
        .find(|d| d["code"] == "kp::unknown-field")
        .expect("the misspelt field is reported");
    assert_eq!(first["severity"], "error");
    assert_eq!(first["code"], "kp::unknown-field");
    assert_eq!(first["line"], 5);
    assert_eq!(first["column"], 5);
    assert_eq!(first["end_line"], 5);
    assert_eq!(first["end_column"], 14);
    assert!(first["help"]
        .as_str()
        .is_some_and(|h| h.contains("token_ttl")));
    assert!(first["file"]
        .as_str()
        .is_some_and(|f| f.ends_with("bad.kp")));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(keyplan(&["check"]).status.code(), Some(2));
    assert_eq!(
        keyplan(&["build", "x.kp", "--emit", "yaml"]).status.code(),
        Some(2)
    );
    assert_eq!(keyplan(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn missing_file_is_an_error_not_a_panic() {
    let out = keyplan(&["check", "does-not-exist.kp"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("cannot read `does-not-exist.kp`"));
}

/// A program that cannot be read fails the run in every machine-readable format too,
/// beside the programs that could be checked: CI reading only the report must not see a
/// clean result.
#[test]
fn an_unreadable_program_is_in_every_report() {
    let good = scratch_file("unreadable", "good.kp", "extern policy reader\n");
    let binary = good.with_file_name("binary.kp");
    std::fs::write(&binary, b"auth jwt {\xff}\n").unwrap();
    let (binary, good) = (binary.to_str().unwrap(), good.to_str().unwrap());
    let json = keyplan(&["check", binary, good, "--format", "json"]);
    assert_eq!(json.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["unreadable"][0]["file"], binary);
    let message = report["unreadable"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("not UTF-8 text (invalid byte at offset 10)"),
        "{message}"
    );
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(common::root().join("schemas/output/diagnostics.schema.json"))
            .unwrap(),
    )
    .unwrap();
    assert!(jsonschema::is_valid(&schema, &report), "{report:#}");

    let sarif = keyplan(&["check", binary, good, "--format", "sarif"]);
    assert_eq!(sarif.status.code(), Some(1));
    let log: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let note = &invocation["toolExecutionNotifications"][0];
    assert_eq!(note["level"], "error");
    assert!(note["message"]["text"]
        .as_str()
        .unwrap()
        .contains("not UTF-8"));

    let github = keyplan(&["check", binary, good, "--format", "github"]);
    assert_eq!(github.status.code(), Some(1));
    assert!(text(&github.stdout).starts_with(&format!("::error file={binary},")));

    // QA: a directory holding the file was named instead of the file, so the annotation
    // landed on no file.
    let dir = good.rsplit_once('/').map_or(".", |(d, _)| d);
    let json = keyplan(&["check", dir, "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["unreadable"][0]["file"], binary, "{report:#}");
    assert!(report["unreadable"][0]["message"]
        .as_str()
        .unwrap()
        .ends_with("save it as UTF-8"));
    let github = keyplan(&["check", dir, "--format", "github"]);
    assert!(text(&github.stdout).starts_with(&format!("::error file={binary},")));
}

/// A directory of many files: the files unread and the findings come out in path order,
/// each in its file.
#[test]
fn a_directory_of_many_files_is_read_in_order() {
    let dir = temp_dir("many-files");
    for i in 0..40 {
        let text = match i {
            5 | 35 => b"\xff\n".to_vec(),
            3 | 30 => format!(
                "policy p{i} {{\n  path \"a/*\" {{ capabilities = [read] }}\n  colour = 1\n}}\n"
            )
            .into_bytes(),
            _ => format!("extern policy p{i}\n").into_bytes(),
        };
        std::fs::write(dir.join(format!("f{i:02}.kp")), text).unwrap();
    }
    let json = keyplan(&["check", dir.to_str().unwrap(), "--format", "json"]);
    assert_eq!(json.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let files = |key: &str| -> Vec<String> {
        report[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| {
                u["file"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    assert_eq!(files("unreadable"), ["f05.kp", "f35.kp"], "{report:#}");
    let errors: Vec<(String, u64)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| {
            let file = d["file"].as_str().unwrap().rsplit('/').next().unwrap();
            (file.to_string(), d["line"].as_u64().unwrap())
        })
        .collect();
    assert_eq!(
        errors,
        [("f03.kp".to_string(), 3), ("f30.kp".to_string(), 3)],
        "{report:#}"
    );
}

/// A directory with one unreadable file: that file is reported, and the other files are
/// still checked, in every format (they were not: the unreadable file hid them).
#[test]
fn an_unreadable_file_does_not_hide_the_rest_of_its_directory() {
    let dir = temp_dir("unreadable-dir");
    std::fs::write(dir.join("a-binary.kp"), b"auth jwt {\xff}\n").unwrap();
    std::fs::write(dir.join("b-bad.kp"), BAD).unwrap();
    std::fs::write(dir.join("c-also-binary.kp"), b"\xfe\n").unwrap();
    let path = dir.to_str().unwrap();

    let human = keyplan(&["check", path]);
    assert_eq!(human.status.code(), Some(1));
    let err = text(&human.stderr);
    assert!(err.contains("a-binary.kp` is not UTF-8"), "{err}");
    assert!(err.contains("c-also-binary.kp` is not UTF-8"), "{err}");
    assert!(
        err.contains("kp::unknown-field"),
        "the readable file is checked: {err}"
    );
    assert!(err.contains("b-bad.kp:5:5"), "{err}");
    assert!(
        err.contains("checked without the 2 files it could not read"),
        "{err}"
    );

    let json = keyplan(&["check", path, "--format", "json"]);
    assert_eq!(json.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let unread: Vec<&str> = report["unreadable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["file"].as_str().unwrap())
        .collect();
    assert_eq!(unread.len(), 2, "{report:#}");
    assert!(unread[0].ends_with("a-binary.kp") && unread[1].ends_with("c-also-binary.kp"));
    assert!(report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["code"] == "kp::unknown-field"
            && d["file"].as_str().unwrap().ends_with("b-bad.kp")));

    let sarif = keyplan(&["check", path, "--format", "sarif"]);
    let log: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
    assert_eq!(
        log["runs"][0]["invocations"][0]["executionSuccessful"],
        false
    );
    assert!(
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["ruleId"] == "kp::unknown-field"),
        "{log:#}"
    );

    // A build of part of a program is not the program: build still refuses it.
    let build = keyplan(&["build", path]);
    assert_eq!(build.status.code(), Some(1));
    assert!(build.stdout.is_empty());
}

#[test]
fn every_subcommand_has_help_with_examples() {
    for sub in [
        &["--help"][..],
        &["check", "--help"],
        &["build", "--help"],
        &["explain-code", "--help"],
    ] {
        let out = keyplan(sub);
        assert_eq!(out.status.code(), Some(0));
        assert!(text(&out.stdout).contains("Examples:"), "{sub:?}");
    }
}

#[test]
fn build_prints_api_calls_without_secrets() {
    let out = keyplan(&["build", "examples/05-api-key-rotation.kp"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let calls = plan["calls"].as_array().expect("calls");
    assert!(calls.iter().all(|c| c["method"] == "POST"));
    let paths: Vec<&str> = calls.iter().filter_map(|c| c["path"].as_str()).collect();
    assert!(paths.contains(&"sys/auth/jwt") && paths.contains(&"database/config/mysql-database"));
    let db = calls
        .iter()
        .find(|c| c["path"] == "database/config/mysql-database")
        .expect("db call");
    assert_eq!(db["body"]["password"], "${DB_ROOT_PASSWORD}");
}

#[test]
fn build_all_writes_every_output_under_the_directory() {
    let dir = temp_dir("out");
    build_all_into(&dir);
    for name in [
        "calls.json",
        "graph.json",
        "apply.sh",
        "policies/trainer.hcl",
    ] {
        assert!(dir.join(name).is_file(), "{name} written");
    }
}

#[test]
fn build_all_needs_a_directory() {
    // A usage error, as every missing argument: exit 2, before the program is read.
    let out = keyplan(&["build", "examples/pipeline.kp", "--emit", "all"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("--out-dir"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn build_refuses_programs_with_errors() {
    let out = keyplan(&[
        "build",
        "examples/05-api-key-rotation.kp",
        "--target",
        "openbao",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "", "no partial output");
    assert!(text(&out.stderr).contains("kp::unsupported-on-target"));
}

/// `build --emit all -o DIR` of the pipeline example, which must succeed with nothing
/// on stdout and no temporary file left behind; its stderr.
fn build_all_into(dir: &Path) -> String {
    let out = keyplan(&[
        "build",
        "examples/pipeline.kp",
        "--target",
        "openbao",
        "--emit",
        "all",
        "-o",
        dir.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "", "nothing on stdout with -o");
    let leftovers: Vec<_> = walk(dir)
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with("keyplan-tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    text(&out.stderr)
}

#[test]
fn rebuilding_leaves_unchanged_outputs_untouched_and_replaces_changed_ones() {
    let dir = temp_dir("rebuild");
    build_all_into(&dir);
    let calls = dir.join("calls.json");
    let policy = dir.join("policies/trainer.hcl");
    let script = dir.join("apply.sh");
    let fresh = std::fs::read(&calls).expect("calls.json");
    let fresh_policy = std::fs::read(&policy).expect("policy");
    // Outputs dated long ago, so that any rewrite would show in their times.
    let long_ago = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1 << 30);
    let date = |path: &Path| {
        let file = std::fs::File::options()
            .write(true)
            .open(path)
            .expect("open");
        file.set_modified(long_ago).expect("set mtime");
    };
    let mtime = |path: &Path| {
        std::fs::metadata(path)
            .and_then(|m| m.modified())
            .expect("mtime")
    };
    for path in [&calls, &policy, &script] {
        date(path);
    }
    // A changed plan (its last byte) and a changed policy (cut short).
    let mut changed = fresh.clone();
    *changed.last_mut().expect("bytes") ^= 1;
    std::fs::write(&calls, &changed).expect("write");
    std::fs::write(&policy, &fresh_policy[..fresh_policy.len() / 2]).expect("write");
    date(&calls);
    date(&policy);

    let report = build_all_into(&dir);
    assert!(
        report.contains(&format!("unchanged {}", script.display())),
        "{report}"
    );
    assert!(
        report.contains(&format!("wrote {}", calls.display())),
        "{report}"
    );
    assert!(
        report.contains(&format!("wrote {}", policy.display())),
        "{report}"
    );
    assert_eq!(mtime(&script), long_ago, "apply.sh was not rewritten");
    assert_ne!(mtime(&calls), long_ago, "calls.json was rewritten");
    assert_eq!(std::fs::read(&calls).expect("calls.json"), fresh);
    assert_eq!(std::fs::read(&policy).expect("policy"), fresh_policy);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&script)
            .expect("apply.sh")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o755, "apply.sh stays executable");
    }
    // Built again from the same program: nothing is rewritten.
    date(&calls);
    let report = build_all_into(&dir);
    assert!(!report.contains("wrote"), "{report}");
    assert_eq!(mtime(&calls), long_ago, "calls.json was not rewritten");
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("dir").flatten() {
        let p = entry.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn explain_code_prints_the_entry_of_the_diagnostics_reference() {
    let out = keyplan(&["explain-code", "kp::unknown-field"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let entry = text(&out.stdout);
    assert!(entry.starts_with("# `kp::unknown-field`\n"), "{entry}");
    assert!(entry.contains("```kp\n"), "the entry's example in {entry}");
    assert!(!entry.contains("### "), "only one entry in {entry}");
    // The same through `check --explain`, and without the `kp::` prefix.
    for args in [
        &["check", "--explain", "kp::unknown-field"][..],
        &["explain-code", "unknown-field"],
    ] {
        let again = keyplan(args);
        assert_eq!(again.status.code(), Some(0), "{args:?}");
        assert_eq!(text(&again.stdout), entry, "{args:?}");
    }
}

#[test]
fn explain_code_of_an_unknown_code_suggests_the_nearest() {
    let out = keyplan(&["explain-code", "kp::unknwn-field"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = text(&out.stderr);
    assert!(err.contains("did you mean `kp::unknown-field`?"), "{err}");
}

#[test]
fn the_closing_line_points_at_explain_code_once() {
    let dir = temp_dir("explain-hint");
    let file = dir.join("bad.kp");
    std::fs::write(&file, BAD).expect("write");
    let path = file.to_str().expect("utf-8 path");
    let out = keyplan(&["check", path, path]);
    let err = text(&out.stderr);
    assert_eq!(err.matches("keyplan explain-code").count(), 1, "{err}");
    assert!(
        err.trim_end()
            .ends_with("try `keyplan explain-code kp::unknown-field`."),
        "{err}"
    );
    // Clean programs (a case of tests/ that expects nothing) and machine output get no hint.
    let clean = keyplan(&["check", "tests/scenario4-token.kp"]);
    assert!(!text(&clean.stderr).contains("explain-code"));
    let json = keyplan(&["check", "--format", "json", path]);
    assert!(!text(&json.stderr).contains("explain-code"));
}

#[test]
fn a_directory_is_one_program_whatever_its_order() {
    // The multi-team example builds to the same outputs from its directory and from
    // its files listed in any order.
    let out = keyplan(&["check", "--target", "openbao", "examples/multi-team"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let dir = keyplan(&[
        "build",
        "--target",
        "openbao",
        "--emit",
        "json",
        "examples/multi-team",
    ]);
    assert_eq!(dir.status.code(), Some(0), "{}", text(&dir.stderr));
    let files = keyplan(&[
        "build",
        "--target",
        "openbao",
        "--emit",
        "json",
        "examples/multi-team/team-training.kp",
        "examples/multi-team/platform.kp",
        "examples/multi-team/team-release.kp",
        "examples/multi-team/team-features.kp",
    ]);
    assert_eq!(text(&dir.stdout), text(&files.stdout));
    // The graph names the file of every span.
    let graph: serde_json::Value = serde_json::from_slice(&dir.stdout).expect("graph.json");
    let trainer = graph["workloads"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["name"] == "trainer")
        .unwrap();
    assert_eq!(
        trainer["span"]["file"],
        "examples/multi-team/team-training.kp"
    );
}

#[test]
fn a_duplicate_across_files_names_both_files() {
    let dir = temp_dir("dup-dir");
    std::fs::write(
        dir.join("a.kp"),
        "policy reader {\n  path \"x/*\" {\n    capabilities = [read]\n  }\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("b.kp"),
        "# the same name again\npolicy reader {\n  path \"y/*\" {\n    capabilities = [read]\n  }\n}\n",
    )
    .unwrap();
    // A file that is not `.kp` is not part of the program.
    std::fs::write(dir.join("notes.txt"), "policy reader {").unwrap();
    let path = dir.to_str().unwrap();
    let human = keyplan(&["check", path]);
    assert_eq!(human.status.code(), Some(1));
    let err = text(&human.stderr);
    assert!(err.contains("b.kp:2:"), "{err}");
    assert!(err.contains("a.kp:1:"), "{err}");
    let json = keyplan(&["check", "--format", "json", path]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let dup = &report["diagnostics"][0];
    assert_eq!(dup["code"], "kp::duplicate");
    assert!(dup["file"].as_str().unwrap().ends_with("b.kp"), "{dup}");
    assert_eq!(dup["line"], 2);
    assert!(
        dup["related"][0]["file"]
            .as_str()
            .unwrap()
            .ends_with("a.kp"),
        "{dup}"
    );
    assert_eq!(dup["related"][0]["line"], 1);
    // An empty directory is a located usage error, not an empty program.
    let empty = temp_dir("empty-dir");
    let out = keyplan(&["build", empty.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("holds no `.kp` file"),
        "{}",
        text(&out.stderr)
    );
}

/// A diagnostic past column 65535 (miette's widest padding) is shown without its
/// snippet, located by file:line:col, by every command that shows diagnostics: never a
/// panic.
#[test]
fn a_diagnostic_far_right_on_its_line_is_shown_without_a_snippet() {
    let file = scratch_file("far-right", "b.kp", &format!("{}x\n", " ".repeat(65_536)));
    let path = file.to_str().unwrap();
    for args in [
        &["check", path][..],
        &["build", path],
        &["fmt", "--check", path],
        &["explain", path, "secret/x"],
        &["access", path],
        &["diff", path, path],
        &["simulate", path, r#"--claims={"sub": "x"}"#],
    ] {
        let out = keyplan(args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr:.2000}");
        assert!(
            stderr.contains(&format!("{path}:1:65537")),
            "{args:?}: {stderr:.2000}"
        );
        assert!(stderr.contains("kp::syntax::"), "{args:?}: {stderr:.2000}");
    }
}

/// A diagnostic whose label is near the start of its line but whose snippet would draw
/// a line longer than a snippet shows (the 200,000-character rule inside a policy the
/// warning is about, a context line) is shown without its snippet too: miette draws
/// every line of a snippet whole.
#[test]
fn a_snippet_with_a_very_long_line_is_not_drawn() {
    let long = "a".repeat(200_000);
    let src = format!("policy huge {{\n  path \"secret/{long}\" {{ capabilities = [read] }}\n}}\n");
    let file = scratch_file("long-line", "huge.kp", &src);
    let path = file.to_str().unwrap();
    let out = keyplan(&["check", path]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr:.2000}");
    assert!(stderr.contains("kp::unused-policy"), "{stderr:.2000}");
    assert!(stderr.contains(&format!("{path}:1:1")), "{stderr:.2000}");
    assert!(stderr.len() < 2_000, "{stderr:.2000}");
}

/// The report's `[file:line:col]` counts characters, as the JSON does (and SARIF and
/// editors): `é` is one column, not two bytes.
#[test]
fn human_columns_count_characters_as_json_does() {
    let file = scratch_file(
        "columns",
        "c.kp",
        "policy p { path \"ééééé\" { capabilities = [raed] } }\n",
    );
    let path = file.to_str().unwrap();
    let json: serde_json::Value =
        serde_json::from_slice(&keyplan(&["check", "--format", "json", path]).stdout).unwrap();
    assert_eq!(json["diagnostics"][0]["column"], 43, "{json:#}");
    let human = text(&keyplan(&["check", path]).stderr);
    assert!(human.contains(&format!("[{path}:1:43]")), "{human}");
}

/// One file named two ways (a relative path, `./`, a directory holding it, a symbolic
/// link) is one file of the program, not a second definition of everything in it.
#[test]
fn a_file_named_twice_is_read_once() {
    let file = scratch_file(
        "same-file",
        "p.kp",
        "policy p { path \"a\" { capabilities = [read] } }\n",
    );
    let dir = file.parent().unwrap().to_path_buf();
    let round_about = format!("../{}/p.kp", dir.file_name().unwrap().to_str().unwrap());
    let mut namings: Vec<Vec<&str>> = vec![
        vec!["p.kp", "./p.kp"],
        vec!["p.kp", "."],
        vec![".", &round_about],
    ];
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("p.kp", dir.join("link.kp.txt")).unwrap();
        namings.push(vec!["p.kp", "link.kp.txt"]);
        // A link beside the file in the directory read.
        std::os::unix::fs::symlink("p.kp", dir.join("alias.kp")).unwrap();
        namings.push(vec!["."]);
        namings.push(vec![".", "alias.kp"]);
    }
    for names in namings {
        let args = [&["build", "--emit", "hcl"][..], &names].concat();
        let out = common::keyplan_in(&dir, &args, None);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{names:?}: {}",
            text(&out.stderr)
        );
    }
    // The name kept is the one given first (the implied target's warning names it).
    std::fs::write(
        dir.join("p.kp"),
        "auth approle {\n  role ci {\n    token_policies = [\"default\"]\n    token_strictly_bind_ip = true\n  }\n}\n",
    )
    .unwrap();
    let out = common::keyplan_in(&dir, &["build", "--format", "json", "./p.kp", "p.kp"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(json["diagnostics"][0]["file"], "./p.kp", "{json:#}");
}

/// A rebuild into the same directory removes the outputs keyplan wrote there before and
/// no longer writes (a policy dropped from the program), says so, and touches no file
/// it did not write, nor another format's outputs.
#[test]
fn rebuilding_removes_the_outputs_no_longer_written_and_nothing_else() {
    let dir = temp_dir("stale");
    let program = dir.join("p.kp");
    let build = |emit: &str| {
        let out = keyplan(&[
            "build",
            program.to_str().unwrap(),
            "--emit",
            emit,
            "-o",
            dir.join("out").to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        text(&out.stderr)
    };
    let policy =
        |name: &str| format!("policy {name} {{ path \"{name}\" {{ capabilities = [read] }} }}\n");
    std::fs::write(&program, policy("alice") + &policy("bob")).unwrap();
    build("all");
    let policies = dir.join("out/policies");
    // Files keyplan did not write, and a list entry that would leave the directory.
    std::fs::write(policies.join("mine.hcl"), "mine").unwrap();
    std::fs::write(dir.join("outside.hcl"), "outside").unwrap();
    let list = dir.join("out/.keyplan-outputs");
    let listed = std::fs::read_to_string(&list).unwrap();
    std::fs::write(&list, listed + "hcl ../outside.hcl\n").unwrap();

    std::fs::write(&program, policy("bob")).unwrap();
    // Another format's build leaves the policies alone.
    build("api");
    assert!(policies.join("alice.hcl").is_file());
    let report = build("hcl");
    assert!(!policies.join("alice.hcl").exists(), "{report}");
    assert!(
        report.contains("removed ") && report.contains("alice.hcl"),
        "{report}"
    );
    assert!(policies.join("bob.hcl").is_file());
    assert_eq!(
        std::fs::read_to_string(policies.join("mine.hcl")).unwrap(),
        "mine"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("outside.hcl")).unwrap(),
        "outside"
    );
    for kept in ["calls.json", "graph.json", "apply.sh"] {
        assert!(dir.join("out").join(kept).is_file(), "{kept}");
    }
    // Nothing left to remove: the next build reports no removal.
    assert!(!build("hcl").contains("removed"));

    // The last policy gone: `policies/` goes with it once it holds nothing else.
    std::fs::write(&program, "auth approle ar {}\n").unwrap();
    build("hcl");
    assert!(policies.join("mine.hcl").is_file(), "a user's file is kept");
    std::fs::remove_file(policies.join("mine.hcl")).unwrap();
    std::fs::write(&program, policy("carol")).unwrap();
    build("hcl");
    std::fs::write(&program, "auth approle ar {}\n").unwrap();
    let report = build("hcl");
    assert!(report.contains("carol.hcl"), "{report}");
    assert!(!policies.exists(), "{report}");
    assert!(dir.join("out/calls.json").is_file());
}

/// A CI report of a program split over files says where a duplicate was first defined,
/// even in another file: in the message (GitHub's annotations have no related
/// locations), and in SARIF also as a related location with the other file's URI (QA:
/// only the message said it).
#[test]
fn ci_formats_name_the_other_file_of_a_duplicate() {
    let dir = temp_dir("dup-across-files");
    std::fs::write(
        dir.join("a.kp"),
        "policy shared { path \"secret/data/a/*\" { capabilities = [read] } }\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("b.kp"),
        "# the second\npolicy shared { path \"secret/data/b/*\" { capabilities = [read] } }\n",
    )
    .unwrap();
    let path = dir.to_str().unwrap();
    let first = format!("(first defined here: {}:1:8)", dir.join("a.kp").display());
    let sarif = keyplan(&["check", path, "--format", "sarif"]);
    let log: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let duplicate = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "kp::duplicate")
        .unwrap_or_else(|| panic!("{log:#}"));
    let result = &duplicate["message"]["text"];
    assert!(
        result
            .as_str()
            .unwrap()
            .starts_with(&format!("policy `shared` is already defined {first}")),
        "{result}"
    );
    let related = &duplicate["relatedLocations"][0];
    let other = &related["physicalLocation"];
    assert_eq!(
        other["artifactLocation"]["uri"]
            .as_str()
            .map(|u| u.ends_with("/a.kp")),
        Some(true),
        "{duplicate:#}"
    );
    assert_eq!(other["region"]["startLine"], 1, "{duplicate:#}");
    assert_eq!(other["region"]["startColumn"], 8, "{duplicate:#}");
    assert_eq!(related["message"]["text"], "first defined here");
    let github = text(&keyplan(&["check", path, "--format", "github"]).stdout);
    let line = github
        .lines()
        .find(|l| l.contains("kp%3A%3Aduplicate"))
        .unwrap_or_else(|| panic!("{github}"));
    assert!(line.contains("b.kp,line=2,"), "{line}");
    assert!(line.contains(&first), "{line}");
}

/// Code hosts place a report's paths under the repository's root: run in a subdirectory
/// of a repository, SARIF and GitHub annotations name `infra/a.kp`, not `a.kp` (QA), and
/// a path with `..` is written without it.
#[test]
fn reports_name_files_from_the_repository_root() {
    let repo = temp_dir("repo-root");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::create_dir_all(repo.join("infra")).unwrap();
    std::fs::create_dir_all(repo.join("other")).unwrap();
    std::fs::write(
        repo.join("infra/a.kp"),
        "auth jwt ci {\n  jwks_urll = \"x\"\n}\n",
    )
    .unwrap();
    let infra = repo.join("infra");
    let github = common::keyplan_in(&infra, &["check", "a.kp", "--format", "github"], None);
    assert!(
        text(&github.stdout).starts_with("::error file=infra/a.kp,line=2,"),
        "{}",
        text(&github.stdout)
    );
    let other = repo.join("other");
    let sarif = common::keyplan_in(
        &other,
        &["check", "../infra/a.kp", "--format", "sarif"],
        None,
    );
    let log: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let location = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "infra/a.kp", "{log:#}");
    assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
}
