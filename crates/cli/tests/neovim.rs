//! End to end with a real editor: Debian's Neovim (0.7), headless, runs `keyplan lsp`
//! through `vim.lsp.start_client` on a fixture (tests/neovim/e2e.lua) and records
//! diagnostics appearing and clearing, hover, completion, definition, a rename applied
//! across the buffer, and formatting.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const FIXTURE: &str = "extern policy my-policy

auth token {
  role ml-pipeline-role {
    allowed_policies = [my-polcy]
      renewable = true
  }
}

token ml-pipeline-token {
  role     = ml-pipeline-role
  policies = [my-policy]
}
";

/// Runs `nvim --headless` on a Lua script of tests/neovim/ with `env`, in `dir`, and
/// returns the JSON the script wrote to `$KP_RESULT`. `None` when nvim is missing.
fn nvim(script: &str, dir: &Path, env: &[(&str, &Path)]) -> Option<serde_json::Value> {
    if Command::new("nvim").arg("--version").output().is_err() {
        eprintln!("SKIPPED: nvim is not installed (scripts/install-live-deps.sh installs it)");
        return None;
    }
    let result = dir.join("result.json");
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/neovim")
        .join(script);
    let mut cmd = Command::new("nvim");
    cmd.args([
        "--headless",
        "--clean",
        "-n",
        "-c",
        &format!("luafile {}", script.display()),
    ])
    .env("KP_BIN", env!("CARGO_BIN_EXE_keyplan"))
    .env("KP_RESULT", &result)
    .current_dir(dir)
    .stdin(Stdio::null())
    .stdout(Stdio::null())
    .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > deadline {
            child.kill().ok();
            panic!("nvim did not finish in 90 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let raw =
        std::fs::read_to_string(&result).unwrap_or_else(|e| panic!("no result from nvim: {e}"));
    let r: serde_json::Value = serde_json::from_str(&raw).unwrap();
    assert!(
        r.get("error").is_none(),
        "the Lua script failed: {}",
        r["error"]
    );
    Some(r)
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kp-nvim-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn neovim_uses_the_language_server() {
    let dir = temp_dir("one");
    let fixture = dir.join("pipeline.kp");
    std::fs::write(&fixture, FIXTURE).unwrap();
    let r = nvim("e2e.lua", &dir, &[("KP_FIXTURE", &fixture)]);
    std::fs::remove_dir_all(&dir).ok();
    let Some(r) = r else { return };

    let diags = r["diagnostics"].as_array().unwrap();
    // The typo, and what it causes: the token asks for a policy its role does not allow.
    assert_eq!(diags.len(), 2, "{diags:?}");
    assert_eq!(diags[1]["code"], "kp::policy-not-allowed");
    assert_eq!(diags[0]["lnum"], 4);
    assert_eq!(diags[0]["code"], "kp::unresolved-reference");
    assert!(diags[0]["message"]
        .as_str()
        .unwrap()
        .contains("did you mean `my-policy`?"));

    let hover = r["hover"].as_str().unwrap();
    assert!(hover.starts_with("**renewable** · bool"), "{hover}");

    let completion: Vec<&str> = r["completion"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(completion.contains(&"my-policy"), "{completion:?}");
    assert!(completion.contains(&"default"), "{completion:?}");

    assert_eq!(
        r["definition"],
        serde_json::json!({ "line": 3, "character": 7 })
    );
    assert_eq!(r["diagnostics_after_fix"], 0);

    let renamed = r["after_rename"].as_array().unwrap();
    assert_eq!(renamed[3], "  role deployer {");
    assert_eq!(renamed[10], "  role     = deployer");

    let formatted: Vec<&str> = r["after_format"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        formatted
            .iter()
            .any(|l| l.trim_start() == "allowed_policies = [my-policy]"),
        "{formatted:?}"
    );
    assert!(
        !formatted.iter().any(|l| l.starts_with("      renewable")),
        "{formatted:?}"
    );
    assert_eq!(r["format_again_edits"], 0);
    assert_eq!(r["diagnostics_at_end"], 0);
}

/// A program of two files, both open, through the repository's own Neovim snippet
/// (editors/neovim/keyplan.lua): one server for both buffers, the diagnostics of each
/// file in its own buffer, definition into the other file, a rename applied to both
/// buffers, and the lists clearing after the fix.
#[test]
fn neovim_edits_a_program_of_two_files() {
    let dir = temp_dir("multi");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../lsp/tests/fixtures/multi");
    for f in ["mounts.kp", "workloads.kp"] {
        std::fs::copy(fixtures.join(f), dir.join(f)).unwrap();
    }
    let snippet = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../editors/neovim/keyplan.lua");
    let r = nvim(
        "multi.lua",
        &dir,
        &[("KP_DIR", &dir), ("KP_SNIPPET", &snippet)],
    );
    std::fs::remove_dir_all(&dir).ok();
    let Some(r) = r else { return };

    assert_eq!(r["servers"], 1, "one server for both buffers");
    // The typo `adit` (line 6) is reported in workloads.kp only.
    assert_eq!(r["diagnostics"], serde_json::json!([5]));
    assert_eq!(r["diagnostics_mounts"], 0);
    assert_eq!(r["definition_file"], "mounts.kp");
    assert_eq!(r["definition_line"], 13);
    let lines = |k: &str| -> Vec<String> {
        r[k].as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    let mounts = lines("mounts_after_rename");
    assert!(
        mounts.contains(&"  role reader {".to_string()),
        "{mounts:?}"
    );
    assert!(
        mounts
            .iter()
            .any(|l| l.trim() == "allowed_roles = [reader]"),
        "{mounts:?}"
    );
    let workloads = lines("workloads_after_rename");
    assert!(
        workloads.contains(&"  creds database.reader".to_string()),
        "{workloads:?}"
    );
    assert_eq!(r["diagnostics_after_fix"], 0);
    assert_eq!(r["diagnostics_mounts_after_fix"], 0);
}
