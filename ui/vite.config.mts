import { defineConfig } from 'vite';

/**
 * The admin SPA. Built into dist/ui and served by the API under /admin (api/app.ts).
 * JSX goes through Vite's built-in Oxc transform with the automatic React runtime, so no plugin
 * is needed. The output has no inline script or style, so the API's strict CSP needs no
 * 'unsafe-inline'.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: '/admin/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: '../dist/ui',
    emptyOutDir: true,
    // Inline small assets as data: URLs would need img-src data:; keep every asset a file.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: true,
  },
});
