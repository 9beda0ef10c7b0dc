//! The emitters on the real examples, through the real front end: every request body
//! conforms to its endpoint's JSON Schema (with `${NAME}` standing in for secrets), the
//! JSON outputs to `schemas/output/`, and every script parses with `bash -n`.
//!
//! The examples' golden outputs are the facade's tests; this checks properties only.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use kp_check::ir::Program;
use kp_check::{Options, Target};
use kp_graph::Graph;
use serde_json::Value;

fn examples() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("examples/")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "kp"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).expect("read example"))
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no examples in {}", dir.display());
    out
}

/// The example compiled for every target it compiles for (scenario 5 is Vault-only).
fn compiled() -> Vec<(String, Target, Program, Graph)> {
    let mut out = Vec::new();
    for (name, source) in examples() {
        for target in [Target::Vault, Target::Openbao] {
            let parsed = kp_syntax::parse(&source);
            let checked = kp_check::check(&parsed.file, &Options { target });
            let errors: Vec<String> = parsed
                .diagnostics
                .iter()
                .chain(&checked.diagnostics)
                .filter(|d| d.is_error())
                .map(|d| format!("{}: {}", d.code, d.message))
                .collect();
            if !errors.is_empty() {
                continue;
            }
            let graph = kp_graph::build(&checked.program)
                .unwrap_or_else(|e| panic!("{name}: graph: {e:?}"));
            out.push((name.clone(), target, checked.program, graph));
        }
    }
    out
}

fn output_schema(name: &str) -> jsonschema::Validator {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../schemas/output")
        .join(name);
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("schema")).expect("JSON");
    jsonschema::draft202012::new(&schema).expect("schema compiles")
}

#[test]
fn every_example_compiles_for_some_target() {
    let compiled = compiled();
    for (name, _) in examples() {
        assert!(
            compiled.iter().any(|(n, ..)| *n == name),
            "{name} compiles for no target"
        );
    }
}

#[test]
fn call_bodies_conform_to_their_endpoint_schemas() {
    let mut checked = 0;
    for (name, target, program, graph) in compiled() {
        let calls: Value =
            serde_json::from_str(&kp_emit::api(&program, &graph, target).contents).unwrap();
        for (call, resource) in calls["calls"]
            .as_array()
            .unwrap()
            .iter()
            .zip(graph.ordered().map(|n| &program.resources[n.resource]))
        {
            assert_eq!(call["id"], resource.id.as_str());
            let Some(schema) = kp_schema::json_schema(resource.schema) else {
                panic!(
                    "{name}: `{}` has unknown schema `{}`",
                    resource.id, resource.schema
                );
            };
            let validator = jsonschema::validator_for(schema)
                .unwrap_or_else(|e| panic!("schema `{}`: {e}", resource.schema));
            let errors: Vec<String> = validator
                .iter_errors(&call["body"])
                .map(|e| format!("{}: {e}", e.instance_path()))
                .collect();
            assert!(
                errors.is_empty(),
                "{name} ({target:?}): body of `{}` against `{}`: {errors:#?}\n{:#}",
                resource.id,
                resource.schema,
                call["body"]
            );
            checked += 1;
        }
    }
    assert!(checked > 0);
}

#[test]
fn json_outputs_conform_to_the_output_schemas() {
    let calls = output_schema("calls.schema.json");
    let graph_schema = output_schema("graph.schema.json");
    for (name, target, program, graph) in compiled() {
        let doc: Value =
            serde_json::from_str(&kp_emit::api(&program, &graph, target).contents).unwrap();
        let errors: Vec<String> = calls.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{name}: calls.json: {errors:?}");
        let doc: Value = serde_json::from_str(&kp_emit::json(&program, &graph).contents).unwrap();
        let errors: Vec<String> = graph_schema
            .iter_errors(&doc)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{name}: graph.json: {errors:?}");
    }
}

#[test]
fn every_policy_file_is_the_policy_body() {
    for (name, _, program, _) in compiled() {
        let files = kp_emit::hcl(&program);
        let policies: Vec<_> = program
            .resources
            .iter()
            .filter(|r| r.kind == kp_check::ir::ResourceKind::Policy)
            .collect();
        assert_eq!(files.len(), policies.len(), "{name}");
        for (file, r) in files.iter().zip(policies) {
            let Some(text) = r.body.get("policy").and_then(|v| v.policy_text()) else {
                panic!("{name}: `{}` has no policy text", r.id);
            };
            // The file is the body's text, after at most a header comment.
            let body = file
                .contents
                .strip_prefix('#')
                .map_or(file.contents.as_str(), |rest| {
                    rest.split_once('\n').map_or("", |(_, b)| b)
                });
            assert_eq!(body, &*text, "{name}: {}", file.name);
        }
    }
}

#[test]
fn scripts_parse_and_pass_shellcheck() {
    let shellcheck = Command::new("shellcheck").arg("--version").output().is_ok();
    for (name, target, program, graph) in compiled() {
        let script = kp_emit::sh(&program, &graph, target).contents;
        let mut checks = vec![vec!["bash", "-n"]];
        if shellcheck {
            checks.push(vec!["shellcheck", "-s", "bash", "-"]);
        }
        for argv in checks {
            let mut child = Command::new(argv[0])
                .args(&argv[1..])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            child
                .stdin
                .take()
                .unwrap()
                .write_all(script.as_bytes())
                .unwrap();
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "{name} ({target:?}): {}: {}{}",
                argv[0],
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}
