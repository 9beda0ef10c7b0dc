// The access matrix: what each identity (workload, role, token role, token) may do on
// each path pattern. The data is the compiler's (`view.access`, the same document as
// `keyplan access --format json`): this file only draws it. Policies whose rules are not
// known here (`extern policy`) are named in the column header; the built-in `default`'s
// rules are the target's stock ones, rows like any other.
// Below the table, explain (the capabilities of one identity, or each, on concrete paths
// and the rule that decided them, by Vault's own ACL order) and claim simulation (which
// JWT roles a token with given claims logs in to).

const el = (tag, props = {}, ...children) => {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
};

import { nextFrame } from './slice.js';

const loginText = (id) =>
  Object.entries(id.login?.fields || {})
    .map(([k, v]) => `${k} = ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join('\n');

/**
 * Draws the matrix of `view.access` into `container`, with explain and claim simulation
 * below it. `pane` (`{ width, height }`, optional): the size of the pane it will show in,
 * so that a large matrix draws only the rows and columns in view before it is in the page.
 */
export function renderMatrix(container, view, simulateClaims, explainPaths, pane) {
  container.replaceChildren();
  if (!view) {
    container.append(el('p', { className: 'empty', textContent: 'Fix the errors to see the access matrix.' }));
    return;
  }
  const access = view.access;
  if (!access || access.identities.length === 0) {
    container.append(
      el('p', {
        className: 'empty',
        textContent: 'No identities: declare `workload NAME { login MOUNT { … }  read "path/*" }` (or a role or token) to see who may do what.',
      }),
    );
    return;
  }
  const table = access.identities.length * access.patterns.length > WINDOW_ABOVE ? windowedTable(access, pane) : fullTable(access);
  const legend = el('p', { className: 'matrix-note' });
  legend.append(
    el('span', { className: 'cap cap-read', textContent: 'read' }),
    ' from the workload\u2019s statements   ',
    el('span', { className: 'cap cap-read via', textContent: 'read' }),
    ' through another policy its login attaches; hover a column for its login conditions',
  );
  container.append(table, legend);
  // The panels below the table, each in a frame of its own after the table's: a tab
  // switch then holds the main thread for one of them at a time, never all at once. A
  // container no longer in the page (the tab was drawn again meanwhile) gets none.
  const panels = [explainPaths && (() => explainPanel(view, explainPaths)), simulateClaims && (() => simulatePanel(view, simulateClaims))].filter(Boolean);
  const next = () => {
    const make = panels.shift();
    if (!make || !container.isConnected) return;
    container.append(make());
    if (panels.length) nextFrame().then(next);
  };
  if (panels.length) nextFrame().then(next);
}

// An explain select of more identities than this gets its options when it is opened
// (a hundred options took a tab switch 5–25 ms to lay out).
const EAGER_OPTIONS = 50;

// Answers drawn per page: a program of thousands of identities gives thousands of answers
// (every identity on a path, every JWT role refusing a token), and drawing them all would
// hold the main thread for many frames. The rest come a page at a time, on a click.
const ANSWER_PAGE = 100;

/** Appends `make(item)` for the first ANSWER_PAGE `items` to `list`, then a button for the next page. */
function appendPaged(list, items, make, start = 0) {
  const end = Math.min(items.length, start + ANSWER_PAGE);
  for (let i = start; i < end; i++) list.append(make(items[i]));
  if (end === items.length) return;
  const more = el('button', { type: 'button', className: 'sim-more', textContent: `show ${Math.min(ANSWER_PAGE, items.length - end)} more of ${items.length - end}` });
  more.dataset.testid = 'answers-more';
  more.addEventListener('click', () => {
    more.closest('li').remove();
    appendPaged(list, items, make, end);
  });
  list.append(el('li', { className: 'more' }, more));
}

// A matrix of more cells than this is drawn as a window onto it (the rows and columns in
// view): a table of tens of thousands of cells takes the browser a second to lay out.
const WINDOW_ABOVE = 3000;

function identityHeader(ia) {
  const title = [`${ia.kind}${ia.role ? ` · login: ${ia.role}` : ''}`, `policies: ${ia.policies.join(', ')}`, loginText(ia)].filter(Boolean).join('\n');
  const th = el('th', { title });
  th.dataset.testid = 'matrix-identity';
  th.append(el('div', { className: 'wl', textContent: ia.id }), el('div', { className: 'kind', textContent: ia.kind }));
  if (ia.external?.length) th.append(el('div', { className: 'ext', textContent: `+ ${ia.external.join(', ')}` }));
  return th;
}

function grantCell(td, ia, grant) {
  if (!grant) {
    td.className = 'none';
    td.textContent = '·';
    return td;
  }
  const own = ia.workload && grant.policies.includes(ia.workload);
  for (const cap of grant.capabilities) {
    td.append(el('span', { className: `cap cap-${cap}${own ? '' : ' via'}`, textContent: cap, title: `from ${grant.policies.join(', ')}` }));
  }
  return td;
}

/**
 * Why a simulation found no role: the program has none, or the mount typed has none (QA:
 * "No JWT role to log in to" where the program had some, on other mounts). The words of
 * `keyplan simulate --mount`, the mounts from the matrix this tab draws.
 */
function noRoles(view, typed) {
  const mounts = [...new Set((view.access?.identities || []).filter((i) => i.login?.jwt && i.mount).map((i) => i.mount))].sort();
  const mount = (typed || '').trim().replace(/^\/+|\/+$/g, '').replace(/^auth\/(?=.)/, '');
  if (mounts.length === 0) return 'No JWT role to log in to: the program has no JWT or OIDC role.';
  if (!mount) return 'No JWT role to log in to.';
  return `no JWT or OIDC mount at \`${mount}\` has roles in this program: JWT roles are on ${mounts.join(', ')}`;
}

