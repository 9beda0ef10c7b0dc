//! Compiling test programs without the facade (which depends on this crate).

use kp_check::ir::Program;

/// The checked program of `src`; panics with the diagnostics when it has errors.
pub fn program(src: &str) -> Program {
    program_despite(src, &[])
}

/// [`program`], tolerating errors with these codes: a program the server might hold
/// (read back from it) though keyplan refuses to write it, e.g. a `root` grant.
#[allow(clippy::panic)]
pub fn program_despite(src: &str, codes: &[&str]) -> Program {
    let parsed = kp_syntax::parse(src);
    let checked = kp_check::check(&parsed.file, &kp_check::Options::default());
    let errors: Vec<_> = parsed
        .diagnostics
        .iter()
        .chain(&checked.diagnostics)
        .filter(|d| d.is_error() && !codes.contains(&d.code))
        .collect();
    if !errors.is_empty() {
        panic!("test program has errors: {errors:#?}");
    }
    checked.program
}

/// The target [`program`] checks for (the checker's default).
pub fn target() -> kp_acl::Target {
    kp_check::Options::default().target
}

pub fn example(name: &str) -> Program {
    let path = format!("{}/../../examples/{name}", env!("CARGO_MANIFEST_DIR"));
    let src = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    program(&src)
}
