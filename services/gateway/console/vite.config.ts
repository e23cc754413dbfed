import { defineConfig } from 'vite';
import { compression } from 'vite-plugin-compression2';

// Preact's automatic JSX runtime through Vite's own esbuild step: no framework plugin needed.
export default defineConfig({
  // Relative asset URLs, so the gateway can serve dist/ at / (or under any prefix) unchanged.
  base: './',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false },
  // A .gz and a .br beside each file: the gateway sends them as they are (no compression per request).
  plugins: [compression({ algorithms: ['gzip', 'brotliCompress'], threshold: 1024 })],
  // `vite dev` proxies the API to a running gateway.
  server: {
    proxy: { '/v1': process.env.TASKYARD_GATEWAY ?? 'http://127.0.0.1:8080', '/docs': process.env.TASKYARD_GATEWAY ?? 'http://127.0.0.1:8080' },
  },
});
