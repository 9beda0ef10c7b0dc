//! `keyplan fmt` and `keyplan check --format sarif|github` as users run them.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Output;

use common::{keyplan_in, root, text};

fn keyplan(args: &[&str], stdin: Option<&str>) -> Output {
    keyplan_in(&root(), args, stdin)
}

/// A scratch folder with a `nested` folder in it.
fn temp_dir(name: &str) -> common::Scratch {
    let dir = common::temp_dir(name);
    std::fs::create_dir_all(dir.join("nested")).unwrap();
    dir
}

const UGLY: &str = "auth jwt {\ndescription = \"d\" # why\n      jwks_url =   \"u\"\n}\n";
const PRETTY: &str = "auth jwt {\n  description = \"d\" # why\n  jwks_url    = \"u\"\n}\n";
const BROKEN: &str = "auth jwt {\n  description =\n}\n";

#[test]
fn fmt_rewrites_files_in_place_atomically_and_lists_them() {
    let dir = temp_dir("write");
    let ugly = dir.join("nested/ugly.kp");
    let pretty = dir.join("pretty.kp");
    std::fs::write(&ugly, UGLY).unwrap();
    std::fs::set_permissions(&ugly, std::fs::Permissions::from_mode(0o640)).unwrap();
    std::fs::write(&pretty, PRETTY).unwrap();
    std::fs::write(dir.join("notes.txt"), UGLY).unwrap();

    let out = keyplan(&["fmt", dir.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), format!("{}\n", ugly.display()));
    assert_eq!(std::fs::read_to_string(&ugly).unwrap(), PRETTY);
    assert_eq!(
        std::fs::read_to_string(dir.join("notes.txt")).unwrap(),
        UGLY
    );
    let mode = std::fs::metadata(&ugly).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640, "permissions kept");
    let leftovers: Vec<_> = std::fs::read_dir(dir.join("nested"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, ["ugly.kp"], "no temporary file left");

    // Formatted files are not touched again.
    let out = keyplan(&["fmt", dir.to_str().unwrap()], None);
    assert_eq!(
        (out.status.code(), text(&out.stdout)),
        (Some(0), String::new())
    );
}

