//! `--format sarif` and `--format github` on real diagnostics: the SARIF log is valid
//! against the SARIF 2.1.0 schema and has what GitHub code scanning requires; both
//! outputs are snapshotted.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use keyplan::{compile, Diagnostic, Options, Target};
use kp_report::FileReport;
use serde_json::Value;

const SCHEMA: &str = include_str!("../../../schemas/output/sarif-2.1.0.schema.json");

/// A warning and errors with related locations, a syntax error, non-ASCII text before a
/// span, and a name that needs escaping in both formats.
const PROGRAMS: [(&str, &str); 4] = [
    (
        "ci/jwt.kp",
        r#"# réglages: a comment with non-ASCII text
auth jwt {
  jwks_url = "https://ci.example.com/jwks"
  role deploy {
    user_claim      = "sub"
    bound_audiences = ["vault"]
    token_tll       = 1h
    token_policies  = [reader]
  }
}
"#,
    ),
    (
        "ci/syntax, 100%.kp",
        "policy reader {\n  path \"secret/*\" {\n    capabilities = [read\n  }\n}\n",
    ),
    (
        "ci/ssh.kp",
        "secrets ssh {\n  role any {\n    key_type                = \"ca\"\n    allow_user_certificates = true\n    allowed_users           = [\"*\"]\n  }\n}\n",
    ),
    ("ci/clean.kp", "extern policy reader\n"),
];

fn diagnostics() -> Vec<(String, String, Vec<Diagnostic>)> {
    PROGRAMS
        .iter()
        .map(|(name, text)| {
            let compiled = compile(
                text,
                &Options {
                    target: Target::Openbao,
                },
            );
            (name.to_string(), text.to_string(), compiled.diagnostics)
        })
        .collect()
}

fn reports(all: &[(String, String, Vec<Diagnostic>)]) -> Vec<FileReport<'_>> {
    all.iter()
        .map(|(name, text, diagnostics)| FileReport {
            name,
            text,
            diagnostics,
            elsewhere: &[],
        })
        .collect()
}

#[test]
fn sarif_is_valid_and_has_what_code_scanning_requires() {
    let all = diagnostics();
    assert!(all.iter().map(|f| f.2.len()).sum::<usize>() >= 3);
    let log = kp_report::sarif(&reports(&all));

    let schema: Value = serde_json::from_str(SCHEMA).expect("schema is JSON");
    let validator = jsonschema::draft4::new(&schema).expect("the SARIF schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert_eq!(errors, Vec::<String>::new());

    // The schema leaves these optional; GitHub code scanning needs them.
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    for rule in rules {
        for field in ["shortDescription", "fullDescription", "help"] {
            let text = rule[field]["text"].as_str().unwrap_or_default();
            assert!(!text.is_empty(), "{field} of {rule}");
            assert!(
                !text.starts_with("keyplan diagnostic"),
                "undocumented rule {rule}"
            );
        }
        assert!(rule["helpUri"].as_str().unwrap().starts_with("https://"));
    }
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), all.iter().map(|f| f.2.len()).sum::<usize>());
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        assert!(["error", "warning"].contains(&result["level"].as_str().unwrap()));
        let region = &result["locations"][0]["physicalLocation"]["region"];
        for field in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(region[field].as_u64().unwrap() >= 1, "{field} in {result}");
        }
        assert!(result["partialFingerprints"]["keyplanFingerprint/v1"].is_string());
    }

    insta::assert_json_snapshot!("sarif", log);
}

/// A malformed log fails the validation: the check above can fail.
#[test]
fn the_schema_rejects_a_result_without_a_message() {
    let all = diagnostics();
    let mut log = kp_report::sarif(&reports(&all));
    log["runs"][0]["results"][0]
        .as_object_mut()
        .unwrap()
        .remove("message");
    let schema: Value = serde_json::from_str(SCHEMA).unwrap();
    assert!(!jsonschema::draft4::new(&schema).unwrap().is_valid(&log));
}

