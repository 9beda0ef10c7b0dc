// The wasm check of a keystroke, in node (V8), outside the page: a benchmark (prints,
// asserts nothing).
//
//   node web/scripts/bench-wasm-check.mjs [PKG_DIR...]    (default: web/src/pkg)
//   web/scripts/count-wasm-check.sh [PKG_DIR] [whole|edit]  instructions per check
//
// Each PKG_DIR is a wasm-bindgen output (keyplan.js + keyplan_bg.wasm), e.g. a copy of
// web/src/pkg from another build: the rounds alternate between them, so a busy machine
// slows all alike. The program is the keystroke bench's (web/tests/bench-keystroke.mjs,
// LINES lines, 2,000 by default); each check toggles an `x` after the `user_claim` in its
// middle, as the page's bench types it. Per build it prints the .wasm's gzip size and the
// check's median and p95 (ms) as the page calls it (`check(text, target)`: the text
// copied in, the answer copied out) and, when the build has it, the same keystroke passed
// as an edit (`edit`, then `check_edited`, as web/src/inline.js does). Then, once, the
// page's own costs around a check: CodeMirror's `doc.toString()` of the edited document,
// the text's copy into the wasm's memory (wasm-bindgen's loop), `JSON.parse` of the answer.
//
// Wall times on a shared machine are noisy; count-wasm-check.sh runs this script under
// callgrind with COUNT=N (N checks of the first build, no output) and prints the
// difference of two counts per check: exact and repeatable (within 0.5%).
//
// Env: LINES (2000), ROUNDS (10), CHECKS (60 per round and build), COUNT, EDIT (COUNT's
// checks passed as edits).
import { readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Text } from '@codemirror/state';
import { bigProgram } from '../tests/bench-keystroke.mjs';

const web = join(dirname(fileURLToPath(import.meta.url)), '..');
const ROUNDS = Number(process.env.ROUNDS || 10);
const CHECKS = Number(process.env.CHECKS || 60);
const dirs = process.argv.slice(2).map((d) => resolve(d));
if (dirs.length === 0) dirs.push(join(web, 'src', 'pkg'));

const program = bigProgram(Number(process.env.LINES || 2000));
const at = program.indexOf('user_claim', program.length >> 1) + 'user_claim'.length;
const edited = program.slice(0, at) + 'x' + program.slice(at);

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { median: q(0.5), p95: q(0.95) };
}
const ms = (x) => x.toFixed(3).padStart(7);

if (process.env.COUNT !== undefined) {
  const m = await import(pathToFileURL(join(dirs[0], 'keyplan.js')).href);
  await m.default({ module_or_path: readFileSync(join(dirs[0], 'keyplan_bg.wasm')) });
  for (const text of [program, edited, program]) m.check(text, 'vault');
  const asEdits = process.env.EDIT === '1';
  for (let i = 0; i < Number(process.env.COUNT); i++) {
    if (!asEdits) m.check(i % 2 ? program : edited, 'vault');
    else {
      if (i % 2) m.edit(at, at + 1, '');
      else m.edit(at, at, 'x');
      m.check_edited(i % 2 ? program.length : edited.length, 'vault');
    }
  }
  process.exit(0);
}

// One instance per build: each module gets its own copy of the glue (a query string).
const builds = [];
for (const [i, dir] of dirs.entries()) {
  const m = await import(`${pathToFileURL(join(dir, 'keyplan.js'))}?build=${i}`);
  const bytes = readFileSync(join(dir, 'keyplan_bg.wasm'));
  const wasm = await m.default({ module_or_path: bytes });
  m.check(program, 'vault');
  builds.push({ dir, m, wasm, gz: gzipSync(bytes, { level: 9 }).length, whole: [], edit: [] });
}

for (let round = 0; round < ROUNDS; round++) {
  for (const b of round % 2 ? [...builds].reverse() : builds) {
    const { m } = b;
    m.check(program, 'vault');
    for (let i = 0; i < CHECKS; i++) {
      const text = i % 2 ? program : edited;
      const t0 = performance.now();
      m.check(text, 'vault');
      b.whole.push(performance.now() - t0);
    }
    if (!m.check_edited) continue;
    m.check(program, 'vault');
    for (let i = 0; i < CHECKS; i++) {
      // Typing the `x`, then deleting it.
      const t0 = performance.now();
      if (i % 2) m.edit(at, at + 1, '');
      else m.edit(at, at, 'x');
      m.check_edited(i % 2 ? program.length : edited.length, 'vault');
      b.edit.push(performance.now() - t0);
    }
  }
}

console.log(`${program.split('\n').length - 1} lines, ${(program.length / 1024).toFixed(1)} KB; ${ROUNDS * CHECKS} checks per build`);
console.log('build'.padEnd(40), 'gzip KB', '  check median     p95', '  edit median     p95');
for (const b of builds) {
  const w = stats(b.whole);
  const e = b.edit.length ? stats(b.edit) : null;
  const name = b.dir.length > 40 ? `…${b.dir.slice(-39)}` : b.dir;
  console.log(
    name.padEnd(40),
    (b.gz / 1024).toFixed(1).padStart(7),
    '      ',
    ms(w.median),
    ms(w.p95),
    e ? `       ${ms(e.median)} ${ms(e.p95)}` : '',
  );
}

// The page's side, measured once (it does not depend on the build).
const { m, wasm } = builds[0];
const timeIt = (f, n = 400) => {
  const t = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    f(i);
    t.push(performance.now() - t0);
  }
  return stats(t);
};
let doc = Text.of(program.split('\n'));
const x = Text.of(['x']);
const toString = timeIt((i) => {
  // A new document per keystroke, as the editor has: its text is joined anew.
  doc = i % 2 ? doc.replace(at, at + 1, Text.empty) : doc.replace(at, at, x);
  return doc.toString();
});
// What wasm-bindgen's `passStringToWasm0` does with an ASCII text: malloc, a byte per unit.
const copy = timeIt(() => {
  const len = edited.length;
  const ptr = wasm.__wbindgen_malloc(len, 1) >>> 0;
  const mem = new Uint8Array(wasm.memory.buffer);
  for (let i = 0; i < len; i++) mem[ptr + i] = edited.charCodeAt(i);
  wasm.__wbindgen_free(ptr, len, 1);
});
const answer = m.check(edited, 'vault');
const parse = timeIt(() => JSON.parse(answer));
console.log(`page side (median / p95 ms): doc.toString() ${ms(toString.median)} ${ms(toString.p95)}`);
console.log(`                             copy into wasm ${ms(copy.median)} ${ms(copy.p95)}`);
console.log(`                             JSON.parse (${answer.length} B) ${ms(parse.median)} ${ms(parse.p95)}`);
