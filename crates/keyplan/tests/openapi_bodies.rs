//! Every request body keyplan emits validates against the OpenAPI document of the server
//! it is emitted for: Vault 1.15.0's for `--target vault` (no Vault server runs here, so this
//! stands in for a live suite), OpenBao 2.7.2's for `--target openbao`. The programs are
//! every example and test program of the repository, compiled for both targets.
//!
//! The document's request schema of the endpoint (`x-keyplan.openapi` of keyplan's own
//! schema names its path) is used as it is, with two adjustments, both stricter or exact:
//! - `additionalProperties: false`: the servers ignore unknown fields, so the documents do
//!   not forbid them, but keyplan must send only fields the server has. A field the document
//!   lacks passes only when keyplan's schema has it as a hand override (`x-keyplan-source`)
//!   for this target: what neither document says (docs/targets.md).
//! - Vault's documents write TypeDurationSecond as `{"type": "string", "format": "duration"}`
//!   while the server parses integer seconds too (OpenBao's document says
//!   `{"type": "integer", "format": "seconds"}` for the same framework type): an integer is
//!   accepted there.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use keyplan::{compile, emit, Emit, Options, Target};
use serde_json::{json, Map, Value};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn document(target: Target) -> Value {
    let name = match target {
        Target::Vault => "vault-1.15.0-openapi.json",
        Target::Openbao => "openbao-2.7.2-openapi.json",
    };
    let path = repo().join("schemas/reference").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// Every `.kp` file under `dir`, recursively.
fn kp_files(dir: &Path, out: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            kp_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "kp") {
            let text = std::fs::read_to_string(&path).unwrap();
            let name = path.strip_prefix(repo()).unwrap_or(&path).display().to_string();
            out.push((name, text));
        }
    }
}

/// The ```` ```kp ```` examples of a Markdown file.
fn md_examples(relative: &str, out: &mut Vec<(String, String)>) {
    let text = std::fs::read_to_string(repo().join(relative)).unwrap();
    let mut lines = text.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        if line.trim_end() != "```kp" {
            continue;
        }
        let body: Vec<&str> = lines
            .by_ref()
            .map(|(_, l)| l)
            .take_while(|l| l.trim_end() != "```")
            .collect();
        out.push((format!("{relative}:{}", n + 1), body.join("\n") + "\n"));
    }
}

fn programs() -> Vec<(String, String)> {
    let mut out = Vec::new();
    kp_files(&repo().join("examples"), &mut out);
    kp_files(&repo().join("crates"), &mut out);
    md_examples("docs/diagnostics.md", &mut out);
    md_examples("docs/language.md", &mut out);
    md_examples("docs/targets.md", &mut out);
    out.sort();
    out
}

/// The document's request-body schema of POST `path`, made strict as the module says.
fn request_schema(doc: &Value, path: &str, keyplan: &Value, target: Target) -> Value {
    let post = &doc["paths"][path]["post"];
    let mut schema = post["requestBody"]["content"]["application/json"]["schema"].clone();
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.rsplit('/').next().unwrap();
        schema = doc["components"]["schemas"][name].clone();
    }
    assert!(
        !schema.to_string().contains("\"$ref\""),
        "{path}: nested $ref in the request schema"
    );
    let props = schema
        .get_mut("properties")
        .and_then(Value::as_object_mut)
        .unwrap_or_else(|| panic!("{path}: no properties"));
    for prop in props.values_mut() {
        if prop["type"] == "string" && prop["format"] == "duration" {
            prop["type"] = json!(["string", "integer"]);
        }
    }
    // Hand overrides keyplan sends to this target although the document lacks them.
    let empty = Map::new();
    let kp_props = keyplan["properties"].as_object().unwrap_or(&empty);
    for (name, prop) in kp_props {
        let on_target = prop["x-keyplan-targets"]
            .as_array()
            .is_none_or(|ts| ts.iter().any(|t| t == target.keyword()));
        if !props.contains_key(name) && prop.get("x-keyplan-source").is_some() && on_target {
            props.insert(name.clone(), json!({}));
        }
    }
    schema["additionalProperties"] = json!(false);
    schema
}

struct Tally {
    bodies: usize,
    programs: BTreeSet<String>,
    endpoints: BTreeSet<String>,
}

fn validate_target(target: Target, tally: &mut Tally, failures: &mut Vec<String>) {
    let doc = document(target);
    let mut validators: BTreeMap<&str, jsonschema::Validator> = BTreeMap::new();
    for (name, source) in programs() {
        let compiled = compile(&source, &Options { target });
        let Some(program) = compiled.program.as_ref() else {
            continue;
        };
        tally.programs.insert(name.clone());
        let schema_of: BTreeMap<&str, &str> = program
            .resources
            .iter()
            .map(|r| (r.id.as_str(), r.schema))
            .collect();
        let calls = emit(&compiled, Emit::Api).unwrap();
        let calls: Value = serde_json::from_str(&calls[0].contents).unwrap();
        for call in calls["calls"].as_array().unwrap() {
            let id = call["id"].as_str().unwrap();
            let endpoint = schema_of[id];
            let keyplan = kp_schema::json_schema(endpoint).unwrap();
            let Some(path) = keyplan["x-keyplan"]["openapi"][target.keyword()].as_str() else {
                failures.push(format!("{endpoint}: no {target} document path"));
                continue;
            };
            let validator = validators.entry(endpoint).or_insert_with(|| {
                jsonschema::validator_for(&request_schema(&doc, path, keyplan, target)).unwrap()
            });
            let errors: Vec<String> = validator
                .iter_errors(&call["body"])
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .collect();
            if !errors.is_empty() {
                failures.push(format!(
                    "{name} ({target}): {id} ({endpoint}, {path}): {errors:?}\n{:#}",
                    call["body"]
                ));
            }
            tally.bodies += 1;
            tally.endpoints.insert(endpoint.to_string());
        }
    }
}

#[test]
fn every_emitted_body_validates_against_its_servers_document() {
    let mut failures = Vec::new();
    for target in Target::ALL {
        let mut tally = Tally {
            bodies: 0,
            programs: BTreeSet::new(),
            endpoints: BTreeSet::new(),
        };
        validate_target(target, &mut tally, &mut failures);
        println!(
            "{target}: {} bodies of {} programs, {} endpoints",
            tally.bodies,
            tally.programs.len(),
            tally.endpoints.len()
        );
        // Every example compiles for both targets, except AWS on OpenBao.
        for example in ["01-jwt-dynamic-secrets", "03-ssh-training-access", "04-token-roles"] {
            let name = format!("examples/{example}.kp");
            assert!(tally.programs.contains(&name), "{name} does not compile for {target}");
        }
        assert!(tally.bodies > 100, "{target}: only {} bodies", tally.bodies);
        let expected_endpoints = match target {
            Target::Vault => 18,
            Target::Openbao => 15,
        };
        assert!(
            tally.endpoints.len() >= expected_endpoints,
            "{target}: only {:?}",
            tally.endpoints
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
