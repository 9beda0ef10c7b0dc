//! The language server's latency on a 2,000-line program, measured server-side through
//! the real message loop (in-memory connection, JSON in and out):
//! - `did_change_to_diagnostics`: a `didChange` until its `publishDiagnostics` arrives;
//! - `completion`: a completion request in a login block until its answer.
//!
//! `cargo bench -p kp-lsp`. Memory: `scripts/bench-lsp-memory.sh`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../keyplan/benches/generate.rs"]
mod generate;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{json, Value};

/// A generated program of about `lines` lines.
pub fn program_of_lines(lines: usize) -> String {
    let mut n = 1;
    loop {
        let p = generate::program(n);
        if p.lines().count() >= lines {
            return p;
        }
        n += 1;
    }
}

struct Bench {
    conn: Connection,
    _server: std::thread::JoinHandle<()>,
    id: i32,
    version: i32,
}

impl Bench {
    fn new(text: &str) -> Bench {
        let (server, conn) = Connection::memory();
        let handle = std::thread::spawn(move || kp_lsp::run(&server).unwrap());
        let mut b = Bench {
            conn,
            _server: handle,
            id: 0,
            version: 1,
        };
        b.request("initialize", json!({ "capabilities": {} }));
        b.notify("initialized", json!({}));
        b.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": "file:///big.kp", "languageId": "keyplan", "version": 1, "text": text } }),
        );
        b.wait_diagnostics();
        b
    }

    fn notify(&self, method: &str, params: Value) {
        self.conn
            .sender
            .send(Message::Notification(Notification::new(
                method.into(),
                params,
            )))
            .unwrap();
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.id += 1;
        let id = RequestId::from(self.id);
        self.conn
            .sender
            .send(Message::Request(Request::new(
                id.clone(),
                method.into(),
                params,
            )))
            .unwrap();
        loop {
            if let Message::Response(r) = self.conn.receiver.recv().unwrap() {
                if r.id == id {
                    return r.result.unwrap_or(Value::Null);
                }
            }
        }
    }

    fn wait_diagnostics(&self) -> Value {
        loop {
            if let Message::Notification(n) = self.conn.receiver.recv().unwrap() {
                if n.method == "textDocument/publishDiagnostics" {
                    return n.params;
                }
            }
        }
    }
}

fn benches(c: &mut Criterion) {
    let text = program_of_lines(2000);
    let lines = text.lines().count();
    let mut b = Bench::new(&text);
    // Alternate two texts so that every change is a real one.
    let edited = text.replacen("pipeline secrets", "pipeline secrets (edited)", 1);
    c.bench_function(&format!("did_change_to_diagnostics_{lines}_lines"), |bench| {
        bench.iter(|| {
            b.version += 1;
            let t = if b.version % 2 == 0 { &edited } else { &text };
            b.notify(
                "textDocument/didChange",
                json!({ "textDocument": { "uri": "file:///big.kp", "version": b.version }, "contentChanges": [{ "text": t }] }),
            );
            black_box(b.wait_diagnostics())
        })
    });
    // Completion at the start of an empty line in the last login block: the fields
    // of a JWT role, which the schema has dozens of.
    let line = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with("user_claim"))
        .map(|(i, _)| i)
        .last()
        .unwrap_or(0);
    let params = json!({ "textDocument": { "uri": "file:///big.kp" }, "position": { "line": line, "character": 4 } });
    let items = b.request("textDocument/completion", params.clone());
    assert!(items.as_array().is_some_and(|a| a.len() > 20), "{items}");
    c.bench_function(&format!("completion_{lines}_lines"), |bench| {
        bench.iter(|| black_box(b.request("textDocument/completion", params.clone())))
    });
}

criterion_group! {
    name = lsp;
    config = Criterion::default().sample_size(30);
    targets = benches
}
criterion_main!(lsp);
