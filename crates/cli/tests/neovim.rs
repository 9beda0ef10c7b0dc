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

/// Runs headless Neovim in `dir` with `args`, the keyplan binary in `KP_BIN` and
/// `KP_RESULT` for the script's answer, and returns that answer; `None` when nvim is not
/// installed.
fn run_nvim(
    dir: &std::path::Path,
    args: &[String],
    env: &[(&str, &std::path::Path)],
) -> Option<serde_json::Value> {
    if Command::new("nvim").arg("--version").output().is_err() {
        eprintln!("SKIPPED: nvim is not installed (scripts/install-live-deps.sh installs it)");
        return None;
    }
    let result = dir.join("result.json");
    let mut child = Command::new("nvim")
        .args(args)
        .env("KP_BIN", env!("CARGO_BIN_EXE_keyplan"))
        .env("KP_RESULT", &result)
        .envs(env.iter().map(|(k, v)| (*k, *v)))
        .current_dir(dir)
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
    let r: serde_json::Value = serde_json::from_str(&raw).unwrap();
    assert!(
        r.get("error").is_none(),
        "the Lua script failed: {}",
        r["error"]
    );
    Some(r)
}

#[test]
fn neovim_uses_the_language_server() {
    let dir = std::env::temp_dir().join(format!("kp-nvim-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fixture = dir.join("pipeline.kp");
    std::fs::write(&fixture, FIXTURE).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/neovim/e2e.lua");
    let args = [
        "--headless".to_string(),
        "--clean".to_string(),
        "-n".to_string(),
        "-c".to_string(),
        format!("luafile {script}"),
    ];
    let r = run_nvim(&dir, &args, &[("KP_FIXTURE", &fixture)]);
    std::fs::remove_dir_all(&dir).ok();
    let Some(r) = r else { return };

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

    // Format on save of a buffer with a syntax error: no error shown, no edit; after
    // the fix, the buffer is formatted.
    assert_eq!(r["broken_format_unchanged"], true, "{r}");
    assert_eq!(
        r["fixed_format"],
        serde_json::json!([
            "",
            "policy broken {",
            "  path \"x\" {",
            "    capabilities = [read]",
            "  }",
            "}"
        ]),
        "{r}"
    );
    assert_eq!(r["format_shown"], serde_json::json!([]), "{r}");
}

/// The plugin users install (editors/neovim/keyplan.lua), on the runtimepath as a
/// plugin: Neovim started on a `.kp` file gives it the `keyplan` filetype, starts the
/// server, attaches it and shows its diagnostics, on 0.7 too (where `vim.filetype.add`
/// alone does nothing); a second `.kp` file shares the one server.
#[test]
fn the_neovim_plugin_starts_the_server_for_kp_files() {
    let dir = std::env::temp_dir().join(format!("kp-nvim-plugin-{}", std::process::id()));
    let plugin_dir = dir.join("rtp").join("plugin");
    std::fs::create_dir_all(&plugin_dir).unwrap();
    let plugin = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../editors/neovim/keyplan.lua"
    );
    std::fs::copy(plugin, plugin_dir.join("keyplan.lua")).unwrap();
    let first = dir.join("first.kp");
    let second = dir.join("second.kp");
    std::fs::write(
        &first,
        "policy ci { path \"secret/*\" { capabilities = [reed] } }\n",
    )
    .unwrap();
    std::fs::write(
        &second,
        "token t {\n  policies = [ci]\n  role = nowhere\n}\n",
    )
    .unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/neovim/plugin.lua");
    let args = [
        "--headless".to_string(),
        "--clean".to_string(),
        "-n".to_string(),
        "--cmd".to_string(),
        format!("set runtimepath^={}", dir.join("rtp").display()),
        "--cmd".to_string(),
        "lua vim.g.keyplan_cmd = { os.getenv('KP_BIN'), 'lsp' }".to_string(),
        "-c".to_string(),
        format!("luafile {script}"),
        first.display().to_string(),
    ];
    let r = run_nvim(&dir, &args, &[("KP_SECOND", &second)]);
    std::fs::remove_dir_all(&dir).ok();
    let Some(r) = r else { return };
    for (buffer, code) in [
        ("first", "kp::unknown-capability"),
        ("second", "kp::unresolved-reference"),
    ] {
        let b = &r[buffer];
        assert_eq!(b["filetype"], "keyplan", "{buffer}: {r}");
        assert_eq!(b["commentstring"], "# %s", "{buffer}: {r}");
        let clients = b["clients"].as_array().unwrap();
        assert_eq!(clients.len(), 1, "{buffer}: {r}");
        assert_eq!(clients[0]["name"], "keyplan", "{buffer}: {r}");
        let codes: Vec<&str> = b["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|d| d["code"].as_str())
            .collect();
        assert!(codes.contains(&code), "{buffer}: {r}");
    }
    // One server for both files.
    assert_eq!(
        r["first"]["clients"][0]["id"], r["second"]["clients"][0]["id"],
        "{r}"
    );
}
