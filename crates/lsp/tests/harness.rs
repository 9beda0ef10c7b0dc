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
    // What the editor holds: formatting edits apply to the text after the last `change`.
    let mut current = text.clone();
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
                    Some(edits) => json!(common::apply(&current, edits)),
                    None => r,
                }
            }
            "change" => {
                let file = words.next().unwrap_or("");
                let p = format!("{}/tests/fixtures/{file}", env!("CARGO_MANIFEST_DIR"));
                current = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"));
                client.change(&uri, &current)
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

/// Formatting answers in the document's line ending and edits only what changes (QA: a
/// CRLF document came back as one LF text replacing it all, so the editor changed every
/// line); formatting a formatted document answers nothing.
#[test]
fn formatting_keeps_the_line_ending_and_edits_only_what_changes() {
    let lf = "# a comment that stays\nextern policy my-policy\n\nauth token {\n  role r {\n    allowed_policies = [my-policy]\n    renewable = true\n  }\n}\n";
    let canonical = keyplan::json_api::format_source(lf)
        .formatted
        .expect("the text formats");
    let crlf = lf.replace('\n', "\r\n");
    let mut client = Client::start();
    let uri = "file:///fixtures/line-endings.kp";
    let format = |client: &mut Client| -> Vec<Value> {
        let r = client.request(
            "textDocument/formatting",
            json!({ "textDocument": { "uri": uri }, "options": { "tabSize": 2, "insertSpaces": true } }),
        );
        r.as_array().cloned().unwrap_or_else(|| panic!("{r}"))
    };
    client.open(uri, &crlf);
    let edits = format(&mut client);
    let formatted = common::apply(&crlf, &edits);
    assert_eq!(formatted, canonical.replace('\n', "\r\n"));
    // One edit, on the one line that changes: the padding before `=`.
    assert_eq!(edits.len(), 1, "{edits:?}");
    assert_eq!(edits[0]["range"]["start"]["line"], 6, "{edits:?}");
    assert_eq!(edits[0]["range"]["end"]["line"], 6, "{edits:?}");
    assert_eq!(edits[0]["newText"], "       ", "{edits:?}");
    client.change(uri, &formatted);
    assert!(format(&mut client).is_empty());

    // An LF document gets LF, as `keyplan fmt` writes it.
    client.change(uri, lf);
    let edits = format(&mut client);
    assert_eq!(common::apply(lf, &edits), canonical);
    // A CRLF document with a line `keyplan fmt` adds (the blank line between blocks).
    let packed = "extern policy p\r\nauth token {\r\n  role r { allowed_policies = [p] }\r\n}\r\n";
    client.change(uri, packed);
    let edits = format(&mut client);
    let formatted = common::apply(packed, &edits);
    assert!(
        !formatted.replace("\r\n", "").contains('\n'),
        "{formatted:?}"
    );
    assert_eq!(
        formatted,
        keyplan::json_api::format_source(packed)
            .formatted
            .expect("the text formats")
            .replace('\n', "\r\n")
    );
    assert!(
        edits.iter().all(|e| e["range"]["start"]["line"] != 0),
        "the first line is left alone: {edits:?}"
    );
    // An old Mac document (`\r` alone, a line end to the protocol): the edits keep its
    // `\r`s and converge (QA: they were made against the program's copy, which reads those
    // line ends as `\n`, so a `\n` landed after a `\r` and made a CRLF of it, and every
    // later request answered another edit).
    let mac = "auth approle {}\rauth userpass {}\r";
    client.change(uri, mac);
    let edits = format(&mut client);
    let formatted = common::apply(mac, &edits);
    assert_eq!(formatted, "auth approle {}\r\rauth userpass {}\r");
    client.change(uri, &formatted);
    assert!(format(&mut client).is_empty());
    client.stop();
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

/// A program of two files on disk (`fixtures/multi/`): the server reads the file that is
/// not open from disk, resolves names across the files, publishes and clears
/// diagnostics per file, and navigates and renames across them.
#[test]
fn multi_file_program() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/multi");
    let dir = dir.canonicalize().unwrap();
    let dir_uri = format!("file://{}", dir.display());
    let workloads = format!("{dir_uri}/workloads.kp");
    let mounts = format!("{dir_uri}/mounts.kp");
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let text = std::fs::read_to_string(dir.join("workloads.kp")).unwrap();
    let mounts_text = std::fs::read_to_string(dir.join("mounts.kp")).unwrap();
    let fixed = std::fs::read_to_string(fixtures.join("_multi_fixed.kp")).unwrap();
    let duplicate = std::fs::read_to_string(fixtures.join("_multi_duplicate.kp")).unwrap();

    let mut client =
        Client::start_with(json!({ "docsUrl": "https://keyplan.test/docs/diagnostics.md" }));
    let mut out = String::new();
    let mut section = |title: &str, v: &Value| {
        out.push_str(&format!("## {title}\n{}\n\n", common::pretty(v)));
    };
    let pos_of = |text: &str, needle: &str, skip: u32| -> Value {
        let (l, line) = text
            .lines()
            .enumerate()
            .find(|(_, l)| l.contains(needle))
            .unwrap_or_else(|| panic!("no `{needle}`"));
        let c = line.find(needle).unwrap() as u32 + skip;
        json!({ "line": l, "character": c })
    };
    let at = |uri: &str, p: Value| json!({ "textDocument": { "uri": uri }, "position": p });

    // Opening one file publishes both: the typo is in workloads.kp, mounts.kp is clean.
    let opened = client.open(&workloads, &text);
    section("open workloads.kp: its diagnostics", &opened);
    section(
        "open workloads.kp: mounts.kp (read from disk)",
        &client.diagnostics(&mounts),
    );

    let def = client.request(
        "textDocument/definition",
        at(&workloads, pos_of(&text, "creds database.readonly", 17)),
    );
    assert_eq!(def["uri"], mounts, "the role is declared in the other file");
    section("definition of `readonly` in creds", &def);
    let def = client.request(
        "textDocument/definition",
        at(&workloads, pos_of(&text, "login ci", 6)),
    );
    section("definition of the login mount `ci`", &def);
    let refs = client.request(
        "textDocument/references",
        json!({ "textDocument": { "uri": workloads }, "position": pos_of(&text, "[audit", 2), "context": { "includeDeclaration": true } }),
    );
    section("references of `audit`", &refs);
    let hover = client.request(
        "textDocument/hover",
        at(&workloads, pos_of(&text, "[audit", 2)),
    );
    section("hover on `audit`", &hover);
    let completion = client.request(
        "textDocument/completion",
        at(&workloads, pos_of(&text, "creds database.", 15)),
    );
    let labels: Vec<&str> = completion
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    section("completion after `creds database.`", &json!(labels));
    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": workloads } }),
    );
    let names: Vec<&str> = symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    section(
        "symbols of workloads.kp (its own blocks only)",
        &json!(names),
    );

    let rename = client.request(
        "textDocument/rename",
        json!({ "textDocument": { "uri": workloads }, "position": pos_of(&text, "creds database.readonly", 17), "newName": "reader" }),
    );
    let changes = rename["changes"].as_object().unwrap();
    assert_eq!(changes.len(), 2, "{rename}");
    let renamed = json!({
        "mounts.kp": common::changed_lines(&mounts_text, &common::apply(&mounts_text, changes[&mounts].as_array().unwrap())),
        "workloads.kp": common::changed_lines(&text, &common::apply(&text, changes[&workloads].as_array().unwrap())),
    });
    section(
        "rename `readonly` to `reader`: changed lines per file",
        &renamed,
    );

    // Fixing the typo clears this file's list.
    section("change: typo fixed", &client.change(&workloads, &fixed));
    section(
        "change: typo fixed: mounts.kp",
        &client.diagnostics(&mounts),
    );
    // A name declared in both files: the duplicate points at the other file.
    section(
        "change: `audit` declared again",
        &client.change(&workloads, &duplicate),
    );
    section(
        "change: `audit` declared again: mounts.kp",
        &client.diagnostics(&mounts),
    );
    // Closing the only open file of the program clears every file's list.
    client.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": workloads } }),
    );
    section("close: workloads.kp", &client.diagnostics(&workloads));
    section("close: mounts.kp", &client.diagnostics(&mounts));
    client.stop();
    insta::assert_snapshot!("multi_file_program", out.replace(&dir_uri, "$DIR"));
}

