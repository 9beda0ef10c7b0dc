// What a tab switch costs the page's main thread: a Chromium trace of a click on each
// output tab of the LINES-line program (default 2,000), then per tab the main-thread tasks
// in the SETTLE_MS after the click (default 400): the longest, their sum, and what ran in
// the longest (script, style, layout, paint). Also the click to the next frame, as the
// keystroke bench measures it.
//
//   node web/tests/trace-tabs.mjs        after `npm --prefix web run build`; DIST_DIR= for another build
//
// A profiling aid, not a test: it prints and asserts nothing.
import { serve, launch, openPage, setEditor, settle } from './helpers.mjs';
import { bigProgram } from './bench-keystroke.mjs';

const SETTLE_MS = Number(process.env.SETTLE_MS || 400);
const TABS = (process.env.TABS || 'graph,matrix,api,hcl,json,sh,graph,matrix').split(',');
const KINDS = ['FunctionCall', 'EventDispatch', 'FireAnimationFrame', 'TimerFire', 'UpdateLayoutTree', 'Layout', 'PrePaint', 'Paint', 'Layerize', 'Commit', 'MajorGC', 'MinorGC', 'ParseHTML', 'HitTest'];

function analyse(traceEvents, clicks) {
  const names = traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args.name === 'CrRendererMain');
  let best = null;
  let most = -1;
  for (const n of names) {
    const count = traceEvents.filter((e) => e.pid === n.pid && e.tid === n.tid).length;
    if (count > most) [most, best] = [count, n];
  }
  const onMain = traceEvents.filter((e) => best && e.pid === best.pid && e.tid === best.tid && e.ph === 'X');
  const tasks = onMain.filter((e) => e.name === 'ThreadControllerImpl::RunTask');
  const marks = traceEvents.filter((e) => e.name.startsWith('kp:tab:')).sort((a, b) => a.ts - b.ts);
  return marks.map((m, i) => {
    const end = m.ts + SETTLE_MS * 1000;
    const mine = tasks.filter((t) => t.ts >= m.ts && t.ts < end);
    const longest = mine.reduce((a, t) => (t.dur > (a?.dur ?? -1) ? t : a), null);
    const inside = longest ? onMain.filter((e) => e !== longest && e.ts >= longest.ts && e.ts + e.dur <= longest.ts + longest.dur && KINDS.includes(e.name)) : [];
    const by = new Map();
    // Outermost events of each kind only.
    for (const e of inside) {
      if (inside.some((o) => o !== e && o.name === e.name && o.ts <= e.ts && o.ts + o.dur >= e.ts + e.dur)) continue;
      by.set(e.name, (by.get(e.name) || 0) + e.dur / 1000);
    }
    return {
      tab: clicks[i]?.tab ?? m.name.slice(7),
      clickToFrame: clicks[i]?.ms,
      longest: longest ? longest.dur / 1000 : 0,
      sum: mine.reduce((a, t) => a + t.dur, 0) / 1000,
      over16: mine.filter((t) => t.dur > 16000).length,
      layouts: inside.filter((e) => e.name === 'Layout').map((e) => `${(e.dur / 1000).toFixed(1)} ms ${e.args?.beginData?.dirtyObjects ?? '?'}/${e.args?.beginData?.totalObjects ?? '?'} objects${e.args?.beginData?.partialLayout ? ' partial' : ''}`).join('; '),
      calls: inside.filter((e) => e.name === 'FunctionCall' || e.name === 'EventDispatch' || e.name === 'TimerFire').map((e) => `${e.args?.data?.functionName || e.args?.data?.type || e.name}@${(e.args?.data?.url || '').split('/').pop()}:${e.args?.data?.lineNumber ?? ''}`).join(', '),
      at: longest ? (longest.ts - m.ts) / 1000 : 0,
      what: [...by].sort((a, b) => b[1] - a[1]).filter(([, v]) => v >= 0.5).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', '),
    };
  });
}

async function main() {
  const server = await serve(process.env.DIST_DIR || undefined);
  const browser = await launch();
  try {
    const { page } = await openPage(browser, server.url + (process.env.QUERY ? `?${process.env.QUERY}` : ''));
    await setEditor(page, bigProgram());
    await settle(page);
    await page.waitForTimeout(500);
    await browser.startTracing(page, { categories: ['devtools.timeline', 'toplevel', 'blink.user_timing', 'disabled-by-default-devtools.timeline'] });
    const clicks = [];
    for (const tab of TABS) {
      await page.evaluate((t) => performance.mark(`kp:tab:${t}`), tab);
      const t0 = performance.now();
      await page.click(`[data-testid=tab-${tab}]`);
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
      clicks.push({ tab, ms: performance.now() - t0 });
      await page.waitForTimeout(SETTLE_MS);
    }
    const { traceEvents } = JSON.parse((await browser.stopTracing()).toString());
    for (const r of analyse(traceEvents, clicks)) {
      console.log(
        (process.env.DETAIL ? `  [longest at +${r.at.toFixed(0)} ms: layouts ${r.layouts}; ${r.calls}]\n` : '') +
        `${r.tab.padEnd(7)} click->frame ${r.clickToFrame.toFixed(1).padStart(6)} ms | longest task ${r.longest.toFixed(1).padStart(6)} ms (${r.what}) | tasks ${r.sum.toFixed(1)} ms in ${SETTLE_MS} ms, ${r.over16} over 16 ms`,
      );
    }
  } finally {
    await browser.close();
    await server.close();
  }
}

main();
