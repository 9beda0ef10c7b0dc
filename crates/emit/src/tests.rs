//! Properties every emitter shares.

use super::*;
use crate::fixtures;

/// Every output of every emitter for both targets.
fn all_outputs(fixture: fn() -> (Program, Graph)) -> Vec<OutputFile> {
    let (p, g) = fixture();
    let mut out = Vec::new();
    for target in [Target::Vault, Target::Openbao] {
        out.push(api(&p, &g, target));
        out.push(sh(&p, &g, target));
    }
    out.extend(hcl(&p));
    out.push(json(&p, &g));
    out
}

#[test]
fn emitting_twice_gives_the_same_bytes() {
    for fixture in [fixtures::pipeline, fixtures::awkward_secrets] {
        assert_eq!(all_outputs(fixture), all_outputs(fixture));
    }
}

#[test]
fn json_outputs_are_pretty_with_a_final_newline() {
    for f in all_outputs(fixtures::pipeline) {
        if f.name.ends_with(".json") {
            assert!(f.contents.ends_with("}\n"), "{}", f.name);
            assert!(f.contents.contains("\n  \""), "{}", f.name);
            let parsed: serde_json::Value = serde_json::from_str(&f.contents).unwrap();
            assert_eq!(format!("{parsed:#}\n"), f.contents);
        }
    }
}

/// The IR holds no secret value, only names; what must hold is that a name appears in
/// the JSON outputs only as the `${NAME}` placeholder, and that the script mentions it
/// only to check it is set, to read it (`env["NAME"]` in jq), in its header, or as the
/// placeholder jq replaces.
#[test]
fn secrets_appear_only_as_placeholders() {
    let (p, _) = fixtures::awkward_secrets();
    assert!(matches!(
        p.resources[1].body.get("password"),
        Some(kp_check::ir::Value::Env(_))
    ));
    for f in all_outputs(fixtures::awkward_secrets) {
        for name in ["FIRST_SECRET", "SECOND_SECRET"] {
            let placeholder = format!("\"${{{name}}}\"");
            if f.name.ends_with(".json") {
                assert!(f.contents.contains(&placeholder), "{}", f.name);
                assert_eq!(
                    f.contents.matches(name).count(),
                    f.contents.matches(&placeholder).count() + 1, // the `env` list
                    "{}",
                    f.name
                );
            }
            if f.name == "apply.sh" {
                for line in f.contents.lines().filter(|l| l.contains(name)) {
                    let read = format!("env[\"{name}\"]");
                    let ok = line.starts_with("# environment: ")
                        || line.starts_with(&format!(": \"${{{name}:?set {name}: "))
                        || (line.starts_with("jq -c ") && line.contains(&read))
                        || (line.starts_with('{')
                            && line.matches(name).count() == line.matches(&placeholder).count());
                    assert!(ok, "{}: {line}", f.name);
                }
            }
        }
    }
}
