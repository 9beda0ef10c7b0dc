// keyplan syntax highlighting. Lexical and structural only (no keyword lists), so that
// it never disagrees with the compiler: the first word of a line is a block keyword or a
// statement verb, a word before `=` is an attribute, a word after `=` is a reference.
//
// Not a CodeMirror language (StreamLanguage): that one parses from the edit to the end
// of the viewport inside every keystroke's transaction, and the rest of the document in
// idle callbacks of 25-100 ms that a keystroke then waits behind. Here a line's colours
// depend only on its text and on the one thing that crosses lines (inside a string or a
// heredoc), kept per line start and redone after an edit only until it agrees with the
// old value again; colours are made only for the lines in view.
import { ViewPlugin, Decoration } from '@codemirror/view';
import { RangeSetBuilder, EditorState } from '@codemirror/state';

const IDENT = /[A-Za-z_][A-Za-z0-9_-]*/y;
const DURATION = /[0-9]+(s|m|h|d)\b/y;
const NUMBER = /[0-9]+\b/y;
const HEREDOC = /<<(-?[A-Za-z_][A-Za-z0-9_]*)/y;
const EQUALS_AHEAD = /\s*=/y;
const SPACE = /\s/;

/** The state at a line start: '' plain, '"' inside a string, or '<<TAG' ('<<-TAG') inside a heredoc. */
const PLAIN = '';
const STRING = '"';

/** Token kinds, as CSS classes (colours in style.css). */
const CLASSES = ['keyword', 'label', 'property', 'string', 'special', 'number', 'comment', 'variable', 'function', 'punct'];
export const KIND = Object.fromEntries(CLASSES.map((c, i) => [c, i]));
const MARKS = CLASSES.map((c) => Decoration.mark({ class: `kp-${c}` }));

const at = (re, text, pos) => {
  re.lastIndex = pos;
  return re.exec(text);
};

/**
 * Whether `text` is the line that ends the heredoc of state `start`, as the compiler's
 * lexer reads it: the marker alone from the first column (a `\r` before the newline
 * aside), or, after `<<-`, alone after blanks.
 */
function endsHeredoc(text, start) {
  const line = text.endsWith('\r') ? text.slice(0, -1) : text;
  return start[2] === '-' ? line.replace(/^[ \t]*/, '') === start.slice(3) : line === start.slice(2);
}

/** From `pos` inside a string to just after its closing quote, or to the line end (-1). */
function stringEnd(text, pos) {
  let escaped = false;
  for (let i = pos; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"' && !escaped) return i + 1;
    escaped = !escaped && ch === '\\';
  }
  return -1;
}

/**
 * The tokens of one line as [from, to, kind] triples (offsets in the line) pushed onto
 * `out` (null: only the state is wanted), given the state at its start; returns the state
 * at the start of the next line.
 */
