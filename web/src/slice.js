// Drawing a large output (a long JSON, a graph of hundreds of nodes) in one go holds the
// main thread for longer than a frame, and keystrokes wait behind it. Work that may be
// large runs here in slices of a few milliseconds; between slices the browser handles
// input and paints. Starting a newer job of the same kind cancels the older one.

/** Milliseconds of work per slice: well inside a 16 ms frame, leaving room for input and paint. */
export const SLICE_MS = 8;

const channel = typeof MessageChannel === 'function' ? new MessageChannel() : null;
const wakers = [];
if (channel) channel.port1.onmessage = () => wakers.shift()?.();

/**
 * Resolves just after the next frame is painted: one slice per frame. (`scheduler.yield`
 * and zero timeouts let the browser handle input, but it may run many slices before it
 * paints again.)
 */
export function nextFrame() {
  return new Promise((resolve) => {
    requestAnimationFrame(() => {
      if (!channel) return setTimeout(resolve, 0);
      wakers.push(resolve);
      channel.port2.postMessage(0);
    });
  });
}

const generations = new Map();

/**
 * Runs `steps` (an iterator of functions, or a generator that does work between yields)
 * in slices of at most SLICE_MS. A later `sliced(kind, …)` cancels this one: it stops at
 * its next slice. Resolves to true when it ran to the end.
 */
export async function sliced(kind, steps) {
  const gen = (generations.get(kind) || 0) + 1;
  generations.set(kind, gen);
  const it = steps[Symbol.iterator] ? steps[Symbol.iterator]() : steps;
  for (;;) {
    const start = performance.now();
    do {
      const { value, done } = it.next();
      if (done) return true;
      if (typeof value === 'function') value();
    } while (performance.now() - start < SLICE_MS);
    await nextFrame();
    if (generations.get(kind) !== gen) return false;
  }
}

/** Cancels the running job of `kind`, if any. */
export function cancel(kind) {
  generations.set(kind, (generations.get(kind) || 0) + 1);
}
