// The resource graph as SVG, top to bottom: one band per apply step (a graph level: a
// step's resources depend only on earlier steps), then the workloads. A band wraps onto
// more lines when it is wider than the pane, so the graph always fits its width and
// grows downwards, where the pane has room.

const NS = 'http://www.w3.org/2000/svg';
const NODE_W = 168;
const NODE_H = 44;
const GAP_X = 14;
const GAP_LINE = 12;
const GAP_BAND = 46;
const CAPTION = 18;
const PAD = 16;

export const KIND_LABEL = {
  'auth-mount': 'auth method',
  'secrets-mount': 'secrets engine',
  config: 'config',
  role: 'role',
  connection: 'connection',
  policy: 'policy',
  token: 'token',
  action: 'rotate root',
  workload: 'workload',
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

/** Node positions for a pane `width` pixels wide. */
export function layout(view, width) {
  const nodes = view.nodes.map((n, i) => ({ ...n, index: i }));
  const bands = view.levels.map((level, i) => ({ caption: `step ${i + 1}`, nodes: level.slice() }));
  // Workloads: a last band, linked to the resources derived from them.
  const extraEdges = [];
  if (view.workloads.length) {
    const band = [];
    // The resources derived from each workload, found once (not a scan of every node per workload).
    const derived = new Map();
    for (const n of nodes) {
      if (n.workload == null) continue;
      if (!derived.has(n.workload)) derived.set(n.workload, []);
      derived.get(n.workload).push(n.index);
    }
    for (const w of view.workloads) {
      const index = nodes.length;
      nodes.push({ id: `workload ${w.name}`, kind: 'workload', name: w.name, index, workload: w.name, line: w.line });
      band.push(index);
      for (const from of derived.get(w.name) || []) extraEdges.push({ from, to: index, derived: true });
    }
    bands.push({ caption: 'workloads', nodes: band });
  }
  const edges = [...view.edges, ...extraEdges];
  const preds = new Map();
  for (const e of edges) {
    if (!preds.has(e.to)) preds.set(e.to, []);
    preds.get(e.to).push(e.from);
  }

  const perLine = Math.max(1, Math.floor((width - 2 * PAD + GAP_X) / (NODE_W + GAP_X)));
  const pos = new Map();
  const captions = [];
  let y = PAD;
  let widest = 0;
  for (const band of bands) {
    // Order a band by the mean x of what it depends on: fewer crossings.
    const key = (i) => {
      const xs = (preds.get(i) || []).filter((p) => pos.has(p)).map((p) => pos.get(p).x);
      return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.MAX_SAFE_INTEGER / 2 + i;
    };
    const keys = new Map(band.nodes.map((i) => [i, key(i)]));
    const order = band.nodes.slice().sort((a, b) => keys.get(a) - keys.get(b) || a - b);
    captions.push({ y, text: band.caption });
    y += CAPTION;
    for (let start = 0; start < order.length; start += perLine) {
      const line = order.slice(start, start + perLine);
      const lineWidth = line.length * NODE_W + (line.length - 1) * GAP_X;
      widest = Math.max(widest, lineWidth);
      line.forEach((i, k) => pos.set(i, { x: k * (NODE_W + GAP_X), y, lineWidth }));
      y += NODE_H + GAP_LINE;
    }
    y += GAP_BAND - GAP_LINE;
  }
  const total = Math.max(widest + 2 * PAD, Math.min(width, perLine * (NODE_W + GAP_X) - GAP_X + 2 * PAD));
  // Centre each line.
  for (const p of pos.values()) p.x += (total - p.lineWidth) / 2;
  return { nodes, edges, pos, captions, width: total, height: y - GAP_BAND + PAD + GAP_LINE };
}

/** Renders the graph into `container`; `onPick(node)` is called when a node is clicked. */
export function renderGraph(container, view, onPick, { all = false, width = null } = {}) {
  container.replaceChildren();
  if (!view || view.nodes.length === 0) {
    const empty = document.createElement('p');
    empty.className = 'empty';
    empty.textContent = view ? 'The program declares no resources.' : 'Fix the errors to see the graph.';
    container.append(empty);
    return;
  }
  let inner = width;
  if (inner == null) {
    const style = getComputedStyle(container);
    inner = container.clientWidth - parseFloat(style.paddingLeft || '0') - parseFloat(style.paddingRight || '0');
  }
  if (!all) shownWidth = inner;
  const g = layout(view, Math.max(inner || 0, 2 * NODE_W + GAP_X + 2 * PAD));
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
  const marker = el('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto-start-reverse' });
  marker.append(el('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' }));
  defs.append(marker);
  svg.append(defs);

  for (const c of g.captions) {
    svg.append(el('text', { x: PAD, y: c.y + 11, class: 'level-caption' }, c.text));
    svg.append(el('line', { x1: PAD + 70, x2: g.width - PAD, y1: c.y + 7, y2: c.y + 7, class: 'level-rule' }));
  }

  // Only what is near the view is drawn, again as the pane scrolls: a program of
  // thousands of resources has tens of thousands of SVG elements, which the page would
  // style, lay out and paint on every frame, typing included.
  const edgeLayer = el('g', { class: 'edges' });
  const nodeLayer = el('g', { class: 'nodes' });
  svg.append(edgeLayer, nodeLayer);
  const drawnNodes = new Map();
  const drawnEdges = new Map();
  const scroller = all ? null : container.closest('.output') || container.parentElement;
  function draw() {
    let top = 0;
    let bottom = g.height;
    if (scroller && svg.isConnected) {
      const offset = svg.getBoundingClientRect().top - scroller.getBoundingClientRect().top;
      top = -offset - AHEAD;
      bottom = -offset + scroller.clientHeight + AHEAD;
    }
    const nodes = new Set();
    for (const n of g.nodes) {
      const p = g.pos.get(n.index);
      if (p && p.y + NODE_H >= top && p.y <= bottom) nodes.add(n.index);
    }
    const edges = new Set();
    g.edges.forEach((e, i) => {
      const a = g.pos.get(e.from);
      const b = g.pos.get(e.to);
      if (a && b && Math.max(a.y, b.y) + NODE_H >= top && Math.min(a.y, b.y) <= bottom) edges.add(i);
    });
    sync(drawnNodes, nodes, nodeLayer, (i) => drawNode(svg, g.nodes[i], g.pos.get(i), onPick));
    sync(drawnEdges, edges, edgeLayer, (i) => drawEdge(g.edges[i], g.pos.get(g.edges[i].from), g.pos.get(g.edges[i].to)));
  }
  if (!all) detachScroll?.();
  let frame = 0;
  const onScroll = () => {
    frame ||= requestAnimationFrame(() => {
      frame = 0;
      if (svg.isConnected) draw();
    });
  };
  if (scroller) {
    scroller.addEventListener('scroll', onScroll, { passive: true });
    detachScroll = () => scroller.removeEventListener('scroll', onScroll);
  }

  const legend = document.createElement('div');
  legend.className = 'legend';
  for (const k of [...new Set(g.nodes.map((n) => n.kind))]) {
    const item = document.createElement('span');
    item.className = `legend-item kind-${k}`;
    item.append(document.createElement('i'), KIND_LABEL[k] || k);
    legend.append(item);
  }
  const hint = document.createElement('span');
  hint.className = 'legend-hint';
  hint.textContent = 'arrows point from what must exist first · click a node for its source';
  legend.append(hint);
  container.append(legend, svg);
  draw();
}

