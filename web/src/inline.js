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
import init, { check as wasmCheck } from './pkg/keyplan.js';

/** The longest check (ms, predicted) run in a keystroke's task. */
export const BUDGET_MS = 10;
// Below this size a check costs well under a millisecond whatever the estimate says.
const SMALL = 4096;

let ready = false;
let broken = false;
// To compare the two lanes side by side on a busy machine: `?inline=off`, every check in
// the worker; `?inline=on`, every check on the page whatever its predicted time.
const mode = new URLSearchParams(location.search).get('inline');
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
 * `{ value, ms }` of the check of `text`, run now, or null when it cannot run here (the
 * compiler crashed: the instance is dropped for good, and the caller asks the worker,
 * which reports the crash as before).
 */
export function check(text, target) {
  if (!ready || broken) return null;
  try {
    const t0 = performance.now();
    const json = wasmCheck(text, target);
    const ms = performance.now() - t0;
    observe(text.length, ms);
    return { value: JSON.parse(json), ms };
  } catch {
    // A trapped instance may have been left mid-way: never call it again.
    broken = true;
    return null;
  }
}

/** For the tests and the benchmark: whether checks can run on the page, and the estimate. */
export const inlineState = () => ({ ready, broken, off, always, perUnit, budgetMs: BUDGET_MS });
