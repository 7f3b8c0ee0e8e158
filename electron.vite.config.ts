/**
 * Build config for the three Electron targets: main (Node, ESM), preload (sandboxed,
 * CommonJS) and renderer (Svelte, served from src/renderer/index.html).
 */
import { readFileSync } from 'node:fs';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig, type UserConfig } from 'electron-vite';

type VitePlugin = NonNullable<NonNullable<UserConfig['renderer']>['plugins']>[number];

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/**
 * Loosens the renderer's Content-Security-Policy under `electron-vite dev` only: Vite
 * injects component styles as <style> tags and reloads through a local WebSocket.
 * Built apps keep the strict policy written in index.html.
 */
function devContentSecurityPolicy(): VitePlugin {
  return {
    name: 'folio:dev-csp',
    apply: 'serve',
    transformIndexHtml: (html) =>
      html
        .replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
        .replace("connect-src 'self'", "connect-src 'self' ws://localhost:* ws://127.0.0.1:*"),
  };
}

export default defineConfig({
  main: {
    build: {
      // Dependencies load from node_modules at run time. tfjs-node is an optional native
      // addon that may be missing, so it must never be bundled either.
      externalizeDeps: { include: ['@tensorflow/tfjs-node'] },
      // Three entries: the app's main process, the trainer it starts as a utility process,
      // and the trainer's gradient worker thread (engine/parallel.ts looks for it next to
      // itself).
      rolldownOptions: {
        input: {
          index: 'src/main/index.ts',
          trainer: 'src/main/trainer/entry.ts',
          'grad-worker': 'src/main/engine/grad-worker.ts',
        },
      },
    },
  },
  preload: {
    define: { __FOLIO_VERSION__: JSON.stringify(pkg.version) },
    build: {
      // A sandboxed preload cannot require packages, so bundle everything it imports
      // into one CommonJS file.
      externalizeDeps: false,
      rolldownOptions: { output: { format: 'cjs', entryFileNames: '[name].cjs' } },
    },
  },
  renderer: {
    plugins: [svelte(), devContentSecurityPolicy()],
  },
});
