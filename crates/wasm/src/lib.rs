//! keyplan in the browser: a thin wasm-bindgen shim over [`keyplan::json_api`].
//!
//! Every function takes and returns strings (JSON documents) so that the compiler's
//! response shape is defined once, in `json_api`, for the playground and the language
//! server alike. Nothing here may grow logic of its own.

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console)]
    fn error(message: &str);
}

/// Sends panic messages to `console.error`: with `panic = "abort"` a panic traps, and the
/// page can only report what the compiler said if it was logged before the trap.
#[wasm_bindgen(start)]
fn start() {
    std::panic::set_hook(Box::new(|info| error(&info.to_string())));
}

/// Checks a program for `target` (`vault` or `openbao`): `{ ok, target, diagnostics }`.
#[wasm_bindgen]
pub fn check(source: &str, target: &str) -> String {
    keyplan::json_api::check_json(source, target)
}

/// Checks a program and emits every format: `{ ok, target, diagnostics, outputs, view }`.
#[wasm_bindgen]
pub fn build(source: &str, target: &str) -> String {
    keyplan::json_api::build_json(source, target)
}

/// The entry of docs/diagnostics.md for a code: `{ ok, code, text }` or `{ ok, error, suggestion }`.
#[wasm_bindgen]
pub fn explain_code(code: &str) -> String {
    keyplan::json_api::explain_code_json(code)
}

/// Formats a program in the canonical layout: `{ ok, formatted, changed, diagnostics }`.
#[wasm_bindgen]
pub fn format(source: &str) -> String {
    keyplan::json_api::format_json(source)
}

/// Checks a program of many files, `files` a JSON array of `{name, text}`: the response
/// of [`check`], each diagnostic naming its file.
#[wasm_bindgen]
pub fn check_files(files: &str, target: &str) -> String {
    keyplan::json_api::check_files_json(files, target)
}

/// Builds a program of many files (see [`check_files`]): the response of [`build`].
#[wasm_bindgen]
pub fn build_files(files: &str, target: &str) -> String {
    keyplan::json_api::build_files_json(files, target)
}

/// Claim simulation: `{ ok, target, diagnostics, simulation: { accepted, refused }, access }`.
/// `claims` is a JSON object; `mount` limits the roles to one mount path (empty: all).
#[wasm_bindgen]
pub fn simulate(source: &str, claims: &str, mount: &str, target: &str) -> String {
    keyplan::json_api::simulate_json(source, claims, mount, target)
}

/// Explain: the capabilities of the program's identities on concrete paths and the rule
/// that decided each, `{ ok, target, diagnostics, paths: [{ path, identities }], error }`.
/// `request` is `{"paths": [...], "as": NAME?, "policies": [...]?}`.
#[wasm_bindgen]
pub fn explain(source: &str, target: &str, request: &str) -> String {
    keyplan::json_api::explain_json(source, target, request)
}

/// The access diff of two versions of a program: `{ ok, target, old, new, diff }`.
#[wasm_bindgen]
pub fn diff(old: &str, new: &str, target: &str) -> String {
    keyplan::json_api::diff_json(old, new, target)
}

/// Block kinds, their attributes and the endpoint schemas, for completion.
#[wasm_bindgen]
pub fn schema() -> String {
    keyplan::json_api::schema_json()
}

/// The compiler's version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