export function tokenizeLine(text, start, out) {
  const push = (from, to, kind) => out && to > from && out.push(from, to, kind);
  if (start.startsWith('<<')) {
    if (endsHeredoc(text, start)) {
      push(0, text.length, KIND.special);
      return PLAIN;
    }
    push(0, text.length, KIND.string);
    return start;
  }
  let pos = 0;
  let lineStart = true;
  let afterEquals = false;
  let header = false;
  if (start === STRING) {
    const end = stringEnd(text, 0);
    push(0, end < 0 ? text.length : end, KIND.string);
    if (end < 0) return STRING;
    pos = end;
    lineStart = false;
  }
  while (pos < text.length) {
    const ch = text[pos];
    if (SPACE.test(ch)) {
      pos++;
      continue;
    }
    if (ch === '#' || (ch === '/' && text[pos + 1] === '/')) {
      push(pos, text.length, KIND.comment);
      return PLAIN;
    }
    const heredoc = ch === '<' && at(HEREDOC, text, pos);
    if (heredoc) {
      push(pos, text.length, KIND.special);
      return `<<${heredoc[1]}`;
    }
    if (ch === '"') {
      const end = stringEnd(text, pos + 1);
      push(pos, end < 0 ? text.length : end, KIND.string);
      if (end < 0) return STRING;
      pos = end;
      lineStart = false;
      continue;
    }
    const number = at(DURATION, text, pos) || at(NUMBER, text, pos);
    if (number) {
      push(pos, pos + number[0].length, KIND.number);
      pos += number[0].length;
      lineStart = false;
      continue;
    }
    if (ch === '=') {
      push(pos, pos + 1, KIND.punct);
      pos++;
      afterEquals = true;
      lineStart = false;
      continue;
    }
    if ('{}[](),.'.includes(ch)) {
      push(pos, pos + 1, KIND.punct);
      pos++;
      if (ch === '{' || ch === '}') lineStart = true;
      continue;
    }
    const word = at(IDENT, text, pos);
    if (word) {
      const w = word[0];
      const from = pos;
      pos += w.length;
      const wasLineStart = lineStart;
      lineStart = false;
      let kind = KIND.variable;
      if (w === 'true' || w === 'false') kind = KIND.number;
      else if (w === 'env' && text[pos] === '(') kind = KIND.function;
      else if (wasLineStart) {
        // `name =` is an attribute; any other first word opens a block or a statement.
        if (at(EQUALS_AHEAD, text, pos)) kind = KIND.property;
        else {
          header = true;
          kind = KIND.keyword;
        }
      } else if (!afterEquals && header) kind = KIND.label;
      push(from, pos, kind);
      continue;
    }
    pos++;
  }
  return PLAIN;
}

/** The state at the start of the line after `text`, without collecting tokens when it can be seen at a glance. */
function stateAfter(text, start) {
  if (start === PLAIN && !text.includes('"') && !text.includes('<<')) return PLAIN;
  if (start.startsWith('<<') && !endsHeredoc(text, start)) return start;
  return tokenizeLine(text, start, null);
}

/** The state at the start of every line of `doc` (index 0: line 1). */
export function lineStates(doc) {
  const states = new Array(doc.lines);
  let state = PLAIN;
  let n = 0;
  for (const iter = doc.iterLines(); !iter.next().done; ) {
    states[n++] = state;
    state = stateAfter(iter.value, state);
  }
  return states;
}

/**
 * The lines of `doc` that `changes` (from `oldDoc`) touched, `{ first, last, shift }`
 * (numbers of lines of `doc`; lines after `last` are the old lines `shift` further on),
 * or null when nothing changed.
 */
function changedLines(changes, oldDoc, doc) {
  let fromB = Infinity;
  let toA = -1;
  let toB = -1;
  changes.iterChangedRanges((fA, tA, fB, tB) => {
    fromB = Math.min(fromB, fB);
    toA = Math.max(toA, tA);
    toB = Math.max(toB, tB);
  });
  if (toB < 0) return null;
  const last = doc.lineAt(toB).number;
  return { first: doc.lineAt(fromB).number, last, shift: last - oldDoc.lineAt(toA).number };
}

/**
 * The line states of `doc` after `changes` turned `oldDoc` (whose states were `states`)
 * into it: lines before the first change keep theirs, and lines from there on are redone
 * until one agrees with the old state of the same line; the rest is copied.
 */
export function updateStates(states, changes, oldDoc, doc) {
  const changed = changedLines(changes, oldDoc, doc);
  if (!changed) return states;
  const { first, last: lastB, shift } = changed;
  const out = states.slice(0, first);
  let state = out[first - 1];
  for (let n = first; n < doc.lines; n++) {
    state = stateAfter(doc.line(n).text, state);
    // out[n] is the state at the start of line n + 1, which was old line n + 1 - shift.
    if (n + 1 > lastB && states[n - shift] === state) {
      for (let k = n - shift; k < states.length; k++) out.push(states[k]);
      return out;
    }
    out.push(state);
  }
  return out;
}

