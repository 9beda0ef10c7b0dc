// End-to-end tests of the built playground (web/dist) in headless Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { serve, launch, openPage, setEditor, editorText, settle, diagnostics } from './helpers.mjs';

let server;
let browser;
const foreignRequests = [];
const pageErrors = [];

async function open(url = server.url, options) {
  const p = await openPage(browser, url, options);
  p.page.on('request', (r) => {
    if (!r.url().startsWith(new URL(server.url).origin) && !/^(data|blob):/.test(r.url())) foreignRequests.push(r.url());
  });
  p.page.on('pageerror', (e) => pageErrors.push(String(e)));
  return p;
}

// The program with an error, checked, the cursor after its `user_claim`: an `x` makes it
// an unknown field, Backspace makes it right again.
async function openAtUserClaim(query = '') {
  const p = await open(server.url + query);
  await setEditor(p.page, WITH_ERROR);
  await settle(p.page);
  const at = WITH_ERROR.indexOf('user_claim') + 'user_claim'.length;
  await p.page.evaluate((a) => window.__keyplan.editor.dispatch({ selection: { anchor: a } }), at);
  return p;
}

before(async () => {
  server = await serve();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

// Scenario 1 of LANGUAGE.md, with a misspelt field on line 10.
const WITH_ERROR = `extern policy example-policy

auth jwt {
  description = "JWT backend used for dynamic secrets"
  jwks_url    = "https://127.0.0.1:8200/jwks.json"

  role example-role {
    user_claim      = "sub"
    bound_audiences = ["example-audience"]
    token_tll       = 1h
    token_policies  = [example-policy]
    token_max_ttl   = 4h
  }
}
`;

test('the page loads the default example, compiles it and draws its graph', async () => {
  const { page, context } = await open();
  await settle(page);
  for (const id of ['editor', 'diagnostics', 'output', 'tab-api', 'tab-hcl', 'tab-json', 'tab-sh', 'target', 'examples']) {
    assert.equal(await page.locator(`[data-testid=${id}]`).count(), 1, `data-testid=${id}`);
  }
  assert.match(await editorText(page), /workload/);
  assert.match(await page.textContent('[data-testid=status]'), /compiles for Vault/);
  assert.ok((await page.locator('[data-testid=graph-node]').count()) > 3, 'graph nodes are drawn');
  await context.close();
});

test('typing an error shows its diagnostic inline and in the list; fixing it clears it', async () => {
  const { page, context } = await open();
  await settle(page);
  await setEditor(page, WITH_ERROR);
  await settle(page);
  const diags = await diagnostics(page);
  const err = diags.find((d) => d.severity === 'error');
  assert.ok(err, `an error is listed: ${JSON.stringify(diags)}`);
  assert.match(err.text, /token_tll/);
  assert.match(err.text, /10:5/, 'line and column of the misspelt field');
  assert.match(err.text, /token_ttl/, 'the help suggests the right name');
  assert.ok((await page.locator('.kp-squiggle.error').count()) > 0, 'a squiggle under the error');
  assert.match(await page.textContent('[data-testid=status]'), /error/);

  // Hovering the squiggle shows the message and the help.
  // (The squiggles are a layer over the text that takes no pointer events: the text under them answers.)
  const box = await page.locator('.kp-squiggle.error').first().boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.waitForSelector('.cm-tooltip .tip', { timeout: 5000 });
  const tip = await page.textContent('.cm-tooltip .tip');
  assert.match(tip, /token_tll/);
  assert.match(tip, /help:/);

  // Fix it by typing: select `tll` and type `ttl`.
  const from = WITH_ERROR.indexOf('token_tll') + 'token_'.length;
  await page.evaluate((at) => window.__keyplan.editor.dispatch({ selection: { anchor: at, head: at + 3 } }), from);
  await page.keyboard.type('ttl');
  await settle(page);
  assert.equal((await diagnostics(page)).filter((d) => d.severity === 'error').length, 0);
  assert.equal(await page.locator('.kp-squiggle.error').count(), 0);
  assert.match(await page.textContent('[data-testid=status]'), /compiles/);
  await context.close();
});

test('while typing, each keystroke gets its own diagnostics in order and builds wait for a pause', async () => {
  const { page, context } = await openAtUserClaim();
  const builds = await page.evaluate(() => window.__keyplan.builds);
  const quiet = await page.evaluate(() => window.__keyplan.buildQuiet.length);
  // An odd count: the text typed last differs from the one built before typing.
  for (let i = 0; i < 7; i++) {
    const version = await page.evaluate(() => window.__keyplan.diagnosticsVersion || 0);
    await page.keyboard.press(i % 2 === 0 ? 'x' : 'Backspace');
    await page.evaluate((n) => window.__keyplan.whenDiagnostics(n), version);
    await page.waitForFunction(() => window.__keyplan.listedVersion === window.__keyplan.diagnosticsVersion);
    // The squiggles and the list are those of the text just typed.
    // `user_claimx`: also unknown (a typo of `user_claim`: no missing-field besides).
    const codes = (await diagnostics(page)).map((d) => d.code).sort();
    const want = i % 2 === 0 ? ['kp::unknown-field', 'kp::unknown-field'] : ['kp::unknown-field'];
    assert.deepEqual(codes, want, `keystroke ${i}`);
    assert.equal(await page.evaluate(() => window.__keyplan.editor.state.doc.toString().includes('user_claimx')), i % 2 === 0);
  }
  await settle(page);
  assert.ok((await page.evaluate(() => window.__keyplan.builds)) > builds, 'a build once typing paused');
  // Every build started after typing had paused for 250 ms (timers never fire early).
  const pauses = await page.evaluate((n) => window.__keyplan.buildQuiet.slice(n), quiet);
  assert.ok(pauses.length > 0 && pauses.every((ms) => ms >= 249), `typing paused before each build: ${pauses}`);
  assert.match(await page.textContent('[data-testid=status]'), /^2 errors/);
  await context.close();
});

// Both lanes: checks on the page (the default for a program this small) and in the worker.
for (const [lane, query] of [['on the page', ''], ['in the worker', '?inline=off']]) test(`fast typing, checks ${lane}: a newer edit supersedes older checks, diagnostics come in edit order and match the last text`, async () => {
  const { page, context } = await openAtUserClaim(query);
  const inlineBefore = await page.evaluate(() => window.__keyplan.inlineChecks);
  const before = await page.evaluate(() => ({ edits: window.__keyplan.edits, applied: window.__keyplan.appliedEdits.length, checks: window.__keyplan.checks }));
  // Twelve keystrokes with no pause: `user_claimabcdef`, then all but `a` deleted again.
  await page.keyboard.type('abcdef');
  for (let i = 0; i < 5; i++) await page.keyboard.press('Backspace');
  await page.waitForFunction((n) => window.__keyplan.appliedEdits.at(-1) === window.__keyplan.edits && window.__keyplan.edits >= n + 11, before.edits);
  await page.waitForFunction(() => window.__keyplan.listedVersion === window.__keyplan.diagnosticsVersion);
  const after = await page.evaluate(() => ({ edits: window.__keyplan.edits, applied: window.__keyplan.appliedEdits, checks: window.__keyplan.checks }));
  const applied = after.applied.slice(before.applied);
  assert.equal(after.edits - before.edits, 11, 'one edit per keystroke');
  assert.ok(applied.every((e, i) => i === 0 || e > applied[i - 1]), `diagnostics applied in edit order: ${applied}`);
  assert.equal(applied.at(-1), after.edits, 'the last diagnostics are those of the last edit');
  assert.ok(after.checks - before.checks <= 11, 'never more checks than edits');
  assert.equal(await editorText(page), WITH_ERROR.replace('user_claim', 'user_claima'));
  const codes = (await diagnostics(page)).map((d) => d.code).sort();
  assert.deepEqual(codes, ['kp::unknown-field', 'kp::unknown-field']);
  const inline = (await page.evaluate(() => window.__keyplan.inlineChecks)) - inlineBefore;
  if (query) assert.equal(inline, 0, 'no check on the page');
  else assert.equal(inline, after.checks - before.checks, 'every check on the page');
  await context.close();
});

test('a keystroke\'s diagnostics are applied before the frame that draws the keystroke, squiggle and gutter in place', async () => {
  const { page, context } = await openAtUserClaim();
  // Per keystroke: whether its diagnostics were applied by the first animation frame after
  // its keydown (the frame that draws the edit), and the squiggles that frame lays out.
  await page.evaluate(() => {
    const k = window.__keyplan;
    k.seenInFrame = [];
    // Capturing on the window: before CodeMirror's own handler makes the edit.
    window.addEventListener(
      'keydown',
      () => {
        const version = k.diagnosticsVersion;
        requestAnimationFrame(() => k.seenInFrame.push(k.diagnosticsVersion !== version));
      },
      true,
    );
  });
  for (let i = 0; i < 6; i++) {
    const version = await page.evaluate(() => window.__keyplan.diagnosticsVersion || 0);
    await page.keyboard.press(i % 2 === 0 ? 'x' : 'Backspace');
    await page.evaluate((n) => window.__keyplan.whenDiagnostics(n), version);
    const squiggles = async () => {
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      return page.$$eval('.kp-squiggle.error', (es) => es.map((e) => e.getBoundingClientRect().toJSON()));
    };
    const boxes = await squiggles();
    // The error's range: `user_claimx` while the `x` is there, else `token_tll`.
    const word = i % 2 === 0 ? 'user_claimx' : 'token_tll';
    const range = await page.evaluate((w) => {
      const v = window.__keyplan.editor;
      const from = v.state.doc.toString().indexOf(w);
      return { left: v.coordsAtPos(from, 1).left, right: v.coordsAtPos(from + w.length, -1).right, top: v.coordsAtPos(from, 1).top };
    }, word);
    assert.ok(
      boxes.some((b) => Math.abs(b.left - range.left) <= 1.5 && Math.abs(b.right - range.right) <= 1.5 && Math.abs(b.top - range.top) <= 3),
      `keystroke ${i}: a squiggle under \`${word}\`: ${JSON.stringify(boxes)} vs ${JSON.stringify(range)}`,
    );
  }
  const seen = await page.evaluate(() => window.__keyplan.seenInFrame);
  assert.deepEqual(seen, [true, true, true, true, true, true], 'each keystroke\'s diagnostics came before its frame');
  await context.close();
});

test('the problems panel lists a keystroke\'s diagnostics a frame after the frame that draws the keystroke', async () => {
  const { page, context } = await openAtUserClaim();
  // The panel's codes at the start of each of the first five frames after a keydown: the
  // test's callback of each frame was requested before the page's (at the keydown, then
  // from its own callback of the frame before), so it reads what the frames before drew.
  // (Read at the start of the next frame rather than in a task posted after this one: a
  // busy renderer may run the next frame before such a task.)
  await page.evaluate(() => {
    const k = window.__keyplan;
    k.listedPerFrame = [];
    const listed = () => [...document.querySelectorAll('[data-testid=diagnostic]')].map((d) => d.dataset.code).sort();
    window.addEventListener(
      'keydown',
      () => {
        const frames = [];
        k.listedPerFrame.push(frames);
        const frame = () => {
          frames.push(listed());
          if (frames.length < 5) requestAnimationFrame(frame);
        };
        requestAnimationFrame(frame);
      },
      true,
    );
  });
  const before = ['kp::unknown-field'];
  const typed = ['kp::unknown-field', 'kp::unknown-field'];
  for (let i = 0; i < 4; i++) {
    const version = await page.evaluate(() => window.__keyplan.diagnosticsVersion || 0);
    await page.keyboard.press(i % 2 === 0 ? 'x' : 'Backspace');
    await page.evaluate((n) => window.__keyplan.whenDiagnostics(n), version);
    await page.waitForFunction((n) => window.__keyplan.listedPerFrame[n]?.length === 5, i);
    const frames = await page.evaluate((n) => window.__keyplan.listedPerFrame[n], i);
    const [was, now] = i % 2 === 0 ? [before, typed] : [typed, before];
    assert.deepEqual(frames[1], was, `keystroke ${i}: the frame drawing the keystroke leaves the panel as it was`);
    assert.deepEqual(frames[4], now, `keystroke ${i}: the panel lists the new diagnostics by the third frame: ${JSON.stringify(frames)}`);
  }
  assert.equal(await page.evaluate(() => window.__keyplan.listedVersion), await page.evaluate(() => window.__keyplan.diagnosticsVersion));
  await context.close();
});

test('the status line shows a keystroke\'s verdict in the frame that draws the keystroke, not in the keystroke\'s task', async () => {
  const { page, context } = await openAtUserClaim();
  // The status at the start of the first two frames after a keydown: the test's callback
  // of the first frame was requested before the page's, so it reads what the keystroke's
  // task left; the second reads what the keystroke's frame drew.
  await page.evaluate(() => {
    const k = window.__keyplan;
    k.statusPerFrame = [];
    const status = () => document.querySelector('[data-testid=status]').textContent;
    window.addEventListener(
      'keydown',
      () => {
        const frames = [];
        k.statusPerFrame.push(frames);
        requestAnimationFrame(() => {
          frames.push(status());
          requestAnimationFrame(() => frames.push(status()));
        });
      },
      true,
    );
  });
  for (let i = 0; i < 4; i++) {
    const version = await page.evaluate(() => window.__keyplan.diagnosticsVersion || 0);
    await page.keyboard.press(i % 2 === 0 ? 'x' : 'Backspace');
    await page.evaluate((n) => window.__keyplan.whenDiagnostics(n), version);
    await page.waitForFunction((n) => window.__keyplan.statusPerFrame[n]?.length === 2, i);
    const [inTask, inFrame] = await page.evaluate((n) => window.__keyplan.statusPerFrame[n], i);
    // `user_claimx`: also unknown (a typo of `user_claim`: no missing-field besides).
    const [was, now] = i % 2 === 0 ? [/^1 error /, /^2 errors /] : [/^2 errors /, /^1 error /];
    assert.match(inTask, was, `keystroke ${i}: the keystroke's task leaves the status as it was`);
    assert.match(inFrame, now, `keystroke ${i}: the keystroke's frame shows its verdict`);
  }
  // The page marks where it applied a keystroke's diagnostics only for a trace that asks.
  assert.equal(await page.evaluate(() => performance.getEntriesByName('kp:applied').length), 0, 'no marks unless asked');
  await page.evaluate(() => (window.__keyplan.markApplied = true));
  const version = await page.evaluate(() => window.__keyplan.diagnosticsVersion || 0);
  await page.keyboard.press('x');
  await page.evaluate((n) => window.__keyplan.whenDiagnostics(n), version);
  assert.equal(await page.evaluate(() => performance.getEntriesByName('kp:applied').length), 1, 'one mark per keystroke when asked');
  await context.close();
});

test('a keystroke is checked once, in its own transaction: the one update that draws the edit holds its diagnostics', async () => {
  const { page, context } = await openAtUserClaim();
  // Every transaction the editor applies, and the diagnostics its state holds right after it.
  await page.evaluate(() => {
    const k = window.__keyplan;
    const view = k.editor;
    const dispatch = view.dispatch.bind(view);
    k.dispatched = [];
    view.dispatch = (...specs) => {
      dispatch(...specs);
      k.dispatched.push(k.problemCodes());
    };
  });
  for (let i = 0; i < 6; i++) {
    const before = await page.evaluate(() => ({ version: window.__keyplan.diagnosticsVersion || 0, dispatched: window.__keyplan.dispatched.length, checks: window.__keyplan.checks, inline: window.__keyplan.inlineChecks }));
    await page.keyboard.press(i % 2 === 0 ? 'x' : 'Backspace');
    await page.evaluate((n) => window.__keyplan.whenDiagnostics(n), before.version);
    const after = await page.evaluate(() => ({ dispatched: window.__keyplan.dispatched, checks: window.__keyplan.checks, inline: window.__keyplan.inlineChecks }));
    const want = i % 2 === 0 ? ['kp::unknown-field', 'kp::unknown-field'] : ['kp::unknown-field'];
    assert.deepEqual(after.dispatched.slice(before.dispatched), [want], `keystroke ${i}: one transaction, holding the new diagnostics`);
    assert.equal(after.checks - before.checks, 1, `keystroke ${i}: one check`);
    assert.equal(after.inline - before.inline, 1, `keystroke ${i}: checked on the page`);
  }
  // Each keystroke changed the diagnostics, so its transaction was made anew: the page's
  // instance still held the view's text, and every keystroke passed only its edit.
  const passed = await page.evaluate(() => window.__keyplan.inline().passed);
  assert.ok(passed.edits >= 6, `keystrokes passed as edits: ${JSON.stringify(passed)}`);
  const textsBefore = passed.text;
  await page.keyboard.press('x');
  await page.keyboard.press('Backspace');
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
  assert.equal((await page.evaluate(() => window.__keyplan.inline().passed)).text, textsBefore, 'no keystroke passed the whole text');
  await context.close();
});

test('a few checks slowed by a busy machine leave keystrokes checked on the page; a program that got slower to check goes to the worker', async () => {
  const { page, context } = await openAtUserClaim();
  // Long enough that the estimate decides (short programs are always checked on the page).
  const filler = `\n${'# a comment line to make the program long enough for the estimate to decide\n'.repeat(80)}`;
  await page.evaluate((text) => window.__keyplan.editor.dispatch({ changes: { from: window.__keyplan.editor.state.doc.length, insert: text } }), filler);
  await settle(page);
  const press = async (key) => {
    const before = await page.evaluate(() => ({ version: window.__keyplan.diagnosticsVersion || 0, inline: window.__keyplan.inlineChecks }));
    await page.keyboard.press(key);
    await page.evaluate((n) => window.__keyplan.whenDiagnostics(n), before.version);
    return (await page.evaluate(() => window.__keyplan.inlineChecks)) - before.inline;
  };
  const observe = (ms, times) =>
    page.evaluate(([ms, times]) => {
      const k = window.__keyplan;
      for (let i = 0; i < times; i++) k.observeCheck(k.editor.state.doc.length, ms);
    }, [ms, times]);
  const budget = await page.evaluate(() => window.__keyplan.inline().budgetMs);
  await observe(1, 8);
  // Three checks that took four budgets each: the machine, not the program.
  await observe(4 * budget, 3);
  assert.equal(await press('x'), 1, 'checked on the page after a few slow checks');
  // Eight in a row: the program is slower to check than the frame allows.
  await observe(4 * budget, 8);
  assert.equal(await press('Backspace'), 0, 'checked in the worker once every recent check was slow');
  assert.deepEqual(await page.evaluate(() => window.__keyplan.problemCodes()), ['kp::unknown-field'], 'its diagnostics shown all the same');
  await context.close();
});

test('squiggles sit under the text of their diagnostic, and move with it when lines are added above', async () => {
  const { page, context } = await open();
  await setEditor(page, WITH_ERROR);
  await settle(page);
  const rangeBox = (word) =>
    page.evaluate((w) => {
      const v = window.__keyplan.editor;
      const from = v.state.doc.toString().indexOf(w);
      const a = v.coordsAtPos(from, 1);
      const b = v.coordsAtPos(from + w.length, -1);
      return { left: a.left, right: b.right, top: a.top, bottom: a.bottom };
    }, word);
  const squiggle = async () => {
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const boxes = await page.$$eval('.kp-squiggle.error', (es) => es.map((e) => e.getBoundingClientRect().toJSON()));
    assert.equal(boxes.length, 1, 'one squiggle: the misspelt field');
    return boxes[0];
  };
  const near = (a, b, what) => assert.ok(Math.abs(a - b) <= 1.5, `${what}: ${a} vs ${b}`);
  let word = await rangeBox('token_tll');
  let box = await squiggle();
  near(box.left, word.left, 'left edge');
  near(box.right, word.right, 'right edge');
  near(box.bottom, word.bottom, 'bottom');
  // Three lines above it: the squiggle moves down with the text at once (mapped through
  // the edit), and stays there when the new check's diagnostics arrive.
  const version = await page.evaluate(() => window.__keyplan.diagnosticsVersion);
  await page.evaluate(() => window.__keyplan.editor.dispatch({ changes: { from: 0, insert: '# one\n# two\n# three\n' } }));
  word = await rangeBox('token_tll');
  box = await squiggle();
  near(box.top, word.top, 'top after the edit');
  near(box.left, word.left, 'left after the edit');
  await page.evaluate((n) => window.__keyplan.whenDiagnostics(n), version);
  box = await squiggle();
  near(box.top, word.top, 'top after the check');
  near(box.right, word.right, 'right after the check');
  const gutter = await page.$$eval('.kp-gutter-mark.error', (es) => es.map((e) => e.title));
  assert.equal(gutter.length, 1);
  assert.match(gutter[0], /token_tll/);
  await context.close();
});

/**
 * The shown output's whole text. A long output fills its blocks of lines as they come
 * near the view: scroll each empty one into view until none is left.
 */
async function wholeOutput(page) {
  await page.waitForSelector('[data-testid=output] [data-testid=output-text]');
  for (let i = 0; i < 500; i++) {
    const empty = await page.evaluate(() => {
      const block = document.querySelector('[data-testid=output-text] .chunk:empty');
      block?.scrollIntoView();
      return Boolean(block);
    });
    if (!empty) break;
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  }
  return page.textContent('[data-testid=output] [data-testid=output-text]');
}

test('the graph draws each node at its own place: boxes apart, each node\'s texts inside its box', async () => {
  const { page, context } = await open();
  await settle(page);
  const nodes = await page.$$eval('[data-testid=graph-node]', (gs) =>
    gs.map((g) => ({
      box: g.querySelector('.box').getBoundingClientRect().toJSON(),
      parts: [...g.querySelectorAll('.stripe, text')].map((e) => e.getBoundingClientRect().toJSON()),
    })),
  );
  assert.ok(nodes.length > 3, 'graph nodes are drawn');
  const inside = (p, b) => p.left >= b.left && p.right <= b.right && p.top >= b.top && p.bottom <= b.bottom;
  const apart = (a, b) => a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;
  nodes.forEach((n, i) => {
    assert.equal(n.parts.length, 3, `node ${i}: a stripe, its kind and its name`);
    for (const p of n.parts) assert.ok(inside(p, n.box), `node ${i}: ${JSON.stringify(p)} inside ${JSON.stringify(n.box)}`);
    for (const m of nodes.slice(i + 1)) assert.ok(apart(n.box, m.box), `node ${i} overlaps another: ${JSON.stringify(n.box)} ${JSON.stringify(m.box)}`);
  });
  await context.close();
});

test('every output tab shows its output; the target switch recompiles', async () => {
  const { page, context } = await open();
  await page.selectOption('[data-testid=examples]', 'pipeline');
  await settle(page);
  const shown = {};
  for (const tab of ['api', 'hcl', 'json', 'sh']) {
    await page.click(`[data-testid=tab-${tab}]`);
    shown[tab] = await wholeOutput(page);
    assert.ok(shown[tab].length > 20, `${tab} output`);
  }
  JSON.parse(shown.api);
  const graph = JSON.parse(shown.json);
  assert.ok(graph.nodes && graph.nodes.length > 0, 'graph.json has nodes');
  assert.match(shown.hcl, /path "/);
  assert.match(shown.sh, /^#!/);
  await page.click('[data-testid=tab-matrix]');
  assert.ok((await page.locator('[data-testid=matrix] td .cap').count()) > 0, 'the access matrix lists capabilities');
  await page.click('[data-testid=tab-graph]');
  assert.ok((await page.locator('[data-testid=graph-node].kind-workload').count()) > 0, 'workloads are drawn');

  await page.selectOption('[data-testid=target]', 'openbao');
  await settle(page);
  assert.match(await page.textContent('[data-testid=status]'), /OpenBao|error/);
  await page.click('[data-testid=tab-sh]');
  const sh = await page.textContent('[data-testid=output]');
  assert.ok(sh.length > 0);
  await context.close();
});

test('a shared link reopens the same program and target; local storage keeps it too', async () => {
  const { page, context } = await open();
  await settle(page);
  const program = `${WITH_ERROR.replace('token_tll', 'token_ttl')}# shared ✓ 𝄞\n`;
  await setEditor(page, program);
  await page.selectOption('[data-testid=target]', 'openbao');
  await settle(page);
  await page.click('[data-testid=share]');
  await page.waitForFunction(() => location.hash.startsWith('#c='));
  const link = page.url();
  await context.close();

  // A fresh browser profile: nothing in local storage, only the link.
  const fresh = await open(link);
  await settle(fresh.page);
  assert.equal(await editorText(fresh.page), program);
  assert.equal(await fresh.page.inputValue('[data-testid=target]'), 'openbao');

  // The same profile without the hash: local storage.
  await fresh.page.evaluate(() => window.__keyplan.editor.dispatch({ changes: { from: 0, insert: '# edited\n' } }));
  // Saved once typing pauses, in an idle moment.
  await fresh.page.waitForFunction(() => localStorage.getItem('keyplan.playground.source')?.startsWith('# edited\n'), null, { timeout: 5000 });
  await fresh.page.goto(new URL(link).origin + '/');
  await fresh.page.waitForFunction(() => window.__keyplan && window.__keyplan.ready);
  assert.equal(await editorText(fresh.page), `# edited\n${program}`);
  await fresh.context.close();
});

// QA: a link to the same program for another target, opened in the tab, kept the old
// target; and after a target switch broke the build, Copy handed out the last good build
// of the other target as this one's.
test('a link for another target switches it; a build of another target is not exported', async () => {
  const { page, context } = await open();
  await settle(page);
  const program = 'secrets aws {\n  role r {\n    credential_type = "iam_user"\n  }\n}\n';
  await setEditor(page, program);
  await page.selectOption('[data-testid=target]', 'vault');
  await settle(page);
  await page.click('[data-testid=share]');
  await page.waitForFunction(() => location.hash.startsWith('#c='));
  const vaultHash = new URL(page.url()).hash;
  await page.click('[data-testid=tab-api]');
  assert.ok(await page.evaluate(() => window.__keyplan.artifact()), 'Vault builds it');

  // OpenBao has no AWS engine: the outputs shown are Vault's last good build.
  await page.selectOption('[data-testid=target]', 'openbao');
  await settle(page);
  await page.waitForFunction(() => window.__keyplan.built && window.__keyplan.built.target === 'openbao');
  await page.waitForFunction(() => document.querySelector('.stale-note')?.textContent.includes('for Vault'));
  assert.equal(await page.evaluate(() => window.__keyplan.artifact()), null);

  await page.evaluate((hash) => {
    location.hash = hash;
  }, vaultHash);
  await page.waitForFunction(() => document.querySelector('[data-testid=target]').value === 'vault');
  await settle(page);
  assert.ok(await page.evaluate(() => window.__keyplan.artifact()), 'built again for Vault');
  await context.close();
});

test('each example loads and compiles without errors for Vault', async () => {
  const { page, context } = await open();
  const names = await page.$$eval('[data-testid=examples] option', (os) => os.map((o) => o.value).filter(Boolean));
  assert.ok(names.length >= 6, `the five scenarios and the pipeline: ${names}`);
  for (const name of names) {
    await page.selectOption('[data-testid=examples]', name);
    await settle(page);
    const expected = await page.evaluate((n) => window.__keyplan.examples.find((e) => e.name === n).source, name);
    assert.equal(await editorText(page), expected);
    const errors = (await diagnostics(page)).filter((d) => d.severity === 'error');
    assert.deepEqual(errors, [], `${name} compiles`);
    assert.ok((await page.locator('[data-testid=graph-node]').count()) > 0, `${name} has a graph`);
  }
  await context.close();
});

test('completion offers block names and the schema fields of the enclosing block', async () => {
  const { page, context } = await open();
  await settle(page);
  await setEditor(page, 'auth jwt {\n  role r {\n    \n  }\n}\n');
  const at = 'auth jwt {\n  role r {\n    '.length;
  await page.evaluate((p) => window.__keyplan.editor.dispatch({ selection: { anchor: p } }), at);
  await page.keyboard.type('token_t');
  await page.waitForSelector('.cm-tooltip-autocomplete', { timeout: 5000 });
  const options = await page.$$eval('.cm-tooltip-autocomplete li', (ls) => ls.map((l) => l.textContent));
  assert.ok(options.some((o) => o.startsWith('token_ttl')), `token_ttl offered: ${options}`);
  await page.keyboard.press('Escape');

  await page.evaluate(() => {
    const v = window.__keyplan.editor;
    v.dispatch({ changes: { from: v.state.doc.length, insert: '\nsec' }, selection: { anchor: v.state.doc.length + 4 } });
  });
  await page.keyboard.press('Control+Space');
  await page.waitForSelector('.cm-tooltip-autocomplete', { timeout: 5000 });
  const top = await page.$$eval('.cm-tooltip-autocomplete li', (ls) => ls.map((l) => l.textContent));
  assert.ok(top.some((o) => o.startsWith('secrets')), `secrets offered: ${top}`);
  await page.keyboard.press('Escape');

  // References complete to names the program declares; hovering a field shows its docs.
  await setEditor(page, 'extern policy audit-reader\npolicy ci-reader {\n}\nauth jwt {\n  role r {\n    user_claim = "sub"\n    token_policies = [\n  }\n}\n');
  const ref = 'extern policy audit-reader\npolicy ci-reader {\n}\nauth jwt {\n  role r {\n    user_claim = "sub"\n    token_policies = ['.length;
  await page.evaluate((p) => window.__keyplan.editor.dispatch({ selection: { anchor: p } }), ref);
  await page.keyboard.type('a');
  await page.waitForSelector('.cm-tooltip-autocomplete', { timeout: 5000 });
  const refs = await page.$$eval('.cm-tooltip-autocomplete li', (ls) => ls.map((l) => l.textContent));
  assert.ok(refs.some((o) => o.startsWith('audit-reader')), `declared policies offered: ${refs}`);
  await page.keyboard.press('Escape');
  await page.locator('.cm-line', { hasText: 'user_claim' }).locator('text=user_claim').hover();
  await page.waitForSelector('.hover-doc', { timeout: 5000 });
  assert.match(await page.textContent('.hover-doc'), /user_claim: string/);
  // The description comes from the schema asset (the wasm carries no descriptions).
  assert.match(await page.textContent('.hover-doc'), /uniquely identifies the user/);
  await context.close();
});

test('copy and download give the shown output', async () => {
  const { page, context } = await open();
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  await page.selectOption('[data-testid=examples]', 'pipeline');
  await settle(page);
  await page.click('[data-testid=tab-hcl]');
  const chips = page.locator('[data-testid=file-chip]');
  assert.ok((await chips.count()) > 1, 'one HCL file per policy');
  await chips.nth(1).click();
  const shown = await page.textContent('[data-testid=output-text]');
  await page.click('[data-testid=copy]');
  await page.waitForFunction(() => document.getElementById('toast').textContent.startsWith('Copied'));
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), shown);

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download]')]);
  assert.match(download.suggestedFilename(), /\.hcl$/);
  await page.click('[data-testid=tab-graph]');
  const [svg] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download]')]);
  assert.equal(svg.suggestedFilename(), 'graph.svg');
  // The file holds the whole graph, also what the pane has not drawn (it draws what is in view).
  const file = await readFile(await svg.path(), 'utf8');
  const nodes = await page.evaluate(() => window.__keyplan.built && document.querySelectorAll('[data-testid=graph-node]').length);
  assert.ok((file.match(/data-testid="graph-node"/g) || []).length >= nodes, 'every node in the SVG file');
  assert.match(file, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  await context.close();
});

const UGLY = `# scenario 1, squashed
extern policy example-policy
auth jwt {
description = "JWT backend" # why
      jwks_url =   "https://127.0.0.1:8200/jwks.json"
  role example-role {
user_claim = "sub"
bound_audiences=["example-audience",]
    token_policies = [example-policy]
  }
}
`;

const FORMATTED = `# scenario 1, squashed
extern policy example-policy

auth jwt {
  description = "JWT backend" # why
  jwks_url    = "https://127.0.0.1:8200/jwks.json"
  role example-role {
    user_claim      = "sub"
    bound_audiences = ["example-audience"]
    token_policies  = [example-policy]
  }
}
`;

test('the Format button lays the program out like keyplan fmt and refuses syntax errors', async () => {
  const { page, context } = await open();
  await settle(page);
  await setEditor(page, UGLY);
  await settle(page);
  await page.click('[data-testid=format]');
  await page.waitForFunction((want) => window.__keyplan.editor.state.doc.toString() === want, FORMATTED, { timeout: 10000 });
  await settle(page);
  assert.match(await page.textContent('[data-testid=status]'), /compiles for Vault/);

  await page.click('[data-testid=format]');
  await page.waitForFunction(() => document.getElementById('toast').textContent === 'Already formatted');

  const broken = 'auth jwt {\n  description = "x"\n';
  await setEditor(page, broken);
  await settle(page);
  await page.click('[data-testid=format]');
  await page.waitForFunction(() => document.getElementById('toast').textContent.startsWith('Not formatted'));
  assert.equal(await page.textContent('#toast'), 'Not formatted: 1 syntax error');
  assert.equal(await editorText(page), broken);
  await context.close();
});

test('a keystroke scrolls the editor only when its cursor needs it: in view, the view stays still; off view or on a new line below it, the cursor is brought into view', async () => {
  const { page, context } = await open();
  const lines = Array.from({ length: 400 }, (_, i) => `# line ${i + 1} of a long comment`).join('\n');
  await setEditor(page, `${lines}\n`);
  await settle(page);
  const frames = () => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  // The view's scroll position, the scroll requests applied so far, and whether the
  // cursor's line is wholly inside the scroller.
  const view = () =>
    page.evaluate(() => {
      const k = window.__keyplan;
      const v = k.editor;
      const box = v.scrollDOM.getBoundingClientRect();
      const at = v.coordsAtPos(v.state.selection.main.head);
      return { top: v.scrollDOM.scrollTop, requests: k.scrollRequests, cursorShown: Boolean(at) && at.top >= box.top && at.bottom <= box.bottom };
    });
  const placeCursor = (line, how) =>
    page.evaluate(
      ([n, y]) => {
        const v = window.__keyplan.editor;
        const { to } = v.state.doc.line(n);
        v.focus();
        v.dispatch({ selection: { anchor: to }, effects: y ? window.__keyplan.scrollIntoView(to, y) : [] });
      },
      [line, how],
    );

  // In the middle of the view: typing and deleting ask no scroll, and nothing moves.
  await placeCursor(200, 'center');
  await frames();
  const still = await view();
  for (const key of ['x', 'y', 'Backspace', 'Backspace']) await page.keyboard.press(key);
  await frames();
  const after = await view();
  assert.equal(after.requests, still.requests, 'no scroll asked while the cursor stays in view');
  assert.equal(after.top, still.top, 'the view did not move');
  assert.ok(after.cursorShown);

  // The view scrolled away from the cursor: the next keystroke brings it back.
  await page.evaluate(() => (window.__keyplan.editor.scrollDOM.scrollTop = 0));
  await frames();
  assert.equal((await view()).cursorShown, false, 'the cursor is out of view');
  await page.keyboard.press('x');
  await frames();
  const back = await view();
  assert.ok(back.requests > after.requests, 'that keystroke asked for a scroll');
  assert.ok(back.cursorShown, 'and the cursor is in view again');

  // On the last line in view: a new line below it scrolls the view down to the cursor.
  await placeCursor(200, 'end');
  await frames();
  const edge = await view();
  assert.ok(edge.cursorShown);
  await page.keyboard.press('Enter');
  await page.keyboard.press('Enter');
  await frames();
  const below = await view();
  assert.ok(below.top > edge.top, `the view scrolled down (${edge.top} -> ${below.top})`);
  assert.ok(below.cursorShown, 'the cursor on its new line is in view');
  await context.close();
});

test('no request leaves 127.0.0.1 and no page error was thrown', () => {
  assert.deepEqual(foreignRequests, []);
  assert.deepEqual(pageErrors, []);
});

test('checks sent as edits give the diagnostics of the whole text: random edits, one and many changes per transaction, multi-byte text', async () => {
  // The worker's lane (a program over the page's budget is checked there).
  const { page, context } = await open(`${server.url}?inline=off`);
  await settle(page);
  const result = await page.evaluate(async () => {
    const k = window.__keyplan;
    const view = k.editor;
    // A small deterministic generator: the same edits on every run.
    let seed = 0x2545f491;
    const rand = (n) => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const SNIPPETS = ['x', ' ', '\n', '}', '{', '"', '= ', 'token_ttl = 1h\n', 'é', '😀', 'read "secret/data/x/*"\n', 'role r {\n}\n', ''];
    const sentBefore = { ...k.sent };
    const mismatches = [];
    for (let round = 0; round < 40; round++) {
      const version = k.diagnosticsVersion || 0;
      const len = view.state.doc.length;
      // One to three changes in one transaction, at non-overlapping places in order.
      const count = 1 + rand(3);
      const cuts = Array.from({ length: count * 2 }, () => rand(len + 1)).sort((a, b) => a - b);
      const changes = [];
      for (let i = 0; i < count; i++) {
        let from = cuts[2 * i];
        let to = Math.min(cuts[2 * i + 1], from + rand(6));
        // Never split a surrogate pair (the editor would not either).
        const text = view.state.doc.toString();
        const low = (at) => at > 0 && at < text.length && /[\uDC00-\uDFFF]/.test(text[at]);
        if (low(from)) from--;
        if (low(to)) to++;
        if (changes.length && from < changes[changes.length - 1].to) continue;
        changes.push({ from, to, insert: SNIPPETS[rand(SNIPPETS.length)] });
      }
      view.dispatch({ changes });
      // Sometimes a second edit before the first one's answer: its check is one more.
      if (rand(3) === 0) view.dispatch({ changes: { from: rand(view.state.doc.length + 1), insert: 'a' } });
      await k.whenDiagnostics(version);
      // The last edit's check, when the first one's answer came before it.
      await new Promise((resolve) => {
        const wait = () => (k.appliedEdits[k.appliedEdits.length - 1] === k.edits ? resolve() : setTimeout(wait, 5));
        wait();
      });
      const full = await k.checkText(view.state.doc.toString());
      if (JSON.stringify(full) !== JSON.stringify(k.lastCheck)) mismatches.push({ round, full, incremental: k.lastCheck });
    }
    return { mismatches: mismatches.slice(0, 2), sentBefore, sentAfter: { ...k.sent } };
  });
  assert.deepEqual(result.mismatches, []);
  assert.ok(result.sentAfter.edits - result.sentBefore.edits >= 40, `checks were sent as edits: ${JSON.stringify(result)}`);
  assert.equal(result.sentAfter.resyncs, result.sentBefore.resyncs, 'and the worker applied them to its copy of the text');

  // When the worker's copy is not the text the edit applies to, it asks for the text: the
  // diagnostics are still those of the editor's text.
  const spoilt = await page.evaluate(async () => {
    const k = window.__keyplan;
    k.spoilHeldText();
    const version = k.diagnosticsVersion || 0;
    const sent = k.sent.edits;
    const resyncs = k.sent.resyncs;
    k.editor.dispatch({ changes: { from: 0, insert: 'policy p {\n}\n' } });
    await k.whenDiagnostics(version);
    const full = await k.checkText(k.editor.state.doc.toString());
    return { sentAsEdits: k.sent.edits - sent, same: JSON.stringify(full) === JSON.stringify(k.lastCheck), resyncs: k.sent.resyncs - resyncs };
  });
  assert.equal(spoilt.sentAsEdits, 1, 'the check was sent as an edit');
  assert.equal(spoilt.resyncs, 1, 'the worker asked for the text');
  assert.ok(spoilt.same, 'and answered for the editor\'s text');
  await context.close();
});