/// A directory of its own for a test's program on disk.
fn temp_program(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("kp-lsp-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    std::fs::copy(fixtures.join("multi/mounts.kp"), dir.join("mounts.kp")).unwrap();
    std::fs::copy(fixtures.join("_multi_fixed.kp"), dir.join("workloads.kp")).unwrap();
    dir.canonicalize().unwrap()
}

fn codes(diagnostics: &Value) -> Vec<String> {
    diagnostics
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect()
}

/// A client that watches files for the server (as VS Code does): the server registers a
/// watcher for `**/*.kp`, and a program's files that are not open follow the events:
/// changed, created and deleted on disk.
#[test]
fn files_not_open_follow_watched_file_events() {
    let dir = temp_program("watch");
    let uri = |f: &str| format!("file://{}/{f}", dir.display());
    let mounts_without_audit = std::fs::read_to_string(dir.join("mounts.kp"))
        .unwrap()
        .replace("extern policy audit\n", "");
    let mut client = Client::start_with_capabilities(
        json!({ "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } } }),
        json!({}),
    );
    let register = client.server_request();
    assert_eq!(register.method, "client/registerCapability");
    let registration = &register.params["registrations"][0];
    assert_eq!(registration["method"], "workspace/didChangeWatchedFiles");
    assert_eq!(
        registration["registerOptions"]["watchers"][0]["globPattern"],
        "**/*.kp"
    );
    client.respond(register.id, Value::Null);

    let text = std::fs::read_to_string(dir.join("workloads.kp")).unwrap();
    assert_eq!(
        codes(&client.open(&uri("workloads.kp"), &text)),
        Vec::<String>::new()
    );
    assert_eq!(
        codes(&client.diagnostics(&uri("mounts.kp"))),
        Vec::<String>::new()
    );

    // mounts.kp loses the policy workloads.kp uses.
    std::fs::write(dir.join("mounts.kp"), &mounts_without_audit).unwrap();
    let event = |f: &str, typ: u32| json!({ "changes": [{ "uri": uri(f), "type": typ }] });
    client.notify("workspace/didChangeWatchedFiles", event("mounts.kp", 2));
    assert_eq!(
        codes(&client.diagnostics(&uri("workloads.kp"))),
        ["kp::unresolved-reference"]
    );

    // A new file declares it again.
    std::fs::write(dir.join("audit.kp"), "extern policy audit\n").unwrap();
    client.notify("workspace/didChangeWatchedFiles", event("audit.kp", 1));
    assert_eq!(
        codes(&client.diagnostics(&uri("workloads.kp"))),
        Vec::<String>::new()
    );
    assert_eq!(
        codes(&client.diagnostics(&uri("audit.kp"))),
        Vec::<String>::new()
    );

    // Deleted: the error is back and the deleted file's list is cleared.
    std::fs::remove_file(dir.join("audit.kp")).unwrap();
    client.notify("workspace/didChangeWatchedFiles", event("audit.kp", 3));
    assert_eq!(
        codes(&client.diagnostics(&uri("audit.kp"))),
        Vec::<String>::new()
    );
    assert_eq!(
        codes(&client.diagnostics(&uri("workloads.kp"))),
        ["kp::unresolved-reference"]
    );
    client.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

/// A client that does not watch files (Neovim 0.7): the server registers nothing, and a
/// change on disk is seen at the next analysis, when the directory is looked at again.
#[test]
fn without_a_watcher_disk_changes_are_seen_at_the_next_change() {
    let dir = temp_program("nowatch");
    let uri = |f: &str| format!("file://{}/{f}", dir.display());
    let mut client = Client::start();
    let text = std::fs::read_to_string(dir.join("workloads.kp")).unwrap();
    assert_eq!(
        codes(&client.open(&uri("workloads.kp"), &text)),
        Vec::<String>::new()
    );
    let mounts = std::fs::read_to_string(dir.join("mounts.kp")).unwrap();
    std::fs::write(
        dir.join("mounts.kp"),
        mounts.replace("extern policy audit\n", ""),
    )
    .unwrap();
    assert_eq!(
        codes(&client.change(&uri("workloads.kp"), &text)),
        ["kp::unresolved-reference"]
    );
    assert!(client.server_requests.is_empty());
    client.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

/// After every change of one file, every file of its program is published as the
/// current program makes it: renaming a mount in one file makes the other files' logins
/// unresolved at once, and restoring it clears them at once (not one change later).
#[test]
fn every_file_is_published_for_the_change_just_made() {
    let dir = std::env::temp_dir().join(format!("kp-lsp-crossfile-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let platform = "auth jwt gitlab {\n  jwks_url = \"https://gitlab.example.com/keys\"\n}\n";
    let team = |t: &str| {
        format!(
            "workload team-{t} {{\n  login gitlab {{ bound_audiences = [\"vault\"], user_claim = \"sub\", bound_claims = {{ project_path = \"{t}/x\" }} }}\n  read \"secret/data/{t}/*\"\n}}\n"
        )
    };
    std::fs::write(dir.join("a-platform.kp"), platform).unwrap();
    std::fs::write(dir.join("b-team.kp"), team("b")).unwrap();
    std::fs::write(dir.join("c-team.kp"), team("c")).unwrap();
    let dir = dir.canonicalize().unwrap();
    let uri = |f: &str| format!("file://{}/{f}", dir.display());
    let (a, b, c) = (uri("a-platform.kp"), uri("b-team.kp"), uri("c-team.kp"));
    let mut client = Client::start();
    let clean = Vec::<String>::new();
    let unresolved = ["kp::unresolved-reference"];
    assert_eq!(codes(&client.open(&a, platform)), clean);
    assert_eq!(codes(&client.diagnostics(&b)), clean);
    assert_eq!(codes(&client.diagnostics(&c)), clean);
    let renamed = platform.replace("auth jwt gitlab", "auth jwt gitlab2");
    let steps = [
        (renamed.clone(), unresolved.as_slice()),
        (format!("{renamed}\n# comment\n"), unresolved.as_slice()),
        (platform.to_string(), [].as_slice()),
        (format!("{platform}\n"), [].as_slice()),
        (renamed, unresolved.as_slice()),
    ];
    for (text, expected) in steps {
        assert_eq!(codes(&client.change(&a, &text)), clean);
        assert_eq!(codes(&client.diagnostics(&b)), expected, "{text}");
        assert_eq!(codes(&client.diagnostics(&c)), expected, "{text}");
    }
    // Nothing else was published: each change published each file once.
    let left: Vec<&Value> = client
        .notifications
        .iter()
        .filter(|n| n.method == "textDocument/publishDiagnostics")
        .map(|n| &n.params["uri"])
        .collect();
    assert!(left.is_empty(), "{left:?}");
    client.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

/// Completion labels and the hover text at the markers of `raw`, opened in a server with
/// `init` options.
fn target_answers(init: Value, raw: &str) -> (Vec<String>, String, Vec<String>) {
    let (text, markers) = common::strip_markers(raw);
    let mut client = Client::start_with(init);
    let uri = "file:///target/main.kp";
    client.open(uri, &text);
    let at = |i: usize| {
        let (line, character) = markers[i];
        json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } })
    };
    let labels = |answer: Value| -> Vec<String> {
        answer
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["label"].as_str().unwrap().to_string())
            .collect()
    };
    let fields = labels(client.request("textDocument/completion", at(0)));
    let hover = client.request("textDocument/hover", at(1))["contents"]["value"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let engines = labels(client.request("textDocument/completion", at(2)));
    client.stop();
    (fields, hover, engines)
}

/// Hover and completion describe the fields of the target the program is checked for:
/// the configured one, else the one its target-only fields imply; with neither, both
/// servers' fields are offered.
#[test]
fn hover_and_completion_follow_the_target_in_use() {
    // `skip_jwks_validation` is OpenBao's, `jwks_pairs` Vault's, the AWS engine Vault's.
    let openbao_field = "auth jwt ci {\n  oidc_discovery_url = \"https://x\"\n  skip_jw$1ks_validation = true\n  $0\n}\n\nsecrets $2\n";
    let has = |labels: &[String], label: &str| labels.iter().any(|l| l == label);

    let (fields, hover, engines) = target_answers(json!({}), openbao_field);
    assert!(has(&fields, "override_allowed_server_names"), "{fields:?}");
    assert!(!has(&fields, "jwks_pairs"), "{fields:?}");
    assert!(hover.contains("Only on OpenBao."), "{hover}");
    assert!(!has(&engines, "aws") && has(&engines, "kv"), "{engines:?}");

    let (fields, hover, engines) = target_answers(json!({ "target": "vault" }), openbao_field);
    assert!(has(&fields, "jwks_pairs"), "{fields:?}");
    assert!(!has(&fields, "override_allowed_server_names"), "{fields:?}");
    assert!(
        hover.contains("Only on OpenBao. Not on Vault, which this program is checked for."),
        "{hover}"
    );
    assert!(has(&engines, "aws"), "{engines:?}");

    // An engine only Vault has, in a program checked for OpenBao.
    let (_, hover, _) = target_answers(
        json!({ "target": "openbao" }),
        "$0secr$1ets aws {\n  root {\n    region = \"us-west-2\"\n  }\n}\n$2",
    );
    assert!(
        hover.contains("Only on Vault. Not on OpenBao, which this program is checked for."),
        "{hover}"
    );

    // Nothing target-only yet: either server's fields fit.
    let neither = openbao_field.replace("skip_jw$1ks_validation = true", "bound_is$1suer = \"x\"");
    let (fields, hover, engines) = target_answers(json!({}), &neither);
    assert!(has(&fields, "jwks_pairs"), "{fields:?}");
    assert!(has(&fields, "override_allowed_server_names"), "{fields:?}");
    assert!(!hover.contains("Only on"), "{hover}");
    assert!(has(&engines, "aws"), "{engines:?}");
}

/// A program's files are the ones `keyplan check DIR` reads: a `.kp` link to a file
/// (a shared file linked into each team's directory) is one of them, read through the
/// link; a link to a file already in the directory is that file, read once.
#[test]
fn linked_files_are_members_as_keyplan_check_reads_them() {
    let dir = temp_program("links");
    let shared = dir.join("shared");
    std::fs::create_dir_all(&shared).unwrap();
    // The mounts live elsewhere and are linked in, twice (one link to the other).
    std::fs::rename(dir.join("mounts.kp"), shared.join("mounts.kp")).unwrap();
    std::os::unix::fs::symlink(shared.join("mounts.kp"), dir.join("mounts.kp")).unwrap();
    std::os::unix::fs::symlink(dir.join("mounts.kp"), dir.join("z-again.kp")).unwrap();
    let uri = |f: &str| format!("file://{}/{f}", dir.display());
    let text = std::fs::read_to_string(dir.join("workloads.kp")).unwrap();
    for watched in [false, true] {
        let capabilities = match watched {
            true => {
                json!({ "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } } })
            }
            false => json!({}),
        };
        let mut client = Client::start_with_capabilities(capabilities, json!({}));
        if watched {
            let register = client.server_request();
            client.respond(register.id, Value::Null);
        }
        assert_eq!(
            codes(&client.open(&uri("workloads.kp"), &text)),
            Vec::<String>::new(),
            "watched: {watched}"
        );
        assert_eq!(
            codes(&client.diagnostics(&uri("mounts.kp"))),
            Vec::<String>::new()
        );
        // The linked file changes where no watched-file event names it: the next
        // analysis reads it again.
        let mounts = std::fs::read_to_string(shared.join("mounts.kp")).unwrap();
        std::fs::write(
            shared.join("mounts.kp"),
            mounts.replace("extern policy audit\n", ""),
        )
        .unwrap();
        assert_eq!(
            codes(&client.change(&uri("workloads.kp"), &text)),
            ["kp::unresolved-reference"],
            "watched: {watched}"
        );
        std::fs::write(shared.join("mounts.kp"), mounts).unwrap();
        client.stop();
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A quick fix that adds a line to an old Mac document (`\r` alone) ends it with `\r`, as
/// the document's lines end (the fix is written from the program's copy of the file,
/// which reads those line ends as `\n`).
#[test]
fn a_fix_in_an_old_mac_document_ends_its_lines_with_cr() {
    let mac = "secrets database {\r  connection app {\r    plugin_name    = \"postgresql-database-plugin\"\r    connection_url = \"postgresql://{{username}}:{{password}}@127.0.0.1:5432/app\"\r    username       = \"admin\"\r    password       = env(\"APP_DB_PASSWORD\")\r    allowed_roles  = []\r  }\r}\r";
    let mut client = Client::start();
    let uri = "file:///fixtures/old-mac.kp";
    client.open(uri, mac);
    let at = json!({ "line": 5, "character": 22 });
    let r = client.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": { "start": at, "end": at }, "context": { "diagnostics": [] } }),
    );
    let actions = r.as_array().cloned().unwrap_or_default();
    let fix = actions
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .is_some_and(|t| t.contains("rotate_root"))
        })
        .unwrap_or_else(|| panic!("a rotate_root fix: {r}"));
    let edits = fix["edit"]["changes"][uri]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let fixed = common::apply(mac, &edits);
    assert!(fixed.contains("rotate_root"), "{fixed:?}");
    assert!(!fixed.contains('\n'), "{fixed:?}");
    client.stop();
}