/**
 * The colours of the lines of `doc` that overlap `ranges` (ascending `{ from, to }`), from
 * the line states `states`; `tokens(text, state)` gives a line's tokens.
 */
export function decorate(doc, states, ranges, tokens) {
  const builder = new RangeSetBuilder();
  addLines(builder, doc, states, ranges, 1, doc.lines, tokens);
  return builder.finish();
}

/** Adds to `add` (a builder, or anything with its `add`) the colours of lines `first`..`last` that overlap `ranges`. */
function addLines(add, doc, states, ranges, first, last, tokens) {
  let done = first - 1;
  for (const { from, to } of ranges) {
    for (let pos = Math.max(from, doc.line(first).from); pos <= to; ) {
      const line = doc.lineAt(pos);
      if (line.number > last) return;
      if (line.number > done) {
        done = line.number;
        const t = tokens(line.text, states[line.number - 1]);
        for (let i = 0; i < t.length; i += 3) add.add(line.from + t[i], line.from + t[i + 1], MARKS[t[i + 2]]);
      }
      pos = line.to + 1;
    }
  }
}

/**
 * `decorations` (the colours `decorate` gave `oldDoc`, whose line states were `oldStates`)
 * after `changes` made `doc` (line states `states`), for the same `ranges` mapped: the
 * others are mapped, and only the lines whose text or start state changed are coloured
 * anew. A keystroke then hands the view a set that shares all but one chunk with the
 * last, which the view compares in that chunk only.
 */
export function redecorate(decorations, changes, oldDoc, doc, oldStates, states, ranges, tokens) {
  const changed = changedLines(changes, oldDoc, doc);
  if (!changed) return decorations;
  const { first, shift } = changed;
  let { last } = changed;
  // The lines after the edit whose start state changed (inside a string that the edit opened).
  while (last < doc.lines && states[last] !== oldStates[last - shift]) last++;
  const add = [];
  addLines({ add: (from, to, mark) => add.push(mark.range(from, to)) }, doc, states, ranges, first, last, tokens);
  return decorations.map(changes).update({ filterFrom: doc.line(first).from, filterTo: doc.line(last).to, filter: () => false, add });
}

class Highlighter {
  constructor(view) {
    this.states = lineStates(view.state.doc);
    // Tokens per (state, line text): most lines in view are the same from one update to the next.
    this.cache = new Map();
    this.tokens = this.tokens.bind(this);
    this.decorations = decorate(view.state.doc, this.states, view.visibleRanges, this.tokens);
  }

  update(u) {
    if (u.docChanged) {
      const old = this.states;
      this.states = updateStates(old, u.changes, u.startState.doc, u.state.doc);
      // Visible ranges only mapped through the edit (typing): only the lines it changed.
      if (!u.viewportMoved) {
        this.decorations = redecorate(this.decorations, u.changes, u.startState.doc, u.state.doc, old, this.states, u.view.visibleRanges, this.tokens);
        return;
      }
    }
    if (u.docChanged || u.viewportChanged) this.decorations = decorate(u.state.doc, this.states, u.view.visibleRanges, this.tokens);
  }

  tokens(text, state) {
    const key = `${state}\n${text}`;
    let tokens = this.cache.get(key);
    if (!tokens) {
      if (this.cache.size > 4000) this.cache.clear();
      tokens = [];
      tokenizeLine(text, state, tokens);
      this.cache.set(key, tokens);
    }
    return tokens;
  }
}

/** Syntax colours for the lines in view. */
export const keyplanHighlighting = ViewPlugin.fromClass(Highlighter, { decorations: (h) => h.decorations });

/** What the editor's commands ask of a language: comment syntax, brackets, re-indent on `}`. */
export const keyplanLanguageData = EditorState.languageData.of(() => [
  {
    commentTokens: { line: '#' },
    closeBrackets: { brackets: ['(', '[', '{', '"'] },
    indentOnInput: /^\s*[}\]]$/,
  },
]);