/** Per identity, its grants by pattern. */
const grantsByPattern = (access) => access.identities.map((ia) => new Map(ia.grants.map((g) => [g.pattern, g])));

function fullTable(access) {
  const table = el('table', { className: 'matrix' });
  table.dataset.testid = 'matrix';
  const head = table.createTHead().insertRow();
  head.append(el('th', { className: 'corner', textContent: 'path \\ identity' }));
  for (const ia of access.identities) head.append(identityHeader(ia));
  const grants = grantsByPattern(access);
  const body = table.createTBody();
  for (const pattern of access.patterns) {
    const tr = body.insertRow();
    tr.append(el('th', { className: 'path', textContent: pattern }));
    access.identities.forEach((ia, i) => grantCell(tr.insertCell(), ia, grants[i].get(pattern)));
  }
  return table;
}

// Sizes of the windowed table: fixed, so the window is placed without measuring the DOM.
const ROW_H = 32;
const HEAD_H = 64;
const CHAR_W = 7.4;

function windowedTable(access, pane) {
  const grants = grantsByPattern(access);
  // A column is as wide as its header or its widest cell of capabilities.
  const widths = access.identities.map((ia) => {
    const caps = Math.max(0, ...ia.grants.map((g) => g.capabilities.reduce((w, c) => w + c.length * CHAR_W + 14, 0)));
    const head = Math.max(ia.id.length, ia.kind.length, ia.external?.length ? 2 + ia.external.join(', ').length : 0) * CHAR_W;
    return Math.ceil(Math.max(caps, head, 40) + 26);
  });
  const pathW = Math.ceil(Math.max(14, ...access.patterns.map((p) => p.length)) * CHAR_W + 26);
  const lefts = [0];
  for (const w of widths) lefts.push(lefts[lefts.length - 1] + w);

  const scroller = el('div', { className: 'matrix-window' });
  const table = el('table', { className: 'matrix windowed' });
  table.dataset.testid = 'matrix';
  table.style.width = `${pathW + lefts[widths.length]}px`;
  scroller.append(table);
  // The rows and columns drawn: a scroll that stays inside them draws nothing. Every
  // drawn cell costs layout (about as much as its text), so the margins are small.
  let shown = null;
  const draw = () => {
    const top = scroller.scrollTop;
    const left = scroller.scrollLeft;
    // Before the table is in the page: the pane's size (at most 72vh high, as the CSS says).
    const height = scroller.clientHeight || Math.ceil(Math.min(pane?.height || Infinity, window.innerHeight * 0.72));
    const width = scroller.clientWidth || pane?.width || window.innerWidth;
    const need0 = Math.max(0, Math.floor((top - HEAD_H) / ROW_H));
    const need1 = Math.min(access.patterns.length, Math.ceil((top + height) / ROW_H));
    let need = 0;
    while (need < widths.length && lefts[need + 1] < left - pathW) need++;
    let needEnd = need;
    while (needEnd < widths.length && lefts[needEnd] < left + width) needEnd++;
    if (shown && shown.r0 <= need0 && need1 <= shown.r1 && shown.c0 <= need && needEnd <= shown.c1) return;
    const r0 = Math.max(0, need0 - 4);
    const r1 = Math.min(access.patterns.length, need1 + 4);
    const c0 = Math.max(0, need - 1);
    const c1 = Math.min(widths.length, needEnd + 1);
    shown = { r0, r1, c0, c1 };
    const spacer = (w) => el('th', { className: 'gap', style: `width:${w}px` });
    const head = el('tr');
    head.append(el('th', { className: 'corner', textContent: 'path \\ identity', style: `width:${pathW}px` }));
    if (c0 > 0) head.append(spacer(lefts[c0]));
    for (let c = c0; c < c1; c++) {
      const th = identityHeader(access.identities[c]);
      th.style.width = `${widths[c]}px`;
      head.append(th);
    }
    if (c1 < widths.length) head.append(spacer(lefts[widths.length] - lefts[c1]));
    const body = el('tbody');
    const gap = (h) => el('tr', { className: 'gap' }, el('td', { colSpan: c1 - c0 + 3, style: `height:${h}px` }));
    if (r0 > 0) body.append(gap(r0 * ROW_H));
    for (let r = r0; r < r1; r++) {
      const pattern = access.patterns[r];
      const tr = el('tr');
      tr.append(el('th', { className: 'path', textContent: pattern, title: pattern }));
      if (c0 > 0) tr.append(el('td', { className: 'gap' }));
      for (let c = c0; c < c1; c++) tr.append(grantCell(el('td'), access.identities[c], grants[c].get(pattern)));
      if (c1 < widths.length) tr.append(el('td', { className: 'gap' }));
      body.append(tr);
    }
    if (r1 < access.patterns.length) body.append(gap((access.patterns.length - r1) * ROW_H));
    table.replaceChildren(el('thead', {}, head), body);
  };
  let frame = 0;
  scroller.addEventListener(
    'scroll',
    () => {
      if (!frame) frame = requestAnimationFrame(() => ((frame = 0), draw()));
    },
    { passive: true },
  );
  // A first window now (the pane's size is not known yet), the one in view once the
  // table is in the page.
  draw();
  requestAnimationFrame(draw);
  return scroller;
}

