//! The server keeps serving whatever a client sends: notifications whose params it
//! cannot read (a `didOpen` without `text`, a URI with an unencoded space) and an
//! `initialize` with such a `rootUri` are logged, and the next document is checked as
//! usual. A file of a directory's program that is not UTF-8 gets an error of its own.
//! Quick fixes, through the real server, keep a quoted value quoted.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::Client;
use serde_json::{json, Value};

const BROKEN: &str = "policy p { path \"secret/*\" { capabilities = [reed] } }\n";

fn codes(diags: &Value) -> Vec<String> {
    diags
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect()
}

/// The server still answers: a document opened now gets its diagnostics.
fn still_serves(client: &mut Client, uri: &str) {
    let diags = client.open(uri, BROKEN);
    assert_eq!(codes(&diags), ["kp::unknown-capability"], "{diags}");
    assert!(!client.server_ended());
}

#[test]
fn notifications_with_invalid_params_are_logged_and_the_server_goes_on() {
    let mut client = Client::start_with(json!({ "program": "file" }));
    // `didOpen` without `text`.
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": "file:///tmp/a.kp", "languageId": "keyplan", "version": 1 } }),
    );
    // `didChange` without `version`.
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": "file:///tmp/a.kp" }, "contentChanges": [{ "text": "x" }] }),
    );
    // A URI with an unencoded space.
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": "file:///tmp/my dir/a.kp", "languageId": "keyplan", "version": 1, "text": BROKEN } }),
    );
    still_serves(&mut client, "file:///tmp/b.kp");
    let logs = client.logs();
    let invalid: Vec<&String> = logs
        .iter()
        .filter(|l| l.contains("invalid params"))
        .collect();
    assert_eq!(invalid.len(), 3, "{logs:?}");
    assert!(invalid[0].contains("textDocument/didOpen") && invalid[0].contains("`text`"));
    assert!(invalid[1].contains("textDocument/didChange") && invalid[1].contains("`version`"));
    assert!(invalid[2].contains("textDocument/didOpen"));
    // Requests go on being answered too.
    let hover = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": "file:///tmp/b.kp" }, "position": { "line": 0, "character": 1 } }),
    );
    assert!(hover.get("error").is_none(), "{hover}");
    client.stop();
}

#[test]
fn an_initialize_with_an_unreadable_root_uri_still_starts_the_server() {
    let mut client = Client::start_with_params(json!({
        "rootUri": "file:///tmp/my dir",
        "capabilities": {},
        "initializationOptions": { "program": "file", "target": "openbao" },
    }));
    still_serves(&mut client, "file:///tmp/c.kp");
    let logs = client.logs();
    assert!(
        logs.iter()
            .any(|l| l.contains("invalid `initialize` params")),
        "{logs:?}"
    );
    // The settings were still read: OpenBao's target, for a program that implies none.
    let hover = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": "file:///tmp/c.kp" }, "position": { "line": 0, "character": 1 } }),
    );
    assert!(hover.get("error").is_none(), "{hover}");
    client.stop();
}

#[test]
fn a_file_of_the_program_that_is_not_utf8_gets_an_error() {
    let dir = std::env::temp_dir().join(format!("kp-lsp-utf8-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("a.kp"), "policy p {}\n").unwrap();
    std::fs::write(dir.join("b.kp"), b"policy q {}\n# caf\xe9\n").unwrap();
    let uri = |f: &str| format!("file://{}/{f}", dir.display());
    let mut client = Client::start();
    let opened = client.open(
        &uri("a.kp"),
        "policy p { path \"secret/*\" { capabilities = [read] } }\n",
    );
    assert_eq!(codes(&opened), ["kp::unused-policy"], "{opened}");
    let other = client.diagnostics(&uri("b.kp"));
    let messages: Vec<&str> = other
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["message"].as_str())
        .collect();
    assert_eq!(messages.len(), 1, "{other}");
    assert!(
        messages[0].contains("b.kp` is not UTF-8 text (invalid byte at offset 17)"),
        "{}",
        messages[0]
    );
    assert_eq!(other[0]["severity"], 1);
    client.stop();
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_did_you_mean_fix_keeps_a_quoted_value_quoted() {
    let text = "auth approle {\n  role r { token_type = \"servce\" }\n}\n";
    let uri = "file:///fixes/a.kp";
    let mut client = Client::start_with(json!({ "program": "file" }));
    let diags = client.open(uri, text);
    assert_eq!(codes(&diags), ["kp::invalid-value"], "{diags}");
    let at = json!({ "line": 1, "character": 26 });
    let actions = client.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": { "start": at, "end": at }, "context": { "diagnostics": [] } }),
    );
    let fix = &actions[0];
    assert_eq!(fix["title"], "replace `\"servce\"` with `\"service\"`");
    let edits = fix["edit"]["changes"][uri].as_array().unwrap();
    assert_eq!(edits[0]["newText"], "\"service\"");
    let fixed = common::apply(text, edits);
    assert_eq!(codes(&client.change(uri, &fixed)), Vec::<String>::new());
    client.stop();
}
