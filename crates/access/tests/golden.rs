//! Golden outputs of the access analyses on the examples and on a before/after pair.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use kp_access::{diff, matrix, render, simulate};
use kp_check::ir::Program;

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn program(rel: &str) -> Program {
    let parsed = kp_syntax::parse(&read(rel));
    let checked = kp_check::check(&parsed.file, &kp_check::Options::default());
    assert!(
        !parsed
            .diagnostics
            .iter()
            .chain(&checked.diagnostics)
            .any(|d| d.is_error()),
        "{rel} has errors"
    );
    checked.program
}

/// The target [`program`] checks for.
fn target() -> kp_acl::Target {
    kp_check::Options::default().target
}

const EXAMPLES: [&str; 6] = [
    "01-jwt-dynamic-secrets",
    "02-ai-model-secrets",
    "03-ssh-training-access",
    "04-token-roles",
    "05-api-key-rotation",
    "pipeline",
];

#[test]
fn access_of_every_example() {
    for name in EXAMPLES {
        let m = matrix::matrix(&program(&format!("examples/{name}.kp")), target());
        insta::assert_snapshot!(format!("access-{name}.txt"), render::matrix_text(&m));
    }
    let m = matrix::matrix(&program("examples/pipeline.kp"), target());
    insta::assert_snapshot!("access-pipeline.csv", render::matrix_csv(&m));
    insta::assert_json_snapshot!("access-pipeline.json", m);
}

#[test]
fn diff_of_a_change_in_every_format() {
    let old = program("crates/access/tests/fixtures/diff-old.kp");
    let new = program("crates/access/tests/fixtures/diff-new.kp");
    let d = diff::diff(&old, &new, target());
    insta::assert_snapshot!("diff.txt", render::diff_text(&d));
    insta::assert_snapshot!("diff.md", render::diff_markdown(&d));
    insta::assert_json_snapshot!("diff.json", d);
    // And back: every widening is a narrowing the other way.
    let back = diff::diff(&new, &old, target());
    insta::assert_snapshot!("diff-reverse.txt", render::diff_text(&back));
}

#[test]
fn simulate_a_trainer_token_against_the_pipeline() {
    let p = program("examples/pipeline.kp");
    let claims: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&read("crates/access/tests/fixtures/claims-trainer.json")).unwrap();
    let s = simulate::simulate(&p, &(&claims).into(), None);
    insta::assert_snapshot!(
        "simulate-pipeline.txt",
        render::simulation_text(&s, &matrix::matrix(&p, target()))
    );
    insta::assert_json_snapshot!("simulate-pipeline.json", s);
}

/// A role that issues batch tokens: the simulation says the server refuses them the
/// cubbyhole rules of `default`, as `keyplan access` and `explain` do.
#[test]
fn simulate_a_batch_token_role() {
    let p = program("crates/access/tests/fixtures/batch.kp");
    let claims: serde_json::Map<String, serde_json::Value> = serde_json::from_str(
        r#"{"aud": "vault", "project": "ml", "sub": "ci", "iss": "https://ci.example.com", "iat": 1700000000, "exp": 4700000000}"#,
    )
    .unwrap();
    let s = simulate::simulate(&p, &(&claims).into(), None);
    let text = render::simulation_text(&s, &matrix::matrix(&p, target()));
    assert!(
        text.contains("but refused: a batch token cannot use cubbyhole"),
        "{text}"
    );
    insta::assert_snapshot!("simulate-batch.txt", text);
}
