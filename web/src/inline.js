// The check of a keystroke, on the page itself when it fits in the keystroke's frame.
//
// A check in the worker runs beside the page, but its answer then waits behind the frame
// that draws the keystroke (CodeMirror's measure, Chromium's paint: 8–10 ms), and its
// squiggles need one more frame after that. A check of a 2,000-line program takes about
// as long as that wait: run in the keystroke's own task, its diagnostics are applied
// before the frame is drawn, and that one frame shows the edit and its squiggles together.
//
// Only a check predicted to fit in BUDGET_MS runs here (so no keystroke's task takes more
// than a frame): a larger program, a page whose instance is not ready yet, or one whose
// compiler crashed (its instance is then dropped) is checked in the worker, as before.
//
// A keystroke passes its edit, not the text: the instance keeps the text of the last
// document checked (`held`) and applies the keystroke's changes to it. The page then
// neither joins the document into one string nor copies it into the module (about 0.3 ms
// of a 2,000-line program's check; web/scripts/bench-wasm-check.mjs).
import init, { check as wasmCheck, edit as wasmEdit, check_edited as wasmCheckEdited } from './pkg/keyplan.js';
import { editTriples, applyEdits } from './edits.js';

/** The longest check (ms, predicted) run in a keystroke's task. */
export const BUDGET_MS = 10;
// Below this size a check costs well under a millisecond whatever the estimate says.
const SMALL = 4096;

let ready = false;
let broken = false;
// The document (CodeMirror's immutable `Text`) whose text the instance holds: null until
// a check gave it one.
let held = null;

/** How the checks reached the instance: as edits, or as the whole text (for the tests). */
export const passed = { edits: 0, text: 0 };
// To compare the two lanes side by side on a busy machine: `?inline=off`, every check in
// the worker; `?inline=on`, every check on the page whatever its predicted time.
// (No `location` in node, where the tests import this module.)
const mode = new URLSearchParams(globalThis.location?.search).get('inline');
const off = mode === 'off';
const always = mode === 'on';
// Milliseconds per UTF-16 unit of source of the last checks of programs over SMALL
// (either lane). The prediction of the next check's time is the lowest: a check's wall
// time is its cost plus whatever the machine took from its thread meanwhile, which would
// slow the worker's check just as much (it shares the same cores) and then add a frame.
const RECENT = 8;
const recent = [];
let perUnit = null;

/** Instantiates the compiler on the page from the module the workers use (null: never). */
export function start(modulePromise) {
  return modulePromise
    .then((module) => (module ? init({ module_or_path: module }) : null))
    .then((wasm) => {
      if (!wasm) return;
      // The first call builds the compiler's lazy tables (the endpoint catalog): here,
      // not in a keystroke's task.
      wasmCheck('', 'vault');
      ready = true;
    })
    .catch((e) => {
      broken = true;
      console.warn('checks stay in the worker:', e && e.message ? e.message : e);
    });
}

/** Records how long a check of `length` units took, wherever it ran. */
export function observe(length, ms) {
  if (length < SMALL || !(ms >= 0)) return;
  recent.push(ms / length);
  if (recent.length > RECENT) recent.shift();
  perUnit = Math.min(...recent);
}

/** Whether a check of `length` units runs on the page. */
export function fits(length) {
  if (!ready || broken || off) return false;
  if (length < SMALL || always) return true;
  return perUnit !== null && perUnit * length <= BUDGET_MS;
}

/**
 * `{ value, ms }` of the check of `doc` (a CodeMirror `Text`), run now, or null when it
 * cannot run here (the compiler crashed: the instance is dropped for good, and the caller
 * asks the worker, which reports the crash as before). Given the `changes` (a
 * `ChangeSet`) that made `doc` from document `from`, only those are passed when the
 * instance holds `from`'s text.
 */
export function check(doc, target, from = null, changes = null) {
  if (!ready || broken) return null;
  try {
    const t0 = performance.now();
    let json = checkEdited(doc, target, from, changes);
    if (json) passed.edits++;
    else {
      passed.text++;
      json = wasmCheck(doc.toString(), target);
    }
    held = doc;
    const ms = performance.now() - t0;
    observe(doc.length, ms);
    return { value: JSON.parse(json), ms };
  } catch {
    // A trapped instance may have been left mid-way: never call it again.
    broken = true;
    return null;
  }
}

/** The answer for `doc` from the held text and the edits that make `doc` of it, or '' when they are not known. */
function checkEdited(doc, target, from, changes) {
  if (held === null) return '';
  if (held !== doc) {
    if (held !== from || !changes) return '';
    // A refused edit: the caller then passes the whole text, which replaces the held one.
    if (!applyEdits(editTriples(changes), wasmEdit)) return '';
  }
  // '' when the edited text is not as long as `doc` (a bug's safety net, as in the worker).
  return wasmCheckEdited(doc.length, target);
}

/**
 * The view holds `doc`, the same text as `checked`: a transaction an extender gave effects
 * is made anew, and its document is a `Text` of its own. The held text is then `doc`'s,
 * so the next keystroke passes its edit rather than the whole text.
 */
export function sameText(checked, doc) {
  if (held === checked && checked.length === doc.length) held = doc;
}

/** For the tests and the benchmark: whether checks can run on the page, the estimate, and how checks were passed. */
export const inlineState = () => ({ ready, broken, off, always, perUnit, budgetMs: BUDGET_MS, passed: { ...passed } });
