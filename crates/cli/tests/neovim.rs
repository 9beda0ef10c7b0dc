//! End to end with a real editor: Debian's Neovim (0.7), headless, runs `keyplan lsp`
//! through `vim.lsp.start_client` on a fixture (tests/neovim/e2e.lua) and records
//! diagnostics appearing and clearing, hover, completion, definition, a rename applied
//! across the buffer, and formatting.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

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

#[test]
fn neovim_uses_the_language_server() {
    if Command::new("nvim").arg("--version").output().is_err() {
        eprintln!("SKIPPED: nvim is not installed (scripts/install-live-deps.sh installs it)");
        return;
    }
    let dir = std::env::temp_dir().join(format!("kp-nvim-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fixture = dir.join("pipeline.kp");
    let result = dir.join("result.json");
    std::fs::write(&fixture, FIXTURE).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/neovim/e2e.lua");
    let mut child = Command::new("nvim")
        .args([
            "--headless",
            "--clean",
            "-n",
            "-c",
            &format!("luafile {script}"),
        ])
        .env("KP_BIN", env!("CARGO_BIN_EXE_keyplan"))
        .env("KP_FIXTURE", &fixture)
        .env("KP_RESULT", &result)
        .current_dir(&dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
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
    std::fs::remove_dir_all(&dir).ok();
    let r: serde_json::Value = serde_json::from_str(&raw).unwrap();
    assert!(
        r.get("error").is_none(),
        "the Lua script failed: {}",
        r["error"]
    );

    let diags = r["diagnostics"].as_array().unwrap();
    // The typo alone: the token asking for the policy the role misspells is not a
    // second error (no cascades).
    assert_eq!(diags.len(), 1, "{diags:?}");
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
