// Screenshots of the built playground: `node tests/screenshot.mjs [OUT_DIR] [EXAMPLE]`.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { serve, launch, openPage, settle } from './helpers.mjs';

const out = process.argv[2] || join(process.cwd(), 'test-results');
const example = process.argv[3] || 'pipeline';
mkdirSync(out, { recursive: true });
const server = await serve();
const browser = await launch();
try {
  const { page } = await openPage(browser, server.url);
  await page.selectOption('[data-testid=examples]', example);
  await settle(page);
  for (const tab of ['graph', 'matrix', 'api']) {
    await page.click(`[data-testid=tab-${tab}]`);
    await page.waitForTimeout(150);
    const file = join(out, `playground-${tab}.png`);
    await page.screenshot({ path: file });
    console.log(file);
  }
} finally {
  await browser.close();
  await server.close();
}
