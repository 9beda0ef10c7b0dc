//! A language client in the test process: the real server runs on a thread, connected
//! by lsp-server's in-memory channels.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::thread::JoinHandle;
use std::time::Duration;

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{json, Value};

pub struct Client {
    conn: Connection,
    server: Option<JoinHandle<()>>,
    next_id: i32,
    version: i32,
    /// Notifications received while waiting for responses (logs, diagnostics).
    pub notifications: Vec<Notification>,
    /// Requests the server sent (`client/registerCapability`), not answered yet.
    pub server_requests: Vec<Request>,
}

const TIMEOUT: Duration = Duration::from_secs(20);

impl Client {
    pub fn start() -> Client {
        Self::start_with(json!({}))
    }

    pub fn start_with(init_options: Value) -> Client {
        Self::start_with_capabilities(json!({}), init_options)
    }

    pub fn start_with_capabilities(capabilities: Value, init_options: Value) -> Client {
        Self::start_with_params(
            json!({ "capabilities": capabilities, "initializationOptions": init_options }),
        )
    }

    /// A server initialized with `params` as the client sends them.
    pub fn start_with_params(params: Value) -> Client {
        let (server_conn, client_conn) = Connection::memory();
        let server = std::thread::spawn(move || {
            kp_lsp::run(&server_conn).expect("server loop");
        });
        let mut c = Client {
            conn: client_conn,
            server: Some(server),
            next_id: 0,
            version: 0,
            notifications: Vec::new(),
            server_requests: Vec::new(),
        };
        let caps = c.request("initialize", params);
        assert!(caps["capabilities"]["hoverProvider"]
            .as_bool()
            .unwrap_or(false));
        c.notify("initialized", json!({}));
        c
    }

    pub fn notify(&self, method: &str, params: Value) {
        self.conn
            .sender
            .send(Message::Notification(Notification::new(
                method.to_string(),
                params,
            )))
            .unwrap();
    }

    pub fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        self.conn
            .sender
            .send(Message::Request(Request::new(
                id.clone(),
                method.to_string(),
                params,
            )))
            .unwrap();
        loop {
            match self
                .conn
                .receiver
                .recv_timeout(TIMEOUT)
                .expect("server answers")
            {
                Message::Response(r) if r.id == id => {
                    return match (r.result, r.error) {
                        (Some(v), _) => v,
                        (None, Some(e)) => json!({ "error": e.message }),
                        (None, None) => Value::Null,
                    }
                }
                Message::Notification(n) => self.notifications.push(n),
                Message::Request(r) => self.server_requests.push(r),
                _ => {}
            }
        }
    }

    /// The next request the server sends to the client.
    pub fn server_request(&mut self) -> Request {
        if !self.server_requests.is_empty() {
            return self.server_requests.remove(0);
        }
        loop {
            match self
                .conn
                .receiver
                .recv_timeout(TIMEOUT)
                .expect("server sends a request")
            {
                Message::Request(r) => return r,
                Message::Notification(n) => self.notifications.push(n),
                _ => {}
            }
        }
    }

    /// Answers a request of the server.
    pub fn respond(&self, id: RequestId, result: Value) {
        self.conn
            .sender
            .send(Message::Response(lsp_server::Response::new_ok(id, result)))
            .unwrap();
    }

    /// The next `publishDiagnostics` for `uri`.
    pub fn diagnostics(&mut self, uri: &str) -> Value {
        if let Some(i) = self
            .notifications
            .iter()
            .position(|n| n.method == "textDocument/publishDiagnostics" && n.params["uri"] == uri)
        {
            return self.notifications.remove(i).params["diagnostics"].clone();
        }
        loop {
            match self
                .conn
                .receiver
                .recv_timeout(TIMEOUT)
                .expect("diagnostics published")
            {
                Message::Notification(n)
                    if n.method == "textDocument/publishDiagnostics" && n.params["uri"] == uri =>
                {
                    return n.params["diagnostics"].clone()
                }
                Message::Notification(n) => self.notifications.push(n),
                Message::Request(r) => self.server_requests.push(r),
                _ => {}
            }
        }
    }

    pub fn open(&mut self, uri: &str, text: &str) -> Value {
        self.version = 1;
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "keyplan", "version": 1, "text": text } }),
        );
        self.diagnostics(uri)
    }

    pub fn change(&mut self, uri: &str, text: &str) -> Value {
        self.version += 1;
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": self.version }, "contentChanges": [{ "text": text }] }),
        );
        self.diagnostics(uri)
    }

    /// The messages of the `window/logMessage` notifications received so far.
    pub fn logs(&self) -> Vec<String> {
        self.notifications
            .iter()
            .filter(|n| n.method == "window/logMessage")
            .filter_map(|n| n.params["message"].as_str().map(str::to_string))
            .collect()
    }

    /// Whether the server thread has ended.
    pub fn server_ended(&self) -> bool {
        self.server.as_ref().is_none_or(JoinHandle::is_finished)
    }

    pub fn stop(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        if let Some(h) = self.server.take() {
            h.join().expect("server thread ends");
        }
    }
}

