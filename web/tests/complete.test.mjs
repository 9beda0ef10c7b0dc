// The completion context (src/complete.js) without a browser: resumed from the
// checkpoints an editor state keeps through edits, it is the context a scan from the
// start of the text gives, at every position tried.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EditorState } from '@codemirror/state';
import { contextAt, contextAtState, contextCheckpoints } from '../src/complete.js';
import { rng } from './rng.mjs';

// Pieces that change the context: blocks (auth and others), maps after `=`, strings
// holding braces, comments, heredocs holding braces and their end, newlines.
const PIECES = ['auth jwt ci {\n', 'secrets kv {\n', 'role r {\n', 'workload w {\n', '}\n', '}', 'x = {\n', 'a = "{"\n', '# {\n', '// }\n', 'd = <<EOF\n{ body\nEOF\n', '<<-T\n}\n  T\n', '\n', '\n', 'name = 1\n', '  ', 'login ci {\n'];

// Whole blocks, for the starting programs: most positions are in a named block.
const BLOCKS = ['auth jwt ci {\n  role r {\n    name = 1\n  }\n}\n', 'workload w {\n  login ci {\n    m = { a = 1 }\n  }\n  read "x/{y}"\n}\n', 'policy p {\n  document = <<EOF\n{ "a": 1 }\nEOF\n}\n', 'secrets kv {\n  # }\n  max_versions = 3\n}\n', '// {\n'];

test('contexts resumed from checkpoints kept through random edits equal a scan from the start', () => {
  let checked = 0;
  let named = 0;
  let resumed = 0;
  for (let seed = 1; seed <= 60; seed++) {
    const r = rng(seed);
    const pick = () => PIECES[Math.floor(r() * PIECES.length)];
    // Long enough for many checkpoints (one about every 2 KB).
    const block = () => BLOCKS[Math.floor(r() * BLOCKS.length)];
    let state = EditorState.create({ doc: Array.from({ length: 250 }, block).join(''), extensions: [contextCheckpoints] });
    for (let step = 0; step < 30; step++) {
      for (let q = 0; q < 4; q++) {
        const pos = Math.floor(r() * (state.doc.length + 1));
        const want = contextAt(state.doc.sliceString(0, pos), pos);
        assert.equal(contextAtState(state, pos), want, `seed ${seed} step ${step} pos ${pos}`);
        checked++;
        if (want) named++;
      }
      if (state.field(contextCheckpoints).length > 0) resumed++;
      const len = state.doc.length;
      const from = Math.floor(r() * (len + 1));
      const to = Math.min(len, from + Math.floor(r() * 40));
      state = state.update({ changes: { from, to, insert: r() < 0.7 ? pick() : '' } }).state;
    }
  }
  assert.ok(checked >= 7000 && resumed > 1000 && named > checked / 5, `${checked} positions (${named} in a named block), ${resumed} states with checkpoints`);
});

test('an edit keeps the checkpoints before it and drops those after it', () => {
  const doc = Array.from({ length: 400 }, (_, i) => `workload w${i} {\n  read "secret/data/${i}/*"\n}\n`).join('');
  let state = EditorState.create({ doc, extensions: [contextCheckpoints] });
  assert.equal(contextAtState(state, doc.length), '');
  const points = state.field(contextCheckpoints).map((p) => p.pos);
  assert.ok(points.length > 5, `checkpoints: ${points.length}`);
  const at = points[3] + 5;
  state = state.update({ changes: { from: at, insert: 'x' } }).state;
  assert.deepEqual(
    state.field(contextCheckpoints).map((p) => p.pos),
    points.slice(0, 4),
  );
  // Inside the block at the cursor, from the checkpoint before it.
  assert.equal(contextAtState(state, doc.indexOf('read', 9000)), 'workload');
});
