//! The language server's latency on a 2,000-line program, measured server-side through
//! the real message loop (in-memory connection, JSON in and out):
//! - `did_change_to_diagnostics`: a `didChange` until its `publishDiagnostics` arrives
//!   (no target configured: the program implies Vault, one check); `…_implying_openbao`:
//!   the same with an OpenBao-only field, which takes a check for each server;
//! - `completion`: a completion request in a login block until its answer.
//!
//! `cargo bench -p kp-lsp`. Memory: `scripts/bench-lsp-memory.sh`.
//!
//! On a shared machine wall time is an upper bound: each benchmark also prints the
//! process's CPU time per operation (user + system, from /proc/self/stat), which other
//! processes do not inflate.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../keyplan/benches/generate.rs"]
mod generate;

use std::hint::black_box;

// As `keyplan lsp` runs: the CLI's allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// User + system CPU time of this process so far, in clock ticks (1/100 s on Linux).
fn cpu_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces) close with `)`.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after `)`.
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

/// Runs `op` `n` times and prints its CPU time per run and the wall time's median, 95th
/// percentile and maximum (the targets are p95s).
fn cpu_per_op(name: &str, n: u32, mut op: impl FnMut()) {
    let Some(before) = cpu_ticks() else {
        return;
    };
    let mut walls: Vec<f64> = (0..n)
        .map(|_| {
            let start = std::time::Instant::now();
            op();
            start.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    walls.sort_by(f64::total_cmp);
    let at = |q: f64| walls[((walls.len() - 1) as f64 * q).round() as usize];
    if let Some(after) = cpu_ticks() {
        let cpu = (after - before) as f64 * 10.0 / f64::from(n);
        println!(
            "{name}: {cpu:.2} ms CPU per run; wall p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms; over {n} runs",
            at(0.5),
            at(0.95),
            at(1.0)
        );
    }
}

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

/// Typing in `text`: alternating two versions of it, each a `didChange` until its
/// diagnostics arrive.
fn bench_did_change(c: &mut Criterion, name: &str, text: &str) {
    let mut b = Bench::new(text);
    // Alternate two texts so that every change is a real one.
    let edited = text.replacen("pipeline secrets", "pipeline secrets (edited)", 1);
    let change = |b: &mut Bench| {
        b.version += 1;
        let t = if b.version % 2 == 0 { &edited } else { text };
        b.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": "file:///big.kp", "version": b.version }, "contentChanges": [{ "text": t }] }),
        );
        black_box(b.wait_diagnostics());
    };
    cpu_per_op(name, 200, || change(&mut b));
    c.bench_function(name, |bench| bench.iter(|| change(&mut b)));
}

fn benches(c: &mut Criterion) {
    let text = program_of_lines(2000);
    let lines = text.lines().count();
    bench_did_change(
        c,
        &format!("did_change_to_diagnostics_{lines}_lines"),
        &text,
    );
    let openbao = format!(
        "{text}\nauth approle bao {{\n  role ci {{\n    token_strictly_bind_ip = true\n  }}\n}}\n"
    );
    bench_did_change(
        c,
        &format!("did_change_to_diagnostics_{lines}_lines_implying_openbao"),
        &openbao,
    );
    let mut b = Bench::new(&text);
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
    cpu_per_op(&format!("completion_{lines}_lines"), 500, || {
        black_box(b.request("textDocument/completion", params.clone()));
    });
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
