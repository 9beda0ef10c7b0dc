//! `keyplan access`, `diff` and `simulate` as users run them: exit codes, formats, and
//! `git:REV` read through git.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{keyplan_in, root, temp_dir, text};

fn keyplan(dir: &Path, args: &[&str]) -> Output {
    keyplan_in(dir, args, None)
}

const OLD: &str = "crates/access/tests/fixtures/diff-old.kp";
const NEW: &str = "crates/access/tests/fixtures/diff-new.kp";

#[test]
fn diff_exits_2_on_change_0_without_and_1_on_errors() {
    let changed = keyplan(&root(), &["diff", OLD, NEW, "--format", "json"]);
    assert_eq!(changed.status.code(), Some(2), "{}", text(&changed.stderr));
    let json: serde_json::Value = serde_json::from_slice(&changed.stdout).unwrap();
    assert_eq!(json["changed"], true);
    assert_eq!(json["identities"][0]["identity"], "evaluator");
    assert_eq!(json["identities"][0]["change"], "added");

    let same = keyplan(&root(), &["diff", OLD, OLD]);
    assert_eq!(same.status.code(), Some(0));
    assert_eq!(text(&same.stdout), "no access change\n");

    let dir = temp_dir("bad");
    std::fs::write(dir.join("bad.kp"), "workload w {\n  read\n}\n").unwrap();
    let bad = keyplan(&dir, &["diff", "bad.kp", "bad.kp"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        text(&bad.stderr).contains("bad.kp"),
        "{}",
        text(&bad.stderr)
    );
}

#[test]
fn diff_against_a_git_revision() {
    let dir = temp_dir("git");
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(&dir)
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
    };
    git(&["init", "-q"]);
    std::fs::create_dir_all(dir.join("ci")).unwrap();
    std::fs::copy(root().join(OLD), dir.join("ci/access.kp")).unwrap();
    git(&["add", "."]);
    git(&["commit", "-qm", "old"]);
    std::fs::copy(root().join(NEW), dir.join("ci/access.kp")).unwrap();

    let out = keyplan(
        &dir,
        &["diff", "git:HEAD", "ci/access.kp", "--format", "markdown"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("### keyplan access diff"));
    assert!(text(&out.stdout).contains("#### `legacy` (removed)"));

    // A directory at a revision: its `.kp` files then, as `plan --previous` reads them.
    let whole = keyplan(&dir, &["diff", "git:HEAD", "ci"]);
    assert_eq!(whole.status.code(), Some(2), "{}", text(&whole.stderr));
    assert!(text(&whole.stdout).contains("legacy"));

    let missing = keyplan(&dir, &["diff", "git:no-such-rev", "ci/access.kp"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(text(&missing.stderr).contains("git show no-such-rev:./access.kp"));
}

/// The CSV the playground's Access tab copies and downloads is this one, byte for byte:
/// `web/tests/access.test.mjs` compares its own with the same file.
#[test]
fn access_csv_is_the_fixture_the_playground_is_tested_against() {
    let out = keyplan(
        &root(),
        &[
            "access",
            "--format",
            "csv",
            "crates/access/tests/fixtures/matrix.kp",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let expected =
        std::fs::read_to_string(root().join("crates/access/tests/fixtures/matrix.csv")).unwrap();
    assert_eq!(text(&out.stdout), expected);
}

#[test]
fn access_formats_and_simulate() {
    let csv = keyplan(
        &root(),
        &["access", "--format", "csv", "examples/pipeline.kp"],
    );
    assert_eq!(csv.status.code(), Some(0));
    assert!(text(&csv.stdout)
        .contains("publisher,workload,secret/data/releases/*,create update,publisher\n"));

    let claims = "crates/access/tests/fixtures/claims-trainer.json";
    let sim = keyplan(
        &root(),
        &[
            "simulate",
            "examples/pipeline.kp",
            "--claims",
            claims,
            "--format",
            "json",
        ],
    );
    assert_eq!(sim.status.code(), Some(0), "{}", text(&sim.stderr));
    let json: serde_json::Value = serde_json::from_slice(&sim.stdout).unwrap();
    assert_eq!(json["accepted"][0]["role"], "trainer");
    assert_eq!(json["refused"].as_array().map(Vec::len), Some(2));

    // The claims may be given inline, as the JSON object itself.
    let inline = std::fs::read_to_string(root().join(claims)).unwrap();
    let sim_inline = keyplan(
        &root(),
        &[
            "simulate",
            "examples/pipeline.kp",
            "--claims",
            &inline,
            "--format",
            "json",
        ],
    );
    assert_eq!(
        sim_inline.stdout,
        sim.stdout,
        "{}",
        text(&sim_inline.stderr)
    );

    let none = keyplan(
        &root(),
        &[
            "simulate",
            "examples/pipeline.kp",
            "--claims",
            claims,
            "--mount",
            "other",
        ],
    );
    // A mount the program does not declare is a usage error, not "no role accepts".
    assert_eq!(none.status.code(), Some(1));
    assert!(
        text(&none.stderr).contains("no JWT or OIDC mount at `other`"),
        "{}",
        text(&none.stderr)
    );

    let dir = temp_dir("claims");
    std::fs::write(dir.join("c.json"), "[1, 2]").unwrap();
    let bad = keyplan(
        &dir,
        &[
            "simulate",
            &root().join("examples/pipeline.kp").display().to_string(),
            "--claims",
            "c.json",
        ],
    );
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        text(&bad.stderr).contains("must be a JSON object"),
        "{}",
        text(&bad.stderr)
    );
    // The same array written in place is read as JSON, not as a file's name.
    let program = root().join("examples/pipeline.kp").display().to_string();
    let inline = keyplan(&dir, &["simulate", &program, "--claims", "[1, 2]"]);
    assert_eq!(inline.status.code(), Some(1));
    assert!(
        text(&inline.stderr).contains("--claims: the claims must be a JSON object"),
        "{}",
        text(&inline.stderr)
    );
}

#[test]
fn check_reports_identity_lints() {
    let out = keyplan(
        &root(),
        &["check", "--format", "json", "examples/pipeline.kp"],
    );
    assert_eq!(out.status.code(), Some(0), "warnings only");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert_eq!(codes, ["kp::overlapping-roles"]);
}

/// The token the `kp::overlapping-roles` help shows logs in to both roles when given to
/// `simulate` (QA 10: it left out the user claims, and `simulate` refused it for both).
#[test]
fn the_overlap_example_token_simulates_as_accepted_by_both_roles() {
    let program = "crates/access/tests/fixtures/overlap-user-claims.kp";
    let check = keyplan(&root(), &["check", "--format", "json", program]);
    let json: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    let overlap = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "kp::overlapping-roles")
        .expect("an overlapping-roles warning");
    let help = overlap["help"].as_str().unwrap();
    let token = help
        .strip_prefix("e.g. the token ")
        .and_then(|rest| rest.split_once("; bind"))
        .map(|(token, _)| token)
        .unwrap_or_else(|| panic!("no token in {help:?}"));
    let sim = keyplan(
        &root(),
        &["simulate", program, "--claims", token, "--format", "json"],
    );
    assert_eq!(sim.status.code(), Some(0), "{}", text(&sim.stderr));
    let json: serde_json::Value = serde_json::from_slice(&sim.stdout).unwrap();
    let accepted: Vec<&str> = json["accepted"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["identity"].as_str())
        .collect();
    assert_eq!(accepted, ["a", "b"], "{token}: {json}");
}

/// `simulate` judges the roles on their bindings, and says when the server would refuse
/// the token whatever the role for its time claims: long expired (QA 3: it was shown as
/// accepted without a word), or none of `exp`, `nbf`, `iat`. A current token gets no note.
#[test]
fn simulate_notes_a_token_the_server_refuses_for_its_time_claims() {
    let inline =
        std::fs::read_to_string(root().join("crates/access/tests/fixtures/claims-trainer.json"))
            .unwrap();
    let mut claims: serde_json::Value = serde_json::from_str(&inline).unwrap();
    let run = |claims: &serde_json::Value, format: &str| {
        keyplan(
            &root(),
            &[
                "simulate",
                "examples/pipeline.kp",
                "--claims",
                &claims.to_string(),
                "--format",
                format,
            ],
        )
    };
    let json_of =
        |out: &Output| -> serde_json::Value { serde_json::from_slice(&out.stdout).unwrap() };

    let none = run(&claims, "json");
    assert_eq!(none.status.code(), Some(0), "{}", text(&none.stderr));
    let notes = json_of(&none)["notes"].clone();
    assert!(
        notes[0]
            .as_str()
            .unwrap_or_default()
            .contains("no `exp`, `nbf` or `iat`"),
        "{notes}"
    );

    claims["exp"] = serde_json::json!(1000);
    let expired = run(&claims, "json");
    // Still judged on the bindings: the trainer role accepts, with the note beside.
    let json = json_of(&expired);
    assert_eq!(json["accepted"][0]["role"], "trainer");
    assert!(
        json["notes"][0]
            .as_str()
            .unwrap_or_default()
            .starts_with("the token expired "),
        "{json}"
    );
    let text_out = run(&claims, "text");
    assert!(
        text(&text_out.stdout).starts_with("note: the token expired "),
        "{}",
        text(&text_out.stdout)
    );

    // A token with `exp` alone is valid only from `exp` less 150s (`not_before_leeway`).
    claims["exp"] = serde_json::json!(32_503_680_000_i64);
    let early = json_of(&run(&claims, "json"));
    assert!(
        early["notes"][0]
            .as_str()
            .unwrap_or_default()
            .starts_with("the token is not valid for another "),
        "{early}"
    );
    // Issued a minute ago, expiring in ten: current, no note.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    claims["iat"] = serde_json::json!(now - 60);
    claims["exp"] = serde_json::json!(now + 600);
    let current = json_of(&run(&claims, "json"));
    assert!(current.get("notes").is_none(), "{current}");
}

/// A login condition whose value spans lines (a certificate role's inline PEM) stays on
/// its `login` line: written raw, its lines broke the listing into lines of no identity.
#[test]
fn a_multi_line_login_value_stays_on_its_line() {
    let dir = temp_dir("pem");
    std::fs::write(
        dir.join("main.kp"),
        "auth cert {}\n\nworkload m {\n  login cert {\n    certificate = \"-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----\"\n  }\n  read \"secret/data/m/*\"\n}\n",
    )
    .unwrap();
    let out = keyplan(&dir, &["access", "main.kp"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(
            "  login certificate = \"-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----\"\n"
        ),
        "{stdout}"
    );
    assert!(!stdout.lines().any(|l| l == "MIIB"), "{stdout}");
}

/// In a program of several files, `access --format json` locates each identity as
/// graph.json does: the file it is in and offsets into that file. The compiler's own
/// offsets (one space for all the files) put the second file's workload after the first
/// file's length, a position in no file.
#[test]
fn access_json_spans_name_their_file() {
    let dir = temp_dir("multi");
    let program = dir.join("vault");
    std::fs::create_dir_all(&program).unwrap();
    std::fs::write(program.join("a.kp"), "auth approle {}\n").unwrap();
    let team =
        "workload w {\n  login approle { secret_id_ttl = 10m }\n  read \"secret/data/w/*\"\n}\n";
    std::fs::write(program.join("b.kp"), team).unwrap();
    let out = keyplan(&dir, &["access", "vault", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let w = &json["identities"][0];
    assert_eq!(w["id"], "w");
    assert_eq!(
        w["span"],
        serde_json::json!({"file": "vault/b.kp", "start": 0, "end": team.len() - 1})
    );
}
