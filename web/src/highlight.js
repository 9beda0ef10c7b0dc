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

const LIMIT = 400_000;

export function highlightInto(pre, text, format) {
  const re = RULES[format];
  if (!re || text.length > LIMIT) {
    pre.textContent = text;
    return;
  }
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
  pre.replaceChildren(frag);
}

function span(cls, text) {
  const s = document.createElement('span');
  s.className = `t-${cls}`;
  s.textContent = text;
  return s;
}
