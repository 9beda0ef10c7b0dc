// The Access tab in headless Chromium: the matrix drawn from the compiler's access data
// (every identity, not only workloads) and claim simulation against the program's roles.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serve, launch, openPage, replaceEditor, setEditor, settle, WEB } from './helpers.mjs';

let server;
let browser;

before(async () => {
  server = await serve();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const PROGRAM = `auth jwt ci {
  jwks_url     = "https://127.0.0.1:8200/jwks.json"
  bound_issuer = "https://ci.example.com"
  role deploy {
    user_claim      = "sub"
    bound_audiences = ["vault"]
    bound_claims    = { project = "app", ref = "main" }
    token_policies  = [reader]
  }
}

policy reader {
  path "secret/data/app/*" {
    capabilities = [read]
  }
}

workload trainer {
  login ci {
    bound_audiences = ["vault"]
    bound_claims    = { project = "ml" }
    user_claim      = "sub"
  }
  read "secret/data/models/*"
}
`;

test('the access tab draws every identity and simulates a login', async () => {
  const { context, page } = await openPage(browser, server.url);
  await setEditor(page, PROGRAM);
  await settle(page);
  await page.click('[data-testid=tab-matrix]');
  const identities = await page.locator('[data-testid=matrix-identity] .wl').allTextContents();
  assert.deepEqual(identities, ['trainer', 'ci/deploy']);
  // A capability each (one rule, `read`), and the 23 capabilities of the 18 rules of
  // Vault's stock `default` (the implied target) both carry: `default` is drawn by its
  // rules, as explain evaluates it.
  assert.equal(await page.locator('[data-testid=matrix] td .cap').count(), 2 * (1 + 23));

  const claims = '{"iss": "https://ci.example.com", "aud": "vault", "sub": "x", "project": "ml"}';
  await page.fill('[data-testid=simulate-claims]', claims);
  await page.click('[data-testid=simulate-run]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=simulate-refused]').length === 1);
  assert.match(await page.textContent('[data-testid=simulate-accepted]'), /ci\/trainer as trainer/);
  assert.match(await page.textContent('[data-testid=simulate-refused]'), /ci\/deploy: claim `project` is "ml", matching no bound_claims value of \["app"\]/);

  await page.fill('[data-testid=simulate-claims]', '[1]');
  await page.click('[data-testid=simulate-run]');
  await page.waitForSelector('.sim-error');
  assert.match(await page.textContent('.sim-error'), /must be a JSON object/);
  await context.close();
});

/** Runs the simulate panel with `claims`, a current `iat` and `exp` added, on `mount` when given. */
async function simulateWith(page, claims, mount) {
  const now = Math.floor(Date.now() / 1000);
  await page.fill('[data-testid=simulate-claims]', JSON.stringify({ ...claims, iat: now, exp: now + 300 }));
  if (mount !== undefined) await page.fill('[data-testid=simulate-mount]', mount);
  await page.click('[data-testid=simulate-run]');
}

// QA: simulate refused the `auto` target (the others took it), and a mount without JWT
// roles got "No JWT role to log in to" where `keyplan simulate --mount` names the mounts
// that have some.
test('claim simulation takes the implied target, and names the mounts with roles', async () => {
  const { context, page } = await openPage(browser, server.url);
  await setEditor(page, PROGRAM);
  await page.selectOption('[data-testid=target]', 'auto');
  await settle(page);
  await page.click('[data-testid=tab-matrix]');
  const claims = { iss: 'https://ci.example.com', aud: 'vault', sub: 'x', project: 'ml' };
  await simulateWith(page, claims);
  await page.waitForSelector('[data-testid=simulate-accepted], .sim-error');
  assert.match(await page.textContent('[data-testid=simulate-accepted]'), /ci\/trainer as trainer/);
  await simulateWith(page, claims, ' auth/ci/ ');
  await page.waitForSelector('[data-testid=simulate-accepted]');
  await simulateWith(page, claims, 'gitlab');
  await page.waitForFunction(() => document.querySelector('[data-testid=simulate-result]')?.textContent.includes('gitlab'));
  assert.equal(
    (await page.textContent('[data-testid=simulate-result]')).trim(),
    'no JWT or OIDC mount at `gitlab` has roles in this program: JWT roles are on ci',
  );
  await context.close();
});

// A role that issues batch tokens: the simulation says the server refuses them the
// cubbyhole rules of `default`, in the words of `keyplan simulate` (the golden
// crates/access/tests/snapshots/golden__simulate-batch.txt.snap holds the CLI's line).
test('claim simulation says a batch token is refused cubbyhole, as keyplan simulate does', async () => {
  const fixtures = join(WEB, '..', 'crates', 'access', 'tests', 'fixtures');
  const snapshots = join(WEB, '..', 'crates', 'access', 'tests', 'snapshots');
  const program = await readFile(join(fixtures, 'batch.kp'), 'utf8');
  const cli = (await readFile(join(snapshots, 'golden__simulate-batch.txt.snap'), 'utf8')).split('\n').find((l) => l.includes('but refused'));
  const { context, page } = await openPage(browser, server.url);
  await replaceEditor(page, program);
  await settle(page);
  await page.click('[data-testid=tab-matrix]');
  await simulateWith(page, { iss: 'https://ci.example.com', aud: 'vault', sub: 'ci', project: 'ml' });
  await page.waitForSelector('[data-testid=simulate-batch-refusal]');
  assert.equal(await page.textContent('[data-testid=simulate-batch-refusal]'), cli.trim());
  await context.close();
});

// Copy and Download on the Access tab give what `keyplan access --format csv` prints for
// the same program, byte for byte: one row per grant under a header of separate cells
// (QA: the header ran an identity's name, kind and "+ default" together, `wworkload+ default`).
// crates/cli/tests/access.rs holds the CLI to the same file.
test('the access CSV is the CLI\'s, byte for byte', async () => {
  const fixtures = join(WEB, '..', 'crates', 'access', 'tests', 'fixtures');
  const program = await readFile(join(fixtures, 'matrix.kp'), 'utf8');
  const expected = await readFile(join(fixtures, 'matrix.csv'), 'utf8');
  const { context, page, errors } = await openPage(browser, server.url);
  await replaceEditor(page, program);
  await settle(page);
  await page.click('[data-testid=tab-matrix]');
  const artifact = await page.evaluate(() => window.__keyplan.artifact());
  assert.equal(artifact.name, 'access.csv');
  const header = artifact.contents.slice(0, artifact.contents.indexOf('\n'));
  assert.equal(header, 'identity,kind,pattern,capabilities,policies');
  assert.equal(artifact.contents, expected);
  assert.deepEqual(errors, []);
  await context.close();
});

// The default token is one the first role accepts, whatever claims it reads: a subject
// beside another user claim, a groups claim, a glob, a JSON pointer (QA: the old default
// left out `sub` and the groups claim, and wrote the glob itself).
test('the simulate panel starts from a token the first role accepts', async () => {
  const { context, page } = await openPage(browser, server.url);
  await setEditor(
    page,
    `auth jwt ci {
  jwks_url     = "https://127.0.0.1:8200/jwks.json"
  bound_issuer = "https://ci.example.com"
  role deploy {
    bound_subject     = "repo:org/app:ref:refs/heads/main"
    user_claim        = "email"
    groups_claim      = "groups"
    bound_audiences   = ["vault"]
    bound_claims_type = "glob"
    bound_claims      = { "/job/project" = "ml-*", ref = "main" }
    token_policies    = [reader]
  }
}

policy reader {
  path "secret/data/app/*" {
    capabilities = [read]
  }
}
`,
  );
  await settle(page);
  await page.click('[data-testid=tab-matrix]');
  const claims = JSON.parse(await page.inputValue('[data-testid=simulate-claims]'));
  assert.equal(claims.sub, 'repo:org/app:ref:refs/heads/main');
  assert.deepEqual(claims.job, { project: 'ml-x' });
  assert.deepEqual(claims.groups, ['group']);
  await page.click('[data-testid=simulate-run]');
  await page.waitForSelector('[data-testid=simulate-accepted], [data-testid=simulate-refused]');
  assert.equal(await page.locator('[data-testid=simulate-refused]').count(), 0, await page.textContent('[data-testid=simulate-result]'));
  assert.match(await page.textContent('[data-testid=simulate-accepted]'), /ci\/deploy/);
  // Issued now and current: the server's time checks pass, no note.
  const now = Date.now() / 1000;
  assert.ok(Math.abs(claims.iat - now) < 60 && claims.exp > now, JSON.stringify(claims));
  assert.equal(await page.locator('[data-testid=simulate-note]').count(), 0);
  // An expired token: every role refuses it alike, said in a note, as `keyplan simulate`
  // says it; the roles are still judged on their bindings.
  await page.fill('[data-testid=simulate-claims]', JSON.stringify({ ...claims, exp: 1000, iat: 900 }));
  await page.click('[data-testid=simulate-run]');
  await page.waitForSelector('[data-testid=simulate-note]');
  assert.match(await page.textContent('[data-testid=simulate-note]'), /the token expired \d+d ago \(`exp`\): the server refuses it whatever the role \("token is expired"\)/);
  assert.match(await page.textContent('[data-testid=simulate-accepted]'), /ci\/deploy/);
  await context.close();
});

// A role's own leeways decide its time checks (as on OpenBao 2.7.2): with no clock skew
// allowed, a token whose `nbf` is 30 s ahead is refused by that role alone.
test('claim simulation checks the time claims with each role\'s leeways', async () => {
  const { context, page } = await openPage(browser, server.url);
  await setEditor(
    page,
    `auth jwt ci {
  jwks_url = "https://127.0.0.1:8200/jwks.json"
  role relaxed {
    user_claim      = "sub"
    bound_audiences = ["vault"]
    token_policies  = [reader]
  }
  role strict {
    user_claim        = "sub"
    bound_audiences   = ["vault"]
    clock_skew_leeway = -1
    token_policies    = [reader]
  }
}

policy reader {
  path "secret/data/app/*" {
    capabilities = [read]
  }
}
`,
  );
  await settle(page);
  await page.click('[data-testid=tab-matrix]');
  const now = Math.floor(Date.now() / 1000);
  await page.fill('[data-testid=simulate-claims]', JSON.stringify({ sub: 'u', aud: 'vault', nbf: now + 30, exp: now + 600 }));
  await page.click('[data-testid=simulate-run]');
  await page.waitForSelector('[data-testid=simulate-refused]');
  assert.match(await page.textContent('[data-testid=simulate-accepted]'), /ci\/relaxed/);
  assert.match(await page.textContent('[data-testid=simulate-refused]'), /ci\/strict: the token is not valid for another \d+s \(`nbf`\), with this role's leeways: the server refuses it \("token not yet valid"\)/);
  assert.equal(await page.locator('[data-testid=simulate-note]').count(), 0);
  await context.close();
});

test('the access tab explains a path for one identity or every identity', async () => {
  const { context, page, errors } = await openPage(browser, server.url);
  await setEditor(page, PROGRAM);
  await settle(page);
  await page.click('[data-testid=tab-matrix]');
  await page.waitForSelector('[data-testid=explain-run]');
  await page.fill('[data-testid=explain-paths]', 'secret/data/models/m1\nsecret/data/app/config');
  await page.selectOption('[data-testid=explain-as]', 'trainer');
  await page.click('[data-testid=explain-run]');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=explain-answer]')].some((e) => e.textContent.includes('secret/data/app/config')));
  const answers = await page.locator('[data-testid=explain-answer]').allTextContents();
  assert.equal(answers.length, 2);
  assert.match(answers[0], /^read trainer on secret\/data\/models\/m1decided by policy trainer, path "secret\/data\/models\/\*": longest matching prefix/);
  assert.match(answers[1], /^deny trainer on secret\/data\/app\/configno rule matches: denied by default/);

  // Every identity: the role's policy decides for it, and the choice survives a redraw.
  await page.selectOption('[data-testid=explain-as]', '');
  await page.fill('[data-testid=explain-paths]', 'secret/data/app/config');
  await page.click('[data-testid=explain-run]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=explain-answer]').length === 2);
  const all = await page.locator('[data-testid=explain-answer]').allTextContents();
  assert.match(all[0], /^deny trainer/);
  assert.match(all[1], /^read ci\/deploy on secret\/data\/app\/configdecided by policy reader/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('with hundreds of identities, answers come a page at a time and the identity list fills when opened', async () => {
  // 250 workloads logging in through one JWT mount: a token with other claims is refused
  // by all 250 roles, and explain answers for every identity.
  const workloads = Array.from(
    { length: 250 },
    (_, i) => `workload w${i} {
  login ci {
    bound_audiences = ["vault"]
    bound_claims    = { project = "p${i}" }
    user_claim      = "sub"
  }
  read "secret/data/w${i}/*"
}
`,
  ).join('\n');
  const program = `${PROGRAM.slice(0, PROGRAM.indexOf('workload trainer'))}${workloads}`;
  const { context, page } = await openPage(browser, server.url);
  await replaceEditor(page, program);
  await settle(page);
  await page.click('[data-testid=tab-matrix]');
  const count = (id) => page.locator(`[data-testid=${id}]`).count();
  // The simulation of the default claims runs at once: 251 roles, the first page drawn.
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=simulate-refused], [data-testid=simulate-accepted]').length > 0);
  const simulated = (await count('simulate-refused')) + (await count('simulate-accepted'));
  assert.equal(simulated, 100, 'one page of the 251 roles');
  const more = page.locator('[data-testid=simulate] [data-testid=answers-more]');
  assert.match(await more.textContent(), /show 100 more of 151/);
  await more.click();
  assert.equal((await count('simulate-refused')) + (await count('simulate-accepted')), 200);
  await page.locator('[data-testid=simulate] [data-testid=answers-more]').click();
  assert.equal((await count('simulate-refused')) + (await count('simulate-accepted')), 251, 'every role once');
  assert.equal(await page.locator('[data-testid=simulate] [data-testid=answers-more]').count(), 0);

  // Explain: every identity answers, a page at a time; its list of identities is filled
  // when it is opened, and choosing one narrows the answer to it.
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=explain-answer]').length === 100);
  assert.equal(await page.locator('[data-testid=explain-as] option').count(), 1, 'only "every identity" until opened');
  await page.focus('[data-testid=explain-as]');
  assert.equal(await page.locator('[data-testid=explain-as] option').count(), 252);
  await page.selectOption('[data-testid=explain-as]', 'w7');
  await page.fill('[data-testid=explain-paths]', 'secret/data/w7/key');
  await page.click('[data-testid=explain-run]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=explain-answer]').length === 1);
  assert.match(await page.textContent('[data-testid=explain-answer]'), /^read.*w7 on secret\/data\/w7\/key/);

  // The matrix (250 identities by 250 patterns) is drawn as a window onto it: after
  // scrolling down and right, the rows in view are the patterns at those places, and each
  // capability sits in the column of the workload that holds it.
  // The matrix's rows are the patterns in sorted order; the CSV has one row per grant
  // (`identity,kind,pattern,...`, no pattern here is quoted).
  const csv = (await page.evaluate(() => window.__keyplan.artifact().contents)).trim().split('\n');
  const patterns = [...new Set(csv.slice(1).map((row) => row.split(',')[2]))].sort();
  assert.equal(patterns.length, 251 + 18, "every workload's pattern, ci/deploy's and default's");
  const rowsInView = async (top, left) => {
    await page.evaluate(([t, l]) => {
      const w = document.querySelector('.matrix-window');
      w.scrollTop = t;
      w.scrollLeft = l;
    }, [top, left]);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    return page.evaluate(() => {
      const w = document.querySelector('.matrix-window');
      const box = w.getBoundingClientRect();
      const head = [...w.querySelectorAll('thead th')];
      const rows = [...w.querySelectorAll('tbody tr:not(.gap)')].filter((tr) => {
        const r = tr.getBoundingClientRect();
        return r.top >= box.top + 64 && r.bottom <= box.bottom;
      });
      return rows.map((tr) => ({
        path: tr.querySelector('th.path').textContent,
        // The workload of each column with a capability in this row (same index in the head row).
        capsIn: [...tr.children].flatMap((td, i) => (td.querySelector('.cap') ? [head[i].querySelector('.wl')?.textContent] : [])),
        inViewX: [...tr.children].some((td) => {
          const r = td.getBoundingClientRect();
          return td.querySelector('.cap') && r.left < box.right && r.right > box.left;
        }),
      }));
    });
  };
  for (const [row, col] of [[0, 0], [120, 100], [230, 240]]) {
    // Row `row` just under the header, the 32 px rows and the columns of about 120 px.
    const shown = await rowsInView(row * 32, col * 120);
    assert.ok(shown.length >= 5, `rows in view at row ${row}: ${shown.length}`);
    assert.equal(shown[0].path, patterns[row], `the first row in view at scroll row ${row}`);
    shown.forEach((r, i) => assert.equal(r.path, patterns[row + i], `row ${row + i}`));
    for (const r of shown) {
      const w = /^secret\/data\/(w\d+)\//.exec(r.path)?.[1];
      // Only the workload's own column holds a capability, when that column is drawn.
      if (w) assert.ok(r.capsIn.every((c) => c === w), `${r.path}: capabilities under ${r.capsIn}`);
    }
    if (row === 0) assert.ok(shown.some((r) => r.capsIn.length > 0 && r.inViewX), 'capabilities in view at the start');
  }
  await context.close();
});

