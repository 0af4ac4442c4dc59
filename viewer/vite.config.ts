// Builds the replay viewer into viewer/dist as one script and one stylesheet (so that
// `hearth view --export` can inline both into a single HTML file). `base: './'` keeps every
// URL relative: the same build is served by `hearth view` and opened from an exported file.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: './',
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 100_000,
    chunkSizeWarningLimit: 2000,
    modulePreload: false,
  },
});
