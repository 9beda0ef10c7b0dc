// Runs the compiler (wasm) off the main thread. A compiler crash traps the wasm instance;
// the worker then reports it and closes, and the page starts a fresh one.
import init, { check, build, format, schema, version, simulate, explain } from './pkg/keyplan.js';
import wasmUrl from './pkg/keyplan_bg.wasm?url';

let lastConsoleError = '';
const consoleError = console.error.bind(console);
console.error = (...args) => {
  lastConsoleError = args.map(String).join(' ');
  consoleError(...args);
};

// The page's first message carries the compiled module (or null: then fetch it here).
let ready = null;
const calls = { check, build, format, schema, version, simulate, explain };

self.onmessage = async ({ data }) => {
  if (!ready) {
    ready = init({ module_or_path: data.module || wasmUrl });
    return;
  }
  const { id, fn, args } = data;
  const receivedAt = performance.timeOrigin + performance.now();
  try {
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
