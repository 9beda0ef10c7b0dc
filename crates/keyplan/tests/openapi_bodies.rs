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
//! - A field keyplan retyped by a hand override (with its `x-keyplan-source`: the string
//!   TTLs of `auth/token/create`, which the server parses as integer seconds too) accepts
//!   keyplan's type besides the document's.
//! - A document keyplan marks `incomplete` (`x-keyplan.incomplete`: OpenBao's JWT role, whose
//!   plugin describes 6 of its fields; the other 25 were measured on OpenBao 2.7.2) is read
//!   together with the other server's document for that endpoint.

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
            let name = path
                .strip_prefix(repo())
                .unwrap_or(&path)
                .display()
                .to_string();
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
    kp_files(&repo().join("tests"), &mut out);
    md_examples("docs/diagnostics.md", &mut out);
    md_examples("docs/language.md", &mut out);
    out.sort();
    out
}

/// The document's request-body schema of POST `path`, made strict as the module says.
fn document_schema(doc: &Value, path: &str) -> Value {
    let post = &doc["paths"][path]["post"];
    if post.is_object() && post.get("requestBody").is_none() {
        // An action (database/rotate-root/NAME): a POST that takes no fields.
        return json!({"type": "object", "properties": {}});
    }
    let mut schema = post["requestBody"]["content"]["application/json"]["schema"].clone();
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.rsplit('/').next().unwrap();
        schema = doc["components"]["schemas"][name].clone();
    }
    assert!(
        !schema.to_string().contains("\"$ref\""),
        "{path}: nested $ref in the request schema"
    );
    schema
}

fn request_schema(docs: &Docs, keyplan: &Value, target: Target) -> Value {
    let ext = &keyplan["x-keyplan"];
    let path = ext["openapi"][target.keyword()].as_str().unwrap();
    let mut schema = document_schema(docs.of(target), path);
    let props = schema
        .get_mut("properties")
        .and_then(Value::as_object_mut)
        .unwrap_or_else(|| panic!("{path}: no properties"));
    let incomplete = ext["incomplete"]
        .as_array()
        .is_some_and(|ts| ts.iter().any(|t| t == target.keyword()));
    if incomplete {
        for other in Target::ALL.into_iter().filter(|t| *t != target) {
            let other_path = ext["openapi"][other.keyword()].as_str().unwrap();
            let other_schema = document_schema(docs.of(other), other_path);
            for (name, prop) in other_schema["properties"].as_object().unwrap() {
                props.entry(name.clone()).or_insert_with(|| prop.clone());
            }
        }
    }
    let empty = Map::new();
    let kp_props = keyplan["properties"].as_object().unwrap_or(&empty);
    for (name, prop) in props.iter_mut() {
        if prop["type"] == "string" && prop["format"] == "duration" {
            prop["type"] = json!(["string", "integer"]);
        }
        let Some(kp) = kp_props.get(name) else {
            continue;
        };
        if kp.get("x-keyplan-source").is_some() && kp["type"] != prop["type"] {
            if let (Some(doc_ty), Some(kp_ty)) = (prop["type"].as_str(), kp["type"].as_str()) {
                prop["type"] = json!([doc_ty, kp_ty]);
            }
        }
    }
    // Hand overrides keyplan sends to this target although the document lacks them.
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

struct Docs {
    vault: Value,
    openbao: Value,
}

impl Docs {
    fn of(&self, target: Target) -> &Value {
        match target {
            Target::Vault => &self.vault,
            Target::Openbao => &self.openbao,
        }
    }
}

fn validate_target(docs: &Docs, target: Target, tally: &mut Tally, failures: &mut Vec<String>) {
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
                jsonschema::validator_for(&request_schema(docs, keyplan, target)).unwrap()
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
    let docs = Docs {
        vault: document(Target::Vault),
        openbao: document(Target::Openbao),
    };
    for target in Target::ALL {
        let mut tally = Tally {
            bodies: 0,
            programs: BTreeSet::new(),
            endpoints: BTreeSet::new(),
        };
        validate_target(&docs, target, &mut tally, &mut failures);
        println!(
            "{target}: {} bodies of {} programs, {} endpoints",
            tally.bodies,
            tally.programs.len(),
            tally.endpoints.len()
        );
        // Every example compiles for both targets, except AWS on OpenBao.
        for example in [
            "01-jwt-dynamic-secrets",
            "03-ssh-training-access",
            "04-token-roles",
        ] {
            let name = format!("examples/{example}.kp");
            assert!(
                tally.programs.contains(&name),
                "{name} does not compile for {target}"
            );
        }
        assert!(tally.bodies > 100, "{target}: only {} bodies", tally.bodies);
        // Every endpoint keyplan writes on this target (the language suite, tests/, covers the rest).
        let expected_endpoints = kp_schema::endpoints()
            .filter(|e| e.supports(target))
            .count();
        assert_eq!(
            tally.endpoints.len(),
            expected_endpoints,
            "{target}: only {:?}",
            tally.endpoints
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
