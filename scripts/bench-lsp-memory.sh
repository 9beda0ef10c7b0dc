#!/usr/bin/env bash
# The language server's memory on a 2,000-line program: starts `keyplan lsp`, opens the
# generated file, edits it ten times, and prints the server's peak resident set (VmHWM).
#   scripts/bench-lsp-memory.sh [path/to/keyplan]
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-target/debug/keyplan}"
[ -x "$bin" ] || cargo build -p keyplan-cli
prog="$(mktemp)"
trap 'rm -f "$prog"' EXIT
# 80 generated workloads are about 2,000 lines.
cargo run -q -p keyplan --example gen_program -- 80 > "$prog"
python3 - "$bin" "$prog" <<'PY'
import json, subprocess, sys
bin, path = sys.argv[1], sys.argv[2]
text = open(path).read()
p = subprocess.Popen([bin, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
def send(msg):
    body = json.dumps(msg).encode()
    p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    p.stdin.flush()
def recv():
    length = 0
    while True:
        line = p.stdout.readline().strip()
        if not line:
            break
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return json.loads(p.stdout.read(length))
def until(pred):
    while True:
        m = recv()
        if pred(m):
            return m
send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}})
until(lambda m: m.get("id") == 1)
send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
uri = "file:///bench.kp"
send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": uri, "languageId": "keyplan", "version": 1, "text": text}}})
until(lambda m: m.get("method") == "textDocument/publishDiagnostics")
for v in range(2, 12):
    send({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"textDocument": {"uri": uri, "version": v}, "contentChanges": [{"text": text + "\n" * v}]}})
    until(lambda m: m.get("method") == "textDocument/publishDiagnostics")
status = open(f"/proc/{p.pid}/status").read()
peak = [l for l in status.splitlines() if l.startswith("VmHWM")][0]
rss = [l for l in status.splitlines() if l.startswith("VmRSS")][0]
print(f"{len(text.splitlines())} lines: {peak.split(':')[1].strip()} peak, {rss.split(':')[1].strip()} now")
send({"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": None})
until(lambda m: m.get("id") == 2)
send({"jsonrpc": "2.0", "method": "exit", "params": None})
p.wait(timeout=10)
PY
