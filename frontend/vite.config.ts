import { defineConfig } from 'vite';

// `npm run build` writes dist/, which `tsunagi serve --frontend frontend/dist` serves at /.
// `npx vite` (development) proxies the API and the tiles to a tsunagi on :8080.
export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      // The map, and the hosts' confirmation page (/c, /c/{token}: server/dispatcher maps both
      // to confirm.html).
      input: { main: 'index.html', confirm: 'confirm.html' },
      output: {
        // MapLibre in a chunk of its own: the benchmark counts our bytes besides it.
        manualChunks: (id) => (id.includes('node_modules/maplibre-gl') ? 'maplibre' : undefined),
      },
    },
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/tiles': 'http://127.0.0.1:8080',
      '/health': 'http://127.0.0.1:8080',
    },
  },
});
