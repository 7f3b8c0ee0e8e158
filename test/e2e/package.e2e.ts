/**
 * The installer layout, without Electron's binary (it cannot be downloaded here):
 * electron-builder packs the app against a stand-in Electron folder, and the result must
 * hold the app code, the production dependencies (and no dev ones), and the WebAssembly
 * files outside the asar archive where the backend can read them.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { listPackage } from '@electron/asar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
let temp: string;
let resources: string;
let files: string[];

beforeAll(async () => {
  temp = await mkdtemp(join(tmpdir(), 'folio-package-'));
  const standIn = join(temp, 'electron');
  await mkdir(join(standIn, 'resources'), { recursive: true });
  await writeFile(join(standIn, 'electron'), '#!/bin/sh\necho "stand-in for Electron"\n');
  await chmod(join(standIn, 'electron'), 0o755);
  await promisify(execFile)(
    join(root, 'node_modules/.bin/electron-builder'),
    [
      '--linux',
      'dir',
      `--config.electronDist=${standIn}`,
      `--config.directories.output=${join(temp, 'dist')}`,
    ],
    { cwd: root },
  );
  resources = join(temp, 'dist/linux-unpacked/resources');
  files = listPackage(join(resources, 'app.asar'), { isPack: false }).map((f) =>
    f.replaceAll('\\', '/'),
  );
}, 180_000);

afterAll(() => rm(temp, { recursive: true, force: true }));

describe('the packaged app', () => {
  it('names the executable after the product', async () => {
    expect(await readdir(join(temp, 'dist/linux-unpacked'))).toContain('folio');
  });

  it('holds the main, trainer, preload and renderer bundles', () => {
    for (const file of [
      '/package.json',
      '/out/main/index.js',
      '/out/main/trainer.js',
      '/out/preload/index.cjs',
      '/out/renderer/index.html',
    ]) {
      expect(files).toContain(file);
    }
    expect(files.some((f) => f.startsWith('/src/'))).toBe(false);
  });

  it('holds the production dependencies and none of the development ones', () => {
    for (const dep of ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm', 'zod']) {
      expect(files).toContain(`/node_modules/${dep}/package.json`);
    }
    for (const dep of ['electron', 'vite', 'svelte', 'vitest', 'playwright-core', 'chart.js']) {
      expect(files).not.toContain(`/node_modules/${dep}/package.json`);
    }
  });

  it('keeps the WebAssembly files outside the archive', async () => {
    const wasmDir = join(
      resources,
      'app.asar.unpacked/node_modules/@tensorflow/tfjs-backend-wasm/dist',
    );
    expect((await readdir(wasmDir)).filter((f) => f.endsWith('.wasm')).sort()).toEqual([
      'tfjs-backend-wasm-simd.wasm',
      'tfjs-backend-wasm-threaded-simd.wasm',
      'tfjs-backend-wasm.wasm',
    ]);
  });
});
