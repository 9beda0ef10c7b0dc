// Light colouring of the read-only outputs (JSON, HCL, shell): one regular expression per
// format, spans built as DOM nodes (never HTML strings, so output text cannot inject).

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

// Texts longer than this are drawn as blocks of CHUNK_LINES lines, each filled with its
// text (coloured) only when it comes near the view: a 1 MB output of API calls would
// otherwise take the tab switch hundreds of milliseconds of style and layout, however
// few of its lines are on screen. An empty block keeps its height (style.css), so the
// scroll bar is right from the start.
const SMALL = 16_000;
const CHUNK_LINES = 100;
// How far outside the view (px) blocks are filled ahead of scrolling.
const AHEAD = '1200px 0px';

let filling = null;

/** Colours `text` into `pre`; a large text fills its blocks as `root` (the scroller) shows them. */
export function highlightInto(pre, text, format, root = null) {
  filling?.disconnect();
  filling = null;
  const re = RULES[format];
  if (text.length <= SMALL) {
    pre.replaceChildren(re ? highlighted(text, format) : text);
    return;
  }
  const texts = new Map();
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
    texts.set(block, [start, end]);
    frag.append(block);
    start = end;
  }
  pre.replaceChildren(frag);
  const observer = new IntersectionObserver(
    (entries) => {
      for (const e of entries) {
        if (!e.isIntersecting || !texts.has(e.target)) continue;
        const [from, to] = texts.get(e.target);
        texts.delete(e.target);
        observer.unobserve(e.target);
        const part = text.slice(from, to);
        e.target.replaceChildren(re ? highlighted(part, format) : part);
      }
    },
    { root, rootMargin: AHEAD },
  );
  for (const block of texts.keys()) observer.observe(block);
  filling = observer;
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
