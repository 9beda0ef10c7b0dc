// Shared by the end-to-end tests, the benchmark and the screenshot script: a static
// server for web/dist on 127.0.0.1 (a free port) and headless Chromium via playwright-core.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, extname, normalize, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const WEB = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = join(WEB, 'dist');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

export async function serve(root = DIST) {
  if (!existsSync(join(root, 'index.html'))) {
    throw new Error(`${root}/index.html is missing: run \`npm --prefix web run build\` first`);
  }
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://127.0.0.1');
      let path = normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, '');
      if (path.endsWith('/')) path += 'index.html';
      const file = join(root, path);
      if (!file.startsWith(root) || !(await stat(file)).isFile()) throw new Error('not found');
      res.writeHead(200, { 'content-type': TYPES[extname(file)] || 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(await readFile(file));
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(r)) };
}

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

export async function launch() {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A page that records every request that is not to the test server. */
export async function openPage(browser, url, { viewport = { width: 1440, height: 900 } } = {}) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const origin = new URL(url).origin;
  const foreign = [];
  const errors = [];
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:')) foreign.push(u);
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  await page.waitForFunction(() => window.__keyplan && window.__keyplan.ready, null, { timeout: 30000 });
  return { context, page, foreign, errors };
}

/** Replaces the editor's text the way a user would: select all, then type or paste. */
export async function setEditor(page, text) {
  await page.locator('[data-testid=editor] .cm-content').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

/**
 * Replaces the editor's text in one transaction: typing a long program into the page
 * takes Chromium minutes.
 */
export async function replaceEditor(page, text) {
  await page.evaluate((text) => {
    const v = window.__keyplan.editor;
    v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: text } });
  }, text);
}

export async function editorText(page) {
  return page.evaluate(() => window.__keyplan.editor.state.doc.toString());
}

/** Waits until the outputs and diagnostics are those of the editor's current text. */
export async function settle(page) {
  await page.waitForFunction(() => {
    const k = window.__keyplan;
    const target = document.querySelector('[data-testid=target]').value;
    return k.built && k.built.source === k.editor.state.doc.toString() && k.built.target === target &&
      // The problems panel is drawn a frame after the diagnostics (pages before it had no such count).
      (k.listedVersion === undefined || k.listedVersion === (k.diagnosticsVersion || 0));
  }, null, { timeout: 20000 });
}

export async function diagnostics(page) {
  return page.$$eval('[data-testid=diagnostic]', (items) =>
    items.map((i) => ({ code: i.dataset.code, severity: i.classList.contains('error') ? 'error' : 'warning', text: i.textContent })),
  );
}

const TASK_EVENTS = new Set(['RunTask', 'ThreadControllerImpl::RunTask']);

/**
 * One thread's tasks in a Chromium trace, from its complete (`X`) events: the outermost
 * task events. `ThreadControllerImpl::RunTask` alone leaves out the microtask checkpoint
 * at a task's end (where CodeMirror reads a typed character and the page checks it), which
 * the enclosing `RunTask` holds.
 */
export function outermostTasks(events) {
  const tasks = events.filter((e) => e.ph === 'X' && TASK_EVENTS.has(e.name)).sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const out = [];
  for (const t of tasks) if (out.length === 0 || t.ts >= out.at(-1).ts + out.at(-1).dur) out.push(t);
  return out;
}
