// The page's handle on the compiler: promise-returning calls into a worker that is
// restarted when the compiler crashes, so one bad input never breaks the session.

let worker = null;
let nextId = 1;
const pending = new Map();

function start() {
  worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = ({ data }) => {
    const p = pending.get(data.id);
    if (!p) return;
    pending.delete(data.id);
    if (data.crash !== undefined) {
      worker = null;
      p.reject(new CompilerCrash(data.crash));
    } else {
      p.resolve({ value: p.raw ? data.json : JSON.parse(data.json), ms: data.ms });
    }
  };
  worker.onerror = (e) => {
    const err = new CompilerCrash(e.message || 'the compiler failed to load');
    for (const p of pending.values()) p.reject(err);
    pending.clear();
    worker = null;
  };
}

export class CompilerCrash extends Error {}

function call(fn, ...args) {
  if (!worker) start();
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject, raw: fn === 'version' });
    worker.postMessage({ id, fn, args });
  });
}

/** `{ ok, target, diagnostics }` */
export const check = (source, target) => call('check', source, target);
/** `{ ok, target, diagnostics, outputs, view }` */
export const build = (source, target) => call('build', source, target);
/** `{ ok, formatted, changed, diagnostics }` */
export const format = (source) => call('format', source);
/** `{ blocks, endpoints, capabilities }` */
export const schema = () => call('schema');
export const version = () => call('version');
/** `{ ok, diagnostics, simulation: { accepted, refused }, access }` */
export const simulate = (source, claims, mount, target) => call('simulate', source, claims, mount, target);
/** `{ ok, target, diagnostics, paths: [{ path, identities }], error }`; `request` is `{"paths", "as"?}` as JSON */
export const explain = (source, request, target) => call('explain', source, target, request);
