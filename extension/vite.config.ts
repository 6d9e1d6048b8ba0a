// Builds the extension pages (popup, options, offscreen) and the service worker into dist/.
// The content script is built separately (vite.content.config.ts) because content scripts
// cannot be ES modules and must not share chunks with the pages.
import { copyFileSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import vue from '@vitejs/plugin-vue';
import { defineConfig, type Plugin } from 'vite';

const root = resolve(__dirname, 'src');

/** Ships the FFmpeg.wasm core next to the bundle: the extension must work offline (no CDN). */
function ffmpegCore(): Plugin {
  return {
    name: 'clippy-ffmpeg-core',
    apply: 'build',
    writeBundle() {
      const from = resolve(__dirname, 'node_modules/@ffmpeg/core/dist/esm');
      const to = resolve(__dirname, 'dist/ffmpeg');
      mkdirSync(to, { recursive: true });
      for (const file of ['ffmpeg-core.js', 'ffmpeg-core.wasm']) {
        copyFileSync(resolve(from, file), resolve(to, file));
      }
    },
  };
}

export default defineConfig({
  root,
  publicDir: resolve(__dirname, 'public'),
  base: './',
  plugins: [vue(), ffmpegCore()],
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['@ffmpeg/ffmpeg', '@ffmpeg/util'] },
  build: {
    outDir: resolve(__dirname, 'dist'),
    emptyOutDir: true,
    target: 'chrome116',
    sourcemap: false,
    chunkSizeWarningLimit: 1024,
    rollupOptions: {
      input: {
        popup: resolve(root, 'popup/popup.html'),
        options: resolve(root, 'options/options.html'),
        offscreen: resolve(root, 'offscreen/offscreen.html'),
        background: resolve(root, 'background/index.ts'),
      },
      output: {
        // The manifest names the service worker file, so its name must not carry a hash.
        entryFileNames: (chunk) => (chunk.name === 'background' ? 'background.js' : 'assets/[name]-[hash].js'),
      },
    },
  },
});
