// Builds the dashboard into dist/ (or --outDir, which web/CMakeLists.txt sets to the build tree), and
// writes a .gz beside every text file so hearthd can send it compressed without compressing itself.
import { defineConfig } from 'vite';
import { gzipSync } from 'node:zlib';
import { readdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function precompress() {
  let outDir;
  return {
    name: 'hearth-precompress',
    apply: 'build',
    configResolved(config) { outDir = config.build.outDir; },
    closeBundle() {
      const walk = (dir) => {
        for (const name of readdirSync(dir)) {
          const path = join(dir, name);
          if (statSync(path).isDirectory()) walk(path);
          else if (/\.(html|js|css|svg|json|webmanifest)$/.test(name)) {
            writeFileSync(path + '.gz', gzipSync(readFileSync(path), { level: 9 }));
          }
        }
      };
      walk(outDir);
    },
  };
}

export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: { target: 'es2020', sourcemap: false, reportCompressedSize: true },
  plugins: [precompress()],
  // `npx vite` (or `vite preview`) for work on the app: the API comes from a running hearthd.
  server: { proxy: { '/api': { target: process.env.HEARTH_URL || 'http://127.0.0.1:8480', ws: true } } },
  preview: { proxy: { '/api': { target: process.env.HEARTH_URL || 'http://127.0.0.1:8480', ws: true } } },
});
