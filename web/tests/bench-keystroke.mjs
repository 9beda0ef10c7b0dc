// Keystroke -> fresh diagnostics on a 2,000-line program, in headless Chromium.
// `npm --prefix web run bench` (after a build), or scripts/bench-keystroke.sh. Prints the
// distributions (median, p95) from outside the page (measured two ways, see `keystroke`)
// and inside it; asserts nothing.
// AB_DIST=dir compares two builds keystroke by keystroke (see `abMain`).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serve, launch, openPage, setEditor, settle, outermostTasks, WEB } from './helpers.mjs';

const LINES = Number(process.env.LINES || 2000);
const ROUNDS = Number(process.env.ROUNDS || 40);
const GAP_MS = Number(process.env.GAP_MS || 150);

/** The pipeline example's engines, then workloads until the program has LINES lines. */
// Puts the cursor after `user_claim` in the middle of the program: typing `x` makes it an
// unknown field (an error), Backspace fixes it again.
export async function cursorAfterMiddleUserClaim(page, program) {
  const at = program.indexOf('user_claim', Math.floor(program.length / 2)) + 'user_claim'.length;
  await page.evaluate((p) => {
    const v = window.__keyplan.editor;
    v.focus();
    v.dispatch({ selection: { anchor: p } });
  }, at);
}

export function bigProgram(lines = LINES) {
  const pipeline = readFileSync(join(WEB, '..', 'examples', 'pipeline.kp'), 'utf8');
  const head = pipeline.slice(0, pipeline.indexOf('workload '));
  const parts = [head];
  let count = head.split('\n').length;
  for (let i = 0; count < lines; i++) {
    const w = `workload job-${i} {
  description = "pipeline job ${i}"

  login gitlab {
    bound_audiences = ["https://vault.example.com"]
    bound_claims    = { project_path = "ml/job-${i}", ref = "main" }
    user_claim      = "sub"
    token_ttl       = 15m
    token_max_ttl   = 1h
  }

  read  "secret/data/jobs/${i}/*"
  list  "secret/metadata/jobs/${i}/*"
  creds database.readonly
}

`;
    parts.push(w);
    count += w.split('\n').length - 1;
  }
  return parts.join('').split('\n').slice(0, lines).join('\n').replace(/\n[^\n]*$/, '\n}\n');
}

/** Durations (ms) of the page's main-thread tasks in a trace (the renderer main thread with the most tasks). */
function mainThreadTasks(events) {
  const byThread = new Map();
  const mains = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  for (const e of events) {
    const thread = `${e.pid}:${e.tid}`;
    if (!mains.has(thread)) continue;
    if (!byThread.has(thread)) byThread.set(thread, []);
    byThread.get(thread).push(e);
  }
  const tasks = [...byThread.values()].map((es) => outermostTasks(es).map((t) => t.dur / 1000));
  return tasks.sort((a, b) => b.length - a.length)[0] || [];
}

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, min: s[0], median: q(0.5), p90: q(0.9), p95: q(0.95), max: s[s.length - 1] };
}

const fmt = (o) => Object.entries(o).map(([k, v]) => `${k} ${typeof v === 'number' && k !== 'n' ? v.toFixed(1) : v}`).join('  ');

/**
 * The measurement's own floor: the same keystrokes, measured both ways (see
 * `keystrokeFromOutside`), on a bare textarea whose `input` handler reports at once. What
 * Playwright, the DevTools protocol and Chromium's input pipeline cost before any page
 * code runs.
 */
async function harnessFloor(browser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.setContent('<textarea autofocus></textarea>');
  await page.evaluate(() => {
    let version = 0;
    let waiters = [];
    const area = document.querySelector('textarea');
    area.focus();
    area.addEventListener('input', () => {
      version++;
      for (const wake of waiters.splice(0)) wake(version);
    });
    window.__bench = {
      version: () => version,
      when: (n) => (version > n ? Promise.resolve(version) : new Promise((wake) => waiters.push(wake))),
    };
  });
  const watch = await oneWay(page);
  const xs = { oneWay: [], roundTrips: [] };
  for (let i = 0; i < 2 * ROUNDS; i++) await keystrokeFromOutside(page, i, watch, xs);
  await context.close();
  return xs;
}

/**
 * Lets the page tell Node when diagnostics newer than a version arrive, with one message
 * (a DevTools binding the page calls) instead of a round trip Node starts: `arm(n)` before
 * a keystroke gives `arrived`, which resolves (to Node's time of the message) once the
 * page has a version above `n`.
 */
