// The page's handle on the compiler: promise-returning calls into workers that are
// restarted when the compiler crashes, so one bad input never breaks the session.
//
// Three lanes, each its own worker (its own wasm instance): `check` answers a keystroke and
// must never wait behind `build`, which runs every emitter and can take many times as
// long on a large program. Within a lane calls run in order; a newer build supersedes one
// that is still queued, and an edit stops one that is running (`cutBuild`): either way its
// promise resolves to `{ superseded: true }`. The third, `access`, runs the compiler's
// second module (claim simulation, explain, the identity lints; crates/wasm/src/lib.rs
// says why two), fetched and compiled the first time a call needs it.
//
// A keystroke's check sends the edit, not the text (`checkDoc`): the check worker's wasm
// instance keeps its copy of the editor's text and applies the changes to it. The page then neither
// joins the document into one string nor copies it to the worker on every keystroke.

import wasmUrl from './pkg/keyplan_bg.wasm?url';
import accessUrl from './pkg/keyplan_access_bg.wasm?url';
// The schema is the same for every program: written once by a native build
// (scripts/build-web.sh), fetched as an asset; the wasm carries neither it nor its texts.
import schemaUrl from './pkg/schema.json?url';
import { editTriples } from './edits.js';

const CHECK = 'check';
const BUILD = 'build';
const ACCESS = 'access';
// Which lane each call runs in: everything typing waits for goes to `check`. The editor's
// checks go to `check` too (`checkDoc`), but a whole text's `check` does not: the check
// lane's instance holds the editor's text, which another text would replace.
const LANE_OF = { check: BUILD, format: CHECK, version: CHECK, build: BUILD, simulate: ACCESS, explain: ACCESS, lints: ACCESS };

let nextId = 1;

/** How the editor's checks were sent: as edits, or as the whole text, and how often the worker asked for the text (for the tests). */
export const sent = { edits: 0, text: 0, resyncs: 0 };

/** Per call: time in the worker, the hop back, JSON.parse on the page, response size (for the benchmark). */
export const timings = [];

export class CompilerCrash extends Error {}

// The .wasm compiled once on the page and handed to every worker: a restarted worker
// (after a crash, or a build cut short) is ready in milliseconds. Null when the page
// cannot compile it (then each worker fetches it itself).
const wasmModule = WebAssembly.compileStreaming(fetch(wasmUrl)).catch(() => null);
/** The compiled module (or null), for an instance on the page (inline.js). */
export const compiledModule = wasmModule;
// The access module, fetched and compiled when the first call for it is posted.
let accessModule = null;
const compiledAccess = () => (accessModule ??= WebAssembly.compileStreaming(fetch(accessUrl)).catch(() => null));

class Lane {
  /** `kind`: the module the worker runs (`editor` or `access`); `module()`: it compiled, or null. */
  constructor(kind, module) {
    this.kind = kind;
    this.module = module;
    this.worker = null;
    this.pending = new Map();
    // A build not yet posted: replaced by a newer one, posted when the worker is idle.
    this.queued = null;
    // The document (CodeMirror's immutable `Text`) whose text this worker holds, as of
    // the last call posted to it: null until a whole text was sent, and for a new worker.
    this.held = null;
  }

  start() {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    this.worker = worker;
    this.held = null;
    this.ready = this.module().then((module) => worker.postMessage({ module, kind: this.kind }));
    // Once the worker has its module and no call waits for that, calls are posted at once:
    // a check posted in a promise callback would leave only after CodeMirror had updated
    // the page for the keystroke, milliseconds the worker could have been checking.
    const gate = { open: false, waiting: 0 };
    this.gate = gate;
    this.ready.then(() => (gate.open = true));
    worker.onmessage = ({ data }) => {
      const p = this.pending.get(data.id);
      if (!p) return;
      if (data.resync) {
        // The worker's copy did not have the length the edit should give: send the text.
        // (A bug's safety net: the edits are in order in one lane, so it should not happen.)
        sent.resyncs++;
        worker.postMessage({ id: data.id, fn: p.fn, args: [p.doc.toString(), ...p.args], hold: true });
        return;
      }
      this.pending.delete(data.id);
      if (data.crash !== undefined) {
        this.worker = null;
        p.reject(new CompilerCrash(data.crash));
      } else {
        const t0 = performance.now();
        const hop = performance.timeOrigin + t0 - data.sentAt;
        // From posting the call to the worker starting it (the worker was busy, or waiting for a core).
        const queue = data.receivedAt - p.postedAt;
        const value = p.raw ? data.json : JSON.parse(data.json);
        timings.push({ fn: p.fn, ms: data.ms, queue, hop, parse: performance.now() - t0, bytes: data.json.length });
        if (timings.length > 200) timings.splice(0, 100);
        p.resolve({ value, ms: data.ms });
      }
      this.flush();
    };
    worker.onerror = (e) => {
      const err = new CompilerCrash(e.message || 'the compiler failed to load');
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      this.worker = null;
      this.flush();
    };
  }

  post(id, fn, args, p) {
    if (!this.worker) this.start();
    this.pending.set(id, p);
    const worker = this.worker;
    // Decided now, in posting order: the worker applies edits in the order they come.
    const message = p.edit ? this.editMessage(id, fn, args, p) : { id, fn, args, hold: p.hold };
    const send = () => {
      p.postedAt = performance.timeOrigin + performance.now();
      worker.postMessage(message);
    };
    // In order: at once only when no earlier call still waits for the module.
    const gate = this.gate;
    if (gate.open && gate.waiting === 0) return send();
    gate.waiting++;
    this.ready.then(() => {
      gate.waiting--;
      send();
    });
  }

