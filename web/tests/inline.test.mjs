// The page's check (src/inline.js) passes a keystroke's changes, not the text, to an
// instance that keeps the text: after random transactions (several changes each, text
// outside ASCII among them), its answers equal a whole-text check by another instance.
// Needs the built wasm package (web/src/pkg, `npm --prefix web run wasm`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EditorState } from '@codemirror/state';
import { WEB } from './helpers.mjs';
import { rng } from './rng.mjs';
import * as inline from '../src/inline.js';

const bytes = readFileSync(join(WEB, 'src', 'pkg', 'keyplan_bg.wasm'));
await inline.start(WebAssembly.compile(bytes));
// Another instance of the same module (its own glue: the query string), checking whole texts.
const whole = await import('../src/pkg/keyplan.js?whole');
await whole.default({ module_or_path: bytes });

const PROGRAM = readFileSync(join(WEB, '..', 'examples', 'pipeline.kp'), 'utf8');
// Pieces that make and mend errors, and characters of one, two and three UTF-8 bytes and
// of two UTF-16 units (where a byte offset and a JavaScript offset part).
const PIECES = ['x', 'x', '"', '}', '{', '\n', ' ', 'é', '😀', '日本', 'read "secret/data/é/*"\n', 'workload w {\n', '# ', 'ttl = 1h\n'];

/** A transaction of one to three changes at random places of `state`'s text. */
function randomTransaction(state, r) {
  const len = state.doc.length;
  const count = 1 + Math.floor(r() * 3);
  const points = Array.from({ length: count * 2 }, () => Math.floor(r() * (len + 1))).sort((a, b) => a - b);
  const changes = [];
  for (let i = 0; i < points.length; i += 2) {
    const insert = r() < 0.3 ? '' : PIECES[Math.floor(r() * PIECES.length)];
    // Deletions kept short, so that the program stays mostly whole.
    changes.push({ from: points[i], to: Math.min(points[i + 1], points[i] + 6), insert });
  }
  return state.update({ changes });
}

test('checks passed as edits answer as whole-text checks', () => {
  const before = { ...inline.passed };
  let unapplied = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const r = rng(seed);
    let state = EditorState.create({ doc: PROGRAM });
    for (let step = 0; step < 25; step++) {
      const target = r() < 0.8 ? 'vault' : 'openbao';
      const tr = randomTransaction(state, r);
      const got = inline.check(tr.newDoc, target, tr.startState.doc, tr.changes);
      const want = JSON.parse(whole.check(tr.newDoc.toString(), target));
      assert.deepEqual(got.value, want, `seed ${seed}, step ${step}: ${tr.newDoc.toString()}`);
      // Sometimes a transaction is never applied (the editor's next one starts from the
      // older document): the next check passes the whole text.
      if (r() < 0.1) unapplied++;
      else state = tr.state;
    }
  }
  const edits = inline.passed.edits - before.edits;
  const texts = inline.passed.text - before.text;
  // The first check of each seed's program, and the one after each unapplied transaction
  // (unless it was the last of its seed), pass the text; every other one its edits.
  assert.ok(texts >= 40 && texts <= 40 + unapplied, `${texts} whole texts`);
  assert.equal(edits + texts, 40 * 25);
});

test('a check of the document the instance holds passes no text', () => {
  const doc = EditorState.create({ doc: PROGRAM }).doc;
  inline.check(doc, 'vault');
  const before = { ...inline.passed };
  const again = inline.check(doc, 'openbao');
  assert.deepEqual(again.value, JSON.parse(whole.check(PROGRAM, 'openbao')));
  assert.deepEqual(inline.passed, { edits: before.edits + 1, text: before.text });
});
