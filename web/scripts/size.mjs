// Prints raw and gzip sizes; with no arguments, of the built playground (web/dist).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, dirname } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const web = join(dirname(fileURLToPath(import.meta.url)), '..');
// Each .wasm's guard: under 200 KiB gzipped (issue 13's target; size.test.mjs says where it goes).
const budgetGz = 200 * 1024;

function walk(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

let files = process.argv.slice(2);
if (files.length === 0) files = walk(join(web, 'dist')).filter((f) => /\.(wasm|js|css|html)$/.test(f));
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
let over = false;
for (const f of files.sort()) {
  const raw = readFileSync(f);
  const gz = gzipSync(raw, { level: 9 }).length;
  const name = relative(process.cwd(), f);
  console.log(`${name.padEnd(48)} raw ${kb(raw.length).padStart(10)}  gzip ${kb(gz).padStart(10)}`);
  if (f.endsWith('.wasm') && gz >= budgetGz) over = true;
}
if (over) {
  console.error(`a .wasm is not under its budget of ${kb(budgetGz)} gzipped`);
  process.exit(1);
}
