/**
 * Data-parallel gradients on two cores: a worker thread computes the loss and gradients of
 * the second half of each batch's windows while this thread computes the first half, and
 * the two are averaged, weighted by their window counts. The mean over the batch is the
 * weighted mean of the halves' means, so this is the same gradient up to float rounding.
 *
 * Used for the wasm and cpu backends, which run one op at a time on one core; native
 * TensorFlow already spreads its ops over the cores. Dropout masks are drawn per window
 * (see dropoutMask), so each half draws the masks the whole batch would.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { MIN_PARALLEL_WORK } from '../../shared/estimate';
import type { ModelConfig } from '../../shared/settings';
import type { BackendChoice } from './backend';
import type { WorkerReply, WorkerRequest } from './grad-worker';
import {
  batchLoss,
  lossAndGrads,
  type Dropout,
  type LossAndGrads,
  type Params,
  type Sequences,
} from './model';

/**
 * How to start the worker: its built script next to this module (electron.vite.config.ts
 * builds out/main/grad-worker.js beside the trainer), or, when running from source (tsx,
 * vitest), its .ts file behind tsx's loader, registered inside the worker because workers
 * do not inherit the parent's loaders.
 */
function workerSource(): { script: string | URL; eval: boolean } | undefined {
  const built = new URL('./grad-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return { script: built, eval: false };
  const source = new URL('./grad-worker.ts', import.meta.url);
  if (!existsSync(fileURLToPath(source))) return undefined;
  let api: string;
  try {
    const loader = createRequire(import.meta.url).resolve('tsx'); // .../tsx/dist/loader.mjs
    api = pathToFileURL(join(dirname(loader), 'esm', 'api', 'index.mjs')).href;
  } catch {
    return undefined;
  }
  const code =
    `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); ` +
    `return import(${JSON.stringify(source.href)}); });`;
  return { script: code, eval: true };
}

/**
 * Whether a second thread can help here: wasm or cpu, two or more cores, a step big
 * enough (`work`, as above; omit to ask only about the machine). FOLIO_THREADS=1 turns
 * it off.
 */
export function wantsHelper(backend: string, work = Infinity): boolean {
  if (process.env['FOLIO_THREADS'] === '1') return false;
  const oneCoreBackend = backend === 'wasm' || backend === 'cpu';
  return oneCoreBackend && availableParallelism() >= 2 && work >= MIN_PARALLEL_WORK;
}

export class GradHelper {
  private pending: ((reply: WorkerReply) => void) | undefined;
  private broken = false;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (reply: WorkerReply) => {
      const resolve = this.pending;
      this.pending = undefined;
      resolve?.(reply);
    });
    const fail = (message: string) => {
      this.broken = true;
      const resolve = this.pending;
      this.pending = undefined;
      resolve?.({ type: 'error', message });
    };
    worker.on('error', (err) => fail(err.message));
    worker.on('exit', (code) => fail(`the worker exited (code ${code})`));
  }

  /** Starts a worker on `backend`; undefined (and no worker left running) if it cannot. */
  static async start(backend: BackendChoice): Promise<GradHelper | undefined> {
    const source = workerSource();
    if (!source) return undefined;
    const helper = new GradHelper(new Worker(source.script, { eval: source.eval }));
    const reply = await helper.request({ type: 'init', backend });
    if (reply.type !== 'ready') {
      await helper.close();
      return undefined;
    }
    return helper;
  }

  private request(req: WorkerRequest, transfer: ArrayBuffer[] = []): Promise<WorkerReply> {
    return new Promise((resolve) => {
      this.pending = resolve;
      this.worker.postMessage(req, transfer);
    });
  }

  /**
   * lossAndGrads over the whole batch, computed as two halves on two threads. Falls back
   * to one thread for a batch of one window.
   */
  async lossAndGrads(
    params: Params,
    config: ModelConfig,
    seqs: Sequences,
    dropout?: Dropout,
  ): Promise<LossAndGrads> {
    const B = seqs.batchSize;
    if (B < 2 || this.broken) return lossAndGrads(params, config, seqs, dropout);
    const mine = Math.ceil(B / 2);
    const [first, second] = [windows(seqs, 0, mine), windows(seqs, mine, B)];

    const weights = hostWeights(params);
    const part = (firstWindow: number) => (dropout ? { ...dropout, firstWindow } : undefined);
    const theirs = this.request({
      type: 'job',
      config,
      params: weights,
      seqs: second,
      dropout: part(mine),
    });
    const a = lossAndGrads(params, config, first, part(0));
    const reply = await theirs;
    // A worker that failed is not asked again: this thread does its half, now and after.
    if (reply.type !== 'done') this.broken = true;
    const b =
      reply.type === 'done' ? reply : local(lossAndGrads(params, config, second, part(mine)));

    // Weighted by windows: each half's loss and gradients are means over its own rows.
    const wa = mine / B;
    const wb = (B - mine) / B;
    const grads = tf.tidy(() => {
      const out: Params = {};
      for (const [name, g] of Object.entries(a.grads)) {
        const other = tf.tensor(b.grads[name]!, g.shape);
        out[name] =
          wa === wb ? tf.mul(tf.add(g, other), 0.5) : tf.add(tf.mul(g, wa), tf.mul(other, wb));
      }
      return out;
    });
    tf.dispose(Object.values(a.grads));
    return { loss: wa * a.loss + wb * b.loss, grads };
  }

  /**
   * The mean of the batches' losses (valLoss), the second half of the batches computed by
   * the worker. Each batch's loss is the same number on either thread.
   */
  async meanLoss(params: Params, config: ModelConfig, batches: Sequences[]): Promise<number> {
    const mine = Math.ceil(batches.length / 2);
    const local = (list: Sequences[]) => list.map((b) => batchLoss(params, config, b));
    if (this.broken || batches.length < 2) {
      const losses = local(batches);
      return losses.reduce((sum, loss) => sum + loss, 0) / losses.length;
    }
    const theirs = this.request({
      type: 'losses',
      config,
      params: hostWeights(params),
      batches: batches.slice(mine),
    }).then((reply) => {
      if (reply.type === 'losses') return reply.losses;
      this.broken = true; // as in lossAndGrads: this thread does it, now and after
      return local(batches.slice(mine));
    });
    const losses = [...local(batches.slice(0, mine)), ...(await theirs)];
    return losses.reduce((sum, loss) => sum + loss, 0) / losses.length;
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

/** The weights as plain arrays, to post to the worker. */
function hostWeights(params: Params): Record<string, { values: Float32Array; shape: number[] }> {
  const weights: Record<string, { values: Float32Array; shape: number[] }> = {};
  for (const [name, p] of Object.entries(params)) {
    weights[name] = { values: p.dataSync() as Float32Array, shape: p.shape };
  }
  return weights;
}

/** A result computed here, in the shape of the worker's reply. */
function local(result: LossAndGrads): { loss: number; grads: Record<string, Float32Array> } {
  const grads: Record<string, Float32Array> = {};
  for (const [name, g] of Object.entries(result.grads)) grads[name] = g.dataSync() as Float32Array;
  tf.dispose(Object.values(result.grads));
  return { loss: result.loss, grads };
}

/** Windows [from, to) of a time-major batch, as a batch of their own. */
function windows(seqs: Sequences, from: number, to: number): Sequences {
  const { batchSize: B, seqLen: T } = seqs;
  const size = to - from;
  const inputs = new Int32Array(T * size);
  const targets = new Int32Array(T * size);
  for (let t = 0; t < T; t++) {
    inputs.set(seqs.inputs.subarray(t * B + from, t * B + to), t * size);
    targets.set(seqs.targets.subarray(t * B + from, t * B + to), t * size);
  }
  return { inputs, targets, batchSize: size, seqLen: T };
}
