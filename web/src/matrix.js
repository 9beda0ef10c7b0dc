// The access matrix: what each workload may do on each path. A workload's access is its
// derived policy's rules plus those of the other policies its login role attaches;
// policies managed elsewhere (`extern policy`) are named in the header: their rules are
// not known here.

const CAP_ORDER = ['create', 'read', 'update', 'patch', 'delete', 'list', 'sudo', 'deny'];

const el = (tag, props = {}, ...children) => {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
};

/** `path -> workload -> [{ cap, via }]` where `via` is null for the derived policy. */
export function accessOf(view) {
  const grid = new Map();
  const add = (path, workload, cap, via) => {
    if (!grid.has(path)) grid.set(path, new Map());
    const row = grid.get(path);
    if (!row.has(workload)) row.set(workload, []);
    const cell = row.get(workload);
    if (!cell.some((c) => c.cap === cap && c.via === via)) cell.push({ cap, via });
  };
  for (const w of view.workloads) {
    for (const r of w.rules) for (const c of r.capabilities) add(r.path, w.name, c, null);
    for (const r of w.attached || []) for (const c of r.capabilities) add(r.path, w.name, c, r.policy);
  }
  return grid;
}

export function renderMatrix(container, view) {
  container.replaceChildren();
  if (!view) {
    container.append(el('p', { className: 'empty', textContent: 'Fix the errors to see the access matrix.' }));
    return;
  }
  if (view.workloads.length === 0) {
    container.append(
      el('p', {
        className: 'empty',
        textContent: 'No workloads: declare `workload NAME { login MOUNT { … }  read "path/*" }` to see who may do what.',
      }),
    );
    return;
  }
  const grid = accessOf(view);
  const paths = [...grid.keys()].sort();
  const table = el('table', { className: 'matrix' });
  table.dataset.testid = 'matrix';
  const head = table.createTHead().insertRow();
  head.append(el('th', { className: 'corner', textContent: 'path \\ workload' }));
  for (const w of view.workloads) {
    const th = el('th', { title: [w.description, w.role ? `login: ${w.role}` : '', `policies: ${(w.policies.length ? w.policies : [w.policy]).join(', ')}`].filter(Boolean).join('\n') });
    th.append(el('div', { className: 'wl', textContent: w.name }));
    if (w.external?.length) th.append(el('div', { className: 'ext', textContent: `+ ${w.external.join(', ')} (extern)` }));
    head.append(th);
  }
  const body = table.createTBody();
  for (const path of paths) {
    const tr = body.insertRow();
    tr.append(el('th', { className: 'path', textContent: path }));
    for (const w of view.workloads) {
      const td = tr.insertCell();
      const cell = (grid.get(path).get(w.name) || []).sort((a, b) => CAP_ORDER.indexOf(a.cap) - CAP_ORDER.indexOf(b.cap) || (a.via ? 1 : 0) - (b.via ? 1 : 0));
      if (cell.length === 0) {
        td.className = 'none';
        td.textContent = '·';
      }
      for (const { cap, via } of cell) {
        const chip = el('span', { className: `cap cap-${cap}${via ? ' via' : ''}`, textContent: cap, title: via ? `via policy ${via}` : `from ${w.policy}'s own statements` });
        td.append(chip);
      }
    }
  }
  const legend = el('p', { className: 'matrix-note' });
  legend.append(el('span', { className: 'cap cap-read', textContent: 'read' }), ' from the workload\u2019s statements   ', el('span', { className: 'cap cap-read via', textContent: 'read' }), ' through another policy its role attaches');
  container.append(table, legend);
}
