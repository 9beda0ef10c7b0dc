//! The JSON outputs against their published schemas (`schemas/output/`), so the
//! schemas cannot drift from what the emitters and `kp_diag::Located` produce.

use kp_diag::{Diagnostic, LineIndex, Span};
use serde_json::{json, Value};

use super::*;
use crate::fixtures;

const CALLS: &str = include_str!("../../../schemas/output/calls.schema.json");
const GRAPH: &str = include_str!("../../../schemas/output/graph.schema.json");
const DIAGNOSTICS: &str = include_str!("../../../schemas/output/diagnostics.schema.json");

fn validator(text: &str) -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(text).expect("schema is JSON");
    jsonschema::meta::validate(&schema).expect("schema is a valid JSON Schema");
    jsonschema::draft202012::new(&schema).expect("schema compiles")
}

fn errors(v: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    v.iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

fn parse(f: &OutputFile) -> Value {
    serde_json::from_str(&f.contents).expect("output is JSON")
}

#[test]
fn calls_json_matches_its_schema() {
    let v = validator(CALLS);
    for fixture in [fixtures::pipeline, fixtures::awkward_secrets] {
        let (p, g) = fixture();
        for target in [Target::Vault, Target::Openbao] {
            let doc = parse(&api(&p, &g, target));
            assert_eq!(errors(&v, &doc), Vec::<String>::new());
        }
    }
    let (p, g) = fixtures::graphed(Program::default());
    assert!(v.is_valid(&parse(&api(&p, &g, Target::Vault))));
}

#[test]
fn graph_json_matches_its_schema() {
    let v = validator(GRAPH);
    for fixture in [fixtures::pipeline, fixtures::awkward_secrets] {
        let (p, g) = fixture();
        let doc = parse(&json(&p, &g));
        assert_eq!(errors(&v, &doc), Vec::<String>::new());
    }
}

/// The schemas are strict enough to catch a missing or misspelt field.
#[test]
fn schemas_reject_malformed_documents() {
    let (p, g) = fixtures::pipeline();
    let calls = validator(CALLS);
    let mut doc = parse(&api(&p, &g, Target::Vault));
    doc["calls"][0]["method"] = json!("PUT");
    doc["calls"][1]
        .as_object_mut()
        .unwrap()
        .remove("depends_on");
    doc["target"] = json!("consul");
    assert_eq!(errors(&calls, &doc).len(), 3, "{:?}", errors(&calls, &doc));

    let graph = validator(GRAPH);
    let mut doc = parse(&json(&p, &g));
    doc["nodes"][0]["kind"] = json!("mount");
    doc["workloads"][0]["rules"][0]["capabilities"] = json!(["write"]);
    assert_eq!(errors(&graph, &doc).len(), 2, "{:?}", errors(&graph, &doc));
}

#[test]
fn located_diagnostics_match_their_schema() {
    let source = "auth jwt {\n  tokn_ttl = 1h\n}\n";
    let index = LineIndex::new(source);
    let diagnostics: Vec<kp_diag::Located> = [
        Diagnostic::error(
            "kp::unknown-field",
            Span::new(13, 21),
            "unknown field `tokn_ttl`",
        )
        .with_label("not a field of `auth jwt`")
        .with_help("did you mean `token_ttl`?"),
        Diagnostic::warning(
            "kp::no-key-source",
            Span::new(0, 8),
            "the mount has no key source",
        ),
    ]
    .iter()
    .map(|d| d.locate("pipeline.kp", &index))
    .collect();
    let doc = json!({ "diagnostics": diagnostics });
    let v = validator(DIAGNOSTICS);
    assert_eq!(errors(&v, &doc), Vec::<String>::new());
    assert_eq!(doc["diagnostics"][0]["line"], 2);
    assert_eq!(doc["diagnostics"][0]["column"], 3);
    assert_eq!(doc["diagnostics"][1]["help"], Value::Null);

    let mut bad = doc.clone();
    bad["diagnostics"][0]["line"] = json!(0);
    bad["diagnostics"][1]["severity"] = json!("note");
    assert_eq!(errors(&v, &bad).len(), 2);
}

/// The diagnostics of programs with syntax errors (codes `kp::syntax::*`) and every
/// checker code, located as `keyplan check --format json` writes them.
#[test]
fn syntax_and_checker_codes_match_the_diagnostics_schema() {
    let v = validator(DIAGNOSTICS);
    let broken = [
        "auth jwt {\n  a = ,\n}\n",
        "policy p {\n  path \"a {\n}\n",
        "workload w {\n  read\n",
        "auth jwt { ; }\n",
        "secrets kv {\n  x =\n}\n",
    ];
    for source in broken {
        let parsed = kp_syntax::parse(source);
        assert!(
            parsed
                .diagnostics
                .iter()
                .any(|d| d.code.starts_with("kp::syntax::")),
            "{source:?} has no syntax error"
        );
        let checked = kp_check::check(&parsed.file, &kp_check::Options::default());
        let index = LineIndex::new(source);
        let diagnostics: Vec<kp_diag::Located> = parsed
            .diagnostics
            .iter()
            .chain(&checked.diagnostics)
            .map(|d| d.locate("broken.kp", &index))
            .collect();
        let doc = json!({ "diagnostics": diagnostics });
        assert_eq!(errors(&v, &doc), Vec::<String>::new(), "{source:?}");
    }
    let every: Vec<kp_diag::Located> = kp_check::codes::ALL
        .iter()
        .map(|code| {
            Diagnostic::error(code, Span::new(0, 1), "m").locate("p.kp", &LineIndex::new("x"))
        })
        .collect();
    assert_eq!(
        errors(&v, &json!({ "diagnostics": every })),
        Vec::<String>::new()
    );
    let bad = Diagnostic::error("kp::Syntax::x", Span::new(0, 1), "m")
        .locate("p.kp", &LineIndex::new("x"));
    assert_eq!(errors(&v, &json!({ "diagnostics": [bad] })).len(), 1);
}
