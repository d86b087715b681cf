/**
 * Builds the report viewer into one self-contained page (dist/report-viewer/index.html): every
 * script and style inlined, so a report opens from file:// with no server and no network.
 */
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { viteSingleFile } from 'vite-plugin-singlefile'

const here = fileURLToPath(new URL('.', import.meta.url))

export default defineConfig({
  root: here,
  base: './',
  logLevel: 'warn',
  plugins: [svelte(), viteSingleFile({ removeViteModuleLoader: true })],
  build: {
    outDir: fileURLToPath(new URL('../dist/report-viewer', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false,
    // The timing note on a slow machine is noise in every `npm run build`.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
})