  /**
   * A check of `p.doc`: its edits since the document the worker holds (`p.edit.from`) when
   * it holds that one, else the whole text.
   */
  editMessage(id, fn, args, p) {
    const { doc, from, changes } = p.edit;
    let message;
    if (this.held !== null && this.held === from && changes) {
      message = { id, fn, args: [null, ...args], hold: true, edits: editTriples(changes), length: doc.length };
      sent.edits++;
    } else {
      sent.text++;
      message = { id, fn, args: [doc.toString(), ...args], hold: true };
    }
    this.held = doc;
    return message;
  }

  /**
   * Stops a call of `fn` (a build, the identity lints) that is running for a text the
   * editor no longer holds: it would only take a core from the checks of newer
   * keystrokes. Its promise resolves to `{ superseded: true }`. A lane running anything
   * else (simulate, explain) is never cut.
   */
  cut(fn) {
    // One still queued is of an older text too.
    if (this.queued?.fn === fn) {
      this.queued.p.resolve({ superseded: true });
      this.queued = null;
    }
    if (!this.worker || this.pending.size === 0) return;
    for (const p of this.pending.values()) if (p.fn !== fn) return;
    this.worker.terminate();
    this.worker = null;
    for (const p of this.pending.values()) p.resolve({ superseded: true });
    this.pending.clear();
    this.flush();
  }

  /** Posts the queued build once nothing else is in flight in this lane. */
  flush() {
    if (!this.queued || this.pending.size > 0) return;
    const { id, fn, args, p } = this.queued;
    this.queued = null;
    this.post(id, fn, args, p);
  }

  call(fn, args, { supersede = false } = {}) {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      const p = { resolve, reject, raw: fn === 'version', fn };
      if (!supersede) return this.post(id, fn, args, p);
      if (this.queued) this.queued.p.resolve({ superseded: true });
      this.queued = { id, fn, args, p };
      this.flush();
    });
  }
}

const editorModule = () => wasmModule;
const lanes = { [CHECK]: new Lane('editor', editorModule), [BUILD]: new Lane('editor', editorModule), [ACCESS]: new Lane('access', compiledAccess) };

function call(fn, ...args) {
  const lane = lanes[LANE_OF[fn]];
  // A call with no lane is a page bug: say which, rather than fail inside a worker.
  if (!lane) return Promise.reject(new Error(`no compiler lane for \`${fn}\``));
  return lane.call(fn, args);
}

/** For the tests: makes the check worker's copy of the text wrong (it then asks for the text). */
export const spoilHeldText = () => {
  const lane = lanes[CHECK];
  if (lane.worker) lane.post(nextId++, 'check', ['', 'vault'], { resolve() {}, reject() {}, raw: true, fn: 'check', hold: true });
};

/** `{ ok, target, diagnostics }` of a text that is not the editor's (the tests compare the editor's checks with it). */
export const check = (source, target) => call('check', source, target);
/**
 * `check` of the editor's document `doc` (a CodeMirror `Text`), given the `changes` (a
 * `ChangeSet`, or null when unknown) that turn document `from` into it: only the changes
 * are sent when the worker holds `from`'s text.
 */
export const checkDoc = (doc, from, changes, target) =>
  new Promise((resolve, reject) => {
    const p = { resolve, reject, raw: false, fn: 'check', doc, args: [target], edit: { doc, from, changes } };
    lanes[CHECK].post(nextId++, 'check', [target], p);
  });
/** `{ ok, target, diagnostics, outputs, view }`, or `{ superseded: true }` when a newer build replaced it before it ran. */
export const build = (source, target) => lanes[BUILD].call('build', [source, target], { supersede: true });
/** Stops the build and the identity lints in flight, if any (an edit made their text stale). */
export const cutBuild = () => {
  lanes[BUILD].cut('build');
  lanes[ACCESS].cut('lints');
};
/** `{ ok, formatted, changed, diagnostics }` */
export const format = (source) => call('format', source);
/** `{ blocks, endpoints, capabilities }` (json_api::schema), fetched the first time it is asked for */
let schemaFetch = null;
export const schema = () => {
  schemaFetch ??= fetch(schemaUrl).then(async (r) => {
    if (!r.ok) throw new Error(`schema: HTTP ${r.status}`);
    return { value: await r.json() };
  });
  // A failed fetch is not kept: the next call tries again.
  return schemaFetch.catch((e) => {
    schemaFetch = null;
    throw e;
  });
};
export const version = () => call('version');
/**
 * `{ ok, diagnostics, simulation: { accepted, refused }, access, notes? }`: the token's
 * time claims are checked at the page's clock, with each role's leeways.
 */
export const simulate = (source, claims, mount, target) => call('simulate', source, claims, mount, target, Math.floor(Date.now() / 1000));
/** `{ ok, target, diagnostics, paths: [{ path, identities }], error }`; `request` is `{"paths", "as"?}` as JSON */
export const explain = (source, request, target) => call('explain', source, target, request);
/**
 * `{ ok, target, diagnostics }`: the identity lints `keyplan check` adds to the check's
 * diagnostics (none when the program has errors). A newer call supersedes one still queued.
 */
export const lints = (source, target) => lanes[ACCESS].call('lints', [source, target], { supersede: true });
