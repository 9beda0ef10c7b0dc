import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  // Relative asset URLs: the playground can be hosted under any path, or opened from disk.
  base: './',
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    // Keep the .wasm a separate file (fetched once, cached, streamed-compiled).
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1024,
  },
  worker: { format: 'es' },
  // The examples are read from the repository's examples/ at build time.
  server: { fs: { allow: [repo] } },
});
