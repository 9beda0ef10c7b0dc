// The access matrix: which workload may do what, on which path (from each workload's
// derived policy rules).

const CAP_ORDER = ['create', 'read', 'update', 'patch', 'delete', 'list', 'sudo', 'deny'];

export function renderMatrix(container, view) {
  container.replaceChildren();
  if (!view) {
    container.append(Object.assign(document.createElement('p'), { className: 'empty', textContent: 'Fix the errors to see the access matrix.' }));
    return;
  }
  if (view.workloads.length === 0) {
    container.append(
      Object.assign(document.createElement('p'), {
        className: 'empty',
        textContent: 'No workloads: declare `workload NAME { login … read "path/*" }` to see who may do what.',
      }),
    );
    return;
  }
  const paths = [...new Set(view.workloads.flatMap((w) => w.rules.map((r) => r.path)))].sort();
  const table = document.createElement('table');
  table.className = 'matrix';
  table.dataset.testid = 'matrix';
  const head = table.createTHead().insertRow();
  head.append(Object.assign(document.createElement('th'), { className: 'corner', textContent: 'path \\ workload' }));
  for (const w of view.workloads) {
    const th = document.createElement('th');
    th.textContent = w.name;
    th.title = [w.description, w.role ? `login: ${w.role}` : '', `policy: ${w.policy}`].filter(Boolean).join('\n');
    head.append(th);
  }
  const body = table.createTBody();
  for (const path of paths) {
    const tr = body.insertRow();
    const th = document.createElement('th');
    th.className = 'path';
    th.textContent = path;
    tr.append(th);
    for (const w of view.workloads) {
      const td = tr.insertCell();
      const caps = w.rules.filter((r) => r.path === path).flatMap((r) => r.capabilities);
      const sorted = [...new Set(caps)].sort((a, b) => CAP_ORDER.indexOf(a) - CAP_ORDER.indexOf(b));
      if (sorted.length === 0) {
        td.className = 'none';
        td.textContent = '·';
      }
      for (const c of sorted) {
        const chip = document.createElement('span');
        chip.className = `cap cap-${c}`;
        chip.textContent = c;
        td.append(chip);
      }
    }
  }
  container.append(table);
}
