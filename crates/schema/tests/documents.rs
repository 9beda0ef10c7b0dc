//! The embedded documents: valid JSON Schema, fully annotated, and in step with the generator.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn every_document_loads() {
    let on_disk = std::fs::read_dir(workspace_root().join("schemas/endpoints"))
        .expect("schemas/endpoints exists")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "json"))
        })
        .count();
    assert_eq!(kp_schema::ids().count(), on_disk, "every file is embedded");
    assert!(kp_schema::ids().is_sorted());
}

#[test]
fn every_document_is_valid_draft_2020_12() {
    for id in kp_schema::ids() {
        let schema = kp_schema::json_schema(id).expect("schema of a listed id");
        assert_eq!(
            schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
            "{id}"
        );
        assert_eq!(
            schema["$id"],
            format!("https://keyplan.dev/schemas/endpoints/{id}.json")
        );
        if let Err(err) = jsonschema::draft202012::meta::validate(schema) {
            panic!("{id}: not a valid JSON Schema: {err}");
        }
        if let Err(err) = jsonschema::draft202012::new(schema) {
            panic!("{id}: does not compile: {err}");
        }
        assert_eq!(schema["type"], "object", "{id}");
        assert_eq!(schema["additionalProperties"], false, "{id}");
    }
}

fn walk_properties(id: &str, at: &str, schema: &Value, check: &mut impl FnMut(&str, &Value)) {
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (name, prop) in props {
        let here = format!("{at}{name}");
        check(&format!("{id}: {here}"), prop);
        walk_properties(id, &format!("{here}."), prop, check);
    }
}

#[test]
fn every_property_has_a_keyplan_type_and_description() {
    let keywords: Vec<&str> = kp_schema::FieldType::ALL
        .iter()
        .map(|t| t.keyword())
        .collect();
    for id in kp_schema::ids() {
        let schema = kp_schema::json_schema(id).expect("listed");
        walk_properties(id, "", schema, &mut |at, prop| {
            let ty = prop["x-keyplan-type"].as_str();
            assert!(
                ty.is_some_and(|t| keywords.contains(&t)),
                "{at}: x-keyplan-type {ty:?}"
            );
            assert!(
                prop["description"].as_str().is_some_and(|d| !d.is_empty()),
                "{at}: no description"
            );
            if prop.get("properties").is_some() {
                assert_eq!(
                    prop["additionalProperties"], false,
                    "{at}: open nested object"
                );
            }
        });
    }
}

#[test]
fn json_types_match_keyplan_types() {
    use kp_schema::{FieldType as F, JsonType as J};
    fn check(endpoint: &str, field: &kp_schema::Field) {
        let ok = match field.ty {
            F::String | F::CommaList => field.json_type == J::String,
            F::Int => field.json_type == J::Integer,
            F::Bool => field.json_type == J::Boolean,
            F::Duration => matches!(field.json_type, J::Integer | J::String),
            F::List => field.json_type == J::Array,
            F::Map => field.json_type == J::Object,
            F::Any => true,
        };
        assert!(
            ok,
            "{endpoint}.{}: {:?} sent as {:?}",
            field.name, field.ty, field.json_type
        );
        for sub in field.fields.values() {
            check(endpoint, sub);
        }
    }
    for endpoint in kp_schema::endpoints() {
        for field in endpoint.fields.values() {
            check(&endpoint.id, field);
        }
    }
}

#[test]
fn generator_output_is_up_to_date() {
    let root = workspace_root();
    let reference = root.join("schemas/reference/openbao-2.7.2-openapi.json");
    if !reference.is_file() {
        println!(
            "notice: skipping the generator check: {} not found",
            reference.display()
        );
        return;
    }
    let output = match Command::new("python3")
        .arg("tools/schemagen/generate.py")
        .arg("--check")
        .current_dir(&root)
        .output()
    {
        Ok(output) => output,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            println!("notice: skipping the generator check: python3 not found");
            return;
        }
        Err(err) => panic!("running python3: {err}"),
    };
    assert!(
        output.status.success(),
        "schemas/endpoints differ from tools/schemagen/generate.py output:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
