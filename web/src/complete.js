// Completion of block keywords, statement verbs, attribute names and capability words,
// from the compiler's own schema (json_api::schema): this file holds no schema data.

import { StateField } from '@codemirror/state';

/**
 * The block context at `pos`: enclosing block headers (`auth jwt`, `role`) joined as
 * json_api names them (`auth jwt/role`), or null inside a map value or a string.
 *
 * `start` resumes a scan at a line start whose state is known (a checkpoint: `text`
 * then begins there, and `stack` is the blocks open at it); `record(at, stack)` is told
 * line starts on the way (offsets in `text`) to keep as checkpoints.
 */
export function contextAt(text, pos, start = null, record = null) {
  const stack = start ? start.map((h) => h && h.slice()) : [];
  let header = [];
  let lineHasEquals = false;
  let i = 0;
  let inString = false;
  let heredoc = null;
  const end = Math.min(pos, text.length);
  while (i < end) {
    const ch = text[i];
    if (heredoc) {
      const nl = text.indexOf('\n', i);
      const lineEnd = nl < 0 ? text.length : nl;
      // The compiler's rule: the marker alone, indented only after `<<-` (`heredoc` '-TAG').
      const line = text.slice(i, lineEnd).replace(/\r$/, '');
      if (heredoc[0] === '-' ? line.replace(/^[ \t]*/, '') === heredoc.slice(1) : line === heredoc) heredoc = null;
      i = lineEnd + 1;
      continue;
    }
    if (inString) {
      if (ch === '\\') i += 2;
      else {
        if (ch === '"') inString = false;
        i += 1;
      }
      continue;
    }
    if (ch === '"') {
      inString = true;
      i += 1;
    } else if (ch === '#' || (ch === '/' && text[i + 1] === '/')) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl;
    } else if (ch === '<' && text[i + 1] === '<') {
      const m = /^<<(-?[A-Za-z_][A-Za-z0-9_]*)/.exec(text.slice(i, i + 64));
      if (m) {
        heredoc = m[1];
        const nl = text.indexOf('\n', i);
        i = nl < 0 ? text.length : nl + 1;
      } else i += 2;
    } else if (ch === '\n') {
      header = [];
      lineHasEquals = false;
      i += 1;
      // Here the whole state is the stack of open blocks: a checkpoint.
      record?.(i, stack);
    } else if (ch === '=') {
      lineHasEquals = true;
      i += 1;
    } else if (ch === '{') {
      // A `{` after `=` (or inside a value) is a map, not a block.
      stack.push(lineHasEquals || (stack.length && stack[stack.length - 1] === null) ? null : header.slice());
      header = [];
      lineHasEquals = false;
      i += 1;
    } else if (ch === '}') {
      stack.pop();
      header = [];
      i += 1;
    } else if (/[A-Za-z_]/.test(ch)) {
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(text.slice(i, i + 256));
      header.push(m[0]);
      i += m[0].length;
    } else i += 1;
  }
  if (inString || heredoc) return null;
  if (stack.some((h) => h === null)) return null;
  const parts = stack.map((h, depth) => {
    const [keyword = '', first = ''] = h;
    return depth === 0 && (keyword === 'auth' || keyword === 'secrets') ? `${keyword} ${first}` : keyword;
  });
  return parts.join('/');
}

// The scan of `contextAt` from the start of the document to the cursor was redone for
// every completion (every typed letter) and hover: on a 2,000-line program, tens of
// thousands of characters on the main thread, while the next keystroke waits. The state
// at line starts is kept instead, about every CHECKPOINT_EVERY characters, and an edit
// drops only the checkpoints after it.
const CHECKPOINT_EVERY = 2048;

/** Line starts with the blocks open there, in document order: `{ pos, stack }`. */
export const contextCheckpoints = StateField.define({
  create: () => [],
  update(points, tr) {
    if (!tr.docChanged || points.length === 0) return points;
    let first = Infinity;
    tr.changes.iterChangedRanges((fromA) => (first = Math.min(first, fromA)));
    // A checkpoint's state depends only on the text before it.
    let keep = points.length;
    while (keep > 0 && points[keep - 1].pos > first) keep--;
    return keep === points.length ? points : points.slice(0, keep);
  },
});

