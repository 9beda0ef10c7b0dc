// The resource graph as SVG: one column per apply level (left to right), workloads in a
// last column, edges drawn from a resource to what depends on it.

const NS = 'http://www.w3.org/2000/svg';
const NODE_W = 196;
const NODE_H = 46;
const COL_GAP = 84;
const ROW_GAP = 16;
const PAD = 24;

export const KIND_LABEL = {
  'auth-mount': 'auth method',
  'secrets-mount': 'secrets engine',
  config: 'config',
  role: 'role',
  connection: 'connection',
  policy: 'policy',
  token: 'token',
  workload: 'workload',
  extern: 'extern policy',
};

function el(name, attrs = {}, text) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

function truncate(s, n) {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** Node positions: columns from `levels`, rows ordered by the mean row of predecessors. */
export function layout(view) {
  const nodes = view.nodes.map((n, i) => ({ ...n, index: i }));
  const columns = view.levels.map((level) => level.slice());
  // Workloads: a last column, linked to the resources derived from them.
  const extraEdges = [];
  if (view.workloads.length) {
    const col = [];
    for (const w of view.workloads) {
      const index = nodes.length;
      nodes.push({ id: `workload/${w.name}`, kind: 'workload', name: w.name, path: w.policy, index, workload: w.name });
      col.push(index);
      nodes.forEach((n) => {
        if (n.kind !== 'workload' && n.workload === w.name) extraEdges.push({ from: n.index, to: index, derived: true });
      });
    }
    columns.push(col);
  }
  const preds = new Map();
  for (const e of [...view.edges, ...extraEdges]) {
    if (!preds.has(e.to)) preds.set(e.to, []);
    preds.get(e.to).push(e.from);
  }
  const row = new Map();
  columns.forEach((col) => {
    const key = (i) => {
      const ps = (preds.get(i) || []).filter((p) => row.has(p));
      return ps.length ? ps.reduce((a, p) => a + row.get(p), 0) / ps.length : Number.MAX_SAFE_INTEGER / 2 + i;
    };
    col.sort((a, b) => key(a) - key(b) || a - b);
    col.forEach((i, r) => row.set(i, r));
  });
  const tallest = Math.max(1, ...columns.map((c) => c.length));
  const height = PAD * 2 + tallest * NODE_H + (tallest - 1) * ROW_GAP;
  const pos = new Map();
  columns.forEach((col, c) => {
    const colHeight = col.length * NODE_H + (col.length - 1) * ROW_GAP;
    const top = (height - colHeight) / 2;
    col.forEach((i, r) => pos.set(i, { x: PAD + c * (NODE_W + COL_GAP), y: top + r * (NODE_H + ROW_GAP) }));
  });
  const width = PAD * 2 + columns.length * NODE_W + Math.max(0, columns.length - 1) * COL_GAP;
  return { nodes, edges: [...view.edges, ...extraEdges], pos, width, height, columns };
}

/** Renders the graph into `container`; `onPick(node)` is called when a node is clicked. */
export function renderGraph(container, view, onPick) {
  container.replaceChildren();
  if (!view || view.nodes.length === 0) {
    const empty = document.createElement('p');
    empty.className = 'empty';
    empty.textContent = view ? 'The program declares no resources.' : 'Fix the errors to see the graph.';
    container.append(empty);
    return;
  }
  const g = layout(view);
  const svg = el('svg', {
    class: 'graph',
    'data-testid': 'graph',
    viewBox: `0 0 ${g.width} ${g.height}`,
    width: g.width,
    height: g.height,
    role: 'img',
    'aria-label': 'resource graph',
  });
  const defs = el('defs');
  const marker = el('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
  marker.append(el('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' }));
  defs.append(marker);
  svg.append(defs);

  // Level captions.
  g.columns.forEach((col, c) => {
    const isWorkloads = view.workloads.length && c === g.columns.length - 1;
    svg.append(el('text', { x: PAD + c * (NODE_W + COL_GAP) + NODE_W / 2, y: 14, class: 'level-caption', 'text-anchor': 'middle' }, isWorkloads ? 'workloads' : `step ${c + 1}`));
  });

  const edgeLayer = el('g', { class: 'edges' });
  for (const e of g.edges) {
    const a = g.pos.get(e.from);
    const b = g.pos.get(e.to);
    if (!a || !b) continue;
    const x1 = a.x + NODE_W;
    const y1 = a.y + NODE_H / 2;
    const x2 = b.x;
    const y2 = b.y + NODE_H / 2;
    let d;
    if (x2 > x1) {
      const dx = (x2 - x1) / 2;
      d = `M${x1},${y1} C${x1 + dx},${y1} ${x2 - dx},${y2} ${x2},${y2}`;
    } else {
      // Same column (should not happen with levels): loop around the right.
      d = `M${x1},${y1} C${x1 + 40},${y1} ${x1 + 40},${y2} ${x2 + NODE_W},${y2}`;
    }
    const path = el('path', { d, class: e.derived ? 'edge derived' : 'edge', 'marker-end': 'url(#arrow)' });
    path.dataset.from = e.from;
    path.dataset.to = e.to;
    edgeLayer.append(path);
  }
  svg.append(edgeLayer);

  const nodeLayer = el('g', { class: 'nodes' });
  for (const n of g.nodes) {
    const p = g.pos.get(n.index);
    if (!p) continue;
    const group = el('g', { class: `node kind-${n.kind}`, transform: `translate(${p.x},${p.y})`, tabindex: 0, 'data-testid': 'graph-node', 'data-id': n.id });
    group.append(el('title', {}, `${n.id}${n.path && n.path !== n.id ? `\nPOST ${n.path}` : ''}${n.line ? `\nline ${n.line}` : ''}`));
    group.append(el('rect', { width: NODE_W, height: NODE_H, rx: 9, class: 'box' }));
    group.append(el('rect', { width: 5, height: NODE_H - 12, x: 6, y: 6, rx: 2.5, class: 'stripe' }));
    group.append(el('text', { x: 18, y: 19, class: 'node-kind' }, (KIND_LABEL[n.kind] || n.kind).toUpperCase()));
    group.append(el('text', { x: 18, y: 36, class: 'node-name' }, truncate(n.kind === 'config' || n.kind === 'token' ? n.id : n.name, 28)));
    group.addEventListener('click', () => onPick && onPick(n));
    group.addEventListener('mouseenter', () => highlight(svg, n.index, true));
    group.addEventListener('mouseleave', () => highlight(svg, n.index, false));
    nodeLayer.append(group);
  }
  svg.append(nodeLayer);

  const legend = document.createElement('div');
  legend.className = 'legend';
  const kinds = [...new Set(g.nodes.map((n) => n.kind))];
  for (const k of kinds) {
    const item = document.createElement('span');
    item.className = `legend-item kind-${k}`;
    item.innerHTML = '<i></i>';
    item.append(KIND_LABEL[k] || k);
    legend.append(item);
  }
  const hint = document.createElement('span');
  hint.className = 'legend-hint';
  hint.textContent = 'arrows: must exist first → · click a node to jump to its source';
  legend.append(hint);
  const scroller = document.createElement('div');
  scroller.className = 'graph-scroll';
  scroller.append(svg);
  container.append(legend, scroller);
}

function highlight(svg, index, on) {
  svg.classList.toggle('focusing', on);
  for (const p of svg.querySelectorAll('path.edge')) {
    const hit = Number(p.dataset.from) === index || Number(p.dataset.to) === index;
    p.classList.toggle('hot', on && hit);
  }
}
