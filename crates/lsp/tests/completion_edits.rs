//! Each completion item carries the range it replaces: the part of a name typed before
//! the cursor, hyphens included, so that a client splitting words at `-` (Neovim's
//! default `iskeyword`) does not leave `shared-` before the completed `shared-read`; a
//! value the language writes quoted replaces the bare word typed (`se` → `"service"`).

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::Client;
use serde_json::{json, Value};

fn item<'a>(items: &'a Value, label: &str) -> &'a Value {
    items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == label)
        .unwrap_or_else(|| panic!("no item {label}: {items}"))
}

#[test]
fn an_item_replaces_the_hyphenated_name_typed_before_the_cursor() {
    let mut client = Client::start_with(json!({ "program": "file" }));
    let uri = "file:///tmp/edits.kp";
    let text = "policy shared-read {\n  path \"secret/*\" { capabilities = [read] }\n}\nauth approle {\n  role r { token_policies = [shared-re] }\n}\n";
    client.open(uri, text);
    let line = 4;
    let character = "  role r { token_policies = [shared-re".len() as u32;
    let items = client.request(
        "textDocument/completion",
        json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } }),
    );
    let edit = &item(&items, "shared-read")["textEdit"];
    assert_eq!(edit["newText"], "shared-read", "{edit}");
    assert_eq!(
        edit["range"],
        json!({ "start": { "line": line, "character": character - "shared-re".len() as u32 },
                "end": { "line": line, "character": character } })
    );
    let applied = common::apply(text, std::slice::from_ref(edit));
    assert!(
        applied.contains("token_policies = [shared-read]"),
        "{applied}"
    );
}

#[test]
fn a_quoted_value_replaces_the_bare_word_typed() {
    let mut client = Client::start_with(json!({ "program": "file" }));
    let uri = "file:///tmp/quoted.kp";
    let text = "auth approle {\n  role r { token_type = se }\n}\n";
    client.open(uri, text);
    let character = "  role r { token_type = se".len() as u32;
    let items = client.request(
        "textDocument/completion",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 1, "character": character } }),
    );
    let edit = &item(&items, "service")["textEdit"];
    let applied = common::apply(text, std::slice::from_ref(edit));
    assert!(applied.contains("token_type = \"service\" }"), "{applied}");
}