async function oneWay(page) {
  let wake = null;
  const name = `__kpArrived${Math.random().toString(36).slice(2)}`;
  await page.exposeBinding(name, () => wake?.(performance.now()));
  return {
    async arm(n) {
      const arrived = new Promise((resolve) => (wake = resolve));
      // Not awaited in the page: the evaluation returns at once, the message comes later.
      await page.evaluate(([n, name]) => void window.__bench.when(n).then(() => window[name]()), [n, name]);
      // In an object: an async function's promise result would be awaited with it.
      return { arrived };
    },
  };
}

/**
 * One keystroke measured from outside the page on Node's clock, from sending the key to
 * Node knowing the page has diagnostics of the new text. `oneWay`: the key's down event is
 * sent and the page's own message ends the measurement (the key goes up afterwards).
 * Otherwise, as the earlier stops measured: `keyboard.press` (down and up, each awaited),
 * then a page call that resolves once diagnostics are there: two round trips more.
 */
async function keystroke(page, key, watch, oneWayMeasure) {
  const version = await page.evaluate(() => window.__bench.version());
  if (oneWayMeasure) {
    const { arrived } = await watch.arm(version);
    const t0 = performance.now();
    await page.keyboard.down(key);
    const t1 = await arrived;
    await page.keyboard.up(key);
    return t1 - t0;
  }
  const t0 = performance.now();
  await page.keyboard.press(key);
  await page.evaluate((n) => window.__bench.when(n), version);
  return performance.now() - t0;
}

/** `window.__bench` on the playground: the version of its diagnostics, and a promise for a newer one. */
async function benchDiagnostics(page) {
  await page.evaluate(() => {
    window.__bench = { version: () => window.__keyplan.diagnosticsVersion || 0, when: (n) => window.__keyplan.whenDiagnostics(n) };
  });
  return oneWay(page);
}

/**
 * Keystroke `i` (`x`, then Backspace, in turn; each pair measured one way, the next pair
 * with round trips: see `keystroke`), then GAP_MS of pause.
 */
async function keystrokeFromOutside(page, i, watch, into) {
  const oneWayMeasure = i % 4 < 2;
  const ms = await keystroke(page, i % 2 === 0 ? 'x' : 'Backspace', watch, oneWayMeasure);
  (oneWayMeasure ? into.oneWay : into.roundTrips).push(ms);
  await page.waitForTimeout(GAP_MS);
}