#[test]
fn fingerprints_survive_lines_added_above() {
    let (name, text) = PROGRAMS[0];
    let shifted = format!("# a new first line\n\n{text}");
    let print = |text: &str| {
        let d = compile(
            text,
            &Options {
                target: Target::Openbao,
            },
        )
        .diagnostics;
        let log = kp_report::sarif(&[FileReport {
            name,
            text,
            diagnostics: &d,
            elsewhere: &[],
        }]);
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["partialFingerprints"].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(print(text), print(&shifted));
}

#[test]
fn github_workflow_commands() {
    let all = diagnostics();
    let out = kp_report::github(&reports(&all));
    for line in out.lines() {
        assert!(
            line.starts_with("::error file=") || line.starts_with("::warning file="),
            "{line}"
        );
        // One command per line: newlines in messages are escaped.
        let (props, _message) = line[2..].split_once("::").expect("properties::message");
        assert!(
            !props.contains("kp::"),
            "`:` escaped in properties: {props}"
        );
    }
    assert!(out.contains("file=ci/syntax%2C 100%25.kp,"), "{out}");
    assert!(out.contains("::warning file=ci/ssh.kp,"), "{out}");
    insta::assert_snapshot!("github", out);
}

/// Every `artifactLocation` in `value`, however deep.
fn artifact_locations(value: &Value, out: &mut Vec<Value>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                if key == "artifactLocation" {
                    out.push(v.clone());
                }
                artifact_locations(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| artifact_locations(v, out)),
        _ => {}
    }
}

/// QA 13: absolute paths (POSIX and Windows) are `file:` URIs without `uriBaseId`, which
/// SARIF 2.1.0 §3.4.4 allows only with a relative `uri`; relative ones keep the base.
/// The schema cannot say this (both are `uri-reference`s), so it is checked here too.
#[test]
fn absolute_paths_are_file_uris_without_a_base() {
    let all: Vec<(String, String, Vec<Diagnostic>)> = diagnostics()
        .into_iter()
        .zip([
            "/tmp/qa/ci/jwt.kp",
            r"C:\ci\syntax 1.kp",
            "ci/ssh.kp",
            "/x/clean.kp",
        ])
        .map(|((_, text, d), name)| (name.to_string(), text, d))
        .collect();
    let log = kp_report::sarif(&reports(&all));
    let schema: Value = serde_json::from_str(SCHEMA).unwrap();
    let validator = jsonschema::draft4::new(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
    assert_eq!(errors, Vec::<String>::new());

    let mut locations = Vec::new();
    artifact_locations(&log, &mut locations);
    let uris: std::collections::BTreeSet<String> = locations
        .iter()
        .map(|l| {
            let uri = l["uri"].as_str().unwrap();
            let absolute = uri.contains(':') || uri.starts_with('/');
            assert_eq!(l.get("uriBaseId").is_some(), !absolute, "{l}");
            uri.to_string()
        })
        .collect();
    assert_eq!(
        uris.into_iter().collect::<Vec<_>>(),
        [
            "ci/ssh.kp",
            "file:///C:/ci/syntax%201.kp",
            "file:///tmp/qa/ci/jwt.kp"
        ]
    );
}

/// A program that could not be read is a tool execution notification of a run that did
/// not succeed, valid SARIF; in workflow commands, an `::error` on its path.
#[test]
fn unreadable_programs_fail_the_run() {
    let all = diagnostics();
    let failures = [kp_report::Failure {
        name: "ci/binary.kp",
        message: "`ci/binary.kp` is not UTF-8 text (invalid byte at offset 3)",
    }];
    let log = kp_report::sarif_with_failures(&reports(&all), &failures);
    let schema: Value = serde_json::from_str(SCHEMA).expect("schema is JSON");
    let validator = jsonschema::draft4::new(&schema).expect("the SARIF schema compiles");
    assert!(validator.is_valid(&log));
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    assert_eq!(
        invocation["toolExecutionNotifications"][0]["message"]["text"],
        failures[0].message
    );
    let out = kp_report::github_with_failures(&reports(&all), &failures);
    assert!(out.starts_with("::error file=ci/binary.kp,title=keyplan::`ci/binary.kp` is not UTF-8"));
}