// The identity lints `keyplan check` and the language server report come from the access
// module once typing pauses: shown with the check's diagnostics on the text they were
// found in; until the next ones they move with the text (typing elsewhere does not make
// them blink), an edit of a lint's own text drops it at once, and the next pause brings
// the lints of the new text.
const LINTED = `auth jwt ci {
  jwks_url     = "https://127.0.0.1:8200/jwks.json"
  bound_issuer = "https://ci.example.com"
}

policy forgotten {
  path "secret/data/old/*" {
    capabilities = [read]
  }
}

workload trainer {
  login ci {
    bound_audiences = ["vault"]
    bound_claims    = { project = "ml" }
    user_claim      = "sub"
  }
  read "secret/data/models/*"
}
`;

test('the identity lints of keyplan check are shown once typing pauses', async () => {
  const { context, page } = await openPage(browser, server.url);
  await setEditor(page, LINTED);
  await settle(page);
  const listed = () => page.$$eval('[data-testid=diagnostic]', (items) => items.map((i) => i.dataset.code));
  await page.waitForFunction(() => window.__keyplan.problemCodes().includes('kp::unused-policy'), null, { timeout: 20000 });
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=diagnostic]')].some((i) => i.dataset.code === 'kp::unused-policy'));
  assert.deepEqual(await listed(), ['kp::unused-policy']);
  // Not the check's: the keystroke's check does not find it (the CLI's `build` neither).
  const checked = await page.evaluate((text) => window.__keyplan.checkText(text), LINTED);
  assert.deepEqual(checked.diagnostics.map((d) => d.code), []);
  const lint = await page.evaluate(() => window.__keyplan.lints.diagnostics[0]);
  assert.equal(lint.line, 6);
  assert.match(lint.message, /forgotten/);

  // Two lines typed above it: the lint moves down with its text, in the editor and the
  // panel, in the transaction that inserts them (before any new lints could come).
  const moved = await page.evaluate(() => {
    const k = window.__keyplan;
    k.editor.dispatch({ changes: { from: 0, insert: '# one\n# two\n' }, userEvent: 'input.type' });
    return k.problemCodes();
  });
  assert.deepEqual(moved, ['kp::unused-policy']);
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=diagnostic]')].some((i) => i.dataset.code === 'kp::unused-policy' && i.querySelector('.where').textContent.startsWith('8:')));
  // An edit inside its text (the policy's name) drops it at once.
  const at = (await page.evaluate(() => window.__keyplan.editor.state.doc.toString())).indexOf('forgotten') + 3;
  const dropped = await page.evaluate((pos) => {
    const k = window.__keyplan;
    k.editor.dispatch({ changes: { from: pos, insert: 'x' }, userEvent: 'input.type' });
    return k.problemCodes();
  }, at);
  assert.deepEqual(dropped, []);
  // After the pause, the lint of the edited text is back; fixed, it goes.
  await settle(page);
  await page.waitForFunction(() => window.__keyplan.problemCodes().includes('kp::unused-policy'), null, { timeout: 20000 });
  const fixed = LINTED.replace('    user_claim      = "sub"\n', '    user_claim      = "sub"\n    token_policies  = [forgotten]\n');
  await setEditor(page, fixed);
  await settle(page);
  await page.waitForFunction(() => window.__keyplan.lints && window.__keyplan.lints.diagnostics.length === 0 && window.__keyplan.built.source.includes('token_policies  = [forgotten]'), null, { timeout: 20000 });
  assert.deepEqual(await page.evaluate(() => window.__keyplan.problemCodes()), []);
  await context.close();
});