/** How far outside the view (px) the graph is drawn ahead of scrolling. */
const AHEAD = 900;
let detachScroll = null;
/** The width the pane's graph was laid out for. */
let shownWidth = null;

/** Makes `drawn` (key -> element in `layer`) hold exactly the keys in `want`. */
function sync(drawn, want, layer, make) {
  for (const [key, node] of drawn) {
    if (!want.has(key)) {
      node.remove();
      drawn.delete(key);
    }
  }
  for (const key of want) {
    if (!drawn.has(key)) {
      const node = make(key);
      drawn.set(key, node);
      layer.append(node);
    }
  }
}

/** The whole graph as a standalone SVG element (for Download and Copy), laid out as the pane's. */
export function graphSvg(view) {
  const box = document.createElement('div');
  renderGraph(box, view, null, { all: true, width: shownWidth ?? 800 });
  return box.querySelector('svg');
}

function drawEdge(e, a, b) {
  const x1 = a.x + NODE_W / 2;
  const y1 = a.y + NODE_H;
  const x2 = b.x + NODE_W / 2;
  const y2 = b.y;
  const dy = Math.max(24, (y2 - y1) / 2);
  const path = el('path', {
    d: `M${x1},${y1} C${x1},${y1 + dy} ${x2},${y2 - dy} ${x2},${y2 - 1}`,
    class: e.derived ? 'edge derived' : 'edge',
    'marker-end': 'url(#arrow)',
  });
  path.dataset.from = e.from;
  path.dataset.to = e.to;
  return path;
}

// A node's shapes carry its position: a `transform` per node would be a paint property
// node each, with paint chunks of its own, and Chromium's layerization walks every chunk of
// the page in every frame, the frames that draw a keystroke in the editor included.
function drawNode(svg, n, p, onPick) {
  const group = el('g', { class: `node kind-${n.kind}`, tabindex: 0, 'data-testid': 'graph-node', 'data-id': n.id });
  const tip = n.kind === 'workload' ? `workload ${n.name}` : `${n.id}${n.path && n.path !== n.id ? `\nPOST ${n.path}` : ''}`;
  group.append(el('title', {}, `${tip}${n.line ? `\nline ${n.line}` : ''}`));
  group.append(el('rect', { x: p.x, y: p.y, width: NODE_W, height: NODE_H, rx: 9, class: 'box' }));
  group.append(el('rect', { width: 4, height: NODE_H - 14, x: p.x + 7, y: p.y + 7, rx: 2, class: 'stripe' }));
  group.append(el('text', { x: p.x + 18, y: p.y + 18, class: 'node-kind' }, (KIND_LABEL[n.kind] || n.kind).toUpperCase()));
  group.append(el('text', { x: p.x + 18, y: p.y + 34, class: 'node-name' }, truncate(n.kind === 'config' || n.kind === 'token' ? n.id : n.name, 20)));
  group.addEventListener('click', () => onPick && onPick(n));
  group.addEventListener('mouseenter', () => highlight(svg, n.index, true));
  group.addEventListener('mouseleave', () => highlight(svg, n.index, false));
  return group;
}

function highlight(svg, index, on) {
  svg.classList.toggle('focusing', on);
  for (const p of svg.querySelectorAll('path.edge')) {
    const hit = Number(p.dataset.from) === index || Number(p.dataset.to) === index;
    p.classList.toggle('hot', on && hit);
  }
}
