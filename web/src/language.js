// keyplan syntax highlighting. Lexical and structural only (no keyword lists), so that
// it never disagrees with the compiler: the first word of a line is a block keyword or a
// statement verb, a word before `=` is an attribute, a word after `=` is a reference.
import { StreamLanguage, HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { tags as t } from '@lezer/highlight';

const IDENT = /^[A-Za-z_][A-Za-z0-9_-]*/;
const DURATION = /^[0-9]+(s|m|h|d)\b/;
const NUMBER = /^[0-9]+\b/;

function tokenString(stream, state) {
  let escaped = false;
  let ch;
  while ((ch = stream.next()) != null) {
    if (ch === '"' && !escaped) {
      state.inString = false;
      return 'string';
    }
    escaped = !escaped && ch === '\\';
  }
  return 'string';
}

export const keyplanLanguage = StreamLanguage.define({
  name: 'keyplan',
  startState: () => ({ inString: false, heredoc: null, lineStart: true, afterEquals: false, header: false }),
  copyState: (s) => ({ ...s }),
  token(stream, state) {
    if (stream.sol()) {
      state.lineStart = true;
      state.afterEquals = false;
      state.header = false;
    }
    if (state.heredoc) {
      if (stream.match(new RegExp(`^\\s*${state.heredoc}\\s*$`))) {
        state.heredoc = null;
        return 'string.special';
      }
      stream.skipToEnd();
      return 'string';
    }
    if (state.inString) return tokenString(stream, state);
    if (stream.eatSpace()) return null;

    if (stream.match('#') || stream.match('//')) {
      stream.skipToEnd();
      return 'comment';
    }
    const heredoc = stream.match(/^<<-?([A-Za-z_][A-Za-z0-9_]*)/);
    if (heredoc) {
      state.heredoc = heredoc[1];
      stream.skipToEnd();
      return 'string.special';
    }
    if (stream.peek() === '"') {
      stream.next();
      state.inString = true;
      state.lineStart = false;
      return tokenString(stream, state);
    }
    if (stream.match(DURATION)) {
      state.lineStart = false;
      return 'unit';
    }
    if (stream.match(NUMBER)) {
      state.lineStart = false;
      return 'number';
    }
    const ch = stream.peek();
    if (ch === '=') {
      stream.next();
      state.afterEquals = true;
      state.lineStart = false;
      return 'operator';
    }
    if ('{}[](),'.includes(ch)) {
      stream.next();
      if (ch === '{' || ch === '}') state.lineStart = true;
      return ch === '{' || ch === '}' ? 'brace' : 'punctuation';
    }
    if (ch === '.') {
      stream.next();
      return 'punctuation';
    }
    const word = stream.match(IDENT);
    if (word) {
      const w = word[0];
      const wasLineStart = state.lineStart;
      state.lineStart = false;
      if (w === 'true' || w === 'false') return 'bool';
      if (w === 'env' && stream.peek() === '(') return 'function';
      if (wasLineStart) {
        // `name =` is an attribute; any other first word opens a block or a statement.
        if (stream.match(/^\s*=/, false)) return 'propertyName';
        state.header = true;
        return 'keyword';
      }
      if (state.afterEquals) return 'variableName';
      if (state.header) return 'labelName';
      return 'variableName';
    }
    stream.next();
    return null;
  },
  languageData: {
    commentTokens: { line: '#' },
    closeBrackets: { brackets: ['(', '[', '{', '"'] },
    indentOnInput: /^\s*[}\]]$/,
  },
  tokenTable: {
    unit: t.unit,
    brace: t.brace,
    bool: t.bool,
    labelName: t.labelName,
    propertyName: t.propertyName,
    'string.special': t.special(t.string),
    function: t.function(t.variableName),
  },
});

export const keyplanHighlight = syntaxHighlighting(
  HighlightStyle.define([
    { tag: t.keyword, color: '#7c3aed', fontWeight: '600' },
    { tag: t.labelName, color: '#0f766e' },
    { tag: t.propertyName, color: '#1d4ed8' },
    { tag: [t.string, t.special(t.string)], color: '#b45309' },
    { tag: [t.number, t.unit, t.bool], color: '#be123c' },
    { tag: t.comment, color: '#94a3b8', fontStyle: 'italic' },
    { tag: t.variableName, color: '#0f172a' },
    { tag: t.function(t.variableName), color: '#c026d3' },
    { tag: [t.brace, t.punctuation, t.operator], color: '#64748b' },
  ]),
);
