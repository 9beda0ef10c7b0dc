// Runs the compiler (wasm) off the main thread. A compiler crash traps the wasm instance;
// the worker then reports it and closes, and the page starts a fresh one.
import init, { check, build, format, version, simulate, explain } from './pkg/keyplan.js';
import wasmUrl from './pkg/keyplan_bg.wasm?url';

let lastConsoleError = '';
const consoleError = console.error.bind(console);
console.error = (...args) => {
  lastConsoleError = args.map(String).join(' ');
  consoleError(...args);
};

// The page's first message carries the compiled module (or null: then fetch it here).
let ready = null;
// The check lane's copy of the editor's text (`hold`: a check of the editor's document):
// a keystroke's check sends only its edits. Other calls leave it alone.
let held = '';
const calls = { check, build, format, version, simulate, explain };

self.onmessage = async ({ data }) => {
  if (!ready) {
    ready = init({ module_or_path: data.module || wasmUrl });
    return;
  }
  const { id, fn, hold, edits, length } = data;
  let { args } = data;
  const receivedAt = performance.timeOrigin + performance.now();
  try {
    if (edits) {
      // `editTriples` (edits.js): applied from the last.
      let text = held;
      for (let i = edits.length - 3; i >= 0; i -= 3) text = text.slice(0, edits[i]) + edits[i + 2] + text.slice(edits[i + 1]);
      if (text.length !== length) {
        self.postMessage({ id, resync: true });
        return;
      }
      held = text;
      args = [text, ...args.slice(1)];
    } else if (hold) held = String(args[0]);
    await ready;
    const t0 = performance.now();
    const json = calls[fn](...args);
    const t1 = performance.now();
    // `sentAt` on the shared clock (timeOrigin differs per worker): the page measures
    // the hop back from it.
    self.postMessage({ id, json, ms: t1 - t0, receivedAt, sentAt: performance.timeOrigin + t1 });
  } catch (e) {
    const message = lastConsoleError || String(e && e.message ? e.message : e);
    self.postMessage({ id, crash: message });
    self.close();
  }
};
