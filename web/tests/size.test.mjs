// The .wasm's size budget: at most 201.5 KB gzipped, OVER the goal of 200 (issue 13: missed since the checks a QA
// pass asked for, 2026-12-01: root grants, env() names, control characters in paths, commas in items, login methods
// of undeclared mounts, userpass passwords: 198.8 -> 201.0 KB). About 6.3 KB of it is the check's memo,
// which cuts the keystroke bench's check by about 40%; 1.9 KB (193.1 -> 195.0) the per-endpoint field answers and
// sorted body building that cut the check's instructions by 6%; 1.0-1.2 KB the text kept in the instance, so that
// a keystroke passes its edit (15% of the check's instructions in node): 196.1 KB without the reparse of issue 13's
// incremental check, 198.8 KB with it.
// The page also fetches the schema asset (schema.json, 13.0 KB gzipped) for completion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DIST } from './helpers.mjs';

test('the built .wasm is within its gzip budget', () => {
  const assets = join(DIST, 'assets');
  const wasm = readdirSync(assets).filter((f) => f.endsWith('.wasm'));
  assert.equal(wasm.length, 1, `one .wasm in ${assets}: ${wasm}`);
  const raw = readFileSync(join(assets, wasm[0]));
  const gz = gzipSync(raw, { level: 9 }).length;
  console.log(`# ${wasm[0]}: raw ${(raw.length / 1024).toFixed(1)} KB, gzip ${(gz / 1024).toFixed(1)} KB`);
  assert.ok(gz <= 201.5 * 1024, `gzip ${gz} bytes > 201.5 KB`);
});
