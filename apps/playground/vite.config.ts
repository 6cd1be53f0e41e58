import { defineConfig } from 'vite';
import { noNodeImports } from './build/noNodeImports.js';

export default defineConfig({
  // Relative asset URLs, so the page works wherever the server mounts it.
  base: './',
  plugins: [noNodeImports()],
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false },
});
