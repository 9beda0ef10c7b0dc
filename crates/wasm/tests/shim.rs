//! The shim as JavaScript sees it: run under node by `wasm-bindgen-test-runner`
//! (`cargo test -p keyplan-wasm --target wasm32-unknown-unknown`, see web/README.md).
#![cfg(target_arch = "wasm32")]

use serde_json::Value;
use wasm_bindgen_test::wasm_bindgen_test;

fn parse(json: &str) -> Value {
    serde_json::from_str(json).expect("the shim answers JSON")
}

const SCENARIO_TOKEN: &str = r#"
extern policy my-policy

auth token {
  role ml-pipeline-role {
    allowed_policies = [my-policy]
    renewable        = true
    token_period     = 1h
  }
}

token ml-pipeline-token {
  role      = ml-pipeline-role
  policies  = [my-policy]
  renewable = true
  ttl       = 3600s
}
"#;

#[wasm_bindgen_test]
fn a_bad_target_is_an_error_document() {
    let v = parse(&keyplan_wasm::check("", "consul"));
    assert_eq!(v["ok"], false);
    assert!(v["error"].as_str().unwrap_or("").contains("consul"));
    let v = parse(&keyplan_wasm::build("", "nomad"));
    assert_eq!(v["ok"], false);
}

#[wasm_bindgen_test]
fn version_is_the_crate_version() {
    assert_eq!(keyplan_wasm::version(), env!("CARGO_PKG_VERSION"));
}

#[wasm_bindgen_test]
fn build_emits_every_format_for_both_targets() {
    for target in ["vault", "openbao"] {
        let v = parse(&keyplan_wasm::build(SCENARIO_TOKEN, target));
        assert_eq!(v["ok"], true, "{v}");
        let formats: Vec<&str> = v["outputs"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|o| o["format"].as_str())
            .collect();
        for f in ["api", "json", "sh"] {
            assert!(formats.contains(&f), "{f} in {formats:?}");
        }
        assert!(v["view"]["nodes"].as_array().is_some());
    }
}

#[wasm_bindgen_test]
fn check_reports_located_diagnostics() {
    let src = SCENARIO_TOKEN.replace("token_period", "token_ttl");
    let v = parse(&keyplan_wasm::check(&src, "vault"));
    assert_eq!(v["ok"], false);
    let d = v["diagnostics"]
        .as_array()
        .and_then(|ds| ds.iter().find(|d| d["severity"] == "error"))
        .expect("an error");
    assert_eq!(d["line"], 8);
    assert_eq!(d["column"], 5);
    assert!(d["code"].as_str().unwrap_or("").starts_with("kp::"));
}

#[wasm_bindgen_test]
fn lints_answer_the_identity_lints_alone() {
    let program =
        "policy forgotten {\n  path \"secret/data/x\" {\n    capabilities = [read]\n  }\n}\n";
    let v = parse(&keyplan_wasm::lints(program, "vault"));
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["diagnostics"][0]["code"], "kp::unused-policy", "{v}");
    assert_eq!(
        parse(&keyplan_wasm::check(program, "vault"))["diagnostics"],
        serde_json::json!([])
    );
}
