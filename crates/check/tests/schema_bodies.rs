//! Every body the checker lowers is valid against its endpoint's JSON Schema, for the
//! repository's examples and every program of the language suite (`tests/`) that compiles.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{check_file, errors_of};
use kp_check::Target;

#[test]
fn lowered_bodies_match_their_schemas() {
    let mut files: Vec<String> =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests"))
            .unwrap()
            .chain(
                std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples")).unwrap(),
            )
            .flatten()
            .map(|e| e.path().to_string_lossy().into_owned())
            .filter(|p| p.ends_with(".kp"))
            .collect();
    files.sort();
    let mut validated = 0;
    for file in files {
        let (diags, program) = check_file(&file, Target::Vault);
        // The language suite holds wrong programs too: only clean ones lower completely.
        if !errors_of(&diags).is_empty() {
            assert!(!file.contains("/examples/"), "{file}: {diags:#?}");
            continue;
        }
        for r in &program.resources {
            let schema = kp_schema::json_schema(r.schema)
                .unwrap_or_else(|| panic!("no schema `{}`", r.schema));
            let validator = jsonschema::validator_for(schema).unwrap();
            let body = serde_json::Value::Object(
                r.body
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.redacted()))
                    .collect(),
            );
            let errors: Vec<String> = validator
                .iter_errors(&body)
                .map(|e| e.to_string())
                .collect();
            assert!(errors.is_empty(), "{file}: {}: {errors:#?}\n{body:#}", r.id);
            validated += 1;
        }
    }
    assert!(validated > 30, "{validated}");
}
