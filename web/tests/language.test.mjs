// The highlighter's line-start states (src/language.js), without a browser: after random
// edits, the states kept incrementally equal the states computed from scratch, and the
// tokens of a line are what its structure says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EditorState } from '@codemirror/state';
import { lineStates, updateStates, tokenizeLine, decorate, redecorate, KIND } from '../src/language.js';
import { rng } from './rng.mjs';

// Pieces that change what crosses a line: strings (closed or not), heredocs and their
// end, comments holding quotes and `<<`, escapes.
const PIECES = ['"', '\\"', '<<EOF', '<<-TAG', 'EOF', 'TAG', '  EOF', '\tTAG', '# "x" <<EOF', '\n', '\n', '\n', 'auth jwt {', '}', 'x = "a"', ' ', 'role r', '// <<EOF', '"\\\\"', 'desc = <<EOF\nbody "\nEOF\n'];

/** A transaction replacing up to 12 characters of `state`'s text with up to 3 pieces (or none). */
function randomEdit(state, r, pick) {
  const len = state.doc.length;
  const from = Math.floor(r() * (len + 1));
  const to = Math.min(len, from + Math.floor(r() * 12));
  const insert = r() < 0.3 ? '' : Array.from({ length: 1 + Math.floor(r() * 3) }, pick).join('');
  return state.update({ changes: { from, to, insert } });
}

test('line states kept through random edits equal the states computed from scratch', () => {
  for (let seed = 1; seed <= 200; seed++) {
    const r = rng(seed);
    const pick = () => PIECES[Math.floor(r() * PIECES.length)];
    let state = EditorState.create({ doc: Array.from({ length: 30 }, pick).join('') });
    let states = lineStates(state.doc);
    for (let step = 0; step < 25; step++) {
      const tr = randomEdit(state, r, pick);
      states = updateStates(states, tr.changes, state.doc, tr.state.doc);
      state = tr.state;
      const scratch = lineStates(state.doc);
      assert.deepEqual(states, scratch, `seed ${seed}, step ${step}: ${JSON.stringify(state.doc.toString())}`);
      // The shortcuts taken for lines with no quote or heredoc agree with tokenizing them.
      const tokenized = [''];
      for (let n = 1; n < state.doc.lines; n++) tokenized.push(tokenizeLine(state.doc.line(n).text, tokenized[n - 1], null));
      assert.deepEqual(scratch, tokenized, `seed ${seed}, step ${step}`);
    }
  }
});

test('colours redone only for the lines an edit changed equal the colours of the lines in view made from scratch', () => {
  const tokens = (text, start) => {
    const out = [];
    tokenizeLine(text, start, out);
    return out;
  };
  const spans = (set) => {
    const out = [];
    for (const iter = set.iter(); iter.value; iter.next()) out.push([iter.from, iter.to, iter.value.spec.class]);
    return out;
  };
  let redone = 0;
  for (let seed = 1; seed <= 200; seed++) {
    const r = rng(seed);
    const pick = () => PIECES[Math.floor(r() * PIECES.length)];
    let state = EditorState.create({ doc: Array.from({ length: 40 }, pick).join('') });
    let states = lineStates(state.doc);
    // The lines in view, as the editor gives them: whole lines, mapped through each edit.
    const a = state.doc.line(1 + Math.floor(r() * state.doc.lines));
    const b = state.doc.line(Math.min(state.doc.lines, a.number + Math.floor(r() * 20)));
    let ranges = [{ from: a.from, to: b.to }];
    let colours = decorate(state.doc, states, ranges, tokens);
    for (let step = 0; step < 25; step++) {
      const tr = randomEdit(state, r, pick);
      const next = updateStates(states, tr.changes, state.doc, tr.state.doc);
      ranges = ranges.map((v) => ({ from: tr.changes.mapPos(v.from, -1), to: tr.changes.mapPos(v.to, 1) }));
      const kept = colours.map(tr.changes);
      colours = redecorate(colours, tr.changes, state.doc, tr.state.doc, states, next, ranges, tokens);
      if (spans(colours).join() !== spans(kept).join()) redone++;
      state = tr.state;
      states = next;
      assert.deepEqual(spans(colours), spans(decorate(state.doc, states, ranges, tokens)), `seed ${seed}, step ${step}: ${JSON.stringify(state.doc.toString())}`);
    }
  }
  assert.ok(redone > 1000, `edits that changed colours: ${redone}`);
});

test('tokens follow the structure: keyword, label, attribute, reference, string, heredoc', () => {
  const kinds = (text, start = '') => {
    const out = [];
    const next = tokenizeLine(text, start, out);
    const tokens = [];
    for (let i = 0; i < out.length; i += 3) tokens.push([text.slice(out[i], out[i + 1]), Object.keys(KIND).find((k) => KIND[k] === out[i + 2])]);
    return { tokens, next };
  };
  assert.deepEqual(kinds('auth jwt {').tokens, [['auth', 'keyword'], ['jwt', 'label'], ['{', 'punct']]);
  assert.deepEqual(kinds('  token_ttl = 1h # why').tokens, [['token_ttl', 'property'], ['=', 'punct'], ['1h', 'number'], ['# why', 'comment']]);
  assert.deepEqual(kinds('  token_policies = [reader]').tokens, [['token_policies', 'property'], ['=', 'punct'], ['[', 'punct'], ['reader', 'variable'], [']', 'punct']]);
  assert.deepEqual(kinds('  password = env("DB_PW")').tokens, [['password', 'property'], ['=', 'punct'], ['env', 'function'], ['(', 'punct'], ['"DB_PW"', 'string'], [')', 'punct']]);
  assert.deepEqual(kinds('x = "a \\" b" y'), { tokens: [['x', 'property'], ['=', 'punct'], ['"a \\" b"', 'string'], ['y', 'variable']], next: '' });
  assert.deepEqual(kinds('x = "open'), { tokens: [['x', 'property'], ['=', 'punct'], ['"open', 'string']], next: '"' });
  assert.deepEqual(kinds('still" y', '"').tokens, [['still"', 'string'], ['y', 'variable']]);
  assert.deepEqual(kinds('sql = <<EOF'), { tokens: [['sql', 'property'], ['=', 'punct'], ['<<EOF', 'special']], next: '<<EOF' });
  assert.deepEqual(kinds('SELECT "x" # no comment', '<<EOF'), { tokens: [['SELECT "x" # no comment', 'string']], next: '<<EOF' });
  // As the compiler lexes it: only `<<-` ends at an indented marker.
  assert.deepEqual(kinds('  EOF', '<<EOF'), { tokens: [['  EOF', 'string']], next: '<<EOF' });
  assert.deepEqual(kinds('EOF', '<<EOF'), { tokens: [['EOF', 'special']], next: '' });
  assert.deepEqual(kinds('\tEOF', '<<-EOF'), { tokens: [['\tEOF', 'special']], next: '' });
  assert.deepEqual(kinds('x = <<-EOF'), { tokens: [['x', 'property'], ['=', 'punct'], ['<<-EOF', 'special']], next: '<<-EOF' });
});