/** A CSV cell as kp-access writes one: quoted only when it holds a comma, a quote or a newline. */
const csvCell = (s) => (/[,"\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/**
 * The whole matrix as CSV (what Copy and Download take), from the data, not the window on
 * screen: byte for byte what `keyplan access --format csv` prints for the program
 * (`kp_access::render::matrix_csv`, whose JSON `view.access` is): one row per grant,
 * `identity,kind,pattern,capabilities,policies`, and an identity without known rules one
 * row with an empty pattern and its policies. `crates/access/tests/fixtures/matrix.csv`
 * holds the answer both surfaces are tested against.
 */
export function matrixCsv(view) {
  const access = view?.access;
  if (!access) return null;
  const rows = ['identity,kind,pattern,capabilities,policies'];
  for (const ia of access.identities) {
    const id = csvCell(ia.id);
    if (ia.grants.length === 0) rows.push(`${id},${ia.kind},,,${csvCell(ia.policies.join(' '))}`);
    for (const g of ia.grants) {
      rows.push(`${id},${ia.kind},${csvCell(g.pattern)},${csvCell(g.capabilities.join(' '))},${csvCell(g.policies.join(' '))}`);
    }
  }
  return `${rows.join('\n')}\n`;
}

// The explain request persists across re-renders, like the claims below.
const expl = { paths: '', as: '' };

function explainPanel(view, explainPaths) {
  const panel = el('section', { className: 'simulate explain' });
  panel.dataset.testid = 'explain';
  if (!expl.paths) {
    const first = view.access.patterns.find((p) => !p.includes('{{')) || 'secret/data/app';
    expl.paths = first.replace(/\+/g, 'x').replace(/\*$/, 'key');
  }
  const paths = el('textarea', { className: 'claims', value: expl.paths, rows: 3, spellcheck: false, placeholder: 'one request path per line, e.g. secret/data/app/config' });
  paths.dataset.testid = 'explain-paths';
  const who = el('select', { className: 'mount' });
  who.dataset.testid = 'explain-as';
  who.append(el('option', { value: '', textContent: 'every identity' }));
  const option = (ia) => el('option', { value: ia.id, textContent: `${ia.id} (${ia.kind})` });
  const chosen = view.access.identities.find((i) => i.id === expl.as);
  if (view.access.identities.length <= EAGER_OPTIONS) who.append(...view.access.identities.map(option));
  else {
    // Thousands of options take the tab switch tens of milliseconds to build and style:
    // the one chosen now, and the others once the list is about to open.
    if (chosen) who.append(option(chosen));
    const fill = () => {
      who.replaceChildren(who.options[0], ...view.access.identities.map(option));
      who.value = expl.as || '';
    };
    who.addEventListener('pointerdown', fill, { once: true });
    who.addEventListener('focus', fill, { once: true });
  }
  who.value = chosen ? expl.as : '';
  const result = el('div', { className: 'simulate-result' });
  result.dataset.testid = 'explain-result';
  const run = async () => {
    expl.paths = paths.value;
    expl.as = who.value;
    const list = expl.paths.split('\n').map((p) => p.trim()).filter(Boolean);
    result.replaceChildren();
    if (list.length === 0) {
      result.append(el('p', { className: 'sim-error', textContent: 'Write a request path, e.g. secret/data/app/config.' }));
      return;
    }
    const value = await explainPaths(list, expl.as || null);
    if (value.error) {
      result.append(el('p', { className: 'sim-error', textContent: value.error }));
      return;
    }
    const ul = el('ul', { className: 'sim-list' });
    const answers = (value.paths || []).flatMap((p) => p.identities.map((a) => [p, a]));
    appendPaged(ul, answers, ([p, a]) => {
      const denied = a.capabilities.length === 1 && a.capabilities[0] === 'deny';
      const li = el('li', { className: denied ? 'refused' : 'accepted' }, el('strong', { textContent: `${a.capabilities.join(', ')} ` }), `${a.identity} on ${p.path}`);
      li.dataset.testid = 'explain-answer';
      const why = a.decided_by
        ? `decided by policy ${a.decided_by.policy}, path "${a.decided_by.pattern}": ${a.decided_by.why}`
        : a.capabilities[0] === 'root'
          ? 'root policy: everything is allowed'
          : 'no rule matches: denied by default';
      li.append(el('div', { className: 'sim-grants', textContent: why }));
      for (const c of a.conditional || []) li.append(el('div', { className: 'sim-grants', textContent: `conditional: policy ${c.policy} path "${c.pattern}" applies if its template renders to match` }));
      if (a.unknown_policies?.length) li.append(el('div', { className: 'sim-grants', textContent: `not evaluated (rules unknown here): ${a.unknown_policies.join(', ')}` }));
      return li;
    });
    result.append(ul);
  };
  const button = el('button', { type: 'button', textContent: 'Explain' });
  button.dataset.testid = 'explain-run';
  button.addEventListener('click', run);
  panel.append(
    el('h3', { textContent: 'Explain: what may an identity do on a path, and which rule decides?' }),
    paths,
    el('label', { className: 'mount-label' }, 'as ', who),
    button,
    result,
  );
  run();
  return panel;
}

// Claims persist across re-renders (each keystroke redraws the tab).
const sim = { claims: '', mount: '' };

/**
 * A token the first JWT role accepts, to start the simulation from: every claim the role
 * reads (issuer, audience, subject, bound claims, the user and groups claims), JSON
 * pointers as nested objects, a glob's `*` matched by a letter, issued now and valid for
 * five minutes (the simulation checks the time claims at the page's clock). The page's
 * simulate (the core's) then says why any other role refuses it.
 */
function defaultClaims(view) {
  const now = Math.floor(Date.now() / 1000);
  const jwt = view.access.identities.find((i) => i.login?.jwt && i.login.jwt.role_type === 'jwt');
  if (!jwt) return JSON.stringify({ sub: 'user', aud: 'vault', iat: now, exp: now + 300 }, null, 2);
  const b = jwt.login.jwt;
  const claims = {};
  if (b.bound_issuer) claims.iss = b.bound_issuer;
  if (b.bound_audiences.length) claims.aud = b.bound_audiences[0];
  if (b.bound_subject) claims.sub = b.bound_subject;
  for (const [k, v] of Object.entries(b.bound_claims)) {
    const value = b.glob && typeof v[0] === 'string' ? v[0].replaceAll('*', 'x') : v[0];
    setClaim(claims, claimPath(k, k.startsWith('/')), value);
  }
  setClaim(claims, claimPath(b.user_claim, b.user_claim_pointer), 'user', true);
  if (b.groups_claim) setClaim(claims, claimPath(b.groups_claim, b.groups_claim.startsWith('/')), ['group'], true);
  claims.iat ??= now;
  claims.exp ??= now + 300;
  return JSON.stringify(claims, null, 2);
}

/** A claim's place in the token: a JSON pointer's segments, or the name itself. */
function claimPath(name, pointer) {
  return pointer ? name.slice(1).split('/').map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~')) : [name];
}

/** Sets `claims` at `path`, making the objects on the way; `ifAbsent`: not over a value already there. */
function setClaim(claims, path, value, ifAbsent = false) {
  let at = claims;
  for (const seg of path.slice(0, -1)) {
    if (typeof at[seg] !== 'object' || at[seg] === null || Array.isArray(at[seg])) at[seg] = {};
    at = at[seg];
  }
  const last = path[path.length - 1];
  if (!(ifAbsent && last in at)) at[last] = value;
}

function simulatePanel(view, simulateClaims) {
  const panel = el('section', { className: 'simulate' });
  panel.dataset.testid = 'simulate';
  if (!sim.claims) sim.claims = defaultClaims(view);
  const claims = el('textarea', { className: 'claims', value: sim.claims, rows: 8, spellcheck: false });
  claims.dataset.testid = 'simulate-claims';
  const mount = el('input', { className: 'mount', value: sim.mount, placeholder: 'every JWT mount' });
  mount.dataset.testid = 'simulate-mount';
  const result = el('div', { className: 'simulate-result' });
  result.dataset.testid = 'simulate-result';
  const run = async () => {
    sim.claims = claims.value;
    sim.mount = mount.value;
    const value = await simulateClaims(sim.claims, sim.mount);
    result.replaceChildren();
    if (value.error) {
      result.append(el('p', { className: 'sim-error', textContent: value.error }));
      return;
    }
    const s = value.simulation;
    if (!s) {
      result.append(el('p', { className: 'empty', textContent: 'Fix the errors to simulate a login.' }));
      return;
    }
    for (const note of value.notes || []) {
      const p = el('p', { className: 'sim-note' }, el('strong', { textContent: 'note ' }), note);
      p.dataset.testid = 'simulate-note';
      result.append(p);
    }
    if (s.accepted.length + s.refused.length === 0) result.append(el('p', { className: 'empty', textContent: noRoles(view, sim.mount) }));
    const list = el('ul', { className: 'sim-list' });
    // What each identity may do: the matrix this tab draws (the build's view).
    const byId = new Map((view.access?.identities || []).map((i) => [i.id, i]));
    const items = [...s.accepted.map((a) => ['accepted', a]), ...s.refused.map((r) => ['refused', r])];
    appendPaged(list, items, ([kind, a]) => {
      if (kind === 'refused') {
        const li = el('li', { className: 'refused' }, el('strong', { textContent: 'refused ' }), `${a.mount}/${a.role}: ${a.reason}`);
        li.dataset.testid = 'simulate-refused';
        return li;
      }
      const li = el('li', { className: 'accepted' }, el('strong', { textContent: 'accepted ' }), `${a.mount}/${a.role} as ${a.identity} · policies ${a.policies.join(', ')}`);
      li.dataset.testid = 'simulate-accepted';
      const ia = byId.get(a.identity);
      if (ia?.grants.length) li.append(el('div', { className: 'sim-grants', textContent: ia.grants.map((g) => `${g.pattern} ${g.capabilities.join(',')}`).join('  ·  ') }));
      // As `keyplan simulate` says it: the server refuses a batch token cubbyhole whatever its policies grant.
      if (ia?.batch && ia.grants.some((g) => g.pattern === 'cubbyhole' || g.pattern.startsWith('cubbyhole/'))) {
        const refused = el('div', { className: 'sim-grants', textContent: "but refused: a batch token cannot use cubbyhole: the server answers \"cubbyhole operations are only supported by 'service' type tokens\"" });
        refused.dataset.testid = 'simulate-batch-refusal';
        li.append(refused);
      }
      return li;
    });
    result.append(list);
  };
  const button = el('button', { type: 'button', textContent: 'Simulate login' });
  button.dataset.testid = 'simulate-run';
  button.addEventListener('click', run);
  panel.append(
    el('h3', { textContent: 'Claim simulation: which roles accept this token?' }),
    claims,
    el('label', { className: 'mount-label' }, 'mount ', mount),
    button,
    result,
  );
  run();
  return panel;
}
