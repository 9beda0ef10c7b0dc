// Names a wasm module's functions in an order that puts similar code side by side, for
// `wasm-opt --reorder-functions-by-name` to apply (scripts/build-web.sh).
//
//   node web/scripts/order-functions.mjs IN.wasm OUT.wasm
//
// gzip finds repeats within a 32 KB window only, and rustc lays out functions in an
// order that has nothing to do with their bytes: a function's nearest look-alikes are
// often far away. The order is a greedy chain. At each step the unplaced functions that
// share the most 4-byte sequences with the last few placed are the candidates, and the
// one placed next is the candidate that deflate compresses best after the last 32 KB
// placed (deflated with them as its dictionary), for its size. Sharing sequences alone
// made the module 4 KB smaller gzipped (205.2 to 200.4 KB on 12-04); asking deflate
// among the best 128 of them, 1.5 KB more (204,754 to 203,190 bytes at gzip -9 on 12-04,
// stop 43), for about 30 s of build on two threads. The raw size does not change. OUT is
// IN without its name section, plus one naming defined function i `fNNNNNN` after its
// rank; wasm-opt then sorts by those names and strips them.
import { readFileSync, writeFileSync } from "node:fs";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { deflateRawSync } from "node:zlib";

/**
 * Each order is a chain built with `common`: gram sequences shared by more functions than
 * this say nothing of similarity; and `lookback`: how many of the last placed functions
 * the next one is compared with. Each pair gives its own chain, built on its own thread,
 * and the chain deflate compresses best is kept: which one wins moves with every change
 * of the code (by up to 0.5 KB either way). Two more chains with `common` 100 saved
 * nothing on 12-04.
 */
const CHAINS = [
  { common: 200, lookback: 3 },
  { common: 200, lookback: 2 },
];
/** How many of the best-sharing candidates deflate is asked about (32: 0.5 KB less saved). */
const CANDIDATES = 128;
/** deflate's window: how far back gzip finds a repeat. */
const WINDOW = 32 * 1024;

function leb(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) return [value, at];
  }
}

function uleb(n) {
  const out = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
}

/** The module's sections: `{ id, start, end, data }` (`start` at the id byte). */
function sections(bytes) {
  const out = [];
  let at = 8;
  while (at < bytes.length) {
    const [size, body] = leb(bytes, at + 1);
    out.push({ id: bytes[at], start: at, end: body + size, data: bytes.subarray(body, body + size) });
    at = body + size;
  }
  return out;
}

/** How many functions the module imports (they come first in the index space). */
function importedFunctions(data) {
  let [count, at] = leb(data, 0);
  let functions = 0;
  const skipLimits = () => {
    const flags = data[at++];
    [, at] = leb(data, at);
    if (flags & 1) [, at] = leb(data, at);
  };
  while (count--) {
    for (let name = 0; name < 2; name++) {
      const [length, next] = leb(data, at);
      at = next + length;
    }
    const kind = data[at++];
    if (kind === 0) {
      [, at] = leb(data, at);
      functions++;
    } else if (kind === 1) {
      at++; // element type
      skipLimits();
    } else if (kind === 2) {
      skipLimits();
    } else if (kind === 3) {
      at += 2; // value type, mutability
    } else {
      throw new Error(`import kind ${kind} not supported`);
    }
  }
  return functions;
}

function bodies(data) {
  let [count, at] = leb(data, 0);
  const out = [];
  while (count--) {
    const [size, body] = leb(data, at);
    out.push(data.subarray(body, body + size));
    at = body + size;
  }
  return out;
}

/** Each body's distinct 4-byte sequences. */
function grams(body) {
  const set = new Set();
  for (let i = 0; i + 4 <= body.length; i++) {
    set.add(((body[i] << 24) | (body[i + 1] << 16) | (body[i + 2] << 8) | body[i + 3]) >>> 0);
  }
  return set;
}

/** deflate's size of `body` alone, or after `window` (its preset dictionary). */
function deflated(body, window) {
  return deflateRawSync(body, window ? { level: 9, dictionary: window } : { level: 9 }).length;
}

