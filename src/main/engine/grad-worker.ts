/**
 * A worker thread that computes the loss and gradients of part of a batch, so training can
 * use a second core (see parallel.ts). It holds no state between jobs beyond its tfjs
 * backend: every job brings the current weights.
 */
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from '../../shared/settings';
import { initBackend, type BackendChoice } from './backend';
import { batchLoss, lossAndGrads, type Dropout, type Params, type Sequences } from './model';

export type WorkerRequest =
  | { type: 'init'; backend: BackendChoice }
  | {
      type: 'job';
      config: ModelConfig;
      /** Weights by name: values and shape. */
      params: Record<string, { values: Float32Array; shape: number[] }>;
      seqs: Sequences;
      dropout?: Dropout;
    }
  | {
      /** The mean loss of each batch, without gradients (valLoss). */
      type: 'losses';
      config: ModelConfig;
      params: Record<string, { values: Float32Array; shape: number[] }>;
      batches: Sequences[];
    };

export type WorkerReply =
  | { type: 'ready'; backend: string }
  | { type: 'done'; loss: number; grads: Record<string, Float32Array> }
  | { type: 'losses'; losses: number[] }
  | { type: 'error'; message: string };

const port = parentPort!;

function reply(message: WorkerReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

port.on('message', (req: WorkerRequest) => {
  if (req.type === 'init') {
    initBackend(req.backend).then(
      (info) => reply({ type: 'ready', backend: info.name }),
      (err: unknown) => reply({ type: 'error', message: String(err) }),
    );
    return;
  }
  try {
    const params: Params = {};
    for (const [name, p] of Object.entries(req.params)) params[name] = tf.tensor(p.values, p.shape);
    if (req.type === 'losses') {
      const losses = req.batches.map((batch) => batchLoss(params, req.config, batch));
      tf.dispose(Object.values(params));
      reply({ type: 'losses', losses });
      return;
    }
    const { loss, grads } = lossAndGrads(params, req.config, req.seqs, req.dropout);
    const out: Record<string, Float32Array> = {};
    // A copy each: on the cpu backend dataSync hands out the backend's own array.
    for (const [name, g] of Object.entries(grads))
      out[name] = (g.dataSync() as Float32Array).slice();
    tf.dispose([...Object.values(params), ...Object.values(grads)]);
    reply(
      { type: 'done', loss, grads: out },
      Object.values(out).map((g) => g.buffer as ArrayBuffer),
    );
  } catch (err) {
    reply({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
});
