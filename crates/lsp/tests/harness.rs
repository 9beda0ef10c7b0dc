//! The in-process harness: each `fixtures/*.kp` is opened in a real server (over an
//! in-memory connection) and its requests are answered; the answers are snapshotted.
//!
//! A fixture is a keyplan file whose first lines say what to ask:
//!
//! ```text
//! #! hover $0              a request at cursor marker `$0` (markers are removed)
//! #! rename $1 new-name    requests with an argument
//! #! hover 99:0            a literal 0-based line:character position
//! #! symbols               requests about the whole document
//! ```
//!
//! Requests: `diagnostics`, `hover`, `completion`, `definition`, `references`,
//! `rename`, `prepareRename`, `symbols`, `codeAction` (at a marker), `formatting`,
//! `change FILE` (replace the text with `fixtures/FILE`, then report diagnostics).

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::Client;
use serde_json::{json, Value};

fn run_fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let raw = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let (text, markers) = common::strip_markers(&raw);
    // A fixed docs address keeps snapshots independent of where the tree is checked out.
    let mut client =
        Client::start_with(json!({ "docsUrl": "https://keyplan.test/docs/diagnostics.md" }));
    let uri = format!("file:///fixtures/{name}");
    let opened = client.open(&uri, &text);
    let mut out = String::new();
    for line in raw.lines().filter_map(|l| l.strip_prefix("#! ")) {
        let mut words = line.split_whitespace();
        let Some(method) = words.next() else { continue };
        let pos = |w: Option<&str>| -> Value {
            let w = w.unwrap_or("$0");
            let (l, c) = match w.strip_prefix('$') {
                Some(n) => markers[n.parse::<usize>().unwrap_or(0)],
                None => {
                    let (l, c) = w.split_once(':').unwrap_or(("0", "0"));
                    (l.parse().unwrap_or(0), c.parse().unwrap_or(0))
                }
            };
            json!({ "line": l, "character": c })
        };
        let doc = json!({ "uri": uri });
        let answer = match method {
            "diagnostics" => opened.clone(),
            "hover" => client.request("textDocument/hover", json!({ "textDocument": doc, "position": pos(words.next()) })),
            "completion" => {
                let r = client.request("textDocument/completion", json!({ "textDocument": doc, "position": pos(words.next()) }));
                // Labels and details: the documentation is what hover shows.
                json!(r.as_array().map(|a| a.iter().map(|i| format!("{} ({})", i["label"].as_str().unwrap_or(""), i["detail"].as_str().unwrap_or(""))).collect::<Vec<_>>()))
            }
            "definition" => client.request("textDocument/definition", json!({ "textDocument": doc, "position": pos(words.next()) })),
            "references" => client.request("textDocument/references", json!({ "textDocument": doc, "position": pos(words.next()), "context": { "includeDeclaration": true } })),
            "prepareRename" => client.request("textDocument/prepareRename", json!({ "textDocument": doc, "position": pos(words.next()) })),
            "rename" => {
                let p = pos(words.next());
                let new_name = words.next().unwrap_or("renamed");
                let r = client.request("textDocument/rename", json!({ "textDocument": doc, "position": p, "newName": new_name }));
                match r["changes"][&uri].as_array() {
                    Some(edits) => json!({ "edits": edits, "changed": common::changed_lines(&text, &common::apply(&text, edits)) }),
                    None => r,
                }
            }
            "symbols" => client.request("textDocument/documentSymbol", json!({ "textDocument": doc })),
            "codeAction" => {
                let p = pos(words.next());
                let r = client.request("textDocument/codeAction", json!({ "textDocument": doc, "range": { "start": p, "end": p }, "context": { "diagnostics": [] } }));
                json!(r.as_array().map(|a| a.iter().map(|ca| {
                    let edits = ca["edit"]["changes"][&uri].as_array().cloned().unwrap_or_default();
                    json!({ "title": ca["title"], "preferred": ca["isPreferred"], "fixes": ca["diagnostics"][0]["code"], "changed": common::changed_lines(&text, &common::apply(&text, &edits)) })
                }).collect::<Vec<_>>()))
            }
            "formatting" => {
                let r = client.request("textDocument/formatting", json!({ "textDocument": doc, "options": { "tabSize": 2, "insertSpaces": true } }));
                match r.as_array() {
                    Some(edits) => json!(common::apply(&text, edits)),
                    None => r,
                }
            }
            "change" => {
                let file = words.next().unwrap_or("");
                let p = format!("{}/tests/fixtures/{file}", env!("CARGO_MANIFEST_DIR"));
                let new_text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"));
                client.change(&uri, &new_text)
            }
            other => panic!("{name}: unknown request `{other}`"),
        };
        out.push_str(&format!("## {line}\n{}\n\n", common::pretty(&answer)));
    }
    client.stop();
    out
}

macro_rules! fixtures {
    ($($test:ident => $file:literal),* $(,)?) => {$(
        #[test]
        fn $test() {
            insta::assert_snapshot!(stringify!($test), run_fixture($file));
        }
    )*};
}

fixtures! {
    diagnostics => "diagnostics.kp",
    hover => "hover.kp",
    completion => "completion.kp",
    navigation => "navigation.kp",
    rename => "rename.kp",
    symbols => "symbols.kp",
    code_actions => "code_actions.kp",
    formatting => "formatting.kp",
    half_typed => "half_typed.kp",
}

/// Every fixture file has a test above.
#[test]
fn every_fixture_runs() {
    let dir = format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let listed = [
        "code_actions.kp",
        "completion.kp",
        "diagnostics.kp",
        "formatting.kp",
        "half_typed.kp",
        "hover.kp",
        "navigation.kp",
        "rename.kp",
        "symbols.kp",
    ];
    let fixtures: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .filter(|n| n.ends_with(".kp") && !n.starts_with('_'))
        .collect();
    assert_eq!(fixtures, listed);
}
