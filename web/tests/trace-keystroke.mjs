// Where a keystroke's milliseconds go on the page's main thread: a Chromium performance
// trace (CDP Tracing, via Playwright) of ROUNDS keystrokes on a LINES-line program, then,
// per keystroke, every main-thread task from the key to the diagnostics being applied,
// with what ran inside it (event handlers, animation frames, style, layout, paint).
//
//   node web/tests/trace-keystroke.mjs [trace.json]   after `npm --prefix web run build`
//
// A profiling aid, not a test: it prints and asserts nothing. TRACE_OUT (or the first
// argument) keeps the raw trace for chrome://tracing or the DevTools Performance panel.
import { writeFileSync } from 'node:fs';
import { serve, launch, openPage, setEditor, settle, outermostTasks } from './helpers.mjs';
import { bigProgram, cursorAfterMiddleUserClaim } from './bench-keystroke.mjs';

const ROUNDS = Number(process.env.ROUNDS || 10);
const GAP_MS = Number(process.env.GAP_MS || 150);

const CATEGORIES = [
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'disabled-by-default-devtools.timeline.frame',
  'blink.user_timing',
  'toplevel',
  'v8.execute',
  'blink',
  'cc',
];

/** The events of the page's main thread, as [{ name, ts, dur, args }] in ms. */
function mainThread(events) {
  const names = events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args.name === 'CrRendererMain');
  // The page's renderer is the one with the most events on its main thread.
  let best = null;
  let most = -1;
  for (const n of names) {
    const count = events.filter((e) => e.pid === n.pid && e.tid === n.tid).length;
    if (count > most) {
      most = count;
      best = n;
    }
  }
  return events
    .filter((e) => best && e.pid === best.pid && e.tid === best.tid && (e.ph === 'X' || e.ph === 'I' || e.ph === 'R' || e.ph === 'n'))
    .map((e) => ({ name: e.name, ts: e.ts / 1000, dur: (e.dur || 0) / 1000, cpu: (e.tdur ?? e.dur ?? 0) / 1000, args: e.args || {}, ph: e.ph }))
    .sort((a, b) => a.ts - b.ts || b.dur - a.dur);
}

/** What a child event is, in a few words. */
function label(e) {
  const d = e.args.data || {};
  if (e.name === 'EventDispatch') return `event ${d.type}`;
  if (e.name === 'FunctionCall') return `js ${(d.functionName || '(anon)')}@${(d.url || '').split('/').pop()}:${d.lineNumber ?? ''}`;
  if (e.name === 'TimerFire') return 'timer';
  if (e.name === 'FireAnimationFrame') return 'rAF';
  if (e.name === 'FireIdleCallback') return 'idle callback';
  return e.name;
}

const INTERESTING = new Set(['EventDispatch', 'FunctionCall', 'TimerFire', 'FireAnimationFrame', 'FireIdleCallback', 'UpdateLayoutTree', 'Layout', 'Paint', 'PrePaint', 'Layerize', 'Commit', 'ParseHTML', 'MajorGC', 'MinorGC', 'V8.GC_SCAVENGER', 'HitTest', 'ScheduleStyleRecalculation', 'InvalidateLayout', 'UpdateLayer', 'v8.callFunction', 'RunMicrotasks', 'V8.GCScavenger', 'V8.GCFinalizeMC']);

/** Self and total time per function of a CDP CPU profile, the top 40 by self time. */
function printProfile(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
  const self = new Map();
  const total = new Map();
  const name = (n) => `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber + 1}`;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const n = byId.get(id);
    self.set(name(n), (self.get(name(n)) || 0) + dt);
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const k = name(byId.get(at));
      if (!seen.has(k)) total.set(k, (total.get(k) || 0) + dt);
      seen.add(k);
    }
  });
  console.log('\nCPU profile, self ms / total ms:');
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`  ${v.toFixed(1).padStart(7)} ${total.get(k).toFixed(1).padStart(7)}  ${k}`);
  console.log('\nby total ms:');
  for (const [k, v] of [...total].sort((a, b) => b[1] - a[1]).slice(0, 60)) console.log(`  ${v.toFixed(1).padStart(7)}  ${k}`);
}

