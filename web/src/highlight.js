// Light colouring of the read-only outputs (JSON, HCL, shell): one regular expression per
// format, spans built as DOM nodes (never HTML strings, so output text cannot inject).
import { sliced } from './slice.js';

const RULES = {
  json: /("(?:[^"\\]|\\.)*")(\s*:)?|\b(-?\d+(?:\.\d+)?)\b|\b(true|false|null)\b/g,
  hcl: /(#[^\n]*)|("(?:[^"\\]|\\.)*")|\b(path|capabilities)\b/g,
  sh: /(#[^\n]*)|('(?:[^'])*'|"(?:[^"\\]|\\.)*")|(\$\{?[A-Za-z_][A-Za-z0-9_]*\}?)|\b(vault|bao|set|export|if|then|fi|echo|exit|write|read)\b/g,
};

const CLASSES = {
  json: (m) => (m[1] ? (m[2] ? ['key', 'punct'] : ['str']) : m[3] ? ['num'] : ['kw']),
  hcl: (m) => (m[1] ? ['comment'] : m[2] ? ['str'] : ['kw']),
  sh: (m) => (m[1] ? ['comment'] : m[2] ? ['str'] : m[3] ? ['var'] : ['kw']),
};

const LIMIT = 400_000;
// Texts longer than this are drawn as blocks of CHUNK_LINES lines: all of the text at once
// (so the DOM always holds the whole output), coloured a block per slice afterwards, and
// blocks out of view skip layout (`content-visibility`, style.css).
const SMALL = 16_000;
const CHUNK_LINES = 100;

/** Colours `text` into `pre`; large texts are coloured in slices (see slice.js). */
export function highlightInto(pre, text, format) {
  const re = RULES[format];
  if (text.length <= SMALL) {
    pre.replaceChildren(re ? highlighted(text, format) : text);
    return;
  }
  const chunks = [];
  const frag = document.createDocumentFragment();
  for (let start = 0; start < text.length; ) {
    let end = start;
    let lines = 0;
    while (lines < CHUNK_LINES && end < text.length) {
      const nl = text.indexOf('\n', end);
      end = nl < 0 ? text.length : nl + 1;
      lines++;
    }
    const block = document.createElement('div');
    block.className = 'chunk';
    block.style.setProperty('--lines', lines);
    block.textContent = text.slice(start, end);
    frag.append(block);
    chunks.push(block);
    start = end;
  }
  pre.replaceChildren(frag);
  if (!re || text.length > LIMIT) return;
  sliced(
    'highlight',
    chunks.map((block) => () => block.replaceChildren(highlighted(block.textContent, format))),
  );
}

function highlighted(text, format) {
  const re = RULES[format];
  const frag = document.createDocumentFragment();
  let last = 0;
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > last) frag.append(text.slice(last, m.index));
    const classes = CLASSES[format](m);
    if (format === 'json' && m[1] && m[2]) {
      frag.append(span('key', m[1]), m[2]);
    } else {
      frag.append(span(classes[0], m[0]));
    }
    last = m.index + m[0].length;
  }
  if (last < text.length) frag.append(text.slice(last));
  return frag;
}

function span(cls, text) {
  const s = document.createElement('span');
  s.className = `t-${cls}`;
  s.textContent = text;
  return s;
}