/** `contextAt(doc text, pos)` of an editor state, resuming from its nearest checkpoint. */
export function contextAtState(state, pos) {
  const points = state.field(contextCheckpoints, false);
  if (!points) return contextAt(state.doc.sliceString(0, pos), pos);
  let k = points.length;
  while (k > 0 && points[k - 1].pos > pos) k--;
  const from = k > 0 ? points[k - 1].pos : 0;
  const added = [];
  let next = from + CHECKPOINT_EVERY;
  const record = (at, stack) => {
    if (from + at < next) return;
    added.push({ pos: from + at, stack: stack.map((h) => h && h.slice()) });
    next = from + at + CHECKPOINT_EVERY;
  };
  const context = contextAt(state.doc.sliceString(from, pos), pos - from, k > 0 ? points[k - 1].stack : null, record);
  // The field's array is a cache of this document's scan: growing it changes no answer.
  if (added.length) points.splice(k, 0, ...added.filter((p) => k === points.length || p.pos < points[k].pos));
  return context;
}

const typeHint = {
  string: 'string',
  int: 'integer',
  bool: 'bool',
  duration: 'duration',
  list: 'list',
  'comma-list': 'list',
  map: 'map',
  any: 'value',
};

function fieldTemplate(f) {
  switch (f.type) {
    case 'string':
      return `${f.name} = ""`;
    case 'list':
    case 'comma-list':
      return `${f.name} = []`;
    case 'map':
      return `${f.name} = {}`;
    default:
      return `${f.name} = `;
  }
}

/** A CodeMirror completion source over the compiler's schema (a getter: it loads late). */
export function keyplanCompletion(getSchema) {
  return (cx) => {
    const schema = getSchema();
    if (!schema) return null;
    const word = cx.matchBefore(/[A-Za-z_][A-Za-z0-9_-]*/);
    if (!word && !cx.explicit) return null;
    const from = word ? word.from : cx.pos;
    const ctx = contextAtState(cx.state, from);
    if (ctx === null) return null;
    const line = cx.state.doc.lineAt(cx.pos);
    const before = line.text.slice(0, from - line.from);
    const blocks = new Map(schema.blocks.map((b) => [b.context, b]));

    // References: names this program declares.
    const ref = /\b([a-z_]+)\s*=\s*(\[[^\]]*)?$/.exec(before);
    const refKind = ref && REFERENCES[ref[1]];
    if (refKind && ref[1] !== 'capabilities') {
      const names = declared(cx.state.doc.toString(), refKind);
      return names.length ? { from, options: names.map((n) => ({ label: n, type: 'variable', detail: refKind })), validFor: /^[A-Za-z0-9_-]*$/ } : null;
    }

    // After `=` on a capabilities line: capability words.
    if (/capabilities\s*=\s*\[[^\]]*$/.test(before)) {
      return {
        from,
        options: schema.capabilities.map((c) => ({ label: c, type: 'enum' })),
        validFor: /^[A-Za-z_]*$/,
      };
    }
    if (before.includes('=')) return null;

    const prefix = before.trim();
    // Second word of `auth ` / `secrets `: the engine types the compiler knows.
    if (ctx === '' && (prefix === 'auth' || prefix === 'secrets')) {
      const types = schema.blocks
        .map((b) => b.context)
        .filter((c) => c.startsWith(`${prefix} `) && !c.includes('/'))
        .map((c) => c.slice(prefix.length + 1));
      return { from, options: types.map((label) => ({ label, type: 'type' })), validFor: /^[A-Za-z_]*$/ };
    }
    if (prefix === 'extern') {
      return { from, options: [{ label: 'policy', type: 'keyword' }] };
    }
    if (prefix !== '') return null;

    const block = blocks.get(ctx);
    if (!block) return null;
    const options = [
      ...block.blocks.map((b) => ({
        label: b,
        type: 'keyword',
        detail: 'block',
        info: blocks.get(ctx ? `${ctx}/${b}` : b)?.doc ?? undefined,
        boost: 2,
      })),
      ...block.statements.map((s) => ({ label: s, type: 'function', detail: 'statement', apply: `${s} ` })),
      ...block.fields.map((f) => ({
        label: f.name,
        type: 'property',
        detail: typeHint[f.type] ?? f.type,
        info: [f.description, f.allowed?.length ? `one of: ${f.allowed.join(', ')}` : '']
          .filter(Boolean)
          .join('\n') || undefined,
        apply: fieldTemplate(f),
        boost: f.required ? 1 : 0,
      })),
    ];
    return { from, options, validFor: /^[A-Za-z_][A-Za-z0-9_-]*$/ };
  };
}