/// QA: a symbolic link is written through. The file it points to is formatted in place
/// (in its own directory, permissions kept) and the link stays a link, whether named
/// on the command line or found in a directory.
#[test]
fn fmt_writes_through_symbolic_links_and_keeps_them() {
    let dir = temp_dir("symlink");
    let target = dir.join("nested/perm.kp");
    let link = dir.join("link.kp");
    std::fs::write(&target, UGLY).unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600)).unwrap();
    // Relative, as `ln -s nested/perm.kp link.kp` makes it.
    std::os::unix::fs::symlink("nested/perm.kp", &link).unwrap();

    let out = keyplan_in(&dir, &["fmt", "link.kp"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "link.kp\n");
    let meta = std::fs::symlink_metadata(&link).unwrap();
    assert!(meta.file_type().is_symlink(), "the link is still a link");
    assert_eq!(
        std::fs::read_link(&link).unwrap(),
        PathBuf::from("nested/perm.kp")
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), PRETTY);
    let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the target's permissions kept");
    let mut left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .chain(std::fs::read_dir(dir.join("nested")).unwrap())
        .map(|e| e.unwrap().file_name())
        .collect();
    left.sort();
    assert_eq!(
        left,
        ["link.kp", "nested", "perm.kp"],
        "no temporary file left"
    );

    // Found by walking a directory: the same.
    std::fs::write(&target, UGLY).unwrap();
    let out = keyplan(&["fmt", dir.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(std::fs::read_to_string(&target).unwrap(), PRETTY);
}

/// QA: a CRLF file becomes an LF file throughout, heredocs included, and compiles to the
/// same JSON as before.
#[test]
fn fmt_ends_every_line_of_a_crlf_file_in_lf_heredocs_included() {
    let dir = temp_dir("crlf");
    let file = dir.join("crlf.kp");
    let src = "secrets database {\r\n  connection db {\r\n    plugin_name = \"postgresql-database-plugin\"\r\n    connection_url = \"postgresql://{{username}}:{{password}}@db:5432/app\"\r\n    allowed_roles = [app]\r\n  }\r\n  role app {\r\n    db_name = db\r\n    creation_statements = [<<EOT\r\nCREATE ROLE \"{{name}}\";\r\n  GRANT x;\r\nEOT\r\n    ]\r\n    revocation_statements = [<<-SQL\r\n      DROP ROLE \"{{name}}\";\r\n      SQL\r\n    ]\r\n  }\r\n}\r\n";
    std::fs::write(&file, src).unwrap();
    // The resource graph, spans aside (the layout moves them).
    let json = |path: &std::path::Path| {
        let out = keyplan(&["build", "--emit", "json", path.to_str().unwrap()], None);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let mut graph: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        for node in graph["nodes"].as_array_mut().unwrap() {
            node.as_object_mut().unwrap().remove("span");
        }
        graph
    };
    let before = json(&file);
    assert_eq!(
        before["nodes"][2]["body"]["creation_statements"][0],
        "CREATE ROLE \"{{name}}\";\n  GRANT x;\n"
    );

    let out = keyplan(&["fmt", file.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let formatted = std::fs::read_to_string(&file).unwrap();
    assert!(!formatted.contains('\r'), "{formatted:?}");
    assert!(
        formatted.contains("<<EOT\nCREATE ROLE \"{{name}}\";\n  GRANT x;\nEOT\n"),
        "{formatted:?}"
    );
    assert_eq!(json(&file), before, "the heredocs' values are unchanged");
}

#[test]
fn fmt_check_lists_unformatted_files_and_changes_nothing() {
    let dir = temp_dir("check");
    let ugly = dir.join("ugly.kp");
    let pretty = dir.join("pretty.kp");
    std::fs::write(&ugly, UGLY).unwrap();
    std::fs::write(&pretty, PRETTY).unwrap();
    let out = keyplan(
        &[
            "fmt",
            "--check",
            ugly.to_str().unwrap(),
            pretty.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), format!("{}\n", ugly.display()));
    assert_eq!(std::fs::read_to_string(&ugly).unwrap(), UGLY);

    let out = keyplan(&["fmt", "--check", pretty.to_str().unwrap()], None);
    assert_eq!(
        (out.status.code(), text(&out.stdout)),
        (Some(0), String::new())
    );
}

#[test]
fn fmt_reads_stdin_and_prints_to_stdout() {
    let out = keyplan(&["fmt", "-"], Some(UGLY));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), PRETTY);
    let out = keyplan(&["fmt", "--check", "-"], Some(UGLY));
    assert_eq!(
        (out.status.code(), text(&out.stdout)),
        (Some(1), "<stdin>\n".into())
    );
}

#[test]
fn fmt_refuses_syntax_errors_with_diagnostics() {
    let dir = temp_dir("broken");
    let file = dir.join("broken.kp");
    std::fs::write(&file, BROKEN).unwrap();
    let out = keyplan(&["fmt", file.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("kp::syntax::missing-value"), "{err}");
    assert!(err.contains("broken.kp:2:"), "located: {err}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), BROKEN);
    let out = keyplan(&["fmt", "-"], Some(BROKEN));
    assert_eq!(
        (out.status.code(), text(&out.stdout)),
        (Some(1), String::new())
    );
}

#[test]
fn check_reports_sarif_and_github_annotations() {
    let dir = temp_dir("ci");
    let file = dir.join("bad.kp");
    std::fs::write(
        &file,
        "auth jwt {\n  jwks_url = \"u\"\n  role r {\n    token_tll = 1h\n  }\n}\n",
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let out = keyplan(&["check", "--format", "sarif", path], None);
    assert_eq!(out.status.code(), Some(1));
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).expect("SARIF is JSON");
    assert_eq!(log["version"], "2.1.0");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(
        results.iter().any(|r| r["ruleId"] == "kp::unknown-field"),
        "{log}"
    );

    // QA 13: an absolute path is a `file:` URI without a base (SARIF 2.1.0 §3.4.4: a
    // `uri` with a `uriBaseId` is relative), or relative to the directory keyplan runs
    // in, the `%SRCROOT%` base, when it is under it.
    let location = |log: &serde_json::Value| {
        log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"].clone()
    };
    assert_eq!(
        location(&log),
        serde_json::json!({ "uri": format!("file://{path}") }),
        "{log}"
    );
    let inside = keyplan_in(&dir, &["check", "--format", "sarif", path], None);
    let log: serde_json::Value = serde_json::from_slice(&inside.stdout).unwrap();
    assert_eq!(
        location(&log),
        serde_json::json!({ "uri": "bad.kp", "uriBaseId": "%SRCROOT%" }),
        "{log}"
    );

    let out = keyplan(&["check", "--format", "github", path], None);
    assert_eq!(out.status.code(), Some(1));
    let lines = text(&out.stdout);
    assert!(
        lines.lines().any(|l| l.starts_with("::error file=")
            && l.contains(",line=4,col=5,")
            && l.contains("title=kp%3A%3Aunknown-field::")),
        "{lines}"
    );

    // A warning is a `::warning`, but an `::error` once `--deny-warnings` makes it fail
    // the step.
    let warned = dir.join("warned.kp");
    std::fs::write(&warned, "workload w {}\n").unwrap();
    let warned = warned.display().to_string();
    let plain = text(&keyplan(&["check", "--format", "github", &warned], None).stdout);
    assert!(plain.starts_with("::warning file="), "{plain}");
    let denied = keyplan(
        &["check", "--format", "github", "--deny-warnings", &warned],
        None,
    );
    assert_eq!(denied.status.code(), Some(1));
    let denied = text(&denied.stdout);
    assert!(denied.starts_with("::error file="), "{denied}");
    assert!(!denied.contains("::warning"), "{denied}");
}
