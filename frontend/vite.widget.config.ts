/**
 * The Jupyter widget's bundle: src/widget/index.tsx as one ES module (anywidget's `_esm`) in
 * insights/static/widget/index.js, with everything inlined: React, the app, lazily loaded
 * chunks, and the stylesheet (imported as text by the entry and put in the widget's shadow root).
 */
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

/** The app's own `import './styles.css'` would also emit a stylesheet file: the entry already
 *  carries the same CSS as text, so the file is left out. */
function noCssFiles(): Plugin {
  return {
    name: 'insights-widget-no-css-files',
    enforce: 'post',
    generateBundle(_options, bundle) {
      for (const name of Object.keys(bundle)) if (name.endsWith('.css')) delete bundle[name];
    },
  };
}

export default defineConfig({
  plugins: [react(), noCssFiles()],
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  build: {
    outDir: fileURLToPath(new URL('../insights/static/widget', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    copyPublicDir: false,
    minify: true,
    lib: {
      entry: fileURLToPath(new URL('src/widget/index.tsx', import.meta.url)),
      formats: ['es'],
      fileName: () => 'index.js',
    },
    rolldownOptions: { output: { codeSplitting: false } },
  },
});
