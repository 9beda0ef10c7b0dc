//! Every request body keyplan emits, for every example and generated program, is valid
//! against the JSON Schema of its endpoint under `schemas/endpoints/`.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::Path;

use keyplan::{compile, Options, Target};

#[path = "../benches/generate.rs"]
mod generate;

fn sources() -> Vec<(String, String, Target)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut out: Vec<(String, String, Target)> = std::fs::read_dir(dir)
        .expect("examples/ exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "kp"))
        .map(|p| {
            let src = std::fs::read_to_string(&p).expect("readable");
            (p.display().to_string(), src, Target::Vault)
        })
        .collect();
    out.push((
        "generated(40)".into(),
        generate::program(40),
        Target::Openbao,
    ));
    out
}

#[test]
fn every_emitted_body_matches_its_endpoint_schema() {
    let mut validated = 0;
    for (name, src, target) in sources() {
        let compiled = compile(&src, &Options { target });
        let program = compiled
            .program
            .unwrap_or_else(|| panic!("{name} must compile: {:#?}", compiled.diagnostics));
        for resource in &program.resources {
            let schema = kp_schema::json_schema(resource.schema)
                .unwrap_or_else(|| panic!("no schema `{}` for {}", resource.schema, resource.id));
            let validator = jsonschema::validator_for(schema)
                .unwrap_or_else(|e| panic!("schema `{}` does not compile: {e}", resource.schema));
            let body = serde_json::Value::Object(
                resource
                    .body
                    .iter()
                    .map(|(k, v)| (k.clone(), v.redacted()))
                    .collect(),
            );
            let errors: Vec<String> = validator
                .iter_errors(&body)
                .map(|e| e.to_string())
                .collect();
            assert!(
                errors.is_empty(),
                "{name}: body of {} does not match `{}`: {errors:#?}\n{body:#}",
                resource.id,
                resource.schema
            );
            validated += 1;
        }
    }
    assert!(validated > 50, "validated only {validated} bodies");
}