/**
 * Where the worker -> page hop goes, per keystroke: the check in the worker (the first
 * message it handles after the keydown), the page's `onmessage` for its answer, and the
 * main-thread tasks that ran between the two (the answer waited behind them). A task
 * that holds `BeginMainFrame` is the rendering of a frame: its CPU time is split into
 * requestAnimationFrame callbacks (CodeMirror's measure), style, layout and the paint
 * pipeline (pre-paint, paint, layerize, commit).
 */
function hops(traceEvents) {
  const threads = new Map();
  for (const e of traceEvents) if (e.ph === 'M' && e.name === 'thread_name') threads.set(`${e.pid}:${e.tid}`, e.args.name);
  const keys = traceEvents.filter((e) => e.name === 'EventDispatch' && e.args?.data?.type === 'keydown').sort((a, b) => a.ts - b.ts);
  if (keys.length === 0) return [];
  const { pid, tid } = keys[0];
  const ms = (us) => us / 1000;
  const onMain = traceEvents.filter((e) => e.pid === pid && e.tid === tid && e.ph === 'X');
  const tasks = outermostTasks(onMain);
  const within = (t, name) => onMain.filter((e) => e.name === name && e.ts >= t.ts && e.ts + e.dur <= t.ts + t.dur);
  // CPU of the outermost events of a kind inside a task (nested ones are counted once).
  const cpuOf = (t, name) => {
    const es = within(t, name);
    return ms(es.filter((e) => !es.some((o) => o !== e && o.ts <= e.ts && o.ts + o.dur >= e.ts + e.dur)).reduce((a, e) => a + (e.tdur ?? e.dur), 0));
  };
  const workerRuns = traceEvents
    .filter((e) => e.pid === pid && threads.get(`${e.pid}:${e.tid}`) === 'DedicatedWorker thread' && e.name === 'HandlePostMessage' && e.ph === 'X' && e.dur > 300)
    .sort((a, b) => a.ts - b.ts);
  const answers = onMain.filter((e) => e.name === 'FunctionCall' && /onmessage/.test(e.args?.data?.functionName || '')).sort((a, b) => a.ts - b.ts);
  const out = [];
  for (const key of keys) {
    const keyTask = tasks.find((t) => t.ts <= key.ts && t.ts + t.dur >= key.ts);
    const run = workerRuns.find((e) => e.ts > key.ts);
    const answer = run && answers.find((e) => e.ts > run.ts + run.dur);
    if (!keyTask || !answer) continue;
    const done = run.ts + run.dur;
    const waited = tasks.filter((t) => t.ts + t.dur > done && t.ts < answer.ts);
    const frames = tasks.filter((t) => t.ts >= key.ts && t.ts < answer.ts && within(t, 'ProxyMain::BeginMainFrame').length > 0);
    const frameCpu = (name) => frames.reduce((a, f) => a + cpuOf(f, name), 0);
    out.push({
      keyTaskCpu: ms(keyTask.tdur ?? keyTask.dur),
      keyTaskWall: ms(keyTask.dur),
      workerStart: ms(run.ts - key.ts),
      workerCpu: ms(run.tdur ?? run.dur),
      workerWall: ms(run.dur),
      hop: ms(answer.ts - done),
      answerAt: ms(answer.ts - key.ts),
      waitedBehindFrame: waited.some((t) => frames.includes(t)),
      waitedCpu: ms(waited.reduce((a, t) => a + (t.tdur ?? t.dur), 0)),
      frames: frames.length,
      frameCpu: ms(frames.reduce((a, f) => a + (f.tdur ?? f.dur), 0)),
      rafCpu: frameCpu('FireAnimationFrame'),
      styleLayoutCpu: frameCpu('UpdateLayoutTree') + frameCpu('Layout'),
      paintCpu: frameCpu('PrePaint') + frameCpu('Paint') + frameCpu('Layerize') + frameCpu('Commit'),
    });
  }
  return out;
}