/** A greedy chain from the first function (see the top of this file). */
export function order(code, { common, lookback }) {
  const sets = code.map(grams);
  const holders = new Map();
  sets.forEach((set, f) => {
    for (const g of set) {
      const list = holders.get(g);
      if (list) list.push(f);
      else holders.set(g, [f]);
    }
  });
  const alone = code.map((body) => deflated(body));
  const placed = new Uint8Array(code.length);
  const chain = [0];
  placed[0] = 1;
  let window = Buffer.from(code[0]);
  const score = new Float64Array(code.length);
  while (chain.length < code.length) {
    const current = chain[chain.length - 1];
    const recent = new Set();
    for (const f of chain.slice(-lookback)) for (const g of sets[f]) recent.add(g);
    const touched = [];
    for (const g of recent) {
      const list = holders.get(g);
      if (!list || list.length > common) continue;
      for (const f of list) {
        if (placed[f]) continue;
        if (score[f] === 0) touched.push(f);
        score[f]++;
      }
    }
    const ranked = touched.map((f) => [score[f] / Math.sqrt(sets[f].size + sets[current].size), f]);
    for (const f of touched) score[f] = 0;
    ranked.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    let next = -1;
    let best = -Infinity;
    // Saved bytes over the square root of the size: the saving alone favours large
    // functions, the ratio alone tiny ones (each 0.3 KB less saved, with 32 candidates).
    for (const [, f] of ranked.slice(0, CANDIDATES)) {
      const gain = (alone[f] - deflated(code[f], window)) / Math.sqrt(Math.max(1, alone[f]));
      if (gain > best) [best, next] = [gain, f];
    }
    if (next < 0) next = placed.indexOf(0);
    placed[next] = 1;
    chain.push(next);
    window = Buffer.concat([window, code[next]]);
    if (window.length > WINDOW) window = window.subarray(window.length - WINDOW);
  }
  return chain;
}

function withNames(bytes, imported, chain) {
  const rank = new Array(chain.length);
  chain.forEach((f, r) => (rank[f] = r));
  const parts = [bytes.subarray(0, 8)];
  for (const s of sections(bytes)) {
    if (s.id === 0) {
      const [length, at] = leb(s.data, 0);
      if (new TextDecoder().decode(s.data.subarray(at, at + length)) === "name") continue;
    }
    parts.push(bytes.subarray(s.start, s.end));
  }
  const names = [...uleb(rank.length)];
  rank.forEach((r, f) => {
    const name = [...Buffer.from(`f${String(r).padStart(6, "0")}`)];
    names.push(...uleb(imported + f), ...uleb(name.length), ...name);
  });
  const payload = [...uleb(4), ...Buffer.from("name"), 1, ...uleb(names.length), ...names];
  parts.push(Uint8Array.from([0, ...uleb(payload.length), ...payload]));
  return Buffer.concat(parts);
}

/** deflate's size of the bodies in `chain`'s order: how well that order compresses. */
function chainSize(code, chain) {
  return deflated(Buffer.concat(chain.map((f) => code[f])));
}

async function main() {
  const [input, output] = process.argv.slice(2);
  if (!input || !output) {
    console.error("usage: node order-functions.mjs IN.wasm OUT.wasm");
    process.exit(2);
  }
  const bytes = new Uint8Array(readFileSync(input));
  const all = sections(bytes);
  const imports = all.find((s) => s.id === 2);
  const code = all.find((s) => s.id === 10);
  if (!code) throw new Error(`${input} has no code section`);
  const functions = bodies(code.data);
  const chains = await Promise.all(
    CHAINS.map(
      (chain) =>
        new Promise((resolve, reject) => {
          const worker = new Worker(new URL(import.meta.url), { workerData: { input, chain } });
          worker.once("message", resolve);
          worker.once("error", reject);
        }),
    ),
  );
  const sized = chains.map((chain) => [chainSize(functions, chain), chain]);
  sized.sort((a, b) => a[0] - b[0]);
  const imported = imports ? importedFunctions(imports.data) : 0;
  writeFileSync(output, withNames(bytes, imported, sized[0][1]));
}

if (isMainThread) {
  await main();
} else {
  const bytes = new Uint8Array(readFileSync(workerData.input));
  const code = sections(bytes).find((s) => s.id === 10);
  parentPort.postMessage(order(bodies(code.data), workerData.chain));
}
