//! keyplan in the browser: a thin wasm-bindgen shim over [`keyplan::json_api`].
//!
//! Every function takes and returns strings (JSON documents) so that the compiler's
//! response shape is defined once, in `json_api`, for the playground and the language
//! server alike. Nothing here may grow logic of its own: it keeps the editor's text and the
//! checker between calls (`Session`), so that a keystroke passes its edit rather than the
//! whole program.
//!
//! Only what the page calls is exported: every export links its code into the `.wasm` the
//! page downloads (the access diff alone was 7% of it). `json_api` keeps the others
//! (many files, `explain_code`, `diff`, `import`) for the CLI and the language server.
//!
//! The page loads two modules built from this crate, each with the exports of one
//! feature: `editor` (check, edit, build, format: what the page needs to start) and
//! `access` (claim simulation, explain, the identity lints: fetched after the first
//! build). In one module the access answers took it over the 200 KB gzipped the page may
//! download to start, and the identity lints (26 KB more) were left out of the
//! playground. The default builds both, for the shim's tests and the workspace's wasm32
//! build.
//!
//! The schema completion and hover read (`json_api::schema_json`) is not an export: it is
//! the same for every program, so `scripts/build-web.sh` writes it once with a native build
//! (`web/src/pkg/schema.json`) and the page fetches it as an asset. Its descriptions, and
//! the catalog's (kp-schema without `docs`), are then not in the module (about 14 KB
//! gzipped).

// In the playground's wasm: the standard sorts only through `kp_sort` (clippy.toml).
#![deny(clippy::disallowed_methods)]

use wasm_bindgen::prelude::wasm_bindgen;

/// Talc instead of Rust's default wasm allocator (dlmalloc): smaller in the module and
/// faster on the many small allocations of a check.
#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

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

/// The instance's checker and the text its edits apply to, kept between calls.
#[derive(Default)]
struct Session {
    /// The page checks the same program after every keystroke, and lowering the blocks an
    /// edit did not change is replayed (`kp_check::Memo`). Its answers are those of
    /// `check_json`, whatever was checked before.
    checker: keyplan::json_api::Checker,
    /// The text last checked, with the edits applied since.
    text: keyplan::json_api::EditedText,
}

thread_local! {
    static SESSION: std::cell::RefCell<Session> = Default::default();
}

/// Checks a program for `target` (`vault` or `openbao`): `{ ok, target, diagnostics }`.
/// The program becomes the text later [`edit`]s apply to.
#[cfg_attr(feature = "editor", wasm_bindgen)]
pub fn check(source: &str, target: &str) -> String {
    SESSION.with(|session| {
        let Session { checker, text } = &mut *session.borrow_mut();
        text.set(source);
        checker.check_json(source, target)
    })
}

/// Edits the text last given to [`check`]: UTF-16 units `from..to` (as JavaScript counts)
/// replaced by `inserted`. False, and the text unchanged, when the range is not in it.
#[cfg_attr(feature = "editor", wasm_bindgen)]
pub fn edit(from: u32, to: u32, inserted: &str) -> bool {
    SESSION.with(|session| {
        let text = &mut session.borrow_mut().text;
        text.replace(from as usize, to as usize, inserted)
    })
}

/// [`check`] of the edited text, when it is `length` UTF-16 units long (as the caller's
/// copy is); otherwise an empty string, and the caller passes its text to [`check`].
#[cfg_attr(feature = "editor", wasm_bindgen)]
pub fn check_edited(length: u32, target: &str) -> String {
    SESSION.with(|session| {
        let Session { checker, text } = &mut *session.borrow_mut();
        if text.utf16_len() != length as usize {
            return String::new();
        }
        checker.check_json(text.text(), target)
    })
}

/// Checks a program and emits every format: `{ ok, target, diagnostics, outputs, view }`.
#[cfg_attr(feature = "editor", wasm_bindgen)]
pub fn build(source: &str, target: &str) -> String {
    keyplan::json_api::build_json(source, target)
}

/// Formats a program in the canonical layout: `{ ok, formatted, changed, diagnostics }`.
#[cfg_attr(feature = "editor", wasm_bindgen)]
pub fn format(source: &str) -> String {
    keyplan::json_api::format_json(source)
}

/// Claim simulation: `{ ok, target, diagnostics, simulation: { accepted, refused },
/// notes? }`. `claims` is a JSON object; `mount` limits the roles to one mount path (empty:
/// all); `now` is the page's clock in seconds since the epoch, which the token's time
/// claims are checked at (0 or less: the token is taken to be current).
#[cfg_attr(feature = "access", wasm_bindgen)]
pub fn simulate(source: &str, claims: &str, mount: &str, target: &str, now: f64) -> String {
    // `as` saturates (NaN is 0): the clock is the page's, not the token's.
    let now = Some(now as i64).filter(|&n| n > 0);
    keyplan::json_api::simulate_json(source, claims, mount, target, now)
}

/// Explain: the capabilities of the program's identities on concrete paths and the rule
/// that decided each, `{ ok, target, diagnostics, paths: [{ path, identities }], error }`.
/// `request` is `{"paths": [...], "as": NAME?, "policies": [...]?}`.
#[cfg_attr(feature = "access", wasm_bindgen)]
pub fn explain(source: &str, target: &str, request: &str) -> String {
    keyplan::json_api::explain_json(source, target, request)
}

/// The identity lints (`kp-access`) that `keyplan check` adds to the checker's
/// diagnostics: `{ ok, target, diagnostics }` with the lints alone (none when the program
/// has errors).
#[cfg_attr(feature = "access", wasm_bindgen)]
pub fn lints(source: &str, target: &str) -> String {
    keyplan::json_api::lints_json(source, target)
}

/// The compiler's version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