async function main() {
  const out = process.argv[2] || process.env.TRACE_OUT;
  const server = await serve(process.env.DIST_DIR || undefined);
  const browser = await launch();
  try {
    // QUERY: e.g. `inline=off` (every check in the worker) or `inline=on` (every check on the page).
    const { page } = await openPage(browser, server.url + (process.env.QUERY ? `?${process.env.QUERY}` : ''));
    const program = bigProgram();
    await setEditor(page, program);
    await settle(page);
    await cursorAfterMiddleUserClaim(page, program);
    await page.waitForTimeout(500);
    // PROFILE=1: a sampled CPU profile of the same keystrokes, self time by function.
    const cdp = process.env.PROFILE ? await page.context().newCDPSession(page) : null;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
      await cdp.send('Profiler.start');
    }
    // The page marks where it applies a keystroke's diagnostics (`kp:applied`) only when asked.
    await page.evaluate(() => (window.__keyplan.markApplied = true));
    await browser.startTracing(page, { categories: CATEGORIES });
    const marks = [];
    for (let i = 0; i < ROUNDS; i++) {
      const version = await page.evaluate(() => window.__keyplan.diagnosticsVersion || 0);
      await page.evaluate(() => performance.mark('kp:key'));
      const t0 = performance.now();
      await page.keyboard.press(i % 2 === 0 ? 'x' : 'Backspace');
      await page.evaluate((n) => window.__keyplan.whenDiagnostics(n).then(() => performance.mark('kp:diagnostics')), version);
      marks.push(performance.now() - t0);
      await page.waitForTimeout(GAP_MS);
    }
    const buffer = await browser.stopTracing();
    if (cdp) {
      const { profile } = await cdp.send('Profiler.stop');
      // PROFILE_OUT: the .cpuprofile, for the DevTools Performance panel or speedscope.
      if (process.env.PROFILE_OUT) writeFileSync(process.env.PROFILE_OUT, JSON.stringify(profile));
      printProfile(profile);
    }
    if (out) writeFileSync(out, buffer);
    const { traceEvents } = JSON.parse(buffer.toString());
    const events = mainThread(traceEvents);
    const keys = events.filter((e) => e.name === 'EventDispatch' && e.args.data?.type === 'keydown');
    // The page's own mark where it applied them (pages before it: the mark made once the
    // test saw them, after the key's events and maybe a frame).
    const applied = events.filter((e) => e.name === 'kp:applied');
    const done = applied.length ? applied : events.filter((e) => e.name === 'kp:diagnostics');
    // One event per task, with the microtasks run at its end.
    const tasks = outermostTasks(events);
    const totals = new Map();
    const summary = { wall: [], busy: [], cpu: [], longest: [], frameCpu: [], throughFrameCpu: [] };
    const frames = events.filter((e) => e.name === 'ProxyMain::BeginMainFrame');
    keys.forEach((key, i) => {
      const end = done.find((d) => d.ts > key.ts);
      if (!end) return;
      // The tasks from the one holding the keydown to the one applying the diagnostics.
      const window = tasks.filter((t) => t.ts + t.dur >= key.ts && t.ts <= end.ts);
      summary.wall.push(end.ts - key.ts);
      summary.busy.push(window.reduce((a, t) => a + t.dur, 0));
      summary.cpu.push(window.reduce((a, t) => a + t.cpu, 0));
      summary.longest.push(Math.max(...window.map((t) => t.dur)));
      // The frame that draws them (a keystroke's measurement from outside waits behind
      // it), and the main thread's CPU from the keydown to that frame's end: the page's
      // work on the keystroke's path, which a busy machine stretches in wall time only.
      const frame = frames.find((f) => f.ts >= end.ts);
      const frameTask = frame && tasks.find((t) => t.ts <= frame.ts && t.ts + t.dur >= frame.ts + frame.dur);
      if (frameTask) {
        summary.frameCpu.push(frameTask.cpu);
        summary.throughFrameCpu.push(tasks.filter((t) => t.ts + t.dur >= key.ts && t.ts <= frameTask.ts).reduce((a, t) => a + t.cpu, 0));
      }
      if (process.env.QUIET) return;
      console.log(`\nkeystroke ${i}: ${(end.ts - key.ts).toFixed(1)} ms from keydown to diagnostics applied (outside: ${marks[i]?.toFixed(1)} ms)`);
      for (const t of window.filter((t) => t.dur >= 0.5)) {
        const inside = events.filter((e) => e !== t && e.ts >= t.ts && e.ts + e.dur <= t.ts + t.dur + 0.001 && INTERESTING.has(e.name) && e.dur >= 0.3);
        const what = inside.map((e) => `${label(e)} ${e.dur.toFixed(1)}`).join(', ');
        console.log(`  +${(t.ts - key.ts).toFixed(1).padStart(6)}  ${t.dur.toFixed(1).padStart(5)} ms  ${what}`);
        for (const e of inside) totals.set(label(e), (totals.get(label(e)) || 0) + e.dur);
      }
    });
    const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1]?.toFixed(1);
    const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))]?.toFixed(1);
    const hopRows = hops(traceEvents);
    if (!process.env.QUIET) {
      console.log('\nthe hop, per keystroke (ms from keydown; CPU in ms):');
      for (const h of hopRows) {
        console.log(
          `  key task cpu ${h.keyTaskCpu.toFixed(1)} | check in worker from +${h.workerStart.toFixed(1)}, cpu ${h.workerCpu.toFixed(1)} | answer handled +${h.answerAt.toFixed(1)}, hop ${h.hop.toFixed(1)}` +
            `${h.waitedBehindFrame ? ' behind a frame' : ''} | ${h.frames} frame(s) before it, cpu ${h.frameCpu.toFixed(1)} (rAF ${h.rafCpu.toFixed(1)}, style+layout ${h.styleLayoutCpu.toFixed(1)}, paint pipeline ${h.paintCpu.toFixed(1)})`,
        );
      }
    }
    const col = (k) => hopRows.map((h) => h[k]);
    console.log(`\nhop summary over ${hopRows.length} keystrokes (median / p95 ms): key task cpu ${med(col('keyTaskCpu'))} / ${p95(col('keyTaskCpu'))}; check starts in the worker +${med(col('workerStart'))} / ${p95(col('workerStart'))} after keydown; check cpu in worker ${med(col('workerCpu'))} / ${p95(col('workerCpu'))}; hop ${med(col('hop'))} / ${p95(col('hop'))}; answers that waited behind a frame: ${hopRows.filter((h) => h.waitedBehindFrame).length}; frame cpu ${med(col('frameCpu'))} / ${p95(col('frameCpu'))} (rAF ${med(col('rafCpu'))}, style+layout ${med(col('styleLayoutCpu'))}, paint pipeline ${med(col('paintCpu'))})`);
    console.log('\nper keystroke, keydown to diagnostics applied (median / p95 ms):');
    console.log(`  wall ${med(summary.wall)} / ${p95(summary.wall)}; main thread busy ${med(summary.busy)} / ${p95(summary.busy)}; its CPU time ${med(summary.cpu)} / ${p95(summary.cpu)}; longest task ${med(summary.longest)} / ${p95(summary.longest)}`);
    console.log(`  the frame drawing them, CPU ${med(summary.frameCpu)} / ${p95(summary.frameCpu)}; main-thread CPU from keydown to that frame's end ${med(summary.throughFrameCpu)} / ${p95(summary.throughFrameCpu)}`);
    if (process.env.QUIET) return;
    console.log('\ntotal main-thread time by kind over all keystrokes (ms, nested kinds counted in each):');
    for (const [k, v] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`  ${v.toFixed(1).padStart(7)}  ${k}`);
  } finally {
    await browser.close();
    await server.close();
  }
}

main();