async function main() {
  const program = bigProgram();
  // DIST_DIR: another build of the page (e.g. of main) for a side-by-side comparison.
  const server = await serve(process.env.DIST_DIR || undefined);
  const browser = await launch();
  try {
    // QUERY: e.g. `inline=off`, the page's checks all in the worker.
    const { page } = await openPage(browser, server.url + (process.env.QUERY ? `?${process.env.QUERY}` : ''));
    await setEditor(page, program);
    await settle(page);
    const floor = await harnessFloor(browser);
    const lines = await page.evaluate(() => window.__keyplan.editor.state.doc.lines);
    const build = await page.evaluate(() => window.__keyplan.built);
    const status = await page.textContent('[data-testid=status]');
    console.log(`program: ${lines} lines, ${program.length} bytes; status: ${status}; full build ${build.ms?.toFixed(1)} ms in the worker`);

    await cursorAfterMiddleUserClaim(page, program);
    await page.evaluate(() => {
      window.__keyplan.latencies = [];
      window.__keyplan.checkMs = [];
      if (window.__keyplan.framedLatencies) window.__keyplan.framedLatencies = [];
      // Frame gaps on the main thread: a gap over 16.7 ms is a frame the page missed.
      window.__frames = [];
      let last = performance.now();
      const tick = (t) => {
        window.__frames.push(t - last);
        last = t;
        if (!window.__stopFrames) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
      // Tasks over 50 ms (what the browser reports); frame gaps above catch shorter ones.
      window.__longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__longTasks.push({ at: e.startTime, ms: e.duration });
      }).observe({ type: 'longtask' });
    });
    // Measured from outside the page: Node's clock from sending the key to knowing the
    // page has diagnostics of the new text, ROUNDS keystrokes each way (`keystroke`). GAP_MS
    // apart: a build (250 ms after the last edit) may start, and is cut by the next keystroke.
    const watch = await benchDiagnostics(page);
    const outside = { oneWay: [], roundTrips: [] };
    const builds0 = await page.evaluate(() => window.__keyplan.builds);
    // TRACE=1: every main-thread task while typing, from a Chromium trace of only the task
    // events: the longest is what a keystroke can have waited behind. Off by default: even
    // that trace slows the keystrokes it records (one-way p95 27.6 ms with it, 20.8 without).
    const tracing = process.env.TRACE === '1';
    if (tracing) await browser.startTracing(page, { categories: ['toplevel'] });
    for (let i = 0; i < 2 * ROUNDS; i++) await keystrokeFromOutside(page, i, watch, outside);
    const typingFrames = await page.evaluate(() => window.__frames.length);
    const typingTasks = tracing ? mainThreadTasks(JSON.parse((await browser.stopTracing()).toString()).traceEvents) : [];
    // Typing pauses: each edit's build is drawn (renders wait for a pause in typing),
    // then every tab is drawn once; the frame gaps and long tasks include all of them.
    const counted = await page.evaluate(() => Array.isArray(window.__keyplan.renderMs));
    const renders0 = counted ? await page.evaluate(() => window.__keyplan.renderMs.length) : 0;
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press(i % 2 === 0 ? 'x' : 'Backspace');
      await settle(page);
      if (counted) await page.waitForFunction((n) => window.__keyplan.renderMs.length > n, renders0 + i, { timeout: 20000 });
      else await page.waitForTimeout(600);
    }
    const tabMs = {};
    for (const tab of ['graph', 'matrix', 'api', 'hcl', 'json', 'sh', 'graph']) {
      const t0 = performance.now();
      await page.click(`[data-testid=tab-${tab}]`);
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
      tabMs[tab] = performance.now() - t0;
    }
    // The same switches clicked from inside the page (no Playwright actionability checks):
    // the click to the first frame painted after it, and the longest main-thread task
    // until then (what the browser reports as long tasks is only over 50 ms).
    const tabInPage = {};
    for (const tab of ['graph', 'matrix', 'api', 'hcl', 'json', 'sh', 'graph', 'matrix']) {
      await page.waitForTimeout(300);
      const ms = await page.evaluate(
        (t) =>
          new Promise((resolve) => {
            const t0 = performance.now();
            document.querySelector(`[data-testid=tab-${t}]`).click();
            requestAnimationFrame(() => {
              const c = new MessageChannel();
              c.port1.onmessage = () => resolve(performance.now() - t0);
              c.port2.postMessage(0);
            });
          }),
        tab,
      );
      tabInPage[tab] = tab in tabInPage ? `${tabInPage[tab]}/${ms.toFixed(1)}` : ms.toFixed(1);
    }
    const latencies = await page.evaluate(() => window.__keyplan.latencies);
    const checkMs = await page.evaluate(() => window.__keyplan.checkMs);
    const frames = await page.evaluate(() => {
      window.__stopFrames = true;
      return window.__frames.slice(1);
    });
    const builds = (await page.evaluate(() => window.__keyplan.builds)) - builds0;
    const longTasks = await page.evaluate(() => window.__longTasks);
    const probe = await page.evaluate(() => {
      const k = window.__keyplan;
      return { timings: k.timings || [], applyMs: k.applyMs || [], renderMs: k.renderMs || [], keyToCheck: k.keyToCheck || [], framed: k.framedLatencies || [] };
    });
    const of = (fn, key) => probe.timings.filter((t) => t.fn === fn).map((t) => t[key]);
    const lanes = await page.evaluate(() => ({ inline: window.__keyplan.inlineChecks, state: window.__keyplan.inline?.() }));
    console.log(`${2 * ROUNDS} keystrokes ${GAP_MS} ms apart, ${ROUNDS} measured each way; builds meanwhile: ${builds}`);
    if (lanes.state) console.log(`checks on the page (inline): ${lanes.inline}; estimate ${(lanes.state.perUnit * program.length).toFixed(1)} ms per check, budget ${lanes.state.budgetMs} ms${lanes.state.off ? ' (off)' : lanes.state.always ? ' (on: always)' : ''}`);
    console.log(`keystroke -> fresh diagnostics, from outside, one way (ms):     ${fmt(stats(outside.oneWay))}`);
    console.log(`the same on a bare textarea (floor, ms):                     ${fmt(stats(floor.oneWay))}`);
    console.log(`keystroke -> fresh diagnostics, from outside, round trips (ms): ${fmt(stats(outside.roundTrips))}`);
    console.log(`the same on a bare textarea (floor, ms):                     ${fmt(stats(floor.roundTrips))}`);
    console.log(`keystroke -> fresh diagnostics, in the page (ms):  ${fmt(stats(latencies))}`);
    if (probe.framed.length) console.log(`keystroke -> the frame drawing them, in the page (ms): ${fmt(stats(probe.framed))}`);
    console.log(`of which check() in the worker (ms):              ${fmt(stats(checkMs))}`);
    console.log(`key -> check posted, on the page (ms):           ${fmt(stats(probe.keyToCheck))}`);
    console.log(`check request page->worker start (ms):          ${fmt(stats(of('check', 'queue').filter((q) => q >= 0)))}`);
    console.log(`check response hop worker->page (ms):            ${fmt(stats(of('check', 'hop')))}`);
    console.log(`check JSON.parse on the page (ms):                ${fmt(stats(of('check', 'parse')))}`);
    console.log(`applying diagnostics on the page (ms):            ${fmt(stats(probe.applyMs))}`);
    console.log(`build() in the worker (ms):                       ${fmt(stats(of('build', 'ms')))}`);
    console.log(`build response: hop ${fmt(stats(of('build', 'hop')))}`);
    console.log(`build response: JSON.parse ${fmt(stats(of('build', 'parse')))}; ${Math.max(...of('build', 'bytes'))} bytes`);
    console.log(`rendering outputs after a pause (ms):             ${fmt(stats(probe.renderMs))}`);
    console.log(`tab switches, click to next frame (ms):           ${Object.entries(tabMs).map(([k, v]) => `${k} ${v.toFixed(1)}`).join('  ')}`);
    console.log(`tab switches, in-page click() to painted (ms):    ${Object.entries(tabInPage).map(([k, v]) => `${k} ${v}`).join('  ')}`);
    const typing = frames.slice(0, typingFrames - 1);
    const rendering = frames.slice(typingFrames - 1);
    console.log(`frame gaps while typing (ms):                     ${fmt(stats(typing))}; over 17 ms: ${typing.filter((f) => f > 17).length}`);
    console.log(`frame gaps while drawing outputs (ms):            ${fmt(stats(rendering))}; over 17 ms: ${rendering.filter((f) => f > 17).length}`);
    if (tracing) console.log(`main-thread tasks while typing (ms, trace):       ${fmt(stats(typingTasks))}; over 16 ms: ${typingTasks.filter((t) => t > 16).length}`);
    console.log(`long tasks (> 50 ms) on the main thread:          ${longTasks.length}; longest ${longTasks.length ? Math.max(...longTasks.map((t) => t.ms)).toFixed(1) : 0} ms`);
    if (process.env.JSON_OUT) {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(process.env.JSON_OUT, JSON.stringify({ outside: stats(outside.oneWay), outsideRoundTrips: stats(outside.roundTrips), floor: stats(floor.oneWay), floorRoundTrips: stats(floor.roundTrips), inside: stats(latencies), framed: stats(probe.framed), typingTasks: stats(typingTasks), check: stats(checkMs), frames: stats(typing), renderFrames: stats(rendering), builds, longTasks }));
    }
  } finally {
    await browser.close();
    await server.close();
  }
}

