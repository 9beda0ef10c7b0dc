// Runs the compiler (wasm) off the main thread. A compiler crash traps the wasm instance;
// the worker then reports it and closes, and the page starts a fresh one.
//
// One worker runs one of the compiler's two modules (crates/wasm/src/lib.rs): `editor`
// (check, edit, build, format), which the page needs to start, or `access` (simulate,
// explain, the identity lints), which it loads when first wanted. The page's first
// message says which.
import initEditor, { check, check_edited as checkEdited, edit, build, format, version } from './pkg/keyplan.js';
import initAccess, { simulate, explain, lints, version as accessVersion } from './pkg/keyplan_access.js';
import editorUrl from './pkg/keyplan_bg.wasm?url';
import accessUrl from './pkg/keyplan_access_bg.wasm?url';
import { applyEdits } from './edits.js';

const MODULES = {
  editor: { init: initEditor, url: editorUrl, calls: { check, build, format, version } },
  access: { init: initAccess, url: accessUrl, calls: { simulate, explain, lints, version: accessVersion } },
};

let lastConsoleError = '';
const consoleError = console.error.bind(console);
console.error = (...args) => {
  lastConsoleError = args.map(String).join(' ');
  consoleError(...args);
};

// The page's first message names the module and carries it compiled (or null: then
// fetch it here).
let ready = null;
let calls = null;
// Whether the instance's text (the wasm keeps the text `check` was given, and `edit`
// changes it) is the check lane's copy of the editor's text: a keystroke's check then
// sends only its edits. A check that is not the editor's (`hold` unset) replaces it.
let holding = false;

self.onmessage = async ({ data }) => {
  if (!ready) {
    const chosen = MODULES[data.kind];
    calls = chosen.calls;
    ready = chosen.init({ module_or_path: data.module || chosen.url });
    return;
  }
  const { id, fn, args, hold, edits, length } = data;
  const receivedAt = performance.timeOrigin + performance.now();
  try {
    await ready;
    const t0 = performance.now();
    let json;
    if (edits) {
      json = holding ? editedCheck(edits, length, args[1]) : '';
      if (json === '') {
        // Not the text the page thinks it holds: the page sends the whole text.
        holding = false;
        self.postMessage({ id, resync: true });
        return;
      }
    } else {
      json = calls[fn](...args);
      if (fn === 'check') holding = Boolean(hold);
    }
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

/** The check of the held text after `edits` (`editTriples`), or '' when they do not apply to it. */
function editedCheck(edits, length, target) {
  // '' too when the edited text is not `length` units long, as the page's document is.
  return applyEdits(edits, edit) ? checkEdited(length, target) : '';
}