/** Attributes whose bare-word values name something the program declares. */
const REFERENCES = {
  token_policies: 'policy',
  policies: 'policy',
  allowed_policies: 'policy',
  disallowed_policies: 'policy',
  role: 'token role',
  db_name: 'connection',
  allowed_roles: 'role',
};

/** Names declared in `text` that a reference of `kind` may name (lexical: for completion only). */
export function declared(text, kind) {
  const found = new Set();
  const re = {
    policy: /^\s*(?:extern\s+)?(?:policy|workload)\s+([A-Za-z_][A-Za-z0-9_-]*)/gm,
    'token role': /^\s*role\s+([A-Za-z_][A-Za-z0-9_-]*)/gm,
    role: /^\s*role\s+([A-Za-z_][A-Za-z0-9_-]*)/gm,
    connection: /^\s*connection\s+([A-Za-z_][A-Za-z0-9_-]*)/gm,
  }[kind];
  for (let m = re.exec(text); m; m = re.exec(text)) found.add(m[1]);
  return [...found].sort();
}

/** Hover documentation of attribute names and block keywords, from the schema. */
export function keyplanHover(getSchema) {
  return (view, pos) => {
    const schema = getSchema();
    if (!schema) return null;
    const line = view.state.doc.lineAt(pos);
    const m = /^(\s*)([A-Za-z_][A-Za-z0-9_-]*)/.exec(line.text);
    if (!m) return null;
    const from = line.from + m[1].length;
    const to = from + m[2].length;
    if (pos < from || pos > to) return null;
    const ctx = contextAtState(view.state, from);
    if (ctx === null) return null;
    const blocks = new Map(schema.blocks.map((b) => [b.context, b]));
    const rest = line.text.slice(m[0].length);
    let title;
    let body;
    if (/^\s*=/.test(rest)) {
      const field = blocks.get(ctx)?.fields.find((f) => f.name === m[2]);
      if (!field) return null;
      title = `${field.name}: ${typeHint[field.type] ?? field.type}${field.required ? ' (required)' : ''}`;
      body = [field.description, field.allowed?.length ? `one of: ${field.allowed.join(', ')}` : ''].filter(Boolean).join('\n');
    } else {
      const label = /^\s+([A-Za-z_][A-Za-z0-9_-]*)/.exec(rest);
      const key = ctx === '' && (m[2] === 'auth' || m[2] === 'secrets') && label ? `${m[2]} ${label[1]}` : ctx ? `${ctx}/${m[2]}` : m[2];
      const block = blocks.get(key);
      if (!block) return null;
      title = key.split('/').pop();
      body = block.doc + (block.endpoint ? `\nschema: ${block.endpoint}` : '');
    }
    return {
      pos: from,
      end: to,
      above: true,
      create() {
        const dom = document.createElement('div');
        dom.className = 'hover-doc';
        dom.append(Object.assign(document.createElement('div'), { className: 'hover-title', textContent: title }));
        if (body) dom.append(Object.assign(document.createElement('div'), { className: 'hover-body', textContent: body }));
        return { dom };
      },
    };
  };
}
