/**
 * Picks the fastest TensorFlow.js backend that loads here: native TensorFlow
 * (@tensorflow/tfjs-node, an optional dependency that needs libtensorflow), then
 * WebAssembly (@tensorflow/tfjs-backend-wasm), then plain JavaScript (cpu). A backend is
 * only "chosen" after tf.setBackend says it initialised: tfjs otherwise falls back to
 * the slow cpu backend silently.
 */
import * as tf from '@tensorflow/tfjs-core';
import { FolioError } from './errors';

export type BackendChoice = 'auto' | 'native' | 'wasm' | 'cpu';

/** Names as tfjs registers them, and as people read them. */
const TFJS_NAME = { native: 'tensorflow', wasm: 'wasm', cpu: 'cpu' } as const;
export const BACKEND_LABEL: Record<string, string> = {
  tensorflow: 'native',
  wasm: 'WebAssembly',
  cpu: 'JavaScript',
};

export interface BackendInfo {
  /** tfjs's name: 'tensorflow', 'wasm' or 'cpu'. */
  name: string;
  label: string;
  /** Why faster backends were passed over, one line each. */
  skipped: string[];
}

let active: BackendInfo | undefined;

export function parseBackend(value: string): BackendChoice {
  if (value === 'auto' || value === 'native' || value === 'wasm' || value === 'cpu') return value;
  throw new FolioError(
    `Unknown backend "${value}"; use auto, native, wasm or cpu.`,
    'invalid-setting',
  );
}

/** Initialises (once per process) and reports the backend in use. */
export async function initBackend(choice: BackendChoice = 'auto'): Promise<BackendInfo> {
  if (active && (choice === 'auto' || TFJS_NAME[choice] === active.name)) return active;
  const order: ('native' | 'wasm' | 'cpu')[] =
    choice === 'auto' ? ['native', 'wasm', 'cpu'] : [choice];
  const skipped: string[] = [];
  for (const kind of order) {
    try {
      await load(kind);
      if (!(await tf.setBackend(TFJS_NAME[kind]))) throw new Error('it did not initialise');
      await tf.ready();
      active = {
        name: tf.getBackend(),
        label: BACKEND_LABEL[tf.getBackend()] ?? tf.getBackend(),
        skipped,
      };
      return active;
    } catch (err) {
      skipped.push(`${kind}: ${firstLine(err)}`);
    }
  }
  throw new FolioError(
    `No TensorFlow.js backend could start (${skipped.join('; ')}).`,
    'invalid-setting',
  );
}

async function load(kind: 'native' | 'wasm' | 'cpu'): Promise<void> {
  if (kind === 'native') {
    // Optional dependency: absent wherever libtensorflow could not be downloaded at install.
    const name = '@tensorflow/tfjs-node';
    await import(/* @vite-ignore */ name);
  } else if (kind === 'wasm') {
    await import('@tensorflow/tfjs-backend-wasm');
  } else {
    await import('@tensorflow/tfjs-backend-cpu');
  }
}

function firstLine(err: unknown): string {
  const code = (err as { code?: string } | undefined)?.code;
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
    return 'not installed (optional; its install needs to download libtensorflow)';
  }
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0]!.slice(0, 200);
}