/**
 * AB_DIST=dir: the page of DIST_DIR (or web/dist) against the page built in `dir`, in one
 * browser, each keystroke's measurement alternating between them (which goes first too).
 * On a machine shared with other work the load then falls on both alike, where two runs
 * one after the other can differ by more than the change being measured.
 */
async function abMain() {
  const program = bigProgram();
  const browser = await launch();
  const sides = [];
  try {
    for (const [name, dir] of [['this', process.env.DIST_DIR || undefined], ['AB_DIST', process.env.AB_DIST]]) {
      const server = await serve(dir);
      sides.push({ name, server, outside: { oneWay: [], roundTrips: [] } });
      const { page } = await openPage(browser, server.url);
      await setEditor(page, program);
      await settle(page);
      await cursorAfterMiddleUserClaim(page, program);
      await page.evaluate(() => {
        window.__keyplan.latencies = [];
        window.__keyplan.framedLatencies = [];
      });
      sides.at(-1).page = page;
      sides.at(-1).watch = await benchDiagnostics(page);
    }
    for (let i = 0; i < 2 * ROUNDS; i++) {
      for (const { page, watch, outside } of i % 2 ? sides : [...sides].reverse()) {
        await page.bringToFront();
        await keystrokeFromOutside(page, i, watch, outside);
      }
    }
    console.log(`${ROUNDS} keystrokes on each page, alternated, ${GAP_MS} ms apart; keystroke -> fresh diagnostics (ms):`);
    for (const { name, page, outside } of sides) {
      const k = await page.evaluate(() => ({ inside: window.__keyplan.latencies, framed: window.__keyplan.framedLatencies, checks: window.__keyplan.checks, inline: window.__keyplan.inlineChecks }));
      console.log(`  ${name}: from outside, one way ${fmt(stats(outside.oneWay))}; round trips ${fmt(stats(outside.roundTrips))}`);
      console.log(`  ${name}: in the page  ${fmt(stats(k.inside))}; to the frame drawing them ${fmt(stats(k.framed))}; checks ${k.checks}, on the page ${k.inline}`);
    }
  } finally {
    await browser.close();
    for (const { server } of sides) await server.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) (process.env.AB_DIST ? abMain() : main());