/// Removes `$0`..`$9` markers, returning the text and each marker's 0-based
/// (line, UTF-16 character).
pub fn strip_markers(raw: &str) -> (String, Vec<(u32, u32)>) {
    let mut text = String::new();
    let mut markers = vec![(0, 0); 10];
    let mut rest = raw;
    while let Some(i) = rest.find('$') {
        let (before, after) = rest.split_at(i);
        text.push_str(before);
        let digit = after[1..].chars().next().filter(char::is_ascii_digit);
        match digit {
            // Request lines name markers too: only markers in the program count.
            Some(d) if !current_line(&text).starts_with("#!") => {
                let line = text.matches('\n').count() as u32;
                let col = current_line(&text).encode_utf16().count() as u32;
                markers[d.to_digit(10).unwrap() as usize] = (line, col);
                rest = &after[2..];
            }
            _ => {
                text.push('$');
                rest = &after[1..];
            }
        }
    }
    text.push_str(rest);
    (text, markers)
}

fn current_line(text: &str) -> &str {
    &text[text.rfind('\n').map_or(0, |i| i + 1)..]
}

/// Applies LSP text edits (non-overlapping) to `text`.
pub fn apply(text: &str, edits: &[Value]) -> String {
    let index = kp_diag::LineIndex::new(text);
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            let off = |p: &Value| {
                index.offset_of_utf16(
                    p["line"].as_u64().unwrap() as u32,
                    p["character"].as_u64().unwrap() as u32,
                )
            };
            (
                off(&e["range"]["start"]),
                off(&e["range"]["end"]),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    for (s, e, t) in spans {
        out.replace_range(s..e, &t);
    }
    out
}

/// JSON with every range written `line:character-line:character` (0-based), to keep
/// snapshots readable.
pub fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(&compact(v)).unwrap()
}

fn compact(v: &Value) -> Value {
    let pos = |p: &Value| format!("{}:{}", p["line"], p["character"]);
    match v {
        Value::Object(m) if m.len() == 2 && m.contains_key("start") && m.contains_key("end") => {
            Value::String(format!("{}-{}", pos(&m["start"]), pos(&m["end"])))
        }
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), compact(v))).collect()),
        Value::Array(a) => Value::Array(a.iter().map(compact).collect()),
        other => other.clone(),
    }
}

/// The lines of `new` that differ from `old` (same line count or not), as `N: text`
/// with 1-based numbers.
pub fn changed_lines(old: &str, new: &str) -> Vec<String> {
    let old: Vec<&str> = old.lines().collect();
    new.lines()
        .enumerate()
        .filter(|(i, l)| old.get(*i) != Some(l))
        .map(|(i, l)| format!("{}: {l}", i + 1))
        .collect()
}
