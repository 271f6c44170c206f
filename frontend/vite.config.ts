/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The production bundle goes into the Python package (insights/static), which Flask serves at /.
export default defineConfig({
  plugins: [react()],
  base: './',
  build: {
    outDir: '../insights/static',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8765',
      '/socket.io': { target: 'http://127.0.0.1:8765', ws: true },
    },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
  },
});
